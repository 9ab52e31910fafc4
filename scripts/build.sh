#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh), then configures and builds capsim (Release) in
# build/. Extra arguments go to CMake's configure step, e.g. -DCAPSIM_BENCH=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
generator=()
command -v ninja >/dev/null 2>&1 && [ ! -f build/Makefile ] && generator=(-G Ninja)
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j "$(nproc)"
