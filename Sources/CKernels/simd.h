// 8-wide float vectors (GCC/Clang vector extensions) shared by the kernels; compiled to AVX2
// inside functions marked FV_AVX2, to SSE pairs elsewhere.
#pragma once
#include <stddef.h>
#include "CKernels.h"

typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4)));
#define LOAD(p) (*(const v8u *)(p))
#define STORE(p, v) (*(v8u *)(p) = (v))
#define INLINE static inline __attribute__((always_inline))
#define FV_AVX2 __attribute__((target("avx2,fma")))

typedef int v8i __attribute__((vector_size(32)));

INLINE v8 splat(float f) { return (v8){f, f, f, f, f, f, f, f}; }

INLINE v8 activate8(v8 v, int act) {
    if (act == FV_ACT_RELU) return __builtin_elementwise_max(v, splat(0));
    if (act == FV_ACT_RELU6) return __builtin_elementwise_min(__builtin_elementwise_max(v, splat(0)), splat(6));
    return v;
}

/// Lanes where the activation passes its input z (its derivative is 1): z > 0, and z < 6 for ReLU6.
INLINE v8i passes8(v8 z, int act) {
    v8i positive = z > splat(0);
    return act == FV_ACT_RELU6 ? (positive & (z < splat(6))) : positive;
}

// Activation masks keep one bit per element: bit i of a byte is lane i of an 8-wide vector.
// Boolean vectors make the conversions one instruction each (movmsk) where the CPU has one.
typedef _Bool v8b __attribute__((ext_vector_type(8)));

INLINE unsigned char to_bits(v8i lanes) {
    v8b b = __builtin_convertvector(lanes, v8b);
    unsigned char r;
    __builtin_memcpy(&r, &b, 1);
    return r;
}

INLINE v8i from_bits(unsigned char bits) {
    v8b b;
    __builtin_memcpy(&b, &bits, 1);
    return -__builtin_convertvector(b, v8i);  // true → all ones
}

/// dst[i] = g[i] where bit i of `bits` is set, else 0, for n ≤ 8 values.
INLINE void apply_bits(float *dst, const float *g, unsigned char bits, int n) {
    if (n >= 8) { STORE(dst, (v8)((v8i)LOAD(g) & from_bits(bits))); return; }
    for (int i = 0; i < n; i++) dst[i] = (bits >> i) & 1 ? g[i] : 0;
}

/// Masks one row of `wo` gradients by its bits (⌈wo/8⌉ bytes).
INLINE void apply_bits_row(float *dst, const float *g, const unsigned char *bits, int wo) {
    for (int j = 0; j < wo; j += 8) apply_bits(dst + j, g + j, bits[j / 8], wo - j);
}

/// Whether this CPU runs AVX2 + FMA (checked once).
int fv_has_avx2(void);
