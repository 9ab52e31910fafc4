// Node and zone loss (docs/nodes.md#node-and-zone-loss): loading `node_loss` faults and pool
// `zones` and their mistakes, and the runtime on hand-computed timelines: lost pods rescheduled at
// once where there is room, Pending until the cluster autoscaler's node otherwise, a zone's nodes
// restored, and the requests in flight on the lost pods failed.

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

// ---- Loading ---------------------------------------------------------------------------------

/// Pool p (3 nodes of 2 cores, at most `max`, zones a, b, c) and api on it; `fault` is the only
/// fault.
Json with_loss(const std::string& fault, int max = 4) {
  Json doc = model_test::minimal_model();
  doc["nodes"] = Json::parse(R"({"pools": {"p": {"cores": 2, "memory_mib": 4096, "initial": 3,
      "max": )" + std::to_string(max) +
                             R"(, "provisioning_time": "60s", "zones": ["a", "b", "c"]}}})");
  doc["services"]["api"]["pod"] = Json::parse(R"({"pool": "p"})");
  doc["faults"] = Json::array({Json::parse(fault)});
  return doc;
}

TEST(ModelNodeLoss, KeysAndDefaults) {
  const model::Spec spec =
      model::load(with_loss(R"({"at": "1m", "kind": "node_loss", "pool": "p", "zone": "b",
                    "restore_after": "2m"})"),
                  ".");
  EXPECT_EQ(spec.nodes->pools.at(0).zones, (std::vector<std::string>{"a", "b", "c"}));
  const model::FaultSpec& f = spec.faults.at(0);
  EXPECT_EQ(f.kind, model::FaultKind::node_loss);
  EXPECT_EQ(f.pool, "p");
  EXPECT_EQ(f.service, "");
  EXPECT_FALSE(f.nodes.has_value());
  EXPECT_EQ(*f.zone, "b");
  EXPECT_DOUBLE_EQ(*f.restore_after_s, 120.0);
  EXPECT_TRUE(spec.loses_nodes("p"));
  const model::Spec two =
      model::load(with_loss(R"({"at": 5, "kind": "node_loss", "pool": "p", "nodes": 2})"), ".");
  EXPECT_EQ(*two.faults.at(0).nodes, 2);
  EXPECT_FALSE(two.faults.at(0).zone.has_value());
  EXPECT_FALSE(two.faults.at(0).restore_after_s.has_value());
}

TEST(ModelNodeLoss, MistakesNameTheirPointer) {
  EXPECT_EQ(model_test::error(with_loss(R"({"at": 5, "kind": "node_loss", "pool": "gpu",
                                            "nodes": 1})")),
            "/faults/0/pool: expected one of the node pools (p), found \"gpu\"");
  EXPECT_EQ(
      model_test::error(with_loss(R"({"at": 5, "kind": "node_loss", "pool": "p", "nodes": 0})")),
      "/faults/0/nodes: expected an integer from 1 to 100000, found 0");
  EXPECT_EQ(
      model_test::error(with_loss(R"({"at": 5, "kind": "node_loss", "pool": "p", "nodes": 5})")),
      "/faults/0/nodes: expected at most the pool's max (4 nodes of pool 'p'), found 5");
  EXPECT_EQ(
      model_test::error(with_loss(R"({"at": 5, "kind": "node_loss", "pool": "p", "zone": "d"})")),
      "/faults/0/zone: expected one of the zones of pool 'p' (a, b, c), found \"d\"");
  EXPECT_EQ(model_test::error(with_loss(R"({"at": 5, "kind": "node_loss", "pool": "p"})")),
            "/faults/0/nodes: missing; expected how many nodes are lost (an integer >= 1), or a "
            "\"zone\" whose nodes are");
  EXPECT_EQ(model_test::error(with_loss(R"({"at": 5, "kind": "node_loss", "pool": "p",
                                            "nodes": 1, "service": "api"})")),
            "/faults/0/service: only for crash or slowdown or outage or cache_flush or rollout "
            "faults");
  EXPECT_EQ(model_test::error(with_loss(R"({"at": 5, "kind": "node_loss", "pool": "p",
                                            "nodes": 1, "restore_after": 0})")),
            "/faults/0/restore_after: expected a duration > 0, found 0");
  Json no_nodes = model_test::minimal_model();
  no_nodes["faults"] = Json::parse(R"([{"at": 5, "kind": "node_loss", "pool": "p", "nodes": 1}])");
  EXPECT_EQ(model_test::error(no_nodes),
            "/faults/0/pool: expected a pool of the model's \"nodes\", found \"p\" and the model "
            "has no \"nodes\"");
}

// ---- Running ---------------------------------------------------------------------------------

stats::Summary run0(const std::string& text) {
  const model::Spec spec = model::load(Json::parse(text), ".");
  ReplicationOptions options;
  options.timeseries = true;  // the event log too
  return simulate(spec, options);
}

using test_support::metric;

double event_time(const stats::Summary& s, const std::string& kind) {
  for (const stats::EventRow& e : s.event_log) {
    if (e.kind == kind) return e.t_s;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

int event_count(const stats::Summary& s, const std::string& kind) {
  int n = 0;
  for (const stats::EventRow& e : s.event_log) n += e.kind == kind ? 1 : 0;
  return n;
}

/// 3 nodes of 2 cores (zones a, b, c; at most `max`, provisioned in `provisioning`), api with
/// `replicas` pods of 1 core (first fit: pods 0 and 1 on node 0, 2 and 3 on node 1, 4 and 5 on
/// node 2) and a 5 s start-up; 6 closed users each send one request of 1000 s at t = 0 (one per
/// replica, round robin), so that exactly the requests of the lost pods fail; `fault` at 95 s.
std::string cluster(int replicas, const std::string& fault, int max = 4,
                    const std::string& provisioning = "60s") {
  return R"({
    "simulation": {"duration": "300s", "replications": 1, "seed": 5},
    "workloads": [{"name": "w", "kind": "closed", "target": "api", "users": )" +
         std::to_string(replicas) + R"(}],
    "nodes": {"pools": {"p": {"cores": 2, "memory_mib": 4096, "initial": 3, "max": )" +
         std::to_string(max) + R"(, "provisioning_time": ")" + provisioning +
         R"(", "zones": ["a", "b", "c"]}}},
    "services": {"api": {"replicas": )" +
         std::to_string(replicas) + R"(, "cores": 1, "startup_time": "5s",
                         "load_balancer": {"policy": "round_robin"},
                         "steps": [{"work": "1000s"}], "pod": {"pool": "p"}}},
    "faults": [)" +
         fault + R"(]
  })";
}

TEST(NodeLoss, WithoutRoomThePodsWaitForTheClusterAutoscalersNode) {
  // 6 pods fill the 3 nodes. At 95 s node 0 (the oldest) is lost with pods 0 and 1: their
  // requests fail, their replacements are Pending; the scan at 100 s asks for one node (both
  // fit on it), Ready at 160 s; the pods start up and are ready at 165 s: 70 s after the loss
  // = 5 s to the scan + 60 s provisioning + 5 s start-up.
  const stats::Summary s =
      run0(cluster(6, R"({"at": "95s", "kind": "node_loss", "pool": "p", "nodes": 1})"));
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.loss.at_s"), 95.0);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.loss.nodes_lost"), 1.0);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.loss.pods_evicted"), 2.0);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.loss.recovered"), 1.0);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.loss.recovered_s"), 70.0);
  EXPECT_DOUBLE_EQ(event_time(s, "node_lost"), 95.0);
  EXPECT_DOUBLE_EQ(event_time(s, "nodes_added"), 100.0);
  EXPECT_DOUBLE_EQ(event_time(s, "node_ready"), 160.0);
  EXPECT_DOUBLE_EQ(event_time(s, "node_loss_recovered"), 165.0);
  EXPECT_EQ(event_count(s, "pod_lost"), 2);
  // Nodes: 3 on [0, 95), 2 on [95, 100), 3 on [100, 300].
  EXPECT_NEAR(metric(s, "node_pools.p.nodes_mean"), (95 * 3 + 5 * 2 + 200 * 3) / 300.0, 1e-9);
  // Pending: 2 pods on [95, 160).
  EXPECT_NEAR(metric(s, "services.api.pods.pending_mean"), 2 * 65 / 300.0, 1e-9);
  EXPECT_DOUBLE_EQ(metric(s, "services.api.pods.time_to_ready_max_s"), 70.0);
  // Only the 2 requests on the lost pods ended, in error (the others run for 1000 s).
  EXPECT_NEAR(metric(s, "workloads.w.throughput_rps") * 300.0, 2.0, 1e-9);
  EXPECT_DOUBLE_EQ(metric(s, "workloads.w.error_rate"), 1.0);
}

TEST(NodeLoss, WithRoomThePodsAreRescheduledAtOnce) {
  // 4 pods: nodes 0 and 1 full, node 2 empty. Node 0's pods go to node 2 at once and are ready
  // after their start-up: recovered 5 s after the loss, no node added.
  const stats::Summary s =
      run0(cluster(4, R"({"at": "95s", "kind": "node_loss", "pool": "p", "nodes": 1})"));
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.loss.pods_evicted"), 2.0);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.loss.recovered_s"), 5.0);
  EXPECT_EQ(event_count(s, "nodes_added"), 0);
  EXPECT_DOUBLE_EQ(metric(s, "services.api.pods.pending_max"), 0.0);
  EXPECT_NEAR(metric(s, "node_pools.p.nodes_mean"), (95 * 3 + 205 * 2) / 300.0, 1e-9);
  EXPECT_NEAR(metric(s, "workloads.w.throughput_rps") * 300.0, 2.0, 1e-9);
}

TEST(NodeLoss, AZoneComesBackAfterRestoreAfter) {
  // Zone a holds node 0 (nodes spread a, b, c). It is lost at 95 s for 60 s. The scan at 100 s
  // asks for a node (to zone b: a is down), Ready only at 400 s; the zone's node is back at
  // 155 s, the Pending pods bound to it, ready at 160 s: recovered 65 s after the loss.
  // Nodes: 3 on [0, 95), 2 on [95, 100), 3 on [100, 155), 4 on [155, 300] (over the max of 3:
  // a restored node comes back whatever the max).
  const stats::Summary s = run0(cluster(
      6, R"({"at": "95s", "kind": "node_loss", "pool": "p", "zone": "a", "restore_after": "1m"})",
      3, "300s"));
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.loss.nodes_lost"), 1.0);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.loss.pods_evicted"), 2.0);
  EXPECT_DOUBLE_EQ(event_time(s, "node_restored"), 155.0);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.loss.recovered_s"), 65.0);
  EXPECT_NEAR(metric(s, "node_pools.p.nodes_mean"), (95 * 3 + 5 * 2 + 55 * 3 + 145 * 4) / 300.0,
              1e-9);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.nodes_max"), 4.0);
  // Only the autoscaler's node counts as added; the lost and restored one neither.
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.nodes_added"), 1.0);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.nodes_removed"), 0.0);
}

TEST(NodeLoss, NeverRecoveredWithinTheRunReportsNaN) {
  // The node never comes back and the one the scan at 100 s asks for is Ready only at 400 s,
  // after the end: the 2 pods stay Pending.
  const stats::Summary s =
      run0(cluster(6, R"({"at": "95s", "kind": "node_loss", "pool": "p", "nodes": 1})", 4, "300s"));
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.loss.recovered"), 0.0);
  EXPECT_TRUE(std::isnan(metric(s, "node_pools.p.loss.recovered_s")));
  EXPECT_NEAR(metric(s, "services.api.pods.pending_mean"), 2 * 205 / 300.0, 1e-9);
}

}  // namespace
}  // namespace capsim::net
