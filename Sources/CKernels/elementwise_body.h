// The element-wise kernels, written once for VW-lane vectors (simd.h): elementwise.c compiles them
// 8 wide (AVX2 + FMA and baseline), elementwise_avx512.c 16 wide. Private to CKernels.
#pragma once
#include <string.h>
#include "simd.h"

INLINE void add_inplace(float *y, const float *x, size_t n) {
    size_t i = 0;
    for (; i + VW <= n; i += VW) STORE(y + i, LOAD(y + i) + LOAD(x + i));
    for (; i < n; i++) y[i] += x[i];
}

INLINE void bias_activation(float *y, int ldy, const float *bias, int channels, int rows, int wo, int act,
                            unsigned char *mask, int ldm) {
    int mrow = (wo + 7) / 8;
    for (int c = 0; c < channels; c++) {
        const float b = bias ? bias[c] : 0.0f;
        vf bv = splat(b);
        for (int r = 0; r < rows; r++) {
            float *p = y + (size_t)c * ldy + (size_t)r * wo;
            unsigned char *m = mask ? mask + (size_t)c * ldm + (size_t)r * mrow : 0;
            int i = 0;
            for (; i + VW <= wo; i += VW) {
                vf z = LOAD(p + i) + bv;
                if (m) store_bits(m + i / 8, passes(z, act), VW);
                STORE(p + i, activate(z, act));
            }
            if (i < wo) {  // the lanes past the row are computed and not stored
                vf z = load_partial(p + i, wo - i) + bv;
                if (m) store_bits(m + i / 8, passes(z, act), wo - i);
                store_partial(p + i, activate(z, act), wo - i);
            }
        }
    }
}

INLINE void apply_mask(float *dst, int ldd, const float *g, int ldg, const unsigned char *mask, int ldm,
                       int channels, int rows, int wo) {
    int mrow = (wo + 7) / 8;
    for (int c = 0; c < channels; c++)
        for (int r = 0; r < rows; r++)
            apply_bits_row(dst + (size_t)c * ldd + (size_t)r * wo, g + (size_t)c * ldg + (size_t)r * wo,
                           mask + (size_t)c * ldm + (size_t)r * mrow, wo);
}
