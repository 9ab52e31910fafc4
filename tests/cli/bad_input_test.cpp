// Bad input (model, override, option): exit status 2, a message naming the JSON Pointer with
// what was expected and what was found, and nothing written.

#include <string>
#include <vector>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

constexpr int kBadInput = 2;

/// The bad-input fixtures (tests/cli/models/*.json), sorted.
std::vector<std::string> fixtures() {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(fixture(""))) {
    if (e.is_regular_file() && e.path().extension() == ".json") {
      files.push_back(e.path().filename().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// Runs `capsim ARGS... -o out.json --csv csv` (run) in a fresh sandbox and checks that it
/// failed with status 2, said why on stderr, and wrote nothing.
RunResult expect_bad_input(std::vector<std::string> args) {
  Sandbox box;
  if (!args.empty() && args[0] == "run") {
    for (const char* a : {"-o", "out.json", "--csv", "csv"}) args.push_back(a);
  }
  const RunResult r = box.run(args);
  EXPECT_EQ(r.status, kBadInput) << r;
  EXPECT_FALSE(r.err.empty()) << r;
  EXPECT_EQ(r.out, "") << "nothing on stdout on bad input" << r;
  EXPECT_TRUE(box.entries().empty()) << "files written on bad input" << r;
  EXPECT_FALSE(fs::exists(box / "out.json")) << r;
  EXPECT_FALSE(fs::exists(box / "csv")) << r;
  return r;
}

/// `capsim run MODEL` with quick options (they are valid) and `extra`.
RunResult expect_bad_run(const fs::path& model, const std::vector<std::string>& extra = {}) {
  return expect_bad_input(quick_run(model, extra));
}

/// `capsim run FIXTURE` as it is (the fixtures are short already).
RunResult expect_bad_fixture(const std::string& file) {
  return expect_bad_input({"run", fixture(file).string()});
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Every fixture is refused by run and by validate, and nothing is written.
class BadFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(BadFixture, RunExitsTwoAndWritesNothing) {
  const RunResult r = expect_bad_fixture(GetParam());
  EXPECT_TRUE(contains(r.err, "capsim: ")) << r;
}

TEST_P(BadFixture, ValidateExitsTwo) {
  const RunResult r = expect_bad_input({"validate", fixture(GetParam()).string()});
  EXPECT_TRUE(contains(r.err, "capsim: ")) << r;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BadFixture, ::testing::ValuesIn(fixtures()),
                         [](const auto& info) { return test_name_of(info.param); });

TEST(BadFixtures, AreThere) {
  EXPECT_GE(fixtures().size(), 10u);
}

// --- The messages, model by model -------------------------------------------------------------

TEST(BadModel, UnknownKeySuggestsTheNearestKey) {
  const RunResult r = expect_bad_fixture("unknown_key.json");
  // The pointer, what was expected and found, and where in the file.
  EXPECT_EQ(r.err, "capsim: /services/api/replcas: unknown key; did you mean 'replicas'? (" +
                       fixture("unknown_key.json").string() + ": line 19, column 18)\n")
      << r;
}

TEST(BadModel, WrongType) {
  const RunResult r = expect_bad_fixture("wrong_type.json");
  EXPECT_TRUE(contains(r.err, "/services/api/replicas: expected an integer")) << r;
  EXPECT_TRUE(contains(r.err, R"(found "two")")) << r;
}

TEST(BadModel, NegativeRate) {
  const RunResult r = expect_bad_fixture("negative_rate.json");
  EXPECT_EQ(r.err,
            "capsim: /workloads/0/rate: expected a rate >= 0 requests per second, found -5 (" +
                fixture("negative_rate.json").string() + ": line 14, column 15)\n")
      << r;
}

TEST(BadModel, ProbabilityAboveOne) {
  const RunResult r = expect_bad_fixture("probability_above_one.json");
  EXPECT_EQ(r.err,
            "capsim: /services/api/steps/1/probability: expected a probability from 0 to 1, "
            "found 1.5 (" +
                fixture("probability_above_one.json").string() + ": line 25, column 26)\n")
      << r;
}

TEST(BadModel, LognormalP99BelowP50) {
  const RunResult r = expect_bad_fixture("lognormal_p99_below_p50.json");
  EXPECT_TRUE(contains(r.err, "/services/api/steps/0/work/p99")) << r;
  EXPECT_TRUE(contains(r.err, "p50")) << r;
  EXPECT_TRUE(contains(r.err, R"(found "5ms")")) << r;
}

TEST(BadModel, WarmupLongerThanDuration) {
  const RunResult r = expect_bad_fixture("warmup_too_long.json");
  EXPECT_EQ(r.err,
            "capsim: /simulation/warmup: expected a warm-up shorter than the duration (60 s), "
            "found 120 s (" +
                fixture("warmup_too_long.json").string() + ": line 6, column 15)\n")
      << r;
}

TEST(BadModel, WarmupLongerThanDurationFromTheCommandLine) {
  // web-peak warms up for 1m: a 30 s run is too short.
  const RunResult r = expect_bad_input(
      {"run", example_model("web-peak.json").string(), "--duration", "30s", "--replications", "1"});
  EXPECT_TRUE(contains(r.err, "/simulation/warmup: expected a warm-up shorter than the duration"))
      << r;
}

TEST(BadModel, CallToAnUnknownService) {
  const RunResult r = expect_bad_fixture("unknown_service.json");
  EXPECT_EQ(r.err,
            "capsim: /services/api/steps/1/call: expected the name of a service (api, db), found "
            "\"dbb\"; did you mean 'db'? (" +
                fixture("unknown_service.json").string() + ": line 24, column 19)\n")
      << r;
}

TEST(BadModel, CallCycle) {
  const RunResult r = expect_bad_fixture("call_cycle.json");
  EXPECT_TRUE(contains(r.err, "/services/a/steps/1/call") ||
              contains(r.err, "/services/b/steps/1/call"))
      << r;
  EXPECT_TRUE(contains(r.err, "cycle")) << r;
  EXPECT_TRUE(contains(r.err, "a.default -> b.default -> a.default") ||
              contains(r.err, "b.default -> a.default -> b.default"))
      << r;
}

TEST(BadModel, InvalidJsonSyntaxNamesLineAndColumn) {
  const fs::path model = fixture("syntax_error.json");
  const RunResult r = expect_bad_fixture("syntax_error.json");
  EXPECT_TRUE(contains(r.err, model.string())) << r;
  EXPECT_TRUE(contains(r.err, "invalid JSON")) << r;
  // The missing comma is at the end of line 5; the parser stops at the next token, on line 6.
  EXPECT_TRUE(contains(r.err, "line 6, column 12")) << r;
}

TEST(BadModel, MissingFile) {
  const RunResult r = expect_bad_input({"run", "no-such-model.json", "--quiet"});
  EXPECT_TRUE(contains(r.err, "no-such-model.json")) << r;
  EXPECT_TRUE(contains(r.err, "No such file")) << r;
}

TEST(BadModel, AutoscalingTargetIsAUtilisation) {
  const RunResult r = expect_bad_fixture("autoscaling.json");
  EXPECT_TRUE(contains(r.err,
                       "/services/api/autoscaling/target: expected a utilisation > 0 and "
                       "<= 1 (0.6 for 60 %), found 60"))
      << r;
}

TEST(BadModel, PodLargerThanItsPoolsNode) {
  // A pod that fits on no node of its pool would be Pending for ever (docs/nodes.md).
  const RunResult r = expect_bad_fixture("pod_too_large.json");
  EXPECT_TRUE(contains(r.err,
                       "/services/api/pod/cores: expected a pod that fits on "
                       "a node of pool 'general' (at most 4 cores), found a request of 8 cores"))
      << r;
}

TEST(BadModel, SeveralErrorsAreReportedAtOnce) {
  const RunResult r = expect_bad_fixture("several_errors.json");
  for (const char* line : {
           "/workloads/0/rate: expected a rate >= 0 requests per second, found -1",
           "/services/api/replcas: unknown key; did you mean 'replicas'?",
           R"(/services/api/cores: expected an integer from 1 to)",
           R"(/services/api/steps/1/call: expected the name of a service (api), found "nope")",
       }) {
    EXPECT_TRUE(contains(r.err, line)) << line << r;
  }
  EXPECT_TRUE(contains(r.err, R"(found "x")")) << r;
  // One heading line, then one line per error.
  EXPECT_EQ(lines_of(r.err).size(), 5u) << r;
}

// --- Overrides and options ---------------------------------------------------------------------

TEST(BadOverride, PointerToNothing) {
  const RunResult r =
      expect_bad_run(example_model("web-peak.json"), {"--set", "/services/nope/replicas=5"});
  EXPECT_TRUE(contains(r.err, "/services/nope/replicas")) << r;
  EXPECT_TRUE(contains(r.err, "expected '/services/nope' to exist in the model")) << r;
}

TEST(BadOverride, UnknownKeyIsRefusedLikeInTheModel) {
  const RunResult r =
      expect_bad_run(example_model("web-peak.json"), {"--set", "/services/api/replcas=5"});
  // About the value given, not the file's line.
  EXPECT_EQ(r.err,
            "capsim: /services/api/replcas: unknown key; did you mean 'replicas'? (given on the "
            "command line: /services/api/replcas=5)\n")
      << r;
}

TEST(BadOverride, NotAPointer) {
  const RunResult r =
      expect_bad_run(example_model("web-peak.json"), {"--set", "services/api/replicas=5"});
  EXPECT_EQ(r.err,
            "capsim: override 'services/api/replicas': expected a JSON Pointer such as "
            "/services/api/replicas\n")
      << r;
}

TEST(BadOverride, BrokenJsonIsASyntaxErrorNotAString) {
  // It was taken as the string "{\"workers\": 2, ..." and refused for its type.
  const RunResult r = expect_bad_run(example_model("web-peak.json"),
                                     {"--set", R"(/services/api={"workers": 2, "steps": [ {})"});
  EXPECT_EQ(r.err,
            "capsim: override '/services/api': invalid JSON at line 1, column 29: syntax error "
            "while parsing array - unexpected end of input; expected ']'\n")
      << r;
  // A bare word is still a string (10m, least_outstanding).
  Sandbox box;
  const RunResult word =
      box.run(quick_run(example_model("web-peak.json"), {"--set", "/services/api/cpu=ps", "-q"}));
  EXPECT_EQ(word.status, 0) << word;
}

TEST(BadOverride, NoEqualsSign) {
  const RunResult r =
      expect_bad_run(example_model("web-peak.json"), {"--set", "/services/api/replicas"});
  EXPECT_EQ(r.err, "capsim: override '/services/api/replicas': expected POINTER=VALUE\n") << r;
}

TEST(BadOverride, ValueOutOfRange) {
  const RunResult r =
      expect_bad_run(example_model("web-peak.json"), {"--set", "/services/api/replicas=-3"});
  EXPECT_TRUE(contains(r.err, "/services/api/replicas: expected an integer")) << r;
  EXPECT_TRUE(contains(r.err, "found -3")) << r;
}

TEST(BadOverride, BareStringThatIsNotAChoice) {
  const RunResult r =
      expect_bad_run(example_model("web-peak.json"), {"--set", "/services/api/cpu=banana"});
  EXPECT_EQ(r.err,
            "capsim: /services/api/cpu: expected one of fcfs, ps, found \"banana\" (given on the "
            "command line: /services/api/cpu=banana)\n")
      << r;
}

TEST(BadOverride, AnAppendedElementIsPlacedOnTheCommandLineNotInTheFile) {
  // "/workloads/-" appends /workloads/1 to mm1.json's one workload: its problems are the
  // override's, not the file's.
  const RunResult r = expect_bad_run(
      example_model("mm1.json"), {"--set", R"(/workloads/-={"name": "x", "target": "server"})"});
  EXPECT_TRUE(contains(r.err,
                       "/workloads/1/rate: missing; expected a rate in requests per "
                       "second, or a profile such as {\"stages\": [...]} (given on the "
                       "command line: /workloads/-={\"name\": \"x\", \"target\": "
                       "\"server\"})"))
      << r;
  EXPECT_FALSE(contains(r.err, "mm1.json: line")) << r;
}

TEST(BadOption, UnknownOption) {
  const RunResult r = expect_bad_run(example_model("web-peak.json"), {"--bogus"});
  EXPECT_TRUE(contains(r.err, "--bogus")) << r;
}

TEST(BadOption, BadDuration) {
  const RunResult r = expect_bad_input(
      {"run", example_model("mm1.json").string(), "--duration", "banana", "--replications", "1"});
  EXPECT_EQ(r.err,
            "capsim: /simulation/duration: expected a duration such as \"10m\" or a number of "
            "seconds, found \"banana\" (given on the command line: "
            "/simulation/duration=\"banana\")\n")
      << r;
}

TEST(BadOption, ZeroReplications) {
  const RunResult r = expect_bad_run(example_model("mm1.json"), {"--replications", "0"});
  EXPECT_TRUE(
      contains(r.err, "/simulation/replications: expected an integer from 1 to 100000, found 0"))
      << r;
}

TEST(BadOption, NegativeThreads) {
  const RunResult r = expect_bad_run(example_model("mm1.json"), {"--threads", "-1"});
  EXPECT_TRUE(contains(r.err, "--threads")) << r;
}

TEST(BadOption, NoCommand) {
  const RunResult r = expect_bad_input({});
  EXPECT_TRUE(contains(r.err, "capsim: expected one of: run, validate, ")) << r;
}

TEST(BadOption, UnknownCommand) {
  expect_bad_input({"frobnicate"});
}

TEST(BadOption, ValidateTakesNoOutput) {
  expect_bad_input({"validate", example_model("web-peak.json").string(), "-o", "out.json"});
}

// --- Existing results are never half-written ----------------------------------------------------

TEST(ExistingResults, LeftUnchangedWhenARunFailsWithBadInput) {
  Sandbox box;
  const std::string old_json = R"({ "old": "results" })"
                               "\n";
  const std::string old_summary = "name,mean,ci_lo,ci_hi\nold,1,1,1\n";
  fs::create_directories(box / "csv");
  write_text(box / "out.json", old_json);
  write_text(box / "csv/summary.csv", old_summary);
  const std::vector<std::string> outputs{"-o", "out.json", "--csv", "csv"};
  const auto with_outputs = [&](std::vector<std::string> args) {
    args.insert(args.end(), outputs.begin(), outputs.end());
    return args;
  };
  const std::vector<std::vector<std::string>> bad_runs = {
      with_outputs({"run", fixture("unknown_key.json").string()}),
      with_outputs({"run", fixture("several_errors.json").string()}),
      with_outputs({"run", fixture("syntax_error.json").string()}),
      with_outputs(quick_run(example_model("web-peak.json"), {"--set", "/services/nope/x=1"})),
      with_outputs(quick_run(example_model("web-peak.json"), {"--set", "/services/api/cpu=x"})),
      with_outputs(quick_run(example_model("web-peak.json"), {"--bogus"})),
      with_outputs({"run", "no-such-model.json"}),
  };
  for (const auto& args : bad_runs) {
    const RunResult r = box.run(args);
    EXPECT_EQ(r.status, kBadInput) << r;
    EXPECT_EQ(read_text(box / "out.json"), old_json) << r;
    EXPECT_EQ(read_text(box / "csv/summary.csv"), old_summary) << r;
    EXPECT_EQ(box.entries(), (std::vector<std::string>{"csv", "out.json"})) << r;
    std::vector<std::string> csv_entries;
    for (const auto& e : fs::directory_iterator(box / "csv")) {
      csv_entries.push_back(e.path().filename().string());
    }
    EXPECT_EQ(csv_entries, std::vector<std::string>{"summary.csv"}) << r;
  }
}

}  // namespace
}  // namespace capsim::cli_test
