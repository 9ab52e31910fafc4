// `compare` recovers a known difference, and common random numbers make the paired interval of
// a difference much narrower than the two variants' intervals combined.

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "capsim/run/experiment.hpp"
#include "capsim/run/experiment_compare.hpp"
#include "capsim/run/experiment_executor.hpp"

namespace {

namespace fs = std::filesystem;
namespace run = capsim::run;

/// Mean sojourn of E_k/M/1: 1 / (mu (1 - sigma)), sigma = (k l / (k l + mu (1 - sigma)))^k.
double ekm1_mean_sojourn(int k, double lambda, double mu) {
  double sigma = 0.5;
  for (int i = 0; i < 10000; ++i) sigma = std::pow(k * lambda / (k * lambda + mu * (1 - sigma)), k);
  return 1.0 / (mu * (1.0 - sigma));
}

double half_width(const capsim::stats::Estimate& e) {
  return (e.ci->second - e.ci->first) / 2.0;
}

class CompareClosedForm : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("capsim-compare-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  run::Experiment experiment(const std::string& model, const std::string& exp) {
    std::ofstream(dir_ / "model.json") << model;
    std::ofstream(dir_ / "exp.json") << exp;
    return run::read_experiment(dir_ / "exp.json");
  }
  fs::path dir_;
};

TEST_F(CompareClosedForm, RandomAgainstRoundRobinRecoversTheKnownDifference) {
  // Four single-worker replicas at 80%: random makes each an M/M/1 queue (mean sojourn 5 s),
  // round robin an E_4/M/1 queue (3.27 s).
  const run::Experiment e = experiment(R"({
    "simulation": { "duration": "20000s", "warmup": "500s", "replications": 10, "seed": 9,
                    "confidence": 0.99 },
    "workloads": [ { "name": "w", "target": "s", "rate": 3.2 } ],
    "services": { "s": { "replicas": 4, "workers": 1, "load_balancer": { "policy": "random" },
                         "steps": [ { "work": { "dist": "exponential", "mean": "1s" } } ] } }
  })",
                                       R"({ "kind": "compare", "model": "model.json",
    "variants": { "random": [],
                  "round-robin": [ { "pointer": "/services/s/load_balancer/policy", "value": "round_robin" } ] },
    "metrics": [ "workloads.w.latency_ms.mean", "services.s.cpu_utilization" ] })");
  run::ThreadExecutor executor(2);
  const run::CompareResult r = run::run_compare(e, executor);
  const double mm1 = 1.0 / (1.0 - 0.8);
  const double ek = ekm1_mean_sojourn(4, 0.8, 1.0);
  const double exact_ms = (ek - mm1) * 1e3;  // about -1733 ms
  const run::Difference& d = r.differences[1][0];
  ASSERT_TRUE(d.estimate.ci.has_value());
  EXPECT_LE(d.estimate.ci->first, exact_ms);
  EXPECT_GE(d.estimate.ci->second, exact_ms);
  EXPECT_EQ(d.verdict, run::Verdict::better) << "latency: lower is better";
  // The same work at the same rate: utilisation shows no difference.
  EXPECT_EQ(r.differences[1][1].verdict, run::Verdict::no_difference);
  // Each variant's own estimate covers its closed form too.
  const auto& random_mean = r.metrics[0][0].estimate;
  EXPECT_LE(random_mean.ci->first, mm1 * 1e3);
  EXPECT_GE(random_mean.ci->second, mm1 * 1e3);
  const run::Json j = run::compare_json(e, r);
  EXPECT_EQ(j["baseline"], "random");
  EXPECT_EQ(j["differences"]["round-robin"]["workloads.w.latency_ms.mean"]["verdict"], "better");
  EXPECT_FALSE(j["differences"].contains("random"));
}

TEST_F(CompareClosedForm, CommonRandomNumbersNarrowThePairedInterval) {
  // One M/M/1 queue at 50%; a variant with 10% faster work. Every replication of both variants
  // sees the same arrivals and the same uniforms for the same requests' work.
  const run::Experiment e = experiment(R"({
    "simulation": { "duration": "2000s", "warmup": "100s", "replications": 10, "seed": 8 },
    "workloads": [ { "name": "w", "target": "s", "rate": 5 } ],
    "services": { "s": { "workers": 1, "steps": [ { "work": { "dist": "exponential", "mean": "100ms" } } ] } }
  })",
                                       R"({ "kind": "compare", "model": "model.json",
    "variants": { "base": [],
                  "faster": [ { "pointer": "/services/s/steps/0/work/mean", "value": "90ms" } ] },
    "metrics": [ "workloads.w.latency_ms.mean", "workloads.w.latency_ms.p99" ] })");
  run::ThreadExecutor executor(2);
  const run::CompareResult r = run::run_compare(e, executor);
  for (std::size_t m = 0; m < 2; ++m) {
    const double base = half_width(r.metrics[0][m].estimate);
    const double faster = half_width(r.metrics[1][m].estimate);
    const double paired = half_width(r.differences[1][m].estimate);
    // Independent runs would give a difference interval of about sqrt(base^2 + faster^2).
    EXPECT_LT(paired, 0.5 * std::sqrt(base * base + faster * faster))
        << "metric " << m << ": paired " << paired << ", variants " << base << " and " << faster;
    EXPECT_LT(paired, 0.3 * (base + faster));
    EXPECT_EQ(r.differences[1][m].verdict, run::Verdict::better);
  }
  // The exact mean sojourns: 1 / (mu - lambda) = 200 ms and 90 / (1 - 0.45) = 163.6 ms.
  const double exact_ms = 0.09 / (1 - 0.45) * 1e3 - 200.0;
  const auto& d = r.differences[1][0].estimate;
  EXPECT_NEAR(d.mean, exact_ms, 3.0 * half_width(d) + 2.0);
}

TEST_F(CompareClosedForm, CommonRandomNumbersHoldWhenTheBalancerOrReplicaCountChanges) {
  // Work draws are keyed by request, not by the order in which work starts: a variant that sends
  // requests elsewhere (another policy, one more replica) still gives each request the same
  // service time. Queueing at single-worker replicas at 80% depends strongly on the routing, so
  // the gain on latency is moderate (paired about 0.6 of independent intervals for a policy
  // change); on the work itself it is total.
  const run::Experiment e = experiment(R"({
    "simulation": { "duration": "4000s", "warmup": "200s", "replications": 10, "seed": 21 },
    "workloads": [ { "name": "w", "target": "s", "rate": 3.2 } ],
    "services": { "s": { "replicas": 4, "workers": 1, "load_balancer": { "policy": "round_robin" },
                         "steps": [ { "work": { "dist": "exponential", "mean": "1s" } } ] } }
  })",
                                       R"({ "kind": "compare", "model": "model.json",
    "variants": { "base": [],
                  "least-outstanding": [ { "pointer": "/services/s/load_balancer/policy", "value": "least_outstanding" } ],
                  "five": [ { "pointer": "/services/s/replicas", "value": 5 } ] },
    "metrics": [ "workloads.w.latency_ms.mean", "services.s.cpu_utilization" ] })");
  run::ThreadExecutor executor(2);
  const run::CompareResult r = run::run_compare(e, executor);
  EXPECT_EQ(r.differences[1][0].verdict, run::Verdict::better);
  EXPECT_EQ(r.differences[2][0].verdict, run::Verdict::better);
  {
    // Another policy, the same requests: the same work, whatever replica does it.
    const double base = half_width(r.metrics[0][1].estimate);
    const double other = half_width(r.metrics[1][1].estimate);
    const double paired = half_width(r.differences[1][1].estimate);
    EXPECT_LT(paired, 0.1 * std::sqrt(base * base + other * other))
        << "paired " << paired << ", variants " << base << " and " << other;
  }
  {
    const double base = half_width(r.metrics[0][0].estimate);
    const double other = half_width(r.metrics[1][0].estimate);
    const double paired = half_width(r.differences[1][0].estimate);
    EXPECT_LT(paired, 0.75 * std::sqrt(base * base + other * other))
        << "paired " << paired << ", variants " << base << " and " << other;
  }
  // The same requests bring the same work: the busy core-seconds are equal, so utilisation per
  // core scales exactly with 4/5 replicas (up to the work in progress at the window's edges).
  const double u4 = r.metrics[0][1].estimate.mean, u5 = r.metrics[2][1].estimate.mean;
  EXPECT_NEAR(u5 / u4, 0.8, 0.002);
}

}  // namespace
