// The depthwise kernels of depthwise_body.h compiled 16 wide for AVX-512, as
// fv_depthwise_avx512_forward / _backward, which depthwise.c's entry points call when the CPU has
// AVX-512. A file of its own because the same source is built with a different vector width
// (FV_VW 16 against 8) and with the AVX-512 target attribute on every function (no global -mavx512
// flag, so the other paths still run on CPUs without it).
#define FV_VW 16
#include <immintrin.h>
#pragma clang attribute push(__attribute__((target("avx512f,avx512cd,avx512bw,avx512dq,avx512vl,avx2,fma"))), \
                             apply_to = function)
#include "depthwise_body.h"
#include "dispatch.h"

SPECIALIZE(fv_depthwise_avx512, , )
#pragma clang attribute pop
