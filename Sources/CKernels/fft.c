// Real 2-D FFTs: a self-sorting mixed-radix complex FFT (FFTPACK's decimation in frequency,
// Stockham ping-pong) applied to the columns of split-complex arrays [n][count].
//
// Stage s with radix p, l1 = product of the earlier radices and ido = n / (l1·p) maps
// cc(i, q, k) = cc[i + ido·(q + p·k)] to ch(i, k, j) = ch[i + ido·(k + l1·j)]:
//
//     ch(i, k, j) = ω_{p·ido}^{i·j} · Σ_q cc(i, q, k) · ω_p^{q·j}
//
// Every element is a row of `count` complex values, so each butterfly is a loop over a
// contiguous row that the compiler vectorizes. Row transforms of a plane become column
// transforms by reading it transposed; two real rows share one complex transform (one in the real
// part, one in the imaginary part).
#include "fft.h"
#include "CKernels.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FACTORS 40

struct fv_fft_plan {
    int n, nf;
    int factor[MAX_FACTORS];
    /// Stage s's twiddles e^{−2πi·i·j/(p·ido)} at [(j − 1)·ido + i], j = 1 ..< p.
    int tw_offset[MAX_FACTORS];
    /// Generic-radix stages: the p roots e^{−2πi·r/p}.
    int root_offset[MAX_FACTORS];
    float *tw_re, *tw_im, *root_re, *root_im;
};

fv_fft_plan *fv_fft_plan_create(int n) {
    if (n < 1) return NULL;
    fv_fft_plan *pl = calloc(1, sizeof *pl);
    if (!pl) return NULL;
    pl->n = n;
    int m = n;
    while (m % 4 == 0) { pl->factor[pl->nf++] = 4; m /= 4; }
    while (m % 2 == 0) { pl->factor[pl->nf++] = 2; m /= 2; }
    for (int f = 3; f * f <= m; f += 2)
        while (m % f == 0) { pl->factor[pl->nf++] = f; m /= f; }
    if (m > 1) pl->factor[pl->nf++] = m;
    size_t tw = 0, roots = 0;
    for (int s = 0, l1 = 1; s < pl->nf; s++) {
        int p = pl->factor[s], ido = n / (l1 * p);
        pl->tw_offset[s] = (int)tw;
        pl->root_offset[s] = (int)roots;
        tw += (size_t)(p - 1) * ido;
        if (p > 4) roots += p;
        l1 *= p;
    }
    pl->tw_re = malloc((tw + 1) * sizeof(float));
    pl->tw_im = malloc((tw + 1) * sizeof(float));
    pl->root_re = malloc((roots + 1) * sizeof(float));
    pl->root_im = malloc((roots + 1) * sizeof(float));
    if (!pl->tw_re || !pl->tw_im || !pl->root_re || !pl->root_im) { fv_fft_plan_destroy(pl); return NULL; }
    for (int s = 0, l1 = 1; s < pl->nf; s++) {
        int p = pl->factor[s], ido = n / (l1 * p), span = p * ido;
        for (int j = 1; j < p; j++)
            for (int i = 0; i < ido; i++) {
                // Reduce the index product first: exact angles.
                double a = -2 * M_PI * (double)(((long)i * j) % span) / span;
                pl->tw_re[pl->tw_offset[s] + (j - 1) * ido + i] = (float)cos(a);
                pl->tw_im[pl->tw_offset[s] + (j - 1) * ido + i] = (float)sin(a);
            }
        if (p > 4)
            for (int r = 0; r < p; r++) {
                double a = -2 * M_PI * r / p;
                pl->root_re[pl->root_offset[s] + r] = (float)cos(a);
                pl->root_im[pl->root_offset[s] + r] = (float)sin(a);
            }
        l1 *= p;
    }
    return pl;
}

void fv_fft_plan_destroy(fv_fft_plan *pl) {
    if (!pl) return;
    free(pl->tw_re); free(pl->tw_im); free(pl->root_re); free(pl->root_im);
    free(pl);
}

// The column transforms twice: for any x86-64 (SSE, 4 lanes) and for AVX2 (8 lanes, also on
// AVX-512 CPUs). The AVX2 build leaves FMA out on purpose: under -ffast-math the compiler would fuse
// products into sums there and round differently from the baseline; without it both builds give
// the same bits (FFTTests.testEveryKernelPathGivesTheBaselineBits).
#define FFT_NAME(x) x##_base
#include "fft_body.h"
#undef FFT_NAME
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#define FFT_NAME(x) x##_avx2
#include "fft_body.h"
#undef FFT_NAME
#pragma clang attribute pop

/// Unnormalized DFT (inverse: e^{+2πi}) along the first axis of (re, im) [n][c], in place, by the
/// widest build the CPU runs; (wr, wi) is scratch of the same size.
static void fft_columns(const fv_fft_plan *pl, float *re, float *im, float *wr, float *wi, int c, int inverse) {
    if (fv_kernel_path() >= FV_PATH_AVX2) fft_columns_avx2(pl, re, im, wr, wi, c, inverse);
    else fft_columns_base(pl, re, im, wr, wi, c, inverse);
}

/// What fv_rfft2 and fv_irfft2 share for an h × w transform: the sizes (b = w/2 + 1 half-spectrum
/// columns, h2 pairs of rows, nz half-spectrum values), the unitary scale 1/√(hw), and scratch for
/// one plane: the half spectrum [h][b], the paired rows' spectra [w][h2], and a ping-pong buffer as
/// large as either (each as real and imaginary parts).
typedef struct {
    int h, w, b, h2;
    size_t nz;
    float scale;
    float *zr, *zi, *gr, *gi, *wr, *wi, *base;
} scratch_t;

static int scratch_make(scratch_t *s, const fv_fft_plan *ph, const fv_fft_plan *pw) {
    const int h = ph->n, w = pw->n;
    s->h = h; s->w = w; s->b = w / 2 + 1; s->h2 = (h + 1) / 2;
    s->scale = (float)(1 / sqrt((double)h * w));
    size_t nz = (size_t)h * s->b, ng = (size_t)w * s->h2, nw = nz > ng ? nz : ng;
    s->nz = nz;
    s->base = malloc((2 * nz + 2 * ng + 2 * nw) * sizeof(float));
    if (!s->base) return -1;
    s->zr = s->base; s->zi = s->zr + nz;
    s->gr = s->zi + nz; s->gi = s->gr + ng;
    s->wr = s->gi + ng; s->wi = s->wr + nw;
    return 0;
}

int fv_irfft2(const fv_fft_plan *ph, const fv_fft_plan *pw, const float *re, const float *im,
              const float *bin_scale, float post, float *x, int planes) {
    scratch_t s;
    if (scratch_make(&s, ph, pw)) return -1;
    const int h = s.h, w = s.w, b = s.b, h2 = s.h2;
    for (int p = 0; p < planes; p++) {
        if (bin_scale) {
            const float *rp = re + p * s.nz, *ip = im + p * s.nz;
            for (size_t i = 0; i < s.nz; i++) { s.zr[i] = rp[i] * bin_scale[i]; s.zi[i] = ip[i] * bin_scale[i]; }
        } else {
            memcpy(s.zr, re + p * s.nz, s.nz * sizeof(float));
            memcpy(s.zi, im + p * s.nz, s.nz * sizeof(float));
        }
        fft_columns(ph, s.zr, s.zi, s.wr, s.wi, b, 1);
        // Row m's full Hermitian spectrum F_m (imaginary parts of self-conjugate bins dropped);
        // column j carries F_j + i·F_{j+h2}, whose inverse is x_j + i·x_{j+h2}.
        for (int l = 0; l < w; l++) {
            const int mirrored = l >= b, lc = mirrored ? w - l : l, real = l == 0 || 2 * l == w;
            const float sign = real ? 0.0f : (mirrored ? -1.0f : 1.0f);
            float *gr = s.gr + (size_t)l * h2, *gi = s.gi + (size_t)l * h2;
            for (int j = 0; j < h2; j++) {
                float r1 = s.zr[(size_t)j * b + lc], i1 = sign * s.zi[(size_t)j * b + lc], r2 = 0, i2 = 0;
                if (j + h2 < h) { r2 = s.zr[(size_t)(j + h2) * b + lc]; i2 = sign * s.zi[(size_t)(j + h2) * b + lc]; }
                gr[j] = r1 - i2;
                gi[j] = i1 + r2;
            }
        }
        fft_columns(pw, s.gr, s.gi, s.wr, s.wi, h2, 1);
        float *xp = x + (size_t)p * h * w;
        for (int n = 0; n < w; n++)
            for (int j = 0; j < h2; j++) {
                xp[(size_t)j * w + n] = s.scale * s.gr[(size_t)n * h2 + j] * post;
                if (j + h2 < h) xp[(size_t)(j + h2) * w + n] = s.scale * s.gi[(size_t)n * h2 + j] * post;
            }
    }
    free(s.base);
    return 0;
}

int fv_rfft2(const fv_fft_plan *ph, const fv_fft_plan *pw, const float *x, float pre, float *re, float *im,
             const float *bin_scale, int planes, int adjoint) {
    scratch_t s;
    if (scratch_make(&s, ph, pw)) return -1;
    const int h = s.h, w = s.w, b = s.b, h2 = s.h2;
    for (int p = 0; p < planes; p++) {
        // Rows j and j + h2 as one complex signal, transposed into column j.
        const float *xp = x + (size_t)p * h * w;
        for (int n = 0; n < w; n++)
            for (int j = 0; j < h2; j++) {
                s.gr[(size_t)n * h2 + j] = xp[(size_t)j * w + n] * pre;
                s.gi[(size_t)n * h2 + j] = j + h2 < h ? xp[(size_t)(j + h2) * w + n] * pre : 0;
            }
        fft_columns(pw, s.gr, s.gi, s.wr, s.wi, h2, 0);
        // Split the pair by Hermitian symmetry: X_j = (A + conj B)/2, X_{j+h2} = (A − conj B)/2i,
        // with A = G[l], B = G[w − l].
        for (int l = 0; l < b; l++) {
            const float *ar = s.gr + (size_t)l * h2, *ai = s.gi + (size_t)l * h2;
            const float *br = s.gr + (size_t)((w - l) % w) * h2, *bi = s.gi + (size_t)((w - l) % w) * h2;
            for (int j = 0; j < h2; j++) {
                s.zr[(size_t)j * b + l] = 0.5f * (ar[j] + br[j]);
                s.zi[(size_t)j * b + l] = 0.5f * (ai[j] - bi[j]);
                if (j + h2 < h) {
                    s.zr[(size_t)(j + h2) * b + l] = 0.5f * (ai[j] + bi[j]);
                    s.zi[(size_t)(j + h2) * b + l] = 0.5f * (br[j] - ar[j]);
                }
            }
        }
        fft_columns(ph, s.zr, s.zi, s.wr, s.wi, b, 0);
        float *rp = re + p * s.nz, *ip = im + p * s.nz;
        for (int k = 0; k < h; k++)
            for (int l = 0; l < b; l++) {
                float f = adjoint && l != 0 && 2 * l != w ? 2 * s.scale : s.scale;
                size_t i = (size_t)k * b + l;
                rp[i] = f * s.zr[i];
                ip[i] = f * s.zi[i];
                if (bin_scale) { rp[i] *= bin_scale[i]; ip[i] *= bin_scale[i]; }
            }
    }
    free(s.base);
    return 0;
}
