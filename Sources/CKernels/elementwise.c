#include "CKernels.h"
#include "simd.h"
#include <string.h>

int fv_has_avx2(void) {
    static int cached = -1;
    if (cached < 0) { __builtin_cpu_init(); cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
    return cached;
}

void fv_add_inplace(float *y, const float *x, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] += x[i];
}

INLINE float activate1(float v, int act) {
    if (act == FV_ACT_RELU) return v > 0 ? v : 0;
    if (act == FV_ACT_RELU6) return v > 0 ? (v < 6 ? v : 6) : 0;
    return v;
}

INLINE void bias_activation(float *y, int ldy, const float *bias, int channels, int rows, int wo, int act,
                            unsigned char *mask, int ldm) {
    int mrow = (wo + 7) / 8;
    for (int c = 0; c < channels; c++) {
        const float b = bias ? bias[c] : 0.0f;
        v8 bv = splat(b);
        for (int r = 0; r < rows; r++) {
            float *p = y + (size_t)c * ldy + (size_t)r * wo;
            unsigned char *m = mask ? mask + (size_t)c * ldm + (size_t)r * mrow : 0;
            int i = 0;
            for (; i + 8 <= wo; i += 8) {
                v8 z = LOAD(p + i) + bv;
                if (m) m[i / 8] = to_bits(passes8(z, act));
                STORE(p + i, activate8(z, act));
            }
            if (i < wo) {
                float tail[8] = {0};
                for (int k = 0; k < wo - i; k++) tail[k] = p[i + k] + b;
                v8 z = LOAD(tail);
                if (m) m[i / 8] = to_bits(passes8(z, act));
                for (int k = 0; k < wo - i; k++) p[i + k] = activate1(tail[k], act);
            }
        }
    }
}

FV_AVX2 static void bias_activation_avx2(float *y, int ldy, const float *bias, int channels, int rows, int wo,
                                         int act, unsigned char *mask, int ldm) {
    bias_activation(y, ldy, bias, channels, rows, wo, act, mask, ldm);
}

void fv_bias_activation(float *y, int ldy, const float *bias, int channels, int rows, int wo, int act,
                        unsigned char *mask, int ldm) {
    if (!bias && act == FV_ACT_NONE) return;
    if (act == FV_ACT_NONE) mask = 0;
    if (fv_has_avx2()) bias_activation_avx2(y, ldy, bias, channels, rows, wo, act, mask, ldm);
    else bias_activation(y, ldy, bias, channels, rows, wo, act, mask, ldm);
}

INLINE void apply_mask(float *dst, int ldd, const float *g, int ldg, const unsigned char *mask, int ldm,
                       int channels, int rows, int wo) {
    int mrow = (wo + 7) / 8;
    for (int c = 0; c < channels; c++)
        for (int r = 0; r < rows; r++)
            apply_bits_row(dst + (size_t)c * ldd + (size_t)r * wo, g + (size_t)c * ldg + (size_t)r * wo,
                           mask + (size_t)c * ldm + (size_t)r * mrow, wo);
}

FV_AVX2 static void apply_mask_avx2(float *dst, int ldd, const float *g, int ldg, const unsigned char *mask,
                                    int ldm, int channels, int rows, int wo) {
    apply_mask(dst, ldd, g, ldg, mask, ldm, channels, rows, wo);
}

void fv_apply_mask(float *dst, int ldd, const float *g, int ldg, const unsigned char *mask, int ldm,
                   int channels, int rows, int wo) {
    if (!mask) {
        for (int c = 0; c < channels; c++)
            memmove(dst + (size_t)c * ldd, g + (size_t)c * ldg, sizeof(float) * rows * wo);
        return;
    }
    if (fv_has_avx2()) apply_mask_avx2(dst, ldd, g, ldg, mask, ldm, channels, rows, wo);
    else apply_mask(dst, ldd, g, ldg, mask, ldm, channels, rows, wo);
}
