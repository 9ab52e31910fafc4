#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "capsim/model/spec.hpp"
#include "model_test_support.hpp"

namespace {

using capsim::model::Json;
using capsim::model::ModelError;
using capsim::model::Spec;
using model_test::error;
using model_test::errors;
using model_test::minimal_model;
using model_test::TempDir;
using model_test::two_services;
namespace fs = std::filesystem;

// ---- Defaults and plain values ----------------------------------------------------------------

TEST(ModelLoad, DefaultsFilled) {
  const Spec spec = capsim::model::load(minimal_model(), {});
  EXPECT_EQ(spec.name, "model");
  EXPECT_EQ(spec.description, "");
  EXPECT_DOUBLE_EQ(spec.simulation.duration_s, 600.0);
  EXPECT_DOUBLE_EQ(spec.simulation.warmup_s, 0.0);
  EXPECT_EQ(spec.simulation.replications, 10);
  EXPECT_EQ(spec.simulation.seed, 1u);
  EXPECT_DOUBLE_EQ(spec.simulation.confidence, 0.95);
  EXPECT_DOUBLE_EQ(spec.simulation.window_s, 10.0);
  EXPECT_EQ(spec.simulation.max_queue, 100000);
  ASSERT_EQ(spec.workloads.size(), 1u);
  const auto& w = spec.workloads[0];
  EXPECT_EQ(w.kind, capsim::model::WorkloadKind::open);
  EXPECT_EQ(w.target, "api");
  ASSERT_EQ(w.mix.size(), 1u);
  EXPECT_EQ(w.mix[0].endpoint, "default");
  EXPECT_DOUBLE_EQ(w.mix[0].weight, 1.0);
  EXPECT_EQ(w.rate.kind, capsim::model::ProfileKind::constant);
  EXPECT_DOUBLE_EQ(w.rate.constant, 10.0);
  EXPECT_FALSE(w.interarrival.has_value());
  EXPECT_FALSE(w.timeout_s.has_value());
  ASSERT_EQ(spec.services.size(), 1u);
  const auto& s = spec.services[0];
  EXPECT_EQ(s.replicas, 1);
  EXPECT_EQ(s.cores, 1);
  EXPECT_EQ(s.workers, 64);
  EXPECT_EQ(s.cpu, capsim::model::CpuDiscipline::fcfs);
  EXPECT_FALSE(s.queue_capacity.has_value());
  EXPECT_EQ(s.load_balancer.policy, capsim::model::LbPolicy::round_robin);
  ASSERT_EQ(s.endpoints.size(), 1u);
  EXPECT_EQ(s.endpoints[0].name, "default");
  ASSERT_EQ(s.endpoints[0].steps.size(), 1u);
  const auto* work = std::get_if<capsim::dist::Constant>(&s.endpoints[0].steps[0].work.v);
  ASSERT_NE(work, nullptr);
  EXPECT_DOUBLE_EQ(work->value_s, 0.005);
  EXPECT_FALSE(spec.slo.has_value());
  EXPECT_TRUE(spec.warnings.empty());
}

TEST(ModelLoad, ReadsEveryValue) {
  Json doc = two_services();
  doc["name"] = "peak";
  doc["description"] = "a test";
  doc["simulation"] = Json::parse(R"({"duration": "1h", "warmup": "5m", "replications": 3,
      "seed": 18446744073709551615, "confidence": 0.99, "window": "30s", "max_queue": 500})");
  doc["services"]["api"]["replicas"] = 3;
  doc["services"]["api"]["cores"] = 2;
  doc["services"]["api"]["cpu"] = "ps";
  doc["services"]["api"]["workers"] = 16;
  doc["services"]["api"]["queue_capacity"] = 0;
  doc["services"]["api"]["load_balancer"] =
      Json::parse(R"({"policy": "weighted_round_robin", "weights": [1, 2.5]})");
  doc["workloads"][0]["timeout"] = "2s";
  doc["slo"] = Json::parse(R"({"latency": {"p99": "200ms", "mean": 0.05}, "error_rate": 0.001})");
  const Spec spec = capsim::model::load(doc, {});
  EXPECT_EQ(spec.name, "peak");
  EXPECT_EQ(spec.description, "a test");
  EXPECT_DOUBLE_EQ(spec.simulation.duration_s, 3600.0);
  EXPECT_DOUBLE_EQ(spec.simulation.warmup_s, 300.0);
  EXPECT_EQ(spec.simulation.replications, 3);
  EXPECT_EQ(spec.simulation.seed, 18446744073709551615ull);
  EXPECT_DOUBLE_EQ(spec.simulation.confidence, 0.99);
  EXPECT_DOUBLE_EQ(spec.simulation.window_s, 30.0);
  EXPECT_EQ(spec.simulation.max_queue, 500);
  const auto& api = spec.services[0];
  EXPECT_EQ(api.replicas, 3);
  EXPECT_EQ(api.cores, 2);
  EXPECT_EQ(api.cpu, capsim::model::CpuDiscipline::ps);
  EXPECT_EQ(api.workers, 16);
  EXPECT_EQ(api.queue_capacity, 0);
  EXPECT_EQ(api.load_balancer.policy, capsim::model::LbPolicy::weighted_round_robin);
  EXPECT_EQ(api.load_balancer.weights, (std::vector<double>{1.0, 2.5}));
  EXPECT_DOUBLE_EQ(*spec.workloads[0].timeout_s, 2.0);
  ASSERT_TRUE(spec.slo.has_value());
  ASSERT_EQ(spec.slo->latency_s.size(), 2u);
  EXPECT_EQ(spec.slo->latency_s[0].first, "p99");
  EXPECT_DOUBLE_EQ(spec.slo->latency_s[0].second, 0.2);
  EXPECT_EQ(spec.slo->latency_s[1].first, "mean");
  EXPECT_DOUBLE_EQ(*spec.slo->error_rate, 0.001);
  EXPECT_EQ(spec.service_index("db"), 1u);
  EXPECT_FALSE(spec.service_index("cache").has_value());
}

TEST(ModelLoad, SetsPointers) {
  const Spec spec = capsim::model::load(two_services(), {});
  EXPECT_EQ(spec.workloads[0].pointer, "/workloads/0");
  const auto& api = spec.services[0];
  EXPECT_EQ(api.pointer, "/services/api");
  EXPECT_EQ(api.endpoints[0].pointer, "/services/api/endpoints/get");
  EXPECT_EQ(api.endpoints[0].steps[1].pointer, "/services/api/endpoints/get/steps/1");
  EXPECT_EQ(api.endpoints[0].steps[1].call.pointer, "/services/api/endpoints/get/steps/1");
  EXPECT_EQ(api.endpoints[0].steps[1].call.service, "db");
  EXPECT_EQ(api.endpoints[0].steps[1].call.endpoint, "default");
  EXPECT_EQ(spec.services[1].endpoints[0].pointer, "/services/db");
  EXPECT_EQ(spec.services[1].endpoints[0].steps[0].pointer, "/services/db/steps/0");
}

TEST(ModelLoad, EscapesPointerTokens) {
  Json doc = minimal_model();
  doc["a/b~c"] = 1;
  EXPECT_EQ(error(doc),
            "/a~1b~0c: unknown key; expected one of: name, description, simulation, "
            "workloads, services, faults, slo, nodes");
}

TEST(ModelLoad, RefusesADocumentThatIsNotAnObject) {
  EXPECT_EQ(error(Json::parse("[1, 2]")), "expected a model: a JSON object, found [1,2]");
}

TEST(ModelLoad, RequiresWorkloadsAndServices) {
  EXPECT_EQ(errors(Json::object()),
            (std::vector<std::string>{"/services: missing; expected an object of services by name",
                                      "/workloads: missing; expected an array of workloads"}));
}

// ---- Messages -------------------------------------------------------------------------------

TEST(ModelLoad, ReplicasBelowOne) {
  Json doc = minimal_model();
  doc["services"]["api"]["replicas"] = -3;
  EXPECT_EQ(error(doc), "/services/api/replicas: expected an integer from 1 to 100000, found -3");
  doc["services"]["api"]["replicas"] = 200000;
  EXPECT_EQ(error(doc),
            "/services/api/replicas: expected an integer from 1 to 100000, found 200000");
  doc["services"]["api"]["replicas"] = "3";
  EXPECT_EQ(error(doc),
            "/services/api/replicas: expected an integer from 1 to 100000, found \"3\"");
}

TEST(ModelLoad, DurationInWords) {
  Json doc = minimal_model();
  doc["simulation"] = Json::parse(R"({"duration": "10 minutes"})");
  EXPECT_EQ(error(doc),
            "/simulation/duration: expected a duration such as \"10m\" or a number of seconds, "
            "found \"10 minutes\"");
}

TEST(ModelLoad, NegativeAndZeroDurations) {
  Json doc = minimal_model();
  doc["simulation"] = Json::parse(R"({"warmup": "-1s", "window": "0s"})");
  EXPECT_EQ(errors(doc), (std::vector<std::string>{
                             "/simulation/warmup: expected a duration >= 0, found \"-1s\"",
                             "/simulation/window: expected a duration > 0, found \"0s\""}));
}

TEST(ModelLoad, WarmupMustBeShorterThanDuration) {
  Json doc = minimal_model();
  doc["simulation"] = Json::parse(R"({"duration": "10m", "warmup": 700})");
  EXPECT_EQ(error(doc),
            "/simulation/warmup: expected a warm-up shorter than the duration (600 s), found "
            "700 s");
}

TEST(ModelLoad, SimulationRanges) {
  Json doc = minimal_model();
  doc["simulation"] =
      Json::parse(R"({"replications": 0, "seed": -1, "confidence": 0.3, "max_queue": 0})");
  EXPECT_EQ(errors(doc),
            (std::vector<std::string>{
                "/simulation/replications: expected an integer from 1 to 100000, found 0",
                "/simulation/seed: expected a non-negative integer, found -1",
                "/simulation/confidence: expected a confidence level from 0.5 to 0.999, found 0.3",
                "/simulation/max_queue: expected an integer >= 1, found 0"}));
}

TEST(ModelLoad, UnknownKeySuggestsClosest) {
  Json doc = minimal_model();
  doc["services"]["api"]["replcas"] = 3;
  EXPECT_EQ(error(doc), "/services/api/replcas: unknown key; did you mean 'replicas'?");
}

TEST(ModelLoad, UnknownKeySuggestsTransposition) {
  Json doc = minimal_model();
  doc["simulation"] = Json::parse(R"({"wramup": "1m"})");
  EXPECT_EQ(error(doc), "/simulation/wramup: unknown key; did you mean 'warmup'?");
}

TEST(ModelLoad, UnknownKeyListsAllowedKeysWhenNoneIsClose) {
  Json doc = minimal_model();
  doc["simulation"] = Json::parse(R"({"colour": "blue"})");
  EXPECT_EQ(error(doc),
            "/simulation/colour: unknown key; expected one of: duration, warmup, replications, "
            "seed, confidence, window, max_queue, phases, per_endpoint");
}

TEST(ModelLoad, ReportsEveryErrorInDocumentOrder) {
  const Json doc = Json::parse(R"({
    "simulation": { "duration": "10 minutes", "replications": 0 },
    "services": {
      "api": { "replicas": 0, "cpu": "fifo", "steps": [ { "work": "-2ms" } ] },
      "db": { "steps": [ { "call": "dbb" } ] }
    },
    "workloads": [ { "name": "w", "target": "apx", "rate": -1 } ]
  })");
  EXPECT_EQ(
      errors(doc),
      (std::vector<std::string>{
          "/simulation/duration: expected a duration such as \"10m\" or a number of seconds, "
          "found \"10 minutes\"",
          "/simulation/replications: expected an integer from 1 to 100000, found 0",
          "/services/api/replicas: expected an integer from 1 to 100000, found 0",
          "/services/api/cpu: expected one of fcfs, ps, found \"fifo\"; did you mean 'fcfs'?",
          "/services/api/steps/0/work: expected a duration >= 0, found \"-2ms\"",
          "/services/db/steps/0/call: expected the name of a service (api, db), found \"dbb\"; "
          "did you mean 'db'?",
          "/workloads/0/target: expected the name of a service (api, db), found \"apx\"; did "
          "you mean 'api'?",
          "/workloads/0/rate: expected a rate >= 0 requests per second, found -1"}));
}

TEST(ModelLoad, ChoiceSuggestsClosestName) {
  Json doc = minimal_model();
  doc["services"]["api"]["load_balancer"] = Json::parse(R"({"policy": "least_outstandign"})");
  EXPECT_EQ(error(doc),
            "/services/api/load_balancer/policy: expected one of round_robin, random, "
            "least_outstanding, power_of_two, weighted_round_robin, client_hash, found "
            "\"least_outstandign\"; "
            "did you mean 'least_outstanding'?");
}

TEST(ModelLoad, LongValuesAreCutInMessages) {
  Json doc = minimal_model();
  doc["services"]["api"]["replicas"] =
      Json::parse(R"({"a": "0123456789", "b": "0123456789", "c": 1})");
  EXPECT_EQ(error(doc),
            "/services/api/replicas: expected an integer from 1 to 100000, found "
            "{\"a\":\"0123456789\",\"b\":\"0123456789\",\"c...");
}

TEST(ModelLoad, ServiceNamesAreChecked) {
  Json doc = minimal_model();
  doc["services"]["a b"] = Json::parse(R"({"steps": [{"work": 0}]})");
  EXPECT_EQ(error(doc),
            "/services/a b: expected a service name of letters, digits, '_', '.' and '-', found "
            "\"a b\"");
}

// ---- Services and steps ---------------------------------------------------------------------

TEST(ModelLoad, EndpointsAndStepsTogetherAreRefused) {
  Json doc = two_services();
  doc["services"]["api"]["steps"] = Json::parse(R"([{"work": 1}])");
  EXPECT_EQ(error(doc), "/services/api/steps: expected either endpoints or steps, found both");
}

TEST(ModelLoad, ServiceNeedsSteps) {
  Json doc = minimal_model();
  doc["services"]["api"] = Json::object();
  EXPECT_EQ(error(doc),
            "/services/api/endpoints: missing; expected endpoints (an object of endpoints by "
            "name) or steps");
  doc["services"]["api"]["steps"] = Json::array();
  EXPECT_EQ(error(doc), "/services/api/steps: expected at least one step, found []");
}

TEST(ModelLoad, StepMixingKindsIsRefused) {
  Json doc = minimal_model();
  doc["services"]["api"]["steps"] = Json::parse(R"([{"work": "1ms", "call": "api"}])");
  EXPECT_EQ(
      error(doc),
      "/services/api/steps/0: expected exactly one of work, delay, call or parallel, found work "
      "and call");
}

TEST(ModelLoad, StepWithoutKindIsRefused) {
  Json doc = minimal_model();
  doc["services"]["api"]["steps"] = Json::parse(R"([{"count": 2}])");
  EXPECT_EQ(error(doc),
            "/services/api/steps/0: expected a step: an object with one of work, delay, call or "
            "parallel, found {\"count\":2}");
}

TEST(ModelLoad, CallKeysOnWorkStep) {
  Json doc = minimal_model();
  doc["services"]["api"]["steps"] = Json::parse(R"([{"work": "1ms", "probability": 0.5}])");
  EXPECT_EQ(error(doc), "/services/api/steps/0/probability: only for call steps");
}

TEST(ModelLoad, CallToUnknownEndpointSuggests) {
  Json doc = two_services();
  doc["services"]["db"]["steps"] = Json::parse(R"([{"call": "api", "endpoint": "pt"}])");
  EXPECT_EQ(error(doc),
            "/services/db/steps/0/endpoint: expected an endpoint of service 'api' (get, put), "
            "found \"pt\"; did you mean 'put'?");
}

TEST(ModelLoad, CallWithoutEndpointToServiceWithSeveral) {
  Json doc = two_services();
  doc["services"]["db"]["steps"] = Json::parse(R"([{"call": "api"}])");
  EXPECT_EQ(error(doc),
            "/services/db/steps/0/endpoint: missing; expected an endpoint of service 'api' "
            "(get, put)");
}

TEST(ModelLoad, CallCountAndProbability) {
  Json doc = two_services();
  doc["services"]["api"]["endpoints"]["put"]["steps"] = Json::parse(R"([
      {"call": "db", "count": 3, "probability": 0.25},
      {"call": "db", "count": {"dist": "uniform", "min": 1, "max": 5}},
      {"parallel": [{"call": "db"}, {"call": "db", "probability": 0.3}]}])");
  const Spec spec = capsim::model::load(doc, {});
  const auto& steps = spec.services[0].endpoints[1].steps;
  ASSERT_EQ(steps.size(), 3u);
  const auto* three = std::get_if<capsim::dist::Constant>(&steps[0].call.count->v);
  ASSERT_NE(three, nullptr);
  EXPECT_DOUBLE_EQ(three->value_s, 3.0);
  EXPECT_DOUBLE_EQ(steps[0].call.probability, 0.25);
  const auto* uniform = std::get_if<capsim::dist::Uniform>(&steps[1].call.count->v);
  ASSERT_NE(uniform, nullptr);
  EXPECT_DOUBLE_EQ(uniform->max_s, 5.0);
  EXPECT_EQ(steps[2].kind, capsim::model::StepKind::parallel);
  ASSERT_EQ(steps[2].parallel.size(), 2u);
  EXPECT_EQ(steps[2].parallel[1].pointer, "/services/api/endpoints/put/steps/2/parallel/1");
  EXPECT_DOUBLE_EQ(steps[2].parallel[1].probability, 0.3);
}

TEST(ModelLoad, CallCountRefusesDurations) {
  Json doc = two_services();
  doc["services"]["api"]["endpoints"]["put"]["steps"] = Json::parse(R"([
      {"call": "db", "count": -1},
      {"call": "db", "count": {"dist": "constant", "value": "3s"}}])");
  EXPECT_EQ(errors(doc),
            (std::vector<std::string>{
                "/services/api/endpoints/put/steps/0/count: expected an integer from 0 to 1000000, "
                "found -1",
                "/services/api/endpoints/put/steps/1/count/value: expected a number >= 0, found "
                "\"3s\""}));
}

TEST(ModelLoad, ParallelHoldsOnlyCalls) {
  Json doc = minimal_model();
  doc["services"]["api"]["steps"] = Json::parse(R"([{"parallel": [{"work": "1ms"}]}])");
  EXPECT_EQ(error(doc),
            "/services/api/steps/0/parallel/0: expected a call step such as {\"call\": \"db\"}, "
            "found {\"work\":\"1ms\"}");
}

TEST(ModelLoad, WeightsOnlyWithWeightedRoundRobin) {
  Json doc = minimal_model();
  doc["services"]["api"]["load_balancer"] = Json::parse(R"({"weights": [1, 2]})");
  EXPECT_EQ(error(doc),
            "/services/api/load_balancer/weights: only with policy weighted_round_robin");
}

TEST(ModelLoad, SloLimitsChecked) {
  Json doc = minimal_model();
  doc["slo"] = Json::parse(R"({"latency": {"p99": "0s", "P99": "1s"}, "error_rate": 2})");
  EXPECT_EQ(errors(doc), (std::vector<std::string>{
                             "/slo/latency/p99: expected a duration > 0, found \"0s\"",
                             "/slo/latency/P99: unknown key; did you mean 'p99'?",
                             "/slo/error_rate: expected a fraction from 0 to 1, found 2"}));
}

// ---- Call cycles ----------------------------------------------------------------------------

TEST(ModelLoad, CallCycleDetected) {
  const Json doc = Json::parse(R"({
    "workloads": [ { "name": "w", "target": "a", "endpoint": "x", "rate": 1 } ],
    "services": {
      "a": { "endpoints": { "x": { "steps": [ { "work": "1ms" }, { "call": "b", "endpoint": "y" } ] },
                            "z": { "steps": [ { "work": "1ms" } ] } } },
      "b": { "endpoints": { "y": { "steps": [ { "call": "a", "endpoint": "x" } ] } } }
    }
  })");
  EXPECT_EQ(error(doc),
            "/services/a/endpoints/x/steps/1/call: expected calls that never lead back to their "
            "caller, found a call cycle: a.x -> b.y -> a.x");
}

TEST(ModelLoad, SelfCallIsACycle) {
  Json doc = minimal_model();
  doc["services"]["api"]["steps"] = Json::parse(R"([{"parallel": [{"call": "api"}]}])");
  EXPECT_EQ(error(doc),
            "/services/api/steps/0/parallel/0/call: expected calls that never lead back to their "
            "caller, found a call cycle: api.default -> api.default");
}

TEST(ModelLoad, CallingAnotherEndpointOfTheSameServiceIsNotACycle) {
  Json doc = two_services();
  doc["services"]["api"]["endpoints"]["get"]["steps"].push_back(
      Json::parse(R"({"call": "api", "endpoint": "put"})"));
  EXPECT_NO_THROW(capsim::model::load(doc, {}));
}

TEST(ModelLoad, AMessageLoopThroughAQueueIsAWarning) {
  // A consumer that publishes back to its own queue, through another service: legal (a message
  // requeued with some probability), but its backlog grows without bound when one or more come
  // back per message. The call cycle check does not see it (the consumer pulls; nobody calls it).
  const Json doc = Json::parse(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 1 } ],
    "services": {
      "api": { "steps": [ { "call": "jobs" } ] },
      "jobs": { "kind": "queue", "consumer": "worker" },
      "worker": { "steps": [ { "work": "1ms" }, { "call": "enricher" } ] },
      "enricher": { "steps": [ { "call": "jobs", "probability": 0.2 } ] }
    }
  })");
  const capsim::model::Spec spec = capsim::model::load(doc, {});
  ASSERT_EQ(spec.warnings.size(), 1u);
  EXPECT_EQ(spec.warnings[0].text(),
            "/services/enricher/steps/0/call: a message loop: jobs.default -> worker.default -> "
            "enricher.default -> jobs.default: each message may publish another to the same "
            "queue; its backlog stays bounded only while fewer than one comes back per message on "
            "average");
}

TEST(ModelLoad, DropExpiredThatCannotDropIsAWarning) {
  // 64 workers on 1 core and only CPU work: nothing waits for a worker, so nothing is dropped.
  Json doc = minimal_model();
  doc["services"]["api"]["drop_expired"] = true;
  capsim::model::Spec spec = capsim::model::load(doc, {});
  ASSERT_EQ(spec.warnings.size(), 1u);
  EXPECT_EQ(spec.warnings[0].pointer, "/services/api/drop_expired");
  // As many workers as cores: requests queue for a worker, where the deadline is checked.
  doc["services"]["api"]["workers"] = 1;
  EXPECT_TRUE(capsim::model::load(doc, {}).warnings.empty());
  // A service that holds its workers through a delay can run out of them: no warning.
  doc["services"]["api"]["workers"] = 64;
  doc["services"]["api"]["steps"].push_back(Json::parse(R"({"delay": "50ms"})"));
  EXPECT_TRUE(capsim::model::load(doc, {}).warnings.empty());
}

TEST(ModelLoad, ACallCycleBehindAQueueIsStillAnError) {
  // The queue's loop is found only once no call cycle is left: the call cycle is the error.
  const Json doc = Json::parse(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 1 } ],
    "services": {
      "api": { "steps": [ { "call": "jobs" }, { "call": "b" } ] },
      "jobs": { "kind": "queue", "consumer": "b" },
      "b": { "steps": [ { "call": "api", "probability": 0.1 } ] }
    }
  })");
  EXPECT_EQ(error(doc),
            "/services/api/steps/1/call: expected calls that never lead back to their caller, "
            "found a call cycle: api.default -> b.default -> api.default");
}

// ---- Features by service kind ----------------------------------------------------------------

TEST(ModelLoad, AutoscalingIsNotForDatabases) {
  Json doc = two_services();
  doc["services"]["pg"] = Json::parse(
      R"({"kind": "database", "work": "2ms", "startup_time": "1m",
          "autoscaling": {"kind": "hpa", "max": 3}})");
  const std::string only = ": only for services of kind generic or cache";
  // (startup_time is a database's too: its pods start up where they move, docs/nodes.md.)
  EXPECT_EQ(errors(doc), (std::vector<std::string>{"/services/pg/autoscaling" + only}));
}

TEST(ModelLoad, AutoscalingFalseMeansNone) {
  Json doc = minimal_model();
  doc["services"]["api"]["autoscaling"] = false;
  const Spec spec = capsim::model::load(doc, {});
  EXPECT_FALSE(spec.services[0].autoscaling.has_value());
}

TEST(ModelLoad, UnknownKeySuggestsAutoscaling) {
  Json doc = minimal_model();
  doc["services"]["api"]["autoscalling"] = 1;
  EXPECT_EQ(error(doc), "/services/api/autoscalling: unknown key; did you mean 'autoscaling'?");
}

// ---- Files and overrides --------------------------------------------------------------------

TEST(ModelJson, BadJsonGivesLineAndColumn) {
  const TempDir dir("bad-json");
  const fs::path file = dir.write("x.json", "{\n  \"a\": 1,\n  \"b\" 2\n}\n");
  try {
    capsim::model::read_json_file(file);
    FAIL() << "no error";
  } catch (const ModelError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].pointer, "");
    EXPECT_EQ(e.what(), file.string() +
                            ": invalid JSON at line 3, column 7: syntax error while parsing "
                            "object separator - unexpected number literal; expected ':'");
  }
}

TEST(ModelJson, UnreadableFile) {
  try {
    capsim::model::read_json_file("models/does-not-exist.json");
    FAIL() << "no error";
  } catch (const ModelError& e) {
    EXPECT_STREQ(e.what(), "cannot read 'models/does-not-exist.json': No such file or directory");
  }
}

TEST(ModelJson, CommentsAreAllowed) {
  const TempDir dir("comments");
  const fs::path file = dir.write("x.json", "{ // a comment\n \"cpu\": \"ps\" /* or fcfs */ }");
  EXPECT_EQ(capsim::model::read_json_file(file)["cpu"], "ps");
}

TEST(ModelJson, LoadFileNamesTheModelAfterTheFileAndAppliesOverrides) {
  const TempDir dir("load-file");
  dir.write("rates.csv", "0,5\n");
  Json doc = minimal_model();
  doc["workloads"][0]["rate"] = Json::parse(R"({"trace": "rates.csv"})");
  const fs::path file = dir.write("web-peak.json", doc.dump());
  const Spec spec = capsim::model::load_file(file, {"/services/api/replicas=5", "/simulation={}"});
  EXPECT_EQ(spec.name, "web-peak");
  EXPECT_EQ(spec.services[0].replicas, 5);
  EXPECT_EQ(spec.workloads[0].rate.trace.size(), 1u);
}

TEST(ModelJson, LoadFileReportsEveryBadOverride) {
  const TempDir dir("load-file-overrides");
  const fs::path file = dir.write("m.json", minimal_model().dump());
  try {
    capsim::model::load_file(file, {"abc", "/x/y=1"});
    FAIL() << "no error";
  } catch (const ModelError& e) {
    EXPECT_STREQ(e.what(),
                 "override 'abc': expected POINTER=VALUE\n/x/y: cannot set: expected '/x' to exist "
                 "in the model, found nothing there");
  }
}

TEST(ModelOverride, SetsAValue) {
  Json doc = minimal_model();
  capsim::model::apply_override(doc, "/services/api/replicas=5");
  EXPECT_EQ(doc["services"]["api"]["replicas"], 5);
  capsim::model::apply_override(doc, "/workloads/0/rate={\"diurnal\": {\"mean\": 3}}");
  EXPECT_EQ(doc["workloads"][0]["rate"]["diurnal"]["mean"], 3);
  capsim::model::apply_override(doc, "/workloads/0/rate=7");
  EXPECT_EQ(doc["workloads"][0]["rate"], 7);
}

TEST(ModelOverride, BareStringFallback) {
  Json doc = minimal_model();
  capsim::model::apply_override(doc, "/simulation=x");
  EXPECT_EQ(doc["simulation"], "x");
  capsim::model::apply_override(doc, "/name=a=b");
  EXPECT_EQ(doc["name"], "a=b");
  capsim::model::apply_override(doc, "/description=");
  EXPECT_EQ(doc["description"], "");
  capsim::model::apply_override(doc, "/services/api/steps/0/work=10ms");
  EXPECT_EQ(doc["services"]["api"]["steps"][0]["work"], "10ms");
}

TEST(ModelOverride, AppendsToArrays) {
  Json doc = minimal_model();
  capsim::model::apply_override(doc, "/services/api/steps/-={\"work\": 1}");
  capsim::model::apply_override(doc, "/services/api/steps/2={\"work\": 2}");
  ASSERT_EQ(doc["services"]["api"]["steps"].size(), 3u);
  EXPECT_EQ(doc["services"]["api"]["steps"][2]["work"], 2);
}

TEST(ModelOverride, EscapedTokens) {
  Json doc = Json::object();
  capsim::model::apply_override(doc, "/a~1b~0c=1");
  EXPECT_EQ(doc["a/b~c"], 1);
}

TEST(ModelOverride, MissingParent) {
  Json doc = two_services();
  try {
    capsim::model::apply_override(doc, "/services/apx/replicas=3");
    FAIL() << "no error";
  } catch (const ModelError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].pointer, "/services/apx/replicas");
    EXPECT_STREQ(e.what(),
                 "/services/apx/replicas: cannot set: expected '/services/apx' to exist in the "
                 "model, found nothing there");
  }
}

TEST(ModelOverride, BadAssignments) {
  Json doc = minimal_model();
  const auto message = [&doc](const std::string& assignment) {
    try {
      capsim::model::apply_override(doc, assignment);
    } catch (const ModelError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("abc"), "override 'abc': expected POINTER=VALUE");
  EXPECT_EQ(message("services/api=1"),
            "override 'services/api': expected a JSON Pointer such as /services/api/replicas");
  EXPECT_EQ(message("/a~2=1"),
            "override '/a~2': expected a JSON Pointer such as /services/api/replicas");
  EXPECT_EQ(message("/workloads/5=1"),
            "/workloads/5: cannot set: index 5 is past the end of '/workloads' (1 elements)");
  EXPECT_EQ(message("/workloads/01=1"),
            "/workloads/01: cannot set: expected an array index or '-' after '/workloads', found "
            "'01'");
  EXPECT_EQ(message("/workloads/0/rate/x=1"),
            "/workloads/0/rate/x: cannot set: expected '/workloads/0/rate' to be an object or an "
            "array, found 10");
  EXPECT_EQ(message("/workloads/9/rate=1"),
            "/workloads/9/rate: cannot set: expected '/workloads/9' to exist in the model, found "
            "nothing there");
}

}  // namespace
