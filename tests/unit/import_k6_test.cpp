// capsim import k6: executors, stages and thresholds mapped as documented; unknown executors
// refused with their pointer.

#include <gtest/gtest.h>

#include "capsim/import/k6.hpp"
#include "capsim/model/error.hpp"

namespace capsim::import {
namespace {

std::string refusal(const char* text) {
  try {
    import_k6(Json::parse(text), "api");
  } catch (const model::ModelError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(ImportK6, ArrivalRateScenariosBecomeOpenWorkloadsPerSecond) {
  const Fragment f = import_k6(Json::parse(R"({"scenarios": {
      "steady": {"executor": "constant-arrival-rate", "rate": 600, "timeUnit": "1m",
                 "duration": "10m", "preAllocatedVUs": 50},
      "peak": {"executor": "ramping-arrival-rate", "startRate": 10, "timeUnit": "1s",
               "startTime": "1m",
               "stages": [{"duration": "1m30s", "target": 200}, {"duration": "30s", "target": 0}]}}})"),
                               "api");
  const Json& w = f.model["workloads"];
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0]["kind"], "open");
  EXPECT_EQ(w[0]["rate"], 10);  // 600 per minute
  // startTime 1m: no traffic for a minute, then a jump to the start rate (it was dropped, and
  // the scenario ran a minute early).
  EXPECT_EQ(w[1]["rate"]["start"], 0);
  EXPECT_EQ(w[1]["rate"]["stages"][0], Json::parse(R"({"duration": "60s", "target": 0})"));
  EXPECT_EQ(w[1]["rate"]["stages"][1], Json::parse(R"({"duration": "0s", "target": 10})"));
  EXPECT_EQ(w[1]["rate"]["stages"][2], Json::parse(R"({"duration": "90s", "target": 200})"));
  // The longest scenario: steady 10 min; peak 1 min + 2 min.
  EXPECT_EQ(f.model["simulation"]["duration"], "600s");
  // peak ends after its 2 minutes of stages (k6 stops it): a last stage to no traffic, which
  // holds to the end of the simulation instead of its last rate.
  ASSERT_EQ(w[1]["rate"]["stages"].size(), 5u);
  EXPECT_EQ(w[1]["rate"]["stages"][4], Json::parse(R"({"duration": "0s", "target": 0})"));
  ASSERT_EQ(f.warnings.size(), 2u);
  EXPECT_EQ(f.warnings[0].rfind("/scenarios/steady/preAllocatedVUs: not modelled", 0), 0u);
  EXPECT_EQ(f.warnings[1].rfind("k6 counts iterations: each arrival", 0), 0u);
}

TEST(ImportK6, AConstantScenarioStartingLaterHoldsNoUsersUntilItsStartTime) {
  const Fragment f = import_k6(Json::parse(R"({"scenarios": {
      "late": {"executor": "constant-vus", "vus": 7, "duration": "2m", "startTime": "30s"}}})"),
                               "api");
  const Json& users = f.model["workloads"][0]["users"];
  EXPECT_EQ(users, Json::parse(R"({"start": 0, "stages": [{"duration": "30s", "target": 0},
                                   {"duration": "0s", "target": 7},
                                   {"duration": "120s", "target": 7}]})"));
  EXPECT_EQ(f.model["simulation"]["duration"], "150s");
}

TEST(ImportK6, StagesShortcutIsRampingVus) {
  const Fragment f =
      import_k6(Json::parse(R"({"vus": 5, "stages": [{"duration": "30s", "target": 20},
                                           {"duration": "1m", "target": 20}]})"),
                "lb");
  const Json& w = f.model["workloads"][0];
  EXPECT_EQ(w["kind"], "closed");
  EXPECT_EQ(w["target"], "lb");
  EXPECT_EQ(w["users"]["start"], 5);
  EXPECT_EQ(w["users"]["stages"][1], Json::parse(R"({"duration": "60s", "target": 20})"));
  EXPECT_EQ(f.model["simulation"]["duration"], "90s");
}

TEST(ImportK6, ThresholdsBecomeTheSlo) {
  const Fragment f = import_k6(Json::parse(R"({"vus": 10, "duration": "5m", "thresholds": {
      "http_req_duration": ["p(95)<500", "med<=120", {"threshold": "p(99.9)<2000"}],
      "http_req_failed": ["rate<0.001"], "checks": ["rate>0.99"]}})"),
                               "api");
  EXPECT_EQ(f.model["slo"]["latency"]["p95"], "0.5s");
  EXPECT_EQ(f.model["slo"]["latency"]["p50"], "0.12s");
  EXPECT_EQ(f.model["slo"]["latency"]["p999"], "2s");
  EXPECT_EQ(f.model["slo"]["error_rate"], 0.001);
  EXPECT_EQ(f.model["workloads"][0]["users"], 10);
  ASSERT_EQ(f.warnings.size(), 3u);
  // VUs without a think time send back to back: the script's sleep() is not in the options.
  EXPECT_EQ(f.warnings[0].rfind("/: no think_time: a script's sleep() is not in its options", 0),
            0u)
      << f.warnings[0];
  EXPECT_EQ(f.warnings[1].rfind("k6 counts iterations", 0), 0u);
  EXPECT_EQ(f.warnings[2].rfind("/thresholds/checks/0: threshold \"rate>0.99\" not modelled", 0),
            0u);
}

TEST(ImportK6, UnknownAndUnmodelledExecutorsRefused) {
  EXPECT_EQ(refusal(R"({"scenarios": {"a": {"executor": "ramping-arival-rate"}}})"),
            "/scenarios/a/executor: expected one of: constant-vus, ramping-vus, "
            "constant-arrival-rate, ramping-arrival-rate, found \"ramping-arival-rate\"; did you "
            "mean 'ramping-arrival-rate'?");
  EXPECT_NE(refusal(R"({"scenarios": {"a": {"executor": "shared-iterations", "iterations": 100}}})")
                .find("/scenarios/a/executor: expected one of"),
            std::string::npos);
  EXPECT_EQ(refusal(R"({"stages": [{"duration": "soon", "target": 3}]})"),
            "/stages/0/duration: expected a k6 duration such as \"30s\" or \"1m30s\", found "
            "\"soon\"");
  EXPECT_EQ(refusal(R"({"iterations": 10})"),
            "/iterations: expected stages, scenarios or a duration: a fixed number of iterations "
            "has no rate or population over time to simulate");
}

TEST(ImportK6, AShortConstantScenarioStopsAtItsEnd) {
  // A 1 minute spike of 500/s beside a 30 minute soak: the spike sends nothing after its
  // minute (it used to hold 500/s for the whole 30 minutes).
  const Fragment f = import_k6(Json::parse(R"({"scenarios": {
      "spike": {"executor": "constant-arrival-rate", "rate": 500, "duration": "1m"},
      "soak": {"executor": "constant-vus", "vus": 10, "duration": "30m"}}})"),
                               "api");
  const Json& w = f.model["workloads"];
  EXPECT_EQ(f.model["simulation"]["duration"], "1800s");
  EXPECT_EQ(w[0]["rate"], Json::parse(R"({"start": 500, "stages": [
      {"duration": "60s", "target": 500}, {"duration": "0s", "target": 0}]})"));
  EXPECT_EQ(w[1]["users"], 10);  // the longest runs to the end as it is
}

TEST(ImportK6, TheStrictestOfSeveralThresholdsHolds) {
  const Fragment f = import_k6(Json::parse(R"({"vus": 1, "duration": "1m", "thresholds": {
      "http_req_duration": ["p(95)<300", "p(95)<500"],
      "http_req_failed": ["rate < 0.05", "rate<0.01"]}})"),
                               "api");
  EXPECT_EQ(f.model["slo"]["latency"]["p95"], "0.3s");
  EXPECT_EQ(f.model["slo"]["error_rate"], 0.01);  // spaces are allowed, as k6 allows them
  ASSERT_EQ(f.warnings.size(), 2u);               // the think time's and the iterations' only
  EXPECT_NE(f.warnings[0].find("no think_time"), std::string::npos);
  EXPECT_EQ(f.warnings[1].rfind("k6 counts iterations", 0), 0u);
}

TEST(ImportK6, IterationsBesideADurationAndOverflowingRatesAreRefused) {
  EXPECT_EQ(refusal(R"({"vus": 5, "duration": "1m", "iterations": 100})"),
            "/iterations: expected no iterations beside vus and duration: k6 runs them as "
            "shared-iterations (a fixed number of iterations, the duration only a limit), which "
            "has no rate or population over time to simulate");
  EXPECT_EQ(refusal(R"({"vus": 2.5, "duration": "1m"})"),
            "/vus: expected a whole number of VUs, found 2.5");
  EXPECT_EQ(refusal(R"({"stages": [{"duration": "1m", "target": 1.5}]})"),
            "/stages/0/target: expected a whole number of VUs, found 1.5");
  EXPECT_EQ(refusal(R"({"scenarios": {"a": {"executor": "constant-arrival-rate", "rate": 1e308,
                                             "timeUnit": "1ns", "duration": "1m"}}})"),
            "/scenarios/a/rate: expected a rate that is a finite number of arrivals per second "
            "over timeUnit, found 1e+308");
}

TEST(ImportK6, ValuesTheModelRefusesAreRefusedAtTheirK6Place) {
  // A ramping rate of 1e308 per ms overflowed: the fragment held "target": null (exit 0).
  EXPECT_EQ(refusal(R"({"scenarios": {"s": {"executor": "ramping-arrival-rate", "timeUnit": "1ms",
                "startRate": 1, "stages": [{"duration": "10s", "target": 1e308}]}}})"),
            "/scenarios/s/stages/0/target: expected a target rate per second of at most "
            "10000000, found 1e+308");
  EXPECT_EQ(refusal(R"({"scenarios": {"s": {"executor": "ramping-arrival-rate", "timeUnit": "1ms",
                "startRate": 1e300, "stages": [{"duration": "10s", "target": 1}]}}})"),
            "/scenarios/s/startRate: expected a start rate per second of at most 10000000, found "
            "1e+300");
  EXPECT_EQ(refusal(R"({"vus": 1e300, "duration": "10s"})"),
            "/vus: expected a number of VUs of at most 1000000, found 1e+300");
  EXPECT_EQ(refusal(R"({"scenarios": {"s": {"executor": "ramping-vus", "startVUs": 1.5,
                "stages": [{"duration": "10s", "target": 2}]}}})"),
            "/scenarios/s/startVUs: expected a whole number of VUs, found 1.5");
  EXPECT_EQ(refusal(R"({"vus": 2, "duration": 1e308})"),
            "/duration: expected a k6 duration of at most a year, found 1e+308");
}

}  // namespace
}  // namespace capsim::import
