// The one SLO verdict (slo_verdict.hpp) and the reading notes of the run summary (issue 15):
// hand-built results, so that each rule is checked on its own.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "capsim/run/results_io.hpp"
#include "capsim/run/slo_verdict.hpp"
#include "capsim/stats/estimate.hpp"

namespace {

namespace run = capsim::run;
namespace stats = capsim::stats;

/// A metric merged from per-replication `values` (NaN: undefined) at 95% confidence.
run::MergedMetric metric(const std::string& dotted, const std::vector<double>& values) {
  run::MergedMetric m;
  std::string part;
  for (char c : dotted + ".") {
    if (c == '.') {
      m.path.push_back(part);
      part.clear();
    } else {
      part += c;
    }
  }
  m.values = values;
  std::vector<double> defined;
  for (double v : values) {
    if (std::isfinite(v)) defined.push_back(v);
  }
  m.estimate = stats::estimate(defined, 0.95);
  return m;
}

const double kNaN = std::nan("");

TEST(SloVerdict, AMeanWithinTheLimitIsMetConfidentlyWhenTheIntervalIsToo) {
  const run::SloCheck c = run::judge_slo_check("w.p99", 200.0, metric("x.y.z", {100, 110, 105}));
  EXPECT_TRUE(c.met);
  EXPECT_TRUE(c.confident);
  // Mean 190 with values 150..230: met by the mean, the interval crosses the limit.
  const run::SloCheck close =
      run::judge_slo_check("w.p99", 200.0, metric("x.y.z", {150, 230, 190}));
  EXPECT_TRUE(close.met);
  EXPECT_FALSE(close.confident);
}

TEST(SloVerdict, AnUndefinedValueIsACertainFailure) {
  // No successful request in any replication: p99 undefined.
  const run::SloCheck none =
      run::judge_slo_check("workloads.w.latency_ms.p99", 200.0, metric("x.y.z", {kNaN, kNaN}));
  EXPECT_FALSE(none.met);
  EXPECT_TRUE(none.confident);
  EXPECT_EQ(run::undefined_text(none),
            "undefined (no successful request in any replication), a failure");
  // Undefined in one replication of three, the others well within the limit: still a failure.
  const run::SloCheck some =
      run::judge_slo_check("workloads.w.latency_ms.p99", 200.0, metric("x.y.z", {10, kNaN, 12}));
  EXPECT_FALSE(some.met);
  EXPECT_TRUE(some.confident);
  EXPECT_EQ(run::undefined_text(some),
            "undefined (no successful request in 1 of 3 replications), a failure");
}

run::Results results_with(std::vector<run::MergedMetric> metrics, bool with_slo) {
  run::Results r;
  r.model.assign(1, 'm');  // not = "m": g++ 12 warns falsely (-Wrestrict) on that assignment
  r.replications = 2;
  r.confidence = 0.95;
  r.metrics = std::move(metrics);
  if (with_slo) {
    r.slo.emplace();
    for (const run::MergedMetric& m : r.metrics) {
      if (m.path.size() == 4 && m.path[3] == "p99") {
        r.slo->push_back(run::judge_slo_check(m.dotted(), 200.0, m));
      }
    }
  }
  return r;
}

TEST(SloVerdict, ASaturatedServiceFailsWhateverThePercentilesSay) {
  run::MergedMetric saturated = metric("services.db.saturated", {0, 1});
  saturated.merge = stats::Merge::max;
  saturated.extreme = 1.0;
  const run::Results r =
      results_with({metric("workloads.w.latency_ms.p99", {50, 52}), saturated}, true);
  const run::SloVerdict v = run::slo_verdict(r);
  EXPECT_FALSE(v.met);
  EXPECT_TRUE(v.confident);
  ASSERT_EQ(v.reasons.size(), 1u);
  EXPECT_EQ(v.reasons[0], "services.db is saturated (its queue passed simulation.max_queue)");
  // The run's summary says the same.
  const std::string table = run::summary_table(r);
  EXPECT_NE(table.find("  MISS  services.db is saturated"), std::string::npos) << table;
  EXPECT_NE(table.find("SLO missed"), std::string::npos) << table;
}

TEST(SloVerdict, TheRunSummarySaysAnUndefinedPercentilePlainly) {
  const run::Results r = results_with({metric("workloads.w.error_rate", {1.0, 1.0}),
                                       metric("workloads.w.latency_ms.p99", {kNaN, kNaN})},
                                      true);
  const std::string table = run::summary_table(r);
  EXPECT_NE(table.find("  MISS  workloads.w.latency_ms.p99 = undefined (no successful request in "
                       "any replication), a failure (limit 200)\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("! w: no request succeeded; its latencies are undefined (-)"),
            std::string::npos)
      << table;
  EXPECT_EQ(table.find("not significant"), std::string::npos) << table;
}

TEST(SummaryNotes, ManyErrorsSayThePercentilesCoverSuccessesOnly) {
  const run::Results r = results_with({metric("workloads.w.offered_rps", {100, 100}),
                                       metric("workloads.w.throughput_rps", {100, 100}),
                                       metric("workloads.w.error_rate", {0.30, 0.40}),
                                       metric("workloads.w.latency_ms.p50", {20, 22})},
                                      false);
  const std::string table = run::summary_table(r);
  EXPECT_NE(table.find("! w: 35.00% of requests failed; the latency columns cover the successful "
                       "65.00% only\n"),
            std::string::npos)
      << table;
  // With the kinds recorded: each named, largest first.
  const run::Results kinds = results_with({metric("workloads.w.error_rate", {0.30, 0.40}),
                                           metric("workloads.w.errors.timeout", {0.05, 0.05}),
                                           metric("workloads.w.errors.rejected", {0.0, 0.0}),
                                           metric("workloads.w.errors.rate_limited", {0.2, 0.3}),
                                           metric("workloads.w.errors.error", {0.05, 0.05}),
                                           metric("workloads.w.latency_ms.p50", {20, 22})},
                                          false);
  EXPECT_NE(run::summary_table(kinds).find(
                "! w: 35.00% of requests failed (rate limited (429) 25.00%, timed out 5.00%, "
                "errors (5xx) 5.00%); the latency columns cover the successful 65.00% only\n"),
            std::string::npos)
      << run::summary_table(kinds);
  // Below 1% errors: no note.
  const run::Results fine = results_with({metric("workloads.w.error_rate", {0.004, 0.006}),
                                          metric("workloads.w.latency_ms.p50", {20, 22})},
                                         false);
  EXPECT_EQ(run::summary_table(fine).find("!"), std::string::npos);
}

TEST(SummaryNotes, NoRequestFinishedIsSaid) {
  // A queue far past its capacity: nothing ended, so nothing failed either (no error note).
  const run::Results r = results_with(
      {metric("workloads.w.offered_rps", {8, 8.2}), metric("workloads.w.throughput_rps", {0, 0}),
       metric("workloads.w.error_rate", {kNaN, kNaN})},
      false);
  EXPECT_NE(run::summary_table(r).find("! w: no request finished in the measured time; they are "
                                       "all still queued or in flight"),
            std::string::npos)
      << run::summary_table(r);
  // Some finished: no such note.
  const run::Results some = results_with(
      {metric("workloads.w.offered_rps", {8, 8.2}),
       metric("workloads.w.throughput_rps", {0.1, 0.1}), metric("workloads.w.error_rate", {0, 0})},
      false);
  EXPECT_EQ(run::summary_table(some).find("no request finished"), std::string::npos);
}

TEST(SummaryNotes, RateLimitsAndThrottlingOfAServiceAreNamed) {
  // An internal service's bucket refuses 40% of what reaches it, a table throttles 79%: its
  // callers fail with a 5xx, and neither row shows a refusal (rejected is the queue's).
  const run::Results r =
      results_with({metric("services.partner.rate_limited", {0.40, 0.4058}),
                    metric("services.table.capacity_units.throttled", {0.79, 0.79})},
                   false);
  const std::string table = run::summary_table(r);
  EXPECT_NE(table.find("! partner: its rate limit refused 40.29% of its arrivals (429), before "
                       "any work: its callers see failed calls that its utilisation does not "
                       "show (services.partner.rate_limited)"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("! table: its capacity units throttled 79.00% of its arrivals"),
            std::string::npos)
      << table;
  const run::Results fine =
      results_with({metric("services.partner.rate_limited", {0, 0.01})}, false);
  EXPECT_EQ(run::summary_table(fine).find("!"), std::string::npos) << run::summary_table(fine);
}

TEST(SummaryNotes, PoolsAndOomKillsThatFailRequestsAreNamed) {
  // Scenario 2's incident: the pool times out 11.3% of its acquisitions while the database
  // itself shows 40% busy; the service's row cannot show it.
  const run::Results r = results_with({metric("services.api.pools.db.timeout_rate", {0.11, 0.116}),
                                       metric("services.api.pools.db.refused_rate", {0, 0}),
                                       metric("services.api.pools.db.wait_ms.mean", {710, 722}),
                                       metric("services.api.pools.db.in_use", {40, 40}),
                                       metric("services.api.pools.db.open", {40, 40}),
                                       metric("services.api.memory.oom_kills", {17, 19})},
                                      false);
  const std::string table = run::summary_table(r);
  EXPECT_NE(table.find("! api: its connection pool to db failed 11.30% of the calls that asked it "
                       "(timed out waiting 11.30%; the calls that got one waited 716 ms on average "
                       "with 40.0 of 40.0 open connections busy): those calls fail without "
                       "reaching db"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("! api: 18.0 OOM kills per replication"), std::string::npos) << table;
  // Refusals by the callee's max_connections are named as such.
  const run::Results refused =
      results_with({metric("services.api.pools.db.timeout_rate", {0, 0}),
                    metric("services.api.pools.db.refused_rate", {0.05, 0.05})},
                   false);
  EXPECT_NE(run::summary_table(refused).find("failed 5.00% of the calls that asked it (refused "
                                             "5.00%: db's max_connections)"),
            std::string::npos)
      << run::summary_table(refused);
  // A pool below 1% failures and no kills: no note.
  const run::Results fine = results_with({metric("services.api.pools.db.timeout_rate", {0, 0.01}),
                                          metric("services.api.memory.oom_kills", {0, 0})},
                                         false);
  EXPECT_EQ(run::summary_table(fine).find("!"), std::string::npos) << run::summary_table(fine);
}

TEST(SummaryNotes, AQueueFallingBehindRefusingOrDeadLetteringIsNamed) {
  // 120 messages/s to a consumer of 100/s for 1,200 s: the backlog grows by 20/s to 24,000 at
  // the end (12,000 on average), while every send succeeded: the summary showed 1 ms and no
  // error.
  const run::Results behind =
      results_with({metric("services.jobs.queue.backlog.end", {24043, 24043}),
                    metric("services.jobs.queue.backlog.mean", {13335, 13335}),
                    metric("services.jobs.queue.sent_rps", {119.9, 119.9}),
                    metric("services.jobs.queue.delivered_rps", {100, 100}),
                    metric("services.jobs.queue.rejected", {0, 0}),
                    metric("services.jobs.queue.dead_lettered", {1650, 1672}),
                    metric("services.jobs.queue.redeliveries", {12338, 12338})},
                   false);
  const std::string table = run::summary_table(behind);
  EXPECT_NE(table.find("! jobs: its backlog grew to 24043 messages at the end (13335 on average; "
                       "sent 119.9/s, delivered 100.0/s): its consumer falls behind"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("! jobs: 1661 messages dead-lettered per replication (12338 redeliveries)"),
            std::string::npos)
      << table;
  EXPECT_EQ(table.find("refused per replication"), std::string::npos) << table;
  // Still draining at the end of the run (the backlog falling in the last windows): not behind,
  // but not cleared either (it said "grew ... falls behind" for a spike's backlog mid-drain).
  run::Results draining = results_with({metric("services.jobs.queue.backlog.end", {7836, 7836}),
                                        metric("services.jobs.queue.backlog.mean", {5000, 5000}),
                                        metric("services.jobs.queue.sent_rps", {200, 200}),
                                        metric("services.jobs.queue.delivered_rps", {178, 178})},
                                       false);
  for (int k = 0; k < 10; ++k) {
    stats::TimeSeriesRow row;
    row.t_s = 10.0 * k;
    row.service = "jobs";
    row.queue_length = k < 5 ? 3000.0 * k : 16000.0 - 1600.0 * (k - 5);
    draining.timeseries.push_back(row);
  }
  const std::string drain_table = run::summary_table(draining);
  EXPECT_EQ(drain_table.find("falls behind"), std::string::npos) << drain_table;
  EXPECT_NE(drain_table.find("! jobs: 7836 messages still waiting at the end, the backlog "
                             "draining"),
            std::string::npos)
      << drain_table;
  // A backlog that drained by the end (a spike absorbed) is no concern.
  const run::Results drained =
      results_with({metric("services.jobs.queue.backlog.end", {0, 0}),
                    metric("services.jobs.queue.backlog.mean", {3300, 3350}),
                    metric("services.jobs.queue.sent_rps", {150, 150}),
                    metric("services.jobs.queue.delivered_rps", {150, 150})},
                   false);
  EXPECT_EQ(run::summary_table(drained).find("!"), std::string::npos)
      << run::summary_table(drained);
}

TEST(SummaryNotes, NodePoolsHaveTheirTable) {
  // The cluster's nodes, node-hours and cost were in the JSON alone.
  const run::Results r = results_with({metric("node_pools.general.nodes_mean", {2.5, 3.0}),
                                       metric("node_pools.general.node_hours", {2.5, 3.0}),
                                       metric("node_pools.general.nodes_added", {3, 4}),
                                       metric("node_pools.general.nodes_removed", {3, 4}),
                                       metric("node_pools.general.cpu_requested", {0.5, 0.5}),
                                       metric("node_pools.general.cost", {0.5, 0.6})},
                                      false);
  const std::string table = run::summary_table(r);
  EXPECT_NE(table.find("node pool"), std::string::npos) << table;
  EXPECT_NE(table.find("general"), std::string::npos) << table;
  EXPECT_NE(table.find("50.0 ±0.0%"), std::string::npos) << table;
  // Without nodes: no such table.
  EXPECT_EQ(run::summary_table(results_with({metric("workloads.w.offered_rps", {8, 8})}, false))
                .find("node pool"),
            std::string::npos);
}

TEST(SummaryNotes, ACachesLockRejectionsAreInItsTable) {
  // stampede "reject": 9.07% of requests failed, and every service row showed 0% rejected.
  const run::Results r = results_with({metric("services.redis.hit_ratio", {0.907, 0.907}),
                                       metric("services.redis.lock.waited", {0, 0}),
                                       metric("services.redis.lock.rejected", {0.0907, 0.0907})},
                                      false);
  const std::string table = run::summary_table(r);
  EXPECT_NE(table.find("lock rejected"), std::string::npos) << table;
  EXPECT_NE(table.find("9.07 ±0.00%"), std::string::npos) << table;
}

TEST(SummaryNotes, DoneAboveOfferedIsExplained) {
  const run::Results r = results_with({metric("workloads.w.offered_rps", {100, 100}),
                                       metric("workloads.w.throughput_rps", {110, 112}),
                                       metric("workloads.w.attempts_per_request", {2.5, 2.5})},
                                      false);
  const std::string table = run::summary_table(r);
  EXPECT_NE(table.find("! w: done/s is above offered/s: it counts the requests that finished in "
                       "the measured time, some sent before the warm-up ended (a backlog, kept "
                       "alive by retries: 2.50 attempts per request); it is not capacity beyond "
                       "the load\n"),
            std::string::npos)
      << table;
  // Within 1%: no note.
  const run::Results close = results_with({metric("workloads.w.offered_rps", {100, 100}),
                                           metric("workloads.w.throughput_rps", {100.5, 100.5})},
                                          false);
  EXPECT_EQ(run::summary_table(close).find("done/s is above"), std::string::npos);
}

}  // namespace
