// Named phases and per-window peaks (issue 15) against hand calculations: a deterministic
// stream whose every number is known exactly, M/M/1 queues at two loads in two phases, and a
// phase covering the whole measured time, which must equal the run's own summary.

#include <gtest/gtest.h>

#include <cmath>

#include "validation_support.hpp"

namespace capsim::validation {
namespace {

double value_of(const run::Results& r, const std::string& name) {
  return metric(r, name).mean;
}

TEST(Phases, DeterministicStreamGivesItsExactNumbers) {
  // One request every 100 ms, each 50 ms of work on one core: no request ever waits, a request
  // takes 50 ms, the core is busy half the time, half a request is in flight on average. Every
  // 10 s window sees 100 arrivals (10/s), so the peaks equal the averages.
  const run::Results r = run_model(R"({
    "simulation": { "duration": "100s", "warmup": "10s", "replications": 2, "seed": 3,
                    "window": "10s",
                    "phases": [ { "name": "mid", "from": "30s", "to": "60s" } ] },
    "workloads": [ { "name": "w", "target": "s", "rate": 10, "interarrival": "100ms" } ],
    "services": { "s": { "cores": 1, "workers": 1, "steps": [ { "work": "50ms" } ] } } })");
  EXPECT_NEAR(value_of(r, "phases.mid.workloads.w.offered_rps"), 10.0, 1.0 / 30.0);
  EXPECT_NEAR(value_of(r, "phases.mid.workloads.w.throughput_rps"), 10.0, 1.0 / 30.0);
  EXPECT_EQ(value_of(r, "phases.mid.workloads.w.error_rate"), 0.0);
  // Histogram quantiles are bucket midpoints (relative error under 0.4%); the mean is exact.
  EXPECT_NEAR(value_of(r, "phases.mid.workloads.w.latency_ms.mean"), 50.0, 1e-6);
  EXPECT_NEAR(value_of(r, "phases.mid.workloads.w.latency_ms.p99"), 50.0, 50.0 * kHistogramBias);
  EXPECT_NEAR(value_of(r, "phases.mid.services.s.arrival_rps"), 10.0, 1.0 / 30.0);
  EXPECT_NEAR(value_of(r, "phases.mid.services.s.cpu_utilization"), 0.5, 0.05 / 30.0);
  EXPECT_NEAR(value_of(r, "phases.mid.services.s.in_flight"), 0.5, 0.05 / 30.0);
  EXPECT_EQ(value_of(r, "phases.mid.services.s.queue_length"), 0.0);
  EXPECT_NEAR(value_of(r, "phases.mid.services.s.replicas.mean"), 1.0, 1e-12);
  EXPECT_NEAR(value_of(r, "workloads.w.peak.offered_rps"), 10.0, 0.1 + 1e-9);
  EXPECT_NEAR(value_of(r, "services.s.peak.arrival_rps"), 10.0, 0.1 + 1e-9);
  EXPECT_NEAR(value_of(r, "services.s.peak.cpu_utilization"), 0.5, 0.005 + 1e-9);
  EXPECT_NEAR(value_of(r, "services.s.peak.in_flight"), 0.5, 0.005 + 1e-9);
  EXPECT_EQ(value_of(r, "services.s.peak.queue_length"), 0.0);
}

TEST(Phases, TwoLoadsInTwoPhasesMatchTheirMM1Queues) {
  // 10/s for 200 s, then 30/s; exponential 20 ms of work on one core: M/M/1 at 20% then 60%.
  // Mean latency S / (1 - rho): 25 ms then 50 ms; p99 ln(100) x that. Each phase starts 20 s
  // after the change (the queue forgets its start within a second at these loads).
  const run::Results r = run_model(R"({
    "simulation": { "duration": "500s", "warmup": "0s", "replications": 20, "seed": 21,
                    "window": "10s",
                    "phases": [ { "name": "low", "from": "20s", "to": "200s" },
                                { "name": "high", "from": "220s", "to": "500s" } ] },
    "workloads": [ { "name": "w", "target": "s",
                     "rate": { "start": 10, "stages": [ { "duration": "200s", "target": 10 },
                                                        { "duration": "0s", "target": 30 } ] } } ],
    "services": { "s": { "cores": 1, "workers": 1,
                         "steps": [ { "work": { "dist": "exponential", "mean": "20ms" } } ] } } })");
  EXPECT_TRUE(covers(metric(r, "phases.low.workloads.w.offered_rps"), 10.0));
  EXPECT_TRUE(covers(metric(r, "phases.high.workloads.w.offered_rps"), 30.0));
  EXPECT_TRUE(covers(metric(r, "phases.low.services.s.cpu_utilization"), 0.2));
  EXPECT_TRUE(covers(metric(r, "phases.high.services.s.cpu_utilization"), 0.6));
  EXPECT_TRUE(covers(metric(r, "phases.low.workloads.w.latency_ms.mean"), 25.0));
  EXPECT_TRUE(covers(metric(r, "phases.high.workloads.w.latency_ms.mean"), 50.0));
  EXPECT_TRUE(covers(metric(r, "phases.high.workloads.w.latency_ms.p99"), 50.0 * std::log(100.0),
                     kHistogramBias));
  // M/M/1 queue (waiting, not in service): rho^2 / (1 - rho) = 0.9 at 60%.
  EXPECT_TRUE(covers(metric(r, "phases.high.services.s.queue_length"), 0.9));
  // The peak 10 s window: at least the high phase's 30/s; a window's rate has a standard
  // deviation of sqrt(300) / 10 = 1.7/s, and the largest of 28 such windows lies within a few.
  const stats::Estimate& peak = metric(r, "workloads.w.peak.offered_rps");
  EXPECT_GT(peak.mean, 30.0);
  EXPECT_LT(peak.mean, 36.0);
  EXPECT_NEAR(metric(r, "services.s.peak.arrival_rps").mean, peak.mean, 1e-9);
  EXPECT_GT(metric(r, "services.s.peak.cpu_utilization").mean, 0.6);
  EXPECT_GT(metric(r, "services.s.peak.queue_length").mean, 0.9);
}

TEST(Phases, APhaseOverTheMeasuredTimeEqualsTheRunsSummary) {
  // The same requests, the same marks: the numbers agree exactly.
  const run::Results r = run_model(R"({
    "simulation": { "duration": "120s", "warmup": "20s", "replications": 3, "seed": 5,
                    "phases": [ { "name": "all", "from": "20s", "to": "120s" } ] },
    "workloads": [ { "name": "w", "target": "s", "rate": 40 } ],
    "services": { "s": { "replicas": 2, "cores": 1, "workers": 4,
                         "steps": [ { "work": { "dist": "exponential", "mean": "30ms" } } ] } } })");
  for (const char* name :
       {"offered_rps", "throughput_rps", "goodput_rps", "error_rate", "latency_ms.mean",
        "latency_ms.p50", "latency_ms.p99", "latency_ms.max"}) {
    EXPECT_DOUBLE_EQ(value_of(r, std::string("phases.all.workloads.w.") + name),
                     value_of(r, std::string("workloads.w.") + name))
        << name;
  }
  for (const char* name : {"arrival_rps", "cpu_utilization", "worker_utilization", "queue_length",
                           "in_flight", "replicas.mean"}) {
    EXPECT_DOUBLE_EQ(value_of(r, std::string("phases.all.services.s.") + name),
                     value_of(r, std::string("services.s.") + name))
        << name;
  }
}

}  // namespace
}  // namespace capsim::validation
