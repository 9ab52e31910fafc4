"""Helpers shared by the notebooks: the capsim Python module (docs/python.md), the small
settings, running models and experiments in-process and saving what they produce.

The notebooks never simulate anything themselves: every number comes from capsim's engine, the
same library as the capsim command (docs/results-format.md, docs/experiments.md). Settings come
from the environment:

  CAPSIM_PYTHONPATH      the folder holding the built module (default: build/python)
  CAPSIM_NOTEBOOK_SMALL  1: few replications and short simulated times (quick runs, tests)
  CAPSIM_NOTEBOOK_OUT    where figures and capsim's outputs go (default: notebooks/out)
  CAPSIM_THREADS         worker threads for capsim (default: every core)
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def repo_path(path):
    """A path of the repository (models/x.json), absolute."""
    p = Path(path)
    return p if p.is_absolute() else ROOT / p


def _import_capsim():
    """The capsim module: the build's (CAPSIM_PYTHONPATH, default build/python) before any
    other."""
    where = repo_path(os.environ.get("CAPSIM_PYTHONPATH", "build/python"))
    if where.is_dir() and str(where) not in sys.path:
        sys.path.insert(0, str(where))
    try:
        import capsim as module
    except ImportError as e:
        raise ImportError(f"the capsim Python module is not built in {where}: build it "
                          "(scripts/setup.sh python, then scripts/build.sh) or set "
                          f"CAPSIM_PYTHONPATH ({e})") from e
    return module


capsim = _import_capsim()
# The DataFrame builders of the module, under the names the notebooks use.
results_summary = capsim.results_summary
results_timeseries = capsim.results_timeseries
sweep_frame = capsim.sweep_points
compare_frames = capsim.compare_frames
estimate = capsim.estimate


def small():
    """True when CAPSIM_NOTEBOOK_SMALL=1: quick settings."""
    return os.environ.get("CAPSIM_NOTEBOOK_SMALL", "") == "1"


def module_info():
    """Which capsim module the notebook uses."""
    return f"capsim {capsim.__version__} ({Path(capsim.__file__).parent})"


def out_dir():
    """The directory for figures and capsim outputs (created)."""
    d = repo_path(os.environ.get("CAPSIM_NOTEBOOK_OUT", "notebooks/out"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def set_args(overrides):
    """The overrides {"pointer": ..., "value": ...} of an experiment as `set` arguments
    ("POINTER=JSON", in order: a pointer given twice keeps its last value)."""
    return [f"{o['pointer']}={json.dumps(o['value'])}" for o in overrides]


def _threads():
    return int(os.environ.get("CAPSIM_THREADS") or 0)


def _call(name, function, target, output, **options):
    options = {k: v for k, v in options.items() if v not in (None, [], {})}
    shown = ", ".join([repr(str(target))] + [f"{k}={v!r}" for k, v in options.items()])
    print(f"capsim.{name}({shown})")
    result = function(target, threads=_threads(), **options)
    if output is not None:
        result.save(output)
    return result


def run(model, output=None, **options):
    """capsim.run(model, **options) on CAPSIM_THREADS threads; saves the results document to
    `output` (what `capsim run -o` writes) when given."""
    return _call("run", capsim.run, model, output, **options)


def sweep(experiment, output=None, **options):
    """capsim.sweep, as run()."""
    return _call("sweep", capsim.sweep, experiment, output, **options)


def compare(experiment, output=None, **options):
    """capsim.compare, as run()."""
    return _call("compare", capsim.compare, experiment, output, **options)


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def save(fig, name):
    """Saves a figure as OUT/NAME and returns its path."""
    path = out_dir() / name
    fig.savefig(path, dpi=110, bbox_inches="tight")
    print("saved", path)
    return path
