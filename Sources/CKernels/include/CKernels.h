// Hot loops in C, compiled with -O3 in every build (see Package.swift).
// Images are NCHW; one call handles a contiguous range of (image, channel) planes so Swift can
// split the work across threads.
#pragma once
#include <stddef.h>

/// Fused activations: 0 none, 1 ReLU, 2 ReLU6.
enum { FV_ACT_NONE = 0, FV_ACT_RELU = 1, FV_ACT_RELU6 = 2 };

/// y[i] += x[i] for i < n.
void fv_add_inplace(float *y, const float *x, size_t n);

/// Adds `bias[c]` (if non-null) to each of `channels` planes of `plane` values and applies `act`.
void fv_bias_activation(float *y, const float *bias, int channels, int plane, int act);

/// g[i] = 0 where the activation's output y[i] was clipped (its derivative is 0 there).
void fv_activation_mask(float *g, const float *y, size_t n, int act);

/// Unfolds one image [C, H, W] into columns [C*kh*kw, ho*wo] (zeros where padding).
void fv_im2col(const float *x, int channels, int height, int width, int kh, int kw, int stride,
               int pad_top, int pad_left, int ho, int wo, float *col);

/// Adds columns [C*kh*kw, ho*wo] back into an image gradient [C, H, W] (the adjoint of im2col).
void fv_col2im(const float *col, int channels, int height, int width, int kh, int kw, int stride,
               int pad_top, int pad_left, int ho, int wo, float *dx);

/// Depthwise convolution of `planes` planes (plane p uses filter p % channels and bias
/// p % channels): x [planes, H, W] → y [planes, ho, wo], with fused bias and activation.
void fv_depthwise_forward(const float *x, const float *w, const float *bias, float *y,
                          int planes, int channel0, int channels, int height, int width,
                          int kh, int kw, int stride, int pad_top, int pad_left, int ho, int wo,
                          int act);

/// Input gradient of the depthwise convolution: dy [planes, ho, wo] (already masked by the
/// activation) → dx [planes, H, W] (overwritten).
void fv_depthwise_backward(const float *dy, const float *w, float *dx,
                           int planes, int channel0, int channels, int height, int width,
                           int kh, int kw, int stride, int pad_top, int pad_left, int ho, int wo);
