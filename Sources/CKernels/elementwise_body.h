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

/// p[0..<n] = act(p + b), and the activation's mask bits from byte `m` on (none when m is null).
/// Lanes past the run are computed but not stored; their bits are, to the end of the last byte,
/// and they are the bias's own (zeros are loaded there).
INLINE void activate_run(float *p, int n, vf bv, int act, unsigned char *m) {
    int i = 0;
    for (; i + VW <= n; i += VW) {
        vf z = LOAD(p + i) + bv;
        if (m) store_bits(m + i / 8, passes(z, act), VW);
        STORE(p + i, activate(z, act));
    }
    if (i < n) {
        vf z = load_partial(p + i, n - i) + bv;
        if (m) store_bits(m + i / 8, passes(z, act), n - i);
        store_partial(p + i, activate(z, act), n - i);
    }
}

/// Rows of a width that is not a multiple of 8 (28, 14, 7), at most 56 wide: each channel's
/// rows · wo values as one run (a partial vector only at the end, where a row at a time had one
/// every row), its mask bits gathered in `flat` and cut into rows after. The same values and mask
/// bytes as a row at a time, down to the bits past a row's end in its last byte: the bias's own.
INLINE void bias_activation_flat(float *y, int ldy, const float *bias, int channels, int rows, int wo, int act,
                                 unsigned char *mask, int ldm, unsigned char *flat) {
    int mrow = (wo + 7) / 8;
    for (int c = 0; c < channels; c++) {
        vf bv = splat(bias ? bias[c] : 0.0f);
        // Two calls, so that neither inlined copy tests for the mask (one testing took 1.15 × the time).
        if (!mask) { activate_run(y + (size_t)c * ldy, rows * wo, bv, act, 0); continue; }
        activate_run(y + (size_t)c * ldy, rows * wo, bv, act, flat);
        unsigned long long past = to_bits(passes(bv, act)) & 1 ? ~0ull << wo : 0;  // the bias's bit past the row
        for (int r = 0; r < rows; r++) {
            int at = r * wo;
            unsigned long long bits;
            memcpy(&bits, flat + at / 8, 8);  // `flat` has 8 bytes of slack
            bits = ((bits >> (at % 8)) & ((1ull << wo) - 1)) | past;
            memcpy(mask + (size_t)c * ldm + (size_t)r * mrow, &bits, (size_t)mrow);
        }
    }
}

INLINE void bias_activation(float *y, int ldy, const float *bias, int channels, int rows, int wo, int act,
                            unsigned char *mask, int ldm) {
    if (wo % 8 && wo <= 56 && rows * wo <= 4096) {
        unsigned char flat[4096 / 8 + 16];
        bias_activation_flat(y, ldy, bias, channels, rows, wo, act, mask, ldm, flat);
        return;
    }
    int mrow = (wo + 7) / 8;
    for (int c = 0; c < channels; c++) {
        vf bv = splat(bias ? bias[c] : 0.0f);
        for (int r = 0; r < rows; r++)
            activate_run(y + (size_t)c * ldy + (size_t)r * wo, wo, bv, act,
                         mask ? mask + (size_t)c * ldm + (size_t)r * mrow : 0);
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
