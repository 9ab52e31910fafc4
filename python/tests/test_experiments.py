"""capsim.sweep, capsim.size and capsim.compare against the command line's outputs."""

import json
import math

import pytest

import capsim
from conftest import MM1, WEB_PEAK, cli, cli_error

RATES = [2, 5, 8]


def sweep_experiment():
    return {"kind": "sweep", "model": str(MM1),
            "overrides": [{"pointer": "/simulation/duration", "value": "20m"},
                          {"pointer": "/simulation/warmup", "value": "1m"}],
            "parameters": [{"name": "rate", "pointer": "/workloads/0/rate", "values": RATES}],
            "metrics": ["workloads.jobs.latency_ms.mean", "workloads.jobs.latency_ms.p99",
                        "services.server.cpu_utilization"],
            "replications": 3}


def write(tmp_path, name, doc):
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def swept(tmp_path_factory, binary):
    tmp = tmp_path_factory.mktemp("sweep")
    path = write(tmp, "mm1-sweep.json", sweep_experiment())
    cli("sweep", path, "--seed", "5", "-o", tmp / "out.csv", "-q")
    cli("sweep", path, "--seed", "5", "-o", tmp / "out.json", "-q")
    return capsim.sweep(path, seed=5, threads=2), tmp


def test_sweep_outputs_are_the_cli_files_byte_for_byte(swept):
    result, tmp = swept
    assert result.csv == (tmp / "out.csv").read_text(encoding="utf-8")
    assert result.json_text == (tmp / "out.json").read_text(encoding="utf-8")


def test_sweep_points_frame_has_mean_ci_lo_ci_hi_per_metric(swept):
    result, _ = swept
    points = result.points
    assert list(points["rate"]) == RATES
    m = "workloads.jobs.latency_ms.mean"
    for column in (m + ".mean", m + ".ci_lo", m + ".ci_hi"):
        assert column in points.columns
    doc_point = result.document["points"][2]["metrics"][m]
    assert points.loc[2, m + ".mean"] == doc_point["mean"]
    assert (points.loc[2, m + ".ci_lo"], points.loc[2, m + ".ci_hi"]) == tuple(doc_point["ci"])
    # M/M/1 with 100 ms service: mean sojourn 0.1 / (1 - rate / 10) s, within 25% on 3 x 20 min.
    for rate, mean in zip(points["rate"], points[m + ".mean"]):
        assert mean == pytest.approx(100 / (1 - rate / 10), rel=0.25), rate
    # Latency grows with load.
    assert list(points[m + ".mean"]) == sorted(points[m + ".mean"])


def test_sweep_estimates_frame_is_the_long_form(swept):
    result, _ = swept
    est = result.estimates
    assert list(est.columns) == ["rate", "metric", "mean", "ci_lo", "ci_hi", "n"]
    assert len(est) == len(RATES) * 3
    util = est[est["metric"] == "services.server.cpu_utilization"]
    for rate, mean in zip(util["rate"], util["mean"]):
        assert mean == pytest.approx(rate / 10, abs=0.03)
    assert (util["n"] == 3).all()


def test_a_sweep_given_as_a_dict_equals_the_file(swept):
    result, _ = swept
    from_dict = capsim.sweep(sweep_experiment(), seed=5)
    assert from_dict.csv == result.csv


def test_compare_output_is_the_cli_file_byte_for_byte(tmp_path, binary):
    experiment = {"kind": "compare", "model": str(MM1),
                  "overrides": [{"pointer": "/simulation/duration", "value": "20m"}],
                  "variants": {"one": [{"pointer": "/services/server/workers", "value": 1}],
                               "faster": [{"pointer": "/services/server/steps/0/work/mean",
                                           "value": "80ms"}]},
                  "baseline": "one",
                  "metrics": ["workloads.jobs.latency_ms.mean",
                              "services.server.cpu_utilization"],
                  "replications": 4}
    path = write(tmp_path, "mm1-compare.json", experiment)
    cli("compare", path, "-o", tmp_path / "out.json", "-q")
    result = capsim.compare(path)
    assert result.json_text == (tmp_path / "out.json").read_text(encoding="utf-8")
    v, d = result.values, result.differences
    assert list(v.columns) == ["variant", "metric", "mean", "ci_lo", "ci_hi"]
    faster = d[(d["variant"] == "faster") & (d["metric"] == "workloads.jobs.latency_ms.mean")]
    # 80 ms service at 8/s: 0.08 / (1 - 0.64) = 222 ms against 500 ms: clearly better.
    assert faster["verdict"].iloc[0] == "better"
    assert faster["mean"].iloc[0] < -150
    util = v[(v["variant"] == "faster") & (v["metric"] == "services.server.cpu_utilization")]
    assert util["mean"].iloc[0] == pytest.approx(0.64, abs=0.04)


def test_size_output_is_the_cli_file_byte_for_byte(tmp_path, binary):
    experiment = {"kind": "size", "model": str(WEB_PEAK),
                  "overrides": [{"pointer": "/simulation/duration", "value": "90s"},
                                {"pointer": "/simulation/warmup", "value": "20s"}],
                  "services": ["api"], "replications": 3, "max_replicas": 12}
    path = write(tmp_path, "size-api.json", experiment)
    cli("size", path, "-o", tmp_path / "out.json", "-q")
    result = capsim.size(path)
    assert result.json_text == (tmp_path / "out.json").read_text(encoding="utf-8")
    # README step 6: 3 api replicas keep the SLO at the 900/s peak.
    assert result.replicas == {"api": 3}
    assert result.services.loc["api", "replicas"] == 3
    ev = result.evaluations
    assert set(ev["replicas"]) >= {2, 3}
    assert bool(ev[ev["replicas"] == 3]["slo_met"].iloc[0]) is True
    assert bool(ev[ev["replicas"] == 2]["slo_met"].iloc[0]) is False
    assert result.log, "the decisions are logged"


def test_an_experiment_of_another_kind_is_refused(tmp_path):
    path = write(tmp_path, "s.json", sweep_experiment())
    with pytest.raises(capsim.ModelError) as error:
        capsim.compare(path)
    pointer, message = error.value.diagnostics[0]
    assert pointer == "/kind"
    assert 'found "sweep"' in message and "capsim.sweep()" in message


def test_a_bad_experiment_carries_the_cli_message(tmp_path):
    doc = sweep_experiment()
    doc["parameters"][0]["pointer"] = "/workloads/7/rate"
    doc["replications"] = 1
    path = write(tmp_path, "bad.json", doc)
    with pytest.raises(capsim.ModelError) as error:
        capsim.sweep(path)
    assert str(error.value) == cli_error("sweep", path)


def test_experiment_options_apply_to_every_point(swept):
    result, _ = swept
    slower = capsim.sweep(sweep_experiment(), seed=5,
                          set={"/services/server/steps/0/work/mean": "50ms"})
    m = "workloads.jobs.latency_ms.mean.mean"
    assert all(s < r for s, r in zip(slower.points[m], result.points[m]))
    assert not math.isnan(slower.points[m].iloc[0])


def test_ctrl_c_stops_a_sweep_and_the_next_one_is_whole(swept):
    import os
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    long_sweep = sweep_experiment()
    # 400 points of 2 h each: minutes of work, ended by the interrupt after half a second
    # (replications already running finish first, as on the command line).
    long_sweep["parameters"][0]["values"] = [round(1 + i * 0.02, 2) for i in range(400)]
    long_sweep["overrides"][0]["value"] = "2h"
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            capsim.sweep(long_sweep, seed=5)
    finally:
        timer.cancel()
    result, _ = swept
    assert capsim.sweep(sweep_experiment(), seed=5).csv == result.csv
