// YAML models and experiments through the commands: the same results as their JSON twins, and
// errors with the JSON Pointer plus the line and column in the YAML file.

#include <string>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

fs::path yaml_fixture(const std::string& file) {
  return source_dir() / "tests" / "cli" / "yaml" / file;
}

TEST(Yaml, RunGivesTheSameResultsAsTheJsonTwin) {
  Sandbox box;
  const std::vector<std::string> options = {"--replications", "2", "--duration", "20m"};
  std::vector<std::string> yaml = {"run", yaml_fixture("mm1.yaml").string()};
  std::vector<std::string> json = {"run", example_model("mm1.json").string()};
  yaml.insert(yaml.end(), options.begin(), options.end());
  json.insert(json.end(), options.begin(), options.end());
  const RunResult a = box.run(yaml);
  const RunResult b = box.run(json);
  ASSERT_EQ(a.status, 0) << a;
  ASSERT_EQ(b.status, 0) << b;
  EXPECT_EQ(a.out, b.out);
}

TEST(Yaml, ValidateNamesPointerLineAndColumn) {
  Sandbox box;
  write_text(box.work() / "bad.yaml",
             "name: bad\nworkloads:\n  - {name: w, target: api, rate: 5}\nservices:\n  api:\n"
             "    replicas: 0\n    steps:\n      - work: {dist: exponential, mean: 10ms}\n");
  const RunResult r = box.run({"validate", "bad.yaml"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_NE(r.err.find("/services/api/replicas: expected an integer from 1 to 100000, found 0 "
                       "(bad.yaml: line 6, column 15)"),
            std::string::npos)
      << r;
}

TEST(Yaml, SweepExperimentInYamlWithYamlModel) {
  Sandbox box;
  fs::copy_file(yaml_fixture("mm1.yaml"), box.work() / "mm1.yaml");
  fs::copy_file(yaml_fixture("sweep.yaml"), box.work() / "sweep.yaml");
  const RunResult r = box.run({"sweep", "sweep.yaml", "-o", "rows.csv", "-q"});
  ASSERT_EQ(r.status, 0) << r;
  const auto rows = lines_of(read_text(box.work() / "rows.csv"));
  ASSERT_EQ(rows.size(), 3u) << read_text(box.work() / "rows.csv");
  EXPECT_EQ(rows[1].rfind("4,", 0), 0u);
  EXPECT_EQ(rows[2].rfind("6,", 0), 0u);
}

TEST(Yaml, ExperimentErrorsNameTheirLine) {
  Sandbox box;
  fs::copy_file(yaml_fixture("mm1.yaml"), box.work() / "mm1.yaml");
  write_text(box.work() / "sweep.yaml",
             "kind: sweep\nmodel: mm1.yaml\nreplications: 1\nparameters:\n"
             "  - {pointer: /workloads/0/rate, values: [4]}\n");
  const RunResult r = box.run({"sweep", "sweep.yaml"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_NE(r.err.find("/replications: expected an integer from 2 to 100000, found 1 "
                       "(sweep.yaml: line 3, column 15)"),
            std::string::npos)
      << r;
  EXPECT_TRUE(!fs::exists(box.work() / "rows.csv"));
}

TEST(Yaml, AliasBombRefusedWithExit2) {
  Sandbox box;
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    const char prev = static_cast<char>(c - 1);
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", *" : "*") + prev;
    bomb += "]\n";
  }
  write_text(box.work() / "bomb.yaml", bomb);
  const RunResult r = box.run({"validate", "bomb.yaml"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_NE(r.err.find("bomb.yaml: invalid YAML at line"), std::string::npos) << r;
  EXPECT_NE(r.err.find("aliases expanded"), std::string::npos) << r;
}

}  // namespace
}  // namespace capsim::cli_test
