// `size` against closed forms: replicas behind a random balancer are independent M/M/1 queues,
// so the p99 sojourn with n replicas is ln(100) / (mu - lambda / n); behind round robin each
// replica is an E_n/M/1 queue, whose sojourn is exponential with rate mu (1 - sigma).

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "capsim/run/experiment.hpp"
#include "capsim/run/experiment_executor.hpp"
#include "capsim/run/experiment_size.hpp"

namespace {

namespace fs = std::filesystem;
namespace run = capsim::run;

constexpr double kLambda = 60.0;  // requests per second
constexpr double kMu = 10.0;      // per replica (exponential work, mean 100 ms, one worker)
constexpr double kLimit = 1.5;    // SLO: p99 under 1.5 s

/// Mean of the root sigma in (0, 1) of sigma = (k l / (k l + mu (1 - sigma)))^k (E_k/M/1).
double ekm1_sigma(int k, double lambda, double mu) {
  double sigma = 0.5;
  for (int i = 0; i < 200000; ++i)
    sigma = std::pow(k * lambda / (k * lambda + mu * (1 - sigma)), k);
  return sigma;
}

class SizeClosedForm : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("capsim-size-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  run::SizeResult size(const std::string& policy) {
    std::ofstream(dir_ / "model.json") << R"({
      "simulation": { "duration": "3000s", "warmup": "100s", "replications": 6, "seed": 21 },
      "workloads": [ { "name": "w", "target": "s", "rate": 60 } ],
      "services": { "s": { "replicas": 4, "workers": 1,
                           "load_balancer": { "policy": ")" +
                                              policy + R"(" },
                           "steps": [ { "work": { "dist": "exponential", "mean": "100ms" } } ] } },
      "slo": { "latency": { "p99": "1.5s" } }
    })";
    std::ofstream(dir_ / "size.json") << R"({ "kind": "size", "model": "model.json",
      "services": [ "s" ], "max_replications": 24, "max_replicas": 40 })";
    const run::Experiment e = run::read_experiment(dir_ / "size.json");
    run::ThreadExecutor executor(2);
    return run::run_size(e, executor);
  }
  fs::path dir_;
};

TEST_F(SizeClosedForm, RandomBalancingGivesTheExactSmallestCount) {
  // The exact answer: the smallest n with ln(100) / (mu - lambda / n) <= 1.5 s.
  int exact = 1;
  while (!(kLambda / exact < kMu && std::log(100.0) / (kMu - kLambda / exact) <= kLimit)) ++exact;
  ASSERT_EQ(exact, 9);  // p99 1.38 s at 9, 1.84 s at 8

  const run::SizeResult r = size("random");
  ASSERT_EQ(r.services.size(), 1u);
  const run::ServiceSizing& s = r.services[0];
  ASSERT_TRUE(s.replicas.has_value()) << ::testing::PrintToString(s.notes);
  EXPECT_EQ(*s.replicas, exact);
  EXPECT_TRUE(s.confident);
  EXPECT_EQ(s.analytic, exact) << "random balancing is exactly independent M/M/1 queues";
  // Breaking point: one replica's capacity, mu = 10/s; rule of thumb ceil(60 / 10) + 2.
  ASSERT_TRUE(s.breaking_point_rps.has_value());
  EXPECT_DOUBLE_EQ(*s.breaking_point_rps, kMu);
  EXPECT_EQ(s.rule_of_thumb, 8);
  EXPECT_DOUBLE_EQ(s.peak_rps, kLambda);
  // Latency and utilisation at the answer and at one fewer.
  ASSERT_TRUE(s.at_answer && s.at_one_fewer);
  EXPECT_EQ(s.at_answer->replicas, 9);
  EXPECT_TRUE(s.at_answer->met);
  EXPECT_EQ(s.at_one_fewer->replicas, 8);
  EXPECT_FALSE(s.at_one_fewer->met);
  ASSERT_EQ(s.at_answer->checks.size(), 1u);
  const auto& p99 = s.at_answer->checks[0].value;
  EXPECT_NEAR(p99.mean / 1e3, std::log(100.0) / (kMu - kLambda / 9), 0.1);
  EXPECT_NEAR(s.at_one_fewer->checks[0].value.mean / 1e3, std::log(100.0) / (kMu - kLambda / 8),
              0.15);
  // The analytic first guess is right: the search only had to confirm it and one fewer.
  EXPECT_EQ(s.evaluations.size(), 2u);
}

TEST_F(SizeClosedForm, RoundRobinSearchesBelowAPessimisticGuess) {
  // Round robin gives each replica every n-th arrival: E_n/M/1, sojourn ~ Exp(mu (1 - sigma)).
  const auto p99 = [](int n) {
    return std::log(100.0) / (kMu * (1.0 - ekm1_sigma(n, kLambda / n, kMu)));
  };
  int exact = 7;
  while (p99(exact) > kLimit) ++exact;
  ASSERT_EQ(exact, 8);  // 1.12 s at 8, 1.91 s at 7
  const run::SizeResult r = size("round_robin");
  const run::ServiceSizing& s = r.services[0];
  ASSERT_TRUE(s.replicas.has_value());
  EXPECT_EQ(*s.replicas, exact);
  EXPECT_TRUE(s.confident);
  // The analytic estimate treats each replica's arrivals as Poisson: one replica too many.
  EXPECT_EQ(s.analytic, 9);
  EXPECT_NEAR(s.at_answer->checks[0].value.mean / 1e3, p99(8), 0.1);
}

}  // namespace
