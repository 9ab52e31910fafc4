// Memory (docs/memory.md): loading a service's `memory` and its mistakes, an OOM kill on a
// hand-computed timeline, the HPA's memory metric, and memory in the results.

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "capsim/dist/distribution.hpp"
#include "capsim/model/load.hpp"
#include "capsim/net/network.hpp"
#include "model_test_support.hpp"
#include "net_test_support.hpp"

namespace capsim::net {
namespace {

using model::Json;

// ---- Loading ---------------------------------------------------------------------------------

Json with_memory(const std::string& memory) {
  Json doc = model_test::minimal_model();
  doc["services"]["api"]["memory"] = Json::parse(memory);
  return doc;
}

const std::string at = "/services/api/memory";

TEST(ModelMemory, KeysAndDefaults) {
  const model::Spec spec =
      model::load(with_memory(R"({"baseline_mib": 200, "per_request_mib": {"dist": "exponential",
                      "mean": 4}, "limit_mib": 512})"),
                  ".");
  const model::MemorySpec& m = *spec.services[0].memory;
  EXPECT_DOUBLE_EQ(m.baseline_mib, 200.0);
  EXPECT_DOUBLE_EQ(*m.limit_mib, 512.0);
  EXPECT_DOUBLE_EQ(m.request_mib, 512.0);  // the limit, when no request is given
  EXPECT_DOUBLE_EQ(dist::mean_of(m.per_request_mib), 4.0);
  const model::Spec no_limit = model::load(with_memory(R"({"baseline_mib": 64})"), ".");
  EXPECT_DOUBLE_EQ(no_limit.services[0].memory->request_mib, 64.0);  // the baseline
  EXPECT_FALSE(no_limit.services[0].memory->limit_mib.has_value());
}

TEST(ModelMemory, MistakesNameTheirPointer) {
  EXPECT_EQ(model_test::error(with_memory(R"({"baseline_mib": 600, "limit_mib": 512})")),
            at + "/limit_mib: expected a limit above baseline_mib (an idle replica would be "
                 "killed at once), found 512");
  EXPECT_EQ(model_test::error(with_memory(R"({"limit_mib": 512})")),
            at + "/baseline_mib: missing; expected the memory of an idle replica in MiB (>= 0)");
  EXPECT_EQ(model_test::error(with_memory(R"({"baseline_mib": -1})")),
            at + "/baseline_mib: expected a number >= 0, found -1");
  EXPECT_EQ(model_test::error(with_memory(R"({"baseline_mib": 0})")),
            at + "/request_mib: missing; expected the pod's memory request in MiB (> 0; the "
                 "baseline is 0 and there is no limit)");
  Json doc = model_test::minimal_model();
  doc["services"]["api"]["autoscaling"] =
      Json::parse(R"({"kind": "hpa", "max": 4, "metric": "memory", "target": 0.8})");
  EXPECT_EQ(model_test::error(doc),
            "/services/api/autoscaling: metric memory needs the "
            "service's \"memory\" (its request_mib)");
}

// ---- Running ---------------------------------------------------------------------------------

stats::Summary run0(const std::string& text) {
  const model::Spec spec = model::load(Json::parse(text), ".");
  ReplicationOptions options;
  options.timeseries = true;
  return simulate(spec, options);
}

using test_support::metric;

// One replica, one core, work 1 s each, a request every 0.3 s (rate 10/3): after arrival k
// (at 0.3 k s) k - floor(0.3 (k - 1)) requests are in flight (job n ends at 0.3 + n s): 1, 2,
// 3, 4, 4, 5, 6. With 100 MiB at rest and 10 MiB per request the replica holds 160 MiB after
// the 7th arrival, at 2.1 s: over a 150 MiB limit (150 itself is not over it).
std::string oom_model(double limit_mib, const std::string& duration = "5s") {
  return R"({
    "simulation": {"duration": ")" +
         duration + R"(", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 3.3333333333333335,
                   "interarrival": {"dist": "constant", "value": 1}}],
    "services": {"api": {"replicas": 1, "cores": 1, "workers": 100,
                         "steps": [{"work": "1s"}],
                         "memory": {"baseline_mib": 100, "per_request_mib": 10,
                                    "limit_mib": )" +
         std::to_string(limit_mib) + R"(}}}
  })";
}

TEST(Memory, AReplicaOverItsLimitIsOomKilledAtTheHandComputedInstant) {
  const stats::Summary s = run0(oom_model(150));
  ASSERT_FALSE(s.event_log.empty());
  const stats::EventRow& kill = s.event_log.front();
  EXPECT_EQ(kill.kind, "oom_kill");
  EXPECT_NEAR(kill.t_s, 2.1, 1e-9);
  EXPECT_EQ(kill.detail, "replica 0: 160 MiB over the limit of 150 MiB");
  // Its six requests in flight fail; nothing else does before 5 s: the restart comes after the
  // kubelet's first back-off of 10 s, so later arrivals find no replica and fail too.
  EXPECT_DOUBLE_EQ(metric(s, "services.api.memory.oom_kills"), 1.0);
  EXPECT_DOUBLE_EQ(metric(s, "services.api.memory.max_mib"), 160.0);
  // Arrivals at 0.3 ... 4.8 s (16); one finished (at 1.3 s), the others failed.
  EXPECT_DOUBLE_EQ(metric(s, "workloads.w.error_rate"), 15.0 / 16.0);
}

TEST(Memory, AtTheLimitNothingIsKilled) {
  // A limit of 160 MiB until 2.5 s: arrivals 1 to 8 (0.3 to 2.4 s) leave at most
  // 8 - floor(0.3 x 8 - 0.3) = 6 in flight (the 7th and the 8th): 160 MiB, at the limit, not
  // over it. (The 9th, at 2.7 s, would make 7.)
  const stats::Summary s = run0(oom_model(160, "2.5s"));
  for (const stats::EventRow& e : s.event_log) EXPECT_NE(e.kind, "oom_kill") << e.t_s;
  EXPECT_DOUBLE_EQ(metric(s, "services.api.memory.oom_kills"), 0.0);
  EXPECT_DOUBLE_EQ(metric(s, "services.api.memory.max_mib"), 160.0);
}

TEST(Memory, TheKilledReplicaRestartsAfterTheBackOff) {
  // Killed at 2.1 s, back at 12.1 s (10 s back-off, no start-up time).
  const stats::Summary s = run0(oom_model(150, "14s"));
  std::vector<std::pair<std::string, double>> seen;
  for (const stats::EventRow& e : s.event_log) seen.emplace_back(e.kind, e.t_s);
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen[1].first, "restart");
  EXPECT_NEAR(seen[1].second, 12.1, 1e-9);
}

TEST(Memory, TheHpaScalesOnTheUtilisationOfTheMemoryRequest) {
  // 10 requests/s of exactly 1 s each, 20 cores: 10 in flight on one replica once the first
  // second is over. 100 MiB + 10 x 10 MiB = 200 MiB, the whole request. Over the first sync's
  // window [0, 15 s] the replica averages 10 x 14.5 / 15 requests (the first second ramps up
  // from 0.1 s): 196.67 MiB, 98 % in whole percent, ratio 98 / 75 = 1.307 -> ceil(1.307) = 2.
  // Then each of two replicas holds 5: 150 MiB, 75 %, ratio 1: no further change.
  const stats::Summary s = run0(R"({
    "simulation": {"duration": "120s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 10,
                   "interarrival": {"dist": "constant", "value": 1}}],
    "services": {"api": {"replicas": 1, "cores": 20, "workers": 100,
                         "steps": [{"work": "1s"}],
                         "memory": {"baseline_mib": 100, "per_request_mib": 10,
                                    "request_mib": 200},
                         "autoscaling": {"kind": "hpa", "min": 1, "max": 10,
                                         "metric": "memory", "target": 0.75}}}
  })");
  ASSERT_EQ(s.scale_events.size(), 1u);
  EXPECT_DOUBLE_EQ(s.scale_events[0].t_s, 15.0);
  EXPECT_EQ(s.scale_events[0].from, 1);
  EXPECT_EQ(s.scale_events[0].to, 2);
  EXPECT_EQ(s.scale_events[0].metric, "memory");
  // Per serving replica, time-averaged over 120 s: one replica until 15 s (100 x 15 MiB-s plus
  // 10 MiB x 144.5 request-seconds), then two (2 x 100 x 105, plus 10 in flight x 10 MiB x
  // 105): 34445 MiB-s over 15 + 2 x 105 = 225 replica-seconds.
  EXPECT_NEAR(metric(s, "services.api.memory.mean_mib"), 34445.0 / 225.0, 0.05);
  // The time series has memory per serving replica.
  bool found = false;
  for (const stats::TimeSeriesRow& row : s.timeseries) {
    if (row.service != "api" || row.t_s < 30.0) continue;
    ASSERT_TRUE(row.memory_mib.has_value());
    EXPECT_NEAR(*row.memory_mib, 150.0, 1e-6) << row.t_s;
    found = true;
  }
  EXPECT_TRUE(found);
}

TEST(Memory, ServicesWithoutMemoryReportNone) {
  const stats::Summary s = run0(R"({
    "simulation": {"duration": "10s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 10}],
    "services": {"api": {"steps": [{"work": "10ms"}]}}
  })");
  for (const stats::Metric& m : s.metrics) EXPECT_EQ(m.dotted().find("memory"), std::string::npos);
  for (const stats::TimeSeriesRow& row : s.timeseries) EXPECT_FALSE(row.memory_mib.has_value());
}

}  // namespace
}  // namespace capsim::net
