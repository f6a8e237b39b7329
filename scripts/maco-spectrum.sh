#!/usr/bin/env bash
# Writes data/maco-spectrum.json: the mean Fourier magnitude of the photos in data/photos, in
# decorrelated colour (NaturalSpectrum.estimate), which MACO's parameterization fixes.
# A unit test (MACOTests) recomputes it and compares, so re-run this after changing the photos.
set -euo pipefail
cd "$(dirname "$0")/.."
swift run -c release fvbook spectrum --photos data/photos --size 64 -o data/maco-spectrum.json
