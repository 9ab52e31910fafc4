// The capacity of each station and the breaking point of the path (issue 15): a request holds
// its worker through its calls and delays, and any station on the path may saturate first.
//
// Hand calculations (one api replica, 2 cores, 4 workers, 10 ms of work per request):
// - cores: 2 / 0.010 s = 200 requests/s per replica;
// - workers, with a 90 ms delay (or a 90 ms call to a backend that never queues: 64 cores at
//   10/s is 14% busy, Erlang C ~ 1e-60): a request holds its worker 10 + 90 = 100 ms (its own
//   wait for a core excluded), so 4 / 0.100 s = 40 requests/s per replica: the workers bind;
// - a database with one connection and 40 ms exponential queries serves 1 / 0.040 s = 25
//   queries/s, one query per request: 25 requests/s whatever the api's replicas: it binds.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "capsim/analytic/model_analysis.hpp"
#include "capsim/analytic/queueing.hpp"
#include "capsim/model/load.hpp"
#include "validation_support.hpp"

namespace {

namespace analytic = capsim::analytic;
using capsim::model::Json;

analytic::ModelAnalysis analyze(const std::string& text) {
  return analytic::analyze(capsim::model::load(Json::parse(text), "."));
}

const analytic::StationEstimate& station(const analytic::ModelAnalysis& a,
                                         const std::string& name) {
  for (const auto& s : a.stations) {
    if (s.service == name) return s;
  }
  throw std::runtime_error("no station " + name);
}

TEST(AnalyzeCapacity, ADelayHoldsTheWorker) {
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 20 } ],
    "services": { "api": { "cores": 2, "workers": 4,
                           "steps": [ { "work": "10ms" }, { "delay": "90ms" } ] } } })");
  const auto& api = station(a, "api");
  EXPECT_NEAR(*api.core_capacity_rps, 200.0, 1e-9);
  EXPECT_NEAR(*api.worker_capacity_rps, 40.0, 1e-9);
  EXPECT_NEAR(*api.replica_capacity_rps, 40.0, 1e-9);
  EXPECT_EQ(api.capacity_bound, "workers");
  const auto bp = analytic::breaking_point(a, "api");
  ASSERT_TRUE(bp.has_value());
  EXPECT_NEAR(bp->rps, 40.0, 1e-9);
  EXPECT_EQ(bp->station, "api");
  EXPECT_EQ(bp->resource, "workers");
}

TEST(AnalyzeCapacity, FewerWorkersThanCoresAreTheServersButTheCpuIsTheCores) {
  // 2 workers on 4 cores, 15/s of 100 ms: the workers are an M/M/2 at 75% (they bound it), the
  // cores are busy 1.5 of 4 = 37.5% (the column "cpu"; it used to show the workers' 75%).
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 15 } ],
    "services": { "api": { "cores": 4, "workers": 2,
                           "steps": [ { "work": { "dist": "exponential", "mean": "100ms" } } ] } } })");
  const auto& api = station(a, "api");
  EXPECT_EQ(api.servers_per_replica, 2);
  EXPECT_NEAR(api.utilization, 0.75, 1e-12);
  EXPECT_NEAR(api.cpu_utilization, 0.375, 1e-12);
  // Erlang C for 2 servers at a = 1.5: (a^2/2)/(1 - 0.75) / (1 + a + 4.5) = 4.5 / 7.
  EXPECT_NEAR(*api.wait_probability, 4.5 / 7.0, 1e-12);
}

TEST(AnalyzeCapacity, ADelaysMeanIsInThePercentilesWhichAreThenApproximate) {
  // Exponential work (10 ms) on 2 cores at 20/s, then a 90 ms delay: the M/M/2 sojourn's
  // quantiles plus 90 ms (the workers, 4 held 100 ms each at 20/s, are half busy). They used
  // to leave the delay out and call themselves exact (p50 7 ms for a mean of 100 ms); the
  // simulation gives p50 97.2 and p99 137.2 ms on 2 replicas of this.
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 20 } ],
    "services": { "api": { "cores": 2, "workers": 4,
                           "steps": [ { "work": { "dist": "exponential", "mean": "10ms" } },
                                      { "delay": "90ms" } ] } } })");
  const analytic::WorkloadEstimate& w = a.workloads[0];
  EXPECT_FALSE(w.quantiles_exact);
  const analytic::MMc mmc{20.0, 100.0, 2};
  ASSERT_FALSE(w.latency_quantiles_s.empty());
  for (const auto& [name, q] : w.latency_quantiles_s) {
    if (name == "p50") {
      EXPECT_NEAR(q, mmc.sojourn_quantile(0.50) + 0.090, 1e-9);
    } else if (name == "p99") {
      EXPECT_NEAR(q, mmc.sojourn_quantile(0.99) + 0.090, 1e-9);
    }
  }
  EXPECT_NEAR(*w.mean_latency_s, mmc.mean_sojourn() + 0.090, 1e-9);
}

TEST(AnalyzeCapacity, ARandomDelaysSpreadIsInThePercentiles) {
  // 1 ms of exponential work and an exponential 99 ms delay at 1/s (no queueing): the response
  // time is nearly the delay, whose p99 is 99 ln 100 = 455.9 ms, 457 with the work (the
  // simulation: 442 +- 21). The delay was added by its mean: p99 103.6 ms.
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 1 } ],
    "services": { "api": { "cores": 1, "workers": 4,
                           "steps": [ { "work": { "dist": "exponential", "mean": "1ms" } },
                                      { "delay": { "dist": "exponential", "mean": "99ms" } } ] } } })");
  const analytic::WorkloadEstimate& w = a.workloads[0];
  EXPECT_FALSE(w.quantiles_exact);
  for (const auto& [name, q] : w.latency_quantiles_s) {
    if (name == "p50") {
      // The sum of Exp(1 ms) and Exp(99 ms): its median solves (99 e^(-t/99) - e^(-t)) / 98 = 0.5,
      // t = 69.6 ms.
      EXPECT_NEAR(q, 0.0696, 0.0696 * 0.03) << name;
    } else if (name == "p99") {
      EXPECT_NEAR(q, 0.457, 0.457 * 0.05) << name;
    }
  }
}

TEST(AnalyzeCapacity, AnAsyncCalleesTimeIsNotInTheCallersPercentiles) {
  // The api (M/M/1: 5 ms exponential work at 50/s, sojourn ~ Exp(150/s)) fires an async call to
  // a 120 ms thumbnailer nobody waits for. The percentiles took the thumbnailer as "where
  // requests spend most" around the api's 6.7 ms mean: p50 -30 ms. They are the api's own:
  // p50 = ln 2 / 150 = 4.62 ms, p99 = ln 100 / 150 = 30.7 ms.
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 50 } ],
    "services": {
      "api": { "cores": 1, "workers": 8,
               "steps": [ { "work": { "dist": "exponential", "mean": "5ms" } },
                          { "call": "thumbs", "async": true } ] },
      "thumbs": { "cores": 10, "workers": 10,
                  "steps": [ { "work": { "dist": "exponential", "mean": "120ms" } } ] } } })");
  const analytic::WorkloadEstimate& w = a.workloads[0];
  EXPECT_NEAR(*w.mean_latency_s, 1.0 / 150.0, 1e-9);
  ASSERT_FALSE(w.latency_quantiles_s.empty());
  for (const auto& [name, q] : w.latency_quantiles_s) {
    if (name == "p50") {
      EXPECT_NEAR(q, std::log(2.0) / 150.0, 1e-9);
    } else if (name == "p99") {
      EXPECT_NEAR(q, std::log(100.0) / 150.0, 1e-9);
    }
    EXPECT_GE(q, 0.0) << name;
  }
}

TEST(AnalyzeCapacity, ACallHoldsTheWorker) {
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
    "services": {
      "api": { "cores": 2, "workers": 4, "steps": [ { "work": "10ms" }, { "call": "backend" } ] },
      "backend": { "cores": 64, "workers": 64, "steps": [ { "work": "90ms" } ] } } })");
  const auto& api = station(a, "api");
  EXPECT_NEAR(*api.core_capacity_rps, 200.0, 1e-9);
  EXPECT_NEAR(*api.worker_capacity_rps, 40.0, 1e-6);
  EXPECT_EQ(api.capacity_bound, "workers");
  // The backend: 64 / 0.090 s = 711/s; it does not bind.
  const auto& backend = station(a, "backend");
  EXPECT_NEAR(*backend.replica_capacity_rps, 64.0 / 0.09, 1e-6);
  EXPECT_EQ(backend.capacity_bound, "cores");
  const auto bp = analytic::breaking_point(a, "api");
  ASSERT_TRUE(bp.has_value());
  EXPECT_NEAR(bp->rps, 40.0, 1e-6);
  EXPECT_EQ(bp->station, "api");
  // Three api replicas carry 120/s; the backend still 711/s: the model as given breaks at 120/s.
  const auto three = analytic::analyze(capsim::model::load(Json::parse(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
    "services": {
      "api": { "replicas": 3, "cores": 2, "workers": 4,
               "steps": [ { "work": "10ms" }, { "call": "backend" } ] },
      "backend": { "cores": 64, "workers": 64, "steps": [ { "work": "90ms" } ] } } })"),
                                                           "."));
  EXPECT_NEAR(analytic::breaking_point(three)->rps, 120.0, 1e-5);
  EXPECT_NEAR(analytic::breaking_point(three, "api")->rps, 40.0, 1e-6);
}

TEST(AnalyzeCapacity, ADatabaseWithFixedConnectionsBinds) {
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
    "services": {
      "api": { "cores": 2, "workers": 4, "steps": [ { "work": "10ms" }, { "call": "db" } ] },
      "db": { "kind": "database", "connections": 1,
              "work": { "dist": "exponential", "mean": "40ms" } } } })");
  const auto& db = station(a, "db");
  EXPECT_NEAR(*db.replica_capacity_rps, 25.0, 1e-9);
  EXPECT_EQ(db.capacity_bound, "connections");
  // The api's workers: a request holds one for 10 ms + the db's M/M/1 sojourn at 10/s,
  // 0.040 / (1 - 0.4) = 66.7 ms: 4 / 0.0767 = 52.2/s per replica.
  const auto& api = station(a, "api");
  EXPECT_NEAR(*api.worker_capacity_rps, 4.0 / (0.010 + 0.040 / 0.6), 1e-9);
  const auto bp = analytic::breaking_point(a, "api");
  ASSERT_TRUE(bp.has_value());
  EXPECT_NEAR(bp->rps, 25.0, 1e-9);
  EXPECT_EQ(bp->station, "db");
  EXPECT_EQ(bp->resource, "connections");
}

TEST(AnalyzeCapacity, ReadReplicasServeOnlyReadsAndThePrimaryOnlyWrites) {
  // A database of 4 connections, 10 ms queries, 2 read replicas: 400 queries/s per node. Reads
  // go to the 2 read replicas only: 800 reads/s; writes to the primary only: 400/s. Counting
  // the 3 nodes for every query said 1,200 either way (a run at 1,000 reads/s saturates).
  const auto bp_for = [](const char* op) {
    const auto a = analyze(std::string(R"({
      "workloads": [ { "name": "w", "target": "api", "rate": 100 } ],
      "services": {
        "api": { "replicas": 10, "cores": 4, "workers": 64,
                 "steps": [ { "work": "1ms" }, { "call": "db", "op": ")") +
                           op + R"(" } ] },
        "db": { "kind": "database", "connections": 4, "read_replicas": 2, "work": "10ms" } } })");
    return *analytic::breaking_point(a, "api");
  };
  const analytic::BreakingPoint reads = bp_for("read");
  EXPECT_NEAR(reads.rps, 800.0, 1e-6);
  EXPECT_EQ(reads.station, "db");
  EXPECT_NEAR(bp_for("write").rps, 400.0, 1e-6);
  // The balancer's assumption counts the nodes it balances: the 2 read replicas (it said 3).
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "db", "rate": 100 } ],
    "services": { "db": { "kind": "database", "connections": 4, "read_replicas": 2,
                          "work": "10ms" } } })");
  const auto& texts = station(a, "db").assumptions;
  EXPECT_NE(std::find(texts.begin(), texts.end(),
                      "round robin: modelled as 2 independent M/M/4 queues with Poisson arrivals "
                      "(pessimistic: round robin's are more regular)"),
            texts.end());
}

TEST(AnalyzeCapacity, VisitsScaleADownstreamCapacity) {
  // Each request makes 4 queries: the db's 25 queries/s are 6.25 requests/s.
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 2 } ],
    "services": {
      "api": { "cores": 2, "workers": 64, "steps": [ { "work": "10ms" }, { "call": "db", "count": 4 } ] },
      "db": { "kind": "database", "connections": 1, "work": "40ms" } } })");
  EXPECT_NEAR(*station(a, "db").replica_capacity_rps, 6.25, 1e-9);
  EXPECT_EQ(analytic::breaking_point(a, "api")->station, "db");
}

TEST(AnalyzeCapacity, WithoutCallsOrDelaysTheCoresBind) {
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "s", "rate": 8 } ],
    "services": { "s": { "cores": 2, "workers": 8,
                         "steps": [ { "work": { "dist": "exponential", "mean": "100ms" } } ] } } })");
  const auto& s = station(a, "s");
  EXPECT_NEAR(*s.replica_capacity_rps, 20.0, 1e-12);
  EXPECT_NEAR(*s.worker_capacity_rps, 80.0, 1e-9);  // a request holds its worker 100 ms
  EXPECT_EQ(s.capacity_bound, "cores");
}

TEST(AnalyzeCapacity, FewWorkersWithADelayAreHeldThroughIt) {
  // 2 workers, 4 cores: without the delay the workers would be the servers (2 / 10 ms = 200/s);
  // each holds its request 10 + 90 ms, so 2 / 0.1 s = 20/s, and the cores (4 / 10 ms) never bind.
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "s", "rate": 5 } ],
    "services": { "s": { "cores": 4, "workers": 2,
                         "steps": [ { "work": "10ms" }, { "delay": "90ms" } ] } } })");
  const auto& s = station(a, "s");
  EXPECT_EQ(s.servers_per_replica, 4);
  EXPECT_NEAR(*s.core_capacity_rps, 400.0, 1e-9);
  EXPECT_NEAR(*s.worker_capacity_rps, 20.0, 1e-9);
  EXPECT_EQ(s.capacity_bound, "workers");
  // Little's law on the workers: 5/s x 0.1 s (plus a tiny wait for a core) over 2 workers.
  EXPECT_NEAR(*s.worker_utilization, 0.25, 1e-3);
}

// Contention (USL) was left out: analyze named the app as the bottleneck of scenario 1 when its
// database saturates first. A database of 10 connections, 10 ms queries, alpha 0.1, beta 0:
// - breaking point: every connection busy, each query x(1 + 0.1 x 9) = 1.9, so 10 / 0.019 s =
//   526.3 queries/s;
// - at 200/s: a query starts beside the N running (Poisson arrivals see the time average), so
//   N = 200 x 0.01 x (1 + 0.1 N), N = 2.5, each query x1.25, the connections 25% busy. Exact in
//   the mean for beta = 0 while queries seldom wait; the simulation agrees.
TEST(AnalyzeCapacity, DatabaseContentionSlowsQueriesAndSetsTheBreakingPoint) {
  const std::string model = R"({
    "simulation": { "duration": "1000s", "warmup": "50s", "replications": 4, "seed": 5 },
    "workloads": [ { "name": "w", "target": "api", "rate": 200 } ],
    "services": {
      "api": { "cores": 8, "workers": 1000, "steps": [ { "call": "db" } ] },
      "db": { "kind": "database", "connections": 10, "work": "10ms",
              "contention": { "alpha": 0.1 } } } })";
  const auto a = analyze(model);
  const auto& db = station(a, "db");
  EXPECT_NEAR(db.utilization, 0.25, 1e-9);
  EXPECT_NEAR(db.work_mean_s, 0.0125, 1e-12);
  const auto bp = analytic::breaking_point(a);
  ASSERT_TRUE(bp.has_value());
  EXPECT_NEAR(bp->rps, 10.0 / 0.019, 1e-6);
  EXPECT_EQ(bp->station, "db");
  const capsim::run::Results r = capsim::validation::run_model(model);
  const auto& busy = capsim::validation::metric(r, "services.db.worker_utilization");
  // 0.2502 [0.2494, 0.2509] with this seed: the interval, widened by 0.5% for the few waits.
  EXPECT_TRUE(capsim::validation::covers(busy, 0.25, 0.005)) << "simulated connections busy";
  // The response is the contended query, 12.5 ms (Little's law on the connections: 2.5 busy /
  // 200/s), not the steps' 10 ms, which the mean latency took before (a newcomer's trial).
  ASSERT_EQ(a.workloads.size(), 1U);
  ASSERT_TRUE(a.workloads[0].mean_latency_s.has_value());
  EXPECT_NEAR(*a.workloads[0].mean_latency_s, 0.0125, 0.0125 * 0.001);
  const auto& mean_ms = capsim::validation::metric(r, "workloads.w.latency_ms.mean");
  EXPECT_TRUE(capsim::validation::covers(mean_ms, 12.5, 0.005)) << "simulated mean latency";
}

TEST(AnalyzeCapacity, AConnectionPoolBindsTheBreakingPoint) {
  // 2 api replicas, each with a pool of 2 connections to a database whose 10 ms queries hardly
  // queue (10 connections at 100/s: Erlang C ~ 1e-7): a connection is held 10 ms a request, so
  // a replica carries 2 / 0.010 = 200/s and the path 400/s, below the database's 1,000/s and
  // the api's workers (64 / 10 ms). The pool was left out: 1,000/s, set by the database.
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 100 } ],
    "services": {
      "api": { "replicas": 2, "steps": [ { "call": "db" } ],
               "connection_pools": { "db": { "max": 2 } } },
      "db": { "kind": "database", "work": "10ms" } } })");
  const auto& api = station(a, "api");
  ASSERT_TRUE(api.replica_capacity_rps.has_value());
  EXPECT_NEAR(*api.replica_capacity_rps, 200.0, 0.01);
  EXPECT_EQ(api.capacity_bound, "connection pool to db");
  const auto bp = analytic::breaking_point(a);
  ASSERT_TRUE(bp.has_value());
  EXPECT_NEAR(bp->rps, 400.0, 0.02);
  EXPECT_EQ(bp->station, "api");
  EXPECT_EQ(bp->resource, "connection pool to db");
  EXPECT_TRUE(api.stable);
  // At 500/s the pools cannot carry the load: the station is unstable, and says why.
  const auto over = analyze(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 500 } ],
    "services": {
      "api": { "replicas": 2, "steps": [ { "call": "db" } ],
               "connection_pools": { "db": { "max": 2 } } },
      "db": { "kind": "database", "work": "10ms" } } })");
  const auto& busy = station(over, "api");
  EXPECT_FALSE(busy.stable);
  // An async call takes no connection (the simulation's pools are for calls a caller waits
  // for): the same pool bounds nothing then (it said 400/s, and unstable at 500/s, for a model
  // that serves 500/s without an error).
  const auto async = analyze(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 500 } ],
    "services": {
      "api": { "replicas": 2, "steps": [ { "call": "db", "async": true } ],
               "connection_pools": { "db": { "max": 2 } } },
      "db": { "kind": "database", "work": "10ms" } } })");
  EXPECT_NE(station(async, "api").capacity_bound, "connection pool to db");
  EXPECT_TRUE(station(async, "api").stable);
  bool said = false;
  for (const std::string& text : busy.assumptions) {
    said = said || text.rfind("connection pool to db exhausted", 0) == 0;
  }
  EXPECT_TRUE(said);
}

TEST(AnalyzeCapacity, AServiceThatScalesFromZeroIsAnalysedAtItsMax) {
  // It was analysed at 0 replicas: "0 independent M/M/2 queues", a breaking point of 0/s.
  // At its max, 10 replicas x 2 cores / 150 ms = 133.3/s.
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "reports", "rate": 6 } ],
    "services": { "reports": { "cores": 2, "steps": [ { "work": "150ms" } ],
      "autoscaling": { "kind": "keda", "min": 0, "max": 10, "metric": "rps", "target": 5 } } } })");
  const auto& reports = station(a, "reports");
  EXPECT_EQ(reports.replicas, 10);
  const auto bp = analytic::breaking_point(a);
  ASSERT_TRUE(bp.has_value());
  EXPECT_NEAR(bp->rps, 20.0 / 0.15, 1e-9);
}

}  // namespace
