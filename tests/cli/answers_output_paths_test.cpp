// Outputs that cannot be written are refused before any work (issue 15): exit 2, one line that
// names the option and the folder, nothing run and nothing written.

#include <unistd.h>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

TEST(OutputPaths, RunToAMissingFolderFailsBeforeTheRun) {
  Sandbox box;
  // A long run (one simulated hour, many replications) that must not start at all.
  const RunResult r = box.run({"run", example_model("web-peak.json").string(), "--duration", "1h",
                               "--replications", "50", "-o", "missing/out.json"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_LT(r.wall_seconds, 5.0) << r;
  ASSERT_EQ(lines_of(r.err).size(), 1u) << r;
  EXPECT_EQ(r.err,
            "capsim: -o missing/out.json: the folder 'missing' does not exist (create it first); "
            "nothing was run\n");
  EXPECT_TRUE(r.out.empty()) << r;
  EXPECT_TRUE(box.entries().empty());
}

TEST(OutputPaths, AFileWhereAFolderIsExpectedIsRefused) {
  Sandbox box;
  write_text(box / "plain", "x");
  const RunResult o =
      box.run({"run", example_model("web-peak.json").string(), "-o", "plain/out.json"});
  EXPECT_EQ(o.status, 2) << o;
  EXPECT_EQ(o.err,
            "capsim: -o plain/out.json: expected a folder at 'plain', found a file; nothing was "
            "run\n");
  const RunResult csv =
      box.run({"run", example_model("web-peak.json").string(), "--csv", "plain/csv"});
  EXPECT_EQ(csv.status, 2) << csv;
  EXPECT_NE(csv.err.find("--csv plain/csv: expected a folder at 'plain'"), std::string::npos)
      << csv;
  const RunResult dir = box.run({"run", example_model("web-peak.json").string(), "-o", "."});
  EXPECT_EQ(dir.status, 2) << dir;
  EXPECT_NE(dir.err.find("-o .: expected a file name, found a folder"), std::string::npos) << dir;
  EXPECT_EQ(read_text(box / "plain"), "x");
}

TEST(OutputPaths, ExperimentsAndAnalyzeAreCheckedToo) {
  Sandbox box;
  const std::string experiment =
      (source_dir() / "experiments" / "web-peak-latency-vs-load.json").string();
  for (const std::string command : {"sweep", "size", "compare"}) {
    const RunResult r = box.run({command, experiment, "-o", "nowhere/out.json"});
    EXPECT_EQ(r.status, 2) << r;
    EXPECT_EQ(r.err,
              "capsim: -o nowhere/out.json: the folder 'nowhere' does not exist (create it "
              "first); nothing was run\n")
        << r;
  }
  const RunResult a =
      box.run({"analyze", example_model("web-peak.json").string(), "-o", "nowhere/a.json"});
  EXPECT_EQ(a.status, 2) << a;
  EXPECT_NE(a.err.find("-o nowhere/a.json"), std::string::npos) << a;
  EXPECT_TRUE(box.entries().empty());
}

TEST(OutputPaths, AReadOnlyFolderIsRefused) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes into read-only folders";
  Sandbox box;
  fs::create_directory(box / "ro");
  fs::permissions(box / "ro", fs::perms::owner_read | fs::perms::owner_exec);
  const RunResult r =
      box.run({"run", example_model("web-peak.json").string(), "-o", "ro/out.json"});
  fs::permissions(box / "ro", fs::perms::owner_all);
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_NE(r.err.find("the folder 'ro' cannot be written"), std::string::npos) << r;
}

TEST(OutputPaths, ACsvFolderStillGetsCreated) {
  Sandbox box;
  std::vector<std::string> args = quick_run(example_model("web-peak.json"), {"--csv", "a/b", "-q"});
  const RunResult r = box.run(args);
  EXPECT_EQ(r.status, 0) << r;
  EXPECT_TRUE(fs::exists(box / "a" / "b" / "summary.csv"));
}

}  // namespace
}  // namespace capsim::cli_test
