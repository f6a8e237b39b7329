#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for a bounded time.
#
#   fuzz/run.sh [SECONDS] [TARGET...]     (default: 60 seconds each; targets checkpoint png chapter)
#
# Each target is a Swift file in fuzz/targets/ with an `LLVMFuzzerTestOneInput` function. The
# engine modules it needs (Tensors, Models or Notebook, plus the C kernels) are compiled directly
# with swiftc/clang into .build-fuzz/ with `-sanitize=fuzzer,address`: nothing touches the normal
# SwiftPM build. Targets run one after another under `nice`, seeded with the project's real files
# (reference checkpoints, crops of the photos, the chapters and fixture books); what libFuzzer
# learns is kept in .build-fuzz/corpus/TARGET for the next run. A crashing input is saved as
# .build-fuzz/artifacts/TARGET-crash-…: copy it to Tests/Fixtures/crashers/TARGET/ and fix the
# reader, so the regression test (Tests/ModelsTests/CrasherTests.swift,
# Tests/NotebookTests/ReliabilityTests.swift) keeps it fixed.
#
# Exit status: 0 when no target found anything, 1 otherwise, 2 for bad usage.
set -euo pipefail

seconds="${1:-60}"
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || { echo "usage: fuzz/run.sh [SECONDS] [TARGET...]" >&2; exit 2; }
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(checkpoint png chapter)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/.build-fuzz"
cd "$root"
mkdir -p "$out/obj" "$out/modules" "$out/artifacts" "$out/logs"

SAN=(-sanitize=fuzzer,address)
INCLUDES=(-I "$out/modules" -I Sources/CBLAS -I Sources/CPNG -I Sources/CCmark -I Sources/CKernels/include)
SWIFTFLAGS=(-O -g -swift-version 5 -package-name FeatureVisBook -parse-as-library -enable-testing "${SAN[@]}" "${INCLUDES[@]}")
# The gold linker warns about every ASan assembly helper; keep the output readable.
quiet_link() { "$@" 2>&1 | grep -v "Cannot export local symbol" || true; }

# Rebuilds OUTPUT when any of the given sources is newer.
stale() { local output="$1"; shift; [ ! -e "$output" ] || [ -n "$(find "$@" -newer "$output" 2>/dev/null | head -1)" ]; }

build_module() {  # NAME
    local name="$1"
    local sources=(Sources/"$name"/*.swift)
    if stale "$out/obj/$name.o" "${sources[@]}"; then
        echo "fuzz: compiling $name"
        swiftc "${SWIFTFLAGS[@]}" -c -wmo -module-name "$name" \
            -emit-module-path "$out/modules/$name.swiftmodule" "${sources[@]}" -o "$out/obj/$name.o"
    fi
}

build_kernels() {
    for c in Sources/CKernels/*.c; do
        local object="$out/obj/ckernels-$(basename "$c" .c).o"
        if stale "$object" "$c" Sources/CKernels/include; then
            clang -c -O2 -g -fsanitize=fuzzer-no-link,address -I Sources/CKernels/include "$c" -o "$object"
        fi
    done
}

build_target() {  # TARGET
    local target="$1" objects=() libraries=()
    case "$target" in
        checkpoint|png)
            build_kernels; build_module Tensors; build_module Suggestions; build_module Models
            objects=("$out"/obj/ckernels-*.o "$out/obj/Tensors.o" "$out/obj/Suggestions.o" "$out/obj/Models.o")
            libraries=(-lopenblas -lpng16) ;;
        chapter)
            build_module BookProtocol; build_module Suggestions; build_module Notebook
            objects=("$out/obj/BookProtocol.o" "$out/obj/Suggestions.o" "$out/obj/Notebook.o"); libraries=(-lcmark -lpng16) ;;
        *) echo "fuzz: unknown target $target (checkpoint, png, chapter)" >&2; exit 2 ;;
    esac
    if stale "$out/fuzz-$target" "fuzz/targets/$target.swift" "${objects[@]}"; then
        echo "fuzz: linking fuzz-$target"
        quiet_link swiftc "${SWIFTFLAGS[@]}" "fuzz/targets/$target.swift" "${objects[@]}" "${libraries[@]}" \
            -o "$out/fuzz-$target"
        [ -x "$out/fuzz-$target" ] || { echo "fuzz: linking fuzz-$target failed" >&2; exit 1; }
    fi
}

seeds() {  # TARGET: the folders and files that seed it
    case "$1" in
        checkpoint) echo Tests/Fixtures/reference fuzz/seeds/checkpoint ;;
        png) echo fuzz/seeds/png ;;
        chapter) echo chapters Tests/Fixtures/books/*/ ;;
    esac
}

found=0
summary=()
for target in "${targets[@]}"; do
    build_target "$target"
    corpus="$out/corpus/$target"
    mkdir -p "$corpus"
    log="$out/logs/$target.log"
    echo "fuzz: running $target for $seconds s (log: ${log#$root/})"
    # Checkpoint seeds are ~10 KB; chapters up to ~20 KB. Memory is capped so that an input that
    # makes a reader allocate without bound is a finding, not a machine that swaps.
    status=0
    started=$(date +%s)
    nice -n 10 "$out/fuzz-$target" -max_total_time="$seconds" -max_len=32768 -timeout=20 \
        -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/$target-" "$corpus" $(seeds "$target") >"$log" 2>&1 || status=$?
    elapsed=$(( $(date +%s) - started ))
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
    if [ "$status" -ne 0 ]; then
        found=1
        crash=$(grep -o "Test unit written to .*" "$log" | tail -1 | sed 's/Test unit written to //' || true)
        summary+=("$target: FOUND A PROBLEM after ${runs:-?} executions in $elapsed s: ${crash:-see $log}")
        grep -m 5 -E "ERROR|Fatal error|SUMMARY" "$log" | sed 's/^/    /' >&2 || true
    else
        summary+=("$target: ${runs:-?} executions in $elapsed s, no crash ($(ls "$corpus" | wc -l) inputs in corpus)")
    fi
done
echo
printf 'fuzz: %s\n' "${summary[@]}"
exit "$found"
