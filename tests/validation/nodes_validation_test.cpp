// The node pool with the cluster autoscaler reproduces the documented delays of a scale-out
// (docs/nodes.md): an HPA decision creates a Pending pod; the cluster autoscaler sees it at its
// next scan (at most scan_interval later, 10 s) and asks for a node, Ready provisioning_time
// later; the pod is bound at once and ready after its start-up. So every new pod's time to
// ready lies in [provisioning + start-up, provisioning + start-up + scan interval].

#include <gtest/gtest.h>

#include "validation_support.hpp"

namespace capsim::validation {
namespace {

TEST(Validation, ScaleOutTimeToReadyIsProvisioningPlusStartUpWithinOneScan) {
  // One 1-core pod per 1-core node. 160/s of 10 ms work on 2 replicas (80 %) from 5 min on:
  // the HPA (cpu, target 50 %) asks for about 4. Provisioning 120 s, start-up 30 s.
  const run::Results r = run_model(R"({
    "simulation": {"duration": "20m", "replications": 5, "seed": 11},
    "workloads": [{"name": "w", "target": "api", "timeout": "5s",
                   "rate": {"start": 60, "stages": [{"duration": "5m", "target": 60},
                                                    {"duration": "0s", "target": 160},
                                                    {"duration": "15m", "target": 160}]}}],
    "nodes": {"pools": {"p": {"cores": 1, "memory_mib": 2048, "min": 2, "max": 20,
                              "provisioning_time": "120s"}}},
    "services": {"api": {"replicas": 2, "cores": 1, "workers": 64, "startup_time": "30s",
                         "steps": [{"work": {"dist": "exponential", "mean": "10ms"}}],
                         "pod": {"pool": "p", "memory_mib": 512},
                         "autoscaling": {"kind": "hpa", "min": 2, "max": 20, "metric": "cpu",
                                         "target": 0.5}}}
  })");
  const double provisioning_s = 120.0, startup_s = 30.0, scan_s = 10.0;
  EXPECT_GE(metric(r, "services.api.pods.started").mean, 2.0);
  const run::MergedMetric* lo = r.find("services.api.pods.time_to_ready_min_s");
  const run::MergedMetric* hi = r.find("services.api.pods.time_to_ready_max_s");
  ASSERT_NE(lo, nullptr);
  ASSERT_NE(hi, nullptr);
  EXPECT_GE(lo->extreme, provisioning_s + startup_s - 1e-9);
  EXPECT_LE(hi->extreme, provisioning_s + startup_s + scan_s + 1e-9);
  // The pool grew by a node for each new pod (one fits a node; a pod asked for late in the run
  // may not be ready by its end), and nothing was removed in 20 minutes (a scale-down needs
  // 10 minutes unneeded after a 10-minute delay after the last scale-up).
  EXPECT_GE(metric(r, "node_pools.p.nodes_added").mean,
            metric(r, "services.api.pods.started").mean);
  EXPECT_DOUBLE_EQ(metric(r, "node_pools.p.nodes_removed").mean, 0.0);
}

}  // namespace
}  // namespace capsim::validation
