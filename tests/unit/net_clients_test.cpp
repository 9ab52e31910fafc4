// Client identities (docs/request-path.md#clients): per-client rate limits against renewal-reward
// hand calculations, and sticky sessions (client_hash) against M/D/1 and by their hashing.

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "../../src/net/balancer.hpp"
#include "capsim/net/rate_limiter.hpp"
#include "net_test_support.hpp"

namespace capsim::net {
namespace {

using test_support::mean;
using test_support::run_json;

double poisson_pmf(int k, double lambda) {
  return std::exp(k * std::log(lambda) - lambda - std::lgamma(k + 1.0));
}

/// A client sending Poisson(lambda) requests into a fixed window of `limit` per 1 s that starts
/// at its first request (express-rate-limit): each window holds that request and M ~
/// Poisson(lambda) more, max(M + 1 - limit, 0) of them refused; the next window starts at the
/// first request after it (memorylessness), so windows are renewal cycles. Refusals per cycle:
/// E[max(M + 1 - limit, 0)] = lambda + 1 - limit + sum_{k < limit - 1} (limit - 1 - k) P(M = k).
double refused_per_window(double lambda, int limit) {
  double below = 0.0;
  for (int k = 0; k < limit - 1; ++k) below += (limit - 1 - k) * poisson_pmf(k, lambda);
  return lambda + 1.0 - limit + below;
}

TEST(RateLimiter, FixedWindowStartsAtTheFirstRequestAndCountsRefusals) {
  model::RateLimitSpec spec;
  spec.kind = model::RateLimitKind::fixed_window;
  spec.window_s = 1.0;
  spec.limit = 2;
  spec.per_client = true;
  RateLimiter l(spec, 2);
  EXPECT_TRUE(l.try_take(0.5, 0));  // client 0's window: [0.5, 1.5)
  EXPECT_TRUE(l.try_take(0.6, 0));
  EXPECT_FALSE(l.try_take(1.4, 0));         // the third in the window
  EXPECT_TRUE(l.try_take(1.4, 1));          // client 1 has its own window
  EXPECT_TRUE(l.try_take(1.5, 0));          // a new window, [1.5, 2.5)
  EXPECT_TRUE(l.try_take(9.0, kNoClient));  // no client: not limited
  EXPECT_TRUE(l.first_limit(0));
  EXPECT_FALSE(l.first_limit(0));
  EXPECT_FALSE(l.first_limit(kNoClient));
}

TEST(RateLimiter, StackedLimitsApplyInOrderAndTheRefusedNeverReachTheNext) {
  // Limit 0: per client, 2 per 1 s window; limit 1: the whole service, 3 per 1 s window.
  model::RateLimitSpec per_client;
  per_client.kind = model::RateLimitKind::fixed_window;
  per_client.window_s = 1.0;
  per_client.limit = 2;
  per_client.per_client = true;
  model::RateLimitSpec global = per_client;
  global.limit = 3;
  global.per_client = false;
  RateLimiter l({per_client, global}, 2);
  EXPECT_EQ(l.size(), 2u);
  EXPECT_TRUE(l.try_take(0.0, 0));
  EXPECT_TRUE(l.try_take(0.1, 0));
  EXPECT_FALSE(l.try_take(0.2, 0));  // client 0's third: refused by limit 0 ...
  EXPECT_EQ(l.refused_by(), 0u);
  EXPECT_TRUE(l.try_take(0.3, 1));   // ... so limit 1 has counted 2, and passes a third
  EXPECT_FALSE(l.try_take(0.4, 1));  // the service's fourth: refused by limit 1
  EXPECT_EQ(l.refused_by(), 1u);
  EXPECT_FALSE(l.first_limit(1));  // refused by the service-wide limit: not a client limited
  EXPECT_FALSE(l.try_take(0.5, 0));
  EXPECT_EQ(l.refused_by(), 0u);
  EXPECT_TRUE(l.first_limit(0));
  EXPECT_FALSE(l.first_limit(0));
  // Both windows end at 1.0 (limit 0's for client 0, limit 1's) and 1.3 (client 1's).
  EXPECT_TRUE(l.try_take(1.0, 0));
}

// Deterministic arrivals every 1/128 s (exact in binary) from t = 1/128: limit A, 96 per 1 s
// window; limit B, 150 per 2 s window; both for the whole service, both windows opening at the
// first request that reaches them (1/128, then exactly one window later).
constexpr const char* kStacked = R"({
  "simulation": {"duration": "200.003s", "replications": 1, "seed": 1},
  "workloads": [{"name": "w", "target": "api", "rate": 128,
                 "interarrival": {"dist": "constant", "value": "7.8125ms"}}],
  "services": {"api": {"workers": 1000, "cores": 100, "steps": [{"work": "1ms"}],
                       "rate_limit": [{"window": "1s", "limit": 96},
                                      {"window": "2s", "limit": 150}]}}
})";

TEST(Clients, StackedLimitsCountExactlyInOrder) {
  // A then B, per 2 s (256 arrivals): A passes the first 96 of each second and refuses 32 + 32;
  // B sees 192 and refuses 42; 150 pass. 100 such cycles in 200 s.
  const run::Results ab = run_json(kStacked);
  EXPECT_DOUBLE_EQ(mean(ab, "services.api.arrival_rps") * 200.003, 25600.0);
  EXPECT_DOUBLE_EQ(mean(ab, "services.api.rate_limited_by.0"), 64.0 / 256.0);
  EXPECT_DOUBLE_EQ(mean(ab, "services.api.rate_limited_by.1"), 42.0 / 256.0);
  EXPECT_DOUBLE_EQ(mean(ab, "services.api.rate_limited"), 106.0 / 256.0);
  EXPECT_DOUBLE_EQ(mean(ab, "workloads.w.errors.rate_limited"), 106.0 / 256.0);
  EXPECT_NEAR(mean(ab, "workloads.w.goodput_rps") * 200.003, 15000.0, 1e-6);
  // B then A: B passes the first 150 of each 2 s and refuses 106; A sees 128 in its first
  // window (refuses 32) and 22 in its second: 118 pass. Order matters.
  const run::Results ba = run_json(kStacked, {{"/services/api/rate_limit",
                                               R"([{"window": "2s", "limit": 150},
                                                   {"window": "1s", "limit": 96}])"}});
  EXPECT_DOUBLE_EQ(mean(ba, "services.api.rate_limited_by.0"), 106.0 / 256.0);
  EXPECT_DOUBLE_EQ(mean(ba, "services.api.rate_limited_by.1"), 32.0 / 256.0);
  EXPECT_DOUBLE_EQ(mean(ba, "services.api.rate_limited"), 138.0 / 256.0);
  // A single limit keeps its results as they were: no rate_limited_by.
  const run::Results one =
      run_json(kStacked, {{"/services/api/rate_limit", R"({"window": "1s", "limit": 96})"}});
  EXPECT_DOUBLE_EQ(mean(one, "services.api.rate_limited"), 64.0 / 256.0);
  EXPECT_EQ(one.find("services.api.rate_limited_by.0"), nullptr);
}

TEST(Clients, PerClientLimitsStackWithDistinctClientsCountedOnce) {
  // One client at 128/s (deterministic): a per-client 96 per 1 s window, then a per-client
  // 150 per 2 s window: the same counts as the service-wide stack above, one client limited.
  const run::Results r = run_json(kStacked, {{"/workloads/0/clients", R"({"count": 1})"},
                                             {"/services/api/rate_limit",
                                              R"([{"per": "client", "window": "1s", "limit": 96},
                                                  {"per": "client", "window": "2s", "limit": 150}])"}});
  EXPECT_DOUBLE_EQ(mean(r, "services.api.rate_limited_by.0"), 64.0 / 256.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.api.rate_limited_by.1"), 42.0 / 256.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.api.rate_limited_clients"), 1.0);
}

TEST(Clients, PerClientFixedWindowRefusesTheRenewalRewardFraction) {
  // 10 uniform clients at 100 req/s: each Poisson(10); 5 per 1 s window. Refused fraction
  // E[max(M - 4, 0)] / E[1 + M] = 6.01365 / 11 = 0.54670 (aligned windows would give 0.5043).
  const run::Results r = run_json(R"({
    "simulation": {"duration": "2000s", "warmup": "10s", "replications": 1, "seed": 7},
    "workloads": [{"name": "w", "target": "api", "rate": 100,
                   "clients": {"count": 10, "popularity": "uniform"}}],
    "services": {"api": {"workers": 1000, "cores": 100, "steps": [{"work": "1ms"}],
                         "rate_limit": {"per": "client", "window": "1s", "limit": 5}}}
  })");
  const double expected = refused_per_window(10.0, 5) / 11.0;
  EXPECT_NEAR(expected, 0.54670, 1e-5);
  EXPECT_NEAR(mean(r, "services.api.rate_limited"), expected, 0.006);
  EXPECT_NEAR(mean(r, "workloads.w.errors.rate_limited"), expected, 0.006);
  EXPECT_DOUBLE_EQ(mean(r, "services.api.rate_limited_clients"), 10.0);
}

TEST(Clients, ZipfHeavyHittersTakeTheRefusals) {
  // 100 clients, Zipf(1): client k (1-based) sends lambda_k = 100 (1/k) / H_100 req/s; limit 5
  // per 1 s window. Refused: sum_k lambda_k/(1 + lambda_k) E[max(M_k - 4, 0)] per second, of 100.
  const run::Results r = run_json(R"({
    "simulation": {"duration": "3000s", "warmup": "10s", "replications": 1, "seed": 11},
    "workloads": [{"name": "w", "target": "api", "rate": 100,
                   "clients": {"count": 100, "popularity": {"zipf": 1}}}],
    "services": {"api": {"workers": 1000, "cores": 100, "steps": [{"work": "1ms"}],
                         "rate_limit": {"per": "client", "window": "1s", "limit": 5}}}
  })");
  double harmonic = 0.0;
  for (int k = 1; k <= 100; ++k) harmonic += 1.0 / k;
  double refused_rps = 0.0;
  int surely = 0, maybe = 0;  // clients expected to be refused > 30 times, > 0.01 times
  for (int k = 1; k <= 100; ++k) {
    const double lambda = 100.0 / k / harmonic;
    const double per_s = lambda / (1.0 + lambda) * refused_per_window(lambda, 5);
    refused_rps += per_s;
    surely += per_s * 2990 > 30;
    maybe += per_s * 2990 > 0.01;
  }
  EXPECT_NEAR(mean(r, "services.api.rate_limited"), refused_rps / 100.0, 0.005);
  const double limited = mean(r, "services.api.rate_limited_clients");
  EXPECT_GE(limited, surely);
  EXPECT_LE(limited, maybe);
  EXPECT_LT(maybe, 100);  // the tail is never limited: a per-client limit spares it
}

TEST(Clients, PerClientTokenBucketPassesEachClientsRate) {
  // 10 clients, each Poisson(10) req/s, each with a bucket of 5/s: at twice its rate a client's
  // bucket is nearly always empty, so it passes about 5/s: half refused.
  const run::Results r = run_json(R"({
    "simulation": {"duration": "1000s", "replications": 1, "seed": 3},
    "workloads": [{"name": "w", "target": "api", "rate": 100, "clients": {"count": 10}}],
    "services": {"api": {"workers": 1000, "cores": 100, "steps": [{"work": "1ms"}],
                         "rate_limit": {"per": "client", "rate": 5, "burst": 5}}}
  })");
  EXPECT_NEAR(mean(r, "services.api.rate_limited"), 0.5, 0.01);
  EXPECT_NEAR(mean(r, "workloads.w.goodput_rps"), 50.0, 0.6);
}

TEST(Clients, ServiceWideFixedWindowLimitsEveryone) {
  // One window for the whole service, 50 per 1 s, Poisson(100): refused E[max(M - 49, 0)] / 101.
  const run::Results r = run_json(R"({
    "simulation": {"duration": "1000s", "replications": 1, "seed": 5},
    "workloads": [{"name": "w", "target": "api", "rate": 100}],
    "services": {"api": {"workers": 1000, "cores": 100, "steps": [{"work": "1ms"}],
                         "rate_limit": {"window": "1s", "limit": 50}}}
  })");
  EXPECT_NEAR(mean(r, "services.api.rate_limited"), refused_per_window(100.0, 50) / 101.0, 0.006);
  EXPECT_EQ(r.find("services.api.rate_limited_clients"), nullptr);
}

TEST(Clients, OneStickyClientQueuesAtOneReplicaAsMD1) {
  // client_hash sends the one client's 2 req/s (Poisson) to one of 4 replicas of one core: an
  // M/D/1 with S = 0.4 s, rho = 0.8: W = rho S / (2 (1 - rho)) = 0.8 s, latency 1.2 s. Round
  // robin would spread it over four replicas (latency about 0.43 s).
  const std::string model = R"({
    "simulation": {"duration": "20000s", "warmup": "100s", "replications": 1, "seed": 2},
    "workloads": [{"name": "w", "target": "api", "rate": 2, "clients": {"count": 1}}],
    "services": {"api": {"replicas": 4, "workers": 1, "cores": 1,
                         "steps": [{"work": {"dist": "constant", "value": "400ms"}}],
                         "load_balancer": {"policy": "client_hash"}}}
  })";
  const run::Results sticky = run_json(model);
  EXPECT_NEAR(mean(sticky, "workloads.w.latency_ms.mean"), 1200.0, 60.0);
  EXPECT_NEAR(mean(sticky, "services.api.cpu_utilization"), 0.2, 0.005);
  const run::Results spread =
      run_json(model, {{"/services/api/load_balancer/policy", "\"round_robin\""}});
  EXPECT_LT(mean(spread, "workloads.w.latency_ms.mean"), 500.0);
}

TEST(Clients, ClientHashIsStickyEvenAndMovesOnlyTheLostReplicasClients) {
  model::ServiceSpec spec;
  spec.name = "api";
  spec.replicas = 4;
  spec.load_balancer.policy = model::LbPolicy::client_hash;
  ReplicaSet replicas(spec);
  Balancer balancer(spec, sim::RandomStream(1), false);
  constexpr std::uint32_t kClients = 4000;
  std::vector<std::uint32_t> home(kClients);
  std::map<std::uint32_t, int> load;
  for (std::uint32_t c = 0; c < kClients; ++c) {
    home[c] = balancer.pick(replicas, 0, 4, 0.0, c);
    ++load[home[c]];
    EXPECT_EQ(balancer.pick(replicas, 0, 4, 1.0, c), home[c]);  // sticky
  }
  for (std::uint32_t i = 0; i < 4; ++i) EXPECT_NEAR(load[i], 1000, 100) << "replica " << i;
  replicas[2].up = false;
  for (std::uint32_t c = 0; c < kClients; ++c) {
    const std::uint32_t now = balancer.pick(replicas, 0, 4, 2.0, c);
    if (home[c] == 2) {
      EXPECT_NE(now, 2u);
    } else {
      EXPECT_EQ(now, home[c]) << "client " << c << " moved though its replica stayed";
    }
  }
  // Without a client: round robin.
  replicas[2].up = true;
  EXPECT_EQ(balancer.pick(replicas, 0, 4, 3.0, kNone), 0u);
  EXPECT_EQ(balancer.pick(replicas, 0, 4, 3.0, kNone), 1u);
}

}  // namespace
}  // namespace capsim::net
