// Node pools and the cluster autoscaler (docs/nodes.md): loading `nodes` and `pod` and their
// mistakes, and the runtime on hand-computed timelines: a scale-out that waits for a node, a
// scale-down 10 minutes after a node fell empty, a pod that fits nowhere staying Pending.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "capsim/model/load.hpp"
#include "capsim/net/network.hpp"
#include "model_test_support.hpp"
#include "net_test_support.hpp"

namespace capsim::net {
namespace {

using model::Json;

// ---- Loading ---------------------------------------------------------------------------------

Json with_nodes(const std::string& nodes, const std::string& pod) {
  Json doc = model_test::minimal_model();
  doc["nodes"] = Json::parse(nodes);
  if (!pod.empty()) doc["services"]["api"]["pod"] = Json::parse(pod);
  return doc;
}

const std::string kPool =
    R"({"pools": {"general": {"cores": 4, "memory_mib": 16384, "price_per_hour": 0.2, "min": 1,
        "max": 5, "provisioning_time": "90s"}}})";

TEST(ModelNodes, KeysAndDefaults) {
  const model::Spec spec = model::load(with_nodes(kPool, R"({"pool": "general"})"), ".");
  ASSERT_TRUE(spec.nodes.has_value());
  const model::NodePoolSpec& p = spec.nodes->pools.at(0);
  EXPECT_EQ(p.name, "general");
  EXPECT_DOUBLE_EQ(p.cores, 4.0);
  EXPECT_DOUBLE_EQ(p.memory_mib, 16384.0);
  EXPECT_DOUBLE_EQ(*p.price_per_hour, 0.2);
  EXPECT_EQ(p.min_nodes, 1);
  EXPECT_EQ(p.max_nodes, 5);
  EXPECT_EQ(p.initial_nodes, 1);  // min
  EXPECT_DOUBLE_EQ(p.provisioning_time_s, 90.0);
  // The cluster autoscaler's documented defaults.
  const model::ClusterAutoscalerSpec& ca = spec.nodes->cluster_autoscaler;
  EXPECT_DOUBLE_EQ(ca.scan_interval_s, 10.0);
  EXPECT_DOUBLE_EQ(ca.scale_down_unneeded_time_s, 600.0);
  EXPECT_DOUBLE_EQ(ca.scale_down_delay_after_add_s, 600.0);
  EXPECT_DOUBLE_EQ(ca.scale_down_utilization_threshold, 0.5);
  EXPECT_EQ(ca.max_empty_bulk_delete, 10);
  // The pod requests the service's cores and no memory (the service has no `memory`).
  const model::PodSpec& pod = *spec.services[0].pod;
  EXPECT_EQ(pod.pool, 0u);
  EXPECT_DOUBLE_EQ(pod.cores, 1.0);
  EXPECT_DOUBLE_EQ(pod.memory_mib, 0.0);
}

TEST(ModelNodes, MistakesNameTheirPointer) {
  EXPECT_EQ(model_test::error(with_nodes(kPool, R"({"pool": "general", "cores": 8})")),
            "/services/api/pod/cores: expected a pod that fits on a node of pool 'general' (at "
            "most 4 cores), found a request of 8 cores");
  EXPECT_EQ(model_test::error(with_nodes(kPool, R"({"pool": "general", "memory_mib": 20000})")),
            "/services/api/pod/memory_mib: expected a pod that fits on a node of pool 'general' "
            "(at most 16384 MiB), found a request of 20000 MiB");
  EXPECT_EQ(model_test::error(with_nodes(kPool, R"({"pool": "gpu"})")),
            "/services/api/pod/pool: expected one of the node pools (general), found \"gpu\"");
  Json no_nodes = model_test::minimal_model();
  no_nodes["services"]["api"]["pod"] = Json::parse(R"({"pool": "general"})");
  EXPECT_EQ(model_test::error(no_nodes),
            "/services/api/pod/pool: expected a pool of the model's \"nodes\", found \"general\" "
            "and the model has no \"nodes\"");
  EXPECT_EQ(model_test::error(
                with_nodes(R"({"pools": {"g": {"cores": 4, "memory_mib": 1024, "max": 3}}})", "")),
            "/nodes/pools/g/provisioning_time: missing; expected how long a node takes from the "
            "cluster autoscaler's request to Ready, e.g. \"90s\" (the pool may grow: max > "
            "initial)");
  EXPECT_EQ(model_test::error(with_nodes(
                R"({"pools": {"g": {"cores": 4, "memory_mib": 1024, "min": 2, "max": 3,
                    "initial": 1, "provisioning_time": 60}}})",
                "")),
            "/nodes/pools/g/initial: expected a node count from min to max (2 to 3), found 1");
  EXPECT_EQ(model_test::error(
                with_nodes(R"({"pools": {"g": {"cores": 0, "memory_mib": 1024, "max": 1}}})", "")),
            "/nodes/pools/g/cores: expected a number > 0, found 0");
}

// ---- Running ---------------------------------------------------------------------------------

stats::Summary run0(const std::string& text) {
  const model::Spec spec = model::load(Json::parse(text), ".");
  ReplicationOptions options;
  options.timeseries = true;
  return simulate(spec, options);
}

using test_support::metric;

double event_time(const stats::Summary& s, const std::string& kind) {
  for (const stats::EventRow& e : s.event_log) {
    if (e.kind == kind) return e.t_s;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

// One pod per node (2 cores each). A schedule asks for a second replica at 25 s: its pod is
// Pending; the cluster autoscaler's scan at 30 s (scans at 0, 10, 20, ...) adds a node, Ready
// 60 s later at 90 s; the pod is bound then and ready after its 5 s start-up, at 95 s: 70 s
// from the decision. At 200 s the schedule goes back to 1: the newer pod goes, its node is
// empty (0 % < 50 %) from the scan at 200 s; scale-down is allowed again 600 s after the
// scale-up (630 s); the node has been unneeded for 600 s at the scan at 800 s and is deleted.
// Nodes: 1 on [0, 30), 2 on [30, 800), 1 on [800, 1000]: 1770 node-seconds.
const char* kTimeline = R"({
  "simulation": {"duration": "1000s", "replications": 1, "seed": 3},
  "workloads": [{"name": "w", "target": "api", "rate": 1}],
  "nodes": {"pools": {"p": {"cores": 2, "memory_mib": 4096, "price_per_hour": 3.6,
                            "min": 1, "max": 3, "provisioning_time": "60s"}}},
  "services": {"api": {"replicas": 1, "cores": 2, "startup_time": "5s",
                       "steps": [{"work": "1ms"}],
                       "pod": {"pool": "p", "memory_mib": 1024},
                       "autoscaling": {"kind": "schedule",
                                       "steps": [{"at": "25s", "replicas": 2},
                                                 {"at": "200s", "replicas": 1}]}}}
})";

TEST(Nodes, AScaleOutWaitsForANodeThenThePodsStartUp) {
  const stats::Summary s = run0(kTimeline);
  EXPECT_DOUBLE_EQ(event_time(s, "nodes_added"), 30.0);
  EXPECT_DOUBLE_EQ(event_time(s, "node_ready"), 90.0);
  EXPECT_DOUBLE_EQ(metric(s, "services.api.pods.started"), 1.0);
  EXPECT_DOUBLE_EQ(metric(s, "services.api.pods.time_to_ready_mean_s"), 70.0);
  EXPECT_DOUBLE_EQ(metric(s, "services.api.pods.time_to_ready_max_s"), 70.0);
  // Pending on [25, 90): 65 pod-seconds over 1000 s.
  EXPECT_NEAR(metric(s, "services.api.pods.pending_mean"), 0.065, 1e-12);
  EXPECT_DOUBLE_EQ(metric(s, "services.api.pods.pending_max"), 1.0);
  // Ready replicas: 1, then 2 on [95, 200).
  EXPECT_NEAR(metric(s, "services.api.replicas.mean"), (1000.0 + 105.0) / 1000.0, 1e-12);
}

TEST(Nodes, AScaleUpSaysWhichPendingPodsTheNodesBeingProvisionedTake) {
  // 4 one-core pods fill the one 4-core node. A fifth at 25 s is Pending: the scan at 30 s adds
  // a node (ready at 90 s). Five more at 35 s: at the scan at 40 s the 6 Pending pods go 4 to
  // the node being provisioned (none bound to it yet) and 2 to one more node.
  const stats::Summary s = run0(R"({
    "simulation": {"duration": "200s", "replications": 1, "seed": 3},
    "workloads": [{"name": "w", "target": "api", "rate": 1}],
    "nodes": {"pools": {"p": {"cores": 4, "memory_mib": 8192, "price_per_hour": 1,
                              "min": 1, "max": 5, "provisioning_time": "60s"}}},
    "services": {"api": {"replicas": 4, "cores": 1, "startup_time": "5s",
                         "steps": [{"work": "1ms"}],
                         "pod": {"pool": "p", "cores": 1, "memory_mib": 512},
                         "autoscaling": {"kind": "schedule",
                                         "steps": [{"at": "25s", "replicas": 5},
                                                   {"at": "35s", "replicas": 10}]}}}
  })");
  std::vector<std::string> added;
  for (const stats::EventRow& e : s.event_log) {
    if (e.kind == "nodes_added") added.push_back(e.detail);
  }
  EXPECT_EQ(added,
            (std::vector<std::string>{"pool p: 1 pending pod(s) fit on no node; 1 -> 2 nodes",
                                      "pool p: 6 pending pod(s), 4 of them to the 1 node(s) being "
                                      "provisioned, 2 fit on no node; 2 -> 3 nodes"}));
}

TEST(Nodes, AnEmptyNodeIsDeletedAfterTheUnneededTimeAndTheDelayAfterAdd) {
  const stats::Summary s = run0(kTimeline);
  EXPECT_DOUBLE_EQ(event_time(s, "node_drained"), 800.0);
  EXPECT_DOUBLE_EQ(event_time(s, "node_deleted"), 800.0);
  EXPECT_NEAR(metric(s, "node_pools.p.node_hours"), 1770.0 / 3600.0, 1e-12);
  EXPECT_NEAR(metric(s, "node_pools.p.cost"), 1770.0 / 3600.0 * 3.6, 1e-12);
  EXPECT_NEAR(metric(s, "node_pools.p.nodes_mean"), 1.77, 1e-12);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.nodes_max"), 2.0);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.nodes_added"), 1.0);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.nodes_removed"), 1.0);
  // Cores requested: 2 on [0, 1000] and 2 more on [90, 200]: 2220 over 1770 x 2.
  EXPECT_NEAR(metric(s, "node_pools.p.cpu_requested"), 2220.0 / 3540.0, 1e-12);
  // The time series: the pool's nodes and the pending pods, per window.
  bool saw_two = false, saw_pending = false;
  for (const stats::TimeSeriesRow& row : s.timeseries) {
    if (row.service != "api") continue;
    ASSERT_TRUE(row.nodes.has_value());
    ASSERT_TRUE(row.pending_pods.has_value());
    if (row.t_s >= 30.0 && row.t_s + 1e-9 < 800.0 && *row.nodes == 2.0) saw_two = true;
    if (*row.pending_pods > 0.0) saw_pending = true;
    if (row.t_s >= 800.0) {
      EXPECT_DOUBLE_EQ(*row.nodes, 1.0) << row.t_s;
    }
  }
  EXPECT_TRUE(saw_two);
  EXPECT_TRUE(saw_pending);
}

TEST(Nodes, ANodeWithPodsIsNotRemovedWhileItsPodsCannotMove) {
  // The same, but the schedule keeps 2 replicas: both nodes are full (100 %), nothing goes.
  std::string text = kTimeline;
  text.replace(text.find(R"({"at": "200s", "replicas": 1})"),
               std::string(R"({"at": "200s", "replicas": 1})").size(),
               R"({"at": "200s", "replicas": 2})");
  const stats::Summary s = run0(text);
  EXPECT_TRUE(std::isnan(event_time(s, "node_drained")));
  EXPECT_NEAR(metric(s, "node_pools.p.node_hours"), (30.0 + 970.0 * 2.0) / 3600.0, 1e-12);
}

TEST(Nodes, APodThatFitsNowhereIsPendingAndTakesNoTraffic) {
  // Two fixed replicas, one node that holds one pod, and a pool that may not grow: the second
  // pod is Pending for the whole run; the first serves everything.
  const stats::Summary s = run0(R"({
    "simulation": {"duration": "100s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 5}],
    "nodes": {"pools": {"p": {"cores": 1, "memory_mib": 1024, "min": 1, "max": 1}}},
    "services": {"api": {"replicas": 2, "cores": 1, "steps": [{"work": "1ms"}],
                         "pod": {"pool": "p"}}}
  })");
  EXPECT_DOUBLE_EQ(metric(s, "services.api.replicas.mean"), 1.0);
  EXPECT_DOUBLE_EQ(metric(s, "services.api.pods.pending_mean"), 1.0);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.nodes_mean"), 1.0);
  EXPECT_DOUBLE_EQ(metric(s, "workloads.w.error_rate"), 0.0);
  EXPECT_TRUE(std::isnan(event_time(s, "nodes_added")));
  // A notice says so: the pod was Pending from t = 0 to the end, the pool at its max.
  ASSERT_EQ(s.notices.size(), 1u);
  EXPECT_EQ(s.notices[0],
            "service 'api': 1 pod(s) Pending from t = 0 s to the end of the run: no node of pool "
            "'p' has room for them and the pool is at its max of 1 node(s), so the cluster "
            "autoscaler adds none (see services.api.pods.pending_max)");
}

TEST(Nodes, PodsPendingToTheEndAtThePoolsMaxGetANoticeWithTheirService) {
  // The timeline above with a pool of at most 2 nodes and a schedule to 4 replicas at 25 s: the
  // scan at 30 s adds one node (2 -> max), which takes one of the three new pods at 90 s; the
  // other two stay Pending from 25 s to the end: one notice for them.
  Json doc = Json::parse(kTimeline);
  doc["nodes"]["pools"]["p"]["max"] = 2;
  doc["services"]["api"]["autoscaling"]["steps"] = Json::parse(R"([{"at": "25s", "replicas": 4}])");
  const stats::Summary s = run0(doc.dump());
  EXPECT_DOUBLE_EQ(event_time(s, "nodes_added"), 30.0);
  EXPECT_DOUBLE_EQ(metric(s, "services.api.pods.pending_max"), 3.0);
  ASSERT_EQ(s.notices.size(), 1u);
  EXPECT_EQ(s.notices[0].substr(0, 66),
            "service 'api': 2 pod(s) Pending from t = 25 s to the end of the ru");
  // A pool that may grow enough: every pod gets a node, no notice.
  doc["nodes"]["pools"]["p"]["max"] = 4;
  EXPECT_TRUE(run0(doc.dump()).notices.empty());
}

TEST(Nodes, AnUnderusedNodeIsDrainedItsPodsEvictedAndReplacedElsewhere) {
  // Nodes of 4 cores, pods of 1.5 cores (two fit a node). At t = 0 x's two pods fill node 0
  // and y's pod goes to node 1. At 100 s x's schedule removes its newer pod: node 0 holds
  // 1.5 cores (37.5 % < 50 %) and its pod fits on node 1, so node 0 is unneeded from the scan at
  // 100 s; node 1 is not (its pod could only go to node 0, which is leaving). At 700 s node 0
  // is drained (no scale-up ever, so no delay after add): x's pod is evicted and replaced on
  // node 1, ready after its 5 s start-up; node 0 is deleted once the pod has left.
  const stats::Summary s = run0(R"({
    "simulation": {"duration": "800s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "x", "rate": 5}],
    "nodes": {"pools": {"p": {"cores": 4, "memory_mib": 8192, "min": 1, "max": 2,
                              "initial": 2, "provisioning_time": "60s"}}},
    "services": {
      "x": {"replicas": 2, "cores": 1, "startup_time": "5s", "steps": [{"work": "1ms"}],
            "pod": {"pool": "p", "cores": 1.5},
            "autoscaling": {"kind": "schedule", "steps": [{"at": "100s", "replicas": 1}]}},
      "y": {"replicas": 1, "cores": 1, "steps": [{"work": "1ms"}],
            "pod": {"pool": "p", "cores": 1.5}}}
  })");
  EXPECT_DOUBLE_EQ(event_time(s, "node_drained"), 700.0);
  EXPECT_DOUBLE_EQ(event_time(s, "evicted"), 700.0);
  EXPECT_DOUBLE_EQ(event_time(s, "node_deleted"), 700.0);  // no request in flight at 700 s
  EXPECT_DOUBLE_EQ(metric(s, "services.x.pods.started"), 1.0);
  EXPECT_DOUBLE_EQ(metric(s, "services.x.pods.time_to_ready_max_s"), 5.0);
  EXPECT_NEAR(metric(s, "node_pools.p.node_hours"), (700.0 * 2 + 100.0) / 3600.0, 1e-12);
  // x's ready replicas: 2 until 100 s, 1 until 700 s, none while the replacement starts, 1.
  EXPECT_NEAR(metric(s, "services.x.replicas.mean"), (200.0 + 600.0 + 95.0) / 800.0, 1e-12);
  // Requests that came while no pod of x was ready waited at the balancer: none failed.
  EXPECT_DOUBLE_EQ(metric(s, "workloads.w.error_rate"), 0.0);
}

TEST(Nodes, ModelsWithoutNodesReportNone) {
  const stats::Summary s = run0(R"({
    "simulation": {"duration": "10s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 10}],
    "services": {"api": {"steps": [{"work": "10ms"}]}}
  })");
  for (const stats::Metric& m : s.metrics) {
    EXPECT_EQ(m.dotted().find("node_pools"), std::string::npos);
    EXPECT_EQ(m.dotted().find("pods"), std::string::npos);
  }
  for (const stats::TimeSeriesRow& row : s.timeseries) {
    EXPECT_FALSE(row.nodes.has_value());
    EXPECT_FALSE(row.pending_pods.has_value());
  }
}

}  // namespace
}  // namespace capsim::net
