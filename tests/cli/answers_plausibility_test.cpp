// Unit-plausibility warnings (issue 15): bare numbers are seconds; one that is implausible as
// seconds for its place gets a warning with the likely intended unit, and the model still runs.

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

TEST(Plausibility, BareNumbersImplausibleAsSecondsAreWarnedWithTheLikelyUnit) {
  Sandbox box;
  const RunResult r = box.run({"validate", example_model("web-peak.json").string(), "--set",
                               R"(/services/db/steps/0/work={"dist":"exponential","mean":30})",
                               "--set", "/services/lb/steps/0/work=20000", "--set",
                               "/workloads/0/timeout=5000", "--set", "/slo/latency/p99=200000"});
  EXPECT_EQ(r.status, 0) << r;  // a warning, not an error
  EXPECT_NE(r.out.find("model web-peak is valid"), std::string::npos) << r;
  const std::vector<std::string> lines = lines_of(r.err);
  ASSERT_EQ(lines.size(), 4u) << r;
  // In document order: workloads, services (lb before db), slo.
  EXPECT_EQ(lines[0],
            "warning: /workloads/0/timeout: the bare number 5000 is seconds (1.39 h), implausible "
            "for a timeout (over 1 h); if milliseconds were meant, write \"5000ms\"");
  EXPECT_EQ(lines[1],
            "warning: /services/lb/steps/0/work: the bare number 20000 is seconds (5.56 h), "
            "implausible for a service time (over 10 s); if microseconds were meant, write "
            "\"20000us\"");
  EXPECT_EQ(lines[2],
            "warning: /services/db/steps/0/work/mean: the bare number 30 is seconds (30 s), "
            "implausible for a service time (over 10 s); if milliseconds were meant, write "
            "\"30ms\"");
  EXPECT_EQ(lines[3],
            "warning: /slo/latency/p99: the bare number 200000 is seconds (55.6 h), implausible "
            "for an SLO latency limit (over 1 h); if milliseconds were meant, write \"200000ms\"");
}

TEST(Plausibility, PlausibleNumbersAndValuesWithUnitsAreNotWarned) {
  Sandbox box;
  // 30 seconds written as such, and bare numbers within the limits.
  const RunResult r =
      box.run({"validate", example_model("web-peak.json").string(), "--set",
               "/services/db/steps/0/work=\"30s\"", "--set", "/services/lb/steps/0/work=0.0001",
               "--set", "/workloads/0/timeout=3600"});
  EXPECT_EQ(r.status, 0) << r;
  EXPECT_EQ(r.err, "") << r;
}

TEST(Plausibility, ADistributionWhoseMeanIsAbsurdIsWarned) {
  // Every parameter has a unit and looks fine, but a Weibull of shape 0.01 has a mean of
  // scale x Gamma(1 + 1/0.01) = 1 ms x 99! = 9.33e154 s: the run would show no finished request.
  Sandbox box;
  const RunResult r =
      box.run({"validate", example_model("web-peak.json").string(), "--set",
               R"(/services/db/steps/0/work={"dist":"weibull","scale":"1ms","shape":0.01})"});
  EXPECT_EQ(r.status, 0) << r;
  EXPECT_EQ(r.err,
            "warning: /services/db/steps/0/work: the distribution's mean is 9.33e+154 s, "
            "implausible for work (over an hour): check its parameters\n")
      << r;
  // Steps a caller runs for a call (a cache-aside lookup's on_miss) are checked too.
  const RunResult on_miss =
      box.run({"validate", example_model("request-path-cache-aside.json").string(), "--set",
               R"(/services/api/steps/1/on_miss/1/work={"dist":"exponential","mean":"2h"})"});
  EXPECT_EQ(on_miss.err,
            "warning: /services/api/steps/1/on_miss/1/work: the distribution's mean is 7200 s, "
            "implausible for work (over an hour): check its parameters\n")
      << on_miss;
  // A heavy tail with a plausible mean is not.
  const RunResult fine =
      box.run({"validate", example_model("web-peak.json").string(), "--set",
               R"(/services/db/steps/0/work={"dist":"weibull","scale":"1ms","shape":0.3})"});
  EXPECT_EQ(fine.err, "") << fine;
}

TEST(Plausibility, NoExampleModelIsWarned) {
  for (const std::string& file : example_models()) {
    Sandbox box;
    const RunResult r = box.run({"validate", example_model(file).string()});
    EXPECT_EQ(r.status, 0) << r;
    EXPECT_EQ(r.err.find("is seconds"), std::string::npos) << r;
  }
}

TEST(Plausibility, RunPrintsTheWarningAndStillRuns) {
  Sandbox box;
  const RunResult r = box.run(quick_run(example_model("web-peak.json"),
                                        {"--set", "/workloads/0/timeout=5000", "-o", "out.json"}));
  EXPECT_EQ(r.status, 0) << r;
  EXPECT_NE(r.err.find("warning: /workloads/0/timeout: the bare number 5000 is seconds"),
            std::string::npos)
      << r;
  EXPECT_TRUE(fs::exists(box / "out.json"));
}

}  // namespace
}  // namespace capsim::cli_test
