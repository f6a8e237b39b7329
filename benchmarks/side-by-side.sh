#!/usr/bin/env bash
# The engine beside PyTorch on this machine, one after the other: `fvbook bench` (release build),
# then the peer's step table (`bench_step.py --only effnet`) and Lucent's default render
# (`lucent_run.py _blocks_8:0 lite_norm_frozen`), then a Markdown table of the ratios.
# Not part of CI: it needs the peer venv (see /work/shared/peer/README.md) and a quiet machine.
#
#   benchmarks/side-by-side.sh [output folder]      # default .build/side-by-side
set -euo pipefail
cd "$(dirname "$0")/.."
peer=${PEER_DIR:-/work/shared/peer}
venv=${PEER_VENV:-$HOME/.cache/fvbook-peer}
out=${1:-.build/side-by-side}
[ -x "$venv/bin/python" ] || { echo "side-by-side: no peer venv at $venv (run $peer/make-peer.sh)" >&2; exit 2; }
mkdir -p "$out"

swift build -c release --product fvbook >&2
cut -d' ' -f1 /proc/loadavg > "$out/load-start"
.build/release/fvbook bench --json > "$out/fvbook.json"
"$venv/bin/python" "$peer/bench_step.py" --only effnet > "$out/peer-steps.txt"
(cd "$out" && "$venv/bin/python" "$peer/lucent_run.py" _blocks_8:0 lite_norm_frozen) > "$out/lucent.txt"
cut -d' ' -f1 /proc/loadavg > "$out/load-end"

python3 - "$out" <<'PY'
import json, re, sys, pathlib
out = pathlib.Path(sys.argv[1])
ours = json.loads((out / "fvbook.json").read_text())
peer = {}
for line in (out / "peer-steps.txt").read_text().splitlines():
    m = re.match(r"effnet-lite0 (\S+)\s+(\d+)x\d+\s+step\s+([\d.]+) ms", line)
    if m: peer[(m.group(1), int(m.group(2)))] = float(m.group(3))
lucent = float(re.search(r"512 steps in ([\d.]+) s", (out / "lucent.txt").read_text()).group(1))
machine = ours["machine"]
load = f'{(out / "load-start").read_text().strip()} → {(out / "load-end").read_text().strip()}'
print(f'{machine["cpu"]}, {machine["cores"]} cores; OpenBLAS core {machine["blasCore"]}; '
      f'1-minute load average {load} (shared machine)\n')
# Issue 10's targets: ratios to the peer measured here, and the bench's own.
step_targets = {("_blocks.8", 224): (1 / 3, "≤ 1/3"), ("_blocks.8", 128): (0.4, "≤ 0.4"), ("logits", 224): (0.4, "≤ 0.4")}
def verdict(ok): return "met" if ok else "not met"
print("| measure | this engine | PyTorch | ratio | target |")
print("|---|---:|---:|---:|---|")
for s in ours["steps"]:
    if s["batch"] != 1: continue
    p = peer.get((s["layer"], s["size"]))
    if p is None: continue
    e = s["msPerStep"]["median"]
    t = step_targets.get((s["layer"], s["size"]))
    target = f'{t[1]}: {verdict(e / p <= t[0])}' if t else ""
    print(f'| step to `{s["layer"]}`, {s["size"]} px, batch 1 (ms; cpu {s["coresBusy"]:.1f}) | {e:.1f} | {p:.1f} | {e / p:.2f} | {target} |')
r = ours.get("render")
if r:
    e = r["seconds"]["median"]
    print(f'| default render, 512 steps, 128 px → 224 (s) | {e:.1f} | {lucent:.1f} (Lucent) | {e / lucent:.2f} | ≤ 1/8: {verdict(e / lucent <= 1 / 8)} |')
    print(f'| cores working in the default render | {r["coresBusy"]:.2f} | | | ≥ 1.8: {verdict(r["coresBusy"] >= 1.8)} |')
    print(f'| peak RSS of the default render (MB) | {r["peakRSSMB"]:.0f} | | | ≤ 150: {verdict(r["peakRSSMB"] <= 150)} |')
ratios = [s["perImageRatioToBatch1"] for s in ours["steps"] if s.get("perImageRatioToBatch1")]
if ratios: print(f'| batch 8 ms per image ÷ batch 1, worst | {max(ratios):.2f} | | | ≤ 0.6: {verdict(max(ratios) <= 0.6)} |')
g = {run["threads"]: run["gflops"]["median"] for run in ours["sgemm"]["runs"]}
print(f'| sgemm 1024³, GFLOP/s, 1 / 2 threads | {g.get(1, 0):.0f} / {g.get(2, 0):.0f} | | | |')
PY
