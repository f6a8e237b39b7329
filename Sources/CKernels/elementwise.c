// Element-wise kernels: elementwise_body.h compiled 8 wide for AVX2 + FMA and for the baseline,
// and the entry points, which pick a path per call (dispatch.c), AVX-512 in elementwise_avx512.c.
#include "CKernels.h"
#include "dispatch.h"
#include "elementwise_body.h"

FV_AVX2 static void add_inplace_avx2(float *y, const float *x, size_t n) { add_inplace(y, x, n); }

void fv_add_inplace(float *y, const float *x, size_t n) {
    switch (fv_kernel_path()) {
    case FV_PATH_AVX512: fv_add_inplace_avx512(y, x, n); break;
    case FV_PATH_AVX2: add_inplace_avx2(y, x, n); break;
    default: add_inplace(y, x, n);
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
    switch (fv_kernel_path()) {
    case FV_PATH_AVX512: fv_bias_activation_avx512(y, ldy, bias, channels, rows, wo, act, mask, ldm); break;
    case FV_PATH_AVX2: bias_activation_avx2(y, ldy, bias, channels, rows, wo, act, mask, ldm); break;
    default: bias_activation(y, ldy, bias, channels, rows, wo, act, mask, ldm);
    }
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
    switch (fv_kernel_path()) {
    case FV_PATH_AVX512: fv_apply_mask_avx512(dst, ldd, g, ldg, mask, ldm, channels, rows, wo); break;
    case FV_PATH_AVX2: apply_mask_avx2(dst, ldd, g, ldg, mask, ldm, channels, rows, wo); break;
    default: apply_mask(dst, ldd, g, ldg, mask, ldm, channels, rows, wo);
    }
}
