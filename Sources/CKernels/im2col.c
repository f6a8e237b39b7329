#include "CKernels.h"
#include <string.h>

void fv_im2col(const float *x, int channels, int height, int width, int kh, int kw, int stride,
               int pad_top, int pad_left, int oy0, int oy1, int wo, float *col) {
    int ho = oy1 - oy0;
    for (int c = 0; c < channels; c++) {
        const float *xc = x + (size_t)c * height * width;
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                float *row = col + ((size_t)(c * kh + ky) * kw + kx) * ho * wo;
                for (int oy = 0; oy < ho; oy++) {
                    int iy = (oy + oy0) * stride - pad_top + ky;
                    float *out = row + (size_t)oy * wo;
                    if (iy < 0 || iy >= height) { memset(out, 0, sizeof(float) * wo); continue; }
                    const float *xr = xc + (size_t)iy * width;
                    if (stride == 1) {
                        int shift = kx - pad_left;  // ix = ox + shift
                        int lo = shift < 0 ? -shift : 0;
                        int hi = width - shift < wo ? width - shift : wo;
                        if (hi < lo) hi = lo;
                        for (int ox = 0; ox < lo; ox++) out[ox] = 0;
                        memcpy(out + lo, xr + lo + shift, sizeof(float) * (hi - lo));
                        for (int ox = hi; ox < wo; ox++) out[ox] = 0;
                    } else {
                        for (int ox = 0; ox < wo; ox++) {
                            int ix = ox * stride - pad_left + kx;
                            out[ox] = (ix >= 0 && ix < width) ? xr[ix] : 0;
                        }
                    }
                }
            }
        }
    }
}

void fv_col2im(const float *col, int channels, int height, int width, int kh, int kw, int stride,
               int pad_top, int pad_left, int ho, int wo, float *dx) {
    for (int c = 0; c < channels; c++) {
        float *dc = dx + (size_t)c * height * width;
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                const float *row = col + ((size_t)(c * kh + ky) * kw + kx) * ho * wo;
                for (int oy = 0; oy < ho; oy++) {
                    int iy = oy * stride - pad_top + ky;
                    if (iy < 0 || iy >= height) continue;
                    const float *in = row + (size_t)oy * wo;
                    float *dr = dc + (size_t)iy * width;
                    for (int ox = 0; ox < wo; ox++) {
                        int ix = ox * stride - pad_left + kx;
                        if (ix >= 0 && ix < width) dr[ix] += in[ox];
                    }
                }
            }
        }
    }
}
