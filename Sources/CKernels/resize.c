// Bilinear resizing (`resizeBilinear`, PyTorch's semantics; the taps come from the caller) by rows
// of the output, and its adjoint by rows of the source so that the three planes of an image can
// share two threads. Both give the bits of the scalar Swift loops they replaced: the same products,
// added in the same order. This file builds for the x86-64 baseline, which has no fused
// multiply-add; the empty asm statements keep the target's -ffast-math from fusing a product into
// the sum after it should it ever build with FMA (the backend contracts whatever the pragmas say:
// see adam.c).
#pragma float_control(precise, on)
#include "CKernels.h"

#define ROUNDED(x) __asm__("" : "+x"(x))

// Source row d's two taps of one output pixel: v · wy · (1 − tx) to column c0, v · wy · tx to c1.
static inline void add_taps(float *d, int c0, int c1, float v, float wy, float ux, float tx) {
    float a = v * wy * ux, b = v * wy * tx;
    ROUNDED(a);
    ROUNDED(b);
    d[c0] += a;
    d[c1] += b;
}

void fv_resize_rows_adjoint(const float *g, int height, int width, float *dx, int h, int w,
                            const int *row_lo, const int *row_hi, const float *row_t,
                            const int *col_lo, const int *col_hi, const float *col_t, int row0, int row1) {
    for (int row = row0; row < row1;) {
        // This plane's source rows ra ..< rb: every output row that reads one of them sends back
        // to it, in the order of a scatter over the whole output (rows, columns, then the taps
        // r0c0, r0c1, r1c0, r1c1); an output row whose two source rows fall on different sides of
        // a range boundary is read on both.
        int p = row / h, ra = row % h, rb = row1 - row < h - ra ? ra + (row1 - row) : h;
        float *d = dx + (size_t)p * h * w;
        const float *gp = g + (size_t)p * height * width;
        for (int y = 0; y < height; y++) {
            int lo = row_lo[y], hi = row_hi[y];
            int in_lo = lo >= ra && lo < rb, in_hi = hi >= ra && hi < rb;
            if (!in_lo && !in_hi) continue;
            float ty = row_t[y], uy = 1 - ty;
            const float *gy = gp + (size_t)y * width;
            float *d0 = d + (size_t)lo * w, *d1 = d + (size_t)hi * w;
            for (int x = 0; x < width; x++) {
                float v = gy[x], tx = col_t[x], ux = 1 - tx;
                int c0 = col_lo[x], c1 = col_hi[x];
                if (in_lo) add_taps(d0, c0, c1, v, uy, ux, tx);
                if (in_hi) add_taps(d1, c0, c1, v, ty, ux, tx);
            }
        }
        row += rb - ra;
    }
}

// A source row r interpolated along its columns: h[x] = r[c0] + (r[c1] − r[c0]) · tx.
static void columns(const float *r, int width, const int *col_lo, const int *col_hi, const float *col_t, float *h) {
    for (int x = 0; x < width; x++) {
        float a = r[col_lo[x]], step = (r[col_hi[x]] - a) * col_t[x];
        ROUNDED(step);
        h[x] = a + step;
    }
}

typedef float v4 __attribute__((vector_size(16)));
typedef float v4u __attribute__((vector_size(16), aligned(4)));

void fv_resize_rows(const float *x, int h, int w, float *y, int height, int width,
                    const int *row_lo, const int *row_hi, const float *row_t,
                    const int *col_lo, const int *col_hi, const float *col_t, int row0, int row1, float *scratch) {
    // Two interpolated source rows, kept while consecutive output rows read them (upsampling reads
    // each source row for one to two output rows, as lo and then as hi).
    float *buf[2] = {scratch, scratch + width};
    long held[2] = {-1, -1};  // plane · h + source row in each buffer
    for (int row = row0; row < row1; row++) {
        int p = row / height, yo = row % height;
        int src[2] = {row_lo[yo], row_hi[yo]};
        long want[2] = {(long)p * h + src[0], (long)p * h + src[1]};
        const float *tap[2];
        for (int k = 0; k < 2; k++) {
            int b = held[0] == want[k] ? 0 : held[1] == want[k] ? 1 : -1;
            if (b < 0) {  // into the buffer that holds neither this row's other tap nor the one just taken
                b = held[0] == want[1 - k] || (k == 1 && tap[0] == buf[0]) ? 1 : 0;
                columns(x + ((size_t)p * h + src[k]) * w, width, col_lo, col_hi, col_t, buf[b]);
                held[b] = want[k];
            }
            tap[k] = buf[b];
        }
        const float *top = tap[0], *bottom = tap[1];
        float ty = row_t[yo], *out = y + (size_t)row * width;
        int xo = 0;
        for (; xo + 4 <= width; xo += 4) {
            v4 t = *(const v4u *)(top + xo), step = (*(const v4u *)(bottom + xo) - t) * ty;
            ROUNDED(step);
            *(v4u *)(out + xo) = t + step;
        }
        for (; xo < width; xo++) {
            float step = (bottom[xo] - top[xo]) * ty;
            ROUNDED(step);
            out[xo] = top[xo] + step;
        }
    }
}
