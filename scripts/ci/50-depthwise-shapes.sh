#!/usr/bin/env bash
# benchmarks/depthwise-shapes.c still builds against the engine's kernels and runs on every kernel
# path this CPU has: eight shapes, each with a forward and an input-gradient time (no time is judged).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(mktemp -d)/depthwise-shapes
trap 'rm -rf "$(dirname "$bin")"' EXIT
K=Sources/CKernels
clang -O3 -ffast-math -fno-finite-math-only -Wno-psabi -I$K/include -I$K \
    benchmarks/depthwise-shapes.c $K/depthwise.c $K/depthwise_avx512.c $K/dispatch.c -o "$bin"
for path in 0 1 2; do
    out=$("$bin" "$path" 3 2>&1) || { grep -q "cannot run kernel path" <<<"$out" && continue; echo "$out" >&2; exit 1; }
    rows=$(grep -cE '^\| [0-9, ]+ \| [0-9]+ \| [0-9]+² \| [35]×[35] /[12] \| [0-9.]+ \|' <<<"$out")
    [ "$rows" -eq 8 ] || { echo "depthwise-shapes, path $path: $rows of 8 rows" >&2; echo "$out" >&2; exit 1; }
    echo "depthwise-shapes, kernel path $path: $(tail -1 <<<"$out")"
done
