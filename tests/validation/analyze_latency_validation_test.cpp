// capsim analyze's latency against hand calculations and the simulator (docs/experiments.md,
// "analyze"): the percentiles follow the synchronous path only, and a call through a connection
// pool waits for a connection (Erlang C per caller replica).

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "capsim/analytic/model_analysis.hpp"
#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "capsim/run/analysis_json.hpp"
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

TEST(AnalyzeLatency, AMessageLoopIsSolvedBelowOneAndRefusedAtOne) {
  // The consumer of `jobs` publishes back to it with probability p: each send makes 1 / (1 - p)
  // processings (p = 0.5: 2, so 50/s of sends are 100/s at `worker`). At p = 1 every message
  // comes back: no steady state, refused at the queue's consumer.
  const auto model_text = [](double p) {
    return R"({
      "workloads": [ { "name": "w", "target": "api", "rate": 50 } ],
      "services": {
        "api": { "steps": [ { "work": "1ms" }, { "call": "jobs" } ] },
        "jobs": { "kind": "queue", "consumer": "worker" },
        "worker": { "replicas": 2, "workers": 4,
                    "steps": [ { "work": "10ms" }, { "call": "jobs", "probability": )" +
           std::to_string(p) + R"( } ] } } })";
  };
  const auto a = analyze(model_text(0.5));
  for (const analytic::StationEstimate& st : a.stations) {
    if (st.service == "worker") {
      EXPECT_NEAR(st.arrival_rps, 100.0, 1e-9);
    }
  }
  // A loop that closes through a cache-aside miss: 0.8 of the lookups miss and publish 2.
  try {
    analyze(R"({
      "workloads": [ { "name": "w", "target": "api", "rate": 50 } ],
      "services": {
        "api": { "steps": [ { "work": "1ms" }, { "call": "jobs" } ] },
        "jobs": { "kind": "queue", "consumer": "worker" },
        "cache": { "kind": "cache", "hit_ratio": 0.2, "workers": 100 },
        "worker": { "replicas": 2, "workers": 4, "steps": [ { "work": "1ms" },
          { "call": "cache", "on_miss": [ { "call": "jobs", "count": 2 } ] } ] } } })");
    FAIL() << "expected a ModelError for the loop through on_miss";
  } catch (const model::ModelError& e) {
    EXPECT_EQ(e.diagnostics().at(0).pointer, "/services/jobs/consumer");
  }
  try {
    analyze(model_text(1.0));
    FAIL() << "expected a ModelError";
  } catch (const model::ModelError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].pointer, "/services/jobs/consumer");
    EXPECT_NE(e.diagnostics()[0].message.find("no steady state"), std::string::npos);
  }
}

TEST(AnalyzeLatency, ARateLimitAndCapacityUnitsAreNamedAsIgnored) {
  // 150/s into a 1-core api behind an 80/s bucket: the analysis offers all 150/s (unstable),
  // and says that it does; the same for a table's capacity units.
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 150 } ],
    "services": {
      "api": { "rate_limit": { "rate": 80, "burst": 20 },
               "steps": [ { "work": "10ms" }, { "call": "table" } ] },
      "table": { "kind": "database", "work": "1ms",
                 "capacity_units": { "mode": "provisioned", "read": { "units_per_s": 50 } } } } })");
  bool limit = false, units = false;
  for (const analytic::StationEstimate& st : a.stations) {
    for (const std::string& text : st.assumptions) {
      if (st.service == "api" && text.rfind("rate limit ignored", 0) == 0) limit = true;
      if (st.service == "table" && text.rfind("capacity units ignored", 0) == 0) units = true;
    }
  }
  EXPECT_TRUE(limit);
  EXPECT_TRUE(units);
}

/// Erlang C by its textbook sum: the probability that an arrival at an M/M/c queue with
/// offered load a (< c) waits.
double erlang_c_by_sum(int c, double a) {
  double term = 1.0;  // a^k / k!
  double below = 0.0;
  for (int k = 0; k < c; ++k) {
    if (k > 0) term *= a / k;
    below += term;
  }
  const double top = term * a / c * c / (c - a);  // a^c / c! x c / (c - a)
  return top / (below + top);
}

std::string pool_model(int replicas, double rate, const std::string& policy = "round_robin") {
  return R"({
    "simulation": { "duration": "20000s", "warmup": "200s", "replications": 10, "seed": 43,
                    "confidence": 0.99 },
    "workloads": [ { "name": "w", "target": "api", "rate": )" +
         std::to_string(rate) + R"( } ],
    "services": {
      "api": { "replicas": )" +
         std::to_string(replicas) + R"(, "load_balancer": { "policy": ")" + policy +
         R"(" }, "cores": 2, "workers": 1000, "steps": [ { "call": "db" } ],
               "connection_pools": { "db": { "max": 4, "acquire_timeout": "100000s" } } },
      "db": { "cores": 1000, "workers": 1000,
              "steps": [ { "work": { "dist": "exponential", "mean": "50ms" } } ] } } })";
}

TEST(AnalyzeLatency, ACallWaitsForAPoolConnectionAsErlangCSays) {
  // A pool of 4 connections, each held through a 50 ms exponential query that never queues:
  // the pool carries 4 / 0.050 = 80 calls/s; at 56/s (70%) the offered load is a = 2.8, so
  // C(4, 2.8) = 0.4287 and the mean wait C x 50 ms / (4 - 2.8) = 17.86 ms, the mean latency
  // 67.86 ms. The pool was left out of the latency: 50 ms (optimistic by a quarter).
  const double p_wait = erlang_c_by_sum(4, 2.8);
  const double wait_s = p_wait * 0.050 / (4 - 2.8);
  EXPECT_NEAR(p_wait, 0.4287, 1e-4);
  EXPECT_NEAR(wait_s, 0.01786, 1e-5);
  const std::string model_text = pool_model(1, 56.0);
  const auto a = analyze(model_text);
  const analytic::StationEstimate& api = a.stations.at(0);
  ASSERT_EQ(api.pools.size(), 1u);
  const analytic::PoolEstimate& pool = api.pools[0];
  EXPECT_EQ(pool.service, "db");
  EXPECT_NEAR(pool.calls_rps, 56.0, 1e-9);
  EXPECT_NEAR(pool.holding_s, 0.050, 1e-9);
  EXPECT_NEAR(pool.in_use, 2.8, 1e-9);
  ASSERT_TRUE(pool.wait_probability && pool.mean_wait_s);
  EXPECT_NEAR(*pool.wait_probability, p_wait, 1e-9);
  EXPECT_NEAR(*pool.mean_wait_s, wait_s, 1e-9);
  // In `capsim analyze -o`: under the caller's pools, by callee.
  const auto json = run::analysis_json(model::load(model::Json::parse(model_text), "."), a);
  const auto& pool_json = json["services"]["api"]["pools"]["db"];
  EXPECT_EQ(pool_json["max"], 4);
  EXPECT_NEAR(pool_json["mean_wait_ms"].get<double>(), wait_s * 1e3, 1e-6);
  EXPECT_NEAR(pool_json["in_use"].get<double>(), 2.8, 1e-9);
  // In the caller's response time (and so its workers' holding time) and the workload's.
  ASSERT_TRUE(a.workloads.at(0).mean_latency_s.has_value());
  EXPECT_NEAR(*a.workloads[0].mean_latency_s, 0.050 + wait_s, 1e-9);
  ASSERT_TRUE(api.holding_time_s.has_value());
  EXPECT_NEAR(*api.holding_time_s, 0.050 + wait_s, 1e-9);
  // The simulation: Poisson calls and exponential holding make Erlang C exact here.
  const run::Results r = run_model(model_text);
  EXPECT_TRUE(covers(metric(r, "services.api.pools.db.wait_ms.mean"), wait_s * 1e3));
  EXPECT_TRUE(covers(metric(r, "services.api.pools.db.in_use"), 2.8));
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"), (0.050 + wait_s) * 1e3));
}

TEST(AnalyzeLatency, APoolNoWiderThanItsCalleeMovesTheQueueIntoThePool) {
  // The same pool in front of a database of 4 cores: the pool lets at most 4 queries in, so
  // the database never queues and the wait is all the pool's: the same 17.86 ms and 67.86 ms.
  // (Counting the database as an M/M/4 fed every call as well gave it a wait of its own, held
  // through the connection and again in the call: 370.6 ms, and a breaking point of 58.9/s.)
  std::string model_text = pool_model(1, 56.0);
  const std::string wide = R"("db": { "cores": 1000, "workers": 1000,)";
  model_text.replace(model_text.find(wide), wide.size(), R"("db": { "cores": 4, "workers": 1000,)");
  const double wait_s = erlang_c_by_sum(4, 2.8) * 0.050 / (4 - 2.8);
  const auto a = analyze(model_text);
  const analytic::StationEstimate& db = a.stations.at(1);
  ASSERT_EQ(db.service, "db");
  ASSERT_TRUE(db.mean_wait_s.has_value());
  EXPECT_EQ(*db.mean_wait_s, 0.0);
  ASSERT_TRUE(a.workloads.at(0).mean_latency_s.has_value());
  EXPECT_NEAR(*a.workloads[0].mean_latency_s, 0.050 + wait_s, 1e-9);
  const auto bp = analytic::breaking_point(a);
  ASSERT_TRUE(bp.has_value());
  EXPECT_NEAR(bp->rps, 80.0, 1e-6);
  const run::Results r = run_model(model_text);
  EXPECT_TRUE(covers(metric(r, "services.api.pools.db.wait_ms.mean"), wait_s * 1e3));
  EXPECT_LT(metric(r, "services.db.queue_length").mean, 1e-3);
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"), (0.050 + wait_s) * 1e3));
}

TEST(AnalyzeLatency, APoolIsPerCallerReplica) {
  // Two replicas at twice the rate: each replica's pool sees 56/s, the same M/M/4 queue.
  const auto a = analyze(pool_model(2, 112.0));
  const analytic::PoolEstimate& pool = a.stations.at(0).pools.at(0);
  EXPECT_NEAR(pool.calls_rps, 56.0, 1e-9);
  ASSERT_TRUE(pool.mean_wait_s.has_value());
  EXPECT_NEAR(*pool.mean_wait_s, erlang_c_by_sum(4, 2.8) * 0.050 / 1.2, 1e-9);
  // At 80/s a replica's 4 connections are all busy: no finite wait, the station unstable.
  const auto full = analyze(pool_model(1, 80.0));
  const analytic::StationEstimate& api = full.stations.at(0);
  EXPECT_FALSE(api.stable);
  ASSERT_EQ(api.pools.size(), 1u);
  EXPECT_FALSE(api.pools[0].mean_wait_s.has_value());
  EXPECT_FALSE(full.workloads.at(0).mean_latency_s.has_value());
}

TEST(AnalyzeLatency, BehindALeastLoadedBalancerThePoolsActAsOne) {
  // Two replicas of 4 connections at 112/s behind least_outstanding: a request goes to the
  // replica with fewer outstanding (waiting ones included), so a call seldom waits while the
  // other replica has a free connection; as the cores, the pools are taken as one M/M/8 queue,
  // a = 5.6: C(8, 5.6) x 50 ms / (8 - 5.6), 5.64 ms (each replica's own M/M/4 said 17.86 ms).
  const double pooled_s = erlang_c_by_sum(8, 5.6) * 0.050 / (8 - 5.6);
  const double per_replica_s = erlang_c_by_sum(4, 2.8) * 0.050 / (4 - 2.8);
  EXPECT_NEAR(pooled_s, 0.00564, 1e-5);
  const std::string model_text = pool_model(2, 112.0, "least_outstanding");
  const auto a = analyze(model_text);
  const analytic::PoolEstimate& pool = a.stations.at(0).pools.at(0);
  EXPECT_TRUE(pool.pooled);
  EXPECT_NEAR(pool.in_use, 2.8, 1e-9);
  ASSERT_TRUE(pool.mean_wait_s.has_value());
  EXPECT_NEAR(*pool.mean_wait_s, pooled_s, 1e-9);
  // The simulation: 6.23 ms (99% CI [6.18, 6.29]), above the pooled queue (a balancer that
  // knows the outstanding requests is not one FIFO queue: optimistic, as the assumption says)
  // and far below the per-replica one.
  const run::Results r = run_model(model_text);
  const stats::Estimate& wait_ms = metric(r, "services.api.pools.db.wait_ms.mean");
  ASSERT_TRUE(wait_ms.ci.has_value());
  EXPECT_GT(wait_ms.ci->first, pooled_s * 1e3);
  EXPECT_LT(wait_ms.ci->second, 1.15 * pooled_s * 1e3);
  EXPECT_LT(wait_ms.ci->second, per_replica_s * 1e3);
}

TEST(AnalyzeLatency, AnAsyncCallWaitsForNoConnection) {
  // The same pool with the call async: it takes no connection, so no wait, nor any load.
  const auto a = analyze(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 56 } ],
    "services": {
      "api": { "steps": [ { "work": "1ms" }, { "call": "db", "async": true } ],
               "connection_pools": { "db": { "max": 4 } } },
      "db": { "cores": 1000, "workers": 1000, "steps": [ { "work": "50ms" } ] } } })");
  const analytic::PoolEstimate& pool = a.stations.at(0).pools.at(0);
  EXPECT_EQ(pool.calls_rps, 0.0);
  ASSERT_TRUE(pool.mean_wait_s.has_value());
  EXPECT_EQ(*pool.mean_wait_s, 0.0);
}

}  // namespace
}  // namespace capsim::validation
