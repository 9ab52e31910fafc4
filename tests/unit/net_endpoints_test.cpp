// Per-endpoint results (simulation.per_endpoint, docs/results-format.md): each endpoint's
// latency against Pollaczek-Khinchine on a shared FCFS station, its errors by outcome when only
// one endpoint calls with a timeout, and nothing else changing when the option is on.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "net_test_support.hpp"

namespace capsim::net {
namespace {

using test_support::mean;
using test_support::run_json;

/// Asserts that `expected` lies in the metric's confidence interval and that the interval is
/// narrower than `rel_width` of it (so that the check means something).
void expect_in_interval(const run::Results& r, const std::string& name, double expected,
                        double rel_width) {
  const run::MergedMetric* m = r.find(name);
  ASSERT_NE(m, nullptr) << name;
  ASSERT_TRUE(m->estimate.ci.has_value()) << name;
  const auto [lo, hi] = *m->estimate.ci;
  EXPECT_LE(lo, expected) << name << " mean " << m->estimate.mean;
  EXPECT_GE(hi, expected) << name << " mean " << m->estimate.mean;
  EXPECT_LT(hi - lo, rel_width * expected) << name;
}

// One FCFS server (one worker, one core), Poisson arrivals at 50/s split 30/70 by `mix` between
// endpoint `a` (exponential work, mean 4 ms) and `b` (exponential, mean 12 ms): an M/G/1 whose
// service time is the mixture. E[S] = 9.6 ms, rho = 0.48, E[S^2] = 0.3 * 2 * 4^2 + 0.7 * 2 * 12^2
// = 211.2 ms^2, so Pollaczek-Khinchine's W_q = lambda E[S^2] / (2 (1 - rho)) = 10.1538 ms, the same
// for both classes (FCFS: a job waits for the work in front of it, whatever its own). Sojourn:
// a 14.1538 ms, b 22.1538 ms, the service 19.7538 ms.
constexpr const char* kMix = R"({
  "simulation": {"duration": "4000s", "warmup": "20s", "replications": 10, "seed": 3,
                 "confidence": 0.99, "per_endpoint": true},
  "workloads": [{"name": "w", "target": "api", "rate": 50,
                 "mix": [{"endpoint": "a", "weight": 0.3}, {"endpoint": "b", "weight": 0.7}]}],
  "services": {"api": {"workers": 1, "cores": 1, "endpoints": {
    "a": {"steps": [{"work": {"dist": "exponential", "mean": "4ms"}}]},
    "b": {"steps": [{"work": {"dist": "exponential", "mean": "12ms"}}]}}}}
})";

TEST(PerEndpoint, SojournOfEachClassIsTheSharedWaitPlusItsOwnWork) {
  const run::Results r = run_json(kMix);
  const double rho = 50.0 * 0.0096;
  const double wq_ms = 50.0 * 211.2e-6 / (2.0 * (1.0 - rho)) * 1e3;
  EXPECT_NEAR(wq_ms, 10.1538, 1e-4);
  expect_in_interval(r, "services.api.endpoints.a.latency_ms.mean", wq_ms + 4.0, 0.05);
  expect_in_interval(r, "services.api.endpoints.b.latency_ms.mean", wq_ms + 12.0, 0.05);
  expect_in_interval(r, "services.api.latency_ms.mean", wq_ms + 9.6, 0.05);
  // The mix's split of the 50/s, and every request served.
  expect_in_interval(r, "services.api.endpoints.a.arrival_rps", 15.0, 0.02);
  expect_in_interval(r, "services.api.endpoints.b.arrival_rps", 35.0, 0.02);
  expect_in_interval(r, "services.api.endpoints.a.throughput_rps", 15.0, 0.02);
  EXPECT_DOUBLE_EQ(mean(r, "services.api.endpoints.a.error_rate"), 0.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.api.endpoints.b.errors.rejected"), 0.0);
  // The endpoints partition the service's requests.
  EXPECT_NEAR(mean(r, "services.api.endpoints.a.arrival_rps") +
                  mean(r, "services.api.endpoints.b.arrival_rps"),
              mean(r, "services.api.arrival_rps"), 1e-9);
  // Percentiles are there, ordered (b's heavier work gives the higher ones).
  EXPECT_LT(mean(r, "services.api.endpoints.a.latency_ms.p50"),
            mean(r, "services.api.endpoints.b.latency_ms.p50"));
  EXPECT_LT(mean(r, "services.api.endpoints.b.latency_ms.p95"),
            mean(r, "services.api.endpoints.b.latency_ms.p99"));
}

TEST(PerEndpoint, OffByDefaultAndChangesNothingElse) {
  const run::Results on = run_json(kMix, {{"/simulation/duration", "\"300s\""}});
  const run::Results off =
      run_json(kMix, {{"/simulation/duration", "\"300s\""}, {"/simulation/per_endpoint", "false"}});
  EXPECT_EQ(off.find("services.api.endpoints.a.arrival_rps"), nullptr);
  std::size_t compared = 0;
  for (const run::MergedMetric& m : on.metrics) {
    if (m.path.size() > 2 && m.path[2] == "endpoints") continue;
    const run::MergedMetric* o = off.find(m.dotted());
    ASSERT_NE(o, nullptr) << m.dotted();
    ASSERT_EQ(o->values.size(), m.values.size());
    for (std::size_t i = 0; i < m.values.size(); ++i) {
      if (std::isnan(m.values[i])) {
        EXPECT_TRUE(std::isnan(o->values[i])) << m.dotted();
      } else {
        EXPECT_EQ(o->values[i], m.values[i]) << m.dotted();  // the same draws, bit for bit
      }
    }
    ++compared;
  }
  EXPECT_EQ(compared, off.metrics.size());
}

TEST(PerEndpoint, ATimeoutOnOneEndpointFailsOnlyThatEndpoint) {
  // `slow` calls a backend whose work is exponential (mean 50 ms) with ample cores and workers
  // (no queue), with a 50 ms timeout: the call fails when the work exceeds it, P = e^-1 =
  // 36.79%, and the endpoint answers `error` (a failed call fails its caller). `fast` never fails.
  const run::Results r = run_json(R"({
    "simulation": {"duration": "1000s", "warmup": "10s", "replications": 10, "seed": 5,
                   "confidence": 0.99, "per_endpoint": true},
    "workloads": [{"name": "w", "target": "api", "rate": 100,
                   "mix": [{"endpoint": "fast"}, {"endpoint": "slow"}]}],
    "services": {
      "api": {"workers": 1000, "cores": 100, "endpoints": {
        "fast": {"steps": [{"work": "1ms"}]},
        "slow": {"steps": [{"call": "backend", "timeout": "50ms"}]}}},
      "backend": {"workers": 10000, "cores": 1000,
                  "steps": [{"work": {"dist": "exponential", "mean": "50ms"}}]}}
  })");
  const double p = std::exp(-1.0);
  expect_in_interval(r, "services.api.endpoints.slow.errors.error", p, 0.03);
  expect_in_interval(r, "services.api.endpoints.slow.error_rate", p, 0.03);
  EXPECT_DOUBLE_EQ(mean(r, "services.api.endpoints.slow.errors.rejected"), 0.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.api.endpoints.slow.errors.rate_limited"), 0.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.api.endpoints.fast.error_rate"), 0.0);
  EXPECT_NEAR(mean(r, "services.api.endpoints.fast.latency_ms.mean"), 1.0, 1e-9);
  // The client sees half of that; the backend's own endpoint succeeds (it finishes the work).
  expect_in_interval(r, "workloads.w.error_rate", p / 2.0, 0.04);
  EXPECT_DOUBLE_EQ(mean(r, "services.backend.endpoints.default.error_rate"), 0.0);
  // Successful slow requests took at most the timeout: E[S | S < 50 ms] = 50 (1 - 2/e) / (1 - 1/e)
  // = 20.90 ms.
  expect_in_interval(r, "services.api.endpoints.slow.latency_ms.mean",
                     50.0 * (1.0 - 2.0 * p) / (1.0 - p), 0.03);
}

// With named phases too, each endpoint is measured over each phase (phases.P.services.S.
// endpoints.E.*): a phase that spans the whole measured run counts exactly the requests the run
// counts, and a phase of the second half alone still gives Pollaczek-Khinchine's sojourns.
TEST(PerEndpoint, PhasesMeasureEachEndpointOverTheirSpan) {
  const run::Results r = run_json(kMix, {{"/simulation/duration", "\"2000s\""},
                                         {"/simulation/replications", "6"},
                                         {"/simulation/phases", R"([
      {"name": "all", "from": "20s", "to": "2000s"},
      {"name": "late", "from": "1000s", "to": "2000s"}])"}});
  for (const char* e : {"a", "b"}) {
    for (const char* m : {"arrival_rps", "throughput_rps", "error_rate", "latency_ms.mean",
                          "latency_ms.p50", "latency_ms.p95", "latency_ms.p99"}) {
      const std::string run_name = std::string("services.api.endpoints.") + e + "." + m;
      const std::string phase_name = "phases.all." + run_name;
      const run::MergedMetric* whole = r.find(run_name);
      const run::MergedMetric* phase = r.find(phase_name);
      ASSERT_NE(whole, nullptr) << run_name;
      ASSERT_NE(phase, nullptr) << phase_name;
      ASSERT_EQ(whole->values.size(), phase->values.size());
      for (std::size_t i = 0; i < whole->values.size(); ++i) {
        EXPECT_DOUBLE_EQ(phase->values[i], whole->values[i]) << phase_name << " replication " << i;
      }
    }
  }
  const double wq_ms = 50.0 * 211.2e-6 / (2.0 * (1.0 - 50.0 * 0.0096)) * 1e3;
  expect_in_interval(r, "phases.late.services.api.endpoints.a.latency_ms.mean", wq_ms + 4.0, 0.08);
  expect_in_interval(r, "phases.late.services.api.endpoints.b.latency_ms.mean", wq_ms + 12.0, 0.08);
  expect_in_interval(r, "phases.late.services.api.endpoints.a.arrival_rps", 15.0, 0.04);
  expect_in_interval(r, "phases.late.services.api.endpoints.b.throughput_rps", 35.0, 0.04);
}

}  // namespace
}  // namespace capsim::net
