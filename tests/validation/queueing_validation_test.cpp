// Validation against closed forms of queueing theory. Fixed seeds and enough simulated time make
// every check deterministic; each asserts that the exact value lies in the simulated 99%
// confidence interval (percentiles: widened by the histogram's resolution).

#include <gtest/gtest.h>

#include <cmath>

#include "capsim/analytic/queueing.hpp"
#include "validation_support.hpp"

namespace capsim::validation {
namespace {

TEST(Validation, MM1MeanAndPercentiles) {
  const run::Results r = run_model(R"({
    "simulation": {"duration": "20000s", "warmup": "500s", "replications": 10, "seed": 1,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "s", "rate": 8}],
    "services": {"s": {"workers": 1, "steps": [{"work": {"dist": "exponential", "mean": "100ms"}}]}}
  })");
  const analytic::MMc q{8.0, 10.0, 1};
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"), q.mean_sojourn() * 1e3));
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.p50"), q.sojourn_quantile(0.5) * 1e3,
                     kHistogramBias));
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.p95"), q.sojourn_quantile(0.95) * 1e3,
                     kHistogramBias));
  EXPECT_TRUE(
      covers(metric(r, "workloads.w.latency_ms.p99"), std::log(100.0) / 2.0 * 1e3, kHistogramBias));
  EXPECT_TRUE(covers(metric(r, "services.s.cpu_utilization"), 0.8));
  EXPECT_TRUE(covers(metric(r, "services.s.queue_length"), q.mean_queue_length()));
  EXPECT_TRUE(covers(metric(r, "services.s.in_flight"), q.mean_in_system()));
  EXPECT_TRUE(covers(metric(r, "workloads.w.throughput_rps"), 8.0));
}

TEST(Validation, MMcErlangCMeanAndSojournPercentiles) {
  // The benchmark's model: lambda 9/s, mu 1/s, c = 10 (utilisation 0.9).
  const run::Results r = run_model(R"({
    "simulation": {"duration": "40000s", "warmup": "1000s", "replications": 10, "seed": 2,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "s", "rate": 9}],
    "services": {"s": {"workers": 10, "cores": 10,
                       "steps": [{"work": {"dist": "exponential", "mean": "1s"}}]}}
  })");
  const analytic::MMc q{9.0, 1.0, 10};
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"), q.mean_sojourn() * 1e3));
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.p50"), q.sojourn_quantile(0.50) * 1e3,
                     kHistogramBias));
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.p95"), q.sojourn_quantile(0.95) * 1e3,
                     kHistogramBias));
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.p99"), q.sojourn_quantile(0.99) * 1e3,
                     kHistogramBias));
  EXPECT_TRUE(covers(metric(r, "services.s.queue_length"), q.mean_queue_length()));
  EXPECT_TRUE(covers(metric(r, "services.s.worker_utilization"), 0.9));
}

TEST(Validation, MD1PollaczekKhinchine) {
  const run::Results r = run_model(R"({
    "simulation": {"duration": "20000s", "warmup": "500s", "replications": 10, "seed": 3,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "s", "rate": 8}],
    "services": {"s": {"workers": 1, "steps": [{"work": "100ms"}]}}
  })");
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"),
                     analytic::mg1_mean_sojourn(8.0, 0.1, 0.0) * 1e3));
}

TEST(Validation, MG1PollaczekKhinchineWithHighVariance) {
  // Lognormal service with cv 1.5 (scv 2.25) at utilisation 0.7.
  const run::Results r = run_model(R"({
    "simulation": {"duration": "40000s", "warmup": "1000s", "replications": 12, "seed": 4,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "s", "rate": 7}],
    "services": {"s": {"workers": 1,
                       "steps": [{"work": {"dist": "lognormal", "mean": "100ms", "cv": 1.5}}]}}
  })");
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"),
                     analytic::mg1_mean_sojourn(7.0, 0.1, 2.25) * 1e3));
}

TEST(Validation, MMcKBlocking) {
  // c = 2 workers and room for 3 more in the queue: K = 5 in the system.
  const run::Results r = run_model(R"({
    "simulation": {"duration": "20000s", "warmup": "200s", "replications": 10, "seed": 5,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "s", "rate": 3}],
    "services": {"s": {"workers": 2, "cores": 2, "queue_capacity": 3,
                       "steps": [{"work": {"dist": "exponential", "mean": "1s"}}]}}
  })");
  const analytic::MMcK q{3.0, 1.0, 2, 5};
  EXPECT_TRUE(covers(metric(r, "services.s.rejected"), q.blocking_probability()));
  EXPECT_TRUE(covers(metric(r, "workloads.w.errors.rejected"), q.blocking_probability()));
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"), q.mean_sojourn() * 1e3));
}

TEST(Validation, ProcessorSharingIsInsensitiveToTheServiceDistribution) {
  // M/G/1-PS: mean sojourn E[S] / (1 - rho) whatever the distribution; here a hyperexponential
  // with scv far above 1.
  const run::Results r = run_model(R"({
    "simulation": {"duration": "20000s", "warmup": "500s", "replications": 10, "seed": 6,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "s", "rate": 8}],
    "services": {"s": {"workers": 1000, "cpu": "ps",
                       "steps": [{"work": {"dist": "hyperexponential", "probs": [0.9, 0.1],
                                           "means": ["50ms", "550ms"]}}]}}
  })");
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"), 0.1 / (1 - 0.8) * 1e3));
}

TEST(Validation, ProcessorSharingOnSeveralCoresMatchesMMcPopulation) {
  // With c cores shared at rate min(1, c/n) the population behaves as in M/M/c, whatever the
  // distribution (a symmetric queue): mean sojourn = L(M/M/c) / lambda.
  const run::Results r = run_model(R"({
    "simulation": {"duration": "20000s", "warmup": "500s", "replications": 10, "seed": 7,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "s", "rate": 3.2}],
    "services": {"s": {"workers": 1000, "cpu": "ps", "cores": 4,
                       "steps": [{"work": {"dist": "uniform", "min": "0s", "max": "2s"}}]}}
  })");
  const analytic::MMc q{3.2, 1.0, 4};
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"), q.mean_in_system() / 3.2 * 1e3));
  EXPECT_TRUE(covers(metric(r, "services.s.cpu_utilization"), 0.8));
}

/// Mean sojourn of E_k/M/1 (Erlang-k interarrivals of rate lambda, exponential service mu):
/// 1 / (mu (1 - sigma)) with sigma the root in (0, 1) of sigma = (k lambda / (k lambda + mu (1 -
/// sigma)))^k.
double ekm1_mean_sojourn(int k, double lambda, double mu) {
  double sigma = 0.5;
  for (int i = 0; i < 10000; ++i) {
    sigma = std::pow(k * lambda / (k * lambda + mu * (1.0 - sigma)), k);
  }
  return 1.0 / (mu * (1.0 - sigma));
}

TEST(Validation, RandomBalancingGivesIndependentMM1Queues) {
  const run::Results r = run_model(R"({
    "simulation": {"duration": "20000s", "warmup": "500s", "replications": 10, "seed": 8,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "s", "rate": 3.2}],
    "services": {"s": {"replicas": 4, "workers": 1, "load_balancer": {"policy": "random"},
                       "steps": [{"work": {"dist": "exponential", "mean": "1s"}}]}}
  })");
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"), 1.0 / (1.0 - 0.8) * 1e3));
}

TEST(Validation, RoundRobinBalancingGivesErlangArrivalsPerReplica) {
  const run::Results r = run_model(R"({
    "simulation": {"duration": "20000s", "warmup": "500s", "replications": 10, "seed": 9,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "s", "rate": 3.2}],
    "services": {"s": {"replicas": 4, "workers": 1, "load_balancer": {"policy": "round_robin"},
                       "steps": [{"work": {"dist": "exponential", "mean": "1s"}}]}}
  })");
  const double exact = ekm1_mean_sojourn(4, 0.8, 1.0);
  EXPECT_LT(exact, 5.0 * 0.7) << "round robin is much better than random here";
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"), exact * 1e3));
}

TEST(Validation, FeedForwardCallChainIsATandemJacksonNetwork) {
  // a -> b -> c, each a single core with plenty of workers: by Burke's theorem each CPU is an
  // M/M/1 queue at the same rate and the response time is the sum of their sojourns.
  const run::Results r = run_model(R"({
    "simulation": {"duration": "20000s", "warmup": "500s", "replications": 10, "seed": 10,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "a", "rate": 8}],
    "services": {
      "a": {"workers": 100000, "steps": [{"work": {"dist": "exponential", "mean": "50ms"}},
                                          {"call": "b"}]},
      "b": {"workers": 100000, "steps": [{"work": {"dist": "exponential", "mean": "80ms"}},
                                          {"call": "c"}]},
      "c": {"workers": 100000, "steps": [{"work": {"dist": "exponential", "mean": "40ms"}}]}
    }
  })");
  Eigen::VectorXd external(3);
  external << 8.0, 0.0, 0.0;
  Eigen::MatrixXd routing = Eigen::MatrixXd::Zero(3, 3);
  routing(0, 1) = 1.0;
  routing(1, 2) = 1.0;
  const Eigen::VectorXd lambda = analytic::jackson_arrival_rates(external, routing);
  const double means[] = {0.05, 0.08, 0.04};
  double exact = 0.0;
  for (int i = 0; i < 3; ++i) exact += 1.0 / (1.0 / means[i] - lambda(i));
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"), exact * 1e3));
  EXPECT_TRUE(covers(metric(r, "services.b.arrival_rps"), lambda(1)));
}

TEST(Validation, ClosedNetworkMatchesExactMva) {
  // 40 virtual users thinking 1 s, visiting a front (20 ms) that calls a back end (30 ms), each a
  // single exponential server: a closed product-form network.
  const run::Results r = run_model(R"({
    "simulation": {"duration": "20000s", "warmup": "500s", "replications": 10, "seed": 11,
                   "confidence": 0.99},
    "workloads": [{"name": "u", "kind": "closed", "target": "front", "users": 40,
                   "think_time": {"dist": "exponential", "mean": "1s"}}],
    "services": {
      "front": {"workers": 1000, "steps": [{"work": {"dist": "exponential", "mean": "20ms"}},
                                            {"call": "back"}]},
      "back": {"workers": 1000, "steps": [{"work": {"dist": "exponential", "mean": "30ms"}}]}
    }
  })");
  const analytic::MvaResult m = analytic::mva({0.02, 0.03}, {1, 1}, 1.0, 40);
  EXPECT_TRUE(covers(metric(r, "workloads.u.throughput_rps"), m.throughput));
  EXPECT_TRUE(covers(metric(r, "workloads.u.latency_ms.mean"), m.response_time * 1e3));
}

}  // namespace
}  // namespace capsim::validation
