"""capsim for Python: the simulator's engine, in-process (docs/python.md).

    import capsim
    r = capsim.run("models/web-peak.json", seed=7, replications=5,
                   set={"/services/api/replicas": 4})
    r.summary.loc["workloads.browse.latency_ms.p99"]      # mean, ci_lo, ci_hi, n
    r.timeseries                                           # one row per window and workload/service
    curve = capsim.sweep("experiments/web-peak-latency-vs-load.json", replications=3)
    curve.points                                           # parameters, METRIC.mean/.ci_lo/.ci_hi

A model is a path (str or os.PathLike), a JSON document as a string, or a dict; an experiment
likewise. Every function runs the same library as the ``capsim`` command with the same
arguments, so results are the command line's for the same model and seed: ``r.document`` is what
``capsim run -o`` writes (``r.json_text`` the text itself). Bad input raises ``ModelError`` with
the command line's message (JSON Pointer, expected, found); Ctrl-C stops a run and raises
KeyboardInterrupt; the GIL is released while the engine runs.
"""

import json
import os
import warnings

from . import _capsim
from ._capsim import ModelError, RunStopped, SimulationError
from ._frames import (analysis_frames, compare_frames, estimate, results_slo, results_summary,
                      results_timeseries, size_evaluations, size_services, sweep_estimates,
                      sweep_points)

__version__ = _capsim.version
__all__ = ["run", "validate", "sweep", "size", "compare", "analyze", "ModelError",
           "SimulationError", "RunStopped", "RunResult", "SweepResult", "SizeResult",
           "CompareResult", "Analysis", "estimate", "results_summary", "results_timeseries",
           "sweep_points", "compare_frames"]


def _source(document):
    """(text or path, is_text) of a model or experiment: a dict (or list) is sent as its JSON
    text; a str that starts with '{' or holds a line break is a document (JSON or YAML); any other
    str or os.PathLike is a path."""
    if isinstance(document, (dict, list)):
        return json.dumps(document), True
    if isinstance(document, os.PathLike):
        return os.fspath(document), False
    if isinstance(document, str):
        return document, document.lstrip().startswith("{") or "\n" in document.strip()
    raise TypeError("expected a path, a JSON or YAML document (str) or a dict, found "
                    f"{type(document).__name__}")


def _sets(overrides):
    """``--set`` arguments: a dict {pointer: value} (value any JSON-able Python value), or an
    iterable of "POINTER=VALUE" strings exactly as on the command line."""
    if overrides is None:
        return []
    if isinstance(overrides, dict):
        return [f"{pointer}={json.dumps(value)}" for pointer, value in overrides.items()]
    if isinstance(overrides, str):
        return [overrides]
    return [str(o) for o in overrides]


def _duration(value):
    """A duration as the command line takes it ("10m"); a number is seconds."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a duration such as '10m' or seconds, found {value!r}")
    return f"{value!r}s"


def _warn(texts):
    for text in texts:
        warnings.warn(text, UserWarning, stacklevel=3)


class _Document:
    """What every result has: ``document`` (the output as a dict), ``json_text`` (exactly the
    command line's ``-o FILE.json``), ``table`` (what it prints)."""

    def __init__(self, out):
        self.json_text = out["json"]
        self.document = json.loads(self.json_text)
        self.table = out.get("table", "")

    def __str__(self):
        return self.table

    def __repr__(self):
        return f"<{type(self).__name__} {self.document.get('model') or self.document.get('experiment', '')}>"

    def save(self, path):
        """Writes ``json_text`` to ``path`` (what ``-o path`` writes)."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.json_text)


class RunResult(_Document):
    """The results of ``run``: ``summary`` (every metric: mean, ci_lo, ci_hi, n, indexed by
    dotted name), ``timeseries``, ``slo`` (the checks, or None), ``slo_met``, ``notices``, and the
    texts ``summary_csv`` and ``timeseries_csv`` (``capsim run --csv``)."""

    def __init__(self, out):
        super().__init__(out)
        self.summary_csv = out["summary_csv"]
        self.timeseries_csv = out["timeseries_csv"]
        self.summary = results_summary(self.document)
        self.timeseries = results_timeseries(self.document)
        self.slo = results_slo(self.document)
        slo = self.document.get("slo")
        self.slo_met = None if slo is None else slo.get("met")
        self.notices = self.document.get("notices", [])

    def __getitem__(self, metric):
        """One metric's row of ``summary`` (mean, ci_lo, ci_hi, n)."""
        return self.summary.loc[metric]


class SweepResult(_Document):
    """A sweep: ``points`` (one row per point: parameters, METRIC.mean/.ci_lo/.ci_hi, slo_met),
    ``estimates`` (long: parameters, metric, mean, ci_lo, ci_hi, n) and ``csv`` (exactly
    ``capsim sweep -o FILE.csv``)."""

    def __init__(self, out):
        super().__init__(out)
        self.csv = out["csv"]
        self.points = sweep_points(self.document)
        self.estimates = sweep_estimates(self.document)


class SizeResult(_Document):
    """A sizing: ``services`` (the answer per service beside the analytic estimate and the rule
    of thumb), ``evaluations`` (every count tried), ``replicas`` ({service: answer or None}),
    ``log`` (the decisions, as the command line prints them)."""

    def __init__(self, out):
        super().__init__(out)
        self.log = list(out["log"])
        self.services = size_services(self.document)
        self.evaluations = size_evaluations(self.document)
        self.replicas = {n: s.get("replicas") for n, s in self.document["services"].items()}


class CompareResult(_Document):
    """A comparison: ``values`` (variant, metric, mean, ci_lo, ci_hi) and ``differences`` (each
    variant minus the baseline, paired: also relative and verdict)."""

    def __init__(self, out):
        super().__init__(out)
        self.values, self.differences = compare_frames(self.document)


class Analysis(_Document):
    """Analytic estimates: ``services``, ``workloads`` (indexed by name) and, with check=True,
    ``check`` (quantity, analytic, simulated)."""

    def __init__(self, out):
        super().__init__(out)
        self.services, self.workloads, self.check = analysis_frames(self.document)
        # The command line's text table stays in the command line (src/cli): show the frames.
        parts = [f"model {self.document.get('model')}: analytic estimates at the peak load",
                 self.services.to_string(), self.workloads.to_string()]
        if self.check is not None:
            parts.append(self.check.to_string(index=False))
        self.table = "\n\n".join(parts) + "\n"


def run(model, *, seed=None, replications=None, duration=None, set=None, threads=0,
        max_events=None, max_wall=None):
    """``capsim run MODEL``: the model's replications, merged. ``set`` overrides values by JSON
    Pointer ({"/services/api/replicas": 4}); ``seed``, ``replications`` and ``duration`` ("10m"
    or seconds) override /simulation; ``threads`` 0 means every core (results do not depend on
    it); ``max_events`` is the per-replication event budget (default 10^9, 0: none);
    ``max_wall`` ("10m" or seconds) stops the run with RunStopped. Returns a RunResult."""
    text, is_text = _source(model)
    out = _capsim.run(text, is_text, _sets(set), seed, replications, _duration(duration),
                      int(threads), max_events, _duration(max_wall) or "")
    _warn(out["warnings"])
    return RunResult(out)


def validate(model, *, set=None):
    """``capsim validate MODEL``: loads the model (raising ModelError when it is wrong) and
    returns what it contains: name, workloads, services, duration_s, warmup_s, replications,
    seed, warnings."""
    text, is_text = _source(model)
    return _capsim.validate(text, is_text, _sets(set))


def _experiment(function, cls, experiment, seed, replications, duration, set, threads):
    text, is_text = _source(experiment)
    return cls(function(text, is_text, _sets(set), seed, replications, _duration(duration),
                        int(threads)))


def sweep(experiment, *, seed=None, replications=None, duration=None, set=None, threads=0):
    """``capsim sweep EXPERIMENT``: one row of merged metrics per point. ``set`` changes the
    model of every point; ``replications`` replaces the experiment's. An experiment given as a
    dict or text names its model relative to the current directory. Returns a SweepResult."""
    return _experiment(_capsim.sweep, SweepResult, experiment, seed, replications, duration, set,
                       threads)


def size(experiment, *, seed=None, replications=None, duration=None, set=None, threads=0):
    """``capsim size EXPERIMENT``: the smallest replica counts that keep the SLO. Returns a
    SizeResult."""
    return _experiment(_capsim.size, SizeResult, experiment, seed, replications, duration, set,
                       threads)


def compare(experiment, *, seed=None, replications=None, duration=None, set=None, threads=0):
    """``capsim compare EXPERIMENT``: variants against the baseline with common random numbers.
    Returns a CompareResult."""
    return _experiment(_capsim.compare, CompareResult, experiment, seed, replications, duration,
                       set, threads)


def analyze(model, *, set=None, check=False, seed=None, replications=None, duration=None,
            threads=0):
    """``capsim analyze MODEL [--check]``: Erlang C, traffic-equation and MVA estimates at the
    peak; with ``check`` also a simulation of the same load (seed, replications, duration,
    threads as for run). Returns an Analysis."""
    text, is_text = _source(model)
    out = _capsim.analyze(text, is_text, _sets(set), bool(check), seed, replications,
                          _duration(duration), int(threads))
    _warn(out["warnings"])
    return Analysis(out)
