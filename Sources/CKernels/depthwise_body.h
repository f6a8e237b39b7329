// The depthwise kernels, written once for VW-lane vectors (simd.h): depthwise.c compiles them 8
// wide (AVX2 + FMA and baseline), depthwise_avx512.c 16 wide for AVX-512. Private to CKernels.
//
// Strided windows become contiguous loads by splitting each zero-padded input plane into `stride`
// column phases: phase p holds padded columns p, p + s, p + 2s, … so tap (ky, kx) of output column
// ox reads phase kx % s at column ox + kx / s (on AVX-512 the stride-2 forward pass takes those
// phases from the input rows in registers instead, `forward_rows_s2`). The input gradient is the
// exact adjoint of that formulation, rewritten as a gather over the output gradient so that each
// output vector is accumulated in registers (no read-modify-write of the gradient per tap).
//
// Kernels are specialized for 3×3 and 5×5 at strides 1 and 2 (loops fully unrolled); other shapes
// use the same code with run-time sizes.
#pragma once
#include <stdlib.h>
#include <string.h>
#include "simd.h"

#if VW == 16
#define EVEN_LANES(a, b) __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
#define INTERLEAVE_LOW(e, o) __builtin_shufflevector(e, o, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23)
#define INTERLEAVE_HIGH(e, o) __builtin_shufflevector(e, o, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31)
#else
#define EVEN_LANES(a, b) __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14)
#define INTERLEAVE_LOW(e, o) __builtin_shufflevector(e, o, 0, 8, 1, 9, 2, 10, 3, 11)
#define INTERLEAVE_HIGH(e, o) __builtin_shufflevector(e, o, 4, 12, 5, 13, 6, 14, 7, 15)
#endif

/// Lanes k … k+VW−1 of the 2·VW lanes of a then b (k < VW; a constant once inlined and unrolled).
INLINE vf shifted(vf a, vf b, int k) {
#if VW == 16
    switch (k) {
    case 0: return a;
    case 1: return __builtin_shufflevector(a, b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
    case 2: return __builtin_shufflevector(a, b, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17);
    case 3: return __builtin_shufflevector(a, b, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18);
    default: return __builtin_shufflevector(a, b, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
    }
#else
    switch (k) {
    case 0: return a;
    case 1: return __builtin_shufflevector(a, b, 1, 2, 3, 4, 5, 6, 7, 8);
    case 2: return __builtin_shufflevector(a, b, 2, 3, 4, 5, 6, 7, 8, 9);
    case 3: return __builtin_shufflevector(a, b, 3, 4, 5, 6, 7, 8, 9, 10);
    default: return __builtin_shufflevector(a, b, 4, 5, 6, 7, 8, 9, 10, 11);
    }
#endif
}

/// Shapes `forward_rows` takes: stride 1, kernels up to 5 wide (`shifted`) and 5 high.
#define ROWS_KERNEL(S, KH, KW) ((S) == 1 && (KH) <= 5 && (KW) <= 5)

static inline int ceil_div(int a, int b) { return a <= 0 ? -((-a) / b) : (a + b - 1) / b; }

typedef struct {
    int H, W, kh, kw, s, pt, pl, ho, wo;
    int hp, wq;         // forward: padded rows, phase width
    int top, ml, dw, dr, jv;  // backward: zero rows above, left margin, width, rows, vector width
} geo_t;

static geo_t make_geo(int H, int W, int kh, int kw, int s, int pt, int pl, int ho, int wo) {
    geo_t g = {H, W, kh, kw, s, pt, pl, ho, wo, 0, 0, 0, 0, 0, 0, 0};
    g.hp = (ho - 1) * s + kh;
    g.wq = round_vw(wo) + (kw - 1) / s;
    g.top = (kh - 1) / s + 1;
    g.ml = (kw - 1) / s;
    g.jv = round_vw(ceil_div(pl + W, s));
    g.dw = g.ml + g.jv;
    if (s == 1 && g.dw < g.ml + pl + round_vw(W)) g.dw = g.ml + pl + round_vw(W);  // backward_rows' strips start at pl
    if (s == 1) g.wq = round_vw(g.wq);  // whole vectors per row: forward_rows loads rows as aligned vectors
    int last = (pt + H - 1) / s + 1;
    g.dr = g.top + (last > ho ? last : ho);
    return g;
}




// MARK: - Forward

/// Fills the phase planes ph[S][hp][wq] of one zero-padded input plane; `tmp` holds S·wq + 16 floats.
/// The zeros sit at the same places for every plane of a call: only the `first` writes them (at
/// stride 1 and 2; other strides write everything).
INLINE void prepare_phases(const float *x, const geo_t *g, int S, float *ph, float *tmp, int first) {
    int padded = S * g->wq;  // padded columns c = j*S + px; input column c - pl
    int lo = g->pl < padded ? g->pl : padded;
    int hi = g->W + g->pl < padded ? g->W + g->pl : padded;
    for (int r = 0; r < g->hp; r++) {
        int iy = r - g->pt;
        if (iy < 0 || iy >= g->H) {
            if (!first && S <= 2) continue;
            for (int px = 0; px < S; px++) {
                float *row = ph + ((size_t)px * g->hp + r) * g->wq;
                for (int j = 0; j < g->wq; j++) row[j] = 0;
            }
            continue;
        }
        const float *xr = x + (size_t)iy * g->W;
        if (S == 1) {
            // Plain loops: rows are short, so library-call overhead would dominate.
            float *row = ph + (size_t)r * g->wq;
            const float *src = xr - g->pl;
            for (int j = lo; j < hi; j++) row[j] = src[j];
            if (first) {
                for (int j = 0; j < lo; j++) row[j] = 0;
                for (int j = hi; j < g->wq; j++) row[j] = 0;
            }
            continue;
        }
        if (S == 2) {
            // Phase px holds x[2j + q], q = px − pl: deinterleave straight from the input row,
            // with scalar edges where the window leaves it.
            for (int px = 0; px < 2; px++) {
                float *row = ph + ((size_t)px * g->hp + r) * g->wq;
                int q = px - g->pl, j = 0;
                for (; j < g->wq && 2 * j + q < 0; j++) if (first) row[j] = 0;
                for (; j + VW <= g->wq && 2 * j + q + 2 * VW - 1 < g->W; j += VW) {
                    vf a = LOAD(xr + 2 * j + q), b = LOAD(xr + 2 * j + q + VW);
                    STORE(row + j, EVEN_LANES(a, b));
                }
#if VW == 16
                // The last columns from masked loads: one by one, a 28-wide row (no whole pair of
                // vectors) was all scalar.
                int end = (g->W - q + 1) / 2 < g->wq ? (g->W - q + 1) / 2 : g->wq;  // 2j + q < W
                while (j < end) {
                    int n = end - j < VW ? end - j : VW, span = 2 * n - 1;  // x[2j+q] … x[2(j+n−1)+q]
                    vf a = load_partial(xr + 2 * j + q, span < VW ? span : VW);
                    vf b = load_partial(xr + 2 * j + q + VW, span > VW ? span - VW : 0);
                    store_partial(row + j, EVEN_LANES(a, b), n);
                    j += n;
                }
#else
                // The last columns one by one: vectorized, this loop becomes gathers, far slower.
#pragma clang loop vectorize(disable)
                for (; j < g->wq && 2 * j + q < g->W; j++) row[j] = xr[2 * j + q];
#endif
                if (first) for (; j < g->wq; j++) row[j] = 0;
            }
            continue;
        }
        const float *src = xr - g->pl;
        for (int j = 0; j < lo; j++) tmp[j] = 0;
        for (int j = lo; j < hi; j++) tmp[j] = src[j];
        for (int j = hi; j < padded + 16; j++) tmp[j] = 0;
        {
            for (int px = 0; px < S; px++) {
                float *row = ph + ((size_t)px * g->hp + r) * g->wq;
                for (int j = 0; j < g->wq; j++) row[j] = tmp[j * S + px];
            }
        }
    }
}

/// R output rows × NS strips of VW columns, accumulated in registers. `spill`: a strip that runs
/// past the row end may store whole vectors into the next row, which is stored later (8 lanes:
/// cheaper than a partial store).
INLINE void forward_block(const float *ph, const float *w, float b, float *y, unsigned char *mask,
                          const geo_t *g, int KH, int KW, int S, int oy, int R, int j0, int NS, int act, int spill) {
    vf acc[8][4];
    for (int r = 0; r < R; r++) for (int t = 0; t < NS; t++) acc[r][t] = splat(b);
    for (int ky = 0; ky < KH; ky++) {
        for (int kx = 0; kx < KW; kx++) {
            vf wv = splat(w[ky * KW + kx]);
            const float *base = ph + ((size_t)(kx % S) * g->hp + oy * S + ky) * g->wq + kx / S + j0;
            for (int r = 0; r < R; r++)
                for (int t = 0; t < NS; t++) acc[r][t] += wv * LOAD(base + (size_t)r * S * g->wq + VW * t);
        }
    }
    int mrow = (g->wo + 7) / 8;
    for (int r = 0; r < R; r++)
        for (int t = 0; t < NS; t++) {
            int n = g->wo - j0 - VW * t;
            if (mask) store_bits(mask + (size_t)(oy + r) * mrow + (j0 + VW * t) / 8, passes(acc[r][t], act), n);
            // Never past the plane (narrow planes: not even from rows before the last).
            size_t at = (size_t)(oy + r) * g->wo + j0 + VW * t;
            if (spill && at + VW <= (size_t)g->ho * g->wo) STORE(y + at, activate(acc[r][t], act));
            else store_partial(y + at, activate(acc[r][t], act), n);
        }
}

/// The activation of R output rows of the strip at column j0, and their activation masks.
INLINE void store_output_rows(const vf *acc, float *y, unsigned char *mask, const geo_t *g, int oy, int R, int j0,
                              int act, int spill) {
    int mrow = (g->wo + 7) / 8, n = g->wo - j0;
    for (int a = 0; a < R; a++) {
        if (mask) store_bits(mask + (size_t)(oy + a) * mrow + j0 / 8, passes(acc[a], act), n);
        size_t at = (size_t)(oy + a) * g->wo + j0;
        if (spill && at + VW <= (size_t)g->ho * g->wo) STORE(y + at, activate(acc[a], act));
        else store_partial(y + at, activate(acc[a], act), n);
    }
}

#if VW == 16
/// The lanes of the VW columns from c that fall inside a row `width` wide.
INLINE __mmask16 columns_inside(int c, int width) {
    int lo = c < 0 ? (-c < VW ? -c : VW) : 0, hi = width - c < 0 ? 0 : (width - c > VW ? VW : width - c);
    return (__mmask16)(((1u << hi) - 1) & ~((1u << lo) - 1));
}
#endif

/// Planes whose output rows are one strip read their padded rows straight from the input on 16
/// lanes, two masked loads a row (`forward_rows` with `x`): the padded copy was half the time of
/// the 14² planes' forward pass.
#define NARROW_ROWS(S, KH, KW, strips) (VW == 16 && ROWS_KERNEL(S, KH, KW) && (strips) == 1)

/// Stride 1: R output rows of the strip at column j0. Each input row is loaded once, as two aligned
/// vectors shifted in registers for the KW taps, and added into every output row it reaches; an
/// output row still gets its taps in forward_block's order (ky, then kx), so the sums are the same
/// bit for bit, from a third of the loads and none across cache lines. With `x` (NARROW_ROWS), the
/// rows come from the input instead of the padded copy `ph`.
INLINE void forward_rows(const float *ph, const float *w, float b, float *y, unsigned char *mask,
                         const geo_t *g, int KH, int KW, int oy, int R, int j0, int act, int spill, const float *x) {
    vf acc[8];
    for (int a = 0; a < R; a++) acc[a] = splat(b);
#if VW == 16
    __mmask16 inside0 = x ? columns_inside(-g->pl, g->W) : 0, inside1 = x ? columns_inside(VW - g->pl, g->W) : 0;
#endif
    for (int i = 0; i < R + KH - 1; i++) {  // input row oy + i reaches output rows oy + i − ky
        vf v0, v1;  // v1 may run into the next row: only its first KW−1 lanes count
#if VW == 16
        if (x) {  // padded row oy + i, zeros outside the input: the values of the copy
            int iy = oy + i - g->pt;
            const float *row = x + (ptrdiff_t)iy * g->W - g->pl;
            int in = iy >= 0 && iy < g->H;
            v0 = (vf)_mm512_maskz_loadu_ps(in ? inside0 : 0, row);
            v1 = (vf)_mm512_maskz_loadu_ps(in ? inside1 : 0, row + VW);
        } else
#endif
        {
            const float *row = ph + (size_t)(oy + i) * g->wq + j0;
            v0 = LOAD(row);
            v1 = LOAD(row + VW);
        }
        for (int a = 0; a < R; a++) {
            int ky = i - a;
            if (ky < 0 || ky >= KH) continue;
            for (int kx = 0; kx < KW; kx++) acc[a] += splat(w[ky * KW + kx]) * shifted(v0, v1, kx);
        }
    }
    store_output_rows(acc, y, mask, g, oy, R, j0, act, spill);
}

#if VW == 16
#define ODD_LANES(a, b) __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31)

/// Stride 2 on 16 lanes: R output rows of the strip at column j0, straight from the input (no column
/// phases). Tap kx of output column ox reads input column 2·ox + kx − pl: for a pair of taps kx, kx + 1
/// that is the even and the odd lanes of the 32 columns from 2·j0 + kx − pl, one pair of loads and two
/// permutes. Padding rows read `zeros`; an `edge` strip, whose columns leave the row, loads with masks
/// (elsewhere plain loads: masked ones took 1.65 × the time). An output row gets its taps in
/// forward_block's order (ky, then kx) with the same zeros for the padding, so the sums are the same
/// bit for bit. The loops are unrolled whole (R, KH and KW are constants).
INLINE void forward_rows_s2(const float *x, const float *w, float b, float *y, unsigned char *mask,
                            const geo_t *g, int KH, int KW, int oy, int R, int j0, int act, int edge,
                            const float *zeros) {
    __mmask16 inside[3][2];
    if (edge)
        for (int kx = 0; kx < KW; kx += 2)
            for (int h = 0; h < 2; h++) inside[kx / 2][h] = columns_inside(2 * j0 + kx - g->pl + VW * h, g->W);
    vf acc[8];
#pragma clang loop unroll(full)
    for (int a = 0; a < R; a++) {
        acc[a] = splat(b);
#pragma clang loop unroll(full)
        for (int ky = 0; ky < KH; ky++) {
            int iy = 2 * (oy + a) + ky - g->pt;
            const float *row = (iy >= 0 && iy < g->H ? x + (size_t)iy * g->W : zeros) + 2 * j0 - g->pl;
#pragma clang loop unroll(full)
            for (int kx = 0; kx < KW; kx += 2) {
                vf lo = edge ? (vf)_mm512_maskz_loadu_ps(inside[kx / 2][0], row + kx) : LOAD(row + kx);
                vf hi = edge ? (vf)_mm512_maskz_loadu_ps(inside[kx / 2][1], row + kx + VW) : LOAD(row + kx + VW);
                acc[a] += splat(w[ky * KW + kx]) * EVEN_LANES(lo, hi);
                if (kx + 1 < KW) acc[a] += splat(w[ky * KW + kx + 1]) * ODD_LANES(lo, hi);
            }
        }
    }
    store_output_rows(acc, y, mask, g, oy, R, j0, act, 0);
}
#define ROWS_S2_KERNEL(S, KH, KW) ((S) == 2 && (KH) <= 5 && (KW) <= 5)
#endif

/// Rows per block: as many as keep R × (strips per group) ≤ 8 accumulators, a power of two.
static inline int block_rows(int remaining, int units) {
    int r = units >= 3 ? 2 : (units == 2 ? 4 : 8);
    while (r > remaining) r >>= 1;
    return r;
}

/// CALL(R, NS, …) with a block's rows R and strips NS as constants, for every pair block_rows and a
/// group of up to 4 strips give: constant sizes let the compiler keep each inlined copy's
/// accumulators in registers.
#define WITH_CONSTANT_BLOCK(R, NS, CALL, ...)                                                     \
    switch ((R) * 8 + (NS)) {                                                                     \
    case 8 * 8 + 1: CALL(8, 1 __VA_OPT__(,) __VA_ARGS__); break;                                  \
    case 4 * 8 + 2: CALL(4, 2 __VA_OPT__(,) __VA_ARGS__); break;                                  \
    case 4 * 8 + 1: CALL(4, 1 __VA_OPT__(,) __VA_ARGS__); break;                                  \
    case 2 * 8 + 4: CALL(2, 4 __VA_OPT__(,) __VA_ARGS__); break;                                  \
    case 2 * 8 + 3: CALL(2, 3 __VA_OPT__(,) __VA_ARGS__); break;                                  \
    case 2 * 8 + 2: CALL(2, 2 __VA_OPT__(,) __VA_ARGS__); break;                                  \
    case 2 * 8 + 1: CALL(2, 1 __VA_OPT__(,) __VA_ARGS__); break;                                  \
    case 1 * 8 + 4: CALL(1, 4 __VA_OPT__(,) __VA_ARGS__); break;                                  \
    case 1 * 8 + 3: CALL(1, 3 __VA_OPT__(,) __VA_ARGS__); break;                                  \
    case 1 * 8 + 2: CALL(1, 2 __VA_OPT__(,) __VA_ARGS__); break;                                  \
    default: CALL(1, 1 __VA_OPT__(,) __VA_ARGS__);                                                \
    }

INLINE void forward_plane(const float *x, const float *w, float b, float *y, unsigned char *mask,
                          const geo_t *g, int KH, int KW, int S, int act, float *ph, float *tmp, int first) {
    int strips = round_vw(g->wo) / VW;
#if VW == 16
    if (ROWS_S2_KERNEL(S, KH, KW)) {
        // `tmp` as a row of zeros for the padding rows, from column −pl (≤ 2) to past the last load.
        if (first) for (int j = 0; j < 2 * VW * strips + 2 * VW + 8; j++) tmp[j] = 0;
        const float *zeros = tmp + 8;
        for (int oy = 0; oy < g->ho;) {
            int R = block_rows(g->ho - oy, 1);
            for (int j0 = 0; j0 < VW * strips; j0 += VW) {
                int edge = 2 * j0 - g->pl < 0 || 2 * j0 + KW - 1 - g->pl + 2 * VW > g->W;
#define FWD(r, ns, e) forward_rows_s2(x, w, b, y, mask, g, KH, KW, oy, r, j0, act, e, zeros)
                if (edge) { WITH_CONSTANT_BLOCK(R, 1, FWD, 1) }
                else { WITH_CONSTANT_BLOCK(R, 1, FWD, 0) }
#undef FWD
            }
            oy += R;
        }
        return;
    }
#endif
    const float *narrow = NARROW_ROWS(S, KH, KW, strips) ? x : 0;
    if (!narrow) prepare_phases(x, g, S, ph, tmp, first);
    if (ROWS_KERNEL(S, KH, KW)) {
        // Column by column, so only a row of a single strip may spill into the next row.
        int spill = VW == 8 && strips == 1;
        for (int oy = 0; oy < g->ho;) {
            int R = block_rows(g->ho - oy, 1);
            for (int j0 = 0; j0 < VW * strips; j0 += VW) {
                // Separate calls with and without `x`, so that neither inlined copy tests for it.
#define FWD(r, ns, src) forward_rows(ph, w, b, y, mask, g, KH, KW, oy, r, j0, act, spill, src)
                if (narrow) { WITH_CONSTANT_BLOCK(R, 1, FWD, narrow) }
                else { WITH_CONSTANT_BLOCK(R, 1, FWD, 0) }
#undef FWD
            }
            oy += R;
        }
        return;
    }
    int group = strips < 4 ? strips : 4;
    // Spilling is safe when each row is one group (the next row is stored after it).
    int spill = VW == 8 && strips == group;
    for (int oy = 0; oy < g->ho;) {
        int R = block_rows(g->ho - oy, group);
        for (int t0 = 0; t0 < strips; t0 += group) {
            int NS = strips - t0 >= group ? group : strips - t0, j0 = VW * t0;
#define FWD(r, n) forward_block(ph, w, b, y, mask, g, KH, KW, S, oy, r, j0, n, act, spill)
            WITH_CONSTANT_BLOCK(R, NS, FWD)
#undef FWD
        }
        oy += R;
    }
}

// MARK: - Input gradient

/// Copies one output-gradient plane (masked by the activation) into d[dr][dw] with `top` zero rows above and `ml` zero columns
/// on the left, zeros elsewhere. The zeros are the same for every plane of a call: only the `first` writes them.
INLINE void prepare_gradient(const float *dy, const unsigned char *mask, const geo_t *g, float *d, int first) {
    int cols = g->wo < g->jv ? g->wo : g->jv;
    if (first) for (size_t i = 0; i < (size_t)g->dr * g->dw; i++) d[i] = 0;
    for (int q = 0; q < g->ho && q < g->dr - g->top; q++) {
        float *row = d + (size_t)(q + g->top) * g->dw + g->ml;
        const float *src = dy + (size_t)q * g->wo;
        if (!mask) for (int j = 0; j < cols; j++) row[j] = src[j];
        else apply_bits_row(row, src, mask + (size_t)q * ((g->wo + 7) / 8), cols);
    }
}

/// Gradient of padded-plane rows r, r+S, …, r+(R−1)·S (all ≡ par mod S) for phases p0 ..< p0+NP and
/// strips j0 ..< j0 + 8·NS, into grow[R][S][jv]. Taps with ky ≡ r (mod S) reach row r.
INLINE void backward_block(const float *d, const float *w, float *grow, const geo_t *g,
                           int KH, int KW, int S, int r, int par, int R, int p0, int NP, int j0, int NS) {
    vf acc[8][2][4];
    for (int a = 0; a < R; a++) for (int p = 0; p < NP; p++) for (int t = 0; t < NS; t++) acc[a][p][t] = splat(0);
    for (int ky = par; ky < KH; ky += S) {
        for (int kx = 0; kx < KW; kx++) {
            int p = kx % S - p0;
            if (p < 0 || p >= NP) continue;
            vf wv = splat(w[ky * KW + kx]);
            const float *row = d + (size_t)((r - ky) / S + g->top) * g->dw + g->ml - kx / S + j0;
            for (int a = 0; a < R; a++)
                for (int t = 0; t < NS; t++) acc[a][p][t] += wv * LOAD(row + (size_t)a * g->dw + VW * t);
        }
    }
    for (int a = 0; a < R; a++)
        for (int p = 0; p < NP; p++)
            for (int t = 0; t < NS; t++)
                STORE(grow + ((size_t)a * S + p0 + p) * g->jv + j0 + VW * t, acc[a][p][t]);
}

/// Stride 1: the input gradient of rows iy ..< iy + R and columns j0 ..< j0 + VW·NS, straight into
/// dx (masked by the producer's activation). The strips start at padded column pl, which is input
/// column 0, so no row goes through `grow`: copied out from there, every vector was a load across
/// two just-stored ones, which the store buffer cannot forward (storing in place takes 0.87–0.96 × the
/// time per plane on Zen 5). The taps and their order are backward_block's, so are the bits on AVX-512.
INLINE void backward_rows(const float *d, const float *w, float *dx, const unsigned char *in_mask, const geo_t *g,
                          int KH, int KW, int iy, int R, int j0, int NS) {
    vf acc[8][4];
    for (int a = 0; a < R; a++) for (int t = 0; t < NS; t++) acc[a][t] = splat(0);
    int r = iy + g->pt;
    for (int ky = 0; ky < KH; ky++) {
        for (int kx = 0; kx < KW; kx++) {
            vf wv = splat(w[ky * KW + kx]);
            const float *row = d + (size_t)(r - ky + g->top) * g->dw + g->ml - kx + g->pl + j0;
            for (int a = 0; a < R; a++)
                for (int t = 0; t < NS; t++) acc[a][t] += wv * LOAD(row + (size_t)a * g->dw + VW * t);
        }
    }
    int imrow = (g->W + 7) / 8;
    for (int a = 0; a < R; a++) {
        float *out = dx + (size_t)(iy + a) * g->W;
        const unsigned char *bits = in_mask ? in_mask + (size_t)(iy + a) * imrow : 0;
        for (int t = 0; t < NS; t++) {
            int ix = j0 + VW * t, n = g->W - ix < VW ? g->W - ix : VW;
            vf v = acc[a][t];
            if (bits) v = (vf)((vi)v & from_bits(bits + ix / 8, n));
            store_partial(out + ix, v, n);
        }
    }
}

/// backward_rows over a plane, in blocks of rows and groups of strips as backward_plane takes them.
INLINE void backward_plane_s1(const float *w, float *dx, const geo_t *g, int KH, int KW, const float *d,
                              const unsigned char *in_mask) {
    int strips = round_vw(g->W) / VW;
    int group = strips < 4 ? strips : 4;
    for (int iy = 0; iy < g->H;) {
        int R = block_rows(g->H - iy, group);
        for (int t0 = 0; t0 < strips; t0 += group) {
            int NS = strips - t0 >= group ? group : strips - t0, j0 = VW * t0;
#define BWD(rr, n) backward_rows(d, w, dx, in_mask, g, KH, KW, iy, rr, j0, n)
            WITH_CONSTANT_BLOCK(R, NS, BWD)
#undef BWD
        }
        iy += R;
    }
}

INLINE void backward_plane(const float *dy, const unsigned char *mask, const float *w, float *dx, const geo_t *g,
                           int KH, int KW, int S, float *d, float *grow, const unsigned char *in_mask, int first) {
    int imrow = (g->W + 7) / 8;
    prepare_gradient(dy, mask, g, d, first);
    if (S == 1) { backward_plane_s1(w, dx, g, KH, KW, d, in_mask); return; }
    int strips = g->jv / VW;
    int group = strips < 4 ? strips : 4;
    int NP = 2;  // phases per block (stride ≥ 2 here)
    // Rows r = iy + pt of one residue class mod S share their taps; take them in blocks.
    for (int par = 0; par < S; par++) {
        int iy0 = ((par - g->pt) % S + S) % S;
        int count = iy0 < g->H ? (g->H - iy0 + S - 1) / S : 0;
        for (int k = 0; k < count;) {
            int R = block_rows(count - k, NP * group), iy = iy0 + k * S, r = iy + g->pt;
            for (int p0 = 0; p0 < S; p0 += NP) {
                int np = S - p0 >= NP ? NP : 1;
                for (int t0 = 0; t0 < strips; t0 += group) {
                    int NS = strips - t0 >= group ? group : strips - t0, j0 = VW * t0;
#define BWD(rr, n, pp, nnp) backward_block(d, w, grow, g, KH, KW, S, r, pp, rr, p0, nnp, j0, n)
                    if (np == 1) { WITH_CONSTANT_BLOCK(R, NS, BWD, par, 1) }
                    else if (par == 0) { WITH_CONSTANT_BLOCK(R, NS, BWD, 0, 2) }
                    else if (par == 1) { WITH_CONSTANT_BLOCK(R, NS, BWD, 1, 2) }
                    else { WITH_CONSTANT_BLOCK(R, NS, BWD, par, 2) }
#undef BWD
                }
            }
            for (int a = 0; a < R; a++) {
                float *out = dx + (size_t)(iy + a * S) * g->W;
                const float *src = grow + (size_t)a * S * g->jv;
                if (S == 2) {
                    // out[ix] = phase (ix+pl)%2 at (ix+pl)/2. Columns 2m and 2m+1 come from entry
                    // m + pl/2 of phases 0 and 1 (pl even), or of phase 1 and entry m + pl/2 + 1 of
                    // phase 0 (pl odd): interleave 2·VW at a time, then VW, masked in registers
                    // (a masking pass over the stored row would reload what was just stored).
                    int h = g->pl / 2;
                    const float *even = g->pl % 2 ? src + g->jv + h : src + h;
                    const float *odd = g->pl % 2 ? src + h + 1 : src + g->jv + h;
                    const unsigned char *bits = in_mask ? in_mask + (size_t)(iy + a * S) * imrow : 0;
                    int ix = 0;
                    for (; ix + 2 * VW <= g->W; ix += 2 * VW) {
                        vf e = LOAD(even + ix / 2), o = LOAD(odd + ix / 2);
                        vf lo = INTERLEAVE_LOW(e, o), hi = INTERLEAVE_HIGH(e, o);
                        if (bits) {
                            lo = (vf)((vi)lo & from_bits(bits + ix / 8, VW));
                            hi = (vf)((vi)hi & from_bits(bits + (ix + VW) / 8, VW));
                        }
                        STORE(out + ix, lo);
                        STORE(out + ix + VW, hi);
                    }
                    // Then one vector at a time (`grow` has slack past its end for the unused lanes);
                    // with 16 lanes the last, partial one too, by a masked store. Left to 8 lanes:
                    // single columns.
                    for (; ix < g->W && (VW == 16 || ix + VW <= g->W); ix += VW) {
                        int n = g->W - ix < VW ? g->W - ix : VW;
                        vf lo = INTERLEAVE_LOW(LOAD(even + ix / 2), LOAD(odd + ix / 2));
                        if (bits) lo = (vf)((vi)lo & from_bits(bits + ix / 8, n));
                        store_partial(out + ix, lo, n);
                    }
                    for (; ix < g->W; ix++) {
                        int c = ix + g->pl;
                        out[ix] = !bits || (bits[ix / 8] >> (ix % 8)) & 1 ? src[(c % 2) * g->jv + c / 2] : 0;
                    }
                } else {
                    for (int ix = 0; ix < g->W; ix++) { int c = ix + g->pl; out[ix] = src[(c % S) * g->jv + c / S]; }
                }
                // The gradient also crosses the producer's activation: mask the row while it is in L1.
                if (in_mask && S > 2) apply_bits_row(out, out, in_mask + (size_t)(iy + a * S) * imrow, g->W);
            }
            k += R;
        }
    }
}

// MARK: - Entry points

/// A 64-byte aligned buffer of `n` floats plus slack for one vector past the end.
static float *scratch(size_t n) {
    size_t bytes = (sizeof(float) * (n + 16) + 63) & ~(size_t)63;
    return aligned_alloc(64, bytes);
}

/// Defines NAME_forward and NAME_backward, with the arguments of fv_depthwise_forward and
/// fv_depthwise_backward, compiled with the attributes ATTR; LINKAGE is `static` for kernels used
/// in their own file, empty for the AVX-512 ones that depthwise.c calls (dispatch.h).
#define SPECIALIZE(NAME, ATTR, LINKAGE)                                                                   \
    ATTR static void NAME##_planes_fwd(const float *x, const float *w, const float *bias, float *y,       \
                                       int planes, int c0, int channels, const geo_t *g, int act,         \
                                       unsigned char *mask, float *ph, float *tmp) {                      \
        size_t mplane = (size_t)g->ho * ((g->wo + 7) / 8);                                                \
        for (int p = 0; p < planes; p++) {                                                                \
            int c = (c0 + p) % channels;                                                                  \
            const float *xp = x + (size_t)p * g->H * g->W, *wc = w + (size_t)c * g->kh * g->kw;           \
            float *yp = y + (size_t)p * g->ho * g->wo, b = bias ? bias[c] : 0;                            \
            unsigned char *mp = mask ? mask + p * mplane : 0;                                             \
            if (g->kh == 3 && g->kw == 3 && g->s == 1) forward_plane(xp, wc, b, yp, mp, g, 3, 3, 1, act, ph, tmp, p == 0); \
            else if (g->kh == 3 && g->kw == 3 && g->s == 2) forward_plane(xp, wc, b, yp, mp, g, 3, 3, 2, act, ph, tmp, p == 0); \
            else if (g->kh == 5 && g->kw == 5 && g->s == 1) forward_plane(xp, wc, b, yp, mp, g, 5, 5, 1, act, ph, tmp, p == 0); \
            else if (g->kh == 5 && g->kw == 5 && g->s == 2) forward_plane(xp, wc, b, yp, mp, g, 5, 5, 2, act, ph, tmp, p == 0); \
            else forward_plane(xp, wc, b, yp, mp, g, g->kh, g->kw, g->s, act, ph, tmp, p == 0);                   \
        }                                                                                                 \
    }                                                                                                     \
    ATTR static void NAME##_planes_bwd(const float *dy, const unsigned char *mask, const float *w, float *dx, \
                                       int planes, int c0, int channels, const geo_t *g, float *d, float *grow, \
                                       const unsigned char *in_mask) {                                    \
        size_t mplane = (size_t)g->ho * ((g->wo + 7) / 8), implane = (size_t)g->H * ((g->W + 7) / 8);     \
        for (int p = 0; p < planes; p++) {                                                                \
            int c = (c0 + p) % channels;                                                                  \
            const float *gp = dy + (size_t)p * g->ho * g->wo, *wc = w + (size_t)c * g->kh * g->kw;        \
            const unsigned char *mp = mask ? mask + p * mplane : 0;                                       \
            float *dp = dx + (size_t)p * g->H * g->W;                                                     \
            const unsigned char *ip = in_mask ? in_mask + p * implane : 0;                                \
            if (g->kh == 3 && g->kw == 3 && g->s == 1) backward_plane(gp, mp, wc, dp, g, 3, 3, 1, d, grow, ip, p == 0); \
            else if (g->kh == 3 && g->kw == 3 && g->s == 2) backward_plane(gp, mp, wc, dp, g, 3, 3, 2, d, grow, ip, p == 0); \
            else if (g->kh == 5 && g->kw == 5 && g->s == 1) backward_plane(gp, mp, wc, dp, g, 5, 5, 1, d, grow, ip, p == 0); \
            else if (g->kh == 5 && g->kw == 5 && g->s == 2) backward_plane(gp, mp, wc, dp, g, 5, 5, 2, d, grow, ip, p == 0); \
            else backward_plane(gp, mp, wc, dp, g, g->kh, g->kw, g->s, d, grow, ip, p == 0);                      \
        }                                                                                                 \
    }                                                                                                     \
    LINKAGE void NAME##_forward(const float *x, const float *w, const float *bias, float *y, int planes,  \
                               int channel0, int channels, int height, int width, int kh, int kw,         \
                               int stride, int pad_top, int pad_left, int ho, int wo, int act,            \
                               unsigned char *mask) {                                                     \
        geo_t g = make_geo(height, width, kh, kw, stride, pad_top, pad_left, ho, wo);                     \
        float *ph = scratch((size_t)stride * g.hp * g.wq);                                                \
        float *tmp = scratch((size_t)stride * g.wq + 4 * 16 + 8);  /* forward_plane: a row of zeros at stride 2 */                                                 \
        NAME##_planes_fwd(x, w, bias, y, planes, channel0, channels, &g, act,                             \
                          act == FV_ACT_NONE ? 0 : mask, ph, tmp);                                        \
        free(ph);                                                                                         \
        free(tmp);                                                                                        \
    }                                                                                                     \
    LINKAGE void NAME##_backward(const float *dy, const unsigned char *mask, const float *w, float *dx,   \
                                int planes, int channel0, int channels, int height, int width, int kh,    \
                                int kw, int stride, int pad_top, int pad_left, int ho, int wo,            \
                                const unsigned char *in_mask) {                                           \
        geo_t g = make_geo(height, width, kh, kw, stride, pad_top, pad_left, ho, wo);                     \
        float *d = scratch((size_t)g.dr * g.dw);                                                          \
        float *grow = scratch((size_t)8 * stride * g.jv);                                                 \
        NAME##_planes_bwd(dy, mask, w, dx, planes, channel0, channels, &g, d, grow, in_mask);             \
        free(d);                                                                                          \
        free(grow);                                                                                       \
    }
