"""capsim.run and capsim.validate against `capsim run` and `capsim validate`."""

import json
import math
import os
import signal
import threading

import pandas as pd
import pytest

import capsim
from conftest import MM1, WEB_PEAK, cli, cli_error, without_performance

SMALL_ARGS = ["--seed", "7", "--replications", "3", "--duration", "2m"]
# mm1.json warms up for 10 minutes.
SMALL = dict(seed=7, replications=3, duration="20m")


@pytest.fixture(scope="module")
def web_peak(tmp_path_factory, binary):
    """The default model, small, by the module and by the binary (-o and --csv)."""
    out = tmp_path_factory.mktemp("run")
    cli("run", WEB_PEAK, *SMALL_ARGS, "--set", "/services/api/replicas=4", "-o",
        out / "r.json", "--csv", out / "csv", "-q")
    result = capsim.run(str(WEB_PEAK), set={"/services/api/replicas": 4}, seed=7,
                        replications=3, duration="2m")
    return result, out


def test_run_document_is_the_cli_document_byte_for_byte(web_peak):
    result, out = web_peak
    cli_text = (out / "r.json").read_text(encoding="utf-8")
    assert '"performance"' in result.json_text
    assert without_performance(result.json_text) == without_performance(cli_text)
    doc = json.loads(cli_text)
    doc.pop("performance")
    mine = dict(result.document)
    mine.pop("performance")
    assert mine == doc


def test_run_csv_texts_are_the_cli_files(web_peak):
    result, out = web_peak
    assert result.summary_csv == (out / "csv" / "summary.csv").read_text(encoding="utf-8")
    assert result.timeseries_csv == (out / "csv" / "timeseries.csv").read_text(encoding="utf-8")


def test_summary_frame_holds_every_estimate_of_the_document(web_peak):
    result, _ = web_peak
    s = result.summary
    assert list(s.columns) == ["mean", "ci_lo", "ci_hi", "n"]
    p99 = result.document["workloads"]["browse"]["latency_ms"]["p99"]
    row = result["workloads.browse.latency_ms.p99"]
    assert row["mean"] == p99["mean"]
    assert (row["ci_lo"], row["ci_hi"]) == tuple(p99["ci"])
    assert row["n"] == 3
    assert row["ci_lo"] <= row["mean"] <= row["ci_hi"]
    # Every metric row of summary.csv is in the frame with the same mean (the CSV rounds to
    # what it prints, so compare to its precision).
    csv = pd.read_csv(pd.io.common.StringIO(result.summary_csv))
    for name, mean in zip(csv.iloc[:, 0], csv["mean"]):
        if isinstance(mean, float) and math.isnan(mean):
            continue
        assert s.loc[name, "mean"] == pytest.approx(mean, rel=1e-5, abs=1e-9), name


def test_timeseries_frame_has_the_documents_rows_and_columns(web_peak):
    result, _ = web_peak
    ts = result.document["timeseries"]
    assert list(result.timeseries.columns) == ts["columns"] + ["t_mid"]
    assert len(result.timeseries) == len(ts["rows"])
    assert (result.timeseries["t_mid"] - result.timeseries["t"] ==
            ts["window_seconds"] / 2).all()


def test_slo_frame_matches_the_checks(web_peak):
    result, _ = web_peak
    checks = result.document["slo"]["checks"]
    assert list(result.slo["metric"]) == [c["metric"] for c in checks]
    assert list(result.slo["limit"]) == [c["limit"] for c in checks]
    assert result.slo_met == result.document["slo"]["met"]
    # 4 api replicas at 900/s are far from the 200 ms p99 limit.
    assert result.slo_met is True


def test_threads_do_not_change_results():
    one = capsim.run(MM1, threads=1, **SMALL)
    two = capsim.run(MM1, threads=2, **SMALL)
    assert without_performance(one.json_text) == without_performance(two.json_text)


def test_a_dict_and_a_json_string_give_the_files_results(mm1_doc):
    from_file = capsim.run(MM1, **SMALL)
    from_dict = capsim.run(mm1_doc, **SMALL)
    from_text = capsim.run(json.dumps(mm1_doc), **SMALL)
    assert without_performance(from_dict.json_text) == without_performance(from_file.json_text)
    assert without_performance(from_text.json_text) == without_performance(from_file.json_text)


def test_mm1_mean_latency_is_near_the_closed_form():
    # M/M/1 at rho = 0.8 with 100 ms service: mean sojourn 0.1 / (1 - 0.8) = 500 ms.
    r = capsim.run(MM1, seed=3, replications=4, duration="1h")
    row = r["workloads.jobs.latency_ms.mean"]
    assert row["mean"] == pytest.approx(500, rel=0.1)
    assert r["services.server.cpu_utilization"]["mean"] == pytest.approx(0.8, abs=0.03)


def test_overrides_as_strings_are_the_command_lines():
    a = capsim.run(MM1, set=["/workloads/0/rate=4"], **SMALL)
    b = capsim.run(MM1, set={"/workloads/0/rate": 4}, **SMALL)
    assert without_performance(a.json_text) == without_performance(b.json_text)
    assert a["workloads.jobs.offered_rps"]["mean"] == pytest.approx(4, rel=0.1)


def test_duration_in_seconds_equals_the_string():
    a = capsim.run(MM1, seed=1, replications=2, duration=1200)
    b = capsim.run(MM1, seed=1, replications=2, duration="20m")
    assert without_performance(a.json_text) == without_performance(b.json_text)


def test_model_error_carries_the_cli_message(mm1_doc, tmp_path):
    mm1_doc["services"]["server"]["workers"] = "one"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(mm1_doc, indent=2), encoding="utf-8")
    with pytest.raises(capsim.ModelError) as error:
        capsim.run(path)
    assert str(error.value) == cli_error("run", path)
    assert isinstance(error.value, ValueError)
    pointer, message = error.value.diagnostics[0]
    assert pointer == "/services/server/workers"
    assert "expected" in message and "found" in message


def test_every_problem_is_reported_at_once_as_the_cli_does(mm1_doc, tmp_path):
    mm1_doc["services"]["server"]["workers"] = -1
    mm1_doc["workloads"][0]["rate"] = "fast"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(mm1_doc), encoding="utf-8")
    with pytest.raises(capsim.ModelError) as error:
        capsim.run(path)
    assert len(error.value.diagnostics) >= 2
    assert str(error.value) == cli_error("run", path)


def test_a_syntax_error_names_line_and_column_as_the_cli_does(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "name": "x",\n  "services": {,}\n}\n', encoding="utf-8")
    with pytest.raises(capsim.ModelError) as error:
        capsim.run(path)
    assert str(error.value) == cli_error("run", path)
    assert "line 3" in str(error.value)


def test_a_bad_override_names_its_pointer_as_the_cli_does():
    with pytest.raises(capsim.ModelError) as error:
        capsim.run(MM1, set={"/services/nope/replicas": 2})
    assert str(error.value) == cli_error("run", MM1, "--set", "/services/nope/replicas=2")


def test_the_event_budget_refuses_as_the_cli_does():
    with pytest.raises(capsim.ModelError) as error:
        capsim.run(MM1, max_events=1000)
    assert str(error.value) == cli_error("run", MM1, "--max-events", "1000")


def test_a_missing_file_is_a_model_error():
    with pytest.raises(capsim.ModelError) as error:
        capsim.run("no/such/model.json")
    assert str(error.value) == cli_error("run", "no/such/model.json")


def test_wrong_types_raise_type_error():
    with pytest.raises(TypeError):
        capsim.run(42)
    with pytest.raises(TypeError):
        capsim.run(MM1, duration=[1])


def test_max_wall_stops_the_run():
    with pytest.raises(capsim.RunStopped, match="wall-clock limit"):
        capsim.run(MM1, replications=2, duration="1000h", max_wall=0.3, max_events=0)


def test_ctrl_c_stops_a_run_cleanly_and_the_next_run_is_whole():
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            # Hours of simulated time: it ends only because it is interrupted.
            capsim.run(MM1, replications=4, duration="10000h", max_events=0)
    finally:
        timer.cancel()
    # The stop request was cleared: the next run finishes and equals a fresh one.
    again = capsim.run(MM1, **SMALL)
    assert again.document["replications"] == 3
    assert without_performance(again.json_text) == without_performance(
        capsim.run(MM1, **SMALL).json_text)


def test_the_gil_is_released_while_simulating():
    done = threading.Event()
    result = {}

    def work():
        result["r"] = capsim.run(MM1, seed=2, replications=2, duration="40h", threads=2)
        done.set()

    worker = threading.Thread(target=work)
    worker.start()
    ticks_while_running = 0
    while not done.is_set():
        # Pure Python work: it can only advance while the engine does not hold the GIL.
        sum(range(1000))
        if not done.is_set():
            ticks_while_running += 1
    worker.join()
    assert result["r"].document["replications"] == 2
    assert ticks_while_running > 100


def test_validate_says_what_the_model_holds():
    info = capsim.validate(WEB_PEAK, set={"/services/api/replicas": 5})
    assert info["name"] == "web-peak"
    assert info["services"] == ["lb", "api", "db"]
    assert info["workloads"] == ["browse"]
    assert info["duration_s"] == 600.0
    with pytest.raises(capsim.ModelError):
        capsim.validate({"name": "empty"})


MM1_YAML = """name: mm1
simulation: {duration: 2h, warmup: 10m, replications: 10, seed: 7}
workloads:
  - name: jobs
    target: server
    rate: 8
services:
  server:
    workers: 1
    steps:
      - work: {dist: exponential, mean: 100ms}
"""


def test_a_yaml_model_as_text_or_file_gives_the_json_models_results(tmp_path):
    as_json = json.loads(MM1.read_text(encoding="utf-8"))
    as_json.pop("description")
    reference = capsim.run(as_json, **SMALL)
    path = tmp_path / "mm1.yaml"
    path.write_text(MM1_YAML, encoding="utf-8")
    for source in (MM1_YAML, str(path)):
        result = capsim.run(source, **SMALL)
        assert without_performance(result.json_text) == without_performance(reference.json_text)


def test_a_yaml_error_names_the_pointer_line_and_column(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(MM1_YAML.replace("workers: 1", "workers: -1"), encoding="utf-8")
    with pytest.raises(capsim.ModelError) as error:
        capsim.validate(str(path))
    assert "/services/server/workers" in str(error.value)
    assert "line 9, column 14" in str(error.value)
