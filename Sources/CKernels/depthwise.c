#include "CKernels.h"
#include <string.h>

void fv_depthwise_forward(const float *x, const float *w, const float *bias, float *y,
                          int planes, int channel0, int channels, int height, int width,
                          int kh, int kw, int stride, int pad_top, int pad_left, int ho, int wo,
                          int act) {
    for (int p = 0; p < planes; p++) {
        int c = (channel0 + p) % channels;
        const float *xp = x + (size_t)p * height * width;
        const float *wc = w + (size_t)c * kh * kw;
        float *yp = y + (size_t)p * ho * wo;
        float b = bias ? bias[c] : 0.0f;
        for (int oy = 0; oy < ho; oy++) {
            for (int ox = 0; ox < wo; ox++) {
                float acc = b;
                for (int ky = 0; ky < kh; ky++) {
                    int iy = oy * stride - pad_top + ky;
                    if (iy < 0 || iy >= height) continue;
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = ox * stride - pad_left + kx;
                        if (ix < 0 || ix >= width) continue;
                        acc += xp[(size_t)iy * width + ix] * wc[ky * kw + kx];
                    }
                }
                if (act == FV_ACT_RELU) acc = acc > 0 ? acc : 0;
                else if (act == FV_ACT_RELU6) acc = acc > 0 ? (acc < 6 ? acc : 6) : 0;
                yp[(size_t)oy * wo + ox] = acc;
            }
        }
    }
}

void fv_depthwise_backward(const float *dy, const float *w, float *dx,
                           int planes, int channel0, int channels, int height, int width,
                           int kh, int kw, int stride, int pad_top, int pad_left, int ho, int wo) {
    for (int p = 0; p < planes; p++) {
        int c = (channel0 + p) % channels;
        const float *gp = dy + (size_t)p * ho * wo;
        const float *wc = w + (size_t)c * kh * kw;
        float *dp = dx + (size_t)p * height * width;
        memset(dp, 0, sizeof(float) * height * width);
        for (int oy = 0; oy < ho; oy++) {
            for (int ox = 0; ox < wo; ox++) {
                float g = gp[(size_t)oy * wo + ox];
                if (g == 0) continue;
                for (int ky = 0; ky < kh; ky++) {
                    int iy = oy * stride - pad_top + ky;
                    if (iy < 0 || iy >= height) continue;
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = ox * stride - pad_left + kx;
                        if (ix < 0 || ix >= width) continue;
                        dp[(size_t)iy * width + ix] += g * wc[ky * kw + kx];
                    }
                }
            }
        }
    }
}
