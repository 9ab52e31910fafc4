// capsim size, compare and analyze end to end, and every experiment shipped in experiments/
// run quickly (short simulated time) so that none of them rots.

#include <string>
#include <vector>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

constexpr int kBadInput = 2;

void write_model(Sandbox& box) {
  write_text(box / "model.json", R"({
    "name": "queues",
    "simulation": { "duration": "1500s", "warmup": "100s", "replications": 5, "seed": 4 },
    "workloads": [ { "name": "w", "target": "s", "rate": 60 } ],
    "services": { "s": { "replicas": 4, "workers": 1, "load_balancer": { "policy": "random" },
                         "steps": [ { "work": { "dist": "exponential", "mean": "100ms" } } ] } },
    "slo": { "latency": { "p99": "1.5s" } }
  })");
}

TEST(SizeCommand, WritesTheAnswerBesideTheEstimates) {
  Sandbox box;
  write_model(box);
  write_text(box / "size.json", R"({ "kind": "size", "model": "model.json", "services": ["s"] })");
  const RunResult r = box.run({"size", "size.json", "-o", "size.out.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  const Json j = read_json(box / "size.out.json");
  EXPECT_EQ(j["kind"], "size");
  const Json& s = j["services"]["s"];
  EXPECT_EQ(s["replicas"], 9);
  EXPECT_EQ(s["confident"], true);
  EXPECT_EQ(s["analytic"], 9);
  EXPECT_EQ(s["rule_of_thumb"], 8);
  EXPECT_EQ(s["breaking_point_rps"], 10.0);
  EXPECT_EQ(s["at_answer"]["replicas"], 9);
  EXPECT_EQ(s["at_one_fewer"]["replicas"], 8);
  EXPECT_EQ(s["at_one_fewer"]["slo_met"], false);
  EXPECT_TRUE(is_estimate(s["at_answer"]["metrics"]["services.s.cpu_utilization"], 5));
  EXPECT_NE(r.out.find("service s: 9 replicas (confident)"), std::string::npos) << r;
  EXPECT_NE(r.err.find("size: s = 8 replicas (5 replications): SLO not met"), std::string::npos)
      << r;
  // Threads do not change the answer or the document.
  ASSERT_EQ(box.run({"size", "size.json", "-o", "one.json", "--threads", "1", "-q"}).status, 0);
  EXPECT_EQ(read_text(box / "one.json"), read_text(box / "size.out.json"));
}

TEST(CompareCommand, WritesVariantsAndPairedDifferences) {
  Sandbox box;
  write_model(box);
  write_text(box / "cmp.json", R"({ "kind": "compare", "model": "model.json", "replications": 4,
    "variants": { "nine": [ { "pointer": "/services/s/replicas", "value": 9 } ],
                  "ten": [ { "pointer": "/services/s/replicas", "value": 10 } ] },
    "metrics": [ "workloads.w.latency_ms.p99", "services.s.cpu_utilization", "workloads.w.goodput_rps" ] })");
  const RunResult r = box.run({"compare", "cmp.json", "-o", "cmp.out.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  const Json j = read_json(box / "cmp.out.json");
  EXPECT_EQ(j["kind"], "compare");
  EXPECT_EQ(j["baseline"], "nine");
  EXPECT_EQ(j["replications"], 4);
  EXPECT_TRUE(is_estimate(j["variants"]["ten"]["workloads.w.latency_ms.p99"], 4));
  const Json& d = j["differences"]["ten"];
  EXPECT_EQ(d["workloads.w.latency_ms.p99"]["verdict"], "better");
  EXPECT_EQ(d["services.s.cpu_utilization"]["verdict"], "lower");
  // The same arrivals in both: goodput is the same request for request.
  EXPECT_EQ(d["workloads.w.goodput_rps"]["verdict"], "no significant difference");
  EXPECT_NE(r.out.find("difference from nine (paired by replication)"), std::string::npos) << r;
  ASSERT_EQ(box.run({"compare", "cmp.json", "-o", "one.json", "--threads", "1", "-q"}).status, 0);
  EXPECT_EQ(read_text(box / "one.json"), read_text(box / "cmp.out.json"));
}

TEST(AnalyzeCommand, AnUnstableStationOfWorkersShowsTheCoresShareInTheCpuColumn) {
  Sandbox box;
  // One worker on 4 cores, 15/s of 100 ms: the worker is 150 % loaded, the cores 37.5 %. The
  // cpu cell said "UNSTABLE 150%".
  write_text(box / "workers.json", R"({ "name": "workers",
    "workloads": [ { "name": "w", "target": "s", "rate": 15 } ],
    "services": { "s": { "replicas": 1, "cores": 4, "workers": 1,
                         "steps": [ { "work": { "dist": "exponential", "mean": "100ms" } } ] } } })");
  const RunResult r = box.run({"analyze", "workers.json"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("38% (workers UNSTABLE 150%)"), std::string::npos) << r;
  EXPECT_EQ(r.out.find("UNSTABLE 150%  "), std::string::npos) << r;
}

TEST(AnalyzeCommand, PrintsEstimatesAndChecksThem) {
  Sandbox box;
  write_model(box);
  const RunResult r = box.run({"analyze", "model.json", "-o", "a.json", "--check", "--duration",
                               "500s", "--replications", "3", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("random balancing: 4 independent M/M/1 queues"), std::string::npos) << r;
  EXPECT_NE(r.out.find("UNSTABLE"), std::string::npos) << "60/s on 4 x 10/s" << r;
  const Json j = read_json(box / "a.json");
  EXPECT_EQ(j["services"]["s"]["stable"], false);
  EXPECT_EQ(j["check"]["replications"], 3);
  const RunResult ok = box.run({"analyze", "model.json", "--set", "/services/s/replicas=9"});
  ASSERT_EQ(ok.status, 0) << ok;
  EXPECT_NE(ok.out.find("66.7%"), std::string::npos) << ok;
  const RunResult bad = box.run({"analyze", "model.json", "--set", "/services/s/replicas=0"});
  EXPECT_EQ(bad.status, kBadInput) << bad;
  EXPECT_EQ(bad.err,
            "capsim: /services/s/replicas: expected an integer from 1 to 100000, found 0 (given "
            "on the command line: /services/s/replicas=0)\n");
}

TEST(AnalyzeCommand, ARunEndingBeforeThePeakIsNoConcernOfTheAnalysis) {
  // It analyses the peak, and --check holds the rate there; validate still warns.
  Sandbox box;
  const std::vector<std::string> shorter{"--set", "/simulation/duration=\"3m\"", "--set",
                                         "/simulation/warmup=\"30s\""};
  std::vector<std::string> analyze{"analyze", example_model("web-peak.json").string()};
  analyze.insert(analyze.end(), shorter.begin(), shorter.end());
  const RunResult a = box.run(analyze);
  ASSERT_EQ(a.status, 0) << a;
  EXPECT_EQ(a.err, "") << a;
  std::vector<std::string> validate{"validate", example_model("web-peak.json").string()};
  validate.insert(validate.end(), shorter.begin(), shorter.end());
  EXPECT_NE(box.run(validate).err.find("the rate peaks at 900/s at 300 s, after the run's end"),
            std::string::npos);
}

TEST(AnalyzeCommand, ACheckWhoseCacheIsStillFillingSaysSo) {
  // The cache-aside example starts cold: after its 30 s warm-up redis hits about 64% of
  // lookups, the steady state 71%; the check says why instead of leaving an 8-point gap.
  Sandbox box;
  const std::string model = example_model("request-path-cache-aside.json").string();
  const RunResult cold = box.run({"analyze", model, "--check", "--threads", "2"});
  ASSERT_EQ(cold.status, 0) << cold;
  EXPECT_NE(cold.out.find("note: redis: the simulated hit ratio ("), std::string::npos) << cold;
  EXPECT_NE(cold.out.find("the cache starts empty (no preload) and may still be filling after "
                          "the 30 s warm-up"),
            std::string::npos)
      << cold;
  // Warmed up for 4 minutes it agrees (72.5% against 71.4%: the analysis is a little low), and
  // no note.
  const RunResult warm =
      box.run({"analyze", model, "--check", "--threads", "2", "--set", "/simulation/warmup=\"4m\"",
               "--set", "/simulation/duration=\"8m\""});
  ASSERT_EQ(warm.status, 0) << warm;
  EXPECT_EQ(warm.out.find("note: redis"), std::string::npos) << warm;
}

TEST(ExperimentCommands, AWarmUpThatDurationLeavesTooLongIsPlacedWhereItWasSet) {
  // The experiment's override sets the warm-up (30 s) and --duration the duration (30 s): the
  // message points at the override, not at the model file's own warm-up, and names the flag.
  Sandbox box;
  write_text(box / "m.json", R"({ "name": "m",
    "simulation": { "duration": "10m", "warmup": "1m" },
    "workloads": [ { "name": "w", "target": "s", "rate": 5 } ],
    "services": { "s": { "steps": [ { "work": "10ms" } ] } } })");
  write_text(box / "sweep.json", R"({ "kind": "sweep", "model": "m.json",
  "overrides": [ { "pointer": "/simulation/warmup", "value": "30s" } ],
  "parameters": [ { "name": "rate", "pointer": "/workloads/0/rate", "values": [5, 6] } ] })");
  const RunResult r = box.run({"sweep", "sweep.json", "--duration", "30s", "-o", "x.csv"});
  EXPECT_EQ(r.status, kBadInput) << r;
  EXPECT_EQ(r.err,
            "capsim: /overrides/0/value: the model refuses \"30s\": /simulation/warmup: expected "
            "a warm-up shorter than the duration (30 s), found 30 s; the duration is --duration "
            "30s: give a longer --duration, or a shorter warm-up with --set "
            "/simulation/warmup=... (sweep.json: line 2, column 62)\n");
  EXPECT_FALSE(std::filesystem::exists(box / "x.csv"));
  // A --duration the model refuses is the flag's, not the experiment's duration override.
  write_text(box / "sweep2.json", R"({ "kind": "sweep", "model": "m.json",
  "overrides": [ { "pointer": "/simulation/duration", "value": "5m" } ],
  "parameters": [ { "pointer": "/workloads/0/rate", "values": [5, 6] } ] })");
  const RunResult bad = box.run({"sweep", "sweep2.json", "--duration", "30x"});
  EXPECT_EQ(bad.status, kBadInput) << bad;
  EXPECT_NE(bad.err.find("found \"30x\" (given on the command line: /simulation/duration=30x)"),
            std::string::npos)
      << bad;
  EXPECT_EQ(bad.err.find("/overrides/0"), std::string::npos) << bad;
  const RunResult bad_check = box.run({"analyze", "m.json", "--check", "--duration", "30x"});
  EXPECT_EQ(bad_check.err,
            "capsim: /simulation/duration: expected a duration such as \"10m\" or a number of "
            "seconds, found \"30x\" (given on the command line: /simulation/duration=30x)\n")
      << bad_check;
  // analyze --check: the model file's place and the flag.
  const RunResult a = box.run({"analyze", "m.json", "--check", "--duration", "30s"});
  EXPECT_EQ(a.status, kBadInput) << a;
  EXPECT_EQ(a.err,
            "capsim: /simulation/warmup: expected a warm-up shorter than the duration (30 s), "
            "found 60 s (m.json: line 2, column 50); the duration is --duration 30s: give a "
            "longer --duration, or a shorter warm-up with --set /simulation/warmup=...\n");
}

TEST(ExperimentCommands, UnknownCommandListsTheNewOnes) {
  Sandbox box;
  const RunResult r = box.run({"swep"});
  EXPECT_EQ(r.status, kBadInput);
  EXPECT_EQ(r.err,
            "capsim: unknown command 'swep'; expected one of: run, validate, sweep, size, "
            "compare, analyze, report, fit, calibrate, import\n");
}

/// The shipped experiments (experiments/*.json), sorted.
std::vector<std::string> shipped() {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(source_dir() / "experiments")) {
    if (e.path().extension() == ".json") files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class ShippedExperiment : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedExperiment, RunsQuickly) {
  Sandbox box;
  const fs::path file = source_dir() / "experiments" / GetParam();
  const std::string kind = read_json(file)["kind"].get<std::string>();
  const std::string out = kind == "sweep" ? "out.csv" : "out.json";
  const RunResult r =
      box.run({kind, file.string(), "-o", out, "--duration", "15s", "--set",
               "/simulation/warmup=3s", "--replications", "2", "--threads", "2", "-q"},
              std::chrono::seconds(300));
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_TRUE(fs::exists(box / out));
}

INSTANTIATE_TEST_SUITE_P(Experiments, ShippedExperiment, ::testing::ValuesIn(shipped()),
                         [](const auto& info) { return test_name_of(info.param); });

}  // namespace
}  // namespace capsim::cli_test
