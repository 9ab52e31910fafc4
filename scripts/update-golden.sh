#!/usr/bin/env bash
# Regenerates the golden outputs (tests/golden/*.json): the fixed-seed results of every example
# model in models/, run with the settings tests/cli/golden_test.cpp uses (2 replications on one
# thread, the model's own seed, duration and everything else). The test ignores the `performance`
# section (wall time and memory are not answers). Run it only when a change of answers is deliberate, and
# say in the commit why the answers changed.
#
#   scripts/update-golden.sh [BUILD_DIR]     (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
capsim="$build/capsim"
[ -x "$capsim" ] || { echo "update-golden.sh: no $capsim; run scripts/build.sh first" >&2; exit 2; }
mkdir -p tests/golden
rm -f tests/golden/*.json
for model in models/*.json; do
  name="$(basename "$model" .json)"
  "$capsim" run "$model" --replications 2 --threads 1 -q -o "tests/golden/$name.json"
  echo "tests/golden/$name.json"
done
