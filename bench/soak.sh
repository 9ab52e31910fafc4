#!/usr/bin/env bash
# Soak benchmark (issue 7): one replication of the default model long enough for about 10^9
# events (64 simulated hours at its morning-ramp rates, ~4,400 events per simulated second),
# with the resident set size sampled every few seconds: memory must stay flat (statistics are
# histograms and a time series capped at 2,000 windows; the calendar and pools stop growing
# once warm). Prints one line per sample and a summary; exits 1 if the last sample's RSS is more
# than 1.5x the one at 10% of the run.
#
#   bench/soak.sh [BUILD_DIR] [DURATION] [INTERVAL_S]     (defaults: build 64h 5)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
duration="${2:-64h}"
interval="${3:-5}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$build/capsim" run models/web-peak.json --replications 1 --threads 1 --duration "$duration" \
  --max-events 0 -q -o "$out/results.json" &
pid=$!
start=$(date +%s)
echo "seconds  rss_mb"
samples=()
while kill -0 "$pid" 2>/dev/null; do
  rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  if [ -n "$rss_kb" ]; then
    now=$(( $(date +%s) - start ))
    awk -v t="$now" -v k="$rss_kb" 'BEGIN { printf "%7d  %6.1f\n", t, k / 1024 }'
    samples+=("$rss_kb")
  fi
  sleep "$interval"
done
wait "$pid"
perf=$(sed -n '/"performance"/,/}/p' "$out/results.json")
events=$(echo "$perf" | grep -o '"events": *[0-9]*' | grep -o '[0-9]*$')
wall=$(echo "$perf" | grep -o '"wall_seconds": *[0-9.]*' | grep -o '[0-9.]*$')
n=${#samples[@]}
[ "$n" -ge 2 ] || { echo "soak: too few samples"; exit 1; }
early=${samples[$(( n / 10 ))]}
last=${samples[$(( n - 1 ))]}
peak=$(printf '%s\n' "${samples[@]}" | sort -n | tail -1)
echo "events: $events in $wall s; RSS at 10% of the run: $(( early / 1024 )) MiB," \
  "peak $(( peak / 1024 )) MiB, at the end: $(( last / 1024 )) MiB"
if [ "$last" -gt $(( early * 3 / 2 )) ]; then
  echo "soak: memory grew by more than 1.5x"; exit 1
fi
