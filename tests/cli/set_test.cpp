// `--set POINTER=VALUE` overrides change what is simulated; VALUE is JSON or a bare string.

#include <string>
#include <vector>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

/// Runs web-peak quickly with `extra` options and returns the results.
Json run_web_peak(Sandbox& box, const std::vector<std::string>& extra) {
  std::vector<std::string> options{"-q", "-o", "out.json"};
  options.insert(options.end(), extra.begin(), extra.end());
  const RunResult r = box.run(quick_run(example_model("web-peak.json"), options));
  EXPECT_EQ(r.status, 0) << r;
  if (r.status != 0) return nullptr;
  return read_json(box / "out.json");
}

TEST(Set, ReplicasOverrideChangesTheResult) {
  Sandbox box;
  const Json base = run_web_peak(box, {});
  ASSERT_FALSE(base.is_null());
  EXPECT_DOUBLE_EQ(base["services"]["api"]["replicas"]["mean"]["mean"].get<double>(), 3.0);

  const Json five = run_web_peak(box, {"--set", "/services/api/replicas=5"});
  ASSERT_FALSE(five.is_null());
  const Json& replicas = five["services"]["api"]["replicas"];
  EXPECT_DOUBLE_EQ(replicas["mean"]["mean"].get<double>(), 5.0) << replicas.dump();
  EXPECT_DOUBLE_EQ(replicas["min"].get<double>(), 5.0) << replicas.dump();
  EXPECT_DOUBLE_EQ(replicas["max"].get<double>(), 5.0) << replicas.dump();
  // 5 replicas over the 50 s after the warm-up.
  EXPECT_NEAR(five["services"]["api"]["replica_seconds"]["mean"].get<double>(), 250.0, 1e-6);
  // Other services keep their replicas; the api's utilisation drops.
  EXPECT_DOUBLE_EQ(five["services"]["db"]["replicas"]["mean"]["mean"].get<double>(), 1.0);
  EXPECT_LT(five["services"]["api"]["cpu_utilization"]["mean"].get<double>(),
            base["services"]["api"]["cpu_utilization"]["mean"].get<double>());
}

TEST(Set, RepeatedOverridesAllApply) {
  Sandbox box;
  const Json j =
      run_web_peak(box, {"--set", "/services/api/replicas=4", "--set", "/services/db/replicas=2"});
  ASSERT_FALSE(j.is_null());
  EXPECT_DOUBLE_EQ(j["services"]["api"]["replicas"]["mean"]["mean"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(j["services"]["db"]["replicas"]["mean"]["mean"].get<double>(), 2.0);
}

TEST(Set, BareStringValue) {
  Sandbox box;
  const Json fcfs = run_web_peak(box, {});
  const Json bare = run_web_peak(box, {"--set", "/services/api/cpu=ps"});
  const Json quoted = run_web_peak(box, {"--set", R"(/services/api/cpu="ps")"});
  ASSERT_FALSE(fcfs.is_null());
  ASSERT_FALSE(bare.is_null());
  ASSERT_FALSE(quoted.is_null());
  // A bare string means the same as the JSON string.
  EXPECT_EQ(without_performance(bare.dump()), without_performance(quoted.dump()));
  // ... and it is applied: processor sharing changes the api's latencies.
  EXPECT_NE(bare["services"]["api"]["latency_ms"].dump(),
            fcfs["services"]["api"]["latency_ms"].dump());
}

TEST(Set, BareStringForAName) {
  Sandbox box;
  const Json j = run_web_peak(box, {"--set", "/name=renamed-model"});
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(j["model"], "renamed-model");
}

TEST(Set, SeedOptionEqualsSeedOverride) {
  Sandbox box;
  const Json option = run_web_peak(box, {"--seed", "1234"});
  const Json set = run_web_peak(box, {"--set", "/simulation/seed=1234"});
  ASSERT_FALSE(option.is_null());
  ASSERT_FALSE(set.is_null());
  EXPECT_EQ(option["seed"], 1234);
  EXPECT_EQ(without_performance(option.dump()), without_performance(set.dump()));
}

TEST(Set, ValidateShowsTheOverride) {
  Sandbox box;
  const RunResult r = box.run(
      {"validate", example_model("web-peak.json").string(), "--set", "/services/api/replicas=5"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("service api: 5 replicas"), std::string::npos) << r;
}

}  // namespace
}  // namespace capsim::cli_test
