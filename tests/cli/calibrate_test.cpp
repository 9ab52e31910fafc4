// capsim calibrate end to end, scale factors only (--scale-only; calibrate_spread_test.cpp fits
// the spread too): a model whose true work is known is simulated, its percentiles become the
// observations, and calibrating a copy with every work scaled recovers the truth;
// bad observations exit 2 naming their place, nothing written. The factors of the perturbation
// (1.7, 2.6) are not steps of the search's first simplex (powers of 2), so the search must find
// them.

#include <cmath>
#include <cstdio>
#include <string>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

// Two services, api calling db, at about 20 % utilisation. The fixed seed makes every
// calibration simulation use the same random numbers (common random numbers).
constexpr const char* truth_model = R"({
  "name": "calibrate-truth",
  "simulation": {"duration": "4m", "warmup": "30s", "replications": 2, "seed": 7},
  "workloads": [{"name": "w", "target": "api", "rate": 40}],
  "services": {
    "api": {"replicas": 2, "cores": 2,
            "steps": [{"work": {"dist": "lognormal", "p50": "4ms", "p99": "20ms"}},
                      {"call": "db"}]},
    "db": {"replicas": 1, "cores": 4,
           "steps": [{"work": {"dist": "gamma", "mean": "2ms", "cv": 0.5}}]}
  }
})";

std::string milliseconds(double ms) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.9gms", ms);
  return buffer;
}

/// The truth's percentiles as an observations file.
Json observed_from_truth(Sandbox& box) {
  write_text(box.work() / "truth.json", truth_model);
  const RunResult r = box.run({"run", "truth.json", "-q", "-o", "truth-results.json"});
  EXPECT_EQ(r.status, 0) << r;
  const Json results = read_json(box.work() / "truth-results.json");
  Json observed;
  for (const std::string service : {"api", "db"}) {
    for (const std::string p : {"p50", "p99"}) {
      observed["observed"]["services"][service][p] =
          milliseconds(results["services"][service]["latency_ms"][p]["mean"].get<double>());
    }
  }
  return observed;
}

/// The truth with the work of api multiplied by `api_factor`, that of db by `db_factor`.
Json perturbed_model(double api_factor, double db_factor) {
  Json model = Json::parse(truth_model);
  model["services"]["api"]["steps"][0]["work"] = {{"dist", "lognormal"},
                                                  {"p50", milliseconds(4.0 * api_factor)},
                                                  {"p99", milliseconds(20.0 * api_factor)}};
  model["services"]["db"]["steps"][0]["work"] = {
      {"dist", "gamma"}, {"mean", milliseconds(2.0 * db_factor)}, {"cv", 0.5}};
  return model;
}

TEST(CalibrateCommand, RecoversTheWorkOfAModelWhoseTruthIsKnown) {
  Sandbox box;
  write_text(box.work() / "observed.json", observed_from_truth(box).dump(2));
  write_text(box.work() / "start.json", perturbed_model(1.7, 2.6).dump(2));
  const RunResult r = box.run(
      {"calibrate", "start.json", "observed.json", "--scale-only", "-o", "calibrated.json"});
  ASSERT_EQ(r.status, 0) << r;
  const Json calibrated = read_json(box.work() / "calibrated.json");
  // Within 1 % of the truth (the percentiles come from histograms of about 0.2 % resolution; the
  // search ends within 0.2 % of it).
  const Json& api = calibrated["services"]["api"]["steps"][0]["work"];
  EXPECT_EQ(api["dist"], "lognormal") << api;
  EXPECT_NEAR(std::exp(api["mu"].get<double>()), 0.004, 0.004 * 0.01) << api;  // p50
  EXPECT_NEAR(api["sigma"].get<double>(), std::log(5.0) / 2.3263478740408408, 1e-9) << api;
  const Json& db = calibrated["services"]["db"]["steps"][0]["work"];
  EXPECT_EQ(db["dist"], "gamma") << db;
  EXPECT_NEAR(db["shape"].get<double>(), 4.0, 1e-9) << db;  // cv 0.5 kept
  EXPECT_NEAR(db["shape"].get<double>() * db["scale"].get<double>(), 0.002, 0.002 * 0.01) << db;
  // The residual table names every target.
  EXPECT_NE(r.out.find("services.api.latency_ms.p99"), std::string::npos) << r;
  EXPECT_NE(r.out.find("services.db.latency_ms.p50"), std::string::npos) << r;
  // The calibrated model runs and reproduces the observations.
  const RunResult again = box.run({"run", "calibrated.json", "-q", "-o", "again.json"});
  ASSERT_EQ(again.status, 0) << again;
  const Json truth = read_json(box.work() / "truth-results.json");
  const Json now = read_json(box.work() / "again.json");
  for (const std::string service : {"api", "db"}) {
    for (const std::string p : {"p50", "p99"}) {
      const double t = truth["services"][service]["latency_ms"][p]["mean"].get<double>();
      EXPECT_NEAR(now["services"][service]["latency_ms"][p]["mean"].get<double>(), t, 0.01 * t)
          << service << " " << p;
    }
  }
}

TEST(CalibrateCommand, EndToEndTargetsScaleEveryServiceTogether) {
  Sandbox box;
  write_text(box.work() / "truth.json", truth_model);
  const RunResult t = box.run({"run", "truth.json", "-q", "-o", "truth-results.json"});
  ASSERT_EQ(t.status, 0) << t;
  const Json results = read_json(box.work() / "truth-results.json");
  Json observed;
  observed["observed"]["end_to_end"]["p50"] =
      milliseconds(results["workloads"]["w"]["latency_ms"]["p50"]["mean"].get<double>());
  write_text(box.work() / "observed.json", observed.dump());
  write_text(box.work() / "start.json", perturbed_model(1.7, 1.7).dump());
  const RunResult r = box.run({"calibrate", "start.json", "observed.json", "-o", "out.json"});
  ASSERT_EQ(r.status, 0) << r;
  // One factor for both services ("others"): the truth is every work divided by 1.7.
  const Json calibrated = read_json(box.work() / "out.json");
  const Json& api = calibrated["services"]["api"]["steps"][0]["work"];
  EXPECT_NEAR(std::exp(api["mu"].get<double>()), 0.004, 0.004 * 0.01) << r;
  EXPECT_NE(r.out.find("api, db"), std::string::npos) << r;
}

TEST(CalibrateCommand, TheBudgetCountsEverySimulationAndSetIsSimulatedAndWritten) {
  Sandbox box;
  write_text(box.work() / "observed.json", observed_from_truth(box).dump(2));
  write_text(box.work() / "start.json", perturbed_model(1.7, 2.6).dump(2));
  // --max-evaluations 8 reported "after 9 simulations": the best point was simulated again.
  const RunResult r =
      box.run({"calibrate", "start.json", "observed.json", "--scale-only", "--max-evaluations", "8",
               "--tolerance", "10", "--set", "/services/db/replicas=2", "-o", "out.json"});
  ASSERT_EQ(r.status, 0) << r;
  const auto count_at = r.out.find(" simulations (seed");
  ASSERT_NE(count_at, std::string::npos) << r;
  const auto count_from = r.out.rfind(", ", count_at) + 2;
  const int simulations = std::stoi(r.out.substr(count_from, count_at - count_from));
  EXPECT_GE(simulations, 2) << r;
  EXPECT_LE(simulations, 8) << r;
  // --set changes the model that is calibrated and written, as if the file had it.
  EXPECT_EQ(read_json(box.work() / "out.json")["services"]["db"]["replicas"], 2);
  // A --duration that the model's warm-up does not fit is named as the flag's doing.
  const RunResult short_run = box.run(
      {"calibrate", "start.json", "observed.json", "--duration", "20s", "-o", "short.json"});
  EXPECT_EQ(short_run.status, 2) << short_run;
  EXPECT_NE(short_run.err.find("/simulation/warmup: expected a warm-up shorter than the "
                               "duration (20 s), found 30 s"),
            std::string::npos)
      << short_run;
  EXPECT_NE(short_run.err.find("the duration is --duration 20s"), std::string::npos) << short_run;
  EXPECT_FALSE(fs::exists(box.work() / "short.json"));
  const RunResult run_short = box.run({"run", "start.json", "--duration", "20s", "-q"});
  EXPECT_EQ(run_short.status, 2) << run_short;
  EXPECT_NE(run_short.err.find("the duration is --duration 20s"), std::string::npos) << run_short;
}

struct BadCase {
  std::string observed;
  std::string err;
};

TEST(CalibrateCommand, BadObservationsExit2NamingThePlaceNothingWritten) {
  Sandbox box;
  write_text(box.work() / "m.json", truth_model);
  const std::vector<BadCase> cases = {
      {R"({"observed": {"services": {"dbb": {"p50": "2ms"}}}})",
       "capsim: /observed/services/dbb: expected a service of the model (api, db), found 'dbb'; "
       "did you mean 'db'? (obs.json: line 1, column 35)\n"},
      {R"({"observed": {"services": {"db": {"p90": "2ms"}}}})",
       "capsim: /observed/services/db/p90: expected a percentile the results have (p50, p95, "
       "p99), found 'p90' (obs.json: line 1, column 42)\n"},
      {R"({"observed": {"services": {"db": {"p99": "2ms", "p50": "3ms"}}}})",
       "capsim: /observed/services/db/p99: expected percentiles that do not decrease: p99 is "
       "2ms, below p50 (3ms) (obs.json: line 1, column 42)\n"},
      {R"({"observed": {"end_to_end": {"p50": 40}}})",
       "capsim: /observed/end_to_end/p50: expected a positive duration such as \"40ms\", found "
       "40 (obs.json: line 1, column 37)\n"},
      {R"({"observed": {"services": {"db": {"p50": "1e300s"}}}})",
       "capsim: /observed/services/db/p50: expected a latency from 1 ns to 1 year, found "
       "\"1e300s\" (obs.json: line 1, column 42)\n"},
      {R"({"observed": {"service": {}}})",
       "capsim: /observed/service: unknown key; did you mean 'services'? (obs.json: line 1, "
       "column 26)\n"},
  };
  for (const BadCase& c : cases) {
    write_text(box.work() / "obs.json", c.observed);
    const RunResult r = box.run({"calibrate", "m.json", "obs.json", "-o", "out.json"});
    EXPECT_EQ(r.status, 2) << r;
    EXPECT_EQ(r.err, c.err) << r;
    EXPECT_FALSE(fs::exists(box.work() / "out.json"));
  }
}

TEST(CalibrateCommand, YamlObservationsNameLineAndColumn) {
  Sandbox box;
  write_text(box.work() / "m.json", truth_model);
  write_text(box.work() / "obs.yaml",
             "observed:\n  services:\n    db:\n      p50: 2ms\n"
             "      p95: 1ms\n");
  const RunResult r = box.run({"calibrate", "m.json", "obs.yaml"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_EQ(r.err,
            "capsim: /observed/services/db/p95: expected percentiles that do not decrease: p95 "
            "is 1ms, below p50 (2ms) (obs.yaml: line 5, column 12)\n");
}

TEST(CalibrateCommand, UnreachableTargetExit2AfterTheSearchNothingWritten) {
  Sandbox box;
  write_text(box.work() / "m.json", truth_model);
  // A p99 barely above the p50: no scale factor changes the ratio of a lognormal's percentiles.
  write_text(box.work() / "obs.json",
             R"({"observed": {"services": {"db": {"p50": "2ms", "p99": "2.1ms"}}}})");
  const RunResult r =
      box.run({"calibrate", "m.json", "obs.json", "--scale-only", "-o", "out.json"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_NE(r.err.find("capsim: /observed/services/db/"), std::string::npos) << r;
  EXPECT_NE(r.err.find("expected a target that calibrating work can reach within 5%"),
            std::string::npos)
      << r;
  EXPECT_FALSE(fs::exists(box.work() / "out.json"));
}

}  // namespace
}  // namespace capsim::cli_test
