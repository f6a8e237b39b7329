#!/usr/bin/env bash
# `fvbook serve` in a real browser: headless Chromium driven by Selenium edits a cell of the
# fixture book (Tests/Fixtures/books/serve), clicks Run and waits for the new output and image;
# checks the live reload after an edit on disk and the page's progress while a render runs; and
# sends the bad requests (foreign Host or Origin, missing or wrong token, paths leaving the site,
# writes to files that are not chapters), asserting each is refused and nothing was written.
# Installs what it needs: Debian's chromium and chromium-driver, Selenium from PyPI in a venv
# outside the repository. Uses the debug build, which `make test` builds anyway.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium > /dev/null || ! command -v chromedriver > /dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver > /dev/null
fi
venv="${XDG_CACHE_HOME:-$HOME/.cache}/fvbook-serve-venv"
if ! "$venv/bin/python" -c 'import selenium' 2> /dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'selenium>=4.10'
fi

nice -n 10 swift build --build-tests > /dev/null   # what `make test` builds next: no second build
bin="$(swift build --show-bin-path)"

scratch="$(mktemp -d /tmp/fvbook-serve-ci.XXXXXX)"
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2> /dev/null || true; wait "$server" 2> /dev/null || true; fi
    rm -rf "$scratch"
}
trap cleanup EXIT
mkdir -p "$scratch/chapters"
cp Tests/Fixtures/books/serve/*.md "$scratch/chapters/"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

"$bin/fvbook" serve --no-open --port "$port" --chapters "$scratch/chapters" --site "$scratch/site" \
    --cache "$scratch/cache/full" > "$scratch/server.log" 2>&1 &
server=$!

if ! "$venv/bin/python" scripts/ci/serve_browser.py --port "$port" --scratch "$scratch" --root "$PWD" \
        --screenshots "${FVBOOK_SERVE_SCREENSHOTS:-$scratch/screenshots}"; then
    echo "--- server log"; tail -n 80 "$scratch/server.log"
    exit 1
fi
