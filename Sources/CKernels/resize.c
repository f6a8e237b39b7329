// The adjoint of bilinear resizing (`resizeBilinear`, PyTorch's semantics; the taps come from the
// caller), by rows of the source so that the three planes of an image can share two threads.
// It gives the bits of the scalar Swift scatter it replaced: the same products, added in the
// same order. This file builds for the x86-64 baseline, which has no fused multiply-add; the empty
// asm statements keep the target's -ffast-math from fusing a product into the sum after it should
// it ever build with FMA (the backend contracts whatever the pragmas say: see adam.c).
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
