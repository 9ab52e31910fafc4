"""capsim.analyze against `capsim analyze -o`."""

import pytest

import capsim
from conftest import MM1, WEB_PEAK, cli


def test_analysis_is_the_cli_document_byte_for_byte(tmp_path, binary):
    cli("analyze", WEB_PEAK, "--set", "/services/api/replicas=4", "-o", tmp_path / "a.json")
    result = capsim.analyze(WEB_PEAK, set={"/services/api/replicas": 4})
    assert result.json_text == (tmp_path / "a.json").read_text(encoding="utf-8")
    assert result.check is None
    assert result.services.loc["api", "replicas"] == 4


def test_mm1_analysis_is_the_closed_form():
    a = capsim.analyze(MM1)
    server = a.services.loc["server"]
    assert server["cpu_utilization"] == pytest.approx(0.8)
    assert server["wait_probability"] == pytest.approx(0.8)
    jobs = a.workloads.loc["jobs"]
    assert jobs["latency_ms_mean"] == pytest.approx(500)
    # Sojourn of M/M/1 is exponential with mean 0.5 s: p99 = 0.5 ln 100 s.
    assert jobs["latency_ms_p99"] == pytest.approx(500 * 4.605170186, rel=1e-6)


def test_check_is_the_cli_document_byte_for_byte(tmp_path, binary):
    cli("analyze", MM1, "--check", "--seed", "3", "--replications", "3", "--duration", "30m",
        "--threads", "1", "-o", tmp_path / "a.json")
    result = capsim.analyze(MM1, check=True, seed=3, replications=3, duration="30m", threads=2)
    assert result.json_text == (tmp_path / "a.json").read_text(encoding="utf-8")
    check = result.check.set_index("quantity")
    assert check.loc["workloads.jobs.latency_ms_mean", "analytic"] == pytest.approx(500)
    assert check.loc["workloads.jobs.latency_ms_mean", "simulated"] == pytest.approx(500, rel=0.2)
    assert check.loc["services.server.cpu_utilization", "simulated"] == pytest.approx(0.8,
                                                                                      abs=0.04)


def test_analyze_refuses_a_bad_model():
    with pytest.raises(capsim.ModelError) as error:
        capsim.analyze({"name": "x", "services": {}, "workloads": []})
    assert error.value.diagnostics
