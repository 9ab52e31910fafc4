// Loading the resilience settings: retries, call timeouts, circuit breakers, `op`, rate limits,
// drop_expired and load-balancer health checks.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "capsim/model/spec.hpp"
#include "model_test_support.hpp"

namespace {

using capsim::model::BackoffKind;
using capsim::model::DbOp;
using capsim::model::Failure;
using capsim::model::failure_bit;
using capsim::model::Jitter;
using capsim::model::Json;
using capsim::model::Spec;
using model_test::error;
using model_test::errors;
using model_test::load;
using model_test::two_services;

/// two_services() with `retry` set on the workload.
Json with_workload_retry(const std::string& retry) {
  Json doc = two_services();
  doc["workloads"][0]["retry"] = Json::parse(retry);
  return doc;
}

/// two_services() with `key` set on the call api.get -> db.
Json with_call(const std::string& key, const Json& value) {
  Json doc = two_services();
  doc["services"]["api"]["endpoints"]["get"]["steps"][1][key] = value;
  return doc;
}

const std::string call_at = "/services/api/endpoints/get/steps/1";

constexpr capsim::model::FailureSet default_on =
    failure_bit(Failure::timeout) | failure_bit(Failure::rejected) | failure_bit(Failure::error) |
    failure_bit(Failure::rate_limited) | failure_bit(Failure::throttled);

// ---- Retries --------------------------------------------------------------------------------

TEST(ModelRetry, DefaultsFilled) {
  const Spec spec = load(with_workload_retry("{}"));
  ASSERT_TRUE(spec.workloads[0].retry.has_value());
  const auto& retry = *spec.workloads[0].retry;
  EXPECT_EQ(retry.max_attempts, 3);
  EXPECT_EQ(retry.on, default_on);
  EXPECT_EQ(retry.backoff.kind, BackoffKind::exponential);
  EXPECT_DOUBLE_EQ(retry.backoff.base_s, 0.1);
  EXPECT_DOUBLE_EQ(retry.backoff.multiplier, 2.0);
  EXPECT_DOUBLE_EQ(retry.backoff.cap_s, 5.0);
  EXPECT_EQ(retry.backoff.jitter, Jitter::none);
  EXPECT_FALSE(retry.budget.has_value());
}

TEST(ModelRetry, AbsentMeansNoRetry) {
  const Spec spec = load(two_services());
  EXPECT_FALSE(spec.workloads[0].retry.has_value());
  const auto& call = spec.services[0].endpoints[0].steps[1].call;
  EXPECT_FALSE(call.retry.has_value());
  EXPECT_FALSE(call.timeout_s.has_value());
  EXPECT_FALSE(call.circuit_breaker.has_value());
  EXPECT_EQ(call.op, DbOp::read);
}

TEST(ModelRetry, ReadsEveryValue) {
  const Spec spec = load(with_workload_retry(R"({"max_attempts": 5,
      "on": ["timeout", "circuit_open"],
      "backoff": {"kind": "exponential", "base": "50ms", "multiplier": 3, "cap": "2s",
                  "jitter": "decorrelated"},
      "budget": {"ratio": 0.1, "min_per_second": 5, "window": "30s"}})"));
  const auto& retry = *spec.workloads[0].retry;
  EXPECT_EQ(retry.max_attempts, 5);
  EXPECT_EQ(retry.on, failure_bit(Failure::timeout) | failure_bit(Failure::circuit_open));
  EXPECT_DOUBLE_EQ(retry.backoff.base_s, 0.05);
  EXPECT_DOUBLE_EQ(retry.backoff.multiplier, 3.0);
  EXPECT_DOUBLE_EQ(retry.backoff.cap_s, 2.0);
  EXPECT_EQ(retry.backoff.jitter, Jitter::decorrelated);
  ASSERT_TRUE(retry.budget.has_value());
  EXPECT_DOUBLE_EQ(retry.budget->ratio, 0.1);
  EXPECT_DOUBLE_EQ(retry.budget->min_per_second, 5.0);
  EXPECT_DOUBLE_EQ(retry.budget->window_s, 30.0);
}

TEST(ModelRetry, EveryBackoffKindAndJitter) {
  const std::vector<std::pair<std::string, BackoffKind>> kinds = {
      {"constant", BackoffKind::constant},
      {"linear", BackoffKind::linear},
      {"exponential", BackoffKind::exponential}};
  for (const auto& [name, kind] : kinds) {
    const Spec spec = load(with_workload_retry(R"({"backoff": {"kind": ")" + name + R"("}})"));
    EXPECT_EQ(spec.workloads[0].retry->backoff.kind, kind) << name;
  }
  const std::vector<std::pair<std::string, Jitter>> jitters = {
      {"none", Jitter::none},
      {"full", Jitter::full},
      {"equal", Jitter::equal},
      {"decorrelated", Jitter::decorrelated}};
  for (const auto& [name, jitter] : jitters) {
    const Spec spec = load(with_workload_retry(R"({"backoff": {"jitter": ")" + name + R"("}})"));
    EXPECT_EQ(spec.workloads[0].retry->backoff.jitter, jitter) << name;
  }
}

TEST(ModelRetry, EmptyOnNeverRetries) {
  const Spec spec = load(with_workload_retry(R"({"on": []})"));
  EXPECT_EQ(spec.workloads[0].retry->on, 0);
}

TEST(ModelRetry, OnNamesFailures) {
  EXPECT_EQ(error(with_workload_retry(R"({"on": ["timeout", "tmeout", 3]})")),
            "/workloads/0/retry/on/1: expected one of timeout, rejected, error, rate_limited, "
            "circuit_open, throttled, found \"tmeout\"; did you mean 'timeout'?\n"
            "/workloads/0/retry/on/2: expected one of timeout, rejected, error, rate_limited, "
            "circuit_open, throttled, found 3");
  EXPECT_EQ(error(with_workload_retry(R"({"on": "timeout"})")),
            "/workloads/0/retry/on: expected an array of failures such as [\"timeout\", "
            "\"error\"], found \"timeout\"");
}

TEST(ModelRetry, MaxAttemptsRange) {
  EXPECT_EQ(error(with_workload_retry(R"({"max_attempts": 0})")),
            "/workloads/0/retry/max_attempts: expected an integer from 1 to 100, found 0");
  EXPECT_EQ(error(with_workload_retry(R"({"max_attempts": 101})")),
            "/workloads/0/retry/max_attempts: expected an integer from 1 to 100, found 101");
  EXPECT_EQ(error(with_workload_retry(R"({"max_attempts": 2.5})")),
            "/workloads/0/retry/max_attempts: expected an integer from 1 to 100, found 2.5");
}

TEST(ModelRetry, UnknownKeysSuggest) {
  EXPECT_EQ(errors(with_workload_retry(
                R"({"max_attempt": 2, "backoff": {"jiter": "full"}, "budget": {"raito": 1}})")),
            (std::vector<std::string>{
                "/workloads/0/retry/max_attempt: unknown key; did you mean 'max_attempts'?",
                "/workloads/0/retry/backoff/jiter: unknown key; did you mean 'jitter'?",
                "/workloads/0/retry/budget/raito: unknown key; did you mean 'ratio'?"}));
}

TEST(ModelRetry, WrongKinds) {
  EXPECT_EQ(error(with_workload_retry("3")),
            "/workloads/0/retry: expected an object such as {\"max_attempts\": 3}, found 3");
  EXPECT_EQ(errors(with_workload_retry(R"({"backoff": "full", "budget": 0.1})")),
            (std::vector<std::string>{
                "/workloads/0/retry/backoff: expected an object such as {\"kind\": "
                "\"exponential\", \"base\": \"100ms\"}, found \"full\"",
                "/workloads/0/retry/budget: expected an object such as {\"ratio\": 0.2, "
                "\"min_per_second\": 10}, found 0.1"}));
}

TEST(ModelRetry, BackoffChoicesSuggest) {
  EXPECT_EQ(errors(with_workload_retry(R"({"backoff": {"kind": "exponental", "jitter": "ful"}})")),
            (std::vector<std::string>{
                "/workloads/0/retry/backoff/kind: expected one of constant, linear, exponential, "
                "found \"exponental\"; did you mean 'exponential'?",
                "/workloads/0/retry/backoff/jitter: expected one of none, full, equal, "
                "decorrelated, found \"ful\"; did you mean 'full'?"}));
}

TEST(ModelRetry, BackoffRanges) {
  EXPECT_EQ(errors(with_workload_retry(
                R"({"backoff": {"base": "-1ms", "multiplier": 0.5, "cap": "-2s"}})")),
            (std::vector<std::string>{
                "/workloads/0/retry/backoff/base: expected a duration >= 0, found \"-1ms\"",
                "/workloads/0/retry/backoff/multiplier: expected a number >= 1, found 0.5",
                "/workloads/0/retry/backoff/cap: expected a duration >= 0, found \"-2s\""}));
}

TEST(ModelRetry, CapMustNotBeBelowBase) {
  EXPECT_EQ(error(with_workload_retry(R"({"backoff": {"base": "2s", "cap": "1s"}})")),
            "/workloads/0/retry/backoff/cap: expected a cap >= base (2 s), found 1 s");
  // Without a cap, the default (5 s) never cuts below the base.
  const Spec spec = load(with_workload_retry(R"({"backoff": {"base": "8s"}})"));
  EXPECT_DOUBLE_EQ(spec.workloads[0].retry->backoff.cap_s, 8.0);
  // A zero base with a zero cap is allowed: immediate retries.
  const Spec immediate = load(with_workload_retry(R"({"backoff": {"base": 0, "cap": 0}})"));
  EXPECT_DOUBLE_EQ(immediate.workloads[0].retry->backoff.cap_s, 0.0);
}

TEST(ModelRetry, MultiplierOnlyForExponentialBackoff) {
  EXPECT_EQ(error(with_workload_retry(R"({"backoff": {"kind": "linear", "multiplier": 2}})")),
            "/workloads/0/retry/backoff/multiplier: only with kind exponential");
}

TEST(ModelRetry, BudgetDefaultsAndRanges) {
  const Spec spec = load(with_workload_retry(R"({"budget": {}})"));
  ASSERT_TRUE(spec.workloads[0].retry->budget.has_value());
  EXPECT_DOUBLE_EQ(spec.workloads[0].retry->budget->ratio, 0.2);
  EXPECT_DOUBLE_EQ(spec.workloads[0].retry->budget->min_per_second, 10.0);
  EXPECT_DOUBLE_EQ(spec.workloads[0].retry->budget->window_s, 10.0);
  EXPECT_EQ(errors(with_workload_retry(
                R"({"budget": {"ratio": -0.1, "min_per_second": "5", "window": "0s"}})")),
            (std::vector<std::string>{
                "/workloads/0/retry/budget/ratio: expected a number >= 0, found -0.1",
                "/workloads/0/retry/budget/min_per_second: expected a number >= 0, found \"5\"",
                "/workloads/0/retry/budget/window: expected a duration > 0, found \"0s\""}));
}

TEST(ModelRetry, OnClosedWorkloadsToo) {
  Json doc = two_services();
  doc["workloads"][0] = Json::parse(R"({"name": "u", "kind": "closed", "target": "api",
      "endpoint": "put", "users": 5, "retry": {"max_attempts": 2}})");
  EXPECT_EQ(load(doc).workloads[0].retry->max_attempts, 2);
}

// ---- Calls: timeout, retry, circuit breaker -------------------------------------------------

TEST(ModelCall, ReadsTimeoutRetryAndBreaker) {
  Json doc = with_call("timeout", "50ms");
  auto& call = doc["services"]["api"]["endpoints"]["get"]["steps"][1];
  call["retry"] = Json::parse(R"({"max_attempts": 2, "backoff": {"kind": "constant"}})");
  call["circuit_breaker"] = Json::parse(R"({"failure_rate": 0.25, "window": "5s",
      "min_requests": 10, "open_for": "1m", "half_open_requests": 2})");
  const Spec spec = load(doc);
  const auto& c = spec.services[0].endpoints[0].steps[1].call;
  EXPECT_DOUBLE_EQ(*c.timeout_s, 0.05);
  EXPECT_EQ(c.retry->max_attempts, 2);
  EXPECT_EQ(c.retry->backoff.kind, BackoffKind::constant);
  EXPECT_EQ(c.retry->on, default_on);
  ASSERT_TRUE(c.circuit_breaker.has_value());
  EXPECT_DOUBLE_EQ(c.circuit_breaker->failure_rate, 0.25);
  EXPECT_DOUBLE_EQ(c.circuit_breaker->window_s, 5.0);
  EXPECT_EQ(c.circuit_breaker->min_requests, 10);
  EXPECT_DOUBLE_EQ(c.circuit_breaker->open_for_s, 60.0);
  EXPECT_EQ(c.circuit_breaker->half_open_requests, 2);
}

TEST(ModelCall, BreakerDefaultsFilled) {
  const Spec spec = load(with_call("circuit_breaker", Json::object()));
  const auto& breaker = *spec.services[0].endpoints[0].steps[1].call.circuit_breaker;
  EXPECT_DOUBLE_EQ(breaker.failure_rate, 0.5);
  EXPECT_DOUBLE_EQ(breaker.window_s, 10.0);
  EXPECT_EQ(breaker.min_requests, 20);
  EXPECT_DOUBLE_EQ(breaker.open_for_s, 30.0);
  EXPECT_EQ(breaker.half_open_requests, 5);
}

TEST(ModelCall, BreakerRanges) {
  EXPECT_EQ(
      errors(with_call("circuit_breaker", Json::parse(R"({"failure_rate": 0,
      "window": "0s", "min_requests": 0, "open_for": -1, "half_open_requests": 1.5})"))),
      (std::vector<std::string>{
          call_at + "/circuit_breaker/failure_rate: expected a failure rate > 0 and <= 1, "
                    "found 0",
          call_at + "/circuit_breaker/window: expected a duration > 0, found \"0s\"",
          call_at + "/circuit_breaker/min_requests: expected an integer from 1 to 2147483647, "
                    "found 0",
          call_at + "/circuit_breaker/open_for: expected a duration > 0, found -1",
          call_at + "/circuit_breaker/half_open_requests: expected an integer from 1 to "
                    "2147483647, found 1.5"}));
  EXPECT_EQ(error(with_call("circuit_breaker", Json::parse(R"({"failure_rate": 1.5})"))),
            call_at +
                "/circuit_breaker/failure_rate: expected a failure rate > 0 and <= 1, "
                "found 1.5");
  EXPECT_EQ(error(with_call("circuit_breaker", Json::parse(R"({"open_fro": "1m"})"))),
            call_at + "/circuit_breaker/open_fro: unknown key; did you mean 'open_for'?");
  EXPECT_EQ(error(with_call("circuit_breaker", true)),
            call_at +
                "/circuit_breaker: expected an object such as {\"failure_rate\": 0.5, "
                "\"window\": \"10s\"}, found true");
}

TEST(ModelCall, TimeoutMustBePositive) {
  EXPECT_EQ(error(with_call("timeout", "0ms")),
            call_at + "/timeout: expected a duration > 0, found \"0ms\"");
  EXPECT_EQ(error(with_call("retry", Json::parse(R"({"max_attempts": 0})"))),
            call_at + "/retry/max_attempts: expected an integer from 1 to 100, found 0");
}

TEST(ModelCall, KeysOnParallelItems) {
  Json doc = two_services();
  doc["services"]["api"]["endpoints"]["put"]["steps"] = Json::parse(R"([{"parallel": [
      {"call": "db", "timeout": "20ms", "retry": {"max_attempts": 4}},
      {"call": "db", "circuit_breaker": {"min_requests": 3}}]}])");
  const Spec spec = load(doc);
  const auto& parallel = spec.services[0].endpoints[1].steps[0].parallel;
  ASSERT_EQ(parallel.size(), 2u);
  EXPECT_DOUBLE_EQ(*parallel[0].timeout_s, 0.02);
  EXPECT_EQ(parallel[0].retry->max_attempts, 4);
  EXPECT_EQ(parallel[1].circuit_breaker->min_requests, 3);
  doc["services"]["api"]["endpoints"]["put"]["steps"][0]["parallel"][1]["timeout"] = -1;
  EXPECT_EQ(error(doc),
            "/services/api/endpoints/put/steps/0/parallel/1/timeout: expected a duration > 0, "
            "found -1");
}

TEST(ModelCall, CallKeysOnlyOnCalls) {
  Json doc = two_services();
  doc["services"]["api"]["endpoints"]["put"]["steps"] = Json::parse(
      R"([{"work": "1ms", "timeout": "1s", "op": "read"},
          {"parallel": [{"call": "db"}], "retry": {}, "circuit_breaker": {}}])");
  EXPECT_EQ(errors(doc),
            (std::vector<std::string>{
                "/services/api/endpoints/put/steps/0/timeout: only for call steps",
                "/services/api/endpoints/put/steps/0/op: only for call steps",
                "/services/api/endpoints/put/steps/1/retry: only for call steps",
                "/services/api/endpoints/put/steps/1/circuit_breaker: only for call steps"}));
}

// ---- Calls: op ------------------------------------------------------------------------------

TEST(ModelCall, OpOnlyOnCallsToADatabase) {
  EXPECT_EQ(error(with_call("op", "read")),
            call_at +
                "/op: expected op only on calls to a database, found a call to 'db' (kind "
                "generic)");
}

TEST(ModelCall, OpReadAndWriteToADatabase) {
  Json doc = with_call("op", "write");
  doc["services"]["db"] = Json::parse(R"({"kind": "database", "work": "2ms"})");
  doc["services"]["api"]["endpoints"]["put"]["steps"].push_back(
      Json::parse(R"({"call": "db", "op": "read"})"));
  doc["services"]["api"]["endpoints"]["put"]["steps"].push_back(Json::parse(R"({"call": "db"})"));
  const Spec spec = load(doc);
  EXPECT_EQ(spec.services[0].endpoints[0].steps[1].call.op, DbOp::write);
  EXPECT_EQ(spec.services[0].endpoints[0].steps[1].call.endpoint, "query");
  EXPECT_EQ(spec.services[0].endpoints[1].steps[1].call.op, DbOp::read);
  EXPECT_EQ(spec.services[0].endpoints[1].steps[2].call.op, DbOp::read);  // the default
  doc["services"]["api"]["endpoints"]["put"]["steps"][1]["op"] = "wirte";
  EXPECT_EQ(error(doc),
            "/services/api/endpoints/put/steps/1/op: expected one of read, write, found "
            "\"wirte\"; did you mean 'write'?");
}

// ---- Services: rate limit, drop_expired, health ---------------------------------------------

TEST(ModelService, RateLimitBurstDefaultsToTheRate) {
  Json doc = two_services();
  doc["services"]["api"]["rate_limit"] = Json::parse(R"({"rate": 1000})");
  doc["services"]["db"]["rate_limit"] = Json::parse(R"({"rate": 0.5})");
  const Spec spec = load(doc);
  ASSERT_EQ(spec.services[0].rate_limits.size(), 1u);
  EXPECT_DOUBLE_EQ(spec.services[0].rate_limits[0].rate, 1000.0);
  EXPECT_DOUBLE_EQ(spec.services[0].rate_limits[0].burst, 1000.0);
  EXPECT_EQ(spec.services[0].rate_limits[0].pointer, "/services/api/rate_limit");
  EXPECT_DOUBLE_EQ(spec.services[1].rate_limits.at(0).burst, 1.0);
  doc["services"]["api"]["rate_limit"]["burst"] = 200;
  EXPECT_DOUBLE_EQ(load(doc).services[0].rate_limits.at(0).burst, 200.0);
  EXPECT_TRUE(load(two_services()).services[0].rate_limits.empty());
}

TEST(ModelService, RateLimitRanges) {
  Json doc = two_services();
  doc["services"]["api"]["rate_limit"] = Json::parse(R"({"burst": 0.5})");
  doc["services"]["db"]["rate_limit"] = Json::parse(R"({"rate": 0, "brust": 3})");
  EXPECT_EQ(errors(doc),
            (std::vector<std::string>{
                "/services/api/rate_limit/rate: missing; expected a rate > 0 requests per second",
                "/services/api/rate_limit/burst: expected a burst >= 1 requests, found 0.5",
                "/services/db/rate_limit/rate: expected a rate > 0 requests per second, found 0",
                "/services/db/rate_limit/brust: unknown key; did you mean 'burst'?"}));
  doc["services"]["api"]["rate_limit"] = 1000;
  doc["services"]["db"].erase("rate_limit");
  EXPECT_EQ(error(doc),
            "/services/api/rate_limit: expected an object such as {\"rate\": 1000, \"burst\": "
            "200}, or an array of them, found 1000");
}

TEST(ModelService, RateLimitArrayStacksLimitsInOrder) {
  Json doc = two_services();
  doc["services"]["api"]["rate_limit"] =
      Json::parse(R"([{"window": "1m", "limit": 100}, {"rate": 50, "burst": 5}])");
  const Spec spec = load(doc);
  ASSERT_EQ(spec.services[0].rate_limits.size(), 2u);
  EXPECT_EQ(spec.services[0].rate_limits[0].kind, capsim::model::RateLimitKind::fixed_window);
  EXPECT_EQ(spec.services[0].rate_limits[0].limit, 100);
  EXPECT_EQ(spec.services[0].rate_limits[0].pointer, "/services/api/rate_limit/0");
  EXPECT_DOUBLE_EQ(spec.services[0].rate_limits[1].rate, 50.0);
  EXPECT_DOUBLE_EQ(spec.services[0].rate_limits[1].burst, 5.0);
  EXPECT_EQ(spec.services[0].rate_limits[1].pointer, "/services/api/rate_limit/1");
  // A one-element array is the same limit as the object alone.
  doc["services"]["api"]["rate_limit"] = Json::parse(R"([{"rate": 1000}])");
  EXPECT_DOUBLE_EQ(load(doc).services[0].rate_limits.at(0).burst, 1000.0);
}

TEST(ModelService, RateLimitArrayErrorsNameTheElement) {
  Json doc = two_services();
  doc["services"]["api"]["rate_limit"] =
      Json::parse(R"([{"rate": 5}, {"window": "0s", "limit": 5}])");
  doc["services"]["db"]["rate_limit"] = Json::parse(R"([{"rate": 5}, 7])");
  EXPECT_EQ(errors(doc),
            (std::vector<std::string>{
                "/services/api/rate_limit/1/window: expected a duration > 0, found \"0s\"",
                "/services/db/rate_limit/1: expected an object such as {\"rate\": 1000, "
                "\"burst\": 200}, found 7"}));
  doc["services"]["db"].erase("rate_limit");
  doc["services"]["api"]["rate_limit"] = Json::array();
  EXPECT_EQ(error(doc), "/services/api/rate_limit: expected an array of 1 to 16 limits, found 0");
}

TEST(ModelService, DropExpired) {
  Json doc = two_services();
  EXPECT_FALSE(load(doc).services[0].drop_expired);
  doc["services"]["api"]["drop_expired"] = true;
  EXPECT_TRUE(load(doc).services[0].drop_expired);
  doc["services"]["api"]["drop_expired"] = "yes";
  EXPECT_EQ(error(doc), "/services/api/drop_expired: expected true or false, found \"yes\"");
}

TEST(ModelService, HealthDefaultsAndValues) {
  Json doc = two_services();
  doc["services"]["api"]["load_balancer"] = Json::parse(R"({"health": {}})");
  doc["services"]["db"]["load_balancer"] =
      Json::parse(R"({"policy": "random", "health": {"max_fails": 3, "fail_timeout": "30s"}})");
  const Spec spec = load(doc);
  ASSERT_TRUE(spec.services[0].load_balancer.health.has_value());
  EXPECT_EQ(spec.services[0].load_balancer.health->max_fails, 1);
  EXPECT_DOUBLE_EQ(spec.services[0].load_balancer.health->fail_timeout_s, 10.0);
  EXPECT_EQ(spec.services[1].load_balancer.policy, capsim::model::LbPolicy::random);
  EXPECT_EQ(spec.services[1].load_balancer.health->max_fails, 3);
  EXPECT_DOUBLE_EQ(spec.services[1].load_balancer.health->fail_timeout_s, 30.0);
  EXPECT_FALSE(load(two_services()).services[0].load_balancer.health.has_value());
}

TEST(ModelService, HealthRanges) {
  Json doc = two_services();
  doc["services"]["api"]["load_balancer"] =
      Json::parse(R"({"health": {"max_fails": 0, "fail_timeout": "0s", "max_fail": 1}})");
  doc["services"]["db"]["load_balancer"] = Json::parse(R"({"health": 3})");
  EXPECT_EQ(errors(doc),
            (std::vector<std::string>{
                "/services/api/load_balancer/health/max_fails: expected an integer from 1 to "
                "100, found 0",
                "/services/api/load_balancer/health/fail_timeout: expected a duration > 0, found "
                "\"0s\"",
                "/services/api/load_balancer/health/max_fail: unknown key; did you mean "
                "'max_fails'?",
                "/services/db/load_balancer/health: expected an object such as {\"max_fails\": 3, "
                "\"fail_timeout\": \"10s\"}, found 3"}));
}

TEST(ModelService, ReportsEveryResilienceErrorAtOnce) {
  Json doc = with_call("timeout", "soon");
  doc["workloads"][0]["retry"] = Json::parse(R"({"max_attempts": 0})");
  doc["services"]["api"]["rate_limit"] = Json::parse(R"({"rate": -1})");
  doc["services"]["db"]["drop_expired"] = 1;
  EXPECT_EQ(errors(doc),
            (std::vector<std::string>{
                "/workloads/0/retry/max_attempts: expected an integer from 1 to 100, found 0",
                "/services/api/endpoints/get/steps/1/timeout: expected a duration such as \"10m\" "
                "or a number of seconds, found \"soon\"",
                "/services/api/rate_limit/rate: expected a rate > 0 requests per second, found -1",
                "/services/db/drop_expired: expected true or false, found 1"}));
}

}  // namespace
