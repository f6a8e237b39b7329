#include "CKernels.h"

void fv_add_inplace(float *y, const float *x, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] += x[i];
}

void fv_bias_activation(float *y, const float *bias, int channels, int plane, int act) {
    for (int c = 0; c < channels; c++) {
        float *p = y + (size_t)c * plane;
        const float b = bias ? bias[c] : 0.0f;
        switch (act) {
        case FV_ACT_RELU:
            for (int i = 0; i < plane; i++) { float v = p[i] + b; p[i] = v > 0 ? v : 0; }
            break;
        case FV_ACT_RELU6:
            for (int i = 0; i < plane; i++) {
                float v = p[i] + b; v = v > 0 ? v : 0; p[i] = v < 6 ? v : 6;
            }
            break;
        default:
            if (bias) for (int i = 0; i < plane; i++) p[i] += b;
        }
    }
}

void fv_activation_mask(float *g, const float *y, size_t n, int act) {
    // The output alone decides the mask: y > 0 (ReLU), 0 < y < 6 (ReLU6); no extra storage.
    if (act == FV_ACT_RELU) {
        for (size_t i = 0; i < n; i++) g[i] = y[i] > 0 ? g[i] : 0;
    } else if (act == FV_ACT_RELU6) {
        for (size_t i = 0; i < n; i++) g[i] = (y[i] > 0 && y[i] < 6) ? g[i] : 0;
    }
}
