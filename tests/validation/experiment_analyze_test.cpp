// `analyze` equals the closed forms: M/M/1, M/M/c (Erlang C), random balancing (independent
// M/M/1 queues), M/G/1 (Pollaczek-Khinchine), processor sharing, a tandem of services (Jackson
// traffic equations), call counts and probabilities (visit ratios), and a closed workload (exact
// MVA).

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "capsim/analytic/model_analysis.hpp"
#include "capsim/analytic/queueing.hpp"
#include "capsim/model/load.hpp"

namespace {

namespace analytic = capsim::analytic;
using capsim::model::Json;

analytic::ModelAnalysis analyze(const std::string& text) {
  return analytic::analyze(capsim::model::load(Json::parse(text), "."));
}

double quantile(const analytic::WorkloadEstimate& w, const std::string& name) {
  for (const auto& [n, v] : w.latency_quantiles_s) {
    if (n == name) return v;
  }
  return std::nan("");
}

bool mentions(const std::vector<std::string>& assumptions, const std::string& part) {
  for (const std::string& a : assumptions) {
    if (a.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(Analyze, MM1) {
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "s", "rate": 8 } ],
    "services": { "s": { "workers": 1, "steps": [ { "work": { "dist": "exponential", "mean": "100ms" } } ] } } })");
  ASSERT_EQ(a.stations.size(), 1u);
  const auto& s = a.stations[0];
  EXPECT_DOUBLE_EQ(s.arrival_rps, 8.0);
  EXPECT_DOUBLE_EQ(s.demand_s, 0.1);
  EXPECT_NEAR(s.utilization, 0.8, 1e-12);
  EXPECT_TRUE(s.stable);
  EXPECT_NEAR(*s.wait_probability, 0.8, 1e-12);
  EXPECT_NEAR(*s.mean_wait_s, 0.4, 1e-12);  // rho / (mu - lambda)
  EXPECT_NEAR(*s.replica_capacity_rps, 10.0, 1e-12);
  const auto& w = a.workloads[0];
  EXPECT_NEAR(*w.mean_latency_s, 0.5, 1e-12);  // 1 / (mu - lambda)
  EXPECT_TRUE(w.quantiles_exact);
  EXPECT_NEAR(quantile(w, "p99"), std::log(100.0) / 2.0, 1e-6);
  EXPECT_NEAR(quantile(w, "p50"), std::log(2.0) / 2.0, 1e-6);
}

TEST(Analyze, MMcIsErlangC) {
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "s", "rate": 9 } ],
    "services": { "s": { "cores": 10, "workers": 100,
                         "steps": [ { "work": { "dist": "exponential", "mean": "1s" } } ] } } })");
  const analytic::MMc q{9.0, 1.0, 10};
  const auto& s = a.stations[0];
  EXPECT_EQ(s.servers_per_replica, 10);
  EXPECT_NEAR(*s.wait_probability, analytic::erlang_c(10, 9.0), 1e-12);
  EXPECT_NEAR(*s.mean_wait_s, q.mean_wait(), 1e-12);
  EXPECT_NEAR(*a.workloads[0].mean_latency_s, q.mean_sojourn(), 1e-12);
  EXPECT_NEAR(quantile(a.workloads[0], "p99"), q.sojourn_quantile(0.99), 1e-9);
  EXPECT_TRUE(a.workloads[0].quantiles_exact);
}

TEST(Analyze, RandomBalancingIsIndependentMM1Queues) {
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "s", "rate": 60 } ],
    "services": { "s": { "replicas": 9, "workers": 1, "load_balancer": { "policy": "random" },
                         "steps": [ { "work": { "dist": "exponential", "mean": "100ms" } } ] } } })");
  const auto& s = a.stations[0];
  EXPECT_EQ(s.model, analytic::StationModel::per_replica);
  EXPECT_NEAR(s.utilization, 60.0 / 90.0, 1e-12);
  EXPECT_NEAR(quantile(a.workloads[0], "p99"), std::log(100.0) / (10.0 - 60.0 / 9.0), 1e-6);
  EXPECT_NEAR(*a.workloads[0].mean_latency_s, 1.0 / (10.0 - 60.0 / 9.0), 1e-12);
  EXPECT_NEAR(*s.worker_utilization, s.utilization, 1e-12) << "the workers are the servers";
  // Least outstanding: one pooled M/M/9 queue.
  const auto pooled = analyze(R"({
    "workloads": [ { "name": "w", "target": "s", "rate": 60 } ],
    "services": { "s": { "replicas": 9, "workers": 1, "load_balancer": { "policy": "least_outstanding" },
                         "steps": [ { "work": { "dist": "exponential", "mean": "100ms" } } ] } } })");
  EXPECT_EQ(pooled.stations[0].model, analytic::StationModel::pooled);
  const analytic::MMc mm9{60.0, 10.0, 9};
  EXPECT_NEAR(*pooled.workloads[0].mean_latency_s, mm9.mean_sojourn(), 1e-12);
  EXPECT_TRUE(mentions(pooled.stations[0].assumptions, "optimistic"));
}

TEST(Analyze, MG1IsPollaczekKhinchineAndPsIsInsensitive) {
  const auto fcfs = analyze(R"({
    "workloads": [ { "name": "w", "target": "s", "rate": 8 } ],
    "services": { "s": { "workers": 10, "steps": [ { "work": "100ms" } ] } } })");
  // M/D/1: Wq = rho m / (2 (1 - rho)) = 0.8 x 0.1 / 0.4.
  EXPECT_NEAR(*fcfs.stations[0].mean_wait_s, 0.2, 1e-12);
  EXPECT_NEAR(*fcfs.workloads[0].mean_latency_s, 0.3, 1e-12);
  EXPECT_FALSE(fcfs.workloads[0].quantiles_exact);
  const auto ps = analyze(R"({
    "workloads": [ { "name": "w", "target": "s", "rate": 8 } ],
    "services": { "s": { "workers": 1000, "cpu": "ps",
                         "steps": [ { "work": { "dist": "uniform", "min": "0s", "max": "200ms" } } ] } } })");
  EXPECT_NEAR(*ps.workloads[0].mean_latency_s, 0.1 / (1 - 0.8), 1e-12);  // m / (1 - rho)
}

TEST(Analyze, TandemServicesFollowTheTrafficEquations) {
  // a -> b -> c with exponential work: by Burke's theorem, three M/M/1 queues at 8/s.
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "a", "rate": 8 } ],
    "services": {
      "a": { "workers": 100000, "steps": [ { "work": { "dist": "exponential", "mean": "50ms" } }, { "call": "b" } ] },
      "b": { "workers": 100000, "steps": [ { "work": { "dist": "exponential", "mean": "80ms" } }, { "call": "c" } ] },
      "c": { "workers": 100000, "steps": [ { "work": { "dist": "exponential", "mean": "40ms" } } ] } } })");
  double exact = 0.0;
  for (const double m : {0.05, 0.08, 0.04}) exact += 1.0 / (1.0 / m - 8.0);
  for (const auto& s : a.stations) EXPECT_DOUBLE_EQ(s.arrival_rps, 8.0) << s.service;
  EXPECT_NEAR(*a.workloads[0].mean_latency_s, exact, 1e-12);
  // Time in b includes its call to c.
  EXPECT_NEAR(*a.stations[1].holding_time_s, 1.0 / (12.5 - 8) + 1.0 / (25.0 - 8), 1e-12);
  EXPECT_FALSE(a.workloads[0].quantiles_exact);
}

TEST(Analyze, CallCountsProbabilitiesAndMixesGiveVisitRatios) {
  const auto spec = capsim::model::load(Json::parse(R"({
    "workloads": [ { "name": "w", "target": "front", "rate": 100,
                     "mix": [ { "endpoint": "home", "weight": 3 }, { "endpoint": "search", "weight": 1 } ] } ],
    "services": {
      "front": { "cores": 4, "endpoints": {
        "home": { "steps": [ { "work": "1ms" }, { "call": "db", "count": 3 },
                             { "parallel": [ { "call": "cache", "probability": 0.5 }, { "call": "db" } ] } ] },
        "search": { "steps": [ { "work": "4ms" }, { "call": "db", "count": 2, "probability": 0.25 } ] } } },
      "db": { "cores": 8, "steps": [ { "work": "2ms" } ] },
      "cache": { "steps": [ { "work": "100us" } ] } } })"),
                                        ".");
  const auto visits = analytic::visits_per_request(spec, spec.workloads[0]);
  // home 0.75: 3 + 1 db calls, 0.5 cache; search 0.25: 2 x 0.25 db calls.
  EXPECT_NEAR(visits[0], 1.0, 1e-12);
  EXPECT_NEAR(visits[1], 0.75 * 4 + 0.25 * 0.5, 1e-12);
  EXPECT_NEAR(visits[2], 0.75 * 0.5, 1e-12);
  const auto a = analytic::analyze(spec);
  EXPECT_NEAR(a.stations[1].arrival_rps, 312.5, 1e-9);
  EXPECT_NEAR(a.stations[0].demand_s, 0.75 * 0.001 + 0.25 * 0.004, 1e-15);
  EXPECT_NEAR(a.stations[1].utilization, 312.5 * 0.002 / 8, 1e-12);
  EXPECT_TRUE(mentions(a.workloads[0].assumptions, "parallel calls"));
}

TEST(Analyze, ClosedWorkloadIsExactMva) {
  const auto spec = capsim::model::load(Json::parse(R"({
    "workloads": [ { "name": "u", "kind": "closed", "target": "front", "users": 40,
                     "think_time": { "dist": "exponential", "mean": "1s" } } ],
    "services": {
      "front": { "workers": 1000, "steps": [ { "work": { "dist": "exponential", "mean": "20ms" } }, { "call": "back" } ] },
      "back": { "workers": 1000, "steps": [ { "work": { "dist": "exponential", "mean": "30ms" } } ] } } })"),
                                        ".");
  const auto a = analytic::analyze(spec);
  const analytic::MvaResult exact = analytic::mva({0.02, 0.03}, {1, 1}, 1.0, 40);
  const auto& w = a.workloads[0];
  EXPECT_TRUE(w.closed);
  EXPECT_NEAR(w.rate_rps, exact.throughput, 1e-12);
  EXPECT_NEAR(*w.mean_latency_s, exact.response_time, 1e-12);
  EXPECT_NEAR(a.stations[1].utilization, exact.throughput * 0.03, 1e-12);
  // The stations' waits come from the MVA: the time in front includes its call to back.
  EXPECT_NEAR(*a.stations[0].holding_time_s, exact.response_time, 1e-12);
  EXPECT_TRUE(mentions(w.assumptions, "exact MVA"));
}

TEST(Analyze, UnstableStationsAndPeaksAreFlagged) {
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "s",
                     "rate": { "start": 5, "stages": [ { "duration": "1m", "target": 12 } ] } } ],
    "services": { "s": { "workers": 1, "steps": [ { "work": { "dist": "exponential", "mean": "100ms" } } ] } } })");
  EXPECT_DOUBLE_EQ(a.workloads[0].rate_rps, 12.0) << "analysed at the peak";
  EXPECT_TRUE(mentions(a.workloads[0].assumptions, "at its peak"));
  EXPECT_FALSE(a.stations[0].stable);
  EXPECT_FALSE(a.workloads[0].stable);
  EXPECT_FALSE(a.workloads[0].mean_latency_s.has_value());
}

}  // namespace
