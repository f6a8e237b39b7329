// Which build of the vector kernels runs: the CPU's best (cpuid, checked once), unless a test
// forced another it supports.
#include "CKernels.h"

int fv_cpu_kernel_path(void) {
    static int cached = -1;
    if (cached >= 0) return cached;
    int path = FV_PATH_BASE;
#if defined(__x86_64__)
    __builtin_cpu_init();
    // The set OpenBLAS's SkylakeX kernels need too (cpuid and OS support for the registers).
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        path = FV_PATH_AVX512;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        path = FV_PATH_AVX2;
#endif
    cached = path;
    return path;
}

static int forced = -1;

int fv_kernel_path(void) { return forced >= 0 ? forced : fv_cpu_kernel_path(); }

int fv_force_kernel_path(int path) {
    if (path < 0) { forced = -1; return 1; }
    if (path > fv_cpu_kernel_path()) return 0;
    forced = path;
    return 1;
}
