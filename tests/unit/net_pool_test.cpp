// Connection pools end to end (docs/request-path.md#connection-pools), against hand
// calculations: a callee's max_connections refuses the connections beyond it when a pool opens
// them, a pool's size is what --set (and so an experiment) changes, connections in use appear
// in the time series, and models without pools keep their results.

#include <gtest/gtest.h>

#include <string>

#include "net_test_support.hpp"

namespace capsim::net {
namespace {

using test_support::mean;
using test_support::run_json;

// Arrivals exactly every 250 ms; each query holds its connection 900 ms. A pool of 4 would keep
// 4 connections busy 90% of the time; the database accepts only 2 (max_connections). The first
// two arrivals of each second open (then reuse) the two connections, and the next two find
// none idle and are refused: half the calls fail at once with `error`.
constexpr const char* kRefused = R"({
  "simulation": {"duration": "1000s", "warmup": "10s", "replications": 2, "seed": 3},
  "workloads": [{"name": "w", "target": "api", "rate": 4,
                 "interarrival": {"dist": "constant", "value": "250ms"}}],
  "services": {
    "api": {"workers": 100, "steps": [{"call": "db"}],
            "connection_pools": {"db": {"max": 4}}},
    "db": {"kind": "database", "connections": 10, "work": "900ms", "max_connections": 2}
  }
})";

TEST(NetPool, MaxConnectionsRefusesTheConnectionsBeyondIt) {
  const run::Results r = run_json(kRefused, 1);
  EXPECT_NEAR(mean(r, "services.api.pools.db.refused_rate"), 0.5, 1e-3);
  EXPECT_NEAR(mean(r, "workloads.w.errors.error"), 0.5, 1e-3);
  EXPECT_DOUBLE_EQ(mean(r, "services.api.pools.db.open"), 2.0);
  // Two connections, each in use 900 ms of every second.
  EXPECT_NEAR(mean(r, "services.api.pools.db.in_use"), 1.8, 1e-3);
  EXPECT_DOUBLE_EQ(mean(r, "services.api.pools.db.in_use_max"), 2.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.api.pools.db.wait_ms.mean"), 0.0);
  EXPECT_NEAR(mean(r, "services.api.pools.db.acquire_rps"), 4.0, 1e-2);
  // The database sees only the queries that got a connection.
  EXPECT_NEAR(mean(r, "services.db.arrival_rps"), 2.0, 1e-2);
}

TEST(NetPool, PoolSizeAndLimitsAreOverridable) {
  // Room for all four: nothing refused, four connections open, 3.6 in use.
  const run::Results r = run_json(kRefused, {{"/services/db/max_connections", "4"}}, 1);
  EXPECT_DOUBLE_EQ(mean(r, "services.api.pools.db.refused_rate"), 0.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.api.pools.db.open"), 4.0);
  EXPECT_NEAR(mean(r, "services.api.pools.db.in_use"), 3.6, 1e-3);
  // A pool of 2 that the database accepts: calls wait for a connection instead of failing.
  // Each 250 ms one arrives; two connections serve one per 450 ms on average: the queue grows
  // until calls time out (acquire_timeout 1 s), and no open is ever refused.
  const run::Results small = run_json(kRefused,
                                      {{"/services/api/connection_pools/db/max", "2"},
                                       {"/services/api/connection_pools/db/acquire_timeout", "1"}},
                                      1);
  EXPECT_DOUBLE_EQ(mean(small, "services.api.pools.db.refused_rate"), 0.0);
  EXPECT_GT(mean(small, "services.api.pools.db.timeout_rate"), 0.3);
  EXPECT_GT(mean(small, "services.api.pools.db.wait_ms.mean"), 100.0);
  EXPECT_DOUBLE_EQ(mean(small, "services.api.pools.db.open"), 2.0);
}

TEST(NetPool, MinConnectionsOpenAtStartWithinTheLimit) {
  // Three replicas keep min = max = 4 connections: 12 wanted, the database accepts 10. The
  // first two replicas fill their pools at t = 0, the third gets 2.
  const run::Results r = run_json(kRefused,
                                  {{"/services/api/replicas", "3"},
                                   {"/services/api/connection_pools/db/min", "4"},
                                   {"/services/db/max_connections", "10"}},
                                  1);
  EXPECT_DOUBLE_EQ(mean(r, "services.api.pools.db.open"), 10.0);
  bool logged = false;
  for (const stats::EventRow& e : r.events) {
    if (e.kind == "pool_refused") {
      EXPECT_EQ(e.service, "db");
      EXPECT_EQ(e.detail, "api replica 2: 2 of min 4 connections opened (max_connections)");
      logged = true;
    }
  }
  EXPECT_TRUE(logged);
}

TEST(NetPool, TimeSeriesShowsConnectionsInUse) {
  const run::Results r = run_json(kRefused, {{"/services/db/max_connections", "4"}}, 1);
  int rows = 0;
  for (const stats::TimeSeriesRow& row : r.timeseries) {
    if (row.service == "api" && row.t_s >= 10.0) {
      ASSERT_TRUE(row.pool_in_use.has_value());
      EXPECT_NEAR(*row.pool_in_use, 3.6, 1e-6) << row.t_s;
      ++rows;
    }
    if (row.service == "db" || !row.workload.empty()) {
      EXPECT_FALSE(row.pool_in_use.has_value());
    }
  }
  EXPECT_GT(rows, 50);
}

TEST(NetPool, ModelsWithoutPoolsHaveNoPoolMetrics) {
  const run::Results r = run_json(R"({
    "simulation": {"duration": "100s", "replications": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 5}],
    "services": {"api": {"steps": [{"call": "db"}]},
                 "db": {"kind": "database", "work": "5ms", "max_connections": 1}}
  })",
                                  1);
  for (const run::MergedMetric& m : r.metrics) {
    EXPECT_EQ(m.dotted().find("pools"), std::string::npos) << m.dotted();
  }
  for (const stats::TimeSeriesRow& row : r.timeseries) EXPECT_FALSE(row.pool_in_use);
  // Without a pool nothing counts connections: max_connections limits pools only.
  EXPECT_DOUBLE_EQ(mean(r, "workloads.w.error_rate"), 0.0);
}

}  // namespace
}  // namespace capsim::net
