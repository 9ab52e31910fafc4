"""Helpers shared by the notebooks: where capsim is, the small settings, running the CLI and
reading what it writes into pandas.

The notebooks never simulate anything themselves: every number comes from the capsim binary
(docs/results-format.md, docs/experiments.md). Settings come from the environment:

  CAPSIM_BINARY          the capsim executable (default: build/capsim in the repository)
  CAPSIM_NOTEBOOK_SMALL  1: few replications and short simulated times (quick runs, tests)
  CAPSIM_NOTEBOOK_OUT    where figures and capsim's outputs go (default: notebooks/out)
  CAPSIM_THREADS         worker threads for capsim (default: every core)
"""

import json
import math
import os
import shlex
import subprocess
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def small():
    """True when CAPSIM_NOTEBOOK_SMALL=1: quick settings."""
    return os.environ.get("CAPSIM_NOTEBOOK_SMALL", "") == "1"


def repo_path(path):
    """A path of the repository (models/x.json), absolute."""
    p = Path(path)
    return p if p.is_absolute() else ROOT / p


def capsim_binary():
    p = repo_path(os.environ.get("CAPSIM_BINARY", "build/capsim"))
    if not p.is_file():
        raise FileNotFoundError(f"no capsim binary at {p}: build it (scripts/build.sh) or set "
                                "CAPSIM_BINARY")
    return p


def out_dir():
    """The directory for figures and capsim outputs (created)."""
    d = repo_path(os.environ.get("CAPSIM_NOTEBOOK_OUT", "notebooks/out"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def set_args(overrides):
    """`--set POINTER=JSON` for each {"pointer": ..., "value": ...} of an experiment."""
    args = []
    for o in overrides:
        args += ["--set", f"{o['pointer']}={json.dumps(o['value'])}"]
    return args


def capsim(*args):
    """Runs `capsim ARGS...`; raises with capsim's message when it fails."""
    cmd = [str(capsim_binary())] + [str(a) for a in args]
    if os.environ.get("CAPSIM_THREADS"):
        cmd += ["--threads", os.environ["CAPSIM_THREADS"]]
    print("$", " ".join(shlex.quote(c) for c in cmd))
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"capsim exited with status {result.returncode}:\n{result.stderr}")
    return result


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def estimate(e):
    """(mean, ci_lo, ci_hi) of an estimate {mean, ci, n}, NaN where undefined."""
    nan = math.nan
    if not isinstance(e, dict):
        return (nan if e is None else float(e), nan, nan)
    mean = e.get("mean")
    ci = e.get("ci") or [None, None]
    return (nan if mean is None else mean, nan if ci[0] is None else ci[0],
            nan if ci[1] is None else ci[1])


def _flatten(prefix, obj, rows):
    for key, value in obj.items():
        name = f"{prefix}.{key}"
        if isinstance(value, dict) and "mean" in value and "ci" in value:
            rows.append((name,) + estimate(value))
        elif isinstance(value, dict):
            _flatten(name, value, rows)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            rows.append((name, float(value), math.nan, math.nan))


def results_summary(doc):
    """Every metric of a results document: metric (dotted), mean, ci_lo, ci_hi."""
    rows = []
    for section in ("workloads", "services"):
        for name, metrics in doc.get(section, {}).items():
            _flatten(f"{section}.{name}", metrics, rows)
    return pd.DataFrame(rows, columns=["metric", "mean", "ci_lo", "ci_hi"]).set_index("metric")


def results_timeseries(doc):
    """The time series (replication 0) as a DataFrame with the document's columns; the t of a
    row is the start of its window, `t_mid` its middle."""
    ts = doc["timeseries"]
    df = pd.DataFrame(ts["rows"], columns=ts["columns"])
    for c in df.columns:
        if c not in ("workload", "service"):
            df[c] = pd.to_numeric(df[c], errors="coerce")
    df["t_mid"] = df["t"] + ts["window_seconds"] / 2
    return df


def sweep_frame(doc):
    """A sweep's JSON output: one row per point, the parameters, then METRIC.mean, .ci_lo and
    .ci_hi per metric (NaN where undefined), and slo_met."""
    rows = []
    for p in doc["points"]:
        row = dict(p["parameters"])
        for m in doc["metrics"]:
            row[m + ".mean"], row[m + ".ci_lo"], row[m + ".ci_hi"] = estimate(p["metrics"].get(m))
        row["slo_met"] = p.get("slo_met")
        rows.append(row)
    return pd.DataFrame(rows)


def compare_frames(doc):
    """A comparison's JSON output: (values, differences), long DataFrames with variant, metric,
    mean, ci_lo, ci_hi (differences also relative and verdict)."""
    metrics = [m["name"] if isinstance(m, dict) else m for m in doc["metrics"]]
    values, diffs = [], []
    for variant, ms in doc["variants"].items():
        for m in metrics:
            values.append((variant, m) + estimate(ms.get(m)))
    for variant, ms in doc["differences"].items():
        for m in metrics:
            d = ms.get(m) or {}
            diffs.append((variant, m) + estimate(d) + (d.get("relative"), d.get("verdict")))
    return (pd.DataFrame(values, columns=["variant", "metric", "mean", "ci_lo", "ci_hi"]),
            pd.DataFrame(diffs, columns=["variant", "metric", "mean", "ci_lo", "ci_hi",
                                         "relative", "verdict"]))


def save(fig, name):
    """Saves a figure as OUT/NAME and returns its path."""
    path = out_dir() / name
    fig.savefig(path, dpi=110, bbox_inches="tight")
    print("saved", path)
    return path
