// fv_conv_product's AVX-512 kernel: panels of 8 rows × 48 columns of C in 24 registers, one
// broadcast of A and three vectors of B per k (B's panel stays in L1 across the row blocks). The
// bias, the activation and its mask are applied to a panel in registers for output rows of 8·odd
// columns (see fv_conv_product_avx512); elsewhere each block of 8 rows gets them while it is
// still in L1. Either way the same operations on the same sums.
// Every function here carries the AVX-512 target attribute (no global -mavx512 flag).
#define FV_VW 16
#include <immintrin.h>
#pragma clang attribute push(__attribute__((target("avx512f,avx512cd,avx512bw,avx512dq,avx512vl,avx2,fma"))), \
                             apply_to = function)
#include "dispatch.h"
#include "elementwise_body.h"

enum { ROWS = 8, VECTORS = 3 };

// The bias, activation and activation mask of C's rows, applied in registers (`epilogue_t`): the
// rows start at `bias` and `mask`. With output rows of a multiple of 8 columns a mask row has no
// padding bits, so tile column j is bit j % 8 of byte j / 8.
typedef struct {
    const float *bias;
    int act;
    unsigned char *mask;
    long ldm;
} epilogue_t;

// Activates R rows of V vectors of C (in registers) from tile column j: bias_activation's
// operations (elementwise_body.h), so the same bits. `last`: columns of C in the last vector (16,
// or 8 at a tail).
INLINE void activate_panel(vf acc[ROWS][VECTORS], int R, int V, int last, const epilogue_t *e, int j) {
    for (int r = 0; r < R; r++) {
        vf bv = splat(e->bias ? e->bias[r] : 0.0f);
        for (int v = 0; v < V; v++) {
            vf z = acc[r][v] + bv;
            if (e->mask) store_bits(e->mask + r * e->ldm + (j + v * VW) / 8, passes(z, e->act), v + 1 < V ? VW : last);
            acc[r][v] = activate(z, e->act);
        }
    }
}

// C[r][j] for r < R and V whole vectors of columns (R ≤ ROWS, V ≤ VECTORS); the fma is explicit,
// so -ffast-math cannot reorder the chain. `e`: the epilogue, applied before the store, or none.
INLINE void panel(int R, int V, int k, const float *a, long rs, long cs, const float *b, long ldb, float *c,
                  long ldc, const epilogue_t *e, int j) {
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
    if (e) activate_panel(acc, R, V, VW, e, j);
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++) STORE(c + r * ldc + v * VW, acc[r][v]);
}

// The last n < 16 columns of R rows, in masked loads and stores.
INLINE void panel_tail(int R, int n, int k, const float *a, long rs, long cs, const float *b, long ldb, float *c,
                       long ldc, const epilogue_t *e, int j) {
    vf acc[ROWS][VECTORS];
    for (int r = 0; r < R; r++) acc[r][0] = splat(0);
    for (int p = 0; p < k; p++) {
        vf x = load_partial(b + p * ldb, n);
        for (int r = 0; r < R; r++) acc[r][0] = __builtin_elementwise_fma(splat(a[r * rs + p * cs]), x, acc[r][0]);
    }
    if (e) activate_panel(acc, R, 1, n, e, j);
    for (int r = 0; r < R; r++) store_partial(c + r * ldc, acc[r][0], n);
}

// Rows i0 ..< i0 + R of C across all n columns, with the epilogue `e` (its rows from i0) or none.
INLINE void row_block(int R, int i0, int n, int k, const float *a, long rs, long cs, const float *b, long ldb,
                      float *c, long ldc, const epilogue_t *e) {
    a += i0 * rs;
    c += i0 * ldc;
    int j = 0;
    for (; j + VECTORS * VW <= n; j += VECTORS * VW) panel(R, VECTORS, k, a, rs, cs, b + j, ldb, c + j, ldc, e, j);
    for (; j + VW <= n; j += VW) panel(R, 1, k, a, rs, cs, b + j, ldb, c + j, ldc, e, j);
    if (j < n) panel_tail(R, n - j, k, a, rs, cs, b + j, ldb, c + j, ldc, e, j);
}

void fv_conv_product_avx512(int m, int n, int k, const float *a, long rs, long cs, const float *b, long ldb,
                            float *c, long ldc, const float *bias, int act, int rows, int wo, unsigned char *mask,
                            int ldm) {
    int epilogue = bias || act != FV_ACT_NONE;
    if (act == FV_ACT_NONE) mask = 0;
    // In registers when the tile is whole output rows of a multiple of 8 columns but not of 16:
    // there the separate pass has a partial vector a row, and the fused epilogue took the 56²
    // products 0.70-0.74 x the time; with whole vectors a row (112²) it was the slower,
    // 1.13-1.25 x, so those keep the pass.
    int in_registers = epilogue && n == rows * wo && (!mask || wo % 8 == 0) && wo % 16 != 0;
    for (int i = 0; i < m;) {
        int R = m - i >= ROWS ? ROWS : 1;
        epilogue_t e = {bias ? bias + i : 0, act, mask ? mask + (long)i * ldm : 0, ldm};
        // Calls with constant heights and epilogues, so that each inlined copy keeps its panel in registers.
        if (R == ROWS && in_registers) row_block(ROWS, i, n, k, a, rs, cs, b, ldb, c, ldc, &e);
        else if (R == ROWS) row_block(ROWS, i, n, k, a, rs, cs, b, ldb, c, ldc, 0);
        else if (in_registers) row_block(1, i, n, k, a, rs, cs, b, ldb, c, ldc, &e);
        else row_block(1, i, n, k, a, rs, cs, b, ldb, c, ldc, 0);
        if (epilogue && !in_registers) bias_activation(c + i * ldc, (int)ldc, e.bias, R, rows, wo, act, e.mask, ldm);
        i += R;
    }
}
#pragma clang attribute pop
