// Fire-and-forget calls (docs/request-path.md#fire-and-forget-calls): the caller does not wait
// for the callee, whose work still happens and is counted.

#include <gtest/gtest.h>

#include <string>

#include "net_test_support.hpp"

namespace capsim::net {
namespace {

using test_support::mean;
using test_support::run_json;

/// front (5 ms) calls back (2 s) `call_keys`; both with room for every request.
std::string front_back(const std::string& call_keys, const std::string& back_extra = "") {
  return R"({
    "simulation": {"duration": "200s", "replications": 2, "seed": 7},
    "workloads": [{"name": "w", "target": "front", "rate": 20}],
    "services": {
      "front": {"workers": 1000, "cores": 1000,
                "steps": [{"work": "5ms"}, {"call": "back")" +
         call_keys + R"(}]},
      "back": {"workers": 1000, "cores": 1000, "steps": [{"work": "2s"}])" +
         back_extra +
         R"(}
    }
  })";
}

TEST(AsyncCall, CallerLatencyExcludesTheCalleesTime) {
  // Constant work and no queueing: latencies are exact. Waiting, the caller takes 5 ms + 2 s;
  // fire-and-forget, 5 ms alone, while back still serves 2 s per call.
  const run::Results sync = run_json(front_back(""));
  EXPECT_NEAR(mean(sync, "workloads.w.latency_ms.mean"), 2005.0, 1e-6);
  const run::Results async = run_json(front_back(R"(, "async": true)"));
  EXPECT_NEAR(mean(async, "workloads.w.latency_ms.mean"), 5.0, 1e-6);
  EXPECT_NEAR(mean(async, "workloads.w.latency_ms.max"), 5.0, 1e-6);
  EXPECT_NEAR(mean(async, "services.back.latency_ms.mean"), 2000.0, 1e-6);
}

TEST(AsyncCall, CalleeThroughputEqualsTheCallRate) {
  // Three calls per request, none waited for: back serves three times the offered rate, and
  // its busy cores are (3 x 20/s) x 2 s = 120 of 1000 on average.
  const run::Results r = run_json(front_back(R"(, "async": true, "count": 3)"));
  // The calls of requests in the last 5 ms arrive after the end, and those of the last 2 s
  // finish after it: at most 1% of 200 s, hence the tolerances.
  const double offered = mean(r, "workloads.w.offered_rps");
  EXPECT_NEAR(mean(r, "services.back.arrival_rps") / offered, 3.0, 0.003);
  EXPECT_NEAR(mean(r, "services.back.throughput_rps") / offered, 3.0, 0.04);
  EXPECT_NEAR(mean(r, "services.back.cpu_utilization"), 0.12, 0.005);
  EXPECT_NEAR(mean(r, "workloads.w.latency_ms.mean"), 5.0, 1e-6);
}

TEST(AsyncCall, TheCalleesFailuresDoNotFailTheCaller) {
  // back has one worker and no queue: nearly every call is rejected (M/D/1/1 with a = 40), yet
  // the caller, which does not wait for the answer, succeeds every time.
  const run::Results r =
      run_json(front_back(R"(, "async": true)", R"(, "workers": 1, "queue_capacity": 0)"));
  EXPECT_GT(mean(r, "services.back.rejected"), 0.9);
  EXPECT_DOUBLE_EQ(mean(r, "workloads.w.error_rate"), 0.0);
  EXPECT_NEAR(mean(r, "workloads.w.latency_ms.mean"), 5.0, 1e-6);
}

}  // namespace
}  // namespace capsim::net
