// A retried lookup asks for the same key (docs/request-path.md#a-retry-looks-up-the-same-key):
// a keyed cache's key is a function of the request (the call), not of its attempt, so a retry
// after a timeout finds what the first attempt's fetch filled.

#include <gtest/gtest.h>

#include <string>

#include "net_test_support.hpp"

namespace capsim::net {
namespace {

using test_support::mean;
using test_support::run_json;

/// The api calls the cache with a 60 ms timeout and one retry 100 ms later. A lookup takes 1 ms
/// and its miss a constant 100 ms at the backend, so every first attempt (10,000,000 uniform
/// keys: a request's key is new) misses and times out at 60 ms, while its fetch goes on and
/// fills the key at 101 ms. The retry is sent at 160 ms and looked up at 161 ms: with the same
/// key it hits, and the request succeeds in exactly 161 ms (with another key it would miss and
/// time out again). The TTL (1 s) keeps a key of an
/// earlier request from being found: requests arrive at 1/s, and two of the last second share
/// a key with probability 1e-7. No request arrives in the last second, so every request that
/// starts ends within the run and the counts are exact.
std::string retried_lookup(const std::string& cache_extra = "") {
  return R"({
    "simulation": {"duration": "500s", "replications": 2, "seed": 71},
    "workloads": [{"name": "w", "target": "api",
                   "rate": {"start": 1, "stages": [{"duration": "499s", "target": 1},
                                                   {"duration": "0s", "target": 0}]}}],
    "services": {
      "api": {"workers": 1000, "cores": 8,
              "steps": [{"call": "cache", "timeout": "60ms",
                         "retry": {"max_attempts": 2, "on": ["timeout"],
                                   "backoff": {"kind": "constant", "base": "100ms"}}}]},
      "cache": {"kind": "cache", "backend": "db", "work": "1ms", "cores": 8, "workers": 1000,
                "keys": {"count": 10000000, "popularity": "uniform"}, "ttl": "1s")" +
         cache_extra + R"(},
      "db": {"workers": 1000, "cores": 8, "steps": [{"work": "100ms"}]}
    }
  })";
}

TEST(CacheRetry, ARetryAfterATimeoutHitsWhatTheFirstAttemptFetched) {
  const run::Results r = run_json(retried_lookup());
  // Each request: one miss (the first attempt) and one hit (the retry), exactly.
  EXPECT_NEAR(mean(r, "services.cache.hit_ratio"), 0.5, 1e-12);
  EXPECT_EQ(mean(r, "workloads.w.error_rate"), 0.0);
  EXPECT_NEAR(mean(r, "workloads.w.latency_ms.max"), 161.0, 1e-6);
  // The backend fetched once per request: arrivals at the cache are twice the requests'.
  EXPECT_NEAR(mean(r, "services.db.arrival_rps") * 2.0, mean(r, "services.cache.arrival_rps"),
              1e-12);
}

TEST(CacheRetry, WithStampedeRejectTheRetryStillFindsItsOwnKey) {
  // With a lock per key the first attempt's fetch holds its key's lock until 101 ms; the retry
  // at 161 ms finds the key filled and its lock gone.
  const run::Results r = run_json(retried_lookup(R"(, "stampede": "reject")"));
  EXPECT_NEAR(mean(r, "services.cache.hit_ratio"), 0.5, 1e-12);
  EXPECT_EQ(mean(r, "workloads.w.error_rate"), 0.0);
}

TEST(CacheRetry, ARetryBeforeTheFillWaitsForTheSameKeysFetch) {
  // Retried 1 ms after the timeout: the retry is looked up at 62 ms while the first attempt's
  // fetch of the same key is under way. With coalesce it waits for that fetch (a miss in the
  // hit ratio) and is answered at 101 ms, before its own timeout at 121 ms: every request
  // succeeds in 101 ms, and the backend fetches once per request.
  std::string text = retried_lookup(R"(, "stampede": "coalesce")");
  const std::string backoff = R"("base": "100ms")";
  text.replace(text.find(backoff), backoff.size(), R"("base": "1ms")");
  const run::Results r = run_json(text);
  EXPECT_EQ(mean(r, "services.cache.hit_ratio"), 0.0);
  EXPECT_EQ(mean(r, "workloads.w.error_rate"), 0.0);
  EXPECT_NEAR(mean(r, "workloads.w.latency_ms.max"), 101.0, 1e-6);
  EXPECT_NEAR(mean(r, "services.db.arrival_rps") * 2.0, mean(r, "services.cache.arrival_rps"),
              1e-12);
}

TEST(CacheRetry, AClientsRetryAboveTheCallerLooksUpTheSameKey) {
  // The retry is the client's (the workload's timeout and retry), two levels above the cache:
  // its new request at the api makes a new call to the cache, which still asks for the first
  // attempt's key. The same timings as above, with the reject lock (the scenario of a client
  // retrying a refused read): a miss at 1 ms, the client's timeout at 60 ms, its retry at
  // 160 ms hits at 161 ms (the first attempt's api job still waits for its fetch and answers
  // nobody).
  std::string text = retried_lookup(R"(, "stampede": "reject")");
  const std::string call = R"({"call": "cache", "timeout": "60ms",
                         "retry": {"max_attempts": 2, "on": ["timeout"],
                                   "backoff": {"kind": "constant", "base": "100ms"}}})";
  text.replace(text.find(call), call.size(), R"({"call": "cache"})");
  const std::string workload = R"("target": "api",)";
  text.replace(text.find(workload), workload.size(),
               R"("target": "api", "timeout": "60ms",
                  "retry": {"max_attempts": 2, "on": ["timeout"],
                            "backoff": {"kind": "constant", "base": "100ms"}},)");
  const run::Results r = run_json(text);
  EXPECT_NEAR(mean(r, "services.cache.hit_ratio"), 0.5, 1e-12);
  EXPECT_EQ(mean(r, "workloads.w.error_rate"), 0.0);
  EXPECT_NEAR(mean(r, "workloads.w.attempts_per_request"), 2.0, 1e-12);
  EXPECT_NEAR(mean(r, "workloads.w.latency_ms.max"), 161.0, 1e-6);
}

}  // namespace
}  // namespace capsim::net
