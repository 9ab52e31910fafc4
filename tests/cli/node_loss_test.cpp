// Node and zone loss (docs/nodes.md#node-and-zone-loss), end to end through `capsim run`: the
// example model's zone outage against its hand-computed recovery, a model without a loss that
// reports none, and the bad input (exit 2, the JSON Pointer, nothing written).

#include <string>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

double mean_of(const Json& estimate) {
  return estimate["mean"].get<double>();
}

TEST(NodeLoss, ZoneOutageOfTheExampleModel) {
  // models/nodes-zone-loss.json: zone a (node 0, 2 of the 6 pods) lost at 600 s; no room on
  // the other nodes, so the 2 replacements are Pending until the cluster autoscaler's scan at
  // 600 s (scans every 10 s from 0; the fault comes first at the same instant) asks for a node,
  // Ready 100 s later; the pods' 45 s start-up: recovered 145 s after the loss.
  Sandbox box;
  const RunResult r = box.run({"run", example_model("nodes-zone-loss.json").string(), "--quiet",
                               "--replications", "2", "-o", "out.json"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_EQ(r.err, "") << r;
  const Json j = read_json(box / "out.json");
  const Json& loss = j["node_pools"]["general"]["loss"];
  EXPECT_DOUBLE_EQ(mean_of(loss["at_s"]), 600.0) << loss;
  EXPECT_DOUBLE_EQ(mean_of(loss["nodes_lost"]), 1.0) << loss;
  EXPECT_DOUBLE_EQ(mean_of(loss["pods_evicted"]), 2.0) << loss;
  EXPECT_DOUBLE_EQ(mean_of(loss["recovered"]), 1.0) << loss;
  EXPECT_DOUBLE_EQ(mean_of(loss["recovered_s"]), 145.0) << loss;
  // The lost pods' requests in flight failed, and 4 pods at 105 % of their cores for 145 s
  // made clients time out.
  EXPECT_GT(mean_of(j["workloads"]["shoppers"]["error_rate"]), 0.001) << j["workloads"];
}

TEST(NodeLoss, ModelsWithoutOneReportNoLoss) {
  Sandbox box;
  const RunResult r =
      box.run({"run", example_model("nodes-cluster-autoscaler.json").string(), "--quiet",
               "--replications", "1", "--duration", "60s", "-o", "out.json"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_FALSE(read_json(box / "out.json")["node_pools"]["general"].contains("loss"));
}

/// `capsim run FIXTURE`: exit 2, nothing written; returns stderr.
std::string refused(const std::string& file) {
  Sandbox box;
  const RunResult r = box.run({"run", fixture(file).string(), "-o", "out.json"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_EQ(r.out, "") << r;
  EXPECT_TRUE(box.entries().empty()) << r;
  return r.err;
}

TEST(NodeLossBadInput, UnknownPool) {
  const std::string err = refused("node_loss_unknown_pool.json");
  EXPECT_NE(err.find("/faults/0/pool: expected one of the node pools (general), found \"gpu\""),
            std::string::npos)
      << err;
}

TEST(NodeLossBadInput, MoreNodesThanThePoolsMax) {
  const std::string err = refused("node_loss_too_many_nodes.json");
  EXPECT_NE(err.find("/faults/0/nodes: expected at most the pool's max (6 nodes of pool "
                     "'general'), found 7"),
            std::string::npos)
      << err;
}

TEST(NodeLossBadInput, UnknownZone) {
  const std::string err = refused("node_loss_unknown_zone.json");
  EXPECT_NE(err.find("/faults/0/zone: expected one of the zones of pool 'general' (a, b, c), "
                     "found \"d\""),
            std::string::npos)
      << err;
}

}  // namespace
}  // namespace capsim::cli_test
