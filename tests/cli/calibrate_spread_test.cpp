// capsim calibrate fitting the spread of a service's work as well as its scale: a model whose
// truth is known (api: lognormal work of p50 10 ms and p99 80 ms behind a single core at about
// half load) is simulated, its percentiles become the observations, and calibrating a copy whose
// api work has the wrong median (16 ms) and too light a tail (p99 60 ms) recovers both. The
// truth's spread factor relative to the start, ln(8) / ln(3.75) = 1.57, is not a step of the
// search's first simplex (a doubling), so the search must find it.

#include <cmath>
#include <cstdio>
#include <string>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

// z of the 99th percentile of the standard normal: a lognormal's p99 / p50 = exp(sigma z99).
constexpr double z99 = 2.3263478740408408;

std::string milliseconds(double ms) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.9gms", ms);
  return buffer;
}

/// api (one core: the work's mean is 10 ms e^(sigma^2 / 2) = 14.9 ms, so 35 requests a second
/// keep it about 52 % busy and requests queue) calling db (gamma work, scale only).
Json model_with(double api_p50_ms, double api_p99_ms, double db_mean_ms) {
  Json model = Json::parse(R"({
    "name": "calibrate-spread",
    "simulation": {"duration": "4m", "warmup": "30s", "replications": 2, "seed": 11},
    "workloads": [{"name": "w", "target": "api", "rate": 35}],
    "services": {
      "api": {"replicas": 1, "cores": 1, "steps": [{"work": 0}, {"call": "db"}]},
      "db": {"replicas": 1, "cores": 4, "steps": [{"work": 0}]}
    }
  })");
  model["services"]["api"]["steps"][0]["work"] = {
      {"dist", "lognormal"}, {"p50", milliseconds(api_p50_ms)}, {"p99", milliseconds(api_p99_ms)}};
  model["services"]["db"]["steps"][0]["work"] = {
      {"dist", "gamma"}, {"mean", milliseconds(db_mean_ms)}, {"cv", 0.5}};
  return model;
}

TEST(CalibrateSpread, RecoversTheMedianAndTheSpreadOfAQueuedService) {
  Sandbox box;
  write_text(box.work() / "truth.json", model_with(10.0, 80.0, 2.0).dump(2));
  const RunResult t = box.run({"run", "truth.json", "-q", "-o", "truth-results.json"});
  ASSERT_EQ(t.status, 0) << t;
  const Json truth = read_json(box.work() / "truth-results.json");
  Json observed;
  for (const std::string p : {"p50", "p95", "p99"}) {
    observed["observed"]["services"]["api"][p] =
        milliseconds(truth["services"]["api"]["latency_ms"][p]["mean"].get<double>());
  }
  observed["observed"]["services"]["db"]["p50"] =
      milliseconds(truth["services"]["db"]["latency_ms"]["p50"]["mean"].get<double>());
  write_text(box.work() / "observed.json", observed.dump(2));
  write_text(box.work() / "start.json", model_with(16.0, 60.0, 3.0).dump(2));

  const RunResult r =
      box.run({"calibrate", "start.json", "observed.json", "-o", "calibrated.json"});
  ASSERT_EQ(r.status, 0) << r;
  // Three unknowns: api's scale and spread (three percentiles), db's scale (one).
  EXPECT_NE(r.out.find("calibrate: 3 parameters, 4 targets"), std::string::npos) << r;
  EXPECT_NE(r.out.find("\nspread            1    1.57"), std::string::npos) << r;  // ln 8 / ln 3.75
  EXPECT_NE(r.out.find("/services/api/steps/0/work\n  {\"dist\":\"lognormal\""), std::string::npos)
      << r;
  const Json calibrated = read_json(box.work() / "calibrated.json");
  const Json& api = calibrated["services"]["api"]["steps"][0]["work"];
  ASSERT_EQ(api["dist"], "lognormal") << api;
  // Within 2 % of the truth: the observations are the truth's own simulation with the same seed
  // (common random numbers), so the objective is zero there; what is left is the percentiles'
  // histogram resolution (about 0.2 %) and the search's stopping size (0.1 %).
  const double sigma = api["sigma"].get<double>();
  EXPECT_NEAR(std::exp(api["mu"].get<double>()), 0.010, 0.010 * 0.02) << r;  // p50
  EXPECT_NEAR(sigma, std::log(8.0) / z99, 0.02 * std::log(8.0) / z99) << r;  // p99 / p50
  const Json& db = calibrated["services"]["db"]["steps"][0]["work"];
  ASSERT_EQ(db["dist"], "gamma") << db;
  EXPECT_NEAR(db["shape"].get<double>(), 4.0, 1e-9) << db;  // scale only: cv 0.5 kept
  EXPECT_NEAR(db["shape"].get<double>() * db["scale"].get<double>(), 0.002, 0.002 * 0.02) << db;
}

TEST(CalibrateSpread, ScaleOnlyKeepsTheSpreadAndFailsWhereItIsWrong) {
  Sandbox box;
  write_text(box.work() / "start.json", model_with(16.0, 60.0, 3.0).dump());
  // p99 / p50 = 11.4: far above what the start's work (p99 / p50 = 3.75) gives at any scale that
  // also keeps the p50 near 14 ms.
  write_text(box.work() / "obs.json",
             R"({"observed": {"services": {"api": {"p50": "14ms", "p99": "160ms"}}}})");
  const RunResult r = box.run({"calibrate", "start.json", "obs.json", "--scale-only", "--duration",
                               "1m", "-o", "out.json"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_NE(r.out.find("calibrate: 1 parameter, 2 targets"), std::string::npos) << r;
  EXPECT_EQ(r.out.find("spread"), std::string::npos) << r;
  EXPECT_NE(r.err.find("capsim: /observed/services/api/p"), std::string::npos) << r;
  EXPECT_NE(r.err.find("expected a target that calibrating work can reach within 5%"),
            std::string::npos)
      << r;
  EXPECT_FALSE(fs::exists(box.work() / "out.json"));
}

TEST(CalibrateSpread, UnreachableSpreadExit2NamingTheTargetNothingWritten) {
  Sandbox box;
  write_text(box.work() / "start.json", model_with(16.0, 60.0, 3.0).dump());
  // p99 equal to p50 at a service that queues: no work spread gives a latency without spread.
  write_text(box.work() / "obs.json",
             R"({"observed": {"services": {"api": {"p50": "20ms", "p99": "20ms"}}}})");
  const RunResult r = box.run({"calibrate", "start.json", "obs.json", "--duration", "1m",
                               "--max-evaluations", "60", "-o", "out.json"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_NE(r.out.find("calibrate: 2 parameters, 2 targets"), std::string::npos) << r;
  EXPECT_NE(r.err.find("capsim: /observed/services/api/p"), std::string::npos) << r;
  EXPECT_NE(r.err.find("nothing written"), std::string::npos) << r;
  EXPECT_FALSE(fs::exists(box.work() / "out.json"));
}

TEST(CalibrateSpread, ConstantWorkIsScaledOnlyAndSaysSo) {
  Sandbox box;
  Json model = model_with(16.0, 60.0, 3.0);
  model["services"]["db"]["steps"][0]["work"] = "3ms";
  write_text(box.work() / "start.json", model.dump());
  write_text(box.work() / "obs.json",
             R"({"observed": {"services": {"db": {"p50": "2ms", "p99": "2.0001ms"}}}})");
  const RunResult r =
      box.run({"calibrate", "start.json", "obs.json", "--duration", "1m", "-o", "out.json"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("calibrate: 1 parameter, 2 targets"), std::string::npos) << r;
  EXPECT_NE(r.out.find("note: db's work (constant or hyperexponential) has no spread to fit: "
                       "scaled only\n"),
            std::string::npos)
      << r;
  // Constant work at a lightly loaded service: the latency is the work, 2 ms.
  const Json out = read_json(box.work() / "out.json");
  EXPECT_NEAR(out["services"]["db"]["steps"][0]["work"].get<double>(), 0.002, 0.002 * 0.01) << r;
}

}  // namespace
}  // namespace capsim::cli_test
