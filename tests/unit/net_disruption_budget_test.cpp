// PodDisruptionBudgets (docs/nodes.md#poddisruptionbudgets): a pod's `disruption_budget` and its
// mistakes, and the cluster autoscaler keeping a node whose drain would evict more pods than
// their budget allows, on a hand-computed timeline.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "capsim/model/load.hpp"
#include "capsim/net/network.hpp"
#include "model_test_support.hpp"
#include "net_test_support.hpp"

namespace capsim::net {
namespace {

using model::Json;

Json with_budget(const std::string& budget) {
  Json doc = model_test::minimal_model();
  doc["nodes"] = Json::parse(R"({"pools": {"p": {"cores": 4, "memory_mib": 8192, "min": 1,
      "max": 1}}})");
  doc["services"]["api"]["pod"] = Json::parse(R"({"pool": "p"})");
  doc["services"]["api"]["pod"]["disruption_budget"] = Json::parse(budget);
  return doc;
}

TEST(ModelDisruptionBudget, CountsAndPercentages) {
  const model::Spec a = model::load(with_budget(R"({"min_available": 2})"), ".");
  const auto& b = *a.services[0].pod->disruption_budget;
  EXPECT_TRUE(b.min_available);
  EXPECT_DOUBLE_EQ(b.value, 2.0);
  EXPECT_FALSE(b.percent);
  const model::Spec c = model::load(with_budget(R"({"max_unavailable": "25%"})"), ".");
  const auto& d = *c.services[0].pod->disruption_budget;
  EXPECT_FALSE(d.min_available);
  EXPECT_DOUBLE_EQ(d.value, 25.0);
  EXPECT_TRUE(d.percent);
}

TEST(ModelDisruptionBudget, MistakesNameTheirPointer) {
  const std::string at = "/services/api/pod/disruption_budget";
  EXPECT_EQ(model_test::error(with_budget(R"({"min_available": 1, "max_unavailable": 1})")),
            at + "/max_unavailable: expected one of min_available and max_unavailable, found "
                 "both (a PodDisruptionBudget has one)");
  EXPECT_EQ(model_test::error(with_budget(R"({})")),
            at + "/min_available: missing; expected how many pods must stay available (a count "
                 "or a percentage such as \"50%\"), or \"max_unavailable\"");
  EXPECT_EQ(
      model_test::error(with_budget(R"({"min_available": "150%"})")),
      at + "/min_available: expected a number of pods from 0 to 100000 or a percentage up to 100%, "
           "such as \"50%\", found \"150%\"");
  EXPECT_EQ(model_test::error(with_budget(R"({"max_unavailable": -1})")),
            at + "/max_unavailable: expected a number of pods from 0 to 100000 or a percentage up "
                 "to 100%, "
                 "such as \"50%\", found -1");
  EXPECT_EQ(model_test::error(with_budget(R"({"min_available": 200000})")),
            at + "/min_available: expected a number of pods from 0 to 100000 or a percentage up "
                 "to 100%, such as \"50%\", found 200000");
  EXPECT_EQ(model_test::error(with_budget(R"({"min_availble": 1})")),
            at + "/min_availble: unknown key; did you mean 'min_available'?");
  EXPECT_EQ(model_test::error(with_budget(R"(2)")),
            at + R"(: expected an object such as {"min_available": 2} or {"max_unavailable": )"
                 R"("25%"}, found 2)");
}

stats::Summary run0(const Json& doc) {
  ReplicationOptions options;
  options.timeseries = true;  // the event log too
  return simulate(model::load(doc, "."), options);
}

using test_support::metric;

double event_time(const stats::Summary& s, const std::string& kind) {
  for (const stats::EventRow& e : s.event_log) {
    if (e.kind == kind) return e.t_s;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

/// Nodes of 4 cores, 2 initial (min 1); x (2 pods of 2 cores) fills node 0 and y's one pod (1
/// core, `budget`) goes to node 1. x scales down to 1 pod at 100 s: node 1 (25 % requested)
/// could go (y fits on node 0, 50 %: not unneeded itself).
Json two_nodes(const std::string& budget) {
  Json doc = Json::parse(R"({
    "simulation": {"duration": "300s", "replications": 1, "seed": 3},
    "workloads": [{"name": "w", "target": "x", "rate": 1}],
    "nodes": {"pools": {"p": {"cores": 4, "memory_mib": 8192, "initial": 2, "min": 1, "max": 2,
                              "provisioning_time": "60s"}},
              "cluster_autoscaler": {"scale_down_unneeded_time": "60s"}},
    "services": {
      "x": {"replicas": 2, "cores": 2, "workers": 4, "steps": [{"work": "1ms"}],
            "pod": {"pool": "p", "cores": 2},
            "autoscaling": {"kind": "schedule", "steps": [{"at": "100s", "replicas": 1}]}},
      "y": {"replicas": 1, "cores": 1, "startup_time": "5s", "steps": [{"work": "1ms"}],
            "pod": {"pool": "p", "cores": 1}}}
  })");
  if (!budget.empty()) doc["services"]["y"]["pod"]["disruption_budget"] = Json::parse(budget);
  return doc;
}

TEST(DisruptionBudget, ANodeWhoseDrainWouldBreakABudgetStays) {
  // Without a budget: node 1 is unneeded from the scan at 100 s and drained at 160 s; y's pod is
  // evicted and its replacement is ready on node 0 at 165 s.
  const stats::Summary free = run0(two_nodes(""));
  EXPECT_DOUBLE_EQ(event_time(free, "node_drained"), 160.0);
  EXPECT_DOUBLE_EQ(event_time(free, "evicted"), 160.0);
  EXPECT_NEAR(metric(free, "node_pools.p.node_hours"), (160.0 * 2 + 140.0) / 3600.0, 1e-12);
  // min_available 1 with y's 1 ready pod: 0 disruptions allowed. Node 1 is unremovable from
  // 100 s (one scale_down_blocked event) and stays to the end; y is never evicted.
  const stats::Summary kept = run0(two_nodes(R"({"min_available": 1})"));
  EXPECT_DOUBLE_EQ(event_time(kept, "scale_down_blocked"), 100.0);
  EXPECT_TRUE(std::isnan(event_time(kept, "node_drained")));
  EXPECT_TRUE(std::isnan(event_time(kept, "evicted")));
  EXPECT_NEAR(metric(kept, "node_pools.p.node_hours"), 600.0 / 3600.0, 1e-12);
  EXPECT_DOUBLE_EQ(metric(kept, "services.y.replicas.mean"), 1.0);
  // "50%" of 1 rounds up to 1: the same.
  EXPECT_TRUE(std::isnan(event_time(run0(two_nodes(R"({"min_available": "50%"})")), "evicted")));
  // max_unavailable 1 (desiredHealthy 1 - 1 = 0): one disruption allowed, drained at 160 s.
  EXPECT_DOUBLE_EQ(event_time(run0(two_nodes(R"({"max_unavailable": 1})")), "evicted"), 160.0);
}

}  // namespace
}  // namespace capsim::net
