// Placement policies (docs/nodes.md#placement): which node the scheduler binds each pod to under
// first fit (capsim's default), least-allocated (Kubernetes' default NodeResourcesFit scoring)
// and most-allocated (bin-packing), hand-computed; and the consequence for the cluster
// autoscaler: packed pods leave a node empty to remove, spread ones do not.

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "../../src/net/node_pool.hpp"
#include "capsim/model/load.hpp"
#include "capsim/net/network.hpp"
#include "model_test_support.hpp"
#include "net_test_support.hpp"

namespace capsim::net {
namespace {

using model::Json;

// Three Ready nodes of 4 cores and 8192 MiB; pods x (2 cores), y (3 cores) and z (1 core), each
// of 1024 MiB.
model::Spec three_nodes(const std::string& placement) {
  Json doc = Json::parse(R"({
    "workloads": [{"name": "w", "target": "x", "rate": 1}],
    "nodes": {"pools": {"p": {"cores": 4, "memory_mib": 8192, "min": 3, "max": 3}}},
    "services": {
      "x": {"replicas": 1, "cores": 2, "steps": [{"work": "1ms"}],
            "pod": {"pool": "p", "memory_mib": 1024}},
      "y": {"replicas": 1, "cores": 3, "steps": [{"work": "1ms"}],
            "pod": {"pool": "p", "memory_mib": 1024}},
      "z": {"replicas": 1, "cores": 1, "steps": [{"work": "1ms"}],
            "pod": {"pool": "p", "memory_mib": 1024}}}
  })");
  if (!placement.empty()) doc["nodes"]["placement"] = placement;
  return model::load(doc, ".");
}

// Pods bound in turn: x, y, z, then another x. A node's score is the share of it requested with
// the pod on it, (cores / 4 + MiB / 8192) / 2 (least allocated prefers the lowest):
// 1. x: every node is empty, a tie: node 0 under each policy.
// 2. y: node 0 has no room (2 + 3 > 4 cores); nodes 1 and 2 tie: node 1.
// 3. z: node 0 would be (3/4 + 2/8) / 2 = 0.5, node 1 (4/4 + 2/8) / 2 = 0.625, node 2
//    (1/4 + 1/8) / 2 = 0.1875: first fit node 0, most allocated node 1, least allocated node 2.
// 4. x: first fit: nodes 0 and 1 hold 3 cores each: node 2. Most allocated: node 1 is full;
//    node 0 (4/4 + 2/8) / 2 = 0.625 beats node 2 (2/4 + 1/8) / 2 = 0.3125. Least allocated:
//    node 1 has no room; node 2 (3/4 + 2/8) / 2 = 0.5 beats node 0 (0.625).
std::vector<std::uint32_t> placements(const std::string& placement) {
  const model::Spec spec = three_nodes(placement);
  NodePools pools(spec);
  std::vector<std::uint32_t> nodes;
  nodes.push_back(pools.bind(PodId{0, 0}));  // x
  nodes.push_back(pools.bind(PodId{1, 0}));  // y
  nodes.push_back(pools.bind(PodId{2, 0}));  // z
  nodes.push_back(pools.bind(PodId{0, 1}));  // x
  return nodes;
}

TEST(Placement, FirstFitIsTheDefaultAndTakesTheOldestNodeWithRoom) {
  EXPECT_EQ(three_nodes("").nodes->placement, model::Placement::first_fit);
  EXPECT_EQ(placements(""), (std::vector<std::uint32_t>{0, 1, 0, 2}));
  EXPECT_EQ(placements("first_fit"), (std::vector<std::uint32_t>{0, 1, 0, 2}));
}

TEST(Placement, MostAllocatedPacksOntoTheFullestNode) {
  EXPECT_EQ(placements("most_allocated"), (std::vector<std::uint32_t>{0, 1, 1, 0}));
}

TEST(Placement, LeastAllocatedSpreadsOntoTheEmptiestNode) {
  EXPECT_EQ(placements("least_allocated"), (std::vector<std::uint32_t>{0, 1, 2, 2}));
}

// Two nodes of 4 cores and 8192 MiB; pods a (1 core, 6144 MiB), b (2 cores, no memory), then
// c (1 core, 1024 MiB).
std::vector<std::uint32_t> memory_placements(const std::string& placement) {
  Json doc = Json::parse(R"({
    "workloads": [{"name": "w", "target": "a", "rate": 1}],
    "nodes": {"pools": {"p": {"cores": 4, "memory_mib": 8192, "min": 2, "max": 2}}},
    "services": {
      "a": {"replicas": 1, "steps": [{"work": "1ms"}],
            "pod": {"pool": "p", "cores": 1, "memory_mib": 6144}},
      "b": {"replicas": 1, "cores": 2, "steps": [{"work": "1ms"}], "pod": {"pool": "p"}},
      "c": {"replicas": 1, "steps": [{"work": "1ms"}],
            "pod": {"pool": "p", "cores": 1, "memory_mib": 1024}}}
  })");
  doc["nodes"]["placement"] = placement;
  const model::Spec spec = model::load(doc, ".");
  NodePools pools(spec);
  std::vector<std::uint32_t> nodes;
  for (std::uint32_t s = 0; s < 3; ++s) nodes.push_back(pools.bind(PodId{s, 0}));
  return nodes;
}

TEST(Placement, MemoryCountsAsMuchAsCores) {
  // a: a tie, node 0. b: node 0 would be (3/4 + 6/8) / 2 = 0.75, node 1 (2/4 + 0) / 2 = 0.25.
  // Most allocated: b on node 0, then c on node 0 ((4/4 + 7/8) / 2 against (1/4 + 1/8) / 2).
  EXPECT_EQ(memory_placements("most_allocated"), (std::vector<std::uint32_t>{0, 0, 0}));
  // Least allocated: b on node 1; then c: node 0 would be (2/4 + 7/8) / 2 = 0.6875, node 1
  // (3/4 + 1/8) / 2 = 0.4375: node 1, although node 0 has more free cores (cores alone would
  // have chosen node 0).
  EXPECT_EQ(memory_placements("least_allocated"), (std::vector<std::uint32_t>{0, 1, 1}));
}

TEST(Placement, AnUnknownPolicyIsRefusedWithItsPointer) {
  Json doc = model_test::minimal_model();
  doc["nodes"] =
      Json::parse(R"({"pools": {"p": {"cores": 4, "memory_mib": 8192, "min": 1, "max": 1}},
                                 "placement": "spread"})");
  EXPECT_EQ(model_test::error(doc),
            "/nodes/placement: expected one of first_fit, least_allocated, most_allocated, "
            "found \"spread\"");
}

// ---- The consequence: node-hours -------------------------------------------------------------

using test_support::metric;

// Three nodes of 2 cores (min 1), three pods of 1 core, 1800 s, the cluster autoscaler's
// defaults (a node is unneeded under 50 % of its cores requested; removed after 10 minutes).
stats::Summary three_pods(const std::string& placement) {
  Json doc = Json::parse(R"({
    "simulation": {"duration": "1800s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 1}],
    "nodes": {"pools": {"p": {"cores": 2, "memory_mib": 8192, "min": 1, "max": 3,
                              "initial": 3, "provisioning_time": "60s"}}},
    "services": {"api": {"replicas": 3, "cores": 1, "steps": [{"work": "1ms"}],
                         "pod": {"pool": "p", "memory_mib": 1024}}}
  })");
  doc["nodes"]["placement"] = placement;
  return simulate(model::load(doc, "."), ReplicationOptions{});
}

TEST(Placement, MostAllocatedLeavesANodeEmptyForTheAutoscalerToRemove) {
  // Pods on nodes 0, 0, 1: node 2 is empty from the scan at 0 s and deleted at the scan at
  // 600 s; node 1 holds 1 of its 2 cores (50 %, not under the threshold) and stays. Nodes: 3 on
  // [0, 600), 2 on [600, 1800]: 4200 node-seconds.
  const stats::Summary most = three_pods("most_allocated");
  EXPECT_NEAR(metric(most, "node_pools.p.node_hours"), 4200.0 / 3600.0, 1e-12);
  EXPECT_DOUBLE_EQ(metric(most, "node_pools.p.nodes_removed"), 1.0);
  // First fit packs the same way here.
  EXPECT_NEAR(metric(three_pods("first_fit"), "node_pools.p.node_hours"), 4200.0 / 3600.0, 1e-12);
}

TEST(Placement, LeastAllocatedSpreadsSoNoNodeIsEverUnneeded) {
  // One pod per node, each at 50 %: no node is unneeded, 3 nodes for 1800 s: 1.5 node-hours,
  // 29 % more than packed.
  const stats::Summary least = three_pods("least_allocated");
  EXPECT_NEAR(metric(least, "node_pools.p.node_hours"), 1.5, 1e-12);
  EXPECT_DOUBLE_EQ(metric(least, "node_pools.p.nodes_removed"), 0.0);
}

}  // namespace
}  // namespace capsim::net
