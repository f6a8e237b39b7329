// Real 2-D FFTs with `ortho` normalization, for the Fourier parameterization and the spectrum
// metrics. Mixed radix (4, 2, 3, any other factor directly), self-sorting; every transform of a
// 2-D plane runs along columns, so the innermost loops walk contiguous rows and vectorize.
#pragma once

/// A plan for complex transforms of one length: its factors and twiddles (computed in double).
typedef struct fv_fft_plan fv_fft_plan;

/// A plan for length `n` ≥ 1; NULL when out of memory.
fv_fft_plan *fv_fft_plan_create(int n);
void fv_fft_plan_destroy(fv_fft_plan *plan);

/// The inverse half-spectrum transform (NumPy `irfft2(norm="ortho")`) of `planes` planes:
/// re, im [planes, h, w/2+1] → x [planes, h, w], with `ph` of length h and `pw` of length w.
/// The imaginary parts of the self-conjugate columns (DC and, for even w, Nyquist) are ignored.
/// `bin_scale` (NULL, or [h, w/2+1]) multiplies every plane's bins first and `post` every output
/// value last, each rounded as the separate multiplications would be. Returns 0, or −1 when out
/// of memory.
int fv_irfft2(const fv_fft_plan *ph, const fv_fft_plan *pw, const float *re, const float *im,
              const float *bin_scale, float post, float *x, int planes);

/// The half spectrum (NumPy `rfft2(norm="ortho")`) of `planes` planes: x [planes, h, w] → re, im
/// [planes, h, w/2+1]. With `adjoint` non-zero, columns other than the self-conjugate ones are
/// doubled: the result is then the transpose of fv_irfft2 applied to x. `pre` multiplies every
/// input value first and `bin_scale` (NULL, or [h, w/2+1]) every plane's bins last (the transpose
/// of fv_irfft2's `post` and `bin_scale`). Returns 0, or −1 when out of memory.
int fv_rfft2(const fv_fft_plan *ph, const fv_fft_plan *pw, const float *x, float pre, float *re, float *im,
             const float *bin_scale, int planes, int adjoint);
