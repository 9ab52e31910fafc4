// The request-path keys of the model format (docs/request-path.md): delay steps, a call's
// fallback, a keyed cache's preload, stampede reject and lock_ttl. Each bad input is refused
// with its JSON Pointer, what was expected and what was found.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capsim/dist/distribution.hpp"
#include "model_test_support.hpp"

namespace {

using capsim::model::Failure;
using capsim::model::failure_bit;
using capsim::model::Json;
using capsim::model::Spec;
using capsim::model::Stampede;
using capsim::model::StepKind;
using model_test::error;
using model_test::errors;
using model_test::load;

/// api (steps given) -> db.
Json with_api_steps(const std::string& steps) {
  return Json::parse(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
    "services": { "api": { "steps": )" +
                     steps + R"( }, "db": { "steps": [ { "work": "3ms" } ] } }
  })");
}

/// api -> cache (keys) -> db, with these extra keys on the cache.
Json with_cache_keys(const std::string& extra) {
  return Json::parse(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
    "services": {
      "api": { "steps": [ { "call": "cache" } ] },
      "cache": { "kind": "cache", "backend": "db", "keys": { "count": 100 })" +
                     extra + R"( },
      "db": { "kind": "database", "work": "4ms" }
    }
  })");
}

// ---- delay ----------------------------------------------------------------------------------

TEST(ModelDelay, ReadsADistributionLikeWork) {
  const Spec spec = load(
      with_api_steps(R"([{"delay": "40ms"}, {"delay": {"dist": "exponential", "mean": "1s"}}])"));
  const auto& steps = spec.services[0].endpoints[0].steps;
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].kind, StepKind::delay);
  EXPECT_DOUBLE_EQ(capsim::dist::mean_of(steps[0].delay), 0.04);
  EXPECT_EQ(steps[1].kind, StepKind::delay);
  EXPECT_DOUBLE_EQ(capsim::dist::mean_of(steps[1].delay), 1.0);
}

TEST(ModelDelay, BadValuesAndMixedKinds) {
  EXPECT_EQ(error(with_api_steps(R"([{"delay": "-1ms"}])")),
            "/services/api/steps/0/delay: expected a duration >= 0, found \"-1ms\"");
  EXPECT_EQ(error(with_api_steps(R"([{"delay": "soon"}])")),
            "/services/api/steps/0/delay: expected a duration such as \"10m\" or a number of "
            "seconds, found \"soon\"");
  EXPECT_EQ(error(with_api_steps(R"([{"delay": "1ms", "work": "1ms"}])")),
            "/services/api/steps/0: expected exactly one of work, delay, call or parallel, found "
            "work and delay");
  EXPECT_EQ(error(with_api_steps(R"([{"delay": "1ms", "timeout": "1s"}])")),
            "/services/api/steps/0/timeout: only for call steps");
  EXPECT_EQ(error(with_api_steps(R"([{"delay": "1ms", "dealy": 1}])")),
            "/services/api/steps/0/dealy: unknown key; did you mean 'delay'?");
  EXPECT_EQ(error(with_api_steps(R"([{"parallel": [{"delay": "1ms"}]}])")),
            "/services/api/steps/0/parallel/0: expected a call step such as {\"call\": \"db\"}, "
            "found {\"delay\":\"1ms\"}");
}

// ---- fallback -------------------------------------------------------------------------------

TEST(ModelFallback, DefaultsToEveryFailureAndReadsSteps) {
  const Spec spec = load(with_api_steps(R"([{"call": "db", "fallback": {"steps": [
      {"work": "1ms"}, {"delay": "2ms"}]}}, {"call": "db", "fallback": {"on": ["circuit_open"]}}])"));
  const auto& steps = spec.services[0].endpoints[0].steps;
  ASSERT_TRUE(steps[0].call.fallback.has_value());
  const auto& f = *steps[0].call.fallback;
  EXPECT_EQ(f.pointer, "/services/api/steps/0/fallback");
  EXPECT_EQ(f.on, failure_bit(Failure::timeout) | failure_bit(Failure::rejected) |
                      failure_bit(Failure::error) | failure_bit(Failure::rate_limited) |
                      failure_bit(Failure::circuit_open) | failure_bit(Failure::throttled));
  ASSERT_EQ(f.steps.size(), 2u);
  EXPECT_EQ(f.steps[1].kind, StepKind::delay);
  ASSERT_TRUE(steps[1].call.fallback.has_value());
  EXPECT_EQ(steps[1].call.fallback->on, failure_bit(Failure::circuit_open));
  EXPECT_TRUE(steps[1].call.fallback->steps.empty());
}

TEST(ModelFallback, BadInputs) {
  EXPECT_EQ(error(with_api_steps(R"([{"call": "db", "fallback": true}])")),
            "/services/api/steps/0/fallback: expected a fallback such as {\"steps\": [{\"work\": "
            "\"1ms\"}]}, found true");
  EXPECT_EQ(
      errors(with_api_steps(R"([{"call": "db", "fallback": {"on": ["timeot"], "stpes": []}}])")),
      (std::vector<std::string>{
          "/services/api/steps/0/fallback/on/0: expected one of timeout, rejected, error, "
          "rate_limited, circuit_open, throttled, found \"timeot\"; did you mean 'timeout'?",
          "/services/api/steps/0/fallback/stpes: unknown key; did you mean 'steps'?"}));
  EXPECT_EQ(error(with_api_steps(R"([{"call": "db", "fallback": {"steps": {"work": "1ms"}}}])")),
            "/services/api/steps/0/fallback/steps: expected an array of steps (empty: an answer "
            "at no cost), found {\"work\":\"1ms\"}");
  EXPECT_EQ(error(with_api_steps(R"([{"call": "db", "fallback": {"steps": [{"work": "-1ms"}]}}])")),
            "/services/api/steps/0/fallback/steps/0/work: expected a duration >= 0, found "
            "\"-1ms\"");
  EXPECT_EQ(error(with_api_steps(R"([{"work": "1ms", "fallback": {}}])")),
            "/services/api/steps/0/fallback: only for call steps");
  // A fallback's calls are the caller's calls: a cycle through them is refused.
  EXPECT_EQ(error(with_api_steps(R"([{"call": "db", "fallback": {"steps": [{"call": "api"}]}}])")),
            "/services/api/steps/0/fallback/steps/0/call: expected calls that never lead back to "
            "their caller, found a call cycle: api.default -> api.default");
}

// ---- async (fire-and-forget) ----------------------------------------------------------------

TEST(ModelAsyncCall, DefaultsToWaitingAndReadsTrue) {
  const Spec spec = load(with_api_steps(
      R"([{"call": "db"}, {"call": "db", "async": true}, {"parallel": [{"call": "db", "async": true}]}])"));
  const auto& steps = spec.services[0].endpoints[0].steps;
  EXPECT_FALSE(steps[0].call.async);
  EXPECT_TRUE(steps[1].call.async);
  EXPECT_TRUE(steps[2].parallel[0].async);
}

TEST(ModelAsyncCall, BadInputs) {
  EXPECT_EQ(error(with_api_steps(R"([{"call": "db", "async": "yes"}])")),
            "/services/api/steps/0/async: expected true or false, found \"yes\"");
  EXPECT_EQ(error(with_api_steps(R"([{"call": "db", "async": true, "fallback": {}}])")),
            "/services/api/steps/0/async: expected async only on calls without a fallback, "
            "found both");
  EXPECT_EQ(error(with_api_steps(R"([{"work": "1ms", "async": true}])")),
            "/services/api/steps/0/async: only for call steps");
  EXPECT_EQ(error(with_api_steps(R"([{"call": "db", "asyn": true}])")),
            "/services/api/steps/0/asyn: unknown key; did you mean 'async'?");
}

// ---- cache preload, stampede reject, lock_ttl -------------------------------------------

TEST(ModelCacheWarmth, PreloadCountOrAllAndLockTtl) {
  Spec spec = load(with_cache_keys(R"(, "preload": 10, "stampede": "reject", "lock_ttl": "2s")"));
  const auto& c = *spec.services[1].cache;
  EXPECT_EQ(c.preload_keys, 10);
  EXPECT_EQ(c.stampede, Stampede::reject);
  EXPECT_DOUBLE_EQ(*c.lock_ttl_s, 2.0);
  spec = load(with_cache_keys(R"(, "preload": "all", "stampede": "coalesce", "lock_ttl": 1)"));
  EXPECT_EQ(spec.services[1].cache->preload_keys, 100);
  EXPECT_DOUBLE_EQ(*spec.services[1].cache->lock_ttl_s, 1.0);
}

TEST(ModelCacheWarmth, BadInputs) {
  EXPECT_EQ(error(with_cache_keys(R"(, "preload": 101)")),
            "/services/cache/preload: expected an integer from 0 to 100, found 101");
  EXPECT_EQ(error(with_cache_keys(R"(, "preload": "hot")")),
            "/services/cache/preload: expected \"all\" or a number of keys (the hottest first), "
            "such as 1000, found \"hot\"");
  EXPECT_EQ(error(with_cache_keys(R"(, "lock_ttl": "1s")")),
            "/services/cache/lock_ttl: only with stampede coalesce or reject");
  EXPECT_EQ(error(with_cache_keys(R"(, "stampede": "reject", "lock_ttl": "0s")")),
            "/services/cache/lock_ttl: expected a duration > 0, found \"0s\"");
  // Like capacity and ttl: only a keyed cache has a store to preload or lock.
  const Json fixed = Json::parse(R"({
    "workloads": [ { "name": "w", "target": "cache", "rate": 10 } ],
    "services": {
      "cache": { "kind": "cache", "backend": "db", "hit_ratio": 0.5, "preload": "all" },
      "db": { "kind": "database", "work": "4ms" } } })");
  EXPECT_EQ(error(fixed), "/services/cache/preload: only with keys (an emergent hit ratio)");
  Json generic = with_api_steps(R"([{"work": "1ms"}])");
  generic["services"]["api"]["preload"] = 1;
  EXPECT_EQ(error(generic), "/services/api/preload: only for services of kind cache");
}

}  // namespace
