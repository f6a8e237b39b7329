// The AVX-512 translation units' entry points (16-wide builds of the same kernels), called by the
// public entry points when fv_kernel_path() is FV_PATH_AVX512. Private to CKernels.
#pragma once
#include "CKernels.h"

void fv_depthwise_avx512_forward(const float *x, const float *w, const float *bias, float *y,
                                 int planes, int channel0, int channels, int height, int width,
                                 int kh, int kw, int stride, int pad_top, int pad_left, int ho, int wo,
                                 int act, unsigned char *mask);
void fv_depthwise_avx512_backward(const float *dy, const unsigned char *mask, const float *w, float *dx,
                                  int planes, int channel0, int channels, int height, int width,
                                  int kh, int kw, int stride, int pad_top, int pad_left, int ho, int wo,
                                  const unsigned char *in_mask);
void fv_add_inplace_avx512(float *y, const float *x, size_t n);
void fv_bias_activation_avx512(float *y, int ldy, const float *bias, int channels, int rows, int wo, int act,
                               unsigned char *mask, int ldm);
void fv_apply_mask_avx512(float *dst, int ldd, const float *g, int ldg, const unsigned char *mask, int ldm,
                          int channels, int rows, int wo);
void fv_conv_product_avx512(int m, int n, int k, const float *a, long rs, long cs, const float *b, long ldb,
                            float *c, long ldc, const float *bias, int act, int rows, int wo, unsigned char *mask,
                            int ldm);
