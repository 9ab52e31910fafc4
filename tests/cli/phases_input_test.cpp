// `simulation.phases` through the command line: a bad phase is refused by run and validate with
// exit status 2, one message naming the JSON Pointer, and nothing written; a phase past the end
// of a shorter run (--duration) is measured until the run ends, or has null metrics when it
// starts after it, with a warning, so that a model written for a whole load test (and the
// experiments naming its phases' metrics) still runs for a quick look.

#include <string>
#include <vector>

#include "bad_model_check.hpp"

namespace capsim::cli_test {
namespace {

struct BadPhase {
  std::string name;
  std::string phases;   ///< the value of "phases"
  std::string message;  ///< stderr without "capsim: " and the newline
};

void PrintTo(const BadPhase& c, std::ostream* os) {
  *os << c.name;
}

const std::vector<BadPhase>& cases() {
  static const std::vector<BadPhase> list = {
      {"not_a_list", R"({ "name": "spike" })",
       "/simulation/phases: expected a list of phases such as [{\"name\": \"spike\", \"from\": "
       "\"5m\", \"to\": \"7m\"}], found {\"name\":\"spike\"}"},
      {"end_before_start", R"([ { "name": "spike", "from": "5s", "to": "2s" } ])",
       "/simulation/phases/0/to: expected an end after the phase's start (5 s), found 2 s"},
      {"name_twice",
       R"([ { "name": "a", "from": "1s", "to": "2s" }, { "name": "a", "from": "3s", "to": "4s" } ])",
       "/simulation/phases/1/name: expected a name no other phase has, found \"a\" a second time"},
      {"name_with_a_dot", R"([ { "name": "a.b", "from": "1s", "to": "2s" } ])",
       "/simulation/phases/0/name: expected a name of letters, digits, '_' and '-' (it becomes "
       "part of metric names), found \"a.b\""},
      {"missing_to", R"([ { "name": "a", "from": "1s" } ])",
       "/simulation/phases/0/to: missing; expected the phase's end, a time such as \"7m\""},
  };
  return list;
}

std::string model_text(const std::string& phases) {
  return R"({ "simulation": { "duration": "10s", "replications": 1, "seed": 3, "phases": )" +
         phases + R"( },
  "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
  "services": { "api": { "steps": [ { "work": "1ms" } ] } }
}
)";
}

class PhasesInput : public ::testing::TestWithParam<BadPhase> {};

TEST_P(PhasesInput, RefusedWithOneMessageAndNothingWritten) {
  const BadPhase& c = GetParam();
  Sandbox box;
  const fs::path model = box.work().parent_path() / "model.json";
  write_text(model, model_text(c.phases));
  expect_model_refused(box, model, c.message);
}

INSTANTIATE_TEST_SUITE_P(Keys, PhasesInput, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return test_name_of(info.param.name); });

TEST(PhasesOfAShorterRun, AreMeasuredUntilTheEndOrNullWithAWarning) {
  Sandbox box;
  const fs::path model = box.work().parent_path() / "model.json";
  // Written for 10 s: "early" 2-4 s, "late" 6-9 s, "last" 8-10 s; run for 7 s.
  write_text(model, model_text(R"([ { "name": "early", "from": "2s", "to": "4s" },
                                    { "name": "late", "from": "6s", "to": "9s" },
                                    { "name": "last", "from": "8s", "to": "10s" } ])"));
  const RunResult r = box.run({"run", model.string(), "--duration", "7s", "-q", "-o", "r.json"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.err.find("warning: /simulation/phases/1/to: the phase ends after the run's end "
                       "(7 s): measured until then"),
            std::string::npos)
      << r;
  EXPECT_NE(r.err.find("warning: /simulation/phases/2/from: the phase starts at or after the "
                       "run's end (7 s): its metrics are null"),
            std::string::npos)
      << r;
  const Json results = read_json(box / "r.json");
  const Json& phases = results.at("phases");
  // "late" is measured over 6-7 s: a rate over that second (10/s, Poisson), not over 3 s.
  const Json& late = phases.at("late").at("workloads").at("w").at("offered_rps");
  EXPECT_GT(late["mean"].get<double>(), 0.0) << phases.dump();
  // "last" never began: its metrics keep their names, with no value.
  EXPECT_TRUE(phases.at("last").at("workloads").at("w").at("offered_rps")["mean"].is_null())
      << phases.dump();
  EXPECT_TRUE(phases.at("early").at("workloads").at("w").at("error_rate")["mean"].is_number());
  // At its full duration the model runs with no warning at all.
  const RunResult whole = box.run({"run", model.string(), "-q", "-o", "whole.json"});
  ASSERT_EQ(whole.status, 0) << whole;
  EXPECT_EQ(whole.err, "") << whole;
}

}  // namespace
}  // namespace capsim::cli_test
