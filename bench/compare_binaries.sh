#!/usr/bin/env bash
# Side by side: two capsim binaries (e.g. the previous commit's and this one's, static Release
# builds) on the benchmark models, alternating, one thread; prints each run's simulation wall
# time (`performance.wall_seconds` of the results: no loading or writing) and checks that the
# results agree apart from the performance block. docs/performance.md reports medians.
#
#   bench/compare_binaries.sh OLD_CAPSIM NEW_CAPSIM [ROUNDS]
#
# Build a binary of another commit with, for example:
#   git worktree add /tmp/old <commit> && cmake -S /tmp/old -B /tmp/old-build -G Ninja \
#     -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DCMAKE_EXE_LINKER_FLAGS=-static &&
#   cmake --build /tmp/old-build --target capsim
set -euo pipefail
cd "$(dirname "$0")/.."
old="$1"
new="$2"
rounds="${3:-5}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
wall() { grep -o '"wall_seconds": [0-9.e+-]*' "$1" | cut -d' ' -f2; }
same() {
  cmp -s <(grep -vE '"(wall_seconds|events_per_second|peak_rss_mb)"' "$1") \
    <(grep -vE '"(wall_seconds|events_per_second|peak_rss_mb)"' "$2")
}
run_model() {
  local name="$1"
  shift
  for ((i = 1; i <= rounds; i++)); do
    for side in old new; do
      local bin="$old"
      [ "$side" = new ] && bin="$new"
      "$bin" run "$@" -q --threads 1 -o "$out/$name-$side.json"
      echo "$name $side $(wall "$out/$name-$side.json")"
    done
  done
  if same "$out/$name-old.json" "$out/$name-new.json"; then
    echo "$name: results identical"
  else
    echo "$name: results DIFFER"
  fi
}
run_model mmc bench/models/mmc.json
run_model resilience bench/models/resilience.json
run_model five-tier bench/models/five-tier.json --replications 1 --duration 10m
