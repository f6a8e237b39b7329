// The logistic sigmoid 1 / (1 + e^−x), vectorized with the bits of the scalar loop over glibc's
// expf. The image parameterizations squash every pixel through it forward and back each step;
// one libm call a pixel was about 4 % of a 224-px step.
//
// glibc's expf (since 2.27; sysdeps/ieee754/flt-32/e_expf.c, and its FMA build that CPUs with AVX2
// and FMA get) works in double: x·32/ln2 = k + r, e^x = 2^(k/32) · p(r) with 2^(i/32) from a
// 32-entry table and a cubic p, rounded once to float. Done lane for lane with the same constants
// and the same fused operations, the result is the same float; lanes outside its fast range
// (|x| ≥ 88, infinities, NaN) call expf itself. Without FMA (the baseline build) the loop calls
// expf, which is then glibc's SSE2 build. SigmoidTests compares every path with the scalar loop.
#pragma float_control(precise, on)  // the target's -ffast-math must not fold the rounding trick
#include "CKernels.h"
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

// __exp2f_data: tab[i] = bits(2^(i/32)) − (i << 47), the shift, 32/ln2 and the scaled cubic.
static const uint64_t exp2_table[32] = {
    0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
    0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
    0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
    0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
    0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
    0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
    0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
};
#define SHIFT 0x1.8p+52
#define INV_LN2_N 0x1.71547652b82fep+5
#define C0 0x1.c6af84b912394p-20
#define C1 0x1.ebfce50fac4f3p-13
#define C2 0x1.62e42ff0c52d6p-6
// expf's fast path takes x whose top 12 bits without the sign are at most this (|x| < 88).
#define FAST_TOP 0x42a

static inline float sigmoid1(float x) { return 1.0f / (1.0f + expf(-x)); }

__attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma")))
static void sigmoid_avx512(const float *x, float *y, size_t n) {
    __m512d t0, t1, t2, t3;
    memcpy(&t0, exp2_table, 64);
    memcpy(&t1, exp2_table + 8, 64);
    memcpy(&t2, exp2_table + 16, 64);
    memcpy(&t3, exp2_table + 24, 64);
    const __m512d shift = _mm512_set1_pd(SHIFT), inv = _mm512_set1_pd(INV_LN2_N), one = _mm512_set1_pd(1);
    const __m512d c0 = _mm512_set1_pd(C0), c1 = _mm512_set1_pd(C1), c2 = _mm512_set1_pd(C2);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_xor_ps(_mm256_loadu_ps(x + i), _mm256_set1_ps(-0.0f));  // −x
        __m256i bits = _mm256_castps_si256(v);
        __mmask8 slow = _mm256_cmpgt_epi32_mask(_mm256_and_si256(_mm256_srli_epi32(bits, 20), _mm256_set1_epi32(0x7ff)),
                                                _mm256_set1_epi32(FAST_TOP));
        __m512d xd = _mm512_cvtps_pd(v);
        __m512d kd = _mm512_fmadd_pd(inv, xd, shift);
        __m512i ki = _mm512_castpd_si512(kd);
        kd = _mm512_sub_pd(kd, shift);
        __m512d r = _mm512_fmsub_pd(inv, xd, kd);
        __m512d lo = _mm512_permutex2var_pd(t0, ki, t1), hi = _mm512_permutex2var_pd(t2, ki, t3);
        __m512d tab = _mm512_mask_blend_pd(_mm512_test_epi64_mask(ki, _mm512_set1_epi64(16)), lo, hi);
        __m512d s = _mm512_castsi512_pd(_mm512_add_epi64(_mm512_castpd_si512(tab), _mm512_slli_epi64(ki, 47)));
        __m512d z = _mm512_fmadd_pd(r, c0, c1);
        __m512d r2 = _mm512_mul_pd(r, r);
        __m512d p = _mm512_fmadd_pd(r, c2, one);
        p = _mm512_mul_pd(_mm512_fmadd_pd(z, r2, p), s);
        __m256 e = _mm512_cvtpd_ps(p);
        _mm256_storeu_ps(y + i, _mm256_div_ps(_mm256_set1_ps(1), _mm256_add_ps(_mm256_set1_ps(1), e)));
        for (unsigned m = slow; m; m &= m - 1) {
            size_t j = i + (size_t)__builtin_ctz(m);
            y[j] = sigmoid1(x[j]);
        }
    }
    for (; i < n; i++) y[i] = sigmoid1(x[i]);
}

__attribute__((target("avx2,fma")))
static void sigmoid_avx2(const float *x, float *y, size_t n) {
    const __m256d shift = _mm256_set1_pd(SHIFT), inv = _mm256_set1_pd(INV_LN2_N), one = _mm256_set1_pd(1);
    const __m256d c0 = _mm256_set1_pd(C0), c1 = _mm256_set1_pd(C1), c2 = _mm256_set1_pd(C2);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m128 v = _mm_xor_ps(_mm_loadu_ps(x + i), _mm_set1_ps(-0.0f));  // −x
        __m128i top = _mm_and_si128(_mm_srli_epi32(_mm_castps_si128(v), 20), _mm_set1_epi32(0x7ff));
        int slow = _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpgt_epi32(top, _mm_set1_epi32(FAST_TOP))));
        __m256d xd = _mm256_cvtps_pd(v);
        __m256d kd = _mm256_fmadd_pd(inv, xd, shift);
        __m256i ki = _mm256_castpd_si256(kd);
        kd = _mm256_sub_pd(kd, shift);
        __m256d r = _mm256_fmsub_pd(inv, xd, kd);
        __m256i index = _mm256_and_si256(ki, _mm256_set1_epi64x(31));
        __m256i tab = _mm256_i64gather_epi64((const long long *)exp2_table, index, 8);
        __m256d s = _mm256_castsi256_pd(_mm256_add_epi64(tab, _mm256_slli_epi64(ki, 47)));
        __m256d z = _mm256_fmadd_pd(r, c0, c1);
        __m256d r2 = _mm256_mul_pd(r, r);
        __m256d p = _mm256_fmadd_pd(r, c2, one);
        p = _mm256_mul_pd(_mm256_fmadd_pd(z, r2, p), s);
        __m128 e = _mm256_cvtpd_ps(p);
        _mm_storeu_ps(y + i, _mm_div_ps(_mm_set1_ps(1), _mm_add_ps(_mm_set1_ps(1), e)));
        for (unsigned m = (unsigned)slow; m; m &= m - 1) {
            size_t j = i + (size_t)__builtin_ctz(m);
            y[j] = sigmoid1(x[j]);
        }
    }
    for (; i < n; i++) y[i] = sigmoid1(x[i]);
}

void fv_sigmoid(const float *x, float *y, size_t n) {
    switch (fv_kernel_path()) {
    case FV_PATH_AVX512: sigmoid_avx512(x, y, n); break;
    case FV_PATH_AVX2: sigmoid_avx2(x, y, n); break;
    default:
        for (size_t i = 0; i < n; i++) y[i] = sigmoid1(x[i]);
    }
}
