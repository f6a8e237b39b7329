// Counters of the floating-point work the engine's kernels run, for benchmarks: on only between
// fv_flops_begin and fv_flops_end, atomically added to from any thread.
#include "CKernels.h"

static unsigned long long counts[2];
static int counting;

void fv_flops_begin(void) {
    __atomic_store_n(&counts[0], 0, __ATOMIC_RELAXED);
    __atomic_store_n(&counts[1], 0, __ATOMIC_RELAXED);
    __atomic_store_n(&counting, 1, __ATOMIC_SEQ_CST);
}

void fv_flops_end(unsigned long long *gemm, unsigned long long *depthwise) {
    __atomic_store_n(&counting, 0, __ATOMIC_SEQ_CST);
    *gemm = __atomic_load_n(&counts[0], __ATOMIC_RELAXED);
    *depthwise = __atomic_load_n(&counts[1], __ATOMIC_RELAXED);
}

void fv_flops_add(int kind, unsigned long long flops) {
    if (__atomic_load_n(&counting, __ATOMIC_RELAXED)) __atomic_fetch_add(&counts[kind != 0], flops, __ATOMIC_RELAXED);
}
