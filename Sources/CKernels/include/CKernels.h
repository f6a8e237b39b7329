// Hot loops in C, compiled with -O3 in every build (see Package.swift).
// Images are NCHW; one call handles a contiguous range of (image, channel) planes so Swift can
// split the work across threads.
#pragma once
#include <stddef.h>

// The vector kernels come in three builds: 16 lanes for AVX-512 (F, CD, BW, DQ, VL), 8 lanes for
// AVX2 + FMA, 8 lanes in SSE pairs for any x86-64. Each call runs the build fv_kernel_path() names.

/// Kernel builds, weakest first.
enum { FV_PATH_BASE = 0, FV_PATH_AVX2 = 1, FV_PATH_AVX512 = 2 };

/// The best build this CPU runs (cpuid, checked once).
int fv_cpu_kernel_path(void);

/// The build the kernels use now: the CPU's best unless forced.
int fv_kernel_path(void);

/// Makes every kernel use build `path` (−1: the CPU's best again), for tests; returns 0 and changes
/// nothing when the CPU cannot run it. Not thread-safe: call between kernel calls.
int fv_force_kernel_path(int path);

/// Fused activations: 0 none, 1 ReLU, 2 ReLU6.
enum { FV_ACT_NONE = 0, FV_ACT_RELU = 1, FV_ACT_RELU6 = 2 };

// Activation masks record, one bit per output element, where the activation passed its input
// (so the gradient flows). Layout: for each (image, channel, output row) ⌈wo/8⌉ bytes; bit i of
// byte b is column 8b + i. A mask costs 1/32 of the output it describes.

/// y[i] += x[i] for i < n.
void fv_add_inplace(float *y, const float *x, size_t n);

/// y[i] = 1 / (1 + expf(−x[i])) for i < n, the same bits as that scalar loop over glibc's expf
/// on every path (sigmoid.c).
void fv_sigmoid(const float *x, float *y, size_t n);

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

/// One Adam step on n parameters: m ← b1·m + (1−b1)·g, v ← b2·v + (1−b2)·g·g,
/// p ← p + lr·(m/c1) / (√(v/c2) + eps), with c1, c2 the bias corrections (an ascent).
void fv_adam(float *p, float *m, float *v, const float *g, size_t n, float b1, float b2, float lr, float eps,
             float c1, float c2);

/// C = A·B for a convolution's tile: C[i][j] (i < m, j < n) at c + i·ldc + j, A[i][p] at
/// a + i·rs + p·cs (rs = 1 for a transposed A), B[p][j] at b + p·ldb + j. Each element is one
/// chain of fused multiply-adds over p in order, from zero, on every path, so the bits do not
/// depend on how the product is cut; AVX-512 in vectors, otherwise a scalar loop (the reference).
/// Then fv_bias_activation(c, ldc, bias, m, rows, wo, act, mask, ldm) on the tile (n = rows·wo
/// when bias or act is set), block by block on AVX-512, with the same bits.
void fv_conv_product(int m, int n, int k, const float *a, long rs, long cs, const float *b, long ldb, float *c,
                     long ldc, const float *bias, int act, int rows, int wo, unsigned char *mask, int ldm);

/// fv_col2im by rows of the image gradient, rows `row0 ..< row1` (row = channel · height + y) of
/// `dx`, from the whole `col`: the same sums bit for bit, so that rows can go to different threads.
void fv_col2im_rows(const float *col, int height, int width, int kh, int kw, int stride, int pad_top,
                    int pad_left, int ho, int wo, float *dx, int row0, int row1);

/// Bilinear resizing of planes [h, w] to [height, width] (PyTorch's; each output coordinate reads
/// source lo and hi with weight t of hi): output rows `row0 ..< row1` (row = plane · height + y) of
/// `y` from `x`. Each source row is interpolated along its columns once for all the output rows
/// that read it (`scratch`: 2 · width floats), then rows are blended: the same operations on the
/// same values as interpolating every output pixel on its own, so the same bits.
void fv_resize_rows(const float *x, int h, int w, float *y, int height, int width,
                    const int *row_lo, const int *row_hi, const float *row_t,
                    const int *col_lo, const int *col_hi, const float *col_t, int row0, int row1, float *scratch);

/// The adjoint of bilinear resizing from planes [h, w] to [height, width] (each output coordinate
/// reads source lo and hi with weight t of hi): rows `row0 ..< row1` of the source gradient
/// (row = plane · h + r), added into the zeroed `dx` from the output gradient `g`.
void fv_resize_rows_adjoint(const float *g, int height, int width, float *dx, int h, int w,
                            const int *row_lo, const int *row_hi, const float *row_t,
                            const int *col_lo, const int *col_hi, const float *col_t, int row0, int row1);

/// Depthwise convolution of `planes` planes (plane p uses filter p % channels and bias
/// p % channels): x [planes, H, W] → y [planes, ho, wo], with fused bias and activation, and the
/// activation mask when `mask` is non-null.
void fv_depthwise_forward(const float *x, const float *w, const float *bias, float *y,
                          int planes, int channel0, int channels, int height, int width,
                          int kh, int kw, int stride, int pad_top, int pad_left, int ho, int wo,
                          int act, unsigned char *mask);

/// Input gradient of the depthwise convolution: dy [planes, ho, wo], masked on the fly by the
/// activation mask (null: none) → dx [planes, H, W] (overwritten). `in_mask` (null: none) is the
/// activation mask of whatever produced x ([planes, H, ⌈W/8⌉ bytes]): dx is zeroed where it clipped,
/// so the producer's pullback needs no pass of its own.
void fv_depthwise_backward(const float *dy, const unsigned char *mask, const float *w, float *dx,
                           int planes, int channel0, int channels, int height, int width,
                           int kh, int kw, int stride, int pad_top, int pad_left, int ho, int wo,
                           const unsigned char *in_mask);

/// glibc: serve every allocation from the heap and never trim it, so freed tensors' pages are
/// reused warm instead of being unmapped and faulted in again. No-op elsewhere.
void fv_keep_freed_memory(void);

// OpenBLAS's core (its kernel family), corrected at load when OpenBLAS picked one weaker than the
// CPU supports, or Zen where Haswell runs the same kernels faster (see blas_core.c).

/// Why the core in use is the one it is.
enum { FV_BLAS_CORE_CHOSEN = 0, FV_BLAS_CORE_CORRECTED = 1, FV_BLAS_CORE_USER = 2 };

/// The name of the core OpenBLAS uses now (`openblas_get_corename`).
const char *fv_blas_core_name(void);

/// FV_BLAS_CORE_CHOSEN (OpenBLAS's own choice, kept), _CORRECTED (replaced at load), or _USER
/// (OPENBLAS_CORETYPE was set: left alone).
int fv_blas_core_reason(void);

/// The core OpenBLAS had picked before the correction; empty when none was made.
const char *fv_blas_core_replaced(void);

/// The vector level of an OpenBLAS x86-64 core name: 3 AVX-512, 2 AVX2 + FMA, 1 AVX, 0 SSE; −1 for
/// a name the engine does not know (never corrected).
int fv_blas_core_level(const char *name);

/// 1 when the load-time correction replaces core `have` by `want` (the CPU's core): `have` is
/// weaker, or is Zen and `want` Haswell. 0 for names the engine does not know.
int fv_blas_core_replaceable(const char *have, const char *want);

/// The OpenBLAS core this CPU supports by cpuid: "SkylakeX" (AVX-512 F/CD/BW/DQ/VL), "Haswell"
/// (AVX2 + FMA), or null (neither, or not x86-64).
const char *fv_cpu_blas_core(void);

// FLOP counters for benchmarks (flops.c): off unless between fv_flops_begin and fv_flops_end.

/// Kinds of counted work.
enum { FV_FLOPS_GEMM = 0, FV_FLOPS_DEPTHWISE = 1 };

/// Zeroes the counters and starts counting.
void fv_flops_begin(void);

/// Stops counting and reads the counters.
void fv_flops_end(unsigned long long *gemm, unsigned long long *depthwise);

/// Adds `flops` of `kind` (thread-safe; a no-op while not counting).
void fv_flops_add(int kind, unsigned long long flops);
