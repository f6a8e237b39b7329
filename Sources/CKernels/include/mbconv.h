// Channels-last kernels for the tiles of a fused MBConv block (expand 1×1 → depthwise → project
// 1×1). A tile holds a band of image rows as pixels × channels: element (pixel p, channel c) at
// p·ld + c. Activation masks are one byte per element (1 where the activation passed), in the same
// layout with their own leading dimension.
#pragma once

/// e[p·ld + c] = act(e[p·ld + c] + bias[c]) for `pixels` pixels of `channels` channels (`bias` may
/// be null); writes the mask when `mask` is non-null. `act` as FV_ACT_* in CKernels.h.
void fv_cl_bias_activation(float *e, int ld, int pixels, int channels, const float *bias, int act,
                           unsigned char *mask, int mask_ld);

/// g[p·ld + c] = 0 where mask[p·mask_ld + c] is 0.
void fv_cl_apply_mask(float *g, int ld, int pixels, int channels, const unsigned char *mask, int mask_ld);

/// Depthwise convolution of a tile: input rows `rows_in` × `width` (row iy of the tile is read by
/// output row oy through tap ky when iy = oy·stride − pad_top + ky; rows outside the tile are
/// zero), filters w[(ky·kw + kx)·ldw + c], bias (may be null), activation and mask → output
/// `rows_out` × `wo` pixels.
void fv_cl_depthwise_forward(const float *x, int ldx, const float *w, int ldw, const float *bias,
                             float *y, int ldy, int rows_in, int width, int channels, int kh, int kw,
                             int stride, int pad_top, int pad_left, int rows_out, int wo, int act,
                             unsigned char *mask, int mask_ld);

/// The adjoint of fv_cl_depthwise_forward without its activation: dy (already masked) → dx
/// (overwritten), zeroed where `in_mask` (may be null; the producer's activation) is 0.
void fv_cl_depthwise_backward(const float *dy, int ldy, const float *w, int ldw, float *dx, int ldx,
                              int rows_in, int width, int channels, int kh, int kw, int stride,
                              int pad_top, int pad_left, int rows_out, int wo,
                              const unsigned char *in_mask, int mask_ld);
