// Depthwise convolution, forward and input gradient: the kernels of depthwise_body.h compiled
// 8 wide for AVX2 + FMA and for the baseline, and the entry points, which pick a path per call
// (dispatch.c): AVX-512 (depthwise_avx512.c), AVX2 + FMA, or the baseline.
#include "CKernels.h"
#include "depthwise_body.h"
#include "dispatch.h"

SPECIALIZE(avx2, FV_AVX2, static)
SPECIALIZE(base, , static)

void fv_depthwise_forward(const float *x, const float *w, const float *bias, float *y,
                          int planes, int channel0, int channels, int height, int width,
                          int kh, int kw, int stride, int pad_top, int pad_left, int ho, int wo,
                          int act, unsigned char *mask) {
    switch (fv_kernel_path()) {
    case FV_PATH_AVX512:
        fv_depthwise_avx512_forward(x, w, bias, y, planes, channel0, channels, height, width, kh, kw, stride,
                                    pad_top, pad_left, ho, wo, act, mask);
        break;
    case FV_PATH_AVX2:
        avx2_forward(x, w, bias, y, planes, channel0, channels, height, width, kh, kw, stride,
                     pad_top, pad_left, ho, wo, act, mask);
        break;
    default:
        base_forward(x, w, bias, y, planes, channel0, channels, height, width, kh, kw, stride,
                     pad_top, pad_left, ho, wo, act, mask);
    }
}

void fv_depthwise_backward(const float *dy, const unsigned char *mask, const float *w, float *dx,
                           int planes, int channel0, int channels, int height, int width,
                           int kh, int kw, int stride, int pad_top, int pad_left, int ho, int wo,
                           const unsigned char *in_mask) {
    switch (fv_kernel_path()) {
    case FV_PATH_AVX512:
        fv_depthwise_avx512_backward(dy, mask, w, dx, planes, channel0, channels, height, width, kh, kw, stride,
                                     pad_top, pad_left, ho, wo, in_mask);
        break;
    case FV_PATH_AVX2:
        avx2_backward(dy, mask, w, dx, planes, channel0, channels, height, width, kh, kw, stride,
                      pad_top, pad_left, ho, wo, in_mask);
        break;
    default:
        base_backward(dy, mask, w, dx, planes, channel0, channels, height, width, kh, kw, stride,
                      pad_top, pad_left, ho, wo, in_mask);
    }
}
