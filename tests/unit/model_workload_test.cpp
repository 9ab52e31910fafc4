// Loading workloads: targets, endpoints and mixes, open and closed kinds, and the rate
// profiles (stages, diurnal, trace files).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capsim/model/load.hpp"
#include "capsim/model/spec.hpp"
#include "model_test_support.hpp"

namespace {

using capsim::model::Json;
using capsim::model::Spec;
using model_test::error;
using model_test::errors;
using model_test::minimal_model;
using model_test::TempDir;
using model_test::two_services;

// ---- Workloads ------------------------------------------------------------------------------

TEST(ModelLoad, WorkloadTargetSuggestsService) {
  Json doc = two_services();
  doc["workloads"][0]["target"] = "apx";
  EXPECT_EQ(error(doc),
            "/workloads/0/target: expected the name of a service (api, db), found \"apx\"; did "
            "you mean 'api'?");
}

TEST(ModelLoad, WorkloadNeedsNameAndTarget) {
  Json doc = two_services();
  doc["workloads"][0].erase("name");
  doc["workloads"][0].erase("target");
  EXPECT_EQ(errors(doc), (std::vector<std::string>{
                             "/workloads/0/name: missing; expected a name for the workload",
                             "/workloads/0/target: missing; expected the name of a service "
                             "(api, db)"}));
}

TEST(ModelLoad, WorkloadNamesAreUnique) {
  Json doc = two_services();
  doc["workloads"].push_back(doc["workloads"][0]);
  EXPECT_EQ(error(doc),
            "/workloads/1/name: expected a unique workload name, found \"w\" (also used by "
            "/workloads/0)");
}

TEST(ModelLoad, EndpointRequiredWhenTargetHasSeveral) {
  Json doc = two_services();
  doc["workloads"][0].erase("endpoint");
  EXPECT_EQ(error(doc),
            "/workloads/0/endpoint: missing; expected an endpoint of service 'api' (get, put)");
}

TEST(ModelLoad, EndpointSuggestsClosest) {
  Json doc = two_services();
  doc["workloads"][0]["endpoint"] = "gte";
  EXPECT_EQ(error(doc),
            "/workloads/0/endpoint: expected an endpoint of service 'api' (get, put), found "
            "\"gte\"; did you mean 'get'?");
}

TEST(ModelLoad, MixWeightsAreNormalised) {
  Json doc = two_services();
  doc["workloads"][0].erase("endpoint");
  doc["workloads"][0]["mix"] =
      Json::parse(R"([{"endpoint": "get", "weight": 3}, {"endpoint": "put", "weight": 1}])");
  const Spec spec = capsim::model::load(doc, {});
  const auto& mix = spec.workloads[0].mix;
  ASSERT_EQ(mix.size(), 2u);
  EXPECT_EQ(mix[0].endpoint, "get");
  EXPECT_DOUBLE_EQ(mix[0].weight, 0.75);
  EXPECT_EQ(mix[1].endpoint, "put");
  EXPECT_DOUBLE_EQ(mix[1].weight, 0.25);
}

TEST(ModelLoad, EndpointAndMixTogetherAreRefused) {
  Json doc = two_services();
  doc["workloads"][0]["mix"] = Json::parse(R"([{"endpoint": "get", "weight": 1}])");
  EXPECT_EQ(error(doc), "/workloads/0/mix: expected either endpoint or mix, found both");
}

TEST(ModelLoad, AbsurdRate) {
  Json doc = minimal_model();
  doc["workloads"][0]["rate"] = 20000000;
  EXPECT_EQ(error(doc),
            "/workloads/0/rate: expected a rate of at most 10000000 requests per second, found "
            "20000000 (absurdly large rate)");
}

TEST(ModelLoad, KeysOfTheOtherWorkloadKindAreRefused) {
  Json doc = minimal_model();
  doc["workloads"][0]["kind"] = "closed";
  doc["workloads"][0]["users"] = 10;
  EXPECT_EQ(error(doc), "/workloads/0/rate: only for open workloads");
  doc["workloads"][0]["kind"] = "open";
  EXPECT_EQ(error(doc), "/workloads/0/users: only for closed workloads");
}

TEST(ModelLoad, ClosedWorkloadThinkTimeDefaultsToZero) {
  Json doc = minimal_model();
  doc["workloads"][0] = Json::parse(R"({"name": "u", "kind": "closed", "target": "api",
      "users": {"stages": [{"duration": "1m", "target": 50}], "start": 5}})");
  const Spec spec = capsim::model::load(doc, {});
  const auto& w = spec.workloads[0];
  EXPECT_EQ(w.kind, capsim::model::WorkloadKind::closed);
  EXPECT_EQ(w.users.kind, capsim::model::ProfileKind::stages);
  EXPECT_DOUBLE_EQ(w.users.start, 5.0);
  ASSERT_EQ(w.users.stages.size(), 1u);
  EXPECT_DOUBLE_EQ(w.users.stages[0].duration_s, 60.0);
  EXPECT_DOUBLE_EQ(w.users.stages[0].target, 50.0);
  const auto* think = std::get_if<capsim::dist::Constant>(&w.think_time.v);
  ASSERT_NE(think, nullptr);
  EXPECT_DOUBLE_EQ(think->value_s, 0.0);
}

TEST(ModelLoad, ClosedWorkloadNeedsUsers) {
  Json doc = minimal_model();
  doc["workloads"][0] =
      Json::parse(R"({"name": "u", "kind": "closed", "target": "api", "think_time": "1s"})");
  EXPECT_EQ(error(doc),
            "/workloads/0/users: missing; expected a number of users, or a profile such as "
            "{\"stages\": [...]}");
  doc["workloads"][0]["users"] = 2000000;
  EXPECT_EQ(error(doc), "/workloads/0/users: expected an integer from 0 to 1000000, found 2000000");
}

TEST(ModelLoad, RateStages) {
  Json doc = minimal_model();
  doc["workloads"][0]["rate"] = Json::parse(
      R"({"stages": [{"duration": "2m", "target": 500}, {"duration": "0s", "target": 1500}]})");
  const Spec spec = capsim::model::load(doc, {});
  const auto& rate = spec.workloads[0].rate;
  EXPECT_EQ(rate.kind, capsim::model::ProfileKind::stages);
  EXPECT_DOUBLE_EQ(rate.start, 0.0);
  ASSERT_EQ(rate.stages.size(), 2u);
  EXPECT_DOUBLE_EQ(rate.stages[0].duration_s, 120.0);
  EXPECT_DOUBLE_EQ(rate.stages[1].target, 1500.0);
}

TEST(ModelLoad, DiurnalDefaultsAndAmplitude) {
  Json doc = minimal_model();
  doc["workloads"][0]["rate"] = Json::parse(R"({"diurnal": {"mean": 800, "amplitude": 600}})");
  const Spec spec = capsim::model::load(doc, {});
  const auto& rate = spec.workloads[0].rate;
  EXPECT_EQ(rate.kind, capsim::model::ProfileKind::diurnal);
  EXPECT_DOUBLE_EQ(rate.diurnal.mean, 800.0);
  EXPECT_DOUBLE_EQ(rate.diurnal.amplitude, 600.0);
  EXPECT_DOUBLE_EQ(rate.diurnal.period_s, 86400.0);
  EXPECT_DOUBLE_EQ(rate.diurnal.phase_s, 0.0);
  doc["workloads"][0]["rate"]["diurnal"]["amplitude"] = 900;
  EXPECT_EQ(error(doc),
            "/workloads/0/rate/diurnal/amplitude: expected an amplitude <= the mean (800), found "
            "900 (the rate would go negative)");
}

TEST(ModelLoad, OneRateProfileAtATime) {
  Json doc = minimal_model();
  doc["workloads"][0]["rate"] =
      Json::parse(R"({"diurnal": {"mean": 1, "amplitude": 0}, "trace": "r.csv"})");
  EXPECT_EQ(error(doc),
            "/workloads/0/rate: expected one of stages, diurnal or trace, found "
            "diurnal and trace");
}

TEST(ModelLoad, InterarrivalNeedsConstantRate) {
  Json doc = minimal_model();
  doc["workloads"][0]["interarrival"] = Json::parse(R"({"dist": "erlang", "k": 2, "mean": 0.1})");
  const Spec spec = capsim::model::load(doc, {});
  ASSERT_TRUE(spec.workloads[0].interarrival.has_value());
  doc["workloads"][0]["rate"] = Json::parse(R"({"diurnal": {"mean": 1, "amplitude": 0}})");
  EXPECT_EQ(error(doc),
            "/workloads/0/interarrival: only with a constant rate (a number), not a rate profile");
}

// ---- Trace files ----------------------------------------------------------------------------

TEST(ModelLoad, TraceFileParsed) {
  const TempDir dir("trace-ok");
  dir.write("rates.csv", "time_seconds,rate\n0,100\n\n# peak\n60, 250.5\r\n120,0\n");
  Json doc = minimal_model();
  doc["workloads"][0]["rate"] = Json::parse(R"({"trace": "rates.csv"})");
  const Spec spec = capsim::model::load(doc, dir.path());
  const auto& rate = spec.workloads[0].rate;
  EXPECT_EQ(rate.kind, capsim::model::ProfileKind::trace);
  ASSERT_EQ(rate.trace.size(), 3u);
  EXPECT_DOUBLE_EQ(rate.trace[1].time_s, 60.0);
  EXPECT_DOUBLE_EQ(rate.trace[1].value, 250.5);
  EXPECT_DOUBLE_EQ(rate.trace[2].value, 0.0);
}

TEST(ModelLoad, TraceBadRowsReportedWithLineNumbers) {
  const TempDir dir("trace-bad");
  dir.write("rates.csv", "0,100\n60,5\n30,10\n90,-5\n100\n120,abc\n");
  Json doc = minimal_model();
  doc["workloads"][0]["rate"] = Json::parse(R"({"trace": "rates.csv"})");
  EXPECT_EQ(errors(doc, dir.path()),
            (std::vector<std::string>{
                "/workloads/0/rate/trace: rates.csv line 3: expected a time after 60 (line 2), "
                "found 30",
                "/workloads/0/rate/trace: rates.csv line 4: expected a rate >= 0, found -5",
                "/workloads/0/rate/trace: rates.csv line 5: expected time_seconds,rate, found "
                "\"100\"",
                "/workloads/0/rate/trace: rates.csv line 6: expected time_seconds,rate, found "
                "\"120,abc\""}));
}

TEST(ModelLoad, TraceMustStartAtZero) {
  const TempDir dir("trace-start");
  dir.write("rates.csv", "10,100\n");
  Json doc = minimal_model();
  doc["workloads"][0]["rate"] = Json::parse(R"({"trace": "rates.csv"})");
  EXPECT_EQ(error(doc, dir.path()),
            "/workloads/0/rate/trace: rates.csv line 1: expected the first time to be 0, found "
            "10");
}

TEST(ModelLoad, TraceFileMissing) {
  const TempDir dir("trace-missing");
  Json doc = minimal_model();
  doc["workloads"][0]["rate"] = Json::parse(R"({"trace": "nope.csv"})");
  EXPECT_EQ(error(doc, dir.path()), "/workloads/0/rate/trace: cannot read '" +
                                        (dir.path() / "nope.csv").string() +
                                        "': No such file or directory");
}

}  // namespace
