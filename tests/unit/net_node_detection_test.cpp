// A node lost as Kubernetes detects it (docs/nodes.md#notready-and-eviction): a node_loss with
// `detection` leaves the node's pods in their Services for `not_ready_after`
// (node-monitor-grace-period), what is sent to them hanging; NotReady takes them out; they are
// evicted and replaced `evict_after` later (the not-ready toleration). Hand-computed timelines.

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

stats::Summary run0(const std::string& text) {
  ReplicationOptions options;
  options.timeseries = true;  // the event log too
  return simulate(model::load(Json::parse(text), "."), options);
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

Json with_loss(const std::string& fault) {
  Json doc = model_test::minimal_model();
  doc["nodes"] = Json::parse(R"({"pools": {"p": {"cores": 2, "memory_mib": 4096, "initial": 3,
      "max": 4, "provisioning_time": "60s"}}})");
  doc["services"]["api"]["pod"] = Json::parse(R"({"pool": "p"})");
  doc["faults"] = Json::array({Json::parse(fault)});
  return doc;
}

TEST(ModelNodeDetection, KubernetesDefaultsAndExplicitDurations) {
  const model::Spec k8s =
      model::load(with_loss(R"({"at": "1m", "kind": "node_loss", "pool": "p", "nodes": 1,
                    "detection": "kubernetes"})"),
                  ".");
  EXPECT_DOUBLE_EQ(*k8s.faults[0].not_ready_after_s, 50.0);  // node-monitor-grace-period
  EXPECT_DOUBLE_EQ(*k8s.faults[0].evict_after_s, 300.0);     // tolerationSeconds
  const model::Spec set =
      model::load(with_loss(R"({"at": "1m", "kind": "node_loss", "pool": "p", "nodes": 1,
                    "not_ready_after": "40s", "restore_after": "10m"})"),
                  ".");
  EXPECT_DOUBLE_EQ(*set.faults[0].not_ready_after_s, 40.0);
  EXPECT_DOUBLE_EQ(*set.faults[0].evict_after_s, 300.0);
  const model::Spec now =
      model::load(with_loss(R"({"at": "1m", "kind": "node_loss", "pool": "p", "nodes": 1,
                    "detection": "immediate"})"),
                  ".");
  EXPECT_FALSE(now.faults[0].not_ready_after_s.has_value());
  EXPECT_FALSE(now.faults[0].evict_after_s.has_value());
}

TEST(ModelNodeDetection, MistakesNameTheirPointer) {
  EXPECT_EQ(model_test::error(with_loss(R"({"at": 5, "kind": "node_loss", "pool": "p",
                                            "nodes": 1, "detection": "k8s"})")),
            "/faults/0/detection: expected one of immediate, kubernetes, found \"k8s\"");
  EXPECT_EQ(model_test::error(with_loss(R"({"at": 5, "kind": "node_loss", "pool": "p",
                                            "nodes": 1, "detection": "immediate",
                                            "evict_after": "1m"})")),
            "/faults/0/evict_after: only with \"detection\": \"kubernetes\" (the loss is known at "
            "once with \"detection\": \"immediate\")");
  EXPECT_EQ(model_test::error(with_loss(R"({"at": 5, "kind": "node_loss", "pool": "p",
                                            "nodes": 1, "detection": "kubernetes",
                                            "restore_after": "5m"})")),
            "/faults/0/restore_after: expected at least not_ready_after + evict_after (350 s): a "
            "node that comes back before its pods are evicted is not modelled, found 300 s");
  EXPECT_EQ(model_test::error(with_loss(R"({"at": 5, "kind": "node_loss", "pool": "p",
                                            "nodes": 1, "not_ready_after": "-1s"})"))
                .substr(0, 36),
            "/faults/0/not_ready_after: expected ");
  EXPECT_EQ(model_test::error(with_loss(R"({"at": 5, "kind": "crash", "service": "api",
                                            "detection": "kubernetes"})"))
                .substr(0, 30),
            "/faults/0/detection: only for ");
}

/// 3 nodes of 2 cores, api with 6 pods of 1 core (2 per node) and a 5 s start-up; 6 closed users
/// each send one request of 1000 s at t = 0 (one per pod); node 0 lost at 95 s, NotReady 40 s
/// later, its pods evicted 60 s after that.
std::string six_pods(const std::string& extra) {
  return R"({
    "simulation": {"duration": "300s", "replications": 1, "seed": 5},
    "workloads": [{"name": "w", "kind": "closed", "target": "api", "users": 6}],
    "nodes": {"pools": {"p": {"cores": 2, "memory_mib": 4096, "initial": 3, "max": 4,
                              "provisioning_time": "60s"}}},
    "services": {"api": {"replicas": 6, "cores": 1, "startup_time": "5s",
                         "load_balancer": {"policy": "round_robin"},
                         "steps": [{"work": "1000s"}], "pod": {"pool": "p"}}},
    "faults": [{"at": "95s", "kind": "node_loss", "pool": "p", "nodes": 1,
                "not_ready_after": "40s", "evict_after": "60s")" +
         extra + R"(}]
  })";
}

TEST(NodeDetection, PodsAreReplacedOnlyAfterNotReadyAndTheToleration) {
  // 95 s: node 0 is unreachable; the requests on pods 0 and 1 get no answer. 135 s: NotReady.
  // 195 s: the pods are evicted: their requests fail, their replacements are Pending (no room);
  // the scan at 200 s asks for a node, Ready at 260 s; the pods are ready at 265 s: 170 s after
  // the loss = 40 + 60 + 5 (to the scan) + 60 + 5 (without detection: 70 s).
  const stats::Summary s = run0(six_pods(""));
  EXPECT_DOUBLE_EQ(event_time(s, "node_lost"), 95.0);
  EXPECT_DOUBLE_EQ(event_time(s, "node_not_ready"), 135.0);
  EXPECT_DOUBLE_EQ(event_time(s, "pod_lost"), 195.0);
  EXPECT_EQ(event_count(s, "pod_lost"), 2);
  EXPECT_DOUBLE_EQ(event_time(s, "nodes_added"), 200.0);
  EXPECT_DOUBLE_EQ(event_time(s, "node_ready"), 260.0);
  EXPECT_DOUBLE_EQ(event_time(s, "node_loss_recovered"), 265.0);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.loss.at_s"), 95.0);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.loss.nodes_lost"), 1.0);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.loss.pods_evicted"), 2.0);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.loss.recovered_s"), 170.0);
  // Ready pods: 6 on [0, 135) (the 2 unreachable ones count as Ready until NotReady), 4 on
  // [135, 265), 6 on [265, 300].
  EXPECT_NEAR(metric(s, "services.api.replicas.mean"), (135 * 6 + 130 * 4 + 35 * 6) / 300.0, 1e-9);
  // The 2 hung requests fail at the eviction; no other request ends.
  EXPECT_NEAR(metric(s, "workloads.w.throughput_rps") * 300.0, 2.0, 1e-9);
  EXPECT_DOUBLE_EQ(metric(s, "workloads.w.error_rate"), 1.0);
  EXPECT_TRUE(std::isnan(metric(s, "workloads.w.latency_ms.mean")));  // no success
}

TEST(NodeDetection, RequestsSentToAnUnreachablePodHangUntilTheirTimeout) {
  // Two nodes of 1 core, one pod each, round robin, a request every second (constant gaps) of
  // 10 ms with a client timeout of 10 s, at whole seconds. From 95.5 s node 0 is unreachable:
  // every other request goes to its pod and hangs, timing out 10 s later; from NotReady at
  // 135.5 s all go to pod 1. The 60 requests sent in [95, 155) end in it, among them the 20 sent
  // to pod 0 at 96 to 135 s, timed out (their eviction at 195.5 s answers nobody). The
  // replacement is Pending until the scan at 200 s brings a node, Ready at 260 s, the pod ready
  // at 265 s.
  const stats::Summary s = run0(R"({
    "simulation": {"duration": "300s", "replications": 1, "seed": 5,
                   "phases": [{"name": "before", "from": "10s", "to": "95s"},
                              {"name": "hidden", "from": "95s", "to": "155s"},
                              {"name": "notready", "from": "155s", "to": "300s"}]},
    "workloads": [{"name": "w", "target": "api", "rate": 1, "interarrival": "1s",
                   "timeout": "10s"}],
    "nodes": {"pools": {"p": {"cores": 1, "memory_mib": 4096, "initial": 2, "max": 2,
                              "provisioning_time": "60s"}}},
    "services": {"api": {"replicas": 2, "cores": 1, "startup_time": "5s",
                         "load_balancer": {"policy": "round_robin"},
                         "steps": [{"work": "10ms"}], "pod": {"pool": "p"}}},
    "faults": [{"at": "95.5s", "kind": "node_loss", "pool": "p", "nodes": 1,
                "not_ready_after": "40s", "evict_after": "60s"}]
  })");
  EXPECT_DOUBLE_EQ(metric(s, "phases.before.workloads.w.error_rate"), 0.0);
  EXPECT_NEAR(metric(s, "phases.hidden.workloads.w.error_rate"), 20.0 / 60.0, 1e-12);
  EXPECT_NEAR(
      metric(s, "workloads.w.errors.timeout") * metric(s, "workloads.w.throughput_rps") * 300.0,
      20.0, 1e-9);  // the only failures of the run: timeouts
  EXPECT_DOUBLE_EQ(metric(s, "phases.notready.workloads.w.error_rate"), 0.0);
  EXPECT_DOUBLE_EQ(event_time(s, "node_loss_recovered"), 265.0);
}

TEST(NodeDetection, ALeastOutstandingBalancerCountsTheHangingRequests) {
  // The same with least_outstanding: the first request the dead pod takes (a tie, 0 against 0)
  // hangs and stays active on it, so every later one goes to pod 1 (0 active between requests):
  // a single timeout instead of 20.
  Json doc = Json::parse(R"({
    "simulation": {"duration": "300s", "replications": 1, "seed": 5,
                   "phases": [{"name": "before", "from": "10s", "to": "95s"},
                              {"name": "hidden", "from": "95s", "to": "155s"},
                              {"name": "notready", "from": "155s", "to": "300s"}]},
    "workloads": [{"name": "w", "target": "api", "rate": 1, "interarrival": "1s",
                   "timeout": "10s"}],
    "nodes": {"pools": {"p": {"cores": 1, "memory_mib": 4096, "initial": 2, "max": 2,
                              "provisioning_time": "60s"}}},
    "services": {"api": {"replicas": 2, "cores": 1, "startup_time": "5s",
                         "load_balancer": {"policy": "round_robin"},
                         "steps": [{"work": "10ms"}], "pod": {"pool": "p"}}},
    "faults": [{"at": "95.5s", "kind": "node_loss", "pool": "p", "nodes": 1,
                "not_ready_after": "40s", "evict_after": "60s"}]
  })");
  doc["services"]["api"]["load_balancer"]["policy"] = "least_outstanding";
  ReplicationOptions options;
  const stats::Summary s = simulate(model::load(doc, "."), options);
  EXPECT_NEAR(
      metric(s, "workloads.w.errors.timeout") * metric(s, "workloads.w.throughput_rps") * 300.0,
      1.0, 1e-9);
}

TEST(NodeDetection, AQueueConsumersLivePodsKeepPullingWhileADeadOneIsUndetected) {
  // 10 messages/s to a consumer of two pods with 2 workers each (150 ms a message: 13.3/s per
  // pod; round robin gives each pod one every 200 ms, so at 60.05 s both hold one). At 60 s one
  // pod's node is lost, NotReady at 80 s, evicted at 200 s. A dead pod polls nothing: the live pod
  // takes every message, so the backlog stays near empty. (The batch the dead pod held used to keep
  // its slot, and new batches went to it until NotReady: the backlog grew at 10/s to about 1,400
  // until the eviction.) The one message it held is received again after its 30 s visibility
  // timeout.
  const stats::Summary s = run0(R"({
    "simulation": {"duration": "4m", "warmup": "0s", "replications": 1, "seed": 1},
    "workloads": [{"name": "producer", "target": "api", "rate": 10, "interarrival": "100ms"}],
    "nodes": {"pools": {"p": {"cores": 1, "memory_mib": 4096, "min": 2, "max": 2,
                              "provisioning_time": "60s"}}},
    "services": {
      "api": {"replicas": 1, "cores": 1, "workers": 64,
              "steps": [{"work": "1ms"}, {"call": "orders", "async": true}]},
      "orders": {"kind": "queue", "consumer": "worker", "visibility_timeout": "30s"},
      "worker": {"replicas": 2, "cores": 1, "workers": 2, "pod": {"pool": "p", "cores": 1},
                 "steps": [{"delay": "150ms"}]}},
    "faults": [{"at": "60.05s", "kind": "node_loss", "pool": "p", "nodes": 1,
                "detection": "kubernetes", "not_ready_after": "20s", "evict_after": "120s"}]
  })");
  EXPECT_DOUBLE_EQ(event_time(s, "node_not_ready"), 80.05);
  EXPECT_LE(metric(s, "services.orders.queue.backlog.max"), 1.0);
  EXPECT_DOUBLE_EQ(metric(s, "services.orders.queue.redeliveries"), 1.0);
  EXPECT_DOUBLE_EQ(metric(s, "services.orders.queue.dead_lettered"), 0.0);
  // Every message sent is delivered by the end but the last one or two, still in processing.
  const double sent = metric(s, "services.orders.queue.sent_rps") * 240.0;
  EXPECT_NEAR(sent, 2400.0, 1.0);
  EXPECT_GE(metric(s, "services.orders.queue.delivered"), sent - 2.0);
}

}  // namespace
}  // namespace capsim::net
