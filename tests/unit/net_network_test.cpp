// Behaviour of the request path: calls, fan-out, repetition, timeouts, balancing, saturation.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "capsim/model/load.hpp"
#include "capsim/net/network.hpp"
#include "capsim/run/replications.hpp"
#include "net_test_support.hpp"

namespace capsim::net {
namespace {

using test_support::mean;
using test_support::run_json;

TEST(Network, CallsMultiplyArrivalsByCountAndProbability) {
  const run::Results r = run_json(R"({
    "simulation": {"duration": "2000s", "replications": 2, "seed": 1},
    "workloads": [{"name": "w", "target": "front", "rate": 50}],
    "services": {
      "front": {"workers": 1000, "cores": 100, "steps": [
        {"work": "1ms"},
        {"parallel": [{"call": "a"}, {"call": "b", "probability": 0.3}]},
        {"call": "c", "count": 4},
        {"call": "d", "count": {"dist": "uniform", "min": 1, "max": 9}}]},
      "a": {"cores": 100, "workers": 1000, "steps": [{"work": "1ms"}]},
      "b": {"cores": 100, "workers": 1000, "steps": [{"work": "1ms"}]},
      "c": {"cores": 100, "workers": 1000, "steps": [{"work": "1ms"}]},
      "d": {"cores": 100, "workers": 1000, "steps": [{"work": "1ms"}]}
    }
  })");
  const double offered = mean(r, "workloads.w.offered_rps");
  EXPECT_NEAR(offered, 50, 1.0);
  EXPECT_NEAR(mean(r, "services.a.arrival_rps") / offered, 1.0, 1e-9);
  EXPECT_NEAR(mean(r, "services.b.arrival_rps") / offered, 0.3, 0.01);
  EXPECT_NEAR(mean(r, "services.c.arrival_rps") / offered, 4.0, 1e-9);
  EXPECT_NEAR(mean(r, "services.d.arrival_rps") / offered, 5.0, 0.05);
}

TEST(Network, SequentialAndParallelLatenciesAdd) {
  // Constant work everywhere and no queueing: latency is exact.
  // front: 1 ms, then a (3 ms) and b (5 ms) in parallel, then c twice (2 ms each), then 1 ms.
  const run::Results r = run_json(R"({
    "simulation": {"duration": "100s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "front", "rate": 5,
                   "interarrival": {"dist": "constant", "value": "200ms"}}],
    "services": {
      "front": {"steps": [{"work": "1ms"}, {"parallel": [{"call": "a"}, {"call": "b"}]},
                          {"call": "c", "count": 2}, {"work": "1ms"}]},
      "a": {"steps": [{"work": "3ms"}]},
      "b": {"steps": [{"work": "5ms"}]},
      "c": {"steps": [{"work": "2ms"}]}
    }
  })");
  EXPECT_NEAR(mean(r, "workloads.w.latency_ms.mean"), 11.0, 1e-6);
  EXPECT_NEAR(mean(r, "workloads.w.latency_ms.max"), 11.0, 1e-6);
  EXPECT_NEAR(mean(r, "services.b.latency_ms.mean"), 5.0, 1e-6);
}

TEST(Network, WorkersAreHeldDuringDownstreamCallsButCoresAreNot) {
  // front has 1 worker and 1 core; each request works 1 ms and waits 99 ms on a slow backend:
  // its worker is busy ~99% of the time at 9.9 requests/s, its core ~1%.
  const run::Results r = run_json(R"({
    "simulation": {"duration": "5000s", "warmup": "100s", "replications": 2, "seed": 4},
    "workloads": [{"name": "w", "target": "front", "rate": 5}],
    "services": {
      "front": {"workers": 1, "steps": [{"work": "1ms"}, {"call": "slow"}]},
      "slow": {"workers": 100, "cores": 100, "steps": [{"work": "99ms"}]}
    }
  })");
  EXPECT_NEAR(mean(r, "services.front.worker_utilization"), 0.5, 0.02);
  EXPECT_NEAR(mean(r, "services.front.cpu_utilization"), 0.005, 0.0005);
  // The worker is an M/D/1 server of 100 ms at rho 0.5: Lq = rho^2 / (2 (1 - rho)) = 0.25.
  EXPECT_NEAR(mean(r, "services.front.queue_length"), 0.25, 0.02);
}

TEST(Network, ClientTimeoutCountsTimeoutsAndWastedWork) {
  // Every request needs 2 s of work but the client waits 1 s: all time out, all work is wasted.
  const run::Results r = run_json(R"({
    "simulation": {"duration": "1000s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "s", "rate": 0.2, "timeout": "1s"}],
    "services": {"s": {"workers": 100, "cores": 100, "steps": [{"work": "2s"}]}}
  })");
  EXPECT_DOUBLE_EQ(mean(r, "workloads.w.errors.timeout"), 1.0);
  EXPECT_DOUBLE_EQ(mean(r, "workloads.w.error_rate"), 1.0);
  EXPECT_DOUBLE_EQ(mean(r, "workloads.w.goodput_rps"), 0.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.s.wasted_work_fraction"), 1.0);
  EXPECT_GT(mean(r, "services.s.throughput_rps"), 0.15) << "the server keeps working";
}

TEST(Network, DownstreamRejectionFailsTheCallerWithError) {
  const run::Results r = run_json(R"({
    "simulation": {"duration": "5000s", "replications": 2, "seed": 2},
    "workloads": [{"name": "w", "target": "front", "rate": 2}],
    "services": {
      "front": {"workers": 1000, "cores": 1000, "steps": [{"call": "back"}]},
      "back": {"workers": 1, "queue_capacity": 0,
               "steps": [{"work": {"dist": "exponential", "mean": "500ms"}}]}
    }
  })");
  // M/M/1/1: blocking = a / (1 + a) with a = 1.
  EXPECT_NEAR(mean(r, "services.back.rejected"), 0.5, 0.02);
  EXPECT_NEAR(mean(r, "workloads.w.errors.error"), mean(r, "services.back.rejected"), 1e-3);
  EXPECT_DOUBLE_EQ(mean(r, "workloads.w.errors.rejected"), 0.0);
}

TEST(Network, SmarterBalancersBeatRandom) {
  const std::string base = R"({
    "simulation": {"duration": "5000s", "warmup": "100s", "replications": 3, "seed": 5},
    "workloads": [{"name": "w", "target": "s", "rate": 7.2}],
    "services": {"s": {"replicas": 8, "workers": 1, "load_balancer": {"policy": "POLICY"},
                       "steps": [{"work": {"dist": "exponential", "mean": "1s"}}]}}
  })";
  auto with = [&](const std::string& policy) {
    std::string text = base;
    text.replace(text.find("POLICY"), 6, policy);
    return mean(run_json(text), "workloads.w.latency_ms.mean");
  };
  const double random = with("random");
  const double two = with("power_of_two");
  const double least = with("least_outstanding");
  const double rr = with("round_robin");
  EXPECT_NEAR(random, 10000, 2500) << "M/M/1 at rho 0.9: 10 s";
  EXPECT_LT(two, 0.5 * random);
  EXPECT_LT(least, two);
  EXPECT_LT(rr, random);
}

TEST(Network, WeightedRoundRobinFollowsTheWeights) {
  // Two single-worker replicas weighted 3:1 at 2 requests/s of 300 ms work: the heavy replica
  // runs at 0.45 utilisation, the light one at 0.15, overall 0.3.
  const run::Results r = run_json(R"({
    "simulation": {"duration": "4000s", "replications": 2, "seed": 6},
    "workloads": [{"name": "w", "target": "s", "rate": 2}],
    "services": {"s": {"replicas": 2, "workers": 1,
                       "load_balancer": {"policy": "weighted_round_robin", "weights": [3, 1]},
                       "steps": [{"work": "300ms"}]}}
  })");
  EXPECT_NEAR(mean(r, "services.s.cpu_utilization"), 0.3, 0.01);
  // Deterministic service, Erlang-ish arrivals: the heavy replica queues more than the light
  // one would; the mean latency exceeds the 300 ms of work.
  EXPECT_GT(mean(r, "workloads.w.latency_ms.mean"), 300.0);
}

TEST(Network, UnstableModelIsBoundedAndReported) {
  const run::Results r = run_json(R"({
    "simulation": {"duration": "600s", "replications": 1, "seed": 1, "max_queue": 500},
    "workloads": [{"name": "w", "target": "s", "rate": 200}],
    "services": {"s": {"workers": 1, "steps": [{"work": "10ms"}]}}
  })");
  EXPECT_EQ(mean(r, "services.s.saturated"), 1.0);
  EXPECT_LE(mean(r, "services.s.queue_length"), 500.0);
  EXPECT_NEAR(mean(r, "services.s.rejected"), 0.5, 0.02) << "half the arrivals exceed capacity";
  ASSERT_EQ(r.notices.size(), 1u);
  EXPECT_NE(r.notices[0].find("service 's' saturated"), std::string::npos) << r.notices[0];
}

TEST(Network, ClosedUsersFollowTheirRamp) {
  const run::Results r = run_json(R"({
    "simulation": {"duration": "300s", "replications": 1, "seed": 1, "window": "10s"},
    "workloads": [{"name": "u", "kind": "closed", "target": "s",
                   "users": {"stages": [{"duration": "100s", "target": 100},
                                        {"duration": "200s", "target": 100}]},
                   "think_time": "1s"}],
    "services": {"s": {"workers": 1000, "cores": 1000, "steps": [{"work": "10ms"}]}}
  })");
  // Average users: 50 over the ramp, 100 after: (100 * 50 + 200 * 100) / 300.
  EXPECT_NEAR(mean(r, "workloads.u.users"), 250.0 / 3.0, 0.5);
  // Each user cycles every 1.01 s.
  EXPECT_NEAR(mean(r, "workloads.u.throughput_rps"), 250.0 / 3.0 / 1.01, 1.0);
  // Time series: the first window has ~5 users on average, the last ~100.
  double first = -1, last = -1;
  for (const auto& row : r.timeseries) {
    if (row.workload != "u") continue;
    if (first < 0) first = row.rps;
    last = row.rps;
  }
  EXPECT_NEAR(first, 5.0 / 1.01, 2.0);
  EXPECT_NEAR(last, 100.0 / 1.01, 3.0);
}

TEST(Network, RampedOpenArrivalsFollowTheProfile) {
  const run::Results r = run_json(R"({
    "simulation": {"duration": "200s", "replications": 4, "seed": 3, "window": "20s"},
    "workloads": [{"name": "w", "target": "s",
                   "rate": {"start": 0, "stages": [{"duration": "100s", "target": 400},
                                                   {"duration": "0s", "target": 100}]}}],
    "services": {"s": {"workers": 1000, "cores": 1000, "steps": [{"work": "1ms"}]}}
  })");
  // Mean rate: (100 s x 200/s + 100 s x 100/s) / 200 s = 150/s.
  EXPECT_NEAR(mean(r, "workloads.w.offered_rps"), 150.0, 2.0);
  // Replication 0's windows: 40/s in [0, 20), 360/s in [80, 100), 100/s afterwards.
  std::vector<double> rps;
  for (const auto& row : r.timeseries) {
    if (row.workload == "w") rps.push_back(row.rps);
  }
  ASSERT_EQ(rps.size(), 10u);
  EXPECT_NEAR(rps[0], 40, 8);
  EXPECT_NEAR(rps[4], 360, 20);
  EXPECT_NEAR(rps[7], 100, 12);
}

TEST(Network, ResultsDoNotDependOnThreads) {
  const std::string text = R"({
    "simulation": {"duration": "300s", "replications": 5, "seed": 9},
    "workloads": [{"name": "w", "target": "s", "rate": 50}],
    "services": {"s": {"replicas": 2, "workers": 4, "load_balancer": {"policy": "power_of_two"},
                       "steps": [{"work": {"dist": "lognormal", "p50": "20ms", "p99": "200ms"}}]}}
  })";
  const run::Results a = run_json(text, 1);
  const run::Results b = run_json(text, 2);
  const run::Results c = run_json(text, 5);
  ASSERT_EQ(a.metrics.size(), b.metrics.size());
  for (std::size_t i = 0; i < a.metrics.size(); ++i) {
    for (std::size_t k = 0; k < a.metrics[i].values.size(); ++k) {
      const double x = a.metrics[i].values[k];
      if (std::isnan(x)) continue;
      EXPECT_EQ(x, b.metrics[i].values[k]) << a.metrics[i].dotted();
      EXPECT_EQ(x, c.metrics[i].values[k]) << a.metrics[i].dotted();
    }
  }
}

}  // namespace
}  // namespace capsim::net
