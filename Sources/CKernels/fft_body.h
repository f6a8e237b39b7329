// The complex column transforms of fft.c, written once and compiled twice there (baseline, AVX2)
// under the names FFT_NAME(x). Private to CKernels; fft.c defines the plan.
//
// Plain loops over rows of `c` complex values, which the compiler vectorizes to the width of the
// build; each lane's arithmetic is the same in both.

/// Multiplies the row (r, i)[0 ..< c] by the complex scalar (wr, wi).
static inline void FFT_NAME(twiddle)(float *restrict r, float *restrict i, float wr, float wi, int c) {
    for (int t = 0; t < c; t++) {
        float a = r[t], b = i[t];
        r[t] = a * wr - b * wi;
        i[t] = a * wi + b * wr;
    }
}

/// One stage: cc → ch (layouts in the file comment), rows of c complex values.
static void FFT_NAME(stage)(const fv_fft_plan *pl, int s, int l1, const float *restrict cr, const float *restrict ci,
                  float *restrict hr, float *restrict hi, int c, int inverse) {
    const int p = pl->factor[s], ido = pl->n / (l1 * p);
    const float *twr = pl->tw_re + pl->tw_offset[s], *twi = pl->tw_im + pl->tw_offset[s];
    const float sign = inverse ? -1.0f : 1.0f;  // conjugates the stored forward roots
#define CC(q) ((size_t)(i + ido * ((q) + p * k)) * c)
#define CH(j) ((size_t)(i + ido * (k + l1 * (j))) * c)
    for (int k = 0; k < l1; k++) {
        for (int i = 0; i < ido; i++) {
            if (p == 2) {
                const float *a0r = cr + CC(0), *a0i = ci + CC(0), *a1r = cr + CC(1), *a1i = ci + CC(1);
                float *b0r = hr + CH(0), *b0i = hi + CH(0), *b1r = hr + CH(1), *b1i = hi + CH(1);
                for (int t = 0; t < c; t++) {
                    b0r[t] = a0r[t] + a1r[t]; b0i[t] = a0i[t] + a1i[t];
                    b1r[t] = a0r[t] - a1r[t]; b1i[t] = a0i[t] - a1i[t];
                }
                if (i) FFT_NAME(twiddle)(b1r, b1i, twr[i], sign * twi[i], c);
            } else if (p == 4) {
                const float *a0r = cr + CC(0), *a0i = ci + CC(0), *a1r = cr + CC(1), *a1i = ci + CC(1);
                const float *a2r = cr + CC(2), *a2i = ci + CC(2), *a3r = cr + CC(3), *a3i = ci + CC(3);
                float *b0r = hr + CH(0), *b0i = hi + CH(0), *b1r = hr + CH(1), *b1i = hi + CH(1);
                float *b2r = hr + CH(2), *b2i = hi + CH(2), *b3r = hr + CH(3), *b3i = hi + CH(3);
                for (int t = 0; t < c; t++) {
                    float sr = a0r[t] + a2r[t], si = a0i[t] + a2i[t], dr = a0r[t] - a2r[t], di = a0i[t] - a2i[t];
                    float er = a1r[t] + a3r[t], ei = a1i[t] + a3i[t], fr = a1r[t] - a3r[t], fi = a1i[t] - a3i[t];
                    // ω₄·f with ω₄ = −i (forward) or +i (inverse).
                    float wr = sign * fi, wi = -sign * fr;
                    b0r[t] = sr + er; b0i[t] = si + ei;
                    b2r[t] = sr - er; b2i[t] = si - ei;
                    b1r[t] = dr + wr; b1i[t] = di + wi;
                    b3r[t] = dr - wr; b3i[t] = di - wi;
                }
                if (i) {
                    FFT_NAME(twiddle)(b1r, b1i, twr[i], sign * twi[i], c);
                    FFT_NAME(twiddle)(b2r, b2i, twr[ido + i], sign * twi[ido + i], c);
                    FFT_NAME(twiddle)(b3r, b3i, twr[2 * ido + i], sign * twi[2 * ido + i], c);
                }
            } else if (p == 3) {
                const float *a0r = cr + CC(0), *a0i = ci + CC(0), *a1r = cr + CC(1), *a1i = ci + CC(1);
                const float *a2r = cr + CC(2), *a2i = ci + CC(2);
                float *b0r = hr + CH(0), *b0i = hi + CH(0), *b1r = hr + CH(1), *b1i = hi + CH(1);
                float *b2r = hr + CH(2), *b2i = hi + CH(2);
                const float h = -sign * 0.86602540378443864676f;  // Im ω₃
                for (int t = 0; t < c; t++) {
                    float sr = a1r[t] + a2r[t], si = a1i[t] + a2i[t], dr = a1r[t] - a2r[t], di = a1i[t] - a2i[t];
                    float mr = a0r[t] - 0.5f * sr, mi = a0i[t] - 0.5f * si;
                    b0r[t] = a0r[t] + sr; b0i[t] = a0i[t] + si;
                    b1r[t] = mr - h * di; b1i[t] = mi + h * dr;
                    b2r[t] = mr + h * di; b2i[t] = mi - h * dr;
                }
                if (i) {
                    FFT_NAME(twiddle)(b1r, b1i, twr[i], sign * twi[i], c);
                    FFT_NAME(twiddle)(b2r, b2i, twr[ido + i], sign * twi[ido + i], c);
                }
            } else {
                // Any other radix directly: O(p²) per element.
                const float *rr = pl->root_re + pl->root_offset[s], *ri = pl->root_im + pl->root_offset[s];
                for (int j = 0; j < p; j++) {
                    float *br = hr + CH(j), *bi = hi + CH(j);
                    const float *a0r = cr + CC(0), *a0i = ci + CC(0);
                    for (int t = 0; t < c; t++) { br[t] = a0r[t]; bi[t] = a0i[t]; }
                    for (int q = 1; q < p; q++) {
                        int r = (int)(((long)q * j) % p);
                        float wr = rr[r], wi = sign * ri[r];
                        const float *ar = cr + CC(q), *ai = ci + CC(q);
                        for (int t = 0; t < c; t++) {
                            br[t] += ar[t] * wr - ai[t] * wi;
                            bi[t] += ar[t] * wi + ai[t] * wr;
                        }
                    }
                    if (i && j) FFT_NAME(twiddle)(br, bi, twr[(j - 1) * ido + i], sign * twi[(j - 1) * ido + i], c);
                }
            }
        }
    }
#undef CC
#undef CH
}

/// Unnormalized DFT (inverse: e^{+2πi}) along the first axis of (re, im) [n][c], in place;
/// (wr, wi) is scratch of the same size.
static void FFT_NAME(fft_columns)(const fv_fft_plan *pl, float *re, float *im, float *wr, float *wi, int c, int inverse) {
    float *ar = re, *ai = im, *br = wr, *bi = wi;
    for (int s = 0, l1 = 1; s < pl->nf; s++) {
        FFT_NAME(stage)(pl, s, l1, ar, ai, br, bi, c, inverse);
        float *t = ar; ar = br; br = t;
        t = ai; ai = bi; bi = t;
        l1 *= pl->factor[s];
    }
    if (ar != re) {
        memcpy(re, ar, (size_t)pl->n * c * sizeof(float));
        memcpy(im, ai, (size_t)pl->n * c * sizeof(float));
    }
}
