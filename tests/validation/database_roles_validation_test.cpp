// A database with read replicas (docs/results-format.md, `primary.*`): writes go
// to the primary, reads to the read replicas, so the service's mean utilisation can hide a
// saturated side. The primary's and the read replicas' utilisations are reported apart.
//
// Hand calculation: 4 connections and 4 cores per node, exponential 10 ms queries, 2 read
// replicas. 200 reads/s over 2 read replicas: 100/s x 0.010 s = 1 busy connection of 4 on each,
// 25%; 240 writes/s on the primary: 2.4 of 4, 60%; the service's mean over its 3 nodes is
// (1 + 1 + 2.4) / 12 = 36.7%. With cores = connections a query never waits for a core, so cpu
// and connection utilisation are the same.

#include "capsim/run/results_io.hpp"
#include "validation_support.hpp"

namespace capsim::validation {
namespace {

// Readers and writers calling a database with 2 read replicas (both models below).
const std::string kServices = R"(
  "services": {
    "reader": { "replicas": 2, "cores": 4, "workers": 64,
                "steps": [ { "call": "db", "op": "read" } ] },
    "writer": { "replicas": 2, "cores": 4, "workers": 64,
                "steps": [ { "call": "db", "op": "write" } ] },
    "db": { "kind": "database", "connections": 4, "cores": 4, "read_replicas": 2,
            "work": { "dist": "exponential", "mean": "10ms" } }
  }
})";

const std::string kModel = R"({
  "simulation": { "duration": "1000s", "warmup": "50s", "replications": 4, "seed": 11 },
  "workloads": [ { "name": "reads", "target": "reader", "rate": 200 },
                 { "name": "writes", "target": "writer", "rate": 240 } ],
  )" + kServices;

TEST(DatabaseRoles, PrimaryAndReadReplicasAreReportedApart) {
  const run::Results r = run_model(kModel);
  EXPECT_TRUE(covers(metric(r, "services.db.primary.worker_utilization"), 0.60));
  EXPECT_TRUE(covers(metric(r, "services.db.primary.cpu_utilization"), 0.60));
  EXPECT_TRUE(covers(metric(r, "services.db.read_replicas.worker_utilization"), 0.25));
  EXPECT_TRUE(covers(metric(r, "services.db.read_replicas.cpu_utilization"), 0.25));
  // The whole service's mean is what it was: over all three nodes.
  EXPECT_TRUE(covers(metric(r, "services.db.worker_utilization"), 4.4 / 12.0));
  EXPECT_TRUE(covers(metric(r, "services.db.cpu_utilization"), 4.4 / 12.0));
}

TEST(DatabaseRoles, OnlyADatabaseWithReadReplicasHasThem) {
  std::string model = kModel;
  model.replace(model.find(R"("read_replicas": 2)"), 18, R"("read_replicas": 0)");
  model.replace(model.find(R"("rate": 200)"), 11, R"("rate": 100)");
  const run::Results r = run_model(model);
  EXPECT_EQ(r.find("services.db.primary.cpu_utilization"), nullptr);
  EXPECT_EQ(r.find("services.db.read_replicas.cpu_utilization"), nullptr);
  EXPECT_EQ(run::timeseries_csv(r).find("primary_cpu_utilization"), std::string::npos);
  // One node takes every query: 340/s x 0.010 s = 3.4 of 4 connections.
  EXPECT_TRUE(covers(metric(r, "services.db.worker_utilization"), 0.85));
}

// The reads triple at 500 s; the writes stay. Hand calculation, as above: before, 100 reads/s
// over 2 read replicas, 0.5 of 4 connections each (12.5%); after, 300/s, 1.5 of 4 (37.5%); the
// primary's 120 writes/s, 1.2 of 4 (30%) throughout. In the busy phase the service's mean over
// its 3 nodes is (1.5 + 1.5 + 1.2) / 12 = 35%: below the read replicas' 37.5%, which the
// phases' and peaks' figures show apart.
const std::string kPhasedModel = R"({
  "simulation": { "duration": "1000s", "warmup": "50s", "replications": 4, "seed": 12,
                  "window": "50s",
                  "phases": [ { "name": "quiet", "from": "100s", "to": "500s" },
                              { "name": "busy", "from": "550s", "to": "1000s" } ] },
  "workloads": [ { "name": "reads", "target": "reader",
                   "rate": { "start": 100, "stages": [ { "duration": "500s", "target": 100 },
                                                       { "duration": "0s", "target": 300 } ] } },
                 { "name": "writes", "target": "writer", "rate": 120 } ],
  )" + kServices;

// Read replicas that crash 3 ms into a window served a sliver of it: that window is no peak of
// theirs (at the load of its first milliseconds it could read anything), so their peak is that
// of the windows they served, and null once they served none.
TEST(DatabaseRoles, ASideDownMostOfAWindowHasNoPeakThere) {
  std::string model = kPhasedModel;
  model.replace(model.find(R"("workloads")"), 11,
                R"("faults": [ { "at": "600.003s", "kind": "crash", "service": "db",
                                  "replicas": 2 } ],
  "workloads")");
  const run::Results r = run_model(model);
  // Windows of 50 s: the read replicas served [50 s, 600 s) whole, at 12.5% then 37.5%.
  const double readers_peak = metric(r, "services.db.peak.read_replicas.cpu_utilization").mean;
  EXPECT_GE(readers_peak, 0.375 - 0.005);
  EXPECT_LE(readers_peak, 0.375 + 0.04);
  // In the busy phase (550 s to the end) they served 50 s of 450: their figure is over that.
  EXPECT_TRUE(covers(metric(r, "phases.busy.services.db.read_replicas.cpu_utilization"), 0.375));
  // Crashing them all from the start: no window of theirs, no peak; the primary's stays.
  std::string gone = kPhasedModel;
  gone.replace(gone.find(R"("workloads")"), 11,
               R"("faults": [ { "at": "0.5s", "kind": "crash", "service": "db", "replicas": 2 } ],
  "workloads")");
  const run::Results g = run_model(gone);
  EXPECT_EQ(metric(g, "services.db.peak.read_replicas.cpu_utilization").n, 0U);
  EXPECT_EQ(metric(g, "phases.busy.services.db.read_replicas.cpu_utilization").n, 0U);
  EXPECT_GT(metric(g, "services.db.peak.primary.cpu_utilization").n, 0U);
}

TEST(DatabaseRoles, PhasesAndPeaksReportEachSide) {
  const run::Results r = run_model(kPhasedModel);
  EXPECT_TRUE(
      covers(metric(r, "phases.quiet.services.db.read_replicas.worker_utilization"), 0.125));
  EXPECT_TRUE(covers(metric(r, "phases.quiet.services.db.read_replicas.cpu_utilization"), 0.125));
  EXPECT_TRUE(covers(metric(r, "phases.busy.services.db.read_replicas.worker_utilization"), 0.375));
  EXPECT_TRUE(covers(metric(r, "phases.busy.services.db.read_replicas.cpu_utilization"), 0.375));
  for (const char* phase : {"quiet", "busy"}) {
    const std::string at = std::string("phases.") + phase + ".services.db.primary.";
    EXPECT_TRUE(covers(metric(r, at + "worker_utilization"), 0.30)) << phase;
    EXPECT_TRUE(covers(metric(r, at + "cpu_utilization"), 0.30)) << phase;
  }
  EXPECT_TRUE(covers(metric(r, "phases.busy.services.db.cpu_utilization"), 4.2 / 12.0));
  // Peaks: the busiest 50 s window of each side. A maximum of window means lies a little above
  // the mean load (by the windows' noise: about 1% of the utilisation here), never below it.
  const double readers_peak = metric(r, "services.db.peak.read_replicas.cpu_utilization").mean;
  EXPECT_GE(readers_peak, 0.375 - 0.005);
  EXPECT_LE(readers_peak, 0.375 + 0.03);
  const double primary_peak = metric(r, "services.db.peak.primary.cpu_utilization").mean;
  EXPECT_GE(primary_peak, 0.30 - 0.005);
  EXPECT_LE(primary_peak, 0.30 + 0.03);
  const double mean_peak = metric(r, "services.db.peak.cpu_utilization").mean;
  EXPECT_LT(mean_peak, readers_peak);  // the mean over all nodes hides the read replicas' peak

  // The summary shows the sides under the database in the peaks table, and the phases' busiest
  // cpu names the read replicas, busier than the database's mean.
  const std::string table = run::summary_table(r);
  const std::size_t peaks = table.find("peak (50 s window)");
  ASSERT_NE(peaks, std::string::npos) << table;
  EXPECT_NE(table.find("\n  primary ", peaks), std::string::npos) << table;
  EXPECT_NE(table.find("\n  read replicas ", peaks), std::string::npos) << table;
  EXPECT_NE(table.find("db read replicas 37."), std::string::npos) << table;

  // The time series too: each side's cpu per window, beside the mean over the nodes. Over the
  // busy windows (from 550 s) they average the hand calculation's 37.5% and 30%.
  double readers_sum = 0.0, primary_sum = 0.0;
  int windows = 0;
  for (const stats::TimeSeriesRow& row : r.timeseries) {
    if (row.service != "db") continue;
    ASSERT_TRUE(row.primary_cpu_utilization.has_value());
    ASSERT_TRUE(row.read_replicas_cpu_utilization.has_value());
    if (row.t_s < 550.0) continue;
    readers_sum += *row.read_replicas_cpu_utilization;
    primary_sum += *row.primary_cpu_utilization;
    ++windows;
  }
  ASSERT_EQ(windows, 9);
  EXPECT_NEAR(readers_sum / windows, 0.375, 0.015);
  EXPECT_NEAR(primary_sum / windows, 0.30, 0.015);
  const std::string csv = run::timeseries_csv(r);
  EXPECT_NE(csv.find(",primary_cpu_utilization,read_replicas_cpu_utilization\n"),
            std::string::npos);
}

}  // namespace
}  // namespace capsim::validation
