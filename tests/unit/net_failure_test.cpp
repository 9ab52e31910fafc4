// The request path under failure: timeouts and retries, breakers, rate limits, health checks,
// caches, databases and faults, end to end through the network.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "capsim/analytic/queueing.hpp"
#include "capsim/model/load.hpp"
#include "capsim/run/replications.hpp"
#include "net_test_support.hpp"
#include "test_paths.hpp"

namespace capsim::net {
namespace {

using test_support::mean;
using test_support::run_json;

TEST(Failure, DuringATotalOutageEveryRequestMakesExactlyMaxAttempts) {
  const run::Results r = run_json(R"({
    "simulation": {"duration": "200s", "replications": 2, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 50,
                   "retry": {"max_attempts": 4, "on": ["error"],
                             "backoff": {"kind": "exponential", "base": "10ms", "jitter": "full"}}}],
    "services": {"api": {"workers": 100, "cores": 100, "steps": [{"work": "5ms"}]}},
    "faults": [{"at": "0s", "kind": "outage", "service": "api", "duration": "300s"}]
  })");
  EXPECT_DOUBLE_EQ(mean(r, "workloads.w.attempts_per_request"), 4.0);
  EXPECT_DOUBLE_EQ(mean(r, "workloads.w.errors.error"), 1.0);
  EXPECT_NEAR(mean(r, "services.api.arrival_rps"), 4 * mean(r, "workloads.w.offered_rps"), 2.0);
  EXPECT_NEAR(mean(r, "workloads.w.retries_rps"), 3 * 50, 3.0);
}

TEST(Failure, CallTimeoutFailsTheCallerAndRetriesSucceedWhenTheyCan) {
  // The backend takes 30 ms half the time and 3 s otherwise; the caller gives up after 100 ms
  // and tries up to 3 times: a request fails only if all three attempts are slow (1/8).
  const run::Results r = run_json(R"({
    "simulation": {"duration": "2000s", "replications": 2, "seed": 3},
    "workloads": [{"name": "w", "target": "front", "rate": 5}],
    "services": {
      "front": {"workers": 1000, "cores": 100, "steps": [
        {"call": "back", "timeout": "100ms", "retry": {"max_attempts": 3, "on": ["timeout"],
                                                        "backoff": {"kind": "constant", "base": "0s"}}}]},
      "back": {"workers": 1000, "cores": 1000, "steps": [{"work": {"dist": "mixture", "components": [
        {"weight": 1, "dist": "constant", "value": "30ms"},
        {"weight": 1, "dist": "constant", "value": "3s"}]}}]}
    }
  })");
  EXPECT_NEAR(mean(r, "workloads.w.error_rate"), 0.125, 0.01);
  EXPECT_DOUBLE_EQ(mean(r, "workloads.w.errors.error"), mean(r, "workloads.w.error_rate"));
  // Back sees 1 + 1/2 + 1/4 attempts per request; the slow ones are wasted work.
  EXPECT_NEAR(mean(r, "services.back.arrival_rps") / mean(r, "workloads.w.offered_rps"), 1.75,
              0.03);
  EXPECT_GT(mean(r, "services.back.wasted_work_fraction"), 0.95);
}

TEST(Failure, RetryBudgetCapsRetriesDuringAnOutage) {
  const run::Results r = run_json(R"({
    "simulation": {"duration": "300s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 100,
                   "retry": {"max_attempts": 5, "on": ["error"],
                             "backoff": {"kind": "constant", "base": "0s"},
                             "budget": {"ratio": 0.1, "min_per_second": 2}}}],
    "services": {"api": {"workers": 100, "steps": [{"work": "1ms"}]}},
    "faults": [{"at": "0s", "kind": "outage", "service": "api", "duration": "400s"}]
  })");
  // Retries limited to 10% of requests plus 2/s: about 12/s instead of 400/s.
  EXPECT_NEAR(mean(r, "workloads.w.retries_rps"), 12.0, 1.0);
  EXPECT_NEAR(mean(r, "workloads.w.attempts_per_request"), 1.12, 0.01);
}

TEST(Failure, CircuitBreakerOpensDuringAnOutageAndClosesAfterIt) {
  const run::Results r = run_json(R"({
    "simulation": {"duration": "300s", "replications": 1, "seed": 2},
    "workloads": [{"name": "w", "target": "front", "rate": 100}],
    "services": {
      "front": {"workers": 1000, "cores": 100, "steps": [{"call": "back", "circuit_breaker": {
        "failure_rate": 0.5, "window": "10s", "min_requests": 20, "open_for": "5s",
        "half_open_requests": 3}}]},
      "back": {"workers": 100, "cores": 100, "steps": [{"work": "2ms"}]}
    },
    "faults": [{"at": "100s", "kind": "outage", "service": "back", "duration": "50s"}]
  })");
  // While open, calls fail at once without reaching back: back sees far fewer than 100/s during
  // the outage, and requests fail mostly as circuit_open.
  EXPECT_GT(mean(r, "workloads.w.errors.error"), 0.0);
  // Failing from the start of the outage until a half-open probe succeeds after it.
  EXPECT_GT(mean(r, "workloads.w.error_rate"), 50.0 / 300.0);
  EXPECT_LT(mean(r, "workloads.w.error_rate"), 60.0 / 300.0);
  EXPECT_LT(mean(r, "services.back.arrival_rps"), 100.0 * (250.0 / 300.0) + 5.0);
  // The 10 s window holds successes from before the outage: the failure rate reaches 50% about
  // 5 s into it. Then open 5 s, half-open, open again... until a probe succeeds after 150 s.
  std::vector<std::string> kinds;
  double first_open = -1, closed_at = -1;
  for (const auto& e : r.events) {
    if (e.kind.rfind("breaker_", 0) != 0) continue;
    kinds.push_back(e.kind);
    if (e.kind == "breaker_open" && first_open < 0) first_open = e.t_s;
    if (e.kind == "breaker_closed") closed_at = e.t_s;
  }
  EXPECT_GT(first_open, 104.0);
  EXPECT_LT(first_open, 106.0);
  EXPECT_GT(closed_at, 150.0);
  EXPECT_LT(closed_at, 156.0);
  ASSERT_GE(kinds.size(), 4u);
  EXPECT_EQ(kinds[0], "breaker_open");
  EXPECT_EQ(kinds[1], "breaker_half_open");
  EXPECT_EQ(kinds[2], "breaker_open");
  EXPECT_EQ(kinds.back(), "breaker_closed");
}

TEST(Failure, RateLimitRejectsTheExcessWith429) {
  const run::Results r = run_json(R"({
    "simulation": {"duration": "1000s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 200}],
    "services": {"api": {"workers": 1000, "cores": 100, "rate_limit": {"rate": 150, "burst": 10},
                         "steps": [{"work": "1ms"}]}}
  })");
  EXPECT_NEAR(mean(r, "workloads.w.errors.rate_limited"), 0.25, 0.01);
  EXPECT_NEAR(mean(r, "services.api.rate_limited"), 0.25, 0.01);
  EXPECT_NEAR(mean(r, "workloads.w.goodput_rps"), 150, 1.5);
}

TEST(Failure, CrashFailsRequestsInFlightAndTheReplicaRestarts) {
  const run::Results r = run_json(R"({
    "simulation": {"duration": "200s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 20,
                   "interarrival": {"dist": "constant", "value": "50ms"}}],
    "services": {"api": {"replicas": 2, "workers": 100, "cores": 100,
                         "steps": [{"work": "1s"}]}},
    "faults": [{"at": "100.01s", "kind": "crash", "service": "api", "replicas": 1,
                "restart_after": "50s"}]
  })");
  // Round robin: replica 1 holds 10 requests (one per 100 ms over the last second): all lost.
  EXPECT_DOUBLE_EQ(
      mean(r, "workloads.w.errors.error") * mean(r, "workloads.w.throughput_rps") * 200, 10.0);
  // One replica for 50 of 200 s.
  EXPECT_DOUBLE_EQ(mean(r, "services.api.replicas.mean"), 1.75);
  EXPECT_DOUBLE_EQ(mean(r, "services.api.replicas.min"), 1.0);
  ASSERT_GE(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].kind, "crash");
  EXPECT_EQ(r.events[1].kind, "restart");
  EXPECT_DOUBLE_EQ(r.events[1].t_s, 150.01);
}

TEST(Failure, SlowdownMultipliesWorkInsideItsWindow) {
  const run::Results r = run_json(R"({
    "simulation": {"duration": "100s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 10,
                   "interarrival": {"dist": "constant", "value": "100ms"}}],
    "services": {"api": {"workers": 100, "cores": 100, "steps": [{"work": "10ms"}]}},
    "faults": [{"at": "50s", "kind": "slowdown", "service": "api", "factor": 4, "duration": "25s"}]
  })");
  // A quarter of the requests take 40 ms, the rest 10 ms.
  EXPECT_NEAR(mean(r, "workloads.w.latency_ms.mean"), 17.5, 0.05);
  EXPECT_NEAR(mean(r, "workloads.w.latency_ms.max"), 40.0, 0.01);
}

TEST(Failure, HealthChecksEjectAFailingReplica) {
  // Replica 1 of 2 crashes for good... no: health ejects replicas whose requests fail. Here
  // replica queues are tiny, so a burst makes one reject; with health checks the balancer then
  // avoids it for fail_timeout.
  const std::string base = R"({
    "simulation": {"duration": "500s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 150}],
    "services": {"api": {"replicas": 2, "workers": 1, "queue_capacity": 0,
                         "load_balancer": {"policy": "random" HEALTH},
                         "steps": [{"work": {"dist": "exponential", "mean": "5ms"}}]}}
  })";
  auto with = [&](const std::string& health) {
    std::string text = base;
    text.replace(text.find("HEALTH"), 6, health);
    return run_json(text);
  };
  const run::Results plain = with("");
  const run::Results checked = with(R"(, "health": {"max_fails": 1, "fail_timeout": "10ms"})");
  // Ejecting a replica that just rejected sends the next requests to the other one, which is
  // more likely idle: fewer rejections.
  EXPECT_LT(mean(checked, "services.api.rejected"), mean(plain, "services.api.rejected"));
  EXPECT_FALSE(checked.events.empty());
  EXPECT_EQ(checked.events.front().kind, "ejected");
}

TEST(Cache, FixedHitRatioSendsTheMissesToTheBackend) {
  const run::Results r = run_json(R"({
    "simulation": {"duration": "500s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "cache", "rate": 400}],
    "services": {
      "cache": {"kind": "cache", "backend": "db", "hit_ratio": 0.85, "cores": 8, "workers": 1000},
      "db": {"kind": "database", "connections": 50, "work": "10ms"}
    }
  })");
  EXPECT_NEAR(mean(r, "services.cache.hit_ratio"), 0.85, 0.005);
  EXPECT_NEAR(mean(r, "services.db.arrival_rps"), 0.15 * 400, 2.0);
  EXPECT_NEAR(mean(r, "services.db.queries_per_request"), 0.15, 0.005);
  // Hits take the lookup (0.3 ms), misses the lookup and the 10 ms query.
  EXPECT_NEAR(mean(r, "workloads.w.latency_ms.mean"), 0.3 + 0.15 * 10, 0.05);
}

TEST(Cache, EmergentLruHitRatioMatchesTheCheApproximation) {
  const run::Results r = run_json(R"({
    "simulation": {"duration": "600s", "warmup": "100s", "replications": 2, "seed": 5},
    "workloads": [{"name": "w", "target": "cache", "rate": 2000}],
    "services": {
      "cache": {"kind": "cache", "backend": "db", "cores": 16, "workers": 10000,
                "keys": {"count": 20000, "popularity": {"zipf": 0.8}}, "capacity": 1000},
      "db": {"kind": "database", "connections": 1000, "work": "1ms"}
    }
  })");
  // Che: solve sum_i (1 - exp(-p_i T)) = C, hit = sum_i p_i (1 - exp(-p_i T)).
  std::vector<double> p(20000);
  double sum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) sum += p[i] = std::pow(i + 1.0, -0.8);
  for (double& x : p) x /= sum;
  auto filled = [&](double t) {
    double s = 0;
    for (double x : p) s += 1 - std::exp(-x * t);
    return s;
  };
  double lo = 0, hi = 1;
  while (filled(hi) < 1000) hi *= 2;
  for (int i = 0; i < 100; ++i) ((filled((lo + hi) / 2) < 1000) ? lo : hi) = (lo + hi) / 2;
  double che = 0;
  for (double x : p) che += x * (1 - std::exp(-x * lo));
  EXPECT_NEAR(mean(r, "services.cache.hit_ratio"), che, 0.02);
}

TEST(Cache, CoalescingSendsOneFetchPerKeyAfterAFlush) {
  const std::string text = R"({
    "simulation": {"duration": "60s", "replications": 1, "seed": 2, "window": "1s"},
    "workloads": [{"name": "w", "target": "cache", "rate": 3000}],
    "services": {
      "cache": {"kind": "cache", "backend": "db", "cores": 16, "workers": 100000,
                "keys": {"count": 1000, "popularity": {"zipf": 1.0}}, "stampede": "STAMPEDE"},
      "db": {"kind": "database", "connections": 100, "work": "200ms"}
    },
    "faults": [{"at": "30s", "kind": "cache_flush", "service": "cache"}]
  })";
  auto db_arrivals = [&](const std::string& stampede) {
    std::string t = text;
    t.replace(t.find("STAMPEDE"), 8, stampede);
    return mean(run_json(t), "services.db.arrival_rps") * 60.0;
  };
  const double none = db_arrivals("none");
  const double coalesce = db_arrivals("coalesce");
  // Without coalescing every concurrent miss of a key goes to the database (200 ms each at
  // 3000/s); with it, at most one per key per fill: about 2 x 1000.
  EXPECT_LE(coalesce, 2000.5);
  EXPECT_GT(none, 3.0 * coalesce);
}

TEST(Database, ReadsGoToReplicasAndWritesToThePrimary) {
  const run::Results r = run_json(R"({
    "simulation": {"duration": "300s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 100}],
    "services": {
      "api": {"workers": 1000, "cores": 100, "steps": [
        {"call": "db", "op": "read", "count": 3}, {"call": "db", "op": "write"}]},
      "db": {"kind": "database", "connections": 10, "read_replicas": 2, "work": "5ms"}
    }
  })");
  EXPECT_DOUBLE_EQ(mean(r, "services.db.replicas.mean"), 3.0);
  EXPECT_NEAR(mean(r, "services.db.queries_per_request"), 4.0, 0.02);
}

TEST(Database, ContentionSlowsQueriesByTheUniversalScalabilityLaw) {
  // 8 virtual users with no think time keep exactly 8 queries running: each takes
  // 10 ms x (1 + 0.1 x 7 + 0.01 x 8 x 7) = 22.6 ms.
  const run::Results r = run_json(R"({
    "simulation": {"duration": "100s", "warmup": "1s", "replications": 1, "seed": 1},
    "workloads": [{"name": "u", "kind": "closed", "target": "db", "users": 8}],
    "services": {"db": {"kind": "database", "connections": 8, "work": "10ms",
                        "contention": {"alpha": 0.1, "beta": 0.01}}}
  })");
  EXPECT_NEAR(mean(r, "workloads.u.latency_ms.mean"), 22.6, 0.1);
  EXPECT_NEAR(mean(r, "workloads.u.throughput_rps"), 8 / 0.0226, 2.0);
}

/// Goodput over the last five minutes of the retry-storm model, with optional overrides.
double late_goodput(const std::vector<std::pair<std::string, std::string>>& sets) {
  auto all = sets;
  all.emplace_back("/simulation/warmup", "\"5m\"");
  all.emplace_back("/simulation/replications", "2");
  model::Json doc = model::read_json_file(std::string(capsim::test::source_dir_path()) +
                                          "/models/retry-storm.json");
  for (const auto& [pointer, value] : all) model::apply_override(doc, pointer + "=" + value);
  const model::Spec spec =
      model::load(doc, std::string(capsim::test::source_dir_path()) + "/models");
  return mean(run::run_replications(spec), "workloads.clients.goodput_rps");
}

TEST(Metastability, RetriesKeepTheServerCollapsedLongAfterTheSlowdown) {
  EXPECT_LT(late_goodput({}), 28.0) << "collapsed: under a tenth of the 280/s offered";
}

TEST(Metastability, WithoutRetriesTheServerRecovers) {
  EXPECT_GT(late_goodput({{"/workloads/0/retry/max_attempts", "1"}}), 270.0);
}

TEST(Metastability, DroppingExpiredRequestsRecovers) {
  EXPECT_GT(late_goodput({{"/services/server/drop_expired", "true"}}), 250.0);
}

TEST(Failure, ACrashThatLosesACoalescedFetchFailsItsWaitersInsteadOfStrandingThem) {
  // One key, so every miss coalesces on one fetch (2 s at the database; the entry lives 1 s).
  // Smooth WRR with weights 1:2 puts the fetches mostly on replica 1, the one each crash takes.
  // A lost fetch must answer its waiters (with an error, as a failed fetch does); before, they
  // and every later miss of the key waited for it for good, and the clients timed out.
  std::string faults;
  for (const char* at :
       {"4", "10.3", "22.6", "31.9", "40.2", "52.5", "61.8", "70.1", "82.4", "91.7", "100"}) {
    if (!faults.empty()) faults += ",";
    faults += std::string(R"({"at": ")") + at +
              R"(s", "kind": "crash", "service": "cache", "replicas": 1, "restart_after": "1s"})";
  }
  const run::Results r = run_json(R"({
    "simulation": {"duration": "120s", "replications": 1, "seed": 3},
    "workloads": [{"name": "w", "target": "cache", "rate": 20, "timeout": "5s"}],
    "services": {
      "cache": {"kind": "cache", "backend": "db", "replicas": 2, "cores": 2, "workers": 200,
                "load_balancer": {"policy": "weighted_round_robin", "weights": [1, 2]},
                "keys": {"count": 1}, "capacity": 1, "ttl": "1s", "stampede": "coalesce"},
      "db": {"kind": "database", "connections": 10, "work": "2s"}},
    "faults": [)" + faults + "]}");
  // Crashes fail the requests on the lost replica and those waiting for a lost fetch: a few
  // percent (measured 4.2%); stranded waiters made 75% of the requests time out.
  EXPECT_LT(mean(r, "workloads.w.error_rate"), 0.10);
  EXPECT_LT(mean(r, "workloads.w.errors.timeout"), 0.01);
  EXPECT_GT(mean(r, "workloads.w.goodput_rps"), 18.0);
}

TEST(Failure, ACrashSparesTheLookupsParkedOnItsReplica) {
  // One key, a request every 100 ms from 0.1 s, round robin over 2 cache replicas: the miss of
  // 0.1 s (replica 0) fetches for 1.05 s, and the 10 lookups of 0.2 ... 1.1 s wait for it
  // (coalesce). Replica 1 crashes at 0.62 s, holding the waiters of 0.2, 0.4 and 0.6 s. A waiter
  // is parked: it holds no worker there (a client waits on its own side), so the fill of
  // replica 0's fetch answers all 10; before, the crash failed those 3 (3 of 29 requests).
  const run::Results r = run_json(R"({
    "simulation": {"duration": "3s", "replications": 1, "seed": 5},
    "workloads": [{"name": "w", "target": "cache", "rate": 10, "interarrival": "100ms"}],
    "services": {
      "cache": {"kind": "cache", "backend": "db", "replicas": 2, "work": "0s",
                "keys": {"count": 1}, "ttl": "10s", "stampede": "coalesce"},
      "db": {"kind": "database", "connections": 10, "work": "1050ms"}},
    "faults": [{"at": "0.62s", "kind": "crash", "service": "cache", "replicas": 1,
                "restart_after": "0.1s"}]})");
  EXPECT_DOUBLE_EQ(mean(r, "services.cache.lock.waited"), 10.0 / 29.0);
  EXPECT_EQ(mean(r, "workloads.w.error_rate"), 0.0);
  EXPECT_DOUBLE_EQ(mean(r, "workloads.w.throughput_rps"), 29.0 / 3.0);
}

}  // namespace
}  // namespace capsim::net
