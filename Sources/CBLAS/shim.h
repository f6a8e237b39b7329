// OpenBLAS's CBLAS interface (Debian: libopenblas-dev), plus openblas_set_num_threads.
#include <cblas.h>
