// Validation of cache-aside (docs/request-path.md#cache-aside) against closed forms: a lookup's
// miss is answered at once, and the caller runs the call's on_miss steps on its own worker and
// cores (the database call and the write-back among them); the cache never calls its backend for
// such a lookup, and a successful on_miss that writes back fills the key.

#include <gtest/gtest.h>

#include <string>

#include "capsim/analytic/queueing.hpp"
#include "validation_support.hpp"

namespace capsim::validation {
namespace {

// A fixed hit ratio of 0.5 at 10 requests/s. The cache has 64 cores and a constant 0.5 ms of
// work: no lookup or write ever queues. A miss costs the api (one core) exponential work of mean
// 50 ms: the misses thin the Poisson arrivals to 5/s, so the api's core is M/M/1 with rho 0.25.
// Its departures are Poisson (Burke), so the database (one core, exponential 10 ms) is M/M/1 at
// 5/s too. The write-back is one more 0.5 ms at the cache.
constexpr const char* kAsideModel = R"({
    "simulation": {"duration": "20000s", "warmup": "500s", "replications": 10, "seed": 31,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "api", "rate": 10}],
    "services": {
      "api": {"workers": 1024, "cores": 1,
              "steps": [{"call": "cache",
                         "on_miss": [{"work": {"dist": "exponential", "mean": "50ms"}},
                                     {"call": "db"},
                                     {"call": "cache", "write": true}]}]},
      "cache": {"kind": "cache", "hit_ratio": 0.5, "work": "0.5ms", "cores": 64, "workers": 4096},
      "db": {"workers": 1024, "cores": 1, "steps": [{"work": {"dist": "exponential", "mean": "10ms"}}]}
    }
  })";

TEST(CacheAsideValidation, AMissCostsTheCallerItsWorkTheDatabaseAndTheWrite) {
  const run::Results r = run_model(kAsideModel);
  const analytic::MMc api{5.0, 20.0, 1};
  const analytic::MMc db{5.0, 100.0, 1};
  // 0.5 ms lookup + 0.5 x (M/M/1 66.7 ms + M/M/1 10.5 ms + 0.5 ms write) = 39.35 ms.
  const double latency_s = 0.0005 + 0.5 * (api.mean_sojourn() + db.mean_sojourn() + 0.0005);
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"), latency_s * 1e3));
  EXPECT_EQ(metric(r, "workloads.w.error_rate").mean, 0.0);
  // The miss work is the caller's CPU: 5/s x 50 ms on one core.
  EXPECT_TRUE(covers(metric(r, "services.api.cpu_utilization"), 0.25));
  EXPECT_TRUE(covers(metric(r, "services.db.throughput_rps"), 5.0));
  // Lookups and writes both reach the cache; the hit ratio counts the lookups only.
  EXPECT_TRUE(covers(metric(r, "services.cache.throughput_rps"), 15.0));
  EXPECT_TRUE(covers(metric(r, "services.cache.hit_ratio"), 0.5));
}

// A keyed cache with a TTL whose misses are filled at the instant they happen (lookup, write and
// on_miss cost nothing): each of 10 uniform keys, asked for at r = 2/s (Poisson), misses once,
// then hits for the TTL T = 1 s, then misses at its next request. A cycle holds 1 + r T requests
// of which one misses: the hit ratio is r T / (1 + r T) = 2/3.
constexpr const char* kTtlModel = R"({
    "simulation": {"duration": "20000s", "warmup": "100s", "replications": 10, "seed": 32,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "api", "rate": 20}],
    "services": {
      "api": {"workers": 1024, "cores": 8,
              "steps": [{"call": "cache", "on_miss": [{"call": "cache", "write": true}]}]},
      "cache": {"kind": "cache", "backend": "db", "work": "0ms", "cores": 64, "workers": 4096,
                "keys": {"count": 10, "popularity": "uniform"}, "ttl": "1s"},
      "db": {"workers": 1, "cores": 1, "steps": [{"work": "10ms"}]}
    }
  })";

TEST(CacheAsideValidation, TheWriteBackFillsTheKeyForItsTtl) {
  const run::Results r = run_model(kTtlModel);
  EXPECT_TRUE(covers(metric(r, "services.cache.hit_ratio"), 2.0 / 3.0));
  // The cache has a backend, but a cache-aside lookup never calls it.
  EXPECT_EQ(metric(r, "services.db.throughput_rps").mean, 0.0);
  // Lookups at 20/s and writes at 20/3 per second.
  EXPECT_TRUE(covers(metric(r, "services.cache.throughput_rps"), 20.0 + 20.0 / 3.0));
}

TEST(CacheAsideValidation, WithoutAWriteNothingIsFilled) {
  // on_miss recomputes but never writes back: every lookup misses.
  std::string text = kTtlModel;
  const std::string write = R"([{"call": "cache", "write": true}])";
  text.replace(text.find(write), write.size(), R"([{"work": "1ms"}])");
  const run::Results r = run_model(text);
  EXPECT_EQ(metric(r, "services.cache.hit_ratio").mean, 0.0);
  EXPECT_TRUE(covers(metric(r, "services.api.cpu_utilization"), 20.0 * 0.001 / 8.0));
  EXPECT_EQ(metric(r, "services.db.throughput_rps").mean, 0.0);
}

TEST(CacheAsideValidation, AFailedMissFailsTheRequest) {
  // on_miss calls a service whose only worker is held for 1000 s and that queues nothing: the
  // calls of (practically) every miss are rejected, so every miss fails the request and the hits
  // succeed: the error rate is the miss ratio, 0.5.
  std::string text = kAsideModel;
  const std::string db_call = R"({"call": "db"})";
  text.replace(text.find(db_call), db_call.size(), R"({"call": "broken"})");
  text.replace(text.find(R"("db": {)"), 7,
               R"("broken": {"workers": 1, "queue_capacity": 0, "steps": [{"delay": "1000s"}]},
                  "db": {)");
  const run::Results r = run_model(text);
  EXPECT_NEAR(metric(r, "workloads.w.error_rate").mean, 0.5, 0.01);
  EXPECT_TRUE(covers(metric(r, "services.cache.hit_ratio"), 0.5));
}

TEST(CacheAsideValidation, ReadThroughAndCacheAsideCallersShareACache) {
  // A fixed hit ratio of 0.5 and a backend: the read-through caller's misses (10/s x 0.5) go to
  // the backend, the cache-aside caller's (20/s x 0.5) to its own on_miss call, never to the
  // backend.
  const run::Results r = run_model(R"({
    "simulation": {"duration": "20000s", "warmup": "100s", "replications": 10, "seed": 35,
                   "confidence": 0.99},
    "workloads": [{"name": "rt", "target": "reader", "rate": 10},
                  {"name": "ca", "target": "aside", "rate": 20}],
    "services": {
      "reader": {"workers": 1024, "cores": 8, "steps": [{"call": "cache"}]},
      "aside": {"workers": 1024, "cores": 8,
                "steps": [{"call": "cache", "on_miss": [{"call": "db2"}]}]},
      "cache": {"kind": "cache", "backend": "db", "hit_ratio": 0.5, "work": "0.1ms",
                "cores": 64, "workers": 4096},
      "db": {"workers": 1024, "cores": 8, "steps": [{"work": "1ms"}]},
      "db2": {"workers": 1024, "cores": 8, "steps": [{"work": "1ms"}]}
    }
  })");
  EXPECT_TRUE(covers(metric(r, "services.db.throughput_rps"), 5.0));
  EXPECT_TRUE(covers(metric(r, "services.db2.throughput_rps"), 10.0));
  EXPECT_TRUE(covers(metric(r, "services.cache.hit_ratio"), 0.5));
}

TEST(CacheAsideValidation, AMissInAParallelBranchRunsOnTheCallersCores) {
  // The lookup is one branch of a parallel step: its miss's 10 ms of work runs on the api's
  // replica (2 cores): 20/s x 0.5 x 10 ms / 2 = 5% busy; the other branch costs no CPU.
  const run::Results r = run_model(R"({
    "simulation": {"duration": "4000s", "warmup": "100s", "replications": 10, "seed": 34,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "api", "rate": 20}],
    "services": {
      "api": {"workers": 1024, "cores": 2,
              "steps": [{"parallel": [{"call": "cache", "on_miss": [{"work": "10ms"}]},
                                      {"call": "other"}]}]},
      "cache": {"kind": "cache", "hit_ratio": 0.5, "work": "0.1ms", "cores": 64,
                "workers": 4096},
      "other": {"workers": 1024, "cores": 8, "steps": [{"delay": "1ms"}]}
    }
  })");
  EXPECT_TRUE(covers(metric(r, "services.api.cpu_utilization"), 0.05));
  EXPECT_EQ(metric(r, "workloads.w.error_rate").mean, 0.0);
}

}  // namespace
}  // namespace capsim::validation
