// fv_conv_product's AVX-512 kernel: panels of 8 rows × 48 columns of C in 24 registers, one
// broadcast of A and three vectors of B per k (B's panel stays in L1 across the row blocks); each
// block of 8 rows gets its bias and activation while it is still in L1.
// Every function here carries the AVX-512 target attribute (no global -mavx512 flag).
#define FV_VW 16
#include <immintrin.h>
#pragma clang attribute push(__attribute__((target("avx512f,avx512cd,avx512bw,avx512dq,avx512vl,avx2,fma"))), \
                             apply_to = function)
#include "dispatch.h"
#include "elementwise_body.h"

enum { ROWS = 8, VECTORS = 3 };

// C[r][j] for r < R and V whole vectors of columns (R ≤ ROWS, V ≤ VECTORS); the fma is explicit,
// so -ffast-math cannot reorder the chain.
INLINE void panel(int R, int V, int k, const float *a, long rs, long cs, const float *b, long ldb, float *c,
                  long ldc) {
    vf acc[ROWS][VECTORS];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++) acc[r][v] = splat(0);
    for (int p = 0; p < k; p++) {
        vf x[VECTORS];
        for (int v = 0; v < V; v++) x[v] = LOAD(b + p * ldb + v * VW);
        for (int r = 0; r < R; r++) {
            vf w = splat(a[r * rs + p * cs]);
            for (int v = 0; v < V; v++) acc[r][v] = __builtin_elementwise_fma(w, x[v], acc[r][v]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++) STORE(c + r * ldc + v * VW, acc[r][v]);
}

// The last n < 16 columns of R rows, in masked loads and stores.
INLINE void panel_tail(int R, int n, int k, const float *a, long rs, long cs, const float *b, long ldb, float *c,
                       long ldc) {
    vf acc[ROWS];
    for (int r = 0; r < R; r++) acc[r] = splat(0);
    for (int p = 0; p < k; p++) {
        vf x = load_partial(b + p * ldb, n);
        for (int r = 0; r < R; r++) acc[r] = __builtin_elementwise_fma(splat(a[r * rs + p * cs]), x, acc[r]);
    }
    for (int r = 0; r < R; r++) store_partial(c + r * ldc, acc[r], n);
}

// Rows i0 ..< i0 + R of C across all n columns.
INLINE void row_block(int R, int i0, int n, int k, const float *a, long rs, long cs, const float *b, long ldb,
                      float *c, long ldc) {
    a += i0 * rs;
    c += i0 * ldc;
    int j = 0;
    for (; j + VECTORS * VW <= n; j += VECTORS * VW) panel(R, VECTORS, k, a, rs, cs, b + j, ldb, c + j, ldc);
    for (; j + VW <= n; j += VW) panel(R, 1, k, a, rs, cs, b + j, ldb, c + j, ldc);
    if (j < n) panel_tail(R, n - j, k, a, rs, cs, b + j, ldb, c + j, ldc);
}

void fv_conv_product_avx512(int m, int n, int k, const float *a, long rs, long cs, const float *b, long ldb,
                            float *c, long ldc, const float *bias, int act, int rows, int wo, unsigned char *mask,
                            int ldm) {
    int epilogue = bias || act != FV_ACT_NONE;
    if (act == FV_ACT_NONE) mask = 0;
    for (int i = 0; i < m;) {
        int R = m - i >= ROWS ? ROWS : 1;
        // Two calls with constant heights, so that each inlined copy keeps its panel in registers.
        if (R == ROWS) row_block(ROWS, i, n, k, a, rs, cs, b, ldb, c, ldc);
        else row_block(1, i, n, k, a, rs, cs, b, ldb, c, ldc);
        if (epilogue)
            bias_activation(c + i * ldc, (int)ldc, bias ? bias + i : 0, R, rows, wo, act, mask ? mask + (long)i * ldm : 0,
                            ldm);
        i += R;
    }
}
#pragma clang attribute pop
