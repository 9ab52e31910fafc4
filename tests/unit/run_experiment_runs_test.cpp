// Running experiments: the executor (one pool for points x replications, deterministic, stops
// cleanly), summaries carried exactly between processes, sweep rows, checkpoints and resuming,
// paired differences and their verdicts.

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "capsim/net/network.hpp"
#include "capsim/run/experiment.hpp"
#include "capsim/run/experiment_compare.hpp"
#include "capsim/run/experiment_executor.hpp"
#include "capsim/run/experiment_sweep.hpp"

namespace {

namespace fs = std::filesystem;
namespace run = capsim::run;
using capsim::model::Spec;
using run::Json;

Spec small_model(double rate) {
  return capsim::model::load(Json::parse(R"({
    "simulation": { "duration": "200s", "warmup": "20s", "replications": 4, "seed": 3 },
    "workloads": [ { "name": "w", "target": "s", "rate": )" +
                                         std::to_string(rate) + R"( } ],
    "services": { "s": { "replicas": 2, "workers": 1, "load_balancer": { "policy": "random" },
                         "steps": [ { "work": { "dist": "exponential", "mean": "100ms" } } ] } },
    "slo": { "latency": { "p99": "2s" } }
  })"),
                             ".");
}

std::vector<run::Task> grid(std::size_t specs, std::uint64_t reps) {
  std::vector<run::Task> tasks;
  for (std::size_t s = 0; s < specs; ++s) {
    for (std::uint64_t r = 0; r < reps; ++r) tasks.push_back({s, r});
  }
  return tasks;
}

TEST(ThreadExecutor, SummariesDoNotDependOnTheThreadCount) {
  const std::vector<Spec> specs{small_model(5), small_model(12)};
  const auto tasks = grid(2, 4);
  run::ThreadExecutor one(1), three(3);
  const auto a = one.run(specs, tasks);
  const auto b = three.run(specs, tasks);
  ASSERT_EQ(a.size(), 8u);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(run::serialize(a[i]), run::serialize(b[i])) << "task " << i;
  }
  // And each equals net::simulate of that replication (the same path as capsim run).
  capsim::net::ReplicationOptions ro;
  ro.replication = 2;
  EXPECT_EQ(run::serialize(a[6]), run::serialize(capsim::net::simulate(specs[1], ro)));
  // Replication r of both points draws the same arrivals (CRN): same seeds, different rates.
  EXPECT_NE(run::serialize(a[0]), run::serialize(a[4]));
}

TEST(ThreadExecutor, ReportsEveryTaskOnceAndProgress) {
  const std::vector<Spec> specs{small_model(5)};
  const auto tasks = grid(1, 6);
  std::vector<int> seen(6, 0);
  std::atomic<int> progress_calls{0};
  run::ExecuteCallbacks cb;
  cb.on_done = [&](std::size_t i, const capsim::stats::Summary&) { ++seen.at(i); };
  cb.on_progress = [&](double f) {
    EXPECT_GE(f, 0.0);
    EXPECT_LE(f, 1.0);
    ++progress_calls;
  };
  run::ThreadExecutor(2).run(specs, tasks, cb);
  EXPECT_EQ(seen, std::vector<int>(6, 1));
}

TEST(ThreadExecutor, AStopRequestEndsWithInterrupted) {
  const std::vector<Spec> specs{small_model(5)};
  const auto tasks = grid(1, 6);
  int done = 0;
  run::ExecuteCallbacks cb;
  cb.on_done = [&](std::size_t, const capsim::stats::Summary&) {
    ++done;
    run::request_stop();  // as SIGINT would, after the first finished task
  };
  EXPECT_THROW(run::ThreadExecutor(1).run(specs, tasks, cb), run::Interrupted);
  run::clear_stop();
  EXPECT_EQ(done, 1) << "no task starts after the stop";
}

TEST(ThreadExecutor, NoTasksNoSummaries) {
  EXPECT_TRUE(run::ThreadExecutor(2).run({small_model(5)}, {}).empty());
}

TEST(Serialize, SummariesTravelExactly) {
  capsim::stats::Summary s;
  s.metrics.push_back(
      {{"workloads", "w", "latency_ms", "p99"}, 0.1 + 0.2, capsim::stats::Merge::estimate});
  s.metrics.push_back({{"services", "s", "saturated"}, 1.0, capsim::stats::Merge::max});
  s.metrics.push_back({{"x"}, std::numeric_limits<double>::quiet_NaN(), capsim::stats::Merge::min});
  s.notices = {"service 's' saturated at t = 3 s", ""};
  s.events = 123456789012345ULL;
  s.measured_s = 1.0 / 3.0;
  const capsim::stats::Summary t = run::deserialize(run::serialize(s));
  ASSERT_EQ(t.metrics.size(), 3u);
  EXPECT_EQ(t.metrics[0].path, s.metrics[0].path);
  EXPECT_EQ(t.metrics[0].value, 0.1 + 0.2);
  EXPECT_EQ(t.metrics[1].merge, capsim::stats::Merge::max);
  EXPECT_TRUE(std::isnan(t.metrics[2].value));
  EXPECT_EQ(t.notices, s.notices);
  EXPECT_EQ(t.events, s.events);
  EXPECT_EQ(t.measured_s, s.measured_s);
  EXPECT_THROW(run::deserialize("nonsense"), std::runtime_error);
  std::string cut = run::serialize(s);
  cut.pop_back();
  EXPECT_THROW(run::deserialize(cut), std::runtime_error);
}

TEST(Serialize, FailuresTravelWithTheirKind) {
  const run::TaskFailure sim =
      run::describe_failure(std::make_exception_ptr(capsim::net::SimulationError(12.5, "boom")));
  EXPECT_EQ(sim.kind, 1);
  EXPECT_EQ(sim.what, "boom");
  try {
    run::rethrow_failure(sim);
  } catch (const capsim::net::SimulationError& e) {
    EXPECT_EQ(e.time_s(), 12.5);
    EXPECT_EQ(std::string(e.what()), capsim::net::SimulationError(12.5, "boom").what());
  }
  const run::TaskFailure other =
      run::describe_failure(std::make_exception_ptr(std::runtime_error("x")));
  EXPECT_EQ(other.kind, 2);
  EXPECT_THROW(run::rethrow_failure(other), std::runtime_error);
  EXPECT_EQ(run::describe_failure(nullptr).kind, 0);
}

// ---- Sweeps -----------------------------------------------------------------------------------

class SweepFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("capsim-sweep-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "model.json") << R"({
      "simulation": { "duration": "100s", "warmup": "10s", "replications": 3, "seed": 5 },
      "workloads": [ { "name": "w", "target": "s", "rate": 5 } ],
      "services": { "s": { "workers": 1, "steps": [ { "work": { "dist": "exponential", "mean": "100ms" } } ] } },
      "slo": { "latency": { "p99": "1s" } }
    })";
    experiment_ = run::parse_experiment(Json::parse(R"({ "kind": "sweep", "model": "model.json",
        "parameters": [ { "pointer": "/workloads/0/rate", "values": [2, 4, 6, 8] } ],
        "metrics": [ "workloads.w.latency_ms.p99", "services.s.cpu_utilization",
                     "services.s.replicas.max" ] })"),
                                        dir_ / "exp.json");
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  fs::path dir_;
  run::Experiment experiment_;
};

TEST_F(SweepFiles, RowsAndCsv) {
  run::ThreadExecutor executor(2);
  const run::SweepResult r = run::run_sweep(experiment_, executor);
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.resumed, 0u);
  for (std::size_t p = 0; p < 4; ++p) {
    EXPECT_EQ(r.rows[p].point, p);
    ASSERT_EQ(r.rows[p].metrics.size(), 3u);
    EXPECT_TRUE(r.rows[p].metrics[0].defined);
    EXPECT_EQ(r.rows[p].metrics[0].n, 3);
    EXPECT_TRUE(r.rows[p].metrics[0].ci_lo.has_value());
    EXPECT_FALSE(r.rows[p].metrics[2].ci_lo.has_value()) << "a max metric has no interval";
    EXPECT_EQ(r.rows[p].metrics[2].mean, 1.0);
  }
  // Utilisation grows with the rate: about rate x 0.1.
  EXPECT_NEAR(r.rows[3].metrics[1].mean, 0.8, 0.05);
  EXPECT_TRUE(*r.rows[0].slo_met);
  EXPECT_FALSE(*r.rows[3].slo_met) << "p99 of M/M/1 at 80% is 2.3 s";
  const std::string csv = run::sweep_csv(experiment_, r);
  const std::string header = csv.substr(0, csv.find('\n'));
  EXPECT_EQ(header,
            "/workloads/0/rate,workloads.w.latency_ms.p99.mean,workloads.w.latency_ms.p99.ci_lo,"
            "workloads.w.latency_ms.p99.ci_hi,services.s.cpu_utilization.mean,"
            "services.s.cpu_utilization.ci_lo,services.s.cpu_utilization.ci_hi,"
            "services.s.replicas.max.mean,services.s.replicas.max.ci_lo,"
            "services.s.replicas.max.ci_hi,slo_met,notices");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
  // The first point meets the SLO, the last does not; no notices.
  const std::vector<std::string> lines = [&csv] {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < csv.size()) {
      const std::size_t end = csv.find('\n', at);
      out.push_back(csv.substr(at, end - at));
      at = end + 1;
    }
    return out;
  }();
  EXPECT_TRUE(lines[1].ends_with(",true,")) << lines[1];
  EXPECT_TRUE(lines[4].ends_with(",false,")) << lines[4];
  EXPECT_NE(csv.find("\n8,"), std::string::npos);
  const Json j = run::sweep_json(experiment_, r);
  EXPECT_EQ(j["kind"], "sweep");
  EXPECT_EQ(j["points"].size(), 4u);
  EXPECT_EQ(j["points"][2]["parameters"]["/workloads/0/rate"], 6);
  EXPECT_TRUE(j["points"][2]["metrics"]["services.s.cpu_utilization"]["ci"].is_array());
}

TEST_F(SweepFiles, CheckpointsReadBackExactlyAndResumeGivesTheSameRows) {
  run::ThreadExecutor executor(2);
  const run::SweepResult full = run::run_sweep(experiment_, executor);
  const fs::path checkpoint = dir_ / "out.csv.partial";
  // Keep two rows, as an interrupted sweep would have.
  std::ofstream(checkpoint) << run::checkpoint_text(experiment_, {full.rows[1], full.rows[3]});
  const auto back = run::read_checkpoint(experiment_, checkpoint);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].metrics[0].mean, full.rows[1].metrics[0].mean);
  EXPECT_EQ(*back[1].metrics[1].ci_hi, *full.rows[3].metrics[1].ci_hi);
  run::SweepOptions options;
  options.checkpoint = checkpoint;
  options.resume = true;
  std::vector<std::size_t> progress_points;
  const run::SweepResult resumed = run::run_sweep(experiment_, executor, options);
  EXPECT_EQ(resumed.resumed, 2u);
  EXPECT_EQ(run::sweep_csv(experiment_, resumed), run::sweep_csv(experiment_, full));
  EXPECT_EQ(run::sweep_json(experiment_, resumed).dump(),
            run::sweep_json(experiment_, full).dump());
  // The checkpoint now holds every row.
  EXPECT_EQ(run::read_checkpoint(experiment_, checkpoint).size(), 4u);
}

TEST_F(SweepFiles, ACheckpointOfAnotherExperimentIsRefused) {
  const fs::path checkpoint = dir_ / "x.partial";
  std::string text = run::checkpoint_text(experiment_, {});
  text.replace(text.find(experiment_.fingerprint), experiment_.fingerprint.size(),
               std::string(experiment_.fingerprint.size(), '0'));
  std::ofstream(checkpoint) << text;
  try {
    run::read_checkpoint(experiment_, checkpoint);
    FAIL() << "accepted";
  } catch (const capsim::model::ModelError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--resume: '" + checkpoint.string() +
                  "' was written for another experiment, model or options; delete it or run "
                  "without --resume");
  }
  std::ofstream(checkpoint, std::ios::trunc) << "{\"capsim_checkpoint\": \"sweep\", ";
  EXPECT_THROW(run::read_checkpoint(experiment_, checkpoint), capsim::model::ModelError);
}

TEST_F(SweepFiles, AnInterruptedSweepKeepsItsFinishedRows) {
  run::ThreadExecutor executor(1);
  run::SweepOptions options;
  options.checkpoint = dir_ / "out.json.partial";
  options.on_progress = [](double, std::size_t done, std::size_t) {
    if (done >= 2) run::request_stop();
  };
  // The stop comes from the progress thread after two rows; with one thread the sweep stops
  // between tasks.
  try {
    run::run_sweep(experiment_, executor, options);
  } catch (const run::Interrupted&) {
  }
  run::clear_stop();
  const auto kept = run::read_checkpoint(experiment_, options.checkpoint);
  EXPECT_GE(kept.size(), 1u);
  options.resume = true;
  options.on_progress = nullptr;
  const run::SweepResult resumed = run::run_sweep(experiment_, executor, options);
  const run::SweepResult fresh = run::run_sweep(experiment_, executor);
  EXPECT_EQ(run::sweep_csv(experiment_, resumed), run::sweep_csv(experiment_, fresh));
}

// ---- Paired differences -----------------------------------------------------------------------

TEST(PairedDifference, VerdictKnowsWhichWayIsBetter) {
  const std::vector<double> base{10, 11, 12, 13, 14};
  const std::vector<double> lower{9, 10.1, 10.9, 12, 13.1};  // about -1, consistently
  const auto d = run::paired_difference(lower, base, 0.95, run::Better::lower);
  EXPECT_NEAR(d.estimate.mean, -0.98, 1e-9);
  EXPECT_EQ(d.verdict, run::Verdict::better);
  EXPECT_EQ(run::paired_difference(lower, base, 0.95, run::Better::higher).verdict,
            run::Verdict::worse);
  EXPECT_EQ(run::paired_difference(lower, base, 0.95, run::Better::neither).verdict,
            run::Verdict::lower);
  EXPECT_EQ(run::paired_difference(base, lower, 0.95, run::Better::neither).verdict,
            run::Verdict::higher);
  const std::vector<double> noisy{12, 9, 14, 11, 15};
  EXPECT_EQ(run::paired_difference(noisy, base, 0.95, run::Better::lower).verdict,
            run::Verdict::no_difference);
  EXPECT_EQ(run::paired_difference(base, base, 0.95, run::Better::lower).verdict,
            run::Verdict::no_difference);
  EXPECT_STREQ(run::verdict_name(run::Verdict::no_difference), "no significant difference");
  // A variant without the metric (its database has no read replicas, say): nothing compared, so
  // no claim of "no significant difference" (it said so).
  const std::vector<double> missing(5, std::nan(""));
  EXPECT_EQ(run::paired_difference(missing, base, 0.95, run::Better::neither).verdict,
            run::Verdict::undefined);
  const std::vector<double> one{std::nan(""), std::nan(""), 10.9, std::nan(""), std::nan("")};
  EXPECT_EQ(run::paired_difference(one, base, 0.95, run::Better::lower).verdict,
            run::Verdict::undefined);
  EXPECT_STREQ(run::verdict_name(run::Verdict::undefined), "undefined");
  // Replications where either value is undefined are left out of the pairs.
  const std::vector<double> gaps{9, std::nan(""), 10.9, 12, 13.1};
  EXPECT_EQ(run::paired_difference(gaps, base, 0.95, run::Better::lower).estimate.n, 4);
}

}  // namespace
