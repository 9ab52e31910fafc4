// Validation of the request-path steps (docs/request-path.md) against closed forms: a `delay`
// holds a worker and no core, so latency adds it while CPU utilisation does not, and workers
// that are the bottleneck form an M/G/1 queue whose service is work + delay.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "capsim/analytic/queueing.hpp"
#include "validation_support.hpp"

namespace capsim::validation {
namespace {

TEST(RequestPathValidation, DelayAddsToLatencyButNotToCpu) {
  // Workers never run out (64); one core serves exponential work of mean 100 ms at 8/s: the core
  // is an M/M/1 queue, and every request then waits a constant 50 ms holding only its worker.
  const run::Results r = run_model(R"({
    "simulation": {"duration": "20000s", "warmup": "500s", "replications": 10, "seed": 11,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "s", "rate": 8}],
    "services": {"s": {"workers": 64, "cores": 1,
                       "steps": [{"work": {"dist": "exponential", "mean": "100ms"}},
                                 {"delay": "50ms"}]}}
  })");
  const analytic::MMc q{8.0, 10.0, 1};
  const double latency_s = q.mean_sojourn() + 0.05;  // 0.5 s + 0.05 s
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"), latency_s * 1e3));
  EXPECT_TRUE(covers(metric(r, "services.s.cpu_utilization"), 0.8));  // work only: 8 x 0.1
  // Little's law on the workers: each holds its request for the whole latency.
  EXPECT_TRUE(covers(metric(r, "services.s.worker_utilization"), 8.0 * latency_s / 64.0));
}

TEST(RequestPathValidation, WorkersAsTheBottleneckAreMG1WithWorkPlusDelay) {
  // One worker, one core: service = exponential work (mean 100 ms) + a constant 100 ms delay,
  // mean 0.2 s, variance 0.01 s^2, scv 0.25; at 4/s the worker is busy 80% and the core 40%.
  const run::Results r = run_model(R"({
    "simulation": {"duration": "40000s", "warmup": "1000s", "replications": 10, "seed": 12,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "s", "rate": 4}],
    "services": {"s": {"workers": 1, "cores": 1,
                       "steps": [{"work": {"dist": "exponential", "mean": "100ms"}},
                                 {"delay": "100ms"}]}}
  })");
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"),
                     analytic::mg1_mean_sojourn(4.0, 0.2, 0.25) * 1e3));
  EXPECT_TRUE(covers(metric(r, "services.s.worker_utilization"), 0.8));
  EXPECT_TRUE(covers(metric(r, "services.s.cpu_utilization"), 0.4));
}

TEST(RequestPathValidation, ExponentialDelayAloneIsMM2OnTheWorkers) {
  // No work at all: two workers each hold a request for an exponential delay (mean 1 s) at
  // 1.5/s: M/M/2 with rho 0.75, and the core is never busy.
  const run::Results r = run_model(R"({
    "simulation": {"duration": "40000s", "warmup": "1000s", "replications": 10, "seed": 13,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "s", "rate": 1.5}],
    "services": {"s": {"workers": 2, "cores": 1,
                       "steps": [{"delay": {"dist": "exponential", "mean": "1s"}}]}}
  })");
  const analytic::MMc q{1.5, 1.0, 2};
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"), q.mean_sojourn() * 1e3));
  EXPECT_TRUE(covers(metric(r, "services.s.queue_length"), q.mean_queue_length()));
  EXPECT_EQ(metric(r, "services.s.cpu_utilization").mean, 0.0);
}

// ---- Fallbacks --------------------------------------------------------------------------------

// The callee has one worker and no queue: an Erlang loss system, M/M/1/1, rejecting a call with
// probability B = rho / (1 + rho) (PASTA). At 5/s and 100 ms, rho = 0.5 and B = 1/3.
constexpr const char* kLossModel = R"({
    "simulation": {"duration": "4000s", "warmup": "100s", "replications": 10, "seed": 21,
                   "confidence": 0.99},
    "workloads": [{"name": "w", "target": "page", "rate": 5}],
    "services": {
      "page": {"workers": 64, "cores": 8,
               "steps": [{"call": "rec", "fallback": {"on": ["rejected"],
                                                      "steps": [{"work": "1ms"}]}}]},
      "rec": {"workers": 1, "queue_capacity": 0,
              "steps": [{"work": {"dist": "exponential", "mean": "100ms"}}]}
    }
  })";

TEST(RequestPathValidation, FallbackTurnsErlangLossIntoDegradedSuccess) {
  const run::Results r = run_model(kLossModel);
  const double blocked = 0.5 / 1.5;
  EXPECT_TRUE(covers(metric(r, "workloads.w.degraded_rate"), blocked));
  EXPECT_EQ(metric(r, "workloads.w.error_rate").mean, 0.0);
  EXPECT_TRUE(covers(metric(r, "services.page.degraded_rate"), blocked));
  EXPECT_TRUE(covers(metric(r, "services.page.fallback_rps"), 5.0 * blocked));
  // The callee still sees its rejections.
  EXPECT_TRUE(covers(metric(r, "services.rec.rejected"), blocked));
}

TEST(RequestPathValidation, FallbackOnlyForTheFailuresItNames) {
  // The same loss system, the fallback only on timeouts: the rejections fail the request.
  std::string text = kLossModel;
  text.replace(text.find(R"(["rejected"])"), 12, R"(["timeout"] )");
  const run::Results r = run_model(text);
  EXPECT_TRUE(covers(metric(r, "workloads.w.error_rate"), 0.5 / 1.5));
  EXPECT_EQ(metric(r, "workloads.w.degraded_rate").mean, 0.0);
  EXPECT_EQ(metric(r, "services.page.fallback_rps").mean, 0.0);
}

TEST(RequestPathValidation, FallbackInsideAParallelBranchRunsAtTheCaller) {
  // The loss system's call as one branch of a parallel step beside a call that always
  // succeeds: the branch falls back (on the page's replica: its work is the page's CPU) and the
  // request is degraded with the same probability B = 1/3.
  std::string text = kLossModel;
  const std::string call = R"({"call": "rec", "fallback": {"on": ["rejected"],
                                                      "steps": [{"work": "1ms"}]}})";
  const auto at = text.find(call);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, call.size(), R"({"parallel": [{"call": "ok"}, )" + call + "]}");
  text.replace(text.find(R"("rec": {)"), 8, R"("ok": {"steps": [{"work": "1ms"}]}, "rec": {)");
  const run::Results r = run_model(text);
  EXPECT_TRUE(covers(metric(r, "workloads.w.degraded_rate"), 0.5 / 1.5));
  EXPECT_EQ(metric(r, "workloads.w.error_rate").mean, 0.0);
  // The page's CPU: 1 ms of fallback work for a third of 5 requests/s, on 8 cores.
  EXPECT_TRUE(covers(metric(r, "services.page.cpu_utilization"), 5.0 / 3.0 * 0.001 / 8.0));
}

TEST(RequestPathValidation, AFallbackThatFailsFailsTheCall) {
  // The fallback calls rec again, at the instant rec rejected the first call: rec's only worker
  // is still busy, so the fallback's call is rejected too and the request fails. Every
  // rejection of a first call is an error (B = 1/3), none is degraded, and rec sees 1 + B
  // calls per request of which 2 B are rejected: a fraction 2B / (1 + B) = 1/2.
  std::string text = kLossModel;
  text.replace(text.find(R"("steps": [{"work": "1ms"}])"), 26, R"("steps": [{"call": "rec"}])");
  const run::Results r = run_model(text);
  const double b = 0.5 / 1.5;
  EXPECT_TRUE(covers(metric(r, "workloads.w.error_rate"), b));
  EXPECT_EQ(metric(r, "workloads.w.degraded_rate").mean, 0.0);
  EXPECT_TRUE(covers(metric(r, "services.rec.rejected"), 2.0 * b / (1.0 + b)));
}

// ---- Stampede locks and preloading ---------------------------------------------------------

// One key, requests every 100 ms exactly, a TTL of 4 s and a fetch of 1.05 s: a cycle starts
// with a miss at m; the lock is held until the fill at m + 1.05, so the 10 requests of
// m + 0.1 ... m + 1.0 find it held; the entry then lives until m + 5.05, serving the 40 requests
// of m + 1.1 ... m + 5.0; m + 5.1 misses again. A cycle is 51 requests: 1 miss, 10 locked out,
// 40 hits.
std::string one_key_model(const std::string& cache_extra) {
  return R"({
    "simulation": {"duration": "2100s", "warmup": "50s", "replications": 2, "seed": 22},
    "workloads": [{"name": "w", "target": "api", "rate": 10, "interarrival": "100ms"}],
    "services": {
      "api": {"workers": 64, "cores": 8, "steps": [{"call": "cache"}]},
      "cache": {"kind": "cache", "backend": "db", "work": "0s", "workers": 64, "cores": 8,
                "keys": {"count": 1}, "ttl": "4s", )" +
         cache_extra + R"(},
      "db": {"kind": "database", "connections": 10, "work": "1050ms"}
    }
  })";
}

// `model` with `workers` cache workers in place of 64.
std::string with_cache_workers(std::string model, int workers) {
  const std::string from = R"("kind": "cache", "backend": "db", "work": "0s", "workers": 64)";
  const std::size_t at = model.find(from);
  if (at != std::string::npos) {
    model.replace(
        at, from.size(),
        R"("kind": "cache", "backend": "db", "work": "0s", "workers": )" + std::to_string(workers));
  }
  return model;
}

TEST(RequestPathValidation, StampedeRejectFailsTheMissesThatFindTheLockHeld) {
  const run::Results r = run_model(one_key_model(R"("stampede": "reject")"));
  // Edges of the measured period cut at most a cycle of about 400.
  EXPECT_NEAR(metric(r, "workloads.w.error_rate").mean, 10.0 / 51.0, 0.004);
  EXPECT_NEAR(metric(r, "workloads.w.errors.error").mean, 10.0 / 51.0, 0.004);
  EXPECT_NEAR(metric(r, "services.cache.hit_ratio").mean, 40.0 / 51.0, 0.004);
  EXPECT_NEAR(metric(r, "services.db.queries_per_request").mean, 1.0 / 51.0, 0.001);
  // The lock's own counts, as for cache-aside: 10 of 51 lookups refused by it, none waited.
  EXPECT_NEAR(metric(r, "services.cache.lock.rejected").mean, 10.0 / 51.0, 0.004);
  EXPECT_EQ(metric(r, "services.cache.lock.waited").mean, 0.0);
  EXPECT_EQ(metric(r, "services.cache.lock.lapsed").mean, 0.0);
}

TEST(RequestPathValidation, StampedeCoalesceAnswersThemWithTheHoldersFetch) {
  const run::Results r = run_model(one_key_model(R"("stampede": "coalesce")"));
  EXPECT_EQ(metric(r, "workloads.w.error_rate").mean, 0.0);
  EXPECT_NEAR(metric(r, "services.cache.hit_ratio").mean, 40.0 / 51.0, 0.004);
  EXPECT_NEAR(metric(r, "services.db.queries_per_request").mean, 1.0 / 51.0, 0.001);
  EXPECT_NEAR(metric(r, "services.cache.lock.waited").mean, 10.0 / 51.0, 0.004);
  EXPECT_EQ(metric(r, "services.cache.lock.rejected").mean, 0.0);
}

TEST(RequestPathValidation, StampedeCoalesceWaitersHoldNoWorker) {
  // The same cycle with 4 cache workers for the 10 misses that wait: a waiter gives its worker
  // back, so all 10 wait for the holder's fetch (had they kept their workers, the 4th to 10th
  // would have queued for one and looked up only after the fill: 3 waits, 47 hits). Only the
  // holder keeps its worker, through its 1.05 s fetch of every 5.1 s cycle: 1.05 / 5.1 / 4.
  const run::Results r =
      run_model(with_cache_workers(one_key_model(R"("stampede": "coalesce")"), 4));
  EXPECT_EQ(metric(r, "workloads.w.error_rate").mean, 0.0);
  EXPECT_NEAR(metric(r, "services.cache.lock.waited").mean, 10.0 / 51.0, 0.004);
  EXPECT_NEAR(metric(r, "services.cache.hit_ratio").mean, 40.0 / 51.0, 0.004);
  EXPECT_NEAR(metric(r, "services.cache.worker_utilization").mean, 1.05 / 5.1 / 4.0, 0.002);
  // Latency: the holder 1.05 s, the waiters until the fill (0.95 + ... + 0.05 = 5 s).
  EXPECT_NEAR(metric(r, "workloads.w.latency_ms.mean").mean, (1.05 + 5.0) / 51.0 * 1e3, 1.0);
}

TEST(RequestPathValidation, LockTtlLetsTheNextMissFetchAgain) {
  // The lock lapses after 250 ms: the misses at m, m + 0.3, m + 0.6 and m + 0.9 each take it and
  // fetch; m + 0.1, 0.2, 0.4, 0.5, 0.7, 0.8 and 1.0 find it held (7). The first fetch fills at
  // m + 1.05; the last, the holder, refills at m + 1.95, so the entry lives until m + 5.95:
  // 49 hits (m + 1.1 ... m + 5.9), and m + 6.0 misses. A cycle is 60 requests.
  const run::Results r = run_model(one_key_model(R"("stampede": "reject", "lock_ttl": "250ms")"));
  EXPECT_NEAR(metric(r, "workloads.w.error_rate").mean, 7.0 / 60.0, 0.004);
  EXPECT_NEAR(metric(r, "services.cache.hit_ratio").mean, 49.0 / 60.0, 0.004);
  EXPECT_NEAR(metric(r, "services.db.queries_per_request").mean, 4.0 / 60.0, 0.001);
  // A read-through lock lapses when a later miss finds it past its TTL and takes it over: the
  // misses of m + 0.3, 0.6 and 0.9 (3 a cycle); the last holder's fill releases it. 2050 s
  // measured at 10/s: 20,500 lookups.
  EXPECT_NEAR(metric(r, "services.cache.lock.rejected").mean, 7.0 / 60.0, 0.004);
  EXPECT_NEAR(metric(r, "services.cache.lock.lapsed").mean / 20500.0, 3.0 / 60.0, 0.001);
}

TEST(RequestPathValidation, PreloadedHottestKeysServeTheFirstRequest) {
  // One request per replication (at t = 1 s) on a cache preloaded with the 10 hottest of 100
  // Zipf(0.9) keys: it hits with probability sum_{k<=10} k^-0.9 / sum_{k<=100} k^-0.9.
  const run::Results r = run_model(R"({
    "simulation": {"duration": "1.5s", "replications": 400, "seed": 23, "confidence": 0.99},
    "workloads": [{"name": "w", "target": "cache", "rate": 1, "interarrival": "1s"}],
    "services": {
      "cache": {"kind": "cache", "backend": "db", "keys": {"count": 100}, "preload": 10},
      "db": {"kind": "database", "work": "1ms"}
    }
  })");
  double hot = 0.0;
  double all = 0.0;
  for (int k = 1; k <= 100; ++k) {
    all += std::pow(k, -0.9);
    if (k <= 10) hot += std::pow(k, -0.9);
  }
  EXPECT_TRUE(covers(metric(r, "services.cache.hit_ratio"), hot / all));
}

TEST(RequestPathValidation, PreloadAllNeverMisses) {
  const run::Results r = run_model(R"({
    "simulation": {"duration": "200s", "replications": 2, "seed": 24},
    "workloads": [{"name": "w", "target": "cache", "rate": 50}],
    "services": {
      "cache": {"kind": "cache", "backend": "db", "keys": {"count": 5000}, "preload": "all"},
      "db": {"kind": "database", "work": "1ms"}
    }
  })");
  EXPECT_EQ(metric(r, "services.cache.hit_ratio").mean, 1.0);
  EXPECT_EQ(metric(r, "services.db.arrival_rps").mean, 0.0);
}

}  // namespace
}  // namespace capsim::validation
