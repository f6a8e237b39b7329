// The depthwise kernels of depthwise_body.h compiled 16 wide for AVX-512 (every function in this
// file carries the target attribute: no global -mavx512 flag), called by depthwise.c's entry
// points when the CPU has AVX-512.
#define FV_VW 16
#include <immintrin.h>
#pragma clang attribute push(__attribute__((target("avx512f,avx512cd,avx512bw,avx512dq,avx512vl,avx2,fma"))), \
                             apply_to = function)
#include "depthwise_body.h"
#include "dispatch.h"

SPECIALIZE(avx512, )

void fv_depthwise_forward_avx512(const float *x, const float *w, const float *bias, float *y,
                                 int planes, int channel0, int channels, int height, int width,
                                 int kh, int kw, int stride, int pad_top, int pad_left, int ho, int wo,
                                 int act, unsigned char *mask) {
    avx512_forward(x, w, bias, y, planes, channel0, channels, height, width, kh, kw, stride,
                   pad_top, pad_left, ho, wo, act, mask);
}

void fv_depthwise_backward_avx512(const float *dy, const unsigned char *mask, const float *w, float *dx,
                                  int planes, int channel0, int channels, int height, int width,
                                  int kh, int kw, int stride, int pad_top, int pad_left, int ho, int wo,
                                  const unsigned char *in_mask) {
    avx512_backward(dy, mask, w, dx, planes, channel0, channels, height, width, kh, kw, stride,
                    pad_top, pad_left, ho, wo, in_mask);
}
#pragma clang attribute pop
