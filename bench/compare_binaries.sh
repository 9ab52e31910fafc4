#!/usr/bin/env bash
# Side by side: two capsim binaries (e.g. the previous commit's and this one's, static Release
# builds) on the benchmark models, alternating, one thread; prints each run's simulation wall
# time (`performance.wall_seconds` of the results: no loading or writing) and the process's CPU
# time (user + sys, /usr/bin/time), checks that the results agree apart from the performance
# block, and ends with the medians of the per-round ratios old / new (above 1: new is faster).
# Ratios of interleaved runs are what docs/performance.md reports: they hold on a loaded machine
# better than either figure alone.
#
#   bench/compare_binaries.sh OLD_CAPSIM NEW_CAPSIM [ROUNDS]
#
# Environment: MODELS (default "mmc resilience five-tier"), FIVE_TIER_DURATION (default 10m:
# the five-tier model's simulated time, one replication, its 5 minute warm-up included).
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
models="${MODELS:-mmc resilience five-tier}"
five_tier_duration="${FIVE_TIER_DURATION:-10m}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
wall() { grep -o '"wall_seconds": [0-9.e+-]*' "$1" | cut -d' ' -f2; }
same() {
  cmp -s <(grep -vE '"(wall_seconds|events_per_second|peak_rss_mb|events)": [0-9]' "$1") \
    <(grep -vE '"(wall_seconds|events_per_second|peak_rss_mb|events)": [0-9]' "$2")
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
run_model() {
  local name="$1"
  shift
  : >"$out/$name-ratios"
  for ((i = 1; i <= rounds; i++)); do
    local w_old c_old
    for side in old new; do
      local bin="$old"
      [ "$side" = new ] && bin="$new"
      /usr/bin/time -f '%U %S' -o "$out/time" "$bin" run "$@" -q --threads 1 -o "$out/$name-$side.json"
      local w c
      w="$(wall "$out/$name-$side.json")"
      c="$(awk '{ print $1 + $2 }' "$out/time")"
      echo "$name $side wall_seconds $w cpu_seconds $c"
      if [ "$side" = old ]; then
        w_old="$w"
        c_old="$c"
      else
        awk -v wo="$w_old" -v wn="$w" -v co="$c_old" -v cn="$c" \
          'BEGIN { print wo / wn, co / cn }' >>"$out/$name-ratios"
      fi
    done
  done
  if same "$out/$name-old.json" "$out/$name-new.json"; then
    echo "$name: results identical"
  else
    echo "$name: results DIFFER"
  fi
  echo "$name: median old/new: wall $(cut -d' ' -f1 "$out/$name-ratios" | median)" \
    "cpu $(cut -d' ' -f2 "$out/$name-ratios" | median) ($rounds rounds)"
}
for m in $models; do
  case "$m" in
    mmc) run_model mmc bench/models/mmc.json ;;
    resilience) run_model resilience bench/models/resilience.json ;;
    five-tier)
      run_model five-tier bench/models/five-tier.json --replications 1 \
        --duration "$five_tier_duration"
      ;;
    *) echo "compare_binaries.sh: unknown model $m" >&2 && exit 2 ;;
  esac
done
