// A database's pods (docs/nodes.md#databases-on-nodes): a database kind may run on a node pool
// as generic services do. Its replicas are its primary (slot 0) and read replicas, routed by
// slot, so a pod that moves keeps its slot: a lost primary is replaced as the primary, and a
// pod evicted by a scale-down drain is recreated under its slot once it has finished its
// queries (a StatefulSet's behaviour). Hand-computed timelines.

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

stats::Summary run0(const Json& doc) {
  ReplicationOptions options;
  options.timeseries = true;  // the event log too
  return simulate(model::load(doc, "."), options);
}

using test_support::metric;

std::vector<std::pair<double, std::string>> events(const stats::Summary& s,
                                                   const std::string& kind) {
  std::vector<std::pair<double, std::string>> out;
  for (const stats::EventRow& e : s.event_log) {
    if (e.kind == kind) out.emplace_back(e.t_s, e.detail);
  }
  return out;
}

TEST(DatabasePod, LoadsWithRequestsLimitMemoryAndStartUp) {
  Json doc = model_test::minimal_model();
  doc["nodes"] =
      Json::parse(R"({"pools": {"p": {"cores": 4, "memory_mib": 8192, "min": 1, "max": 1}}})");
  doc["services"]["db"] = Json::parse(R"({"kind": "database", "work": "2ms", "connections": 8,
      "read_replicas": 1, "startup_time": "20s",
      "memory": {"baseline_mib": 1024, "limit_mib": 2048},
      "pod": {"pool": "p", "cores": 2, "cpu_limit": 3}})");
  const model::Spec spec = model::load(doc, ".");
  const model::ServiceSpec& db = spec.services.at(1);
  ASSERT_TRUE(db.pod.has_value());
  EXPECT_DOUBLE_EQ(db.pod->cores, 2.0);
  EXPECT_DOUBLE_EQ(db.pod->cpu_limit, 3.0);
  EXPECT_DOUBLE_EQ(db.pod->memory_mib, 2048.0);  // the memory request: the limit
  EXPECT_DOUBLE_EQ(db.startup_time_s, 20.0);
  EXPECT_TRUE(spec.nodes->pools[0].shared_cores);
  EXPECT_EQ(db.replicas, 2);
}

TEST(DatabasePod, ADefaultRequestOfOneCorePerConnectionIsRefusedWhereItCannotFit) {
  // A database's cores default to its connections (100): as a pod's request, larger than a node.
  Json doc = model_test::minimal_model();
  doc["nodes"] =
      Json::parse(R"({"pools": {"p": {"cores": 4, "memory_mib": 8192, "min": 1, "max": 1}}})");
  doc["services"]["db"] =
      Json::parse(R"({"kind": "database", "work": "2ms", "pod": {"pool": "p"}})");
  EXPECT_EQ(model_test::error(doc),
            "/services/db/pod: expected a pod that fits on a node of pool 'p' (at most 4 cores), "
            "found a request of 100 cores (the service's default)");
}

/// Pool p: nodes of 2 cores (1 initial, at most 2, provisioned in 60 s, scans every 10 s); db: a
/// primary and one read replica, pods of 1.5 cores (one per node), a 5 s start-up; writes and
/// reads at 10/s each through two front services; a loss of 1 node (the oldest Ready: node 0,
/// the primary's) at 100 s.
Json primary_loss() {
  return Json::parse(R"({
    "simulation": {"duration": "300s", "replications": 1, "seed": 3,
                   "phases": [{"name": "start", "from": "0s", "to": "65s"},
                              {"name": "both", "from": "66s", "to": "100s"},
                              {"name": "lost", "from": "100s", "to": "165s"},
                              {"name": "after", "from": "166s", "to": "300s"}]},
    "workloads": [{"name": "writes", "target": "writer", "rate": 10},
                  {"name": "reads", "target": "reader", "rate": 10}],
    "nodes": {"pools": {"p": {"cores": 2, "memory_mib": 4096, "initial": 1, "max": 2,
                              "provisioning_time": "60s"}}},
    "services": {
      "writer": {"cores": 1, "workers": 100, "steps": [{"call": "db", "op": "write"}]},
      "reader": {"cores": 1, "workers": 100, "steps": [{"call": "db", "op": "read"}]},
      "db": {"kind": "database", "work": "1ms", "connections": 8, "read_replicas": 1,
             "startup_time": "5s", "pod": {"pool": "p", "cores": 1.5}}},
    "faults": [{"at": "100s", "kind": "node_loss", "pool": "p", "nodes": 1}]
  })");
}

TEST(DatabasePod, ALostPrimaryIsReplacedAsThePrimary) {
  const stats::Summary s = run0(primary_loss());
  // t = 0: the primary (slot 0) is bound to node 0; the read replica fits nowhere (0.5 core
  // left): Pending; the scan at 0 s asks for node 1, Ready at 60 s; the replica is ready at 65 s.
  // Until then every read fails at once (no read replica ready), writes succeed.
  EXPECT_DOUBLE_EQ(metric(s, "phases.start.workloads.reads.error_rate"), 1.0);
  EXPECT_DOUBLE_EQ(metric(s, "phases.start.workloads.writes.error_rate"), 0.0);
  EXPECT_DOUBLE_EQ(metric(s, "phases.both.workloads.reads.error_rate"), 0.0);
  EXPECT_DOUBLE_EQ(metric(s, "phases.both.workloads.writes.error_rate"), 0.0);
  // 100 s: node 0 is lost with the primary; its replacement takes slot 0 again, finds no room
  // on node 1 (0.5 core) and is Pending; the scan at 100 s asks for a node, Ready at 160 s; the
  // new primary is ready at 165 s. Meanwhile every write fails; reads go on.
  EXPECT_EQ(events(s, "pod_lost"),
            (std::vector<std::pair<double, std::string>>{{100.0, "replica 0"}}));
  EXPECT_DOUBLE_EQ(metric(s, "phases.lost.workloads.writes.error_rate"), 1.0);
  EXPECT_DOUBLE_EQ(metric(s, "phases.lost.workloads.reads.error_rate"), 0.0);
  // After: writes reach the primary again, in slot 0 (none goes to the read replica).
  EXPECT_DOUBLE_EQ(metric(s, "phases.after.workloads.writes.error_rate"), 0.0);
  EXPECT_DOUBLE_EQ(metric(s, "phases.after.workloads.reads.error_rate"), 0.0);
  EXPECT_DOUBLE_EQ(metric(s, "node_pools.p.loss.recovered_s"), 65.0);
  EXPECT_DOUBLE_EQ(metric(s, "services.db.pods.time_to_ready_max_s"), 65.0);
  EXPECT_DOUBLE_EQ(metric(s, "services.db.pods.pending_max"), 1.0);
}

TEST(DatabasePod, AnEvictedPodComesBackUnderItsSlotOnceItHasFinished) {
  // Nodes of 4 cores, 2 initial (min 1); x (2 pods of 2 cores) fills node 0, so the database's
  // only pod (1 core) goes to node 1. x scales down to 1 pod at 100 s: node 1 (25 % requested)
  // is unneeded from the scan at 100 s (its pod fits on node 0, 50 %: not unneeded) and, after
  // scale_down_unneeded_time (60 s), drained at 160 s. One closed user runs queries of 30 s back
  // to back from t = 0: the one begun at 150 s holds the pod until 180 s; then the replacement
  // takes slot 0 on node 0 and is ready after its 5 s start-up, at 185 s. Node 1 is deleted at
  // 180 s, when its last pod has finished.
  const Json doc = Json::parse(R"({
    "simulation": {"duration": "300s", "replications": 1, "seed": 3},
    "workloads": [{"name": "q", "kind": "closed", "target": "db", "users": 1}],
    "nodes": {"pools": {"p": {"cores": 4, "memory_mib": 8192, "initial": 2, "min": 1, "max": 2,
                              "provisioning_time": "60s"}},
              "cluster_autoscaler": {"scale_down_unneeded_time": "60s"}},
    "services": {
      "x": {"replicas": 2, "cores": 2, "workers": 4, "steps": [{"work": "1ms"}],
            "pod": {"pool": "p", "cores": 2},
            "autoscaling": {"kind": "schedule", "steps": [{"at": "100s", "replicas": 1}]}},
      "db": {"kind": "database", "work": "30s", "connections": 4, "startup_time": "5s",
             "pod": {"pool": "p", "cores": 1}}}
  })");
  const stats::Summary s = run0(doc);
  EXPECT_EQ(events(s, "evicted"),
            (std::vector<std::pair<double, std::string>>{{160.0, "replica 0"}}));
  ASSERT_EQ(events(s, "node_deleted").size(), 1u);
  EXPECT_DOUBLE_EQ(events(s, "node_deleted")[0].first, 180.0);
  // The replacement: created at 180 s, ready at 185 s.
  EXPECT_DOUBLE_EQ(metric(s, "services.db.pods.time_to_ready_max_s"), 5.0);
  EXPECT_DOUBLE_EQ(metric(s, "services.db.pods.started"), 1.0);
  // The query sent at 180 s waited at the balancer for the replacement: 185 + 30 - 180 = 35 s.
  EXPECT_DOUBLE_EQ(metric(s, "workloads.q.latency_ms.max"), 35000.0);
  EXPECT_DOUBLE_EQ(metric(s, "workloads.q.error_rate"), 0.0);
}

TEST(DatabasePod, ItsPodSharesItsNodesCoresUpToItsLimit) {
  // One pod of 1 core with a limit of 2 on a 2-core node, alone: two queries of 1 s at a time
  // (two closed users) run at a core each, 1 s; with the limit at the request, 2 s.
  Json doc = Json::parse(R"({
    "simulation": {"duration": "100s", "warmup": "10s", "replications": 1, "seed": 1},
    "workloads": [{"name": "q", "kind": "closed", "target": "db", "users": 2}],
    "nodes": {"pools": {"p": {"cores": 2, "memory_mib": 8192, "min": 1, "max": 1}}},
    "services": {"db": {"kind": "database", "work": "1s", "connections": 4,
                        "pod": {"pool": "p", "cores": 1, "cpu_limit": 2}}}
  })");
  EXPECT_NEAR(metric(run0(doc), "workloads.q.latency_ms.mean"), 1000.0, 1e-6);
  doc["services"]["db"]["pod"]["cpu_limit"] = 1;
  EXPECT_NEAR(metric(run0(doc), "workloads.q.latency_ms.mean"), 2000.0, 1e-6);
}

TEST(DatabasePod, ItsMemoryIsItsPodsRequestAndAnOomKillRestartsIt) {
  // A database holding 1024 MiB idle and 600 MiB per query in flight, limit 2048 MiB: two
  // queries at once (1024 + 1200) cross the limit and the pod is OOM-killed, both queries
  // failing (t = 0: both users send at once). The pod's memory request defaults to the limit, which
  // places it.
  Json doc = Json::parse(R"({
    "simulation": {"duration": "60s", "replications": 1, "seed": 1},
    "workloads": [{"name": "q", "kind": "closed", "target": "db", "users": 2,
                   "think_time": "5s"}],
    "nodes": {"pools": {"p": {"cores": 2, "memory_mib": 4096, "min": 1, "max": 1}}},
    "services": {"db": {"kind": "database", "work": "1s", "connections": 4,
                        "memory": {"baseline_mib": 1024, "per_request_mib": 600,
                                   "limit_mib": 2048},
                        "pod": {"pool": "p", "cores": 1}}}
  })");
  const model::Spec spec = model::load(doc, ".");
  EXPECT_DOUBLE_EQ(spec.services[0].pod->memory_mib, 2048.0);
  const stats::Summary s = run0(doc);
  EXPECT_GE(metric(s, "services.db.memory.oom_kills"), 1.0);
  EXPECT_EQ(events(s, "oom_kill").at(0).first, 0.0);
}

}  // namespace
}  // namespace capsim::net
