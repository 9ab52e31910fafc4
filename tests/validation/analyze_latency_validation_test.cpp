// capsim analyze's latency against hand calculations and the simulator (docs/experiments.md,
// "analyze"): the percentiles follow the synchronous path only.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "capsim/analytic/model_analysis.hpp"
#include "capsim/model/load.hpp"
#include "validation_support.hpp"

namespace capsim::validation {
namespace {

analytic::ModelAnalysis analyze(const std::string& text) {
  return analytic::analyze(model::load(model::Json::parse(text), "."));
}

double quantile(const analytic::WorkloadEstimate& w, const std::string& name) {
  for (const auto& [n, q] : w.latency_quantiles_s) {
    if (n == name) return q;
  }
  throw std::runtime_error("no quantile " + name);
}

/// The api (M/M/1: 10 ms exponential work at 50/s, FCFS) calls a database whose constant 10 ms
/// queries never queue (8 cores at 0.5 busy), and hands each request to `side`, a 25 ms
/// exponential job on 8 cores that nobody waits for: `async_call` as an async call, else
/// through a queue to its consumer.
std::string side_path_model(bool async_call) {
  const std::string hand_off =
      async_call ? R"({ "call": "side", "async": true })" : R"({ "call": "jobs" })";
  return R"({
    "simulation": { "duration": "10000s", "warmup": "100s", "replications": 10, "seed": 41,
                    "confidence": 0.99 },
    "workloads": [ { "name": "w", "target": "api", "rate": 50 } ],
    "services": {
      "api": { "cores": 1, "workers": 64,
               "steps": [ { "work": { "dist": "exponential", "mean": "10ms" } },
                          { "call": "db" }, )" +
         hand_off + R"( ] },
      "db": { "cores": 8, "workers": 64, "steps": [ { "work": "10ms" } ] },
      "jobs": { "kind": "queue", "consumer": "side" },
      "side": { "cores": 8, "workers": 64,
                "steps": [ { "work": { "dist": "exponential", "mean": "25ms" } } ] } } })";
}

TEST(AnalyzeLatency, PercentilesSkipAnAsyncCalleeFasterThanTheMean) {
  // Hand calculation: the api's sojourn is Exp(mu - lambda) = Exp(50/s), mean 20 ms; the
  // database adds 10 ms (its Erlang C wait is ~1e-8 s); the mean is 30 ms. The side job's
  // 25 ms per request is below that mean but above the api's 20 ms, so the percentiles took it
  // as "where requests spend most": p99 = 25 ms x ln 100 + (30 - 25) = 120 ms. On the
  // synchronous path the api is that station: p99 = ln 100 / 50 + 10 ms = 102.1 ms, which is
  // exact here (an exponential sojourn plus a constant).
  const double p50_s = std::log(2.0) / 50.0 + 0.010;
  const double p99_s = std::log(100.0) / 50.0 + 0.010;
  const std::string model_text = side_path_model(true);
  const auto a = analyze(model_text);
  const analytic::WorkloadEstimate& w = a.workloads.at(0);
  ASSERT_TRUE(w.mean_latency_s.has_value());
  EXPECT_NEAR(*w.mean_latency_s, 0.030, 1e-6);
  EXPECT_NEAR(quantile(w, "p50"), p50_s, 1e-6);
  EXPECT_NEAR(quantile(w, "p99"), p99_s, 1e-6);
  // The simulation agrees, and its interval leaves out the 120 ms the side job gave.
  const run::Results r = run_model(model_text);
  const stats::Estimate& p99_ms = metric(r, "workloads.w.latency_ms.p99");
  EXPECT_TRUE(covers(p99_ms, p99_s * 1e3, kHistogramBias));
  ASSERT_TRUE(p99_ms.ci.has_value());
  EXPECT_LT(p99_ms.ci->second, 115.0);
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.p50"), p50_s * 1e3, kHistogramBias));
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"), 30.0));
}

TEST(AnalyzeLatency, PercentilesSkipAQueuesConsumer) {
  // The same path with the side job behind a queue: its consumer is no caller's wait either.
  const auto a = analyze(side_path_model(false));
  const analytic::WorkloadEstimate& w = a.workloads.at(0);
  ASSERT_TRUE(w.mean_latency_s.has_value());
  EXPECT_NEAR(*w.mean_latency_s, 0.030, 1e-6);
  EXPECT_NEAR(quantile(w, "p99"), std::log(100.0) / 50.0 + 0.010, 1e-6);
}

}  // namespace
}  // namespace capsim::validation
