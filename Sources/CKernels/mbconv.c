// Channels-last depthwise convolution and epilogues for the tiles of a fused MBConv block.
//
// Channels are the innermost axis, so every tap is a contiguous multiply-add over a block of 16
// channels held in registers: no padded copies or phase planes for strides, and the 1×1
// convolutions on either side read and write the tile straight through sgemm's transpose flags.
// Plain loops, compiled three times (AVX-512, AVX2 + FMA, baseline) and chosen once per call.
#include "CKernels.h"
#include "mbconv.h"

#define INLINE static inline __attribute__((always_inline))
#define BLOCK 16

INLINE float act1(float v, int act) {
    if (act == FV_ACT_RELU) return v > 0 ? v : 0;
    if (act == FV_ACT_RELU6) return v > 0 ? (v < 6 ? v : 6) : 0;
    return v;
}

INLINE unsigned char passes1(float v, int act) {
    return act == FV_ACT_RELU6 ? (v > 0 && v < 6) : v > 0;
}

INLINE void bias_activation(float *restrict e, int ld, int pixels, int channels, const float *restrict bias,
                            int act, unsigned char *restrict mask, int mask_ld) {
    for (int p = 0; p < pixels; p++) {
        float *row = e + (size_t)p * ld;
        unsigned char *m = mask ? mask + (size_t)p * mask_ld : 0;
        if (bias) for (int c = 0; c < channels; c++) row[c] += bias[c];
        if (m) for (int c = 0; c < channels; c++) m[c] = passes1(row[c], act);
        for (int c = 0; c < channels; c++) row[c] = act1(row[c], act);
    }
}

INLINE void apply_mask(float *restrict g, int ld, int pixels, int channels, const unsigned char *restrict mask,
                       int mask_ld) {
    for (int p = 0; p < pixels; p++) {
        float *row = g + (size_t)p * ld;
        const unsigned char *m = mask + (size_t)p * mask_ld;
        for (int c = 0; c < channels; c++) row[c] = m[c] ? row[c] : 0;
    }
}

/// n ≤ BLOCK channels from c0 of one output pixel; N is BLOCK (unrolled) or n.
INLINE void forward_pixel(const float *restrict x, int ldx, const float *restrict w, int ldw,
                          const float *restrict bias, float *restrict y, int width, int kw,
                          int ky0, int ky1, int kx0, int kx1, int iy0, int ix0, int c0, int N, int act,
                          unsigned char *restrict m) {
    float acc[BLOCK];
    for (int i = 0; i < N; i++) acc[i] = bias ? bias[c0 + i] : 0;
    for (int ky = ky0; ky < ky1; ky++)
        for (int kx = kx0; kx < kx1; kx++) {
            const float *src = x + ((size_t)(iy0 + ky) * width + ix0 + kx) * ldx + c0;
            const float *wt = w + (size_t)(ky * kw + kx) * ldw + c0;
            for (int i = 0; i < N; i++) acc[i] += wt[i] * src[i];
        }
    if (m) for (int i = 0; i < N; i++) m[c0 + i] = passes1(acc[i], act);
    for (int i = 0; i < N; i++) y[c0 + i] = act1(acc[i], act);
}

INLINE void depthwise_forward(const float *x, int ldx, const float *w, int ldw, const float *bias, float *y,
                              int ldy, int rows_in, int width, int channels, int kh, int kw, int s, int pt,
                              int pl, int rows_out, int wo, int act, unsigned char *mask, int mask_ld) {
    for (int oy = 0; oy < rows_out; oy++) {
        int iy0 = oy * s - pt;
        int ky0 = iy0 < 0 ? -iy0 : 0, ky1 = rows_in - iy0 < kh ? rows_in - iy0 : kh;
        for (int ox = 0; ox < wo; ox++) {
            int ix0 = ox * s - pl;
            int kx0 = ix0 < 0 ? -ix0 : 0, kx1 = width - ix0 < kw ? width - ix0 : kw;
            float *out = y + ((size_t)oy * wo + ox) * ldy;
            unsigned char *m = mask ? mask + ((size_t)oy * wo + ox) * mask_ld : 0;
            int c0 = 0;
            for (; c0 + BLOCK <= channels; c0 += BLOCK)
                forward_pixel(x, ldx, w, ldw, bias, out, width, kw, ky0, ky1, kx0, kx1, iy0, ix0, c0, BLOCK, act, m);
            if (c0 < channels)
                forward_pixel(x, ldx, w, ldw, bias, out, width, kw, ky0, ky1, kx0, kx1, iy0, ix0, c0, channels - c0, act, m);
        }
    }
}

/// n ≤ BLOCK channels from c0 of one input pixel (iy, ix): the gather over the outputs it feeds.
INLINE void backward_pixel(const float *restrict dy, int ldy, const float *restrict w, int ldw,
                           float *restrict dx, int kh, int kw, int s, int pt, int pl, int rows_out, int wo,
                           int iy, int ix, int c0, int N, const unsigned char *restrict m) {
    float acc[BLOCK];
    for (int i = 0; i < N; i++) acc[i] = 0;
    for (int ky = 0; ky < kh; ky++) {
        int t = iy + pt - ky;
        if (t < 0 || t % s) continue;
        int oy = t / s;
        if (oy >= rows_out) continue;
        for (int kx = 0; kx < kw; kx++) {
            int u = ix + pl - kx;
            if (u < 0 || u % s) continue;
            int ox = u / s;
            if (ox >= wo) continue;
            const float *src = dy + ((size_t)oy * wo + ox) * ldy + c0;
            const float *wt = w + (size_t)(ky * kw + kx) * ldw + c0;
            for (int i = 0; i < N; i++) acc[i] += wt[i] * src[i];
        }
    }
    if (m) for (int i = 0; i < N; i++) dx[c0 + i] = m[c0 + i] ? acc[i] : 0;
    else for (int i = 0; i < N; i++) dx[c0 + i] = acc[i];
}

INLINE void depthwise_backward(const float *dy, int ldy, const float *w, int ldw, float *dx, int ldx,
                               int rows_in, int width, int channels, int kh, int kw, int s, int pt, int pl,
                               int rows_out, int wo, const unsigned char *in_mask, int mask_ld) {
    for (int iy = 0; iy < rows_in; iy++)
        for (int ix = 0; ix < width; ix++) {
            float *out = dx + ((size_t)iy * width + ix) * ldx;
            const unsigned char *m = in_mask ? in_mask + ((size_t)iy * width + ix) * mask_ld : 0;
            int c0 = 0;
            for (; c0 + BLOCK <= channels; c0 += BLOCK)
                backward_pixel(dy, ldy, w, ldw, out, kh, kw, s, pt, pl, rows_out, wo, iy, ix, c0, BLOCK, m);
            if (c0 < channels)
                backward_pixel(dy, ldy, w, ldw, out, kh, kw, s, pt, pl, rows_out, wo, iy, ix, c0, channels - c0, m);
        }
}

// MARK: - Entry points: one copy per instruction set, chosen at run time

#define VARIANTS(SUFFIX, ATTR)                                                                              \
    ATTR static void bias_activation_##SUFFIX(float *e, int ld, int pixels, int channels, const float *bias, \
                                              int act, unsigned char *mask, int mask_ld) {                  \
        bias_activation(e, ld, pixels, channels, bias, act, mask, mask_ld);                                 \
    }                                                                                                       \
    ATTR static void apply_mask_##SUFFIX(float *g, int ld, int pixels, int channels,                        \
                                         const unsigned char *mask, int mask_ld) {                          \
        apply_mask(g, ld, pixels, channels, mask, mask_ld);                                                 \
    }                                                                                                       \
    ATTR static void forward_##SUFFIX(const float *x, int ldx, const float *w, int ldw, const float *bias,  \
                                      float *y, int ldy, int rows_in, int width, int channels, int kh,      \
                                      int kw, int s, int pt, int pl, int rows_out, int wo, int act,         \
                                      unsigned char *mask, int mask_ld) {                                   \
        depthwise_forward(x, ldx, w, ldw, bias, y, ldy, rows_in, width, channels, kh, kw, s, pt, pl,        \
                          rows_out, wo, act, mask, mask_ld);                                                \
    }                                                                                                       \
    ATTR static void backward_##SUFFIX(const float *dy, int ldy, const float *w, int ldw, float *dx,        \
                                       int ldx, int rows_in, int width, int channels, int kh, int kw,       \
                                       int s, int pt, int pl, int rows_out, int wo,                         \
                                       const unsigned char *in_mask, int mask_ld) {                         \
        depthwise_backward(dy, ldy, w, ldw, dx, ldx, rows_in, width, channels, kh, kw, s, pt, pl,           \
                           rows_out, wo, in_mask, mask_ld);                                                 \
    }

VARIANTS(avx512, __attribute__((target("avx512f,avx512vl,avx512bw,avx2,fma"))))
VARIANTS(avx2, __attribute__((target("avx2,fma"))))
VARIANTS(base, )

/// 2: AVX-512 (F, VL, BW), 1: AVX2 + FMA, 0: baseline; checked once.
static int isa(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
                         && __builtin_cpu_supports("avx512bw") ? 2
                 : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
    }
    return cached;
}

#define DISPATCH(NAME, ...)                                   \
    switch (isa()) {                                          \
    case 2: NAME##_avx512(__VA_ARGS__); break;                \
    case 1: NAME##_avx2(__VA_ARGS__); break;                  \
    default: NAME##_base(__VA_ARGS__);                        \
    }

void fv_cl_bias_activation(float *e, int ld, int pixels, int channels, const float *bias, int act,
                           unsigned char *mask, int mask_ld) {
    if (act == FV_ACT_NONE) mask = 0;
    DISPATCH(bias_activation, e, ld, pixels, channels, bias, act, mask, mask_ld)
}

void fv_cl_apply_mask(float *g, int ld, int pixels, int channels, const unsigned char *mask, int mask_ld) {
    DISPATCH(apply_mask, g, ld, pixels, channels, mask, mask_ld)
}

void fv_cl_depthwise_forward(const float *x, int ldx, const float *w, int ldw, const float *bias,
                             float *y, int ldy, int rows_in, int width, int channels, int kh, int kw,
                             int stride, int pad_top, int pad_left, int rows_out, int wo, int act,
                             unsigned char *mask, int mask_ld) {
    if (act == FV_ACT_NONE) mask = 0;
    DISPATCH(forward, x, ldx, w, ldw, bias, y, ldy, rows_in, width, channels, kh, kw, stride, pad_top, pad_left,
             rows_out, wo, act, mask, mask_ld)
}

void fv_cl_depthwise_backward(const float *dy, int ldy, const float *w, int ldw, float *dx, int ldx,
                              int rows_in, int width, int channels, int kh, int kw, int stride,
                              int pad_top, int pad_left, int rows_out, int wo,
                              const unsigned char *in_mask, int mask_ld) {
    DISPATCH(backward, dy, ldy, w, ldw, dx, ldx, rows_in, width, channels, kh, kw, stride, pad_top, pad_left,
             rows_out, wo, in_mask, mask_ld)
}
