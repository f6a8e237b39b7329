#!/usr/bin/env bash
# The edit loop on a real chapter (chapters/01-basic.md), timed in headless Chromium: `fvbook
# serve` on a scratch copy of the chapters, one first build (cold unless .fvbook-cache/renders
# has their renders), then two edits of chapter 01 through the page — a print, and a render's step count — each
# timed from the click on Run to the new output, and from the chapter program's end to the page;
# then the idle server's CPU and memory with the page open. Needs chromium, chromium-driver and
# Selenium (scripts/ci/30-serve-browser.sh installs them). Not part of `make test`: timings.
#
#   benchmarks/edit-loop.sh            # debug build; FVBOOK_BIN=.build/release for the release one
#   SHOTS=/tmp/shots benchmarks/edit-loop.sh   # also screenshots of the cell being edited and its result
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${XDG_CACHE_HOME:-$HOME/.cache}/fvbook-serve-venv"
"$venv/bin/python" -c 'import selenium' 2> /dev/null || { echo "run scripts/ci/30-serve-browser.sh once (it installs Selenium in $venv)" >&2; exit 2; }
bin="${FVBOOK_BIN:-$(swift build --show-bin-path)}"
scratch="$(mktemp -d /tmp/fvbook-edit-loop.XXXXXX)"
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2> /dev/null || true; wait "$server" 2> /dev/null || true; fi
    rm -rf "$scratch"
}
trap cleanup EXIT
mkdir -p "$scratch/chapters"
cp chapters/*.md "$scratch/chapters/"   # the whole book: chapters link to each other
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
start=$(date +%s)
"$bin/fvbook" serve --no-open --port "$port" --chapters "$scratch/chapters" --site "$scratch/site" \
    --cache "$scratch/cache" --bin "$bin" > "$scratch/server.log" 2>&1 &
server=$!
until [ -f "$scratch/site/07-beyond-lucid.html" ]; do
    kill -0 "$server" 2> /dev/null || { cat "$scratch/server.log" >&2; exit 1; }
    sleep 0.5
done
echo "first build of the book (every chapter; renders from .fvbook-cache/renders where stored): $(( $(date +%s) - start )) s"
"$venv/bin/python" benchmarks/edit_loop.py --port "$port" --server-pid "$server" ${SHOTS:+--screenshots "$SHOTS"} || { tail -n 40 "$scratch/server.log"; exit 1; }
