"""pandas DataFrames of capsim's documents (docs/results-format.md, docs/experiments.md).

Every estimate becomes three columns, ``mean``, ``ci_lo`` and ``ci_hi`` (NaN where undefined or
where fewer than two replications define it); these functions read the documents exactly as the
command line writes them, so they also read files that ``capsim run -o`` etc. wrote.
"""

import math

import pandas as pd

NAN = math.nan


def estimate(e):
    """(mean, ci_lo, ci_hi) of an estimate ``{mean, ci, n}`` or a plain number; NaN where
    undefined."""
    if not isinstance(e, dict):
        return (NAN if e is None else float(e), NAN, NAN)
    mean = e.get("mean")
    ci = e.get("ci") or [None, None]
    return (NAN if mean is None else float(mean), NAN if ci[0] is None else float(ci[0]),
            NAN if ci[1] is None else float(ci[1]))


def _count(e):
    return e.get("n", 0) if isinstance(e, dict) else (0 if e is None else 1)


def _flatten(prefix, obj, rows):
    for key, value in obj.items():
        name = f"{prefix}.{key}"
        if isinstance(value, dict) and "mean" in value and "ci" in value:
            rows.append((name,) + estimate(value) + (_count(value),))
        elif isinstance(value, dict):
            _flatten(name, value, rows)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            rows.append((name, float(value), NAN, NAN, 1))
        elif value is None:
            rows.append((name, NAN, NAN, NAN, 0))


def results_summary(doc):
    """Every metric of a results document, indexed by its dotted name
    (``workloads.browse.latency_ms.p99``): mean, ci_lo, ci_hi, n (replications defining it;
    min/max metrics: the extreme in ``mean``)."""
    rows = []
    for section in ("workloads", "services"):
        for name, metrics in (doc.get(section) or {}).items():
            _flatten(f"{section}.{name}", metrics, rows)
    return pd.DataFrame(rows, columns=["metric", "mean", "ci_lo", "ci_hi", "n"]).set_index(
        "metric")


def results_timeseries(doc):
    """The time series (replication 0) with the document's columns; ``t`` is the start of a
    window, ``t_mid`` its middle."""
    ts = doc["timeseries"]
    df = pd.DataFrame(ts["rows"], columns=ts["columns"])
    for c in df.columns:
        if c not in ("workload", "service"):
            df[c] = pd.to_numeric(df[c], errors="coerce")
    df["t_mid"] = df["t"] + ts["window_seconds"] / 2
    return df


def results_slo(doc):
    """The SLO checks: metric, limit, mean, ci_lo, ci_hi, met, confident (None without an
    SLO)."""
    checks = doc.get("slo")
    if checks is None:
        return None
    if isinstance(checks, dict):
        checks = checks.get("checks", [])
    rows = [(c.get("metric"), c.get("limit")) + estimate(c.get("value")) +
            (c.get("met"), c.get("confident")) for c in checks]
    return pd.DataFrame(rows, columns=["metric", "limit", "mean", "ci_lo", "ci_hi", "met",
                                       "confident"])


def _metric_names(doc):
    return [m["name"] if isinstance(m, dict) else m for m in doc["metrics"]]


def sweep_points(doc):
    """A sweep document, one row per point: the parameters, then METRIC.mean, METRIC.ci_lo and
    METRIC.ci_hi per metric, and slo_met (the columns of ``capsim sweep -o FILE.csv``)."""
    rows = []
    for p in doc["points"]:
        row = dict(p["parameters"])
        for m in _metric_names(doc):
            row[m + ".mean"], row[m + ".ci_lo"], row[m + ".ci_hi"] = estimate(
                p["metrics"].get(m))
        row["slo_met"] = p.get("slo_met")
        rows.append(row)
    return pd.DataFrame(rows)


def sweep_estimates(doc):
    """A sweep document in long form: one row per point and metric, the parameters, then
    metric, mean, ci_lo, ci_hi, n."""
    rows = []
    for p in doc["points"]:
        for m in _metric_names(doc):
            e = p["metrics"].get(m)
            rows.append({**p["parameters"], "metric": m,
                         **dict(zip(("mean", "ci_lo", "ci_hi"), estimate(e))), "n": _count(e)})
    return pd.DataFrame(rows)


def compare_frames(doc):
    """A comparison document: (values, differences), long DataFrames with variant, metric,
    mean, ci_lo, ci_hi (differences also relative and verdict)."""
    metrics = _metric_names(doc)
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


def size_services(doc):
    """A sizing document, one row per sized service: replicas (the answer, NaN when the SLO is
    not met even at the most), confident, analytic, rule_of_thumb, peak_rps,
    breaking_point_rps."""
    rows = []
    for name, s in doc["services"].items():
        rows.append({"service": name, "replicas": s.get("replicas"),
                     "confident": s.get("confident"), "analytic": s.get("analytic"),
                     "rule_of_thumb": s.get("rule_of_thumb"), "peak_rps": s.get("peak_rps"),
                     "breaking_point_rps": s.get("breaking_point_rps")})
    return pd.DataFrame(rows).set_index("service")


def size_evaluations(doc):
    """Every replica count a sizing tried: service, replicas, replications, slo_met,
    confident, in the order decided."""
    rows = []
    for name, s in doc["services"].items():
        for ev in s.get("evaluations", []):
            rows.append({"service": name, "replicas": ev.get("replicas"),
                         "replications": ev.get("replications"), "slo_met": ev.get("slo_met"),
                         "confident": ev.get("confident")})
    return pd.DataFrame(rows, columns=["service", "replicas", "replications", "slo_met",
                                       "confident"])


def analysis_frames(doc):
    """An analysis document: (services, workloads, check). services and workloads are indexed
    by name with their scalar estimates (latency quantiles as latency_ms_pNN); check (None
    without one) has quantity, analytic, simulated."""
    def scalars(entry):
        row = {}
        for key, value in entry.items():
            if key == "latency_ms" and isinstance(value, dict):
                row.update({f"latency_ms_{q}": v for q, v in value.items()})
            elif not isinstance(value, (list, dict)):
                row[key] = value
        return row

    services = pd.DataFrame([{"service": n, **scalars(s)}
                             for n, s in doc.get("services", {}).items()])
    workloads = pd.DataFrame([{"workload": n, **scalars(w)}
                              for n, w in doc.get("workloads", {}).items()])
    if not services.empty:
        services = services.set_index("service")
    if not workloads.empty:
        workloads = workloads.set_index("workload")
    check = None
    if "check" in doc:
        rows = []
        for section in ("services", "workloads"):
            for name, quantities in (doc["check"].get(section) or {}).items():
                for q, pair in quantities.items():
                    rows.append((f"{section}.{name}.{q}", pair.get("analytic"),
                                 pair.get("simulated")))
        check = pd.DataFrame(rows, columns=["quantity", "analytic", "simulated"])
        for c in ("analytic", "simulated"):
            check[c] = pd.to_numeric(check[c], errors="coerce")
    return services, workloads, check
