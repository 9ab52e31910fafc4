// Which metrics sweep and compare print as percentages (docs/answers.md, "sweep and compare
// tables"): every fraction `capsim run` prints as one, and no count, rate or time.

#include <gtest/gtest.h>

#include "../../src/run/experiment_output.hpp"

namespace {

using capsim::run::detail::is_fraction_metric;

TEST(FractionMetrics, EveryFractionAndNothingElse) {
  for (const char* fraction :
       {"workloads.w.error_rate", "workloads.w.errors.timeout", "workloads.w.degraded_rate",
        "services.api.cpu_utilization", "services.db.primary.worker_utilization",
        "services.api.memory.utilization", "services.api.rejected", "services.api.rate_limited",
        "services.api.dropped", "services.cache.hit_ratio", "services.api.wasted_work_fraction",
        "services.api.pools.db.timeout_rate", "services.api.pools.db.refused_rate",
        "phases.spike.services.api.cpu_utilization"}) {
    EXPECT_TRUE(is_fraction_metric(fraction)) << fraction;
  }
  for (const char* other :
       {"workloads.w.offered_rps", "workloads.w.latency_ms.p99", "services.api.queue_length",
        "services.api.pools.db.wait_ms.mean", "services.api.pools.db.in_use",
        "services.api.memory.oom_kills", "services.api.replicas.mean", "services.api.cost"}) {
    EXPECT_FALSE(is_fraction_metric(other)) << other;
  }
}

}  // namespace
