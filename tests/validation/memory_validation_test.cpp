// Memory against Little's law: a replica's mean memory is its baseline plus the mean memory of a
// request times the mean number of requests in flight on it, L (M/M/1 and M/M/c closed forms).

#include <gtest/gtest.h>

#include "capsim/analytic/queueing.hpp"
#include "validation_support.hpp"

namespace capsim::validation {
namespace {

TEST(Validation, MemoryIsBaselinePlusPerRequestTimesLittlesL) {
  // M/M/1 at 8/s, mean service 100 ms (rho 0.8): L = rho / (1 - rho) = 4 in flight. Requests
  // hold exponential memory of mean 16 MiB, independent of their stay: mean memory
  // 300 + 16 x 4 = 364 MiB. No limit (nothing is killed).
  const run::Results r = run_model(R"({
    "simulation": {"duration": "20000s", "warmup": "500s", "replications": 10, "seed": 3,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "s", "rate": 8}],
    "services": {"s": {"workers": 1,
                       "steps": [{"work": {"dist": "exponential", "mean": "100ms"}}],
                       "memory": {"baseline_mib": 300,
                                  "per_request_mib": {"dist": "exponential", "mean": 16}}}}
  })");
  const analytic::MMc q{8.0, 10.0, 1};
  EXPECT_NEAR(q.mean_in_system(), 4.0, 1e-12);
  EXPECT_TRUE(covers(metric(r, "services.s.memory.mean_mib"), 300.0 + 16.0 * q.mean_in_system()));
  // The utilisation of the request (the baseline when no request or limit is given).
  EXPECT_TRUE(covers(metric(r, "services.s.memory.utilization"),
                     (300.0 + 16.0 * q.mean_in_system()) / 300.0));
}

TEST(Validation, MemoryPerReplicaOnSeveralReplicas) {
  // Three replicas of one worker each behind a random balancer: three independent M/M/1
  // queues at 6/s each, mean service 100 ms (rho 0.6, L = 1.5 each). Constant 40 MiB a
  // request: 200 + 40 x 1.5 = 260 MiB per replica.
  const run::Results r = run_model(R"({
    "simulation": {"duration": "20000s", "warmup": "500s", "replications": 10, "seed": 5,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "s", "rate": 18}],
    "services": {"s": {"replicas": 3, "workers": 1, "load_balancer": {"policy": "random"},
                       "steps": [{"work": {"dist": "exponential", "mean": "100ms"}}],
                       "memory": {"baseline_mib": 200, "per_request_mib": 40}}}
  })");
  const analytic::MMc q{6.0, 10.0, 1};
  EXPECT_TRUE(covers(metric(r, "services.s.memory.mean_mib"), 200.0 + 40.0 * q.mean_in_system()));
}

}  // namespace
}  // namespace capsim::validation
