// `analyze` for caches and databases (issue 15): hit ratios in closed form (the uniform case
// exactly, Che's approximation for LRU, FIFO/random, perfect LFU, a TTL's renewal formula)
// against hand calculations and the simulator, and a request path through a cache to a
// database estimated end to end and compared with a simulation.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "capsim/analytic/cache_hit_ratio.hpp"
#include "capsim/analytic/model_analysis.hpp"
#include "capsim/model/load.hpp"
#include "validation_support.hpp"

namespace capsim::validation {
namespace {

model::Spec spec_of(const std::string& text) {
  return model::load(model::Json::parse(text), ".");
}

const analytic::StationEstimate& station(const analytic::ModelAnalysis& a,
                                         const std::string& name) {
  for (const analytic::StationEstimate& s : a.stations) {
    if (s.service == name) return s;
  }
  throw std::runtime_error("no station " + name);
}

/// A client calling a keyed cache in front of a database; `cache` is the cache's JSON.
std::string cache_model(const std::string& cache, double rate, const std::string& extra = "") {
  return R"({ "simulation": { "duration": "240s", "warmup": "60s", "replications": 4, "seed": 9 )" +
         extra + R"( },
    "workloads": [ { "name": "w", "target": "cache", "rate": )" +
         std::to_string(rate) + R"( } ],
    "services": {
      "cache": )" +
         cache + R"(,
      "db": { "kind": "database", "connections": 64, "work": "1ms" } } })";
}

TEST(AnalyzeCaches, UniformKeysHitCapacityOverKeys) {
  // Uniform popularity: every policy holds `capacity` of the N keys, each equally likely, so
  // h = C / N exactly (Che's equation gives it too: N (1 - e^{-t/N}) = C).
  model::CacheSpec c;
  c.key_count = 1000;
  c.popularity = model::Popularity::uniform;
  c.capacity = 250;
  for (const model::Eviction e : {model::Eviction::lru, model::Eviction::fifo,
                                  model::Eviction::random, model::Eviction::lfu}) {
    c.eviction = e;
    EXPECT_NEAR(analytic::cache_hit_ratio(c, 100.0, 0.0, 600.0).hit_ratio, 0.25, 1e-9);
  }
}

TEST(AnalyzeCaches, LfuHoldsTheHottestKeysAndCheSolvesItsEquation) {
  // Zipf 1 over 4 keys: weights 1, 1/2, 1/3, 1/4 (sum 25/12); perfect LFU with 2 entries hits
  // (1 + 1/2) / (25/12) = 0.72.
  model::CacheSpec c;
  c.key_count = 4;
  c.zipf_exponent = 1.0;
  c.capacity = 2;
  c.eviction = model::Eviction::lfu;
  EXPECT_NEAR(analytic::cache_hit_ratio(c, 10.0, 0.0, 600.0).hit_ratio, 0.72, 1e-12);
  // Che: sum_i (1 - exp(-p_i t)) = C at the returned t.
  const std::vector<double> p{0.48, 0.24, 0.16, 0.12};
  const double t = analytic::che_characteristic_lookups(p, 2.0);
  double filled = 0.0;
  for (double q : p) filled += 1.0 - std::exp(-q * t);
  EXPECT_NEAR(filled, 2.0, 1e-9);
}

TEST(AnalyzeCaches, TtlIsARenewalPerKey) {
  // 1000 uniform keys at 200 lookups/s: 0.2/s per key; a 5 s ttl: h = 0.2 x 5 / (1 + 1) = 0.5.
  model::CacheSpec c;
  c.key_count = 1000;
  c.popularity = model::Popularity::uniform;
  c.ttl_s = 5.0;
  EXPECT_NEAR(analytic::cache_hit_ratio(c, 200.0, 0.0, 600.0).hit_ratio, 0.5, 1e-9);
  const std::string text = cache_model(
      R"({ "kind": "cache", "backend": "db", "cores": 8, "workers": 256,
           "keys": { "count": 1000, "popularity": "uniform" }, "ttl": "5s" })",
      200.0);
  const analytic::ModelAnalysis a = analytic::analyze(spec_of(text));
  EXPECT_NEAR(*station(a, "cache").hit_ratio, 0.5, 1e-9);
  const run::Results r = run_model(text);
  EXPECT_TRUE(covers(metric(r, "services.cache.hit_ratio"), 0.5, 0.01));
}

TEST(AnalyzeCaches, CheMatchesTheSimulatedLruAndFifo) {
  // Zipf 0.8 over 10,000 keys, room for 1,000, 500 lookups/s; Che's approximation is known to
  // be within a percent or so of LRU under the independent reference model.
  for (const char* eviction : {"lru", "fifo", "random"}) {
    const std::string text =
        cache_model(std::string(R"({ "kind": "cache", "backend": "db", "cores": 8, "workers": 256,
           "keys": { "count": 10000, "popularity": { "zipf": 0.8 } }, "capacity": 1000,
           "eviction": ")") +
                        eviction + R"(" })",
                    500.0);
    const analytic::ModelAnalysis a = analytic::analyze(spec_of(text));
    const double h = *station(a, "cache").hit_ratio;
    const run::Results r = run_model(text);
    const stats::Estimate& simulated = metric(r, "services.cache.hit_ratio");
    EXPECT_NEAR(simulated.mean, h, 0.01) << eviction;
    // The database sees the misses: (1 - h) x 500/s.
    EXPECT_NEAR(station(a, "db").arrival_rps, (1.0 - h) * 500.0, 1e-9) << eviction;
    EXPECT_NEAR(metric(r, "services.db.arrival_rps").mean, (1.0 - h) * 500.0, 0.02 * 500.0)
        << eviction;
  }
}

TEST(AnalyzeCaches, UnlimitedCacheMissesEachKeyOnce) {
  // No capacity, no ttl: a key misses on its first lookup only. 100 uniform keys at 10/s: each
  // key at 0.1/s; over the measured 60..240 s, key i's first lookup falls in it with
  // probability e^{-0.1 x 60} - e^{-0.1 x 240}: 100 x 0.00248 = 0.248 misses out of 1800.
  const std::string text = cache_model(
      R"({ "kind": "cache", "backend": "db", "keys": { "count": 100, "popularity": "uniform" } })",
      10.0);
  const analytic::ModelAnalysis a = analytic::analyze(spec_of(text));
  const double misses = 100.0 * (std::exp(-6.0) - std::exp(-24.0));
  EXPECT_NEAR(*station(a, "cache").hit_ratio, 1.0 - misses / 1800.0, 1e-12);
}

TEST(AnalyzeCaches, APathThroughACacheToADatabaseMatchesTheSimulation) {
  // api (1 ms) calls a cache with a fixed 80% hit ratio (0.5 ms lookup); misses query a
  // database with 4 connections (exponential 20 ms, M/M/4 at 200 x 0.2 = 40 queries/s: 20%
  // busy). Analytic mean: api 1 ms + cache 0.5 ms + 0.2 x (db wait + 20 ms).
  const std::string text = R"({
    "simulation": { "duration": "200s", "warmup": "20s", "replications": 4, "seed": 12 },
    "workloads": [ { "name": "w", "target": "api", "rate": 200 } ],
    "services": {
      "api": { "replicas": 2, "cores": 2, "workers": 64,
               "steps": [ { "work": "1ms" }, { "call": "cache" } ] },
      "cache": { "kind": "cache", "backend": "db", "hit_ratio": 0.8, "work": "0.5ms",
                 "cores": 2, "workers": 256 },
      "db": { "kind": "database", "connections": 4,
              "work": { "dist": "exponential", "mean": "20ms" } } } })";
  const analytic::ModelAnalysis a = analytic::analyze(spec_of(text));
  const analytic::StationEstimate& db = station(a, "db");
  EXPECT_NEAR(db.arrival_rps, 40.0, 1e-9);
  EXPECT_NEAR(db.utilization, 0.2, 1e-9);
  ASSERT_TRUE(a.workloads[0].mean_latency_s.has_value());
  const double analytic_ms = *a.workloads[0].mean_latency_s * 1e3;
  EXPECT_GT(analytic_ms, 1.0 + 0.5 + 0.2 * 20.0);
  EXPECT_LT(analytic_ms, 1.0 + 0.5 + 0.2 * 21.0);
  const run::Results r = run_model(text);
  EXPECT_TRUE(covers(metric(r, "services.db.arrival_rps"), 40.0));
  EXPECT_TRUE(covers(metric(r, "services.db.cpu_utilization"), 0.2));
  // Constant work at api and cache wait a little more than M/M/c says; 5% covers it.
  EXPECT_NEAR(metric(r, "workloads.w.latency_ms.mean").mean, analytic_ms, 0.05 * analytic_ms);
}

TEST(AnalyzeCaches, ACacheAsideMissRunsItsStepsAtTheCaller) {
  // The path above, cache-aside: the api looks the cache up (80% hits), and on a miss queries
  // the database itself, spends 2 ms serializing and writes the answer back. The database gets
  // 200 x 0.2 = 40 queries/s (20% busy), the cache 200 lookups and 40 writes a second, the api
  // 1 + 0.2 x 2 = 1.4 ms of work per request. Mean: api 1 ms + lookup 0.5 ms + 0.2 x (db wait
  // + 20 ms + 2 ms + write 0.5 ms), plus small waits.
  const std::string text = R"({
    "simulation": { "duration": "200s", "warmup": "20s", "replications": 4, "seed": 12 },
    "workloads": [ { "name": "w", "target": "api", "rate": 200 } ],
    "services": {
      "api": { "replicas": 2, "cores": 2, "workers": 64,
               "steps": [ { "work": "1ms" },
                          { "call": "cache", "on_miss": [ { "call": "db" }, { "work": "2ms" },
                                                          { "call": "cache", "write": true } ] } ] },
      "cache": { "kind": "cache", "hit_ratio": 0.8, "work": "0.5ms", "cores": 2, "workers": 256 },
      "db": { "kind": "database", "connections": 4,
              "work": { "dist": "exponential", "mean": "20ms" } } } })";
  const analytic::ModelAnalysis a = analytic::analyze(spec_of(text));
  const analytic::StationEstimate& db = station(a, "db");
  EXPECT_NEAR(db.arrival_rps, 40.0, 1e-9);
  EXPECT_NEAR(db.utilization, 0.2, 1e-9);
  EXPECT_NEAR(station(a, "cache").arrival_rps, 240.0, 1e-9);
  EXPECT_NEAR(*station(a, "cache").hit_ratio, 0.8, 1e-12);
  const analytic::StationEstimate& api = station(a, "api");
  EXPECT_NEAR(api.demand_s, 0.0014, 1e-12);
  EXPECT_NEAR(api.work_visits_rps, 200.0 * 1.2, 1e-9);
  ASSERT_TRUE(a.workloads[0].mean_latency_s.has_value());
  const double analytic_ms = *a.workloads[0].mean_latency_s * 1e3;
  EXPECT_GT(analytic_ms, 1.0 + 0.5 + 0.2 * 22.5);
  EXPECT_LT(analytic_ms, 1.0 + 0.5 + 0.2 * 23.5);
  const run::Results r = run_model(text);
  EXPECT_TRUE(covers(metric(r, "services.db.arrival_rps"), 40.0));
  EXPECT_TRUE(covers(metric(r, "services.cache.arrival_rps"), 240.0));
  EXPECT_TRUE(covers(metric(r, "services.api.cpu_utilization"), 200.0 * 0.0014 / 4.0));
  EXPECT_NEAR(metric(r, "workloads.w.latency_ms.mean").mean, analytic_ms, 0.05 * analytic_ms);
}

TEST(AnalyzeCaches, ACacheBehindACacheSeesItsMisses) {
  // api -> l1 (50% hits) -> l2 (50% hits) -> db: 100, 50 and 25 arrivals a second.
  const analytic::ModelAnalysis a = analytic::analyze(spec_of(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 100 } ],
    "services": {
      "api": { "cores": 4, "steps": [ { "work": "1ms" }, { "call": "l1" } ] },
      "l1": { "kind": "cache", "backend": "l2", "hit_ratio": 0.5, "work": "0.1ms" },
      "l2": { "kind": "cache", "backend": "db", "hit_ratio": 0.5, "work": "0.1ms" },
      "db": { "kind": "database", "connections": 4, "work": "5ms" } } })"));
  EXPECT_NEAR(station(a, "l2").arrival_rps, 50.0, 1e-9);
  EXPECT_NEAR(station(a, "db").arrival_rps, 25.0, 1e-9);
}

TEST(AnalyzeCaches, AClosedWorkloadsMissesReachTheBackend) {
  // A closed workload alone: its lookups' misses (10%) still go to the database.
  const analytic::ModelAnalysis a = analytic::analyze(spec_of(R"({
    "workloads": [ { "name": "u", "kind": "closed", "target": "api", "users": 10,
                     "think_time": "100ms" } ],
    "services": {
      "api": { "cores": 4, "steps": [ { "work": "1ms" }, { "call": "c" } ] },
      "c": { "kind": "cache", "backend": "db", "hit_ratio": 0.9, "work": "0.1ms" },
      "db": { "kind": "database", "connections": 4, "work": "5ms" } } })"));
  ASSERT_GT(station(a, "c").arrival_rps, 0.0);
  EXPECT_NEAR(station(a, "db").arrival_rps, 0.1 * station(a, "c").arrival_rps, 1e-9);
}

TEST(AnalyzeCaches, ACacheLookedUpBothWaysChargesItsBackendToReadThroughCallsOnly) {
  // One cache (50% hits, backend db), looked up cache-aside by api (a miss queries db itself
  // and writes back) and read-through by api2. Each workload's mean is its own path's: a 5 ms
  // query on half the lookups either way, not the cache's average over its arrivals.
  const std::string text = R"({
    "simulation": { "duration": "200s", "warmup": "20s", "replications": 4, "seed": 3 },
    "workloads": [ { "name": "w", "target": "api", "rate": 100 },
                   { "name": "v", "target": "api2", "rate": 100 } ],
    "services": {
      "api": { "cores": 4, "steps": [ { "work": "1ms" },
               { "call": "c", "on_miss": [ { "call": "db" }, { "call": "c", "write": true } ] } ] },
      "api2": { "cores": 4, "steps": [ { "work": "1ms" }, { "call": "c" } ] },
      "c": { "kind": "cache", "backend": "db", "hit_ratio": 0.5, "work": "0.1ms" },
      "db": { "kind": "database", "connections": 4, "work": "5ms" } } })";
  const analytic::ModelAnalysis a = analytic::analyze(spec_of(text));
  EXPECT_NEAR(station(a, "db").arrival_rps, 100.0, 1e-9);
  EXPECT_NEAR(station(a, "c").arrival_rps, 250.0, 1e-9);
  const run::Results r = run_model(text);
  for (const analytic::WorkloadEstimate& w : a.workloads) {
    ASSERT_TRUE(w.mean_latency_s.has_value()) << w.workload;
    const double analytic_ms = *w.mean_latency_s * 1e3;
    EXPECT_NEAR(metric(r, "workloads." + w.workload + ".latency_ms.mean").mean, analytic_ms,
                0.05 * analytic_ms)
        << w.workload;
  }
}

TEST(AnalyzeCaches, DatabaseReadsGoToReadReplicasWritesToThePrimary) {
  // 30 reads/s over 2 read replicas and 10 writes/s on the primary, 50 ms queries on 4
  // connections each: replicas 30 x 0.05 / 8 = 18.75% busy, primary 10 x 0.05 / 4 = 12.5%.
  const std::string text = R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
    "services": {
      "api": { "steps": [ { "call": "db", "count": 3 }, { "call": "db", "op": "write" } ] },
      "db": { "kind": "database", "connections": 4, "read_replicas": 2,
              "work": { "dist": "exponential", "mean": "50ms" } } } })";
  const analytic::ModelAnalysis a = analytic::analyze(spec_of(text));
  const analytic::StationEstimate& db = station(a, "db");
  EXPECT_NEAR(db.arrival_rps, 40.0, 1e-9);
  EXPECT_NEAR(db.utilization, 0.1875, 1e-9);
  EXPECT_TRUE(db.mean_wait_s.has_value());
}

}  // namespace
}  // namespace capsim::validation
