// Outputs that cannot be written are refused before any work (issue 15): exit 2, one line that
// names the option and the folder, nothing run and nothing written.

#include <sys/stat.h>
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

TEST(OutputPaths, DevicesPipesAndLinksAreNotReplaced) {
  Sandbox box;
  const std::string model = example_model("mm1.json").string();
  // Outputs are renamed over their name: as root, -o /dev/null replaced the system's /dev/null
  // with a regular file.
  const RunResult null = box.run({"run", model, "-o", "/dev/null", "-q"});
  EXPECT_EQ(null.status, 2) << null;
  EXPECT_EQ(null.err,
            "capsim: -o /dev/null: expected a regular file, found a character device (leave -o "
            "out to write no file); nothing was run\n");
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  ASSERT_EQ(::mkfifo((box.work() / "pipe").c_str(), 0600), 0);
  const RunResult pipe = box.run(
      {"import", "k6", (source_dir() / "docs" / "examples" / "import" / "k6-options.json").string(),
       "-o", "pipe"});
  EXPECT_EQ(pipe.status, 2) << pipe;
  EXPECT_NE(pipe.err.find("-o pipe: expected a regular file, found a pipe"), std::string::npos)
      << pipe;
  EXPECT_TRUE(fs::is_fifo(box.work() / "pipe"));
  write_text(box / "target.json", "x");
  fs::create_symlink("target.json", box.work() / "link.json");
  const RunResult link = box.run({"analyze", model, "-o", "link.json"});
  EXPECT_EQ(link.status, 2) << link;
  EXPECT_NE(link.err.find("found a symbolic link (name the file it points to)"), std::string::npos)
      << link;
  EXPECT_TRUE(fs::is_symlink(box.work() / "link.json"));
  EXPECT_EQ(read_text(box / "target.json"), "x");
}

TEST(OutputPaths, TwoOutputsOrAnOutputAndTheInputMustBeDifferentFiles) {
  Sandbox box;
  write_text(box / "m.json", read_text(example_model("mm1.json")));
  const std::string before = read_text(box / "m.json");
  // -o over the model: the model was overwritten by its results (exit 0).
  const RunResult over = box.run({"run", "m.json", "-o", "./m.json", "-q"});
  EXPECT_EQ(over.status, 2) << over;
  EXPECT_EQ(over.err,
            "capsim: -o ./m.json: expected another file than the input m.json; nothing "
            "was run\n");
  EXPECT_EQ(read_text(box / "m.json"), before);
  // -o and --traces to one file: only the traces were left.
  const RunResult both = box.run({"run", "m.json", "-o", "x.json", "--traces", "x.json", "-q"});
  EXPECT_EQ(both.status, 2) << both;
  EXPECT_EQ(both.err,
            "capsim: -o x.json: expected another file than --traces's; nothing was run\n");
  // A folder where --csv writes a file: refused before the run, not after -o was replaced.
  fs::create_directories(box.work() / "csv" / "timeseries.csv");
  const RunResult csv = box.run({"run", "m.json", "-o", "r.json", "--csv", "csv", "-q"});
  EXPECT_EQ(csv.status, 2) << csv;
  EXPECT_NE(csv.err.find("--csv csv/timeseries.csv: expected a file name, found a folder"),
            std::string::npos)
      << csv;
  EXPECT_FALSE(fs::exists(box.work() / "r.json"));
  EXPECT_FALSE(fs::exists(box.work() / "x.json"));
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
