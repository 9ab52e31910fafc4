// Validation of a cache's periodic refresh and of stampede locks for cache-aside
// (docs/request-path.md) against hand calculations: deterministic arrivals on one key give exact
// counts of backend queries, waits, rejections and lapses; a refresh's hot keys always hit, so
// the hit ratio is the top-N keys' Zipf mass plus the TTL fill of the rest, and the backend's
// added utilisation is N x work / period.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "validation_support.hpp"

namespace capsim::validation {
namespace {

// One key, a request every 100 ms, TTL 4 s; a miss's on_miss queries the database (1.05 s) and
// writes back (0 s): as tests/validation/request_path_validation_test.cpp's read-through cycle,
// a cycle starts with a miss at m and the key is filled at m + 1.05.
std::string aside_model(const std::string& cache_extra) {
  return R"({
    "simulation": {"duration": "2100s", "warmup": "50s", "replications": 2, "seed": 22},
    "workloads": [{"name": "w", "target": "api", "rate": 10, "interarrival": "100ms"}],
    "services": {
      "api": {"workers": 64, "cores": 8, "steps": [{"call": "cache",
        "on_miss": [{"call": "db"}, {"call": "cache", "write": true}]}]},
      "cache": {"kind": "cache", "work": "0s", "workers": 64, "cores": 8,
                "keys": {"count": 1}, "ttl": "4s", )" +
         cache_extra + R"(},
      "db": {"kind": "database", "connections": 10, "work": "1050ms"}
    }
  })";
}

// `model` with `workers` cache workers in place of 64.
std::string with_cache_workers(std::string model, int workers) {
  const std::string from = R"("kind": "cache", "work": "0s", "workers": 64)";
  const std::size_t at = model.find(from);
  if (at != std::string::npos) {
    model.replace(at, from.size(),
                  R"("kind": "cache", "work": "0s", "workers": )" + std::to_string(workers));
  }
  return model;
}

TEST(CacheRefreshLockValidation, AsideRejectFailsTheMissesWhileTheLockIsHeld) {
  // m misses and takes the lock; m + 0.1 ... m + 1.0 are rejected (10); the write-back at
  // m + 1.05 serves m + 1.1 ... m + 5.0 (40). A cycle: 51 requests, one database query.
  const run::Results r = run_model(aside_model(R"("stampede": "reject")"));
  EXPECT_NEAR(metric(r, "workloads.w.error_rate").mean, 10.0 / 51.0, 0.004);
  EXPECT_NEAR(metric(r, "services.cache.lock.rejected").mean, 10.0 / 51.0, 0.004);
  EXPECT_EQ(metric(r, "services.cache.lock.waited").mean, 0.0);
  EXPECT_NEAR(metric(r, "services.cache.hit_ratio").mean, 40.0 / 51.0, 0.004);
  EXPECT_NEAR(metric(r, "services.db.queries_per_request").mean, 1.0 / 51.0, 0.001);
}

TEST(CacheRefreshLockValidation, AsideCoalesceWaitsForTheWriteBack) {
  const run::Results r = run_model(aside_model(R"("stampede": "coalesce")"));
  EXPECT_EQ(metric(r, "workloads.w.error_rate").mean, 0.0);
  EXPECT_NEAR(metric(r, "services.cache.lock.waited").mean, 10.0 / 51.0, 0.004);
  EXPECT_NEAR(metric(r, "services.cache.hit_ratio").mean, 40.0 / 51.0, 0.004);
  EXPECT_NEAR(metric(r, "services.db.queries_per_request").mean, 1.0 / 51.0, 0.001);
}

TEST(CacheRefreshLockValidation, AsideCoalesceWaitersHoldNoCacheWorker) {
  // The cycle above with 4 cache workers, fewer than the 10 waiters of a cycle, and no
  // lock_ttl. A waiter gives its worker back (a client waits on its own side), so the holder's
  // write-back at m + 1.05 finds one: the same counts as with 64 workers. (Were the waiters to
  // hold the 4 workers, the write-back would queue behind them for good: nothing would finish.)
  // Latency: the holder 1.05 s, the waiters of m + 0.1 ... m + 1.0 until m + 1.05 (0.95 + 0.85
  // + ... + 0.05 = 5 s), 40 hits of 0 s: (1.05 + 5) / 51 a request.
  const run::Results r = run_model(with_cache_workers(aside_model(R"("stampede": "coalesce")"), 4));
  EXPECT_EQ(metric(r, "workloads.w.error_rate").mean, 0.0);
  EXPECT_NEAR(metric(r, "workloads.w.throughput_rps").mean, 10.0, 0.05);
  EXPECT_NEAR(metric(r, "services.cache.lock.waited").mean, 10.0 / 51.0, 0.004);
  EXPECT_NEAR(metric(r, "services.cache.hit_ratio").mean, 40.0 / 51.0, 0.004);
  EXPECT_NEAR(metric(r, "services.db.queries_per_request").mean, 1.0 / 51.0, 0.001);
  EXPECT_NEAR(metric(r, "workloads.w.latency_ms.mean").mean, (1.05 + 5.0) / 51.0 * 1e3, 1.0);
  // Every cache job's work is 0 s and nobody waits holding a worker.
  EXPECT_EQ(metric(r, "services.cache.worker_utilization").mean, 0.0);
}

TEST(CacheRefreshLockValidation, AsideRejectLockTtlLetsTheNextMissRecompute) {
  // The lock lapses 230 ms after it is taken: m, m + 0.3, m + 0.6, m + 0.9 take it (4 queries,
  // 4 lapses), the 7 others of m + 0.1 ... m + 1.0 are rejected; the last write-back (m + 1.95)
  // serves m + 1.1 ... m + 5.9 (49). A cycle: 60 requests. 2050 s measured: 20,500 requests.
  const run::Results r = run_model(aside_model(R"("stampede": "reject", "lock_ttl": "230ms")"));
  EXPECT_NEAR(metric(r, "workloads.w.error_rate").mean, 7.0 / 60.0, 0.004);
  EXPECT_NEAR(metric(r, "services.cache.hit_ratio").mean, 49.0 / 60.0, 0.004);
  EXPECT_NEAR(metric(r, "services.db.queries_per_request").mean, 4.0 / 60.0, 0.001);
  EXPECT_NEAR(metric(r, "services.cache.lock.lapsed").mean / 20500.0, 4.0 / 60.0, 0.001);
}

TEST(CacheRefreshLockValidation, AsideCoalesceLockTtlHandsTheLockToTheFirstWaiter) {
  // Lapses at m + 0.23, 0.46, 0.69, 0.92 hand the lock to the waiters of m + 0.1, 0.2, 0.3, 0.4
  // in turn, each of which recomputes (5 queries); the first write-back (m + 1.05) answers the
  // 6 still waiting; the last lock lapses at m + 1.15 with nobody waiting (5 lapses). The last
  // write-back (m + 1.97) serves m + 1.1 ... m + 5.9 (49). A cycle: 60 requests, 10 waits.
  const run::Results r = run_model(aside_model(R"("stampede": "coalesce", "lock_ttl": "230ms")"));
  EXPECT_EQ(metric(r, "workloads.w.error_rate").mean, 0.0);
  EXPECT_NEAR(metric(r, "services.cache.lock.waited").mean, 10.0 / 60.0, 0.004);
  EXPECT_NEAR(metric(r, "services.cache.hit_ratio").mean, 49.0 / 60.0, 0.004);
  EXPECT_NEAR(metric(r, "services.db.queries_per_request").mean, 5.0 / 60.0, 0.001);
  EXPECT_NEAR(metric(r, "services.cache.lock.lapsed").mean / 20500.0, 5.0 / 60.0, 0.001);
}

TEST(CacheRefreshLockValidation, RefreshedHotKeysAlwaysHit) {
  // 100 Zipf(0.9) keys at 100 lookups/s, TTL 1 s, fills at once (0 s queries). The refresh
  // (every 60 s, never expiring) keeps the 10 hottest; key k of the rest, asked for at
  // r = 100 p_k, hits r T / (1 + r T) of its lookups.
  const run::Results r = run_model(R"({
    "simulation": {"duration": "2010s", "warmup": "20s", "replications": 4, "seed": 42,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "cache", "rate": 100}],
    "services": {
      "cache": {"kind": "cache", "backend": "db", "work": "0s", "cores": 64, "workers": 4096,
                "keys": {"count": 100}, "ttl": "1s", "refresh": {"every": "60s", "keys": 10}},
      "db": {"kind": "database", "connections": 1000, "work": "0s"}
    }
  })");
  std::vector<double> p;
  double sum = 0.0;
  for (int k = 1; k <= 100; ++k) sum += std::pow(k, -0.9);
  for (int k = 1; k <= 100; ++k) p.push_back(std::pow(k, -0.9) / sum);
  double hit = 0.0;
  for (int k = 0; k < 100; ++k) {
    const double rt = 100.0 * p[k] * 1.0;
    hit += k < 10 ? p[k] : p[k] * rt / (1.0 + rt);
  }
  EXPECT_TRUE(covers(metric(r, "services.cache.hit_ratio"), hit));  // 0.7020 (0.6238 without)
  // Runs at 60, 120, ..., 1980 s after the warm-up: 33, each rewriting 10 keys.
  EXPECT_EQ(metric(r, "services.cache.refresh.runs").mean, 33.0);
  EXPECT_EQ(metric(r, "services.cache.refresh.keys").mean, 330.0);
}

TEST(CacheRefreshLockValidation, RefreshCostsTheBackendNTimesWorkPerPeriod) {
  // Every lookup hits (all preloaded, no TTL): the database's only work is the refresh, 50
  // queries of 10 ms every 10 s on one core, at t = 0, 10, ..., 1000 s: 101 runs in 1005 s.
  const run::Results r = run_model(R"({
    "simulation": {"duration": "1005s", "replications": 2, "seed": 41},
    "workloads": [{"name": "w", "target": "cache", "rate": 20}],
    "services": {
      "cache": {"kind": "cache", "backend": "db", "keys": {"count": 100}, "preload": "all",
                "refresh": {"every": "10s", "keys": 50}},
      "db": {"kind": "database", "connections": 50, "cores": 1, "work": "10ms"}
    }
  })");
  EXPECT_EQ(metric(r, "services.cache.hit_ratio").mean, 1.0);
  EXPECT_EQ(metric(r, "services.cache.refresh.runs").mean, 101.0);
  EXPECT_EQ(metric(r, "services.cache.refresh.keys").mean, 5050.0);
  EXPECT_EQ(metric(r, "services.cache.refresh.failed").mean, 0.0);
  EXPECT_NEAR(metric(r, "services.cache.refresh.backend_work_s").mean, 50.5, 1e-6);
  // N x work / period = 50 x 10 ms / 10 s = 0.05 (101 whole runs over 1005 s).
  EXPECT_NEAR(metric(r, "services.db.cpu_utilization").mean, 101 * 0.5 / 1005.0, 1e-9);
}

}  // namespace
}  // namespace capsim::validation
