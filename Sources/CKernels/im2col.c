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

// fv_col2im as a gather, by rows of the image gradient: each pixel sums the columns that unfold
// it in fv_col2im's order (ky, then kx), so the sums are the same bit for bit, and rows can go to
// different threads. Column phase q of a row (ix = j·stride + q) reads, for tap kx, column
// ox = j + (q + pad_left − kx) / stride when that divides.
void fv_col2im_rows(const float *col, int height, int width, int kh, int kw, int stride, int pad_top,
                    int pad_left, int ho, int wo, float *dx, int row0, int row1) {
    int s = stride;
    for (int row = row0; row < row1; row++) {
        int c = row / height, iy = row % height;
        float *d = dx + (size_t)row * width;
        const float *taps[kh * kw];
        int shift[kh * kw];
        for (int q = 0; q < s && q < width; q++) {
            int n = 0;
            for (int ky = 0; ky < kh; ky++) {
                int t = iy + pad_top - ky;
                if (t < 0 || t % s != 0 || t / s >= ho) continue;
                for (int kx = 0; kx < kw; kx++) {
                    int u = q + pad_left - kx;
                    if (((u % s) + s) % s != 0) continue;
                    taps[n] = col + ((size_t)(c * kh + ky) * kw + kx) * ho * wo + (size_t)(t / s) * wo;
                    shift[n] = u >= 0 ? u / s : -((-u) / s);
                    n++;
                }
            }
            for (int j = 0; j * s + q < width; j++) {
                float sum = d[j * s + q];
                for (int k = 0; k < n; k++) {
                    int ox = j + shift[k];
                    if (ox >= 0 && ox < wo) sum += taps[k][ox];
                }
                d[j * s + q] = sum;
            }
        }
    }
}
