// Float vectors (GCC/Clang vector extensions) shared by the kernels, VW lanes wide: 8 by default
// (AVX2 inside functions marked FV_AVX2, SSE pairs elsewhere), 16 in the AVX-512 translation units,
// which define FV_VW 16 before including this header and compile every function for AVX-512.
#pragma once
#include <stddef.h>
#include "CKernels.h"

#ifndef FV_VW
#define FV_VW 8
#endif
#define VW FV_VW

#if VW == 16
typedef float vf __attribute__((vector_size(64)));
typedef float vfu __attribute__((vector_size(64), aligned(4)));
typedef int vi __attribute__((vector_size(64)));
typedef _Bool vb __attribute__((ext_vector_type(16)));
#include <immintrin.h>
#elif VW == 8
typedef float vf __attribute__((vector_size(32)));
typedef float vfu __attribute__((vector_size(32), aligned(4)));
typedef int vi __attribute__((vector_size(32)));
typedef _Bool vb __attribute__((ext_vector_type(8)));
#else
#error "FV_VW must be 8 or 16"
#endif

#define LOAD(p) (*(const vfu *)(p))
#define STORE(p, v) (*(vfu *)(p) = (v))
#define INLINE static inline __attribute__((always_inline))
#define FV_AVX2 __attribute__((target("avx2,fma")))

INLINE vf splat(float f) { return (vf){0} + f; }

/// `n` rounded up to whole vectors.
INLINE int round_vw(int n) { return (n + VW - 1) / VW * VW; }

INLINE vf activate(vf v, int act) {
    if (act == FV_ACT_RELU) return __builtin_elementwise_max(v, splat(0));
    if (act == FV_ACT_RELU6) return __builtin_elementwise_min(__builtin_elementwise_max(v, splat(0)), splat(6));
    return v;
}

/// Lanes where the activation passes its input z (its derivative is 1): z > 0, and z < 6 for ReLU6.
INLINE vi passes(vf z, int act) {
    vi positive = z > splat(0);
    return act == FV_ACT_RELU6 ? (positive & (z < splat(6))) : positive;
}

/// `src[0..<n]` (n ≤ VW) in the first lanes, zeros after; reads nothing past `src + n`. With 16
/// lanes a masked load: filling a small buffer and loading it as a vector would stall the load
/// until the scalar stores retire.
INLINE vf load_partial(const float *src, int n) {
    if (n >= VW) return LOAD(src);
#if VW == 16
    return (vf)_mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1), src);
#else
    float tmp[VW] = {0};
    for (int i = 0; i < n; i++) tmp[i] = src[i];
    return LOAD(tmp);
#endif
}

/// Stores `v` to `dst[0..<n]` (n ≤ VW).
INLINE void store_partial(float *dst, vf v, int n) {
    if (n >= VW) { STORE(dst, v); return; }
#if VW == 16
    _mm512_mask_storeu_ps(dst, (__mmask16)((1u << n) - 1), (__m512)v);
#else
    float tmp[VW];
    STORE(tmp, v);
    for (int i = 0; i < n; i++) dst[i] = tmp[i];
#endif
}

// Activation masks keep one bit per element: bit i of byte b is column 8b + i, so lane i of a
// vector starting at a multiple of 8 columns is bit i of the little-endian bytes from there.
// Boolean vectors make the conversions one instruction each (movmsk, or a mask register).

/// The bits of `lanes` (lane i → bit i).
INLINE unsigned to_bits(vi lanes) {
    vb b = __builtin_convertvector(lanes, vb);
    unsigned r = 0;
    __builtin_memcpy(&r, &b, sizeof b);
    return r;
}

/// Writes the first `n` columns' bits of `lanes` (⌈n/8⌉ bytes, n ≤ VW) at `m`.
INLINE void store_bits(unsigned char *m, vi lanes, int n) {
    unsigned bits = to_bits(lanes);
    // Through a general register: left alone, the compiler stores the mask register straight to
    // memory (kmovb m8, k), which Zen 4 runs far slower than a byte store.
    __asm__("" : "+r"(bits));
    m[0] = (unsigned char)bits;
#if VW == 16
    if (n > 8) m[1] = (unsigned char)(bits >> 8);
#else
    (void)n;
#endif
}

/// All-ones lanes where the bits at `m` are set, for the first `n` columns (⌈n/8⌉ bytes read).
INLINE vi from_bits(const unsigned char *m, int n) {
    unsigned bits = m[0];
#if VW == 16
    if (n > 8) bits |= (unsigned)m[1] << 8;
#else
    (void)n;
#endif
    vb b;
    __builtin_memcpy(&b, &bits, sizeof b);
    return -__builtin_convertvector(b, vi);  // true → all ones
}

/// dst[i] = g[i] where bit i at `m` is set, else 0, for n ≤ VW values.
INLINE void apply_bits(float *dst, const float *g, const unsigned char *m, int n) {
    if (n >= VW) { STORE(dst, (vf)((vi)LOAD(g) & from_bits(m, VW))); return; }
#if VW == 16
    // Masked load and store: one bit test and scalar store per column made the 14- and 28-wide
    // planes' gradient copies the slowest part of the AVX-512 input gradient on Ice Lake.
    store_partial(dst, (vf)((vi)load_partial(g, n) & from_bits(m, n)), n);
#else
    for (int i = 0; i < n; i++) dst[i] = (m[i / 8] >> (i % 8)) & 1 ? g[i] : 0;
#endif
}

/// Masks one row of `wo` gradients by its bits (⌈wo/8⌉ bytes).
INLINE void apply_bits_row(float *dst, const float *g, const unsigned char *bits, int wo) {
    int j = 0;
    for (; j + VW <= wo; j += VW) apply_bits(dst + j, g + j, bits + j / 8, VW);
#if VW == 8
    // The last columns as one vector that ends at the row's end and overlaps the one before it
    // (those columns get the same values again; masking twice is masking once): one by one, they
    // were most of a 14-wide row.
    if (j < wo && wo >= VW) {
        int at = wo - VW;
        unsigned two = bits[at / 8] | (at % 8 ? (unsigned)bits[at / 8 + 1] << 8 : 0);
        unsigned char own = (unsigned char)(two >> (at % 8));
        STORE(dst + at, (vf)((vi)LOAD(g + at) & from_bits(&own, VW)));
        return;
    }
#endif
    if (j < wo) apply_bits(dst + j, g + j, bits + j / 8, wo - j);
}
