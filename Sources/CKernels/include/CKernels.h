// Hot loops in C, compiled with -O3 in every build (see Package.swift).
#pragma once
#include <stddef.h>

/// y[i] += x[i] for i < n.
void fv_add_inplace(float *y, const float *x, size_t n);
