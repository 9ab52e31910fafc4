// Validation of caches keyed by client (`"keys": "client"`,
// docs/request-path.md#caches-keyed-by-client): a session or per-user cache whose key is the
// request's client, against closed forms (capacity, TTL) and exact counts (one miss per distinct
// client; requests without a client; on_miss steps that carry the client).
//
// Every model here has lookups, fetches and write-backs that take no time, so a miss fills its
// client's entry at the instant it happens and the closed forms hold exactly in the stationary
// regime: the hit ratio is then the long-run fraction of lookups that find the entry.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "validation_support.hpp"

namespace capsim::validation {
namespace {

/// Replaces the first occurrence of `from` in `text` by `to` (the test's variant of a model).
std::string with(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("no '" + from + "' in the model");
  text.replace(at, from.size(), to);
  return text;
}

// 100 uniform clients at 100 requests/s in all, a session cache of 40 entries in front of a
// store. Whatever the eviction, once the cache is full it holds 40 of the 100 clients, and the
// next request's client is independent of which (independent uniform references): the hit
// ratio is C/N = 0.4 exactly. The 50 s warm-up is ample: the cache is full after about
// 100 x ln(100/60) / 100 = 0.5 s.
constexpr const char* kCapacityModel = R"({
    "simulation": {"duration": "2000s", "warmup": "50s", "replications": 10, "seed": 41,
                   "confidence": 0.99},
    "workloads": [{"name": "users", "target": "api", "rate": 100,
                   "clients": {"count": 100, "popularity": "uniform"}}],
    "services": {
      "api": {"workers": 1024, "cores": 8, "steps": [{"call": "sessions"}]},
      "sessions": {"kind": "cache", "backend": "store", "work": "0ms", "cores": 64,
                   "workers": 4096, "keys": "client", "capacity": 40, "eviction": "lru"},
      "store": {"workers": 4096, "cores": 64, "steps": [{"work": "0ms"}]}
    }
  })";

class ClientKeysCapacity : public ::testing::TestWithParam<std::string> {};

TEST_P(ClientKeysCapacity, HitRatioIsCapacityOverClients) {
  const std::string model =
      with(kCapacityModel, R"("eviction": "lru")", R"("eviction": ")" + GetParam() + R"(")");
  const run::Results r = run_model(model);
  // The 99% interval of 10 replications of ~195,000 lookups each is about +-0.001 wide.
  EXPECT_TRUE(covers(metric(r, "services.sessions.hit_ratio"), 40.0 / 100.0));
  // Every miss is one fetch from the store: 100/s x 0.6.
  EXPECT_TRUE(covers(metric(r, "services.store.arrival_rps"), 60.0));
}

INSTANTIATE_TEST_SUITE_P(Evictions, ClientKeysCapacity,
                         ::testing::Values("lru", "fifo", "random", "lfu"));

// A TTL T and unlimited capacity: client k's requests are Poisson at r_k. A miss fills the
// entry, which then serves every request of the next T and expires; the first request after
// that misses (memorylessness: the renewal cycles are independent). A cycle holds the miss and
// Poisson(r_k T) hits: client k's hit ratio is r_k T / (1 + r_k T), and the cache's is the
// request-weighted mean sum_k p_k r_k T / (1 + r_k T), r_k = p_k x the total rate.
constexpr const char* kTtlModel = R"({
    "simulation": {"duration": "2000s", "warmup": "20s", "replications": 10, "seed": 42,
                   "confidence": 0.99},
    "workloads": [{"name": "users", "target": "api", "rate": 100,
                   "clients": {"count": 50, "popularity": "uniform"}}],
    "services": {
      "api": {"workers": 1024, "cores": 8, "steps": [{"call": "sessions"}]},
      "sessions": {"kind": "cache", "backend": "store", "work": "0ms", "cores": 64,
                   "workers": 4096, "keys": "client", "ttl": "1s"},
      "store": {"workers": 4096, "cores": 64, "steps": [{"work": "0ms"}]}
    }
  })";

TEST(ClientKeysTtl, UniformClientsHitRTOverOnePlusRT) {
  const run::Results r = run_model(kTtlModel);
  // r = 100/s / 50 clients = 2/s, T = 1 s: 2/3.
  EXPECT_TRUE(covers(metric(r, "services.sessions.hit_ratio"), 2.0 / 3.0));
}

TEST(ClientKeysTtl, ZipfClientsHitTheRequestWeightedMean) {
  const std::string model = with(kTtlModel, R"("count": 50, "popularity": "uniform")",
                                 R"("count": 200, "popularity": {"zipf": 1.0})");
  const run::Results r = run_model(model);
  double norm = 0.0;
  for (int k = 1; k <= 200; ++k) norm += 1.0 / k;
  double exact = 0.0;
  for (int k = 1; k <= 200; ++k) {
    const double p = 1.0 / k / norm;
    const double rt = p * 100.0 * 1.0;
    exact += p * rt / (1.0 + rt);
  }
  // 0.571 (uniform clients at the same total rate: 100 x 1 / 200 = 0.5 per client, 1/3): the
  // heavy clients keep their sessions warm, the tail mostly misses.
  EXPECT_NEAR(exact, 0.5714, 1e-4);
  EXPECT_TRUE(covers(metric(r, "services.sessions.hit_ratio"), exact));
}

// Capacity for every client and no TTL: a client's first request misses, all others hit, so the
// misses (the store's fetches) are exactly the distinct clients seen. A second service counts
// those: a per-client limit of one request per window longer than the run lets each client's
// first request through and refuses the others (the api's call to it falls back, so the
// request goes on). 2000 requests over 1000 Zipf clients see only a few hundred of them.
constexpr const char* kCountModel = R"({
    "simulation": {"duration": "100s", "replications": 3, "seed": 43},
    "workloads": [{"name": "users", "target": "api", "rate": 20,
                   "clients": {"count": 1000, "popularity": {"zipf": 1.0}}}],
    "services": {
      "api": {"workers": 1024, "cores": 8,
              "steps": [{"call": "seen", "fallback": {"on": ["rate_limited"]}},
                        {"call": "sessions"}]},
      "seen": {"workers": 1024, "cores": 8, "steps": [{"work": "0ms"}],
               "rate_limit": {"per": "client", "window": "1000s", "limit": 1}},
      "sessions": {"kind": "cache", "backend": "store", "work": "0ms", "cores": 64,
                   "workers": 4096, "keys": "client", "capacity": 1000},
      "store": {"workers": 4096, "cores": 64, "steps": [{"work": "0ms"}]}
    }
  })";

TEST(ClientKeysCount, EachDistinctClientMissesOnce) {
  const run::Results r = run_model(kCountModel);
  constexpr double kSeconds = 100.0;  // no warm-up: every request counts
  const double distinct = metric(r, "services.seen.throughput_rps").mean * kSeconds;
  const double fetches = metric(r, "services.store.arrival_rps").mean * kSeconds;
  // Means over 3 replications of counts / 100 s: equal per replication, so equal means.
  EXPECT_NEAR(fetches, distinct, 1e-9);
  EXPECT_GT(distinct, 100.0);
  EXPECT_LT(distinct, 1000.0);  // not every client: the count is the ones seen
  // The hits are the lookups of clients seen before: exactly the requests `seen` refused.
  EXPECT_NEAR(metric(r, "services.sessions.hit_ratio").mean,
              metric(r, "services.seen.rate_limited").mean, 1e-12);
}

// A request without a client (here a workload without clients) looks up nothing: it misses,
// takes no lock (stampede reject would refuse a second miss of the same key while the first
// fetches) and fills nothing (the single entry stays the one client's).
constexpr const char* kNoClientModel = R"({
    "simulation": {"duration": "200s", "replications": 2, "seed": 44},
    "workloads": [{"name": "users", "target": "api", "rate": 1, "clients": {"count": 1}},
                  {"name": "anon", "target": "anon_api", "rate": 10}],
    "services": {
      "api": {"workers": 1024, "cores": 8, "steps": [{"call": "sessions"}]},
      "anon_api": {"workers": 1024, "cores": 8, "steps": [{"call": "sessions"}]},
      "sessions": {"kind": "cache", "backend": "store", "work": "0ms", "cores": 64,
                   "workers": 4096, "keys": "client", "capacity": 1, "stampede": "reject"},
      "store": {"workers": 4096, "cores": 64, "steps": [{"work": "50ms"}]}
    }
  })";

TEST(ClientKeysNoClient, ARequestWithoutAClientMissesTakesNoLockAndFillsNothing) {
  const run::Results r = run_model(kNoClientModel);
  constexpr double kSeconds = 200.0;
  // Every anonymous lookup fetches; the one client fetches once per replication (its entry is
  // never evicted, though the cache holds one entry): one more fetch per 200 s.
  EXPECT_NEAR(metric(r, "services.store.arrival_rps").mean * kSeconds,
              metric(r, "services.anon_api.arrival_rps").mean * kSeconds + 1.0, 1e-9);
  // At 10/s with 50 ms fetches, a third of the anonymous misses overlap another's fetch: none
  // is rejected, no lock was taken.
  EXPECT_EQ(metric(r, "workloads.anon.error_rate").mean, 0.0);
  EXPECT_EQ(metric(r, "services.sessions.lock.rejected").mean, 0.0);
  EXPECT_EQ(metric(r, "workloads.users.error_rate").mean, 0.0);
}

// The on_miss steps of a cache-aside lookup carry the request's client: they call a second
// cache keyed by client. The first cache never gets a write-back, so every lookup misses and
// runs on_miss; the second sees each of the 50 uniform clients' first call miss and every
// other call hit (with the client lost, it would see no client and miss every time).
constexpr const char* kOnMissModel = R"({
    "simulation": {"duration": "100s", "replications": 2, "seed": 45},
    "workloads": [{"name": "users", "target": "api", "rate": 50,
                   "clients": {"count": 50, "popularity": "uniform"}}],
    "services": {
      "api": {"workers": 1024, "cores": 8,
              "steps": [{"call": "front", "on_miss": [{"call": "sessions"}]}]},
      "front": {"kind": "cache", "work": "0ms", "cores": 64, "workers": 4096, "keys": "client"},
      "sessions": {"kind": "cache", "backend": "store", "work": "0ms", "cores": 64,
                   "workers": 4096, "keys": "client"},
      "store": {"workers": 4096, "cores": 64, "steps": [{"work": "0ms"}]}
    }
  })";

TEST(ClientKeysOnMiss, TheOnMissStepsCarryTheClient) {
  const run::Results r = run_model(kOnMissModel);
  constexpr double kSeconds = 100.0;
  EXPECT_EQ(metric(r, "services.front.hit_ratio").mean, 0.0);
  // All 50 clients are seen (each about 100 times): 50 misses per replication.
  EXPECT_NEAR(metric(r, "services.store.arrival_rps").mean * kSeconds, 50.0, 1e-9);
  const double lookups = metric(r, "services.sessions.arrival_rps").mean * kSeconds;
  EXPECT_NEAR(lookups, metric(r, "services.front.arrival_rps").mean * kSeconds, 1e-9);
  // 50 misses of ~5000 lookups, in each replication; the mean of two ratios is close to the
  // ratio of the means (the replications' counts differ by a few percent).
  EXPECT_NEAR(metric(r, "services.sessions.hit_ratio").mean, 1.0 - 50.0 / lookups, 1e-4);
}

}  // namespace
}  // namespace capsim::validation
