// The depthwise convolutions of a step to `_blocks.8` at 224 px, one by one on one thread: time per
// call of the forward pass (bias, ReLU6 and its mask) and of the input gradient (masked on both
// sides), the median of RUNS runs of 20 calls, with the FLOP and byte rates they imply. Built
// against the engine's own kernels (Sources/CKernels), so it times exactly what a render runs:
//
//   K=Sources/CKernels; clang -O3 -ffast-math -fno-finite-math-only -I$K/include -I$K \
//     benchmarks/depthwise-shapes.c $K/depthwise.c $K/depthwise_avx512.c $K/dispatch.c -o /tmp/depthwise-shapes
//   /tmp/depthwise-shapes [PATH [RUNS]]   # PATH 0, 1 or 2 forces the baseline, AVX2 or AVX-512 kernels (default:
//                                         # the CPU's best); RUNS of 20 calls, default 31
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "CKernels.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int ascending(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

enum { MAX_RUNS = 101, CALLS = 20 };

int main(int argc, char **argv) {
    if (argc > 1 && !fv_force_kernel_path(atoi(argv[1]))) {
        fprintf(stderr, "depthwise-shapes: this CPU cannot run kernel path %s\n", argv[1]);
        return 2;
    }
    const int RUNS = argc > 2 ? atoi(argv[2]) : 31;
    if (RUNS < 1 || RUNS > MAX_RUNS) {
        fprintf(stderr, "depthwise-shapes: RUNS must be 1 to %d, not %s\n", MAX_RUNS, argv[2]);
        return 2;
    }
    // EfficientNet-Lite0's depthwise layers up to _blocks.8 at 224 px (blocks 6 and 7 share a shape).
    const struct { const char *blocks; int channels, side, kernel, stride; } shapes[] = {
        {"0", 32, 112, 3, 1}, {"1", 96, 112, 3, 2}, {"2", 144, 56, 3, 1}, {"3", 144, 56, 5, 2},
        {"4", 240, 28, 5, 1}, {"5", 240, 28, 3, 2}, {"6, 7", 480, 14, 3, 1}, {"8", 480, 14, 5, 1},
    };
    printf("kernel path %d, one thread\n\n", fv_kernel_path());
    printf("| blocks | channels | plane | kernel | forward µs | GFLOP/s | GB/s | input gradient µs | GB/s |\n");
    printf("|---:|---:|---:|---|---:|---:|---:|---:|---:|\n");
    double total[2] = {0, 0};
    for (int i = 0; i < 8; i++) {
        int c = shapes[i].channels, h = shapes[i].side, k = shapes[i].kernel, s = shapes[i].stride, pad = k / 2;
        int ho = (h + 2 * pad - k) / s + 1;
        size_t in = (size_t)c * h * h, out = (size_t)c * ho * ho;
        float *x = malloc(in * 4), *y = malloc(out * 4), *dx = malloc(in * 4);
        float *w = malloc((size_t)c * k * k * 4), *b = malloc((size_t)c * 4);
        unsigned char *mask = calloc((size_t)c * ho * ((ho + 7) / 8), 1), *in_mask = malloc((size_t)c * h * ((h + 7) / 8));
        for (size_t j = 0; j < in; j++) x[j] = (float)(j % 7) * 0.3f - 0.5f;
        for (int j = 0; j < c * k * k; j++) w[j] = 0.1f * (float)(j % 5) - 0.2f;
        for (int j = 0; j < c; j++) b[j] = 0.1f;
        for (size_t j = 0; j < (size_t)c * h * ((h + 7) / 8); j++) in_mask[j] = (unsigned char)(j * 37);
        double t[2][MAX_RUNS];
        for (int r = 0; r < RUNS; r++) {
            double t0 = now();
            for (int q = 0; q < CALLS; q++)
                fv_depthwise_forward(x, w, b, y, c, 0, c, h, h, k, k, s, pad, pad, ho, ho, FV_ACT_RELU6, mask);
            double t1 = now();
            for (int q = 0; q < CALLS; q++)
                fv_depthwise_backward(y, mask, w, dx, c, 0, c, h, h, k, k, s, pad, pad, ho, ho, in_mask);
            t[0][r] = (t1 - t0) / CALLS;
            t[1][r] = (now() - t1) / CALLS;
        }
        qsort(t[0], RUNS, sizeof(double), ascending);
        qsort(t[1], RUNS, sizeof(double), ascending);
        double f = t[0][RUNS / 2], g = t[1][RUNS / 2], bytes = (double)(in + out) * 4;
        total[0] += f;
        total[1] += g;
        printf("| %s | %d | %d² | %d×%d /%d | %.1f | %.1f | %.1f | %.1f | %.1f |\n", shapes[i].blocks, c, h, k, k, s, f * 1e6,
               2.0 * out * k * k / f / 1e9, bytes / f / 1e9, g * 1e6, bytes / g / 1e9);
        free(x); free(y); free(dx); free(w); free(b); free(mask); free(in_mask);
    }
    printf("\nthe eight shapes: forward %.0f µs, input gradient %.0f µs\n", total[0] * 1e6, total[1] * 1e6);
    return 0;
}
