// The element-wise kernels of elementwise_body.h compiled 16 wide for AVX-512 (every function in
// this file carries the target attribute: no global -mavx512 flag).
#define FV_VW 16
#include <immintrin.h>
#pragma clang attribute push(__attribute__((target("avx512f,avx512cd,avx512bw,avx512dq,avx512vl,avx2,fma"))), \
                             apply_to = function)
#include "dispatch.h"
#include "elementwise_body.h"

void fv_add_inplace_avx512(float *y, const float *x, size_t n) { add_inplace(y, x, n); }

void fv_bias_activation_avx512(float *y, int ldy, const float *bias, int channels, int rows, int wo, int act,
                               unsigned char *mask, int ldm) {
    bias_activation(y, ldy, bias, channels, rows, wo, act, mask, ldm);
}

void fv_apply_mask_avx512(float *dst, int ldd, const float *g, int ldg, const unsigned char *mask, int ldm,
                          int channels, int rows, int wo) {
    apply_mask(dst, ldd, g, ldg, mask, ldm, channels, rows, wo);
}
#pragma clang attribute pop
