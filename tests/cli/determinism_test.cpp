// Results depend on the model and the seed only: not on the number of threads.

#include <string>
#include <vector>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

struct Outputs {
  std::string json;
  std::string summary_csv;
  std::string timeseries_csv;
};

/// Runs `model` quickly with `extra` options, writing into the subdirectory `tag`.
Outputs run_into(Sandbox& box, const fs::path& model, const std::string& tag,
                 const std::vector<std::string>& extra) {
  fs::create_directories(box / tag);
  std::vector<std::string> options{"-q", "-o", tag + "/out.json", "--csv", tag + "/csv"};
  options.insert(options.end(), extra.begin(), extra.end());
  const RunResult r = box.run(quick_run_model(model, options));
  EXPECT_EQ(r.status, 0) << r;
  if (r.status != 0) return {};
  return {read_text(box / tag / "out.json"), read_text(box / tag / "csv/summary.csv"),
          read_text(box / tag / "csv/timeseries.csv")};
}

class Determinism : public ::testing::TestWithParam<std::string> {};

TEST_P(Determinism, ThreadCountDoesNotChangeResults) {
  Sandbox box;
  const fs::path model = example_model(GetParam());
  const Outputs one = run_into(box, model, "t1", {"--replications", "3", "--threads", "1"});
  const Outputs two = run_into(box, model, "t2", {"--replications", "3", "--threads", "2"});
  ASSERT_FALSE(one.json.empty());
  ASSERT_FALSE(two.json.empty());
  EXPECT_EQ(without_performance(one.json), without_performance(two.json));
  EXPECT_EQ(one.summary_csv, two.summary_csv);
  EXPECT_EQ(one.timeseries_csv, two.timeseries_csv);
  // Byte for byte: the documents agree up to where "performance" starts.
  const auto cut = [](const std::string& text) {
    return text.substr(0, text.find("\"performance\""));
  };
  EXPECT_EQ(cut(one.json), cut(two.json));
}

INSTANTIATE_TEST_SUITE_P(Models, Determinism, ::testing::ValuesIn(example_models()),
                         [](const auto& info) { return test_name_of(info.param); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Determinism);

TEST(Seed, SameSeedSameResults) {
  Sandbox box;
  const fs::path model = example_model("web-peak.json");
  const Outputs a = run_into(box, model, "a", {"--seed", "42"});
  const Outputs b = run_into(box, model, "b", {"--seed", "42"});
  ASSERT_FALSE(a.json.empty());
  EXPECT_EQ(without_performance(a.json), without_performance(b.json));
}

TEST(Seed, DifferentSeedDifferentNumbers) {
  Sandbox box;
  const fs::path model = example_model("web-peak.json");
  const Outputs a = run_into(box, model, "a", {"--seed", "42"});
  const Outputs b = run_into(box, model, "b", {"--seed", "43"});
  ASSERT_FALSE(a.json.empty());
  ASSERT_FALSE(b.json.empty());
  const Json ja = Json::parse(a.json);
  const Json jb = Json::parse(b.json);
  EXPECT_EQ(ja["seed"], 42);
  EXPECT_EQ(jb["seed"], 43);
  EXPECT_NE(without_performance(a.json), without_performance(b.json));
  const auto& wa = ja["workloads"]["browse"];
  const auto& wb = jb["workloads"]["browse"];
  EXPECT_NE(wa["offered_rps"]["mean"], wb["offered_rps"]["mean"]);
  EXPECT_NE(wa["latency_ms"]["mean"]["mean"], wb["latency_ms"]["mean"]["mean"]);
  EXPECT_NE(a.summary_csv, b.summary_csv);
}

TEST(Replications, ThreeGiveNThreeEverywhere) {
  Sandbox box;
  const Outputs o = run_into(box, example_model("fanout.json"), "r3", {"--replications", "3"});
  ASSERT_FALSE(o.json.empty());
  const Json j = Json::parse(o.json);
  EXPECT_EQ(j["replications"], 3);
  int estimates = 0;
  for_each_estimate(j, "", [&](const std::string& pointer, const Json& e) {
    ++estimates;
    EXPECT_TRUE(is_estimate(e, 3)) << pointer;
  });
  EXPECT_GT(estimates, 20);
}

TEST(Replications, OneGivesNullConfidenceIntervals) {
  Sandbox box;
  const Outputs o = run_into(box, example_model("mm1.json"), "r1", {"--replications", "1"});
  ASSERT_FALSE(o.json.empty());
  const Json j = Json::parse(o.json);
  EXPECT_EQ(j["replications"], 1);
  int estimates = 0;
  for_each_estimate(j, "", [&](const std::string& pointer, const Json& e) {
    ++estimates;
    EXPECT_TRUE(is_estimate(e, 1)) << pointer;
  });
  EXPECT_GT(estimates, 20);
}

}  // namespace
}  // namespace capsim::cli_test
