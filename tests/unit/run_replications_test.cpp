// run_replications on the shared work pool: the same results whatever the thread count, a stop
// request or the wall-clock limit cancels running replications (RunStopped), a failure is
// rethrown, and progress is reported while it runs.

#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "capsim/model/load.hpp"
#include "capsim/net/network.hpp"
#include "capsim/run/experiment_executor.hpp"
#include "capsim/run/replications.hpp"

namespace {

namespace run = capsim::run;
using capsim::model::Spec;

Spec model(const std::string& duration, int replications, double rate = 20) {
  return capsim::model::load(capsim::model::Json::parse(R"({
    "simulation": { "duration": ")" + duration + R"(", "replications": )" +
                                                        std::to_string(replications) + R"(,
                    "seed": 5, "window": "10s" },
    "workloads": [ { "name": "w", "target": "s", "rate": )" +
                                                        std::to_string(rate) + R"( } ],
    "services": { "s": { "replicas": 2, "workers": 4,
                         "steps": [ { "work": { "dist": "exponential", "mean": "50ms" } } ] } }
  })"),
                             ".");
}

run::RunOptions on_threads(int threads) {
  run::RunOptions o;
  o.threads = threads;
  return o;
}

TEST(Replications, ResultsDoNotDependOnTheThreadCount) {
  const Spec spec = model("100s", 5);
  const run::Results one = run::run_replications(spec, on_threads(1));
  for (const int threads : {2, 4, 16}) {
    const run::Results other = run::run_replications(spec, on_threads(threads));
    ASSERT_EQ(other.metrics.size(), one.metrics.size());
    for (std::size_t i = 0; i < one.metrics.size(); ++i) {
      const auto& a = one.metrics[i].values;
      const auto& b = other.metrics[i].values;
      ASSERT_EQ(a.size(), b.size());
      for (std::size_t k = 0; k < a.size(); ++k) {
        // Bitwise, NaN included.
        EXPECT_TRUE(a[k] == b[k] || (a[k] != a[k] && b[k] != b[k]))
            << one.metrics[i].dotted() << " replication " << k << " on " << threads;
      }
    }
    EXPECT_EQ(other.performance.events, one.performance.events);
    EXPECT_EQ(other.timeseries.size(), one.timeseries.size()) << "replication 0's time series";
  }
}

TEST(Replications, AStopRequestCancelsRunningReplications) {
  // Long enough that no replication finishes before the first progress report stops the run.
  const Spec spec = model("1000000s", 3, 50);
  run::RunOptions o = on_threads(2);
  std::atomic<int> reports{0};
  o.on_progress = [&](double fraction) {
    EXPECT_GE(fraction, 0.0);
    EXPECT_LE(fraction, 1.0);
    ++reports;
    run::request_stop();  // as SIGINT would
  };
  try {
    run::run_replications(spec, o);
    ADD_FAILURE() << "expected RunStopped";
  } catch (const run::RunStopped& stopped) {
    EXPECT_EQ(stopped.reason, run::RunStopped::Reason::stop_request);
    EXPECT_EQ(stopped.finished, 0);
    EXPECT_EQ(stopped.total, 3);
    EXPECT_GT(stopped.furthest_s, 0.0);
    EXPECT_LT(stopped.furthest_s, 1000000.0);
    EXPECT_EQ(std::string(stopped.what()).rfind("stopped on request: 0 of 3 replications", 0), 0u)
        << stopped.what();
  }
  run::clear_stop();
  EXPECT_GT(reports.load(), 0);
}

TEST(Replications, AStopRequestIsIgnoredWhenNotHonoured) {
  run::request_stop();
  run::RunOptions o = on_threads(2);
  o.honour_stop_requests = false;
  EXPECT_NO_THROW(run::run_replications(model("20s", 2), o));
  run::clear_stop();
}

TEST(Replications, TheWallClockLimitCancelsRunningReplications) {
  run::RunOptions o = on_threads(2);
  o.max_wall_s = 0.05;
  try {
    run::run_replications(model("1000000s", 2, 100), o);
    ADD_FAILURE() << "expected RunStopped";
  } catch (const run::RunStopped& stopped) {
    EXPECT_EQ(stopped.reason, run::RunStopped::Reason::max_wall);
    EXPECT_EQ(std::string(stopped.what()).rfind("stopped at the wall-clock limit", 0), 0u)
        << stopped.what();
  }
}

TEST(Replications, AFailureIsRethrown) {
  // Each request visits two services: the up-front check counts at least 2 x 2000 x 2 = 8000
  // events (two per visit), but each of a request's eight work steps ends with an event of its
  // own too (at least 16,000 more): a budget of 9000 passes the check and the run fails.
  const Spec spec = capsim::model::load(capsim::model::Json::parse(R"({
    "simulation": { "duration": "100s", "replications": 3, "seed": 5 },
    "workloads": [ { "name": "w", "target": "front", "rate": 20 } ],
    "services": { "front": { "steps": [ { "work": "1ms" }, { "work": "1ms" }, { "work": "1ms" },
                                        { "work": "1ms" }, { "call": "back" } ] },
                  "back": { "steps": [ { "work": "1ms" }, { "work": "1ms" }, { "work": "1ms" },
                                       { "work": "1ms" } ] } }
  })"),
                                        ".");
  run::RunOptions o = on_threads(2);
  o.max_events = 9000;
  EXPECT_THROW(run::run_replications(spec, o), capsim::net::SimulationError);
}

TEST(Replications, AClockThatStopsFailsWithItsLikelyCauseLongBeforeTheBudget) {
  // Closed users with no think time against a service that fails every request at once (an
  // outage for the whole run): each answer sends the next request at the same instant, and the
  // clock never moves. The run stops after 8 chunks of 2^20 events at one instant, not at the
  // budget (1e9 events, minutes of CPU), and says why.
  const Spec spec = capsim::model::load(capsim::model::Json::parse(R"({
    "simulation": { "duration": "60s", "replications": 1, "seed": 5 },
    "workloads": [ { "name": "w", "kind": "closed", "target": "api", "users": 3,
                     "think_time": "0s" } ],
    "services": { "api": { "steps": [ { "work": "1ms" } ] } },
    "faults": [ { "at": "0s", "kind": "outage", "service": "api", "duration": "60s" } ]
  })"),
                                        ".");
  run::RunOptions o = on_threads(1);
  o.max_events = 1'000'000'000;
  try {
    run::run_replications(spec, o);
    FAIL() << "expected a SimulationError";
  } catch (const capsim::net::SimulationError& e) {
    EXPECT_NE(std::string(e.what()).find("the simulated clock stopped at 0s: 8388608 events"),
              std::string::npos)
        << e.what();
  }
}

TEST(Replications, ACacheRefreshTooLargeForTheEventBudgetIsRefusedUpFront) {
  // 1,000 keys every second for 100 s: 101 runs, 101,000 backend queries, at least 202,000
  // events, whatever the workload's 1 request/s. A refresh sends its queries within one event,
  // so neither --max-wall nor the event budget would stop it in time: it is checked first.
  const auto spec_for = [](const char* every) {
    capsim::model::Json doc = capsim::model::Json::parse(R"({
      "simulation": { "duration": "100s", "replications": 1, "seed": 5 },
      "workloads": [ { "name": "w", "target": "cache", "rate": 1 } ],
      "services": {
        "cache": { "kind": "cache", "backend": "db", "keys": { "count": 1000 },
                   "refresh": { "every": "1s", "keys": "all" } },
        "db": { "kind": "database", "connections": 10, "work": "1ms" } } })");
    doc["services"]["cache"]["refresh"]["every"] = every;
    return capsim::model::load(doc, ".");
  };
  run::RunOptions o = on_threads(1);
  o.max_events = 200'000;
  try {
    run::run_replications(spec_for("1s"), o);
    ADD_FAILURE() << "expected the refresh to be refused";
  } catch (const capsim::model::ModelError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("/services/cache/refresh/every: expected at most", 0), 0u)
        << e.what();
  }
  // Every 2 s: 51,000 queries, 102,000 events at least: it passes the check.
  o.max_events = 1'000'000;
  EXPECT_NO_THROW(run::run_replications(spec_for("2s"), o));
}

TEST(Replications, AClusterAutoscalerScanTooFrequentForTheEventBudgetIsRefusedUpFront) {
  // A scan every nanosecond for 2 minutes is 1.2e11 events: refused before anything runs
  // (it used to spin through the whole budget first).
  capsim::model::Json doc = capsim::model::Json::parse(R"({
    "simulation": { "duration": "2m", "replications": 1, "seed": 5 },
    "workloads": [ { "name": "w", "target": "api", "rate": 1 } ],
    "nodes": { "pools": { "p": { "cores": 4, "memory_mib": 8192, "min": 1, "max": 2,
                                 "provisioning_time": "60s" } },
               "cluster_autoscaler": { "scan_interval": "1ns" } },
    "services": { "api": { "steps": [ { "work": "1ms" } ], "pod": { "pool": "p" } } } })");
  run::RunOptions o = on_threads(1);
  o.max_events = 1'000'000;
  try {
    run::run_replications(capsim::model::load(doc, "."), o);
    ADD_FAILURE() << "expected the scan interval to be refused";
  } catch (const capsim::model::ModelError& e) {
    EXPECT_EQ(std::string(e.what()),
              "/nodes/cluster_autoscaler/scan_interval: expected at most 1e+06 events per "
              "replication (--max-events), found a cluster autoscaler scan every 1ns: about "
              "1.2e+11 scans in 2m; scan less often (Kubernetes' default is 10s), shorten "
              "/simulation/duration or raise --max-events");
  }
  // Every 10 ms: 12,001 scans: it runs.
  doc["nodes"]["cluster_autoscaler"]["scan_interval"] = "10ms";
  EXPECT_NO_THROW(run::run_replications(capsim::model::load(doc, "."), o));
}

}  // namespace
