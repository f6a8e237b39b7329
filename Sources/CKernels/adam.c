// Adam's update, element by element, with the bits of the scalar Swift loop it replaced: the same
// operations in the same order, each rounded once. Square root and division are correctly rounded
// on every path; the empty asm statements keep the target's -ffast-math (whose contraction the
// backend applies whatever the pragmas say) from fusing a product into the sum that follows it.
#pragma float_control(precise, on)  // no reciprocals of the loop-invariant divisors
#include "CKernels.h"

#define ROUNDED(x) __asm__("" : "+v"(x))

typedef float v16 __attribute__((vector_size(64), aligned(4)));
typedef float v8 __attribute__((vector_size(32), aligned(4)));
typedef float v4 __attribute__((vector_size(16), aligned(4)));

// One element of the update, on scalars or vectors of type T.
#define ADAM_STEP(T, p, m, v, g)                                      \
    do {                                                              \
        T t1 = b1 * (m), t2 = a1 * (g), t3 = b2 * (v), t4 = a2 * (g) * (g); \
        ROUNDED(t1); ROUNDED(t2); ROUNDED(t3); ROUNDED(t4);           \
        T mi = t1 + t2, vi = t3 + t4;                                 \
        (m) = mi;                                                     \
        (v) = vi;                                                     \
        T step = lr * (mi / c1) / (SQRT(vi / c2) + eps);              \
        (p) += step;                                                  \
    } while (0)

// The loop over n scalars in vectors of W lanes of type T, then the rest one by one.
#define ADAM_LOOP(T, W)                                                                         \
    float a1 = 1 - b1, a2 = 1 - b2;                                                           \
    size_t i = 0;                                                                             \
    for (; i + W <= n; i += W) {                                                              \
        T pv = *(T *)(p + i), mv = *(T *)(m + i), vv = *(T *)(v + i), gv = *(const T *)(g + i); \
        ADAM_STEP(T, pv, mv, vv, gv);                                                         \
        *(T *)(p + i) = pv; *(T *)(m + i) = mv; *(T *)(v + i) = vv;                           \
    }                                                                                         \
    for (; i < n; i++) {                                                                      \
        float pv = p[i], mv = m[i], vv = v[i], gv = g[i];                                     \
        ADAM_STEP(float, pv, mv, vv, gv);                                                     \
        p[i] = pv; m[i] = mv; v[i] = vv;                                                      \
    }

#define SQRT __builtin_elementwise_sqrt

__attribute__((target("avx512f,avx512vl"))) static void adam_avx512(float *p, float *m, float *v, const float *g, size_t n,
                                                                  float b1, float b2, float lr, float eps, float c1, float c2) {
    ADAM_LOOP(v16, 16)
}
__attribute__((target("avx2,fma"))) static void adam_avx2(float *p, float *m, float *v, const float *g, size_t n,
                                                          float b1, float b2, float lr, float eps, float c1, float c2) {
    ADAM_LOOP(v8, 8)
}
static void adam_base(float *p, float *m, float *v, const float *g, size_t n, float b1, float b2, float lr, float eps,
                      float c1, float c2) {
    ADAM_LOOP(v4, 4)
}

void fv_adam(float *p, float *m, float *v, const float *g, size_t n, float b1, float b2, float lr, float eps,
             float c1, float c2) {
    switch (fv_kernel_path()) {
    case FV_PATH_AVX512: adam_avx512(p, m, v, g, n, b1, b2, lr, eps, c1, c2); break;
    case FV_PATH_AVX2: adam_avx2(p, m, v, g, n, b1, b2, lr, eps, c1, c2); break;
    default: adam_base(p, m, v, g, n, b1, b2, lr, eps, c1, c2);
    }
}
