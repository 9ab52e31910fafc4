// Experiment files: parsing, defaults, the points of a sweep, and every kind of bad input
// reported at its JSON Pointer in the experiment file.

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "capsim/model/error.hpp"
#include "capsim/run/experiment.hpp"

namespace {

using capsim::model::ModelError;
using capsim::run::Json;
namespace fs = std::filesystem;
namespace run = capsim::run;

/// A folder holding model.json (one workload `w` at 10/s to a service `api` with 2 replicas).
class ExperimentFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("capsim-experiment-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "model.json") << R"({
      "name": "small",
      "simulation": { "duration": "100s", "warmup": "10s", "replications": 3, "seed": 5 },
      "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
      "services": { "api": { "replicas": 2, "steps": [ { "work": "5ms" }, { "call": "db" } ] },
                    "db": { "steps": [ { "work": "1ms" } ] } },
      "slo": { "latency": { "p99": "100ms" } }
    })";
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  run::Experiment parse(const std::string& text, const run::ExperimentOptions& options = {}) {
    return run::parse_experiment(Json::parse(text), dir_ / "exp.json", options);
  }
  /// Every diagnostic's text, or {} when the experiment is valid.
  std::vector<std::string> errors(const std::string& text) {
    try {
      parse(text);
    } catch (const ModelError& e) {
      std::vector<std::string> out;
      for (const auto& d : e.diagnostics()) out.push_back(d.text());
      return out;
    }
    return {};
  }
  std::string error(const std::string& text) {
    std::string joined;
    for (const std::string& e : errors(text)) joined += (joined.empty() ? "" : "\n") + e;
    return joined;
  }
  fs::path dir_;
};

TEST_F(ExperimentFiles, SweepProductVariesTheFirstParameterSlowest) {
  const run::Experiment e = parse(R"({
    "kind": "sweep", "model": "model.json",
    "parameters": [ { "pointer": "/workloads/0/rate", "values": [10, 20] },
                    { "pointer": "/services/api/replicas", "values": [1, 2, 3] } ],
    "metrics": [ "workloads.w.latency_ms.p99" ] })");
  EXPECT_EQ(e.kind, run::ExperimentKind::sweep);
  ASSERT_EQ(e.points.size(), 6u);
  EXPECT_EQ(e.points[0], (std::vector<std::size_t>{0, 0}));
  EXPECT_EQ(e.points[1], (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(e.points[3], (std::vector<std::size_t>{1, 0}));
  const auto o = e.point_overrides(5);
  ASSERT_EQ(o.size(), 2u);
  EXPECT_EQ(o[0].pointer, "/workloads/0/rate");
  EXPECT_EQ(o[0].value, Json(20));
  EXPECT_EQ(o[1].value, Json(3));
  EXPECT_EQ(o[1].source, "/parameters/1/values/2");
  EXPECT_EQ(e.replications, 3) << "the model's replications by default";
  EXPECT_EQ(e.base.simulation.replications, 3);
  EXPECT_EQ(e.parameters[0].name, "/workloads/0/rate") << "columns are named by pointer";
}

TEST_F(ExperimentFiles, SweepZipPairsValuesAndRangeIsInclusive) {
  const run::Experiment e = parse(R"({
    "kind": "sweep", "model": "model.json", "combine": "zip", "replications": 4,
    "parameters": [ { "name": "rate", "pointer": "/workloads/0/rate",
                      "range": { "from": 0.1, "to": 0.3, "steps": 3 } },
                    { "pointer": "/services/api/replicas", "range": { "from": 1, "to": 5, "steps": 3 } } ] })");
  ASSERT_EQ(e.points.size(), 3u);
  EXPECT_EQ(e.points[2], (std::vector<std::size_t>{2, 2}));
  EXPECT_EQ(e.parameters[0].name, "rate");
  EXPECT_EQ(e.parameters[0].values, (std::vector<Json>{Json(0.1), Json(0.2), Json(0.3)}));
  EXPECT_EQ(Json(e.parameters[1].values).dump(), "[1,3,5]") << "integral values stay integers";
  EXPECT_EQ(e.replications, 4);
  EXPECT_EQ(e.base.simulation.replications, 4);
}

TEST_F(ExperimentFiles, RangeValuesThatRoundToWholeNumbersAreIntegers) {
  // 100 + 1400 x 9/14 is 1000.0000000000001 in doubles: written 1000, not 1000.0.
  const run::Experiment e = parse(R"({
    "kind": "sweep", "model": "model.json",
    "parameters": [ { "pointer": "/workloads/0/rate", "range": { "from": 100, "to": 1500, "steps": 15 } } ] })");
  ASSERT_EQ(e.parameters[0].values.size(), 15u);
  EXPECT_EQ(e.parameters[0].values[9].dump(), "1000");
  for (const Json& v : e.parameters[0].values) EXPECT_TRUE(v.is_number_integer()) << v.dump();
}

TEST_F(ExperimentFiles, DefaultMetricsCoverEveryWorkloadAndService) {
  const run::Experiment e = parse(R"({
    "kind": "sweep", "model": "model.json",
    "parameters": [ { "pointer": "/workloads/0/rate", "values": [10] } ] })");
  std::vector<std::string> names;
  for (const auto& m : e.metrics) names.push_back(m.name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "workloads.w.latency_ms.p50", "workloads.w.latency_ms.p99",
                       "workloads.w.error_rate", "workloads.w.goodput_rps",
                       "services.api.cpu_utilization", "services.db.cpu_utilization"}));
}

TEST_F(ExperimentFiles, CommandLineOptionsChangeEveryPoint) {
  run::ExperimentOptions o;
  o.sets = {"/services/db/cores=4"};
  o.seed = 99;
  o.replications = 7;
  o.duration = "50s";
  const run::Experiment e = parse(R"({
    "kind": "sweep", "model": "model.json", "replications": 3,
    "parameters": [ { "pointer": "/workloads/0/rate", "values": [10] } ] })",
                                  o);
  EXPECT_EQ(e.replications, 7);
  EXPECT_EQ(e.base.simulation.seed, 99u);
  EXPECT_EQ(e.base.simulation.duration_s, 50.0);
  EXPECT_EQ(e.base.services[1].cores, 4);
  // The fingerprint changes with the options (a checkpoint of another run is refused).
  const run::Experiment plain = parse(R"({
    "kind": "sweep", "model": "model.json", "replications": 3,
    "parameters": [ { "pointer": "/workloads/0/rate", "values": [10] } ] })");
  EXPECT_NE(e.fingerprint, plain.fingerprint);
  EXPECT_EQ(plain.fingerprint, parse(R"({
    "kind": "sweep", "model": "model.json", "replications": 3,
    "parameters": [ { "pointer": "/workloads/0/rate", "values": [10] } ] })")
                                   .fingerprint);
}

TEST_F(ExperimentFiles, SizeDefaultsAndTheModelsSlo) {
  const run::Experiment e = parse(R"({ "kind": "size", "model": "model.json",
                                       "services": ["api"], "replications": 5 })");
  EXPECT_EQ(e.services, (std::vector<std::string>{"api"}));
  EXPECT_DOUBLE_EQ(e.confidence, 0.95);
  EXPECT_DOUBLE_EQ(e.base.simulation.confidence, 0.95);
  EXPECT_EQ(e.max_replicas, 500);
  EXPECT_EQ(e.max_replications, 40);
  EXPECT_TRUE(e.at_peak);
  ASSERT_TRUE(e.base.slo.has_value());
  // An slo in the experiment replaces the model's.
  const run::Experiment strict = parse(R"({ "kind": "size", "model": "model.json",
      "services": ["api"], "slo": { "latency": { "p50": "20ms" } } })");
  ASSERT_EQ(strict.base.slo->latency_s.size(), 1u);
  EXPECT_EQ(strict.base.slo->latency_s[0].first, "p50");
}

TEST_F(ExperimentFiles, CompareBaselineDefaultsToTheFirstVariant) {
  const run::Experiment e = parse(R"({ "kind": "compare", "model": "model.json",
      "variants": { "two": [], "three": [ { "pointer": "/services/api/replicas", "value": 3 } ] },
      "metrics": [ "workloads.w.latency_ms.p99", { "name": "services.api.cpu_utilization", "better": "lower" },
                   "workloads.w.goodput_rps" ] })");
  ASSERT_EQ(e.variants.size(), 2u);
  EXPECT_EQ(e.baseline, 0u);
  EXPECT_EQ(e.variants[1].overrides[0].source, "/variants/three/0/value");
  EXPECT_EQ(e.metrics[0].better, run::Better::lower);
  EXPECT_EQ(e.metrics[1].better, run::Better::lower);
  EXPECT_EQ(e.metrics[2].better, run::Better::higher);
  const run::Experiment b =
      parse(R"({ "kind": "compare", "model": "model.json", "baseline": "three",
      "variants": { "two": [], "three": [ { "pointer": "/services/api/replicas", "value": 3 } ] } })");
  EXPECT_EQ(b.baseline, 1u);
}

TEST(ExperimentMetrics, BetterDirectionFollowsTheName) {
  using run::Better;
  EXPECT_EQ(run::default_better("workloads.w.latency_ms.p99"), Better::lower);
  EXPECT_EQ(run::default_better("workloads.w.error_rate"), Better::lower);
  EXPECT_EQ(run::default_better("workloads.w.errors.timeout"), Better::lower);
  EXPECT_EQ(run::default_better("services.api.replica_seconds"), Better::lower);
  EXPECT_EQ(run::default_better("services.api.replicas.mean"), Better::lower);
  EXPECT_EQ(run::default_better("services.api.cost"), Better::lower);
  EXPECT_EQ(run::default_better("services.db.wait_ms.p99"), Better::lower);
  EXPECT_EQ(run::default_better("workloads.w.throughput_rps"), Better::higher);
  EXPECT_EQ(run::default_better("workloads.w.goodput_rps"), Better::higher);
  EXPECT_EQ(run::default_better("services.api.cpu_utilization"), Better::neither);
  EXPECT_EQ(run::default_better("workloads.w.offered_rps"), Better::neither);
}

// ---- Bad input: one message per problem, at its pointer in the experiment file. -------------

TEST_F(ExperimentFiles, KindIsRequiredAndChecked) {
  EXPECT_EQ(error(R"({ "model": "model.json" })"),
            "/kind: missing; expected one of sweep, size, compare");
  EXPECT_EQ(error(R"({ "kind": "swep", "model": "model.json" })"),
            "/kind: expected one of sweep, size, compare, found \"swep\"; did you mean 'sweep'?");
  EXPECT_EQ(error("[1, 2]"),
            R"(expected an experiment object such as { "kind": "sweep", ... }, found [1,2])");
}

TEST_F(ExperimentFiles, UnknownKeysAreRefusedWithASuggestion) {
  EXPECT_EQ(error(R"({ "kind": "sweep", "model": "model.json", "replicatons": 3,
                       "parameters": [ { "pointer": "/workloads/0/rate", "values": [1] } ] })"),
            "/replicatons: unknown key; did you mean 'replications'?");
  EXPECT_EQ(error(R"({ "kind": "sweep", "model": "model.json", "baseline": "x",
                       "parameters": [ { "pointer": "/workloads/0/rate", "values": [1] } ] })"),
            "/baseline: unknown key here: 'baseline' belongs to compare experiments");
}

TEST_F(ExperimentFiles, TheModelMustExistAndBeValid) {
  const std::string missing = error(R"({ "kind": "sweep", "model": "nope.json",
      "parameters": [ { "pointer": "/workloads/0/rate", "values": [1] } ] })");
  EXPECT_EQ(missing.rfind("/model: ", 0), 0u) << missing;
  EXPECT_NE(missing.find("nope.json"), std::string::npos) << missing;
  std::ofstream(dir_ / "bad.json")
      << R"({ "workloads": [ { "name": "w", "target": "apx", "rate": 1 } ],
                                          "services": { "api": { "replcas": 2, "steps": [ { "work": "1ms" } ] } } })";
  const auto list = errors(R"({ "kind": "sweep", "model": "bad.json",
      "parameters": [ { "pointer": "/workloads/0/rate", "values": [1] } ] })");
  ASSERT_EQ(list.size(), 2u) << "one message per problem of the model";
  EXPECT_EQ(list[0], "/model: " + (dir_ / "bad.json").string() +
                         ": /workloads/0/target: expected the name of a service (api), found "
                         "\"apx\"; did you mean 'api'? (" +
                         (dir_ / "bad.json").string() + ": line 1, column 43)");
  EXPECT_EQ(list[1], "/model: " + (dir_ / "bad.json").string() +
                         ": /services/api/replcas: unknown key; did you mean 'replicas'? (" +
                         (dir_ / "bad.json").string() + ": line 2, column 77)");
}

TEST_F(ExperimentFiles, AnOverrideTheModelRefusesIsReportedAtItsValueOrItsPointer) {
  std::ofstream(dir_ / "m.json")
      << R"({ "workloads": [ { "name": "w", "target": "api", "rate": 1 } ],
      "services": { "api": { "steps": [ { "work": "1ms" } ] } } })";
  // A value the model refuses: at the value (the model file's own line holds another one).
  const std::string value = error(R"({ "kind": "sweep", "model": "m.json",
      "overrides": [ { "pointer": "/services/api/replicas", "value": 0 } ],
      "parameters": [ { "pointer": "/workloads/0/rate", "values": [1] } ] })");
  EXPECT_EQ(value.rfind("/overrides/0/value: the model refuses 0: /services/api/replicas: "
                        "expected an integer from 1",
                        0),
            0u)
      << value;
  // A pointer to no place of the model (a misspelt key it created): at the pointer.
  const std::string pointer = error(R"({ "kind": "sweep", "model": "m.json",
      "overrides": [ { "pointer": "/services/api/replcas", "value": 2 } ],
      "parameters": [ { "pointer": "/workloads/0/rate", "values": [1] } ] })");
  EXPECT_EQ(pointer.rfind("/overrides/0/pointer: the model refuses it: /services/api/replcas: "
                          "unknown key; did you mean 'replicas'?",
                          0),
            0u)
      << pointer;
}

TEST_F(ExperimentFiles, TheModelsOwnReplicationsAreCheckedBeforeTheExperimentSetsThem) {
  // -5 and 4294967298 (an int's wrap-around of 2) became 2 replications, silently.
  for (const std::string bad : {"-5", "4294967298", "\"two\""}) {
    std::ofstream(dir_ / "reps.json") << R"({ "simulation": { "replications": )" + bad + R"( },
        "workloads": [ { "name": "w", "target": "api", "rate": 1 } ],
        "services": { "api": { "steps": [ { "work": "1ms" } ] } } })";
    const std::string e = error(R"({ "kind": "sweep", "model": "reps.json",
        "parameters": [ { "pointer": "/workloads/0/rate", "values": [1] } ] })");
    EXPECT_EQ(e, "/model: " + (dir_ / "reps.json").string() +
                     ": /simulation/replications: expected an integer from 1 to 100000, found " +
                     bad)
        << e;
  }
}

TEST_F(ExperimentFiles, ParameterProblemsNameTheirPointer) {
  const auto list = errors(R"({ "kind": "sweep", "model": "model.json",
      "parameters": [ { "pointer": "/services/apx/replicas", "values": [1, 2] },
                      { "pointer": "/services/api/replicas", "values": [2, 0, 3] },
                      { "pointer": "workloads", "values": [1] },
                      { "pointer": "/workloads/0/rate" },
                      { "pointer": "/services/db/cores", "range": { "from": 1, "to": 4 } } ] })");
  ASSERT_EQ(list.size(), 5u) << ::testing::PrintToString(list);
  EXPECT_EQ(list[0],
            "/parameters/0/pointer: cannot apply to the model: /services/apx/replicas: cannot set: "
            "expected '/services/apx' to exist in the model, found nothing there");
  EXPECT_EQ(list[1],
            "/parameters/1/values/1: the model refuses 0: /services/api/replicas: expected an "
            "integer from 1 to 100000, found 0");
  EXPECT_EQ(list[2],
            "/parameters/2/pointer: expected a JSON Pointer such as /workloads/0/rate, found "
            "\"workloads\"");
  EXPECT_EQ(list[3], "/parameters/3/values: missing; expected a list of values (or a \"range\")");
  EXPECT_EQ(list[4],
            "/parameters/4/range/steps: missing; expected the number of values, from 2 to 100000");
}

TEST_F(ExperimentFiles, ZipNeedsListsOfOneLength) {
  EXPECT_EQ(error(R"({ "kind": "sweep", "model": "model.json", "combine": "zip",
      "parameters": [ { "pointer": "/workloads/0/rate", "values": [1, 2] },
                      { "pointer": "/services/api/replicas", "values": [1, 2, 3] } ] })"),
            "/parameters/1: expected 2 values (zip pairs the parameters' values by position), "
            "found 3");
}

TEST_F(ExperimentFiles, UnknownMetricsGetASuggestion) {
  EXPECT_EQ(error(R"({ "kind": "sweep", "model": "model.json",
      "parameters": [ { "pointer": "/workloads/0/rate", "values": [1] } ],
      "metrics": [ "workloads.w.latency_ms.p99", "workloads.w.latency.p99" ] })"),
            "/metrics/1: expected a metric of the model's results such as "
            "workloads.w.latency_ms.p99, found \"workloads.w.latency.p99\"; did you mean "
            "'workloads.w.latency_ms.p99'?");
}

TEST_F(ExperimentFiles, SizeProblems) {
  const auto list = errors(R"({ "kind": "size", "model": "model.json",
      "services": [ "apo", "db", "db" ], "max_replicas": 0, "at": "top",
      "slo": { "latency": { "p98": "1s" } } })");
  ASSERT_EQ(list.size(), 5u) << ::testing::PrintToString(list);
  EXPECT_EQ(list[0],
            "/services/0: expected the name of a service of the model (api, db), found \"apo\"; "
            "did you mean 'api'?");
  EXPECT_EQ(list[1], "/services/2: expected each service once, found \"db\" again");
  EXPECT_EQ(list[2], "/max_replicas: expected an integer from 1 to 100000, found 0");
  EXPECT_EQ(list[3], "/at: expected one of peak, model, found \"top\"");
  EXPECT_EQ(list[4].rfind("/slo/latency/p98: ", 0), 0u) << list[4];
}

TEST_F(ExperimentFiles, CompareProblems) {
  const auto list = errors(R"({ "kind": "compare", "model": "model.json", "baseline": "tow",
      "variants": { "two": [], "big": [ { "pointer": "/services/api/replicas", "value": -1 } ],
                    "odd": [ { "value": 3 } ] } })");
  ASSERT_EQ(list.size(), 3u) << ::testing::PrintToString(list);
  EXPECT_EQ(list[0],
            "/baseline: expected the name of a variant (two, big, odd), found \"tow\"; "
            "did you mean 'two'?");
  EXPECT_EQ(list[1],
            "/variants/big/0/value: the model refuses -1: /services/api/replicas: "
            "expected an integer from 1 to 100000, found -1");
  EXPECT_EQ(list[2],
            "/variants/odd/0/pointer: missing; expected a JSON Pointer such as "
            "/services/api/replicas");
  EXPECT_EQ(error(R"({ "kind": "compare", "model": "model.json", "variants": { "one": [] } })"),
            "/variants: expected an object of at least two variants, each a list of overrides, "
            "found {\"one\":[]}");
}

TEST_F(ExperimentFiles, ReadExperimentResolvesTheModelBesideTheFile) {
  std::ofstream(dir_ / "exp.json") << R"({ "kind": "size", "model": "model.json",
    // comments are allowed, as in models
    "services": ["api"] })";
  const run::Experiment e = run::read_experiment(dir_ / "exp.json");
  EXPECT_EQ(e.name, "exp");
  EXPECT_EQ(e.model_file, dir_ / "model.json");
  EXPECT_EQ(e.base.name, "small");
}

TEST_F(ExperimentFiles, MetricNamesComeFromTheModel) {
  const run::Experiment e =
      parse(R"({ "kind": "size", "model": "model.json", "services": ["api"] })");
  const auto names = run::metric_names(e.base);
  EXPECT_NE(std::find(names.begin(), names.end(), "services.db.cpu_utilization"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "workloads.w.latency_ms.p999"), names.end());
}

}  // namespace
