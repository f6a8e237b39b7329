// The convolutions' matrix products C = A·B with every element one chain of fused multiply-adds
// in the order of k, from zero: its bits depend on neither the tiling nor the vector width, so
// the engine may cut a product wherever its threads need (OpenBLAS's products round differently
// on either side of its small-matrix limit). The entry point picks a path per call (dispatch.c):
// AVX-512 (conv_product_avx512.c), or this file's scalar loop, the reference the vector kernel is
// tested against (the engine calls OpenBLAS on CPUs without AVX-512, where it is the faster).
#include <math.h>
#include "CKernels.h"
#include "dispatch.h"

// Precise: under the target's -ffast-math a CPU without FMA would split fmaf into a product and a sum.
#pragma float_control(precise, on, push)
static void conv_product_scalar(int m, int n, int k, const float *a, long rs, long cs, const float *b, long ldb,
                                float *c, long ldc) {
    // Down the rows of B into each row of C: no reduction for -ffast-math to reassociate.
    for (int i = 0; i < m; i++) {
        float *ci = c + i * ldc;
        for (int j = 0; j < n; j++) ci[j] = 0;
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++) ci[j] = fmaf(a[i * rs + p * cs], b[p * ldb + j], ci[j]);
    }
}
#pragma float_control(pop)

void fv_conv_product(int m, int n, int k, const float *a, long rs, long cs, const float *b, long ldb, float *c,
                     long ldc, const float *bias, int act, int rows, int wo, unsigned char *mask, int ldm) {
    if (fv_kernel_path() == FV_PATH_AVX512) {
        fv_conv_product_avx512(m, n, k, a, rs, cs, b, ldb, c, ldc, bias, act, rows, wo, mask, ldm);
        return;
    }
    conv_product_scalar(m, n, k, a, rs, cs, b, ldb, c, ldc);
    fv_bias_activation(c, (int)ldc, bias, m, rows, wo, act, mask, ldm);
}
