// capsim sweep end to end: CSV and JSON rows, output identical whatever the thread count, bad
// experiments refused with exit status 2 and nothing written, and an interrupted sweep (SIGINT)
// that resumes to the same output.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

constexpr int kBadInput = 2;

/// A small M/M/c-like model and a sweep over its rate and replicas.
void write_sweep(Sandbox& box, int points_per_rate = 3, const std::string& extra = "") {
  write_text(box / "model.json", R"({
    "name": "small",
    "simulation": { "duration": "300s", "warmup": "20s", "replications": 3, "seed": 4 },
    "workloads": [ { "name": "w", "target": "s", "rate": 10 } ],
    "services": { "s": { "replicas": 2, "workers": 1, "load_balancer": { "policy": "random" },
                         "steps": [ { "work": { "dist": "exponential", "mean": "100ms" } } ] } },
    "slo": { "latency": { "p99": "1s" } }
  })");
  write_text(box / "sweep.json", R"({ "kind": "sweep", "model": "model.json",
    "parameters": [ { "name": "rate", "pointer": "/workloads/0/rate",
                      "range": { "from": 4, "to": 16, "steps": )" +
                                     std::to_string(points_per_rate) + R"( } },
                    { "pointer": "/services/s/replicas", "values": [2, 3] } ],
    "metrics": [ "workloads.w.latency_ms.p99", "services.s.cpu_utilization" ] )" +
                                     extra + "}");
}

TEST(SweepCommand, WritesOneCsvRowPerPoint) {
  Sandbox box;
  write_sweep(box);
  const RunResult r = box.run({"sweep", "sweep.json", "-o", "out.csv", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  const auto lines = lines_of(read_text(box / "out.csv"));
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[0],
            "rate,/services/s/replicas,workloads.w.latency_ms.p99.mean,"
            "workloads.w.latency_ms.p99.ci_lo,workloads.w.latency_ms.p99.ci_hi,"
            "services.s.cpu_utilization.mean,services.s.cpu_utilization.ci_lo,"
            "services.s.cpu_utilization.ci_hi,slo_met,notices");
  const auto first = csv_fields(lines[1]);
  ASSERT_EQ(first.size(), 10u);
  EXPECT_EQ(first[8], "true");  // 20% busy: p99 well under 1 s
  EXPECT_EQ(first[9], "");      // no notices
  EXPECT_EQ(first[0], "4");
  EXPECT_EQ(first[1], "2");
  EXPECT_EQ(csv_fields(lines[4])[0], "10");
  EXPECT_EQ(csv_fields(lines[6])[0], "16");
  EXPECT_EQ(csv_fields(lines[6])[1], "3");
  // Utilisation is rate x 100 ms / replicas: 16 / 3 x 0.1.
  EXPECT_NEAR(std::stod(csv_fields(lines[6])[5]), 16.0 * 0.1 / 3.0, 0.03);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto f = csv_fields(lines[i]);
    EXPECT_LE(std::stod(f[3]), std::stod(f[2])) << lines[i];
    EXPECT_GE(std::stod(f[4]), std::stod(f[2])) << lines[i];
  }
  // The table on stdout, the timing on stderr; no checkpoint left behind.
  EXPECT_NE(r.out.find("sweep sweep: 6 points x 3 replications of model small"), std::string::npos)
      << r;
  EXPECT_EQ(box.entries(), (std::vector<std::string>{"model.json", "out.csv", "sweep.json"}));
}

TEST(SweepCommand, JsonHasTheSameNumbersAsCsv) {
  Sandbox box;
  write_sweep(box);
  ASSERT_EQ(box.run({"sweep", "sweep.json", "-o", "out.csv", "-q"}).status, 0);
  const RunResult r = box.run({"sweep", "sweep.json", "-o", "out.json", "-q"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_EQ(r.out, "") << "quiet";
  const Json j = read_json(box / "out.json");
  EXPECT_EQ(j["kind"], "sweep");
  EXPECT_EQ(j["replications"], 3);
  ASSERT_EQ(j["points"].size(), 6u);
  const auto lines = lines_of(read_text(box / "out.csv"));
  const Json& p = j["points"][5];
  EXPECT_EQ(p["parameters"]["rate"], 16);
  EXPECT_EQ(p["parameters"]["/services/s/replicas"], 3);
  EXPECT_EQ(p["metrics"]["workloads.w.latency_ms.p99"]["mean"].dump(), csv_fields(lines[6])[2]);
  EXPECT_EQ(p["metrics"]["services.s.cpu_utilization"]["ci"][1].dump(), csv_fields(lines[6])[7]);
  EXPECT_TRUE(p["slo_met"].is_boolean());
}

TEST(SweepCommand, OutputIsByteIdenticalWhateverTheThreadCount) {
  Sandbox box;
  write_sweep(box);
  ASSERT_EQ(box.run({"sweep", "sweep.json", "-o", "one.json", "--threads", "1", "-q"}).status, 0);
  ASSERT_EQ(box.run({"sweep", "sweep.json", "-o", "three.json", "--threads", "3", "-q"}).status, 0);
  EXPECT_EQ(read_text(box / "one.json"), read_text(box / "three.json"));
}

TEST(SweepCommand, BadExperimentsExitTwoAndWriteNothing) {
  Sandbox box;
  write_sweep(box);
  write_text(box / "bad.json", R"({ "kind": "sweep", "model": "model.json",
    "parameters": [ { "pointer": "/services/s/replicas", "values": [1, 0] },
                    { "pointer": "/services/x/cores", "values": [1] } ],
    "metrics": [ "workloads.w.latency_ms.p99" ], "replicatons": 2 })");
  const RunResult r = box.run({"sweep", "bad.json", "-o", "out.csv"});
  EXPECT_EQ(r.status, kBadInput) << r;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "capsim: invalid experiment:\n"
            "/parameters/0/values/1: the model refuses 0: /services/s/replicas: expected an "
            "integer from 1 to 100000, found 0 (bad.json: line 2, column 72)\n"
            "/parameters/1/pointer: cannot apply to the model: /services/x/cores: cannot set: "
            "expected '/services/x' to exist in the model, found nothing there (bad.json: line "
            "3, column 34)\n"
            "/replicatons: unknown key; did you mean 'replications'? (bad.json: line 4, column "
            "65)\n")
      << r;
  EXPECT_EQ(box.entries(), (std::vector<std::string>{"bad.json", "model.json", "sweep.json"}));
  // The wrong kind, a wrong output name, --resume without -o, a missing file.
  write_text(box / "size.json", R"({ "kind": "size", "model": "model.json", "services": ["s"] })");
  const RunResult kind = box.run({"sweep", "size.json", "-o", "out.csv"});
  EXPECT_EQ(kind.status, kBadInput);
  EXPECT_EQ(kind.err,
            "capsim: /kind: expected \"sweep\" for capsim sweep, found \"size\"; run it with "
            "capsim size\n");
  const RunResult ext = box.run({"sweep", "sweep.json", "-o", "out.txt"});
  EXPECT_EQ(ext.status, kBadInput);
  EXPECT_EQ(ext.err, "capsim: -o out.txt: expected a file name ending in .csv or .json\n");
  EXPECT_EQ(box.run({"sweep", "sweep.json", "--resume"}).status, kBadInput);
  EXPECT_EQ(box.run({"sweep", "missing.json", "-o", "out.csv"}).status, kBadInput);
  EXPECT_EQ(box.entries(),
            (std::vector<std::string>{"bad.json", "model.json", "size.json", "sweep.json"}));
}

/// Starts capsim in the sandbox without waiting; returns its pid.
pid_t start(Sandbox& box, const std::vector<std::string>& args) {
  std::vector<std::string> argv_s{capsim_binary().string()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string cwd = box.work().string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

TEST(SweepCommand, AnInterruptedSweepResumesToTheSameOutput) {
  Sandbox box;
  write_sweep(box, 12);  // 24 points
  ASSERT_EQ(box.run({"sweep", "sweep.json", "-o", "full.csv", "-q"}).status, 0);

  // Interrupt a second run as soon as it has saved its first row.
  const pid_t pid = start(box, {"sweep", "sweep.json", "-o", "out.csv", "--threads", "1", "-q"});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(box / "out.csv.partial") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(fs::exists(box / "out.csv.partial"));
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    GTEST_SKIP() << "the sweep finished before the signal arrived";
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGINT) << status;
  EXPECT_FALSE(fs::exists(box / "out.csv")) << "nothing written half";
  const Json partial = read_json(box / "out.csv.partial");  // whole: it parses
  EXPECT_GE(partial["rows"].size(), 1u);
  EXPECT_LT(partial["rows"].size(), 24u);

  const RunResult resumed = box.run({"sweep", "sweep.json", "-o", "out.csv", "--resume"});
  ASSERT_EQ(resumed.status, 0) << resumed;
  EXPECT_NE(resumed.err.find("resumed: "), std::string::npos) << resumed;
  EXPECT_EQ(read_text(box / "out.csv"), read_text(box / "full.csv"));
  EXPECT_FALSE(fs::exists(box / "out.csv.partial"));

  // A checkpoint of another experiment is refused.
  write_text(box / "out.csv.partial", read_text(box / "full.csv"));
  const RunResult refused = box.run({"sweep", "sweep.json", "-o", "out.csv", "--resume"});
  EXPECT_EQ(refused.status, kBadInput) << refused;
}

TEST(SweepCommand, ExperimentOptionsChangeEveryPoint) {
  Sandbox box;
  write_sweep(box);
  const RunResult r =
      box.run({"sweep", "sweep.json", "-o", "out.json", "--replications", "2", "--duration", "100s",
               "--seed", "9", "--set", "/services/s/steps/0/work/mean=50ms", "-q"});
  ASSERT_EQ(r.status, 0) << r;
  const Json j = read_json(box / "out.json");
  EXPECT_EQ(j["replications"], 2);
  EXPECT_EQ(j["seed"], 9);
  EXPECT_EQ(j["simulated_seconds"], 100);
  EXPECT_NEAR(j["points"][5]["metrics"]["services.s.cpu_utilization"]["mean"].get<double>(),
              16.0 * 0.05 / 3.0, 0.03);
}

}  // namespace
}  // namespace capsim::cli_test
