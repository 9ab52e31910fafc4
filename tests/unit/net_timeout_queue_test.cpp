// A policy's timeouts fire at their deadlines when a retry is sent at once from the timeout
// handler itself (zero backoff): the retry queues behind attempts of other calls still out,
// whose deadlines come first (src/net/calls.hpp, Calls::send).

#include <gtest/gtest.h>

#include <string>

#include "net_test_support.hpp"

namespace capsim::net {
namespace {

using test_support::mean;
using test_support::run_json;

TEST(TimeoutQueue, ImmediateRetriesDoNotDelayOtherCallsTimeouts) {
  // Every attempt takes 100 ms against a 60 ms timeout and is retried once at once: every call
  // fails after exactly two timeouts (120 ms), so every request fails and the slow service sees
  // two attempts per request. At 20 requests/s many calls are out at once: a timeout fired late
  // (at a retry's deadline) would let an attempt answer at 100 ms and the request succeed (a
  // quarter of them did). No request arrives in the last second, so each ends within the run.
  const run::Results r = run_json(R"({
    "simulation": {"duration": "200s", "replications": 2, "seed": 5},
    "workloads": [{"name": "w", "target": "api",
                   "rate": {"start": 20, "stages": [{"duration": "199s", "target": 20},
                                                    {"duration": "0s", "target": 0}]}}],
    "services": {
      "api": {"workers": 1000, "cores": 8,
              "steps": [{"call": "slow", "timeout": "60ms",
                         "retry": {"max_attempts": 2, "on": ["timeout"],
                                   "backoff": {"kind": "constant", "base": "0s"}}}]},
      "slow": {"workers": 1000, "cores": 1000, "steps": [{"work": "100ms"}]}
    }
  })");
  EXPECT_EQ(mean(r, "workloads.w.error_rate"), 1.0);
  EXPECT_NEAR(mean(r, "services.slow.arrival_rps"), 2.0 * mean(r, "services.api.arrival_rps"),
              1e-12);
}

}  // namespace
}  // namespace capsim::net
