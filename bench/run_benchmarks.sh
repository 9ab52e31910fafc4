#!/usr/bin/env bash
# Runs capsim's benchmarks and prints the figures that docs/performance.md reports:
#   1. Google Benchmark (bench/mmc_bench.cpp): capsim's engine against a hand-written M/M/c loop;
#   2. the same M/M/c in SimPy 3 (bench/simpy_mmc.py), per-customer rates compared;
#   3. `capsim run` end to end at 1x and 10x the simulated time: peak resident memory.
# Takes under a minute on a 2-core machine once built (the first build takes a few more).
#
# Usage: bench/run_benchmarks.sh            (from anywhere)
# Environment: BUILD_DIR (default build-bench), RESULTS_DIR (default $BUILD_DIR/bench-results),
#   REPETITIONS (default 5), SIMPY_CUSTOMERS (default 200000), JOBS (default 2).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-bench}"
RESULTS_DIR="${RESULTS_DIR:-$BUILD_DIR/bench-results}"
REPETITIONS="${REPETITIONS:-5}"
SIMPY_CUSTOMERS="${SIMPY_CUSTOMERS:-200000}"
JOBS="${JOBS:-2}"
MODEL="$ROOT/bench/models/mmc.json"
DURATION_1X_S=111111
DURATION_10X_S=1111110

# SimPy comes from Debian's python3-simpy3, which only /usr/bin/python3 sees when another
# python3 (pyenv, a virtual environment) comes first on PATH.
PYTHON=""
for candidate in /usr/bin/python3 python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c "import simpy" 2>/dev/null; then
    PYTHON="$candidate"
    break
  fi
done
# Parsing the results needs only the standard library.
REPORT_PYTHON="${PYTHON:-python3}"

TIME_V=""
if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then TIME_V=/usr/bin/time; fi

echo "== build ($BUILD_DIR)"
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCAPSIM_BENCH=ON >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS" --target capsim capsim_bench
mkdir -p "$RESULTS_DIR"

echo
echo "== Google Benchmark: capsim against the hand-written loop ($REPETITIONS repetitions)"
"$BUILD_DIR/bench/capsim_bench" --benchmark_repetitions="$REPETITIONS" \
  --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true \
  --benchmark_out="$RESULTS_DIR/gbench.json" --benchmark_out_format=json

echo
echo "== SimPy ($SIMPY_CUSTOMERS customers)"
if [[ -n "$PYTHON" ]]; then
  "$PYTHON" "$ROOT/bench/simpy_mmc.py" --customers "$SIMPY_CUSTOMERS" --json \
    >"$RESULTS_DIR/simpy.json"
  cat "$RESULTS_DIR/simpy.json"
else
  echo "SimPy not found (Debian: apt-get install python3-simpy3): skipped"
  rm -f "$RESULTS_DIR/simpy.json"
fi

# One `capsim run` of the benchmark model: results in NAME.json, /usr/bin/time -v in NAME.time.
capsim_run() {
  local name="$1"
  shift
  local cmd=("$BUILD_DIR/capsim" run "$MODEL" "$@" -o "$RESULTS_DIR/$name.json" -q)
  if [[ -n "$TIME_V" ]]; then
    "$TIME_V" -v -o "$RESULTS_DIR/$name.time" "${cmd[@]}"
  else
    "${cmd[@]}"
    rm -f "$RESULTS_DIR/$name.time"
  fi
}

echo
echo "== capsim run end to end: 1x and 10x the simulated time"
# Default 10 s windows (the time series grows with simulated time), then a single window as long
# as the run (the engine alone).
capsim_run run-1x --set "/simulation/duration=\"${DURATION_1X_S}s\""
capsim_run run-10x --set "/simulation/duration=\"${DURATION_10X_S}s\""
capsim_run run-1x-1window --set "/simulation/duration=\"${DURATION_1X_S}s\"" \
  --set "/simulation/window=\"${DURATION_1X_S}s\""
capsim_run run-10x-1window --set "/simulation/duration=\"${DURATION_10X_S}s\"" \
  --set "/simulation/window=\"${DURATION_10X_S}s\""

echo
"$REPORT_PYTHON" - "$RESULTS_DIR" <<'EOF'
import json
import os
import re
import sys

results = sys.argv[1]


def load(name):
    path = os.path.join(results, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def max_rss_mb(name):
    path = os.path.join(results, name + ".time")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
    return int(m.group(1)) / 1024.0 if m else None


def median(bench, name):
    for b in bench["benchmarks"]:
        if b.get("run_name") == name and b.get("aggregate_name") == "median":
            return b
    raise SystemExit(f"no median for {name} in gbench.json")


def fmt(x, unit=""):
    return "n/a" if x is None else f"{x:,.0f}{unit}"


bench = load("gbench.json")
capsim = median(bench, "BM_CapsimMMc/timeseries:0")
capsim_ts = median(bench, "BM_CapsimMMc/timeseries:1")
hand = median(bench, "BM_HandLoopMMc")
simpy = load("simpy.json")
run_1x, run_10x = load("run-1x.json"), load("run-10x.json")
one_1x, one_10x = load("run-1x-1window.json"), load("run-10x-1window.json")

rows = []
rows.append(("capsim events/s (engine, per CPU s)", fmt(capsim["events/s"])))
rows.append(("capsim events/s (engine + time series)", fmt(capsim_ts["events/s"])))
rows.append(("hand loop events/s", fmt(hand["events/s"])))
rows.append(("hand loop / capsim (goal <= 2)", f"{hand['events/s'] / capsim['events/s']:.2f}"))
rows.append(("capsim customers/s (engine)", fmt(capsim["customers/s"])))
if simpy:
    rows.append(("SimPy customers/s (per CPU s)", fmt(simpy["customers_per_second"])))
    rows.append(("capsim / SimPy (goal >= 50)",
                 f"{capsim['customers/s'] / simpy['customers_per_second']:.1f}"))
    rows.append(("capsim with time series / SimPy",
                 f"{capsim_ts['customers/s'] / simpy['customers_per_second']:.1f}"))
else:
    rows.append(("SimPy customers/s", "skipped"))
rows.append(("capsim run 1x: events/s (wall), wall s",
             f"{run_1x['performance']['events_per_second']:,.0f}, "
             f"{run_1x['performance']['wall_seconds']:.2f}"))
for label, a, b, na, nb in (("10 s windows", run_1x, run_10x, "run-1x", "run-10x"),
                            ("one window", one_1x, one_10x, "run-1x-1window",
                             "run-10x-1window")):
    pa, pb = a["performance"]["peak_rss_mb"], b["performance"]["peak_rss_mb"]
    rows.append((f"peak RSS MiB 1x / 10x, {label}", f"{pa:.1f} / {pb:.1f}"))
    rows.append((f"  10x / 1x (goal <= 1.2)", f"{pb / pa:.2f}"))
    ta, tb = max_rss_mb(na), max_rss_mb(nb)
    if ta and tb:
        rows.append((f"  /usr/bin/time max RSS MiB 1x / 10x", f"{ta:.1f} / {tb:.1f} ({tb / ta:.2f})"))

width = max(len(r[0]) for r in rows)
print("== summary")
for k, v in rows:
    print(f"{k:<{width}}  {v}")
EOF
