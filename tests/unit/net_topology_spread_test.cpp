// Pod topology spread (docs/nodes.md#topology-spread): the constraints as loaded and refused,
// which node the scheduler binds each pod to under a hard (do_not_schedule) or soft
// (schedule_anyway) constraint on zones or nodes, hand-computed as Kubernetes' PodTopologySpread
// counts skew; the cluster autoscaler's new node going to the zone a Pending pod can use; and the
// consequence the constraint exists for: a zone's loss takes a third of the pods, not most.

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

/// Pool p: `nodes` Ready nodes of 4 cores in zones a, b, c (node 0 in a, 1 in b, 2 in c, 3 in
/// a, ...); api with `replicas` pods of 1 core and `spread` as its topology_spread (none when
/// empty).
model::Spec zoned(int nodes, int replicas, const std::string& spread) {
  Json doc = Json::parse(R"({
    "workloads": [{"name": "w", "target": "api", "rate": 1}],
    "nodes": {"pools": {"p": {"cores": 4, "memory_mib": 8192, "max": 9,
                              "provisioning_time": "60s", "zones": ["a", "b", "c"]}}},
    "services": {"api": {"cores": 1, "steps": [{"work": "1ms"}], "pod": {"pool": "p"}}}
  })");
  doc["nodes"]["pools"]["p"]["min"] = nodes;
  doc["services"]["api"]["replicas"] = replicas;
  if (!spread.empty()) doc["services"]["api"]["pod"]["topology_spread"] = Json::parse(spread);
  return model::load(doc, ".");
}

std::vector<std::uint32_t> bind_all(const model::Spec& spec) {
  NodePools pools(spec);
  std::vector<std::uint32_t> nodes;
  for (std::uint32_t r = 0; r < static_cast<std::uint32_t>(spec.services[0].replicas); ++r) {
    nodes.push_back(pools.bind(PodId{0, r}));
  }
  return nodes;
}

TEST(TopologySpread, LoadsItsConstraintsWithKubernetesDefaults) {
  const model::Spec spec = zoned(3, 1, R"([{"topology": "zone"},
      {"topology": "node", "max_skew": 2, "when_unsatisfiable": "schedule_anyway"}])");
  const auto& c = spec.services[0].pod->spread;
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].topology, model::SpreadConstraint::Topology::zone);
  EXPECT_EQ(c[0].max_skew, 1);
  EXPECT_TRUE(c[0].hard);
  EXPECT_EQ(c[1].topology, model::SpreadConstraint::Topology::node);
  EXPECT_EQ(c[1].max_skew, 2);
  EXPECT_FALSE(c[1].hard);
  EXPECT_TRUE(zoned(3, 1, "").services[0].pod->spread.empty());
}

TEST(TopologySpread, WithoutItFirstFitFillsTheOldestNode) {
  EXPECT_EQ(bind_all(zoned(3, 6, "")), (std::vector<std::uint32_t>{0, 0, 0, 0, 1, 1}));
}

TEST(TopologySpread, AHardZoneConstraintKeepsTheZonesWithinTheSkew) {
  // max_skew 1: each pod goes to the oldest node whose zone holds the fewest pods.
  EXPECT_EQ(bind_all(zoned(3, 6, R"([{"topology": "zone"}])")),
            (std::vector<std::uint32_t>{0, 1, 2, 0, 1, 2}));
  // max_skew 2, zone counts (a, b, c) and the min: pod 1 a (1,0,0); pod 2 a (2,0,0): 2 + 1 - 0
  // would be 3 next; pod 3 b; pod 4 b (2,2,0); pod 5: a and b would be 3 over c's 0: c;
  // pod 6: a, 2 + 1 - 1 = 2.
  EXPECT_EQ(bind_all(zoned(3, 6, R"([{"topology": "zone", "max_skew": 2}])")),
            (std::vector<std::uint32_t>{0, 0, 1, 1, 2, 0}));
}

TEST(TopologySpread, ANodeConstraintCountsEachNodeAsADomain) {
  // Six nodes (a, b, c, a, b, c), seven pods, max_skew 1 per node: one each, then node 0.
  EXPECT_EQ(bind_all(zoned(6, 7, R"([{"topology": "node"}])")),
            (std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 0}));
}

TEST(TopologySpread, ASoftConstraintPrefersTheLeastCrowdedZone) {
  EXPECT_EQ(
      bind_all(zoned(3, 6, R"([{"topology": "zone", "when_unsatisfiable": "schedule_anyway"}])")),
      (std::vector<std::uint32_t>{0, 1, 2, 0, 1, 2}));
  // Soft, it never leaves a pod Pending: 13 pods on 3 nodes of 4 cores place 12.
  const std::vector<std::uint32_t> nodes =
      bind_all(zoned(3, 13, R"([{"topology": "zone", "when_unsatisfiable": "schedule_anyway"}])"));
  EXPECT_EQ(nodes[11], 2u);
  EXPECT_EQ(nodes[12], kNone);
}

TEST(TopologySpread, APendingPodGetsItsNewNodeInAZoneThatCanTakeIt) {
  // Zones a and b, a node in each. api's first pod goes to a (node 0); a filler of 4 cores then
  // fills b's node; api's second pod would make a 2 against b's 0: Pending although a has room.
  // The cluster autoscaler's new node goes to b, the zone that can take it (balancing alone
  // would pick a, the first on a tie), and the pod binds there when it is Ready.
  const model::Spec spec = model::load(Json::parse(R"({
    "workloads": [{"name": "w", "target": "api", "rate": 1}],
    "nodes": {"pools": {"p": {"cores": 4, "memory_mib": 8192, "min": 2, "max": 3,
                              "provisioning_time": "60s", "zones": ["a", "b"]}}},
    "services": {
      "api": {"replicas": 2, "cores": 1, "steps": [{"work": "1ms"}],
              "pod": {"pool": "p", "topology_spread": [{"topology": "zone"}]}},
      "filler": {"replicas": 1, "cores": 4, "steps": [{"work": "1ms"}], "pod": {"pool": "p"}}}
  })"),
                                       ".");
  NodePools pools(spec);
  EXPECT_EQ(pools.bind(PodId{0, 0}), 0u);
  EXPECT_EQ(pools.bind(PodId{1, 0}), 1u);
  EXPECT_EQ(pools.bind(PodId{0, 1}), kNone);
  pools.add_pending(PodId{0, 1});
  const std::uint32_t node = pools.add(0);
  EXPECT_EQ(pools[node].zone, 1u);  // b
  pools.set_state(node, NodeState::ready);
  const std::vector<PodId> placed = pools.bind_pending();
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(pools.node_of(PodId{0, 1}), node);
}

using test_support::metric;

TEST(TopologySpread, ATerminatingPodIsNotCounted) {
  // One pod per zone a, b, c; requests hold a pod 30 s, so a removed pod drains that long. The
  // schedule removes c's pod at 60 s (the newest) and asks for a third again at 70 s, while it
  // still drains. PodTopologySpread skips terminating pods: c counts 0, so with max_skew 1 only
  // c may take the new pod (counting the draining one, capsim put it in a: a 2, b 1, c 0 once
  // drained). Losing zone a at 3 min then evicts one pod, not two.
  const model::Spec spec = model::load(Json::parse(R"({
    "simulation": {"duration": "4m", "warmup": "0s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 10}],
    "nodes": {"pools": {"p": {"cores": 4, "memory_mib": 16384, "min": 3, "max": 3,
                              "provisioning_time": "60s", "zones": ["a", "b", "c"]}}},
    "services": {"api": {"replicas": 3, "cores": 1, "workers": 1000,
                         "pod": {"pool": "p", "cores": 1, "memory_mib": 1024,
                                 "topology_spread": [{"topology": "zone", "max_skew": 1}]},
                         "autoscaling": {"kind": "schedule",
                                         "steps": [{"at": "60s", "replicas": 2},
                                                   {"at": "70s", "replicas": 3}]},
                         "steps": [{"delay": "30s"}]}},
    "faults": [{"at": "3m", "kind": "node_loss", "pool": "p", "zone": "a"}]
  })"),
                                       ".");
  const stats::Summary s = simulate(spec, ReplicationOptions{});
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.loss.pods_evicted"), 1.0);
}

TEST(TopologySpread, APodKeptPendingByItsSpreadAtThePoolsMaxGetsANoticeThatSaysWhy) {
  // As above with a pool that may not grow: admin (4 cores) fills a's node, api's first pod goes
  // to b, and its second would make b 2 against a's 0: Pending to the end although b's node has
  // room; the notice names the constraint, not only the room.
  Json doc = Json::parse(R"({
    "simulation": {"duration": "100s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 1}],
    "nodes": {"pools": {"p": {"cores": 4, "memory_mib": 8192, "min": 2, "max": 2,
                              "provisioning_time": "60s", "zones": ["a", "b"]}}},
    "services": {
      "admin": {"replicas": 1, "cores": 4, "steps": [{"work": "1ms"}], "pod": {"pool": "p"}},
      "api": {"replicas": 2, "cores": 1, "steps": [{"work": "1ms"}],
              "pod": {"pool": "p", "topology_spread": [{"topology": "zone"}]}}}
  })");
  const stats::Summary s = simulate(model::load(doc, "."), ReplicationOptions{});
  EXPECT_DOUBLE_EQ(metric(s, "services.api.pods.pending_max"), 1.0);
  ASSERT_EQ(s.notices.size(), 1u);
  EXPECT_EQ(s.notices[0],
            "service 'api': 1 pod(s) Pending from t = 0 s to the end of the run: no node of pool "
            "'p' has room for them that their topology_spread (do_not_schedule) allows and the "
            "pool is at its max of 2 node(s), so the cluster autoscaler adds none (see "
            "services.api.pods.pending_max)");
  // A soft constraint does not keep it Pending: no notice.
  doc["services"]["api"]["pod"]["topology_spread"][0]["when_unsatisfiable"] = "schedule_anyway";
  EXPECT_TRUE(simulate(model::load(doc, "."), ReplicationOptions{}).notices.empty());
}

TEST(TopologySpread, AZoneLossTakesOneThirdOfTheSpreadPods) {
  // Six pods on three nodes of 4 cores in zones a, b, c; zone a is lost at 60 s. First fit put
  // four on node 0 (a); spread over the zones, two.
  const auto lost = [](const std::string& spread) {
    Json doc = Json::parse(R"({
      "simulation": {"duration": "120s", "replications": 1, "seed": 1},
      "workloads": [{"name": "w", "target": "api", "rate": 10}],
      "nodes": {"pools": {"p": {"cores": 4, "memory_mib": 8192, "min": 3, "max": 3,
                                "zones": ["a", "b", "c"]}}},
      "services": {"api": {"replicas": 6, "cores": 1, "steps": [{"work": "1ms"}],
                           "pod": {"pool": "p"}}},
      "faults": [{"at": "60s", "kind": "node_loss", "pool": "p", "zone": "a"}]
    })");
    if (!spread.empty()) doc["services"]["api"]["pod"]["topology_spread"] = Json::parse(spread);
    return metric(simulate(model::load(doc, "."), ReplicationOptions{}),
                  "node_pools.p.loss.pods_evicted");
  };
  EXPECT_DOUBLE_EQ(lost(""), 4.0);
  EXPECT_DOUBLE_EQ(lost(R"([{"topology": "zone"}])"), 2.0);
}

TEST(TopologySpread, BadConstraintsAreRefusedWithTheirPointer) {
  const auto error = [](const std::string& spread, const char* pool = "p") {
    Json doc = Json::parse(R"({
      "workloads": [{"name": "w", "target": "api", "rate": 1}],
      "nodes": {"pools": {"p": {"cores": 4, "memory_mib": 8192, "min": 1, "max": 3,
                                "provisioning_time": "60s", "zones": ["a", "b"]},
                          "flat": {"cores": 4, "memory_mib": 8192, "min": 1, "max": 1}}},
      "services": {"api": {"steps": [{"work": "1ms"}], "pod": {}}}
    })");
    doc["services"]["api"]["pod"]["pool"] = pool;
    doc["services"]["api"]["pod"]["topology_spread"] = Json::parse(spread);
    return model_test::error(doc);
  };
  const std::string at = "/services/api/pod/topology_spread";
  const auto starts = [](const std::string& message, const std::string& prefix) {
    EXPECT_EQ(message.substr(0, prefix.size()), prefix) << message;
  };
  starts(error("{}"), at + ": expected a non-empty array of constraints");
  starts(error("[]"), at + ": expected a non-empty array of constraints");
  starts(error("[1]"), at + "/0: expected an object");
  starts(error(R"([{"max_skew": 1}])"), at + "/0/topology: missing");
  EXPECT_EQ(error(R"([{"topology": "region"}])"),
            at + R"(/0/topology: expected "zone" or "node", found "region")");
  starts(error(R"([{"topology": "zone", "max_skew": 0}])"),
         at + "/0/max_skew: expected an integer from 1");
  starts(error(R"([{"topology": "zone", "when_unsatisfiable": "maybe"}])"),
         at + "/0/when_unsatisfiable: expected \"do_not_schedule\" or \"schedule_anyway\"");
  EXPECT_EQ(error(R"([{"topology": "zone"}, {"topology": "zone"}])"),
            at + R"(/1/topology: expected one constraint per topology, found "zone" again)");
  starts(error(R"([{"topology": "zone", "skew": 1}])"), at + "/0/skew");
  // A zone constraint on a pool without zones would leave every pod Pending.
  EXPECT_EQ(error(R"([{"topology": "zone"}])", "flat"),
            at + "/0/topology: expected a pool with \"zones\" for a zone constraint, found "
                 "pool 'flat' without zones");
}

}  // namespace
}  // namespace capsim::net
