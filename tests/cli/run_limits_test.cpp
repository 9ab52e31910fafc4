// `capsim run` limits and interruption: --max-events (pre-flight refusal and a budget spent
// mid-run), --max-wall, and SIGINT/SIGTERM: each ends quickly, says what was finished, and leaves
// an existing output file as it was.

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

/// Starts `capsim ARGS...` in the sandbox's working directory with stderr to `err`.
pid_t start(const Sandbox& box, const std::vector<std::string>& args, const fs::path& err) {
  std::vector<std::string> argv_s{capsim_binary().string()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string cwd = box.work().string();
  const std::string err_path = err.string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    const int null = ::open("/dev/null", O_RDWR);
    const int e = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(e, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

const std::string kOld = "{\"old\": true}\n";

TEST(RunLimits, AModelWhoseArrivalsExceedTheEventBudgetIsRefusedAtOnce) {
  Sandbox box;
  write_text(box / "out.json", kOld);
  const RunResult r = box.run({"run", example_model("web-peak.json").string(), "--set",
                               "/workloads/0/rate=1e6", "-o", "out.json", "--csv", "csv"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_LT(r.wall_seconds, 5.0) << r;
  EXPECT_NE(r.err.find("/workloads/0/rate"), std::string::npos) << r;
  EXPECT_NE(r.err.find("--max-events"), std::string::npos) << r;
  EXPECT_EQ(lines_of(r.err).size(), 1u) << r;
  EXPECT_EQ(read_text(box / "out.json"), kOld);
  EXPECT_FALSE(fs::exists(box / "csv"));

  // --max-events 0 lifts the budget: the same model then starts (and --max-wall ends it).
  const RunResult lifted =
      box.run({"run", example_model("web-peak.json").string(), "--set", "/workloads/0/rate=1e6",
               "--max-events", "0", "--max-wall", "1s", "--replications", "2", "-q"});
  EXPECT_EQ(lifted.status, 1) << lifted;
  EXPECT_NE(lifted.err.find("--max-wall 1s"), std::string::npos) << lifted;
}

TEST(RunLimits, ASpentEventBudgetEndsTheRunWithAnExplanation) {
  Sandbox box;
  write_text(box / "out.json", kOld);
  // Closed workloads are not counted by the pre-flight check: the budget is spent mid-run.
  const RunResult r = box.run({"run", example_model("closed-users.json").string(), "--max-events",
                               "20000", "--replications", "2", "-o", "out.json"});
  EXPECT_EQ(r.status, 1) << r;
  EXPECT_NE(r.err.find("event budget (20000 events, --max-events) was spent"), std::string::npos)
      << r;
  EXPECT_EQ(read_text(box / "out.json"), kOld);
}

// 15,000 requests/s for 2 h, 4 visits each (lb, api, db twice): at least 8.6e8 events per
// replication by the pre-flight estimate, within the default budget of 1e9 (20,000/s is not),
// and hours of wall-clock time.
TEST(RunLimits, MaxWallStopsALongRunAndWritesNothing) {
  Sandbox box;
  write_text(box / "out.json", kOld);
  const RunResult r =
      box.run({"run", example_model("web-peak.json").string(), "--set", "/workloads/0/rate=15000",
               "--duration", "2h", "--max-wall", "1s", "--threads", "2", "-o", "out.json"});
  EXPECT_EQ(r.status, 1) << r;
  EXPECT_LT(r.wall_seconds, 10.0) << r;
  EXPECT_NE(r.err.find("wall-clock limit (--max-wall 1s): 0 of 10 replications had finished"),
            std::string::npos)
      << r;
  EXPECT_NE(r.err.find("nothing written"), std::string::npos) << r;
  EXPECT_EQ(read_text(box / "out.json"), kOld);
}

TEST(RunLimits, MaxWallMustBeAPositiveDuration) {
  Sandbox box;
  for (const std::string bad : {"soon", "0s", "-3s"}) {
    const RunResult r =
        box.run({"run", example_model("mm1.json").string(), "--max-wall", bad, "-o", "out.json"});
    EXPECT_EQ(r.status, 2) << r;
    EXPECT_NE(r.err.find("--max-wall: expected a positive duration"), std::string::npos) << r;
    EXPECT_FALSE(fs::exists(box / "out.json"));
  }
}

TEST(RunLimits, SigintAndSigtermStopARunCleanly) {
  for (const int sig : {SIGINT, SIGTERM}) {
    Sandbox box;
    write_text(box / "out.json", kOld);
    const fs::path err = box.work().parent_path() / "stderr";
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid =
        start(box,
              {"run", example_model("web-peak.json").string(), "--set", "/workloads/0/rate=15000",
               "--duration", "2h", "--threads", "2", "-o", "out.json", "-q"},
              err);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ::kill(pid, sig);
    int status = 0;
    ::waitpid(pid, &status, 0);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const std::string text = read_text(err);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 128 + sig) << status << text;
    EXPECT_LT(wall, 10.0);
    EXPECT_NE(text.find(sig == SIGINT ? "interrupted by SIGINT: 0 of 10 replications"
                                      : "interrupted by SIGTERM: 0 of 10 replications"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("nothing written"), std::string::npos) << text;
    EXPECT_EQ(read_text(box / "out.json"), kOld);
    EXPECT_EQ(box.entries(), std::vector<std::string>{"out.json"}) << "no temporary file left";
  }
}

TEST(RunOptions, SeedReplicationsAndDurationWorkOnAModelWithoutASimulationObject) {
  Sandbox box;
  write_text(box / "m.json", R"({
    "workloads": [ { "name": "w", "target": "s", "rate": 5 } ],
    "services": { "s": { "steps": [ { "work": "10ms" } ] } } })");
  const RunResult r = box.run({"run", "m.json", "--seed", "3", "--replications", "2", "--duration",
                               "30s", "-o", "out.json", "-q"});
  ASSERT_EQ(r.status, 0) << r;
  const Json out = read_json(box / "out.json");
  EXPECT_EQ(out["seed"], 3);
  EXPECT_EQ(out["replications"], 2);
  EXPECT_EQ(out["simulated_seconds"], 30.0);
}

}  // namespace
}  // namespace capsim::cli_test
