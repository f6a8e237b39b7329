#!/usr/bin/env python3
"""Where the time of `fvbook bench` goes: reads `perf script -F tid,ip,sym,dso` output (recorded
with `perf record -e cpu-clock --call-graph dwarf`) and attributes every CPU-time sample to one
category by its call stack. Set-up (the sgemm peak, loading weights, the FLOP-model check) is
counted apart and left out of the shares.

    perf script -i perf.data -F tid,time,ip,sym,dso > stacks.txt
    python3 benchmarks/profile-categories.py stacks.txt

With the `time` field, a worker thread's sample is set-up too when the calling thread's sample
nearest in time is: the pool's workers run the parallel parts of the set-up (the image side
measured alone) with none of its frames on their own stacks.
"""
import bisect
import collections
import re
import shutil
import subprocess
import sys

ENGINE_FRAME = re.compile(r"\$s(7Tensors|10FeatureVis|6Models)")
# Engine helpers that every op goes through: skipped, so the op that called them is named.
WRAPPER = re.compile(r"\$s(7Tensors5sgemm|7Tensors11convProduct|7Tensors11parallelFor|7Tensors11makeScalars|10FeatureVis4gemm)")


def demangle(names):
    """Readable Swift names (swift-demangle from the toolchain), or the names as they are."""
    tool = shutil.which("swift-demangle")
    if not tool or not names:
        return {n: n for n in names}
    out = subprocess.run([tool, "--simplified", "--compact"], input="\n".join(names), capture_output=True,
                         text=True).stdout.splitlines()
    return dict(zip(names, out)) if len(out) == len(names) else {n: n for n in names}

# Samples whose stack holds one of these are set-up (or the image side measured alone), not
# optimization steps.
SETUP = ["SgemmPeakV7measure", "CheckpointV10contentsOf", "Pickle", "StoredZip", "ByteReader", "stepFLOPs",
         "parseAsRoot", "measureImageSide", "_dl_start", "_dl_relocate", "EfficientNetLite0C10checkpoint0D0ACAA0D0V_tKcfC",
         "pretrained"]

# (category, pattern on the start of any frame's symbol), first match wins: the op a sample works
# for. Anchored, because Swift's mangled names spell out parameter types (`render(_:on:from:…)`
# names `Objective` and `ImageParameterization`).
OWNERS = [
    ("image: Fourier (real FFT)", r"\$s10FeatureVis12FourierBasis|\$s7Tensors(9RealFFT|16inverseRealFFT)|fv_irfft2|fv_rfft2"),
    ("image: colour decorrelation", r"\$s10FeatureVis19ColourDecorrelation|\$s7Tensors(11mixChannels|10ChannelMix)"),
    ("image: sigmoid", r"\$s7Tensors7sigmoid"),
    ("image: transforms (pad, jitter, scale, rotate)", r"\$s10FeatureVis(9Transform|7rotated)|\$s7Tensors(15BilinearSampler|11shiftWindow|4crop|3pad)"),
    ("image: resize to 224", r"\$s7Tensors14resizeBilinear"),
    ("Adam update", r"\$s10FeatureVis4Adam"),
    ("objective", r"\$s10FeatureVis9Objective|\$s10FeatureVis12channelSlice"),
    ("depthwise conv", r"fv_depthwise|avx2_fwd|avx2_bwd|\$s7Tensors17depthwiseForward|\$s7Tensors18depthwiseBackward"),
    ("im2col / col2im (stem)", r"fv_im2col|fv_col2im"),
]
# Then by the leaf (innermost) frame or, for inlined helpers, its two callers.
LEAVES = [
    ("matrix products (fv_conv_product on AVX-512, OpenBLAS sgemm)", r"^sgemm_|cblas_sgemm|fv_conv_product"),
    ("conv epilogue: bias+ReLU6, gradient mask", r"bias_activation|apply_mask"),
    ("other elementwise (adds, scales, preprocessing)", r"fv_add_inplace|Ops\+|7Tensors1poiy|7Tensors1moiy|7Tensors1soiy|Tensors6Tensor.*(map|zipped|add)"),
    ("memory: malloc/free, zeroing, copies, page faults", r"malloc|free|_int_|memset|memmove|memcpy|page_fault|clear_page|swift_allocObject|swift_slowAlloc|mmap|munmap|folio|zap_|do_anonymous"),
    ("threads: dispatch, futex, scheduling", r"futex|dispatch|sched|pthread|schedule|task_switch|__lll|syscall"),
    ("Swift runtime: retain/release, arrays, tape", r"swift_retain|swift_release|swift_bridge|swift_beginAccess|swift_endAccess|Array|\$s7Tensors4Tape"),
]


def samples(lines):
    """(thread, time or None, stack) for each sample of `perf script` output."""
    stack, tid, time = [], None, None
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if stack:
                yield tid, time, stack
            stack, tid, time = [], None, None
        elif not line.startswith("\t"):  # a sample's header: thread id, and the time if asked for
            header = re.match(r"^\s*(\S+)\s+([\d.]+):", line)
            tid, time = (header.group(1), float(header.group(2))) if header else (line.strip(), None)
        else:
            parts = line.strip().split(" ", 1)
            if len(parts) == 2:
                stack.append(parts[1])
    if stack:
        yield tid, time, stack


def setup_flags(all_samples, texts):
    """Whether each sample is set-up: a marker on its stack (`texts`: each stack joined), or (with
    times) on the stack of the marked thread's sample nearest in time."""
    marked = [any(m in text for m in SETUP) for text in texts]
    owners = collections.Counter(tid for (tid, _, _), m in zip(all_samples, marked) if m)
    if not owners or any(time is None for _, time, _ in all_samples):
        return marked
    caller = owners.most_common(1)[0][0]
    timeline = sorted((time, m) for (tid, time, _), m in zip(all_samples, marked) if tid == caller)
    times = [t for t, _ in timeline]
    flags = []
    for (tid, time, _), m in zip(all_samples, marked):
        if not m and tid != caller and times:
            i = bisect.bisect_left(times, time)
            near = min((j for j in (i - 1, i) if 0 <= j < len(times)), key=lambda j: abs(times[j] - time))
            m = timeline[near][1]
        flags.append(m)
    return flags


def leaf_name(frame):
    return re.sub(r" \(.*$", "", frame)


def main(path):
    counts = collections.Counter()
    via = collections.defaultdict(collections.Counter)
    leaves = collections.Counter()
    threads = collections.Counter()
    setup = 0
    with open(path, errors="replace") as f:
        all_samples = list(samples(f))
    texts = ["\n".join(stack) for _, _, stack in all_samples]
    for (tid, _, stack), text, is_setup in zip(all_samples, texts, setup_flags(all_samples, texts)):
        if is_setup:
            setup += 1
            continue
        threads[tid] += 1
        leaves[leaf_name(stack[0])] += 1
        category = next((name for name, pattern in OWNERS
                         if any(re.match(pattern, frame) for frame in stack)), None)
        if category is None:
            category = next((name for frame in stack[:3] for name, pattern in LEAVES
                             if re.search(pattern, leaf_name(frame))), None)
        if category is None and re.search(r"libopenblas", text):
            category = "sgemm (OpenBLAS)"
        category = category or "other"
        counts[category] += 1
        # The innermost engine function on the stack: which op the time is spent for.
        engine = next((leaf_name(f).split(" ")[0] for f in stack
                       if ENGINE_FRAME.match(f) and not WRAPPER.match(f)), "(no engine frame)")
        via[category][engine] += 1
    total = sum(counts.values())
    print(f"{total} samples in optimization steps ({setup} set-up samples left out)")
    print(f"threads: " + ", ".join(f"{t}: {100 * n / total:.0f}%" for t, n in threads.most_common()))
    names = demangle(sorted({e for c in via.values() for e in c}))
    print("\nby category (CPU time), with the innermost engine functions under each:")
    for name, n in counts.most_common():
        print(f"  {100 * n / total:5.1f}%  {name}")
        for engine, m in via[name].most_common(4):
            if m / total >= 0.005:
                print(f"           {100 * m / total:5.1f}%  {names.get(engine, engine)[:90]}")
    print("\ntop leaf functions (self CPU time):")
    leaf_names = demangle([name for name, _ in leaves.most_common(25)])
    for name, n in leaves.most_common(25):
        print(f"  {100 * n / total:5.1f}%  {leaf_names.get(name, name)[:100]}")


if __name__ == "__main__":
    main(sys.argv[1])
