#!/usr/bin/env bash
# Builds capsim with profile-guided optimisation (GCC) into build-pgo/: the engine's sources are
# built instrumented, a training run of the benchmark models and every example model records
# which branches and calls are hot, and the engine is rebuilt with that profile. The answers are
# the same as scripts/build.sh's binary gives, byte for byte; only speed differs
# (docs/performance.md, "Profile-guided optimisation"). Extra arguments go to CMake's configure
# step, e.g. -DCAPSIM_MPI=ON. About twice the time of a build of the capsim target alone.
#
#   scripts/build-pgo.sh [CMAKE ARGS...]      # then: build-pgo/capsim run ...
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build=build-pgo
generator=()
command -v ninja >/dev/null 2>&1 && [ ! -f "$build/Makefile" ] && generator=(-G Ninja)
jobs="${CAPSIM_JOBS:-$(nproc)}"

echo "build-pgo.sh: instrumented build" >&2
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
  -DCAPSIM_PGO=GENERATE "$@" >/dev/null
rm -rf "$build/pgo-profile"
cmake --build "$build" --target capsim -j "$jobs"

# Training: the benchmark models (the engine's hot paths, weighted by how long they run) and
# every example model for its features (one replication each, whatever its own duration).
echo "build-pgo.sh: training run" >&2
train() { "$build/capsim" run "$@" -q --threads 1 -o "$build/train.json" >/dev/null; }
train bench/models/mmc.json --set /simulation/duration=20000s
train bench/models/resilience.json
train bench/models/five-tier.json --replications 1 --set /simulation/warmup=30s \
  --set /simulation/duration=3m
for model in models/*.json; do
  train "$model" --replications 1 || echo "build-pgo.sh: $model did not run (not used)" >&2
done
rm -f "$build/train.json"

echo "build-pgo.sh: optimised build" >&2
cmake -S . -B "$build" -DCAPSIM_PGO=USE >/dev/null
cmake --build "$build" --target capsim -j "$jobs"
echo "build-pgo.sh: $build/capsim" >&2
