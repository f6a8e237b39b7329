// Corrects OpenBLAS's choice of kernels ("core") when it picked one weaker than the CPU supports,
// or one with the same sgemm kernels as the CPU's core but a slower C-scaling pass (Zen).
//
// OpenBLAS built with DYNAMIC_ARCH (Debian's) picks its core once, in its own load-time
// constructor, from cpuid or from OPENBLAS_CORETYPE. Releases older than the CPU do not know it and
// fall back to Prescott (SSE3): 0.3.21 on a Sapphire Rapids class Xeon runs sgemm 7× slower than
// with its SkylakeX kernels. On AMD Zen CPUs without AVX-512, OpenBLAS picks its `Zen` core, which
// runs Haswell's sgemm kernels and copy routines but the old generic `gemm_beta` for the C = β·C
// pass before every product (β = 0: zeroing the output): 3–5× slower than Haswell's, 13 % of a
// 224-px step's CPU time on a Zen 1 EPYC; with `Haswell` the step is 9 % faster and every value
// is the same (the pass only writes zeros).
//
// This constructor runs after OpenBLAS's (every binary that holds it also links libopenblas, a
// dependency whose constructors the loader runs first), before any BLAS call, and asks OpenBLAS to
// pick again with the right name: `gotoblas_dynamic_quit` clears the choice,
// `gotoblas_dynamic_init` makes it again from OPENBLAS_CORETYPE, exactly as at load. The library is
// idle at that point (its worker threads wait for work that reads the choice at each call), so the
// result is the one OPENBLAS_CORETYPE would have given. The variable is set only for that call:
// children and the user's environment are left as they were. A user's own OPENBLAS_CORETYPE always
// wins when OpenBLAS knows it; an empty or unknown value (OpenBLAS prints "Core not found" and
// picks by itself) is corrected like an unset one. The OpenBLAS symbols are weak: with another BLAS
// (or an OpenBLAS without DYNAMIC_ARCH) this does nothing.
#include "CKernels.h"
#include <stdlib.h>
#include <string.h>

extern char *openblas_get_corename(void) __attribute__((weak));
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));

int fv_blas_core_level(const char *name) {
    static const char *const levels[][6] = {
        {"Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom"},
        {"Core2", "Penryn", "Dunnington", "Nehalem", "Athlon", "Opteron"},
        {"Opteron_SSE3", "Barcelona", "Nano", "Bobcat", "Unknown", 0},
        {"Sandybridge", "Bulldozer", "Piledriver", "Steamroller", 0, 0},
        {"Haswell", "Excavator", "Zen", 0, 0, 0},
        {"SkylakeX", "Cooperlake", "SapphireRapids", 0, 0, 0},
    };
    static const int level_of_row[] = {0, 0, 0, 1, 2, 3};
    if (!name) return -1;
    for (int r = 0; r < 6; r++)
        for (int i = 0; i < 6 && levels[r][i]; i++)
            if (strcasecmp(name, levels[r][i]) == 0) return level_of_row[r];
    return -1;
}

int fv_blas_core_replaceable(const char *have, const char *want) {
    int have_level = fv_blas_core_level(have), want_level = fv_blas_core_level(want);
    if (have_level < 0 || want_level < 0) return 0;
    if (have_level < want_level) return 1;
    // Same sgemm kernels as Haswell, slower β pass (see above).
    return strcasecmp(have, "Zen") == 0 && strcasecmp(want, "Haswell") == 0;
}

const char *fv_cpu_blas_core(void) {
    switch (fv_cpu_kernel_path()) {
    case FV_PATH_AVX512: return "SkylakeX";  // AVX-512 F, CD, BW, DQ and VL: what its kernels use
    case FV_PATH_AVX2: return "Haswell";
    default: return 0;
    }
}

static int core_reason = FV_BLAS_CORE_CHOSEN;
static char core_replaced[32];

__attribute__((constructor)) static void fv_correct_blas_core(void) {
    if (!openblas_get_corename || !gotoblas_dynamic_init || !gotoblas_dynamic_quit) return;
    const char *have = openblas_get_corename();
    const char *user = getenv("OPENBLAS_CORETYPE");
    // The user's core, honoured. A value OpenBLAS does not know (empty, misspelt) is not a choice:
    // OpenBLAS then picked by itself, as if it were unset, so the correction applies.
    if (user && have && strcasecmp(user, have) == 0) { core_reason = FV_BLAS_CORE_USER; return; }
    const char *want = fv_cpu_blas_core();
    if (!want || !fv_blas_core_replaceable(have, want)) return;
    char saved[64] = "";
    if (user) strncpy(saved, user, sizeof saved - 1);
    strncpy(core_replaced, have, sizeof core_replaced - 1);
    gotoblas_dynamic_quit();
    setenv("OPENBLAS_CORETYPE", want, 1);
    gotoblas_dynamic_init();
    if (user) setenv("OPENBLAS_CORETYPE", saved, 1); else unsetenv("OPENBLAS_CORETYPE");
    core_reason = FV_BLAS_CORE_CORRECTED;
}

const char *fv_blas_core_name(void) {
    return openblas_get_corename ? openblas_get_corename() : "not OpenBLAS with DYNAMIC_ARCH";
}

int fv_blas_core_reason(void) { return core_reason; }

const char *fv_blas_core_replaced(void) { return core_replaced; }
