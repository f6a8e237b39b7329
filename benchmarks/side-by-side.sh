#!/usr/bin/env bash
# The engine beside PyTorch on this machine, in paired rounds: `fvbook bench --only steps` once
# (release build: the batch-8 ratios, the sgemm peak; the rounds time the render), then ROUNDS rounds (default 3) that each time the engine's
# batch-1 steps beside the peer's step table (`bench_step.py --only effnet`) and the engine's
# default render beside Lucent's (`lucent_run.py _blocks_8:0 lite_norm_frozen`), the two sides of
# a pair one right after the other and in alternating order (engine first in odd rounds), so a
# host that drifts moves both sides of a ratio. Prints a Markdown table of each round's ratio and
# their median; a target's verdict is the median's.
# Not part of CI: it needs the peer venv (see /work/shared/peer/README.md) and a quiet machine.
#
#   benchmarks/side-by-side.sh [output folder]      # default .build/side-by-side; ROUNDS=5 for more
set -euo pipefail
cd "$(dirname "$0")/.."
peer=${PEER_DIR:-/work/shared/peer}
venv=${PEER_VENV:-$HOME/.cache/fvbook-peer}
out=${1:-.build/side-by-side}
rounds=${ROUNDS:-3}
[ -x "$venv/bin/python" ] || { echo "side-by-side: no peer venv at $venv (run $peer/make-peer.sh)" >&2; exit 2; }
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "side-by-side: ROUNDS must be a positive whole number, not '$rounds'" >&2; exit 2; }
mkdir -p "$out"
rm -f "$out"/steps-*.json "$out"/peer-steps-*.txt "$out"/render-*.json "$out"/lucent-*.txt

swift build -c release --product fvbook >&2
fvbook=.build/release/fvbook
cut -d' ' -f1 /proc/loadavg > "$out/load-start"
date -u +%H:%M > "$out/time-start"
"$fvbook" bench --json --only steps > "$out/fvbook.json"

ours_steps() { "$fvbook" bench --json --only steps --batches 1 > "$out/steps-$1.json"; }
peer_steps() { "$venv/bin/python" "$peer/bench_step.py" --only effnet > "$out/peer-steps-$1.txt"; }
ours_render() { "$fvbook" bench --json --only render > "$out/render-$1.json"; }
lucent_render() { (cd "$out" && "$venv/bin/python" "$peer/lucent_run.py" _blocks_8:0 lite_norm_frozen) > "$out/lucent-$1.txt"; }
for r in $(seq 1 "$rounds"); do
    echo "side-by-side: round $r of $rounds" >&2
    if (( r % 2 )); then ours_steps "$r"; peer_steps "$r"; ours_render "$r"; lucent_render "$r"
    else peer_steps "$r"; ours_steps "$r"; lucent_render "$r"; ours_render "$r"; fi
done
cut -d' ' -f1 /proc/loadavg > "$out/load-end"
date -u +%H:%M > "$out/time-end"

python3 - "$out" "$rounds" <<'PY'
import json, re, sys, pathlib, statistics
out, rounds = pathlib.Path(sys.argv[1]), int(sys.argv[2])
ours = json.loads((out / "fvbook.json").read_text())
def peer_steps(r):
    table = {}
    for line in (out / f"peer-steps-{r}.txt").read_text().splitlines():
        m = re.match(r"effnet-lite0 (\S+)\s+(\d+)x\d+\s+step\s+([\d.]+) ms", line)
        if m: table[(m.group(1), int(m.group(2)))] = float(m.group(3))
    return table
def our_steps(r):
    return {(s["layer"], s["size"]): s["msPerStep"]["median"]
            for s in json.loads((out / f"steps-{r}.json").read_text())["steps"] if s["batch"] == 1}
def lucent(r):
    return float(re.search(r"512 steps in ([\d.]+) s", (out / f"lucent-{r}.txt").read_text()).group(1))
def our_render(r):
    return json.loads((out / f"render-{r}.json").read_text())["render"]
R = range(1, rounds + 1)
peers, engines = [peer_steps(r) for r in R], [our_steps(r) for r in R]
renders, lucents = [our_render(r) for r in R], [lucent(r) for r in R]

machine = ours["machine"]
load = f'{(out / "load-start").read_text().strip()} → {(out / "load-end").read_text().strip()}'
span = f'{(out / "time-start").read_text().strip()}–{(out / "time-end").read_text().strip()} UTC'
print(f'{machine["cpu"]}, {machine["cores"]} cores; OpenBLAS core {machine["blasCore"]}; {span}, '
      f'1-minute load average {load} (shared machine); {rounds} paired rounds\n')

def joined(values, fmt): return " / ".join(format(v, fmt) for v in values)
def verdict(ok): return "met" if ok else "not met"
def paired_row(measure, e, p, peer_note="", target=None):
    """One row: each round's figures and ratio, their median, and target (bound, text)'s verdict on it."""
    ratios = [a / b for a, b in zip(e, p)]
    med = statistics.median(ratios)
    judged = f'{target[1]}: {verdict(med <= target[0])}' if target else ""
    print(f'| {measure} | {joined(e, ".1f")} | {joined(p, ".1f")}{peer_note} | {joined(ratios, ".2f")} | {med:.2f} | {judged} |')
# Issue 10's targets, judged on the median of the rounds' ratios.
step_targets = {("_blocks.8", 224): (1 / 3, "≤ 1/3"), ("_blocks.8", 128): (0.4, "≤ 0.4"), ("logits", 224): (0.4, "≤ 0.4")}
print("| measure | this engine, each round | PyTorch, each round | ratio, each round | median ratio | target |")
print("|---|---:|---:|---:|---:|---|")
for key in engines[0]:
    if any(key not in p or key not in e for p, e in zip(peers, engines)): continue
    paired_row(f'step to `{key[0]}`, {key[1]} px, batch 1 (ms)', [x[key] for x in engines], [x[key] for x in peers],
               target=step_targets.get(key))
paired_row("default render, 512 steps, 128 px → 224 (s)", [x["seconds"]["median"] for x in renders], lucents,
           " (Lucent)", (1 / 8, "≤ 1/8"))
busy = [x["coresBusy"] for x in renders]
busy_median = statistics.median(busy)
print(f'| cores working in the default render | {joined(busy, ".2f")} | | | {busy_median:.2f} '
      f'| ≥ 1.8: {verdict(busy_median >= 1.8)} |')
rss = max(x["peakRSSMB"] for x in renders)
print(f'| peak RSS of the default render (MB), largest | {rss:.0f} | | | | ≤ 150: {verdict(rss <= 150)} |')
b8 = [s["perImageRatioToBatch1"] for s in ours["steps"] if s.get("perImageRatioToBatch1")]
if b8: print(f'| batch 8 ms per image ÷ batch 1, worst (the full bench) | {max(b8):.2f} | | | | ≤ 0.6: {verdict(max(b8) <= 0.6)} |')
g = {run["threads"]: run["gflops"]["median"] for run in ours["sgemm"]["runs"]}
print(f'| sgemm 1024³, GFLOP/s, 1 / 2 threads (the full bench) | {g.get(1, 0):.0f} / {g.get(2, 0):.0f} | | | | |')
PY
