#!/usr/bin/env bash
# Fuzzes model loading and a short simulation with libFuzzer (fuzz/model_fuzzer.cpp), under
# AddressSanitizer and UndefinedBehaviorSanitizer, for SECONDS seconds (default 120).
#
#   scripts/fuzz.sh [SECONDS]
#
# Builds with clang-14 into build-fuzz/ (-DCAPSIM_FUZZ=ON), seeds the corpus with every model
# (models/*.json and the JSON files under tests/), and runs with the dictionary fuzz/model.dict.
# The corpus grows in build-fuzz/corpus/ (kept between runs); crashes, timeouts, leaks and
# out-of-memory inputs are written to build-fuzz/artifacts/. Exits non-zero when the fuzzer
# found anything. Reproduce one input with: build-fuzz/fuzz/model_fuzzer FILE
# Environment: FUZZ_JOBS=N runs N fuzzing processes (default 1); FUZZ_ARGS adds libFuzzer flags.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-120}"
case "$seconds" in
  '' | *[!0-9]*) echo "fuzz.sh: expected a number of seconds, found '$seconds'" >&2; exit 2 ;;
esac
jobs="${FUZZ_JOBS:-1}"

bash scripts/setup.sh fuzz
build=build-fuzz
# -O1 with line tables only, as libFuzzer's documentation builds its targets: the crash reports
# keep file and line, and the build (from scratch in CI) is much shorter than with -O2 -g.
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
  -DCAPSIM_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" --target model_fuzzer -j "${FUZZ_BUILD_JOBS:-2}"

# Seeds: every model file of the repository, valid or not.
seeds="$build/seeds"
rm -rf "$seeds"
mkdir -p "$seeds" "$build/corpus" "$build/artifacts"
n=0
while IFS= read -r -d '' file; do
  n=$((n + 1))
  cp "$file" "$seeds/$(printf '%04d' "$n")-$(basename "$file")"
done < <(find models tests -name '*.json' -type f -size -64k -print0 | sort -z)
echo "fuzz.sh: $n seed models, fuzzing for ${seconds} s" >&2

log="$build/fuzz.log"
touch "$log.start"
parallel=()
[ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
status=0
# shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
"$build/fuzz/model_fuzzer" "$build/corpus" "$seeds" \
  -dict=fuzz/model.dict -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix="$build/artifacts/" "${parallel[@]}" ${FUZZ_ARGS:-} >"$log" 2>&1 || status=$?
if [ "$jobs" -gt 1 ]; then cat fuzz-*.log >>"$log" 2>/dev/null && rm -f fuzz-*.log; fi

# The last status line (#EXECS ... cov: N ft: N ...) and the final statistics.
grep -E '^#[0-9]+' "$log" | tail -n 1 || true
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
found=$(find "$build/artifacts" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'leak-*' \
          -o -name 'oom-*' \) -newer "$log.start" 2>/dev/null | wc -l) || true
if [ "$status" -ne 0 ] || [ "${found:-0}" -ne 0 ]; then
  echo "fuzz.sh: the fuzzer found a problem (status $status); see $log and $build/artifacts/" >&2
  grep -E 'ERROR: |SUMMARY: |model_fuzzer: |==[0-9]+==' "$log" | head -n 20 >&2 || true
  exit 1
fi
echo "fuzz.sh: no crash, timeout, leak or out-of-memory in ${seconds} s" >&2
