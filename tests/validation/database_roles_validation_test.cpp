// A database with read replicas (docs/results-format.md, `primary.*`): writes go
// to the primary, reads to the read replicas, so the service's mean utilisation can hide a
// saturated side. The primary's and the read replicas' utilisations are reported apart.
//
// Hand calculation: 4 connections and 4 cores per node, exponential 10 ms queries, 2 read
// replicas. 200 reads/s over 2 read replicas: 100/s x 0.010 s = 1 busy connection of 4 on each,
// 25%; 240 writes/s on the primary: 2.4 of 4, 60%; the service's mean over its 3 nodes is
// (1 + 1 + 2.4) / 12 = 36.7%. With cores = connections a query never waits for a core, so cpu
// and connection utilisation are the same.

#include "validation_support.hpp"

namespace capsim::validation {
namespace {

const char* kModel = R"({
  "simulation": { "duration": "1000s", "warmup": "50s", "replications": 4, "seed": 11 },
  "workloads": [ { "name": "reads", "target": "reader", "rate": 200 },
                 { "name": "writes", "target": "writer", "rate": 240 } ],
  "services": {
    "reader": { "replicas": 2, "cores": 4, "workers": 64,
                "steps": [ { "call": "db", "op": "read" } ] },
    "writer": { "replicas": 2, "cores": 4, "workers": 64,
                "steps": [ { "call": "db", "op": "write" } ] },
    "db": { "kind": "database", "connections": 4, "cores": 4, "read_replicas": 2,
            "work": { "dist": "exponential", "mean": "10ms" } }
  }
})";

TEST(DatabaseRoles, PrimaryAndReadReplicasAreReportedApart) {
  const run::Results r = run_model(kModel);
  EXPECT_TRUE(covers(metric(r, "services.db.primary.worker_utilization"), 0.60));
  EXPECT_TRUE(covers(metric(r, "services.db.primary.cpu_utilization"), 0.60));
  EXPECT_TRUE(covers(metric(r, "services.db.read_replicas.worker_utilization"), 0.25));
  EXPECT_TRUE(covers(metric(r, "services.db.read_replicas.cpu_utilization"), 0.25));
  // The whole service's mean is what it was: over all three nodes.
  EXPECT_TRUE(covers(metric(r, "services.db.worker_utilization"), 4.4 / 12.0));
  EXPECT_TRUE(covers(metric(r, "services.db.cpu_utilization"), 4.4 / 12.0));
}

TEST(DatabaseRoles, OnlyADatabaseWithReadReplicasHasThem) {
  std::string model = kModel;
  model.replace(model.find(R"("read_replicas": 2)"), 18, R"("read_replicas": 0)");
  model.replace(model.find(R"("rate": 200)"), 11, R"("rate": 100)");
  const run::Results r = run_model(model);
  EXPECT_EQ(r.find("services.db.primary.cpu_utilization"), nullptr);
  EXPECT_EQ(r.find("services.db.read_replicas.cpu_utilization"), nullptr);
  // One node takes every query: 340/s x 0.010 s = 3.4 of 4 connections.
  EXPECT_TRUE(covers(metric(r, "services.db.worker_utilization"), 0.85));
}

}  // namespace
}  // namespace capsim::validation
