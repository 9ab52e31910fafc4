// A workload's profile whose peak comes after the run's end is warned about (a --duration for a
// quick look at a model written for the whole test never sees its load), never refused.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "capsim/model/load.hpp"
#include "capsim/model/spec.hpp"
#include "model_test_support.hpp"

namespace {

using capsim::model::Json;

capsim::model::Spec load_with(const std::string& simulation, const std::string& workload,
                              const std::filesystem::path& base_dir = ".") {
  return capsim::model::load(
      Json::parse(R"({ "simulation": )" + simulation + R"(, "workloads": [ )" + workload + R"( ],
      "services": { "api": { "steps": [ { "work": "5ms" } ] } } })"),
      base_dir);
}

// web-peak's ramp: 200/s for 2 min, to 900/s by 5 min, held 4 min, then 400/s.
const char* kRamp = R"({ "name": "browse", "target": "api", "rate": { "start": 200, "stages": [
    { "duration": "2m", "target": 200 }, { "duration": "3m", "target": 900 },
    { "duration": "4m", "target": 900 }, { "duration": "1m", "target": 400 } ] } })";

TEST(ProfileReach, ARunEndingBeforeThePeakIsWarned) {
  // 3 min: a third of the way up the ramp, 200 + 700 / 3 = 433.3/s.
  const auto spec = load_with(R"({ "duration": "3m" })", kRamp);
  ASSERT_EQ(spec.warnings.size(), 1U);
  EXPECT_EQ(spec.warnings[0].pointer, "/workloads/0/rate");
  EXPECT_EQ(spec.warnings[0].message,
            "the rate peaks at 900/s at 300 s, after the run's end (180 s), which sees 433.3/s "
            "at most: give a longer --duration (or /simulation/duration) to see the peak");
}

TEST(ProfileReach, ARunThatSeesThePeakIsNot) {
  // Reaching it at the run's last instant counts; so does ending in the ramp down.
  EXPECT_TRUE(load_with(R"({ "duration": "5m" })", kRamp).warnings.empty());
  EXPECT_TRUE(load_with(R"({ "duration": "9m30s" })", kRamp).warnings.empty());
  // A constant rate has no peak to miss.
  EXPECT_TRUE(load_with(R"({ "duration": "1s" })", R"({ "name": "w", "target": "api", "rate": 5 })")
                  .warnings.empty());
}

TEST(ProfileReach, UsersAndTracesToo) {
  const auto users = load_with(R"({ "duration": "30s" })", R"({ "name": "vus", "kind": "closed",
      "target": "api", "think_time": "1s",
      "users": { "start": 0, "stages": [ { "duration": "1m", "target": 100 } ] } })");
  ASSERT_EQ(users.warnings.size(), 1U);
  EXPECT_EQ(users.warnings[0].pointer, "/workloads/0/users");
  EXPECT_EQ(users.warnings[0].message.rfind("the number of users peaks at 100 at 60 s, after the "
                                            "run's end (30 s), which sees 50 at most",
                                            0),
            0U)
      << users.warnings[0].message;
  // A trace (piecewise constant): its 300/s point comes at 120 s.
  const model_test::TempDir dir("profile-reach");
  dir.write("rates.csv", "time_seconds,rate\n0,100\n60,150\n120,300\n");
  const auto trace = load_with(R"({ "duration": "100s" })", R"({ "name": "w", "target": "api",
      "rate": { "trace": "rates.csv" } })",
                               dir.path());
  ASSERT_EQ(trace.warnings.size(), 1U) << trace.warnings.size();
  EXPECT_EQ(trace.warnings[0].message.rfind("the rate peaks at 300/s at 120 s, after the run's "
                                            "end (100 s), which sees 150/s at most",
                                            0),
            0U)
      << trace.warnings[0].message;
}

}  // namespace
