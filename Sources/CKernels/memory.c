#include "CKernels.h"
#include <stdlib.h>  // defines __GLIBC__ on glibc systems
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void fv_keep_freed_memory(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_MAX, 0);              // every block from the heap, none from fresh mmaps
    mallopt(M_TRIM_THRESHOLD, 0x7fffffff);  // never give the heap's top back to the kernel
#endif
}
