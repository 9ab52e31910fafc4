#!/usr/bin/env bash
# Executes every notebook in notebooks/ headless with small settings (CAPSIM_NOTEBOOK_SMALL=1) and
# fails if a cell fails or a figure a notebook should save is missing or empty.
#
#   scripts/run_notebooks.sh [OUTPUT_DIR]
#
# CAPSIM_PYTHONPATH: the folder holding the built Python module capsim (default build/python; the
# notebooks run the engine through it, docs/python.md). OUTPUT_DIR (default: a temporary
# directory, removed afterwards) receives the figures, capsim's outputs and the executed notebooks.
# Debian's Python and Jupyter are used explicitly (/usr/bin/python3, /usr/bin/jupyter-nbconvert:
# `scripts/setup.sh python` installs them with pandas and matplotlib); without them, or without
# the module (built when python3-dev and pybind11-dev are present), the script says so and exits
# 77 (skipped, for ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python=/usr/bin/python3
nbconvert=/usr/bin/jupyter-nbconvert

if [ ! -x "$nbconvert" ] || [ ! -x "$python" ] ||
   ! "$python" -c 'import pandas, matplotlib, ipykernel' 2>/dev/null; then
  echo "run_notebooks.sh: skipped: needs $nbconvert and $python with pandas, matplotlib and" \
       "ipykernel (scripts/setup.sh python)"
  exit 77
fi

module_dir=${CAPSIM_PYTHONPATH:-build/python}
case "$module_dir" in /*) ;; *) module_dir=$root/$module_dir ;; esac
if ! PYTHONPATH=$module_dir "$python" -c 'import capsim' 2>/dev/null; then
  echo "run_notebooks.sh: skipped: no capsim Python module in $module_dir (built by" \
       "scripts/build.sh where python3-dev and pybind11-dev are installed: scripts/setup.sh" \
       "python; or set CAPSIM_PYTHONPATH)"
  exit 77
fi

if [ $# -ge 1 ]; then
  out=$1
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
else
  out=$(mktemp -d "${TMPDIR:-/tmp}/capsim-notebooks.XXXXXX")
  trap 'rm -rf "$out"' EXIT
fi

export CAPSIM_PYTHONPATH=$module_dir CAPSIM_NOTEBOOK_SMALL=1 CAPSIM_NOTEBOOK_OUT=$out MPLBACKEND=Agg
# ipykernel warns about frozen modules under its debugger; nothing to act on here.
export PYDEVD_DISABLE_FILE_VALIDATION=1
# Jupyter's runtime files (kernel connection files) stay in the output directory.
export JUPYTER_RUNTIME_DIR=$out/.jupyter-runtime
unset CAPSIM_NOTEBOOK_RESULTS

# The figures each notebook saves.
declare -A figures=(
  [latency_vs_load]="latency_vs_load.png"
  [autoscaling_timeline]="autoscaling_timeline.png autoscaling_replicas.png"
  [compare_strategies]="compare_strategies_variants.png compare_strategies_differences.png"
  [golden_signals]="golden_signals.png"
)

failed=0
for notebook in notebooks/*.ipynb; do
  name=$(basename "$notebook" .ipynb)
  start=$SECONDS
  if ! "$nbconvert" --to notebook --execute --ExecutePreprocessor.timeout=600 \
         --ExecutePreprocessor.kernel_name=python3 --output-dir "$out/executed" \
         "$notebook" >"$out/$name.log" 2>&1; then
    echo "FAIL $notebook: a cell failed:" >&2
    tail -n 40 "$out/$name.log" >&2
    failed=1
    continue
  fi
  missing=""
  for figure in ${figures[$name]:-}; do
    [ -s "$out/$figure" ] || missing="$missing $figure"
  done
  if [ -z "${figures[$name]:-}" ]; then
    echo "FAIL $notebook: no expected figures listed in scripts/run_notebooks.sh" >&2
    failed=1
  elif [ -n "$missing" ]; then
    echo "FAIL $notebook: missing or empty figure(s):$missing" >&2
    failed=1
  else
    echo "ok   $notebook ($((SECONDS - start)) s): ${figures[$name]}"
  fi
done
exit $failed
