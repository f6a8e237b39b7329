// Hot loops in C, compiled with -O3 in every build (see Package.swift).
// Images are NCHW; one call handles a contiguous range of (image, channel) planes so Swift can
// split the work across threads.
#pragma once
#include <stddef.h>

/// Fused activations: 0 none, 1 ReLU, 2 ReLU6.
enum { FV_ACT_NONE = 0, FV_ACT_RELU = 1, FV_ACT_RELU6 = 2 };

// Activation masks record, one bit per output element, where the activation passed its input
// (so the gradient flows). Layout: for each (image, channel, output row) ⌈wo/8⌉ bytes; bit i of
// byte b is column 8b + i. A mask costs 1/32 of the output it describes.

/// y[i] += x[i] for i < n.
void fv_add_inplace(float *y, const float *x, size_t n);

/// Adds `bias[c]` (if non-null) to `channels` planes and applies `act`, on a tile of whole rows:
/// channel c's tile starts at y + c·ldy and holds `rows` rows of `wo` values. When `mask` is
/// non-null, writes the activation mask of the tile (channel c's first row at mask + c·ldm).
void fv_bias_activation(float *y, int ldy, const float *bias, int channels, int rows, int wo, int act,
                        unsigned char *mask, int ldm);

/// dst = g masked by activation bits, on a tile of whole rows (layouts as in fv_bias_activation;
/// dst rows of channel c start at dst + c·ldd). `mask` null copies.
void fv_apply_mask(float *dst, int ldd, const float *g, int ldg, const unsigned char *mask, int ldm,
                   int channels, int rows, int wo);

/// Unfolds output rows oy0 ..< oy1 of one image [C, H, W] into columns [C*kh*kw, (oy1−oy0)*wo]
/// (zeros where padding).
void fv_im2col(const float *x, int channels, int height, int width, int kh, int kw, int stride,
               int pad_top, int pad_left, int oy0, int oy1, int wo, float *col);

/// Adds columns [C*kh*kw, ho*wo] back into an image gradient [C, H, W] (the adjoint of im2col).
void fv_col2im(const float *col, int channels, int height, int width, int kh, int kw, int stride,
               int pad_top, int pad_left, int ho, int wo, float *dx);

/// Depthwise convolution of `planes` planes (plane p uses filter p % channels and bias
/// p % channels): x [planes, H, W] → y [planes, ho, wo], with fused bias and activation, and the
/// activation mask when `mask` is non-null.
void fv_depthwise_forward(const float *x, const float *w, const float *bias, float *y,
                          int planes, int channel0, int channels, int height, int width,
                          int kh, int kw, int stride, int pad_top, int pad_left, int ho, int wo,
                          int act, unsigned char *mask);

/// Input gradient of the depthwise convolution: dy [planes, ho, wo], masked on the fly by the
/// activation mask (null: none) → dx [planes, H, W] (overwritten).
void fv_depthwise_backward(const float *dy, const unsigned char *mask, const float *w, float *dx,
                           int planes, int channel0, int channels, int height, int width,
                           int kh, int kw, int stride, int pad_top, int pad_left, int ho, int wo);

/// glibc: serve every allocation from the heap and never trim it, so freed tensors' pages are
/// reused warm instead of being unmapped and faulted in again. No-op elsewhere.
void fv_keep_freed_memory(void);
