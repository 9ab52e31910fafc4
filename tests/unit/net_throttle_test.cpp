// A database's capacity units end to end (docs/capacity-units.md), against hand calculations:
// Poisson load at twice the provisioned rate is half throttled, retries on `throttled` are seen
// by the retry policies that name it, on-demand capacity serves twice the previous peak until it
// adapts, and the units' cost joins the service's cost.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "net_test_support.hpp"

namespace capsim::net {
namespace {

using test_support::mean;
using test_support::run_json;

// 100 requests/s (Poisson) straight to a table provisioned with 50 read units/s and no burst
// (its bucket holds one second: 50 units). Overloaded, the bucket is nearly always empty, so
// what it serves is its refill: 50/s, and half the requests are throttled.
constexpr const char* kProvisioned = R"({
  "simulation": {"duration": "2010s", "warmup": "10s", "replications": 2, "seed": 5},
  "workloads": [{"name": "w", "target": "db", "rate": 100}],
  "services": {
    "db": {"kind": "database", "connections": 1000, "work": "1ms",
           "capacity_units": {"burst": "0s", "read": {"units_per_s": 50,
                                                      "price_per_unit_hour": 3.6}}}
  }
})";

TEST(NetThrottle, PoissonAtTwiceTheProvisionedRateIsHalfThrottled) {
  const run::Results r = run_json(kProvisioned, 1);
  EXPECT_NEAR(mean(r, "services.db.capacity_units.throttled"), 0.5, 0.01);
  EXPECT_NEAR(mean(r, "services.db.capacity_units.throttled_rps"), 50.0, 1.0);
  EXPECT_NEAR(mean(r, "services.db.capacity_units.read_units_per_s"), 50.0, 0.1);
  EXPECT_DOUBLE_EQ(mean(r, "services.db.capacity_units.write_units_per_s"), 0.0);
  EXPECT_NEAR(mean(r, "workloads.w.errors.throttled"), 0.5, 0.01);
  EXPECT_NEAR(mean(r, "workloads.w.error_rate"), 0.5, 0.01);
  // Provisioned units are paid whether used or not: 50 units x 2000 s / 3600 x 3.6 = 100.
  EXPECT_NEAR(mean(r, "services.db.capacity_units.cost"), 100.0, 1e-9);
  EXPECT_NEAR(mean(r, "services.db.cost"), 100.0, 1e-9);
  // Throttled requests hold no connection: the database's throughput is what it served.
  EXPECT_NEAR(mean(r, "services.db.throughput_rps"), 50.0, 0.1);
}

TEST(NetThrottle, RetriesOnThrottledAreTheClientsRetries) {
  // Three attempts on `throttled`: the table still serves 50/s, so 50 of the 100 requests/s
  // succeed and the error rate stays 1/2. The failed half made 3 attempts and the rest 1 to 3:
  // 2 to 3 attempts per request. Were every attempt throttled with the same probability p,
  // 1 - p^3 = 1/2 would give p = 0.794 and 1 + p + p^2 = 2.42 attempts; a retry comes a
  // back-off after a throttled attempt and finds the bucket refilled more often than a first
  // attempt does, so fewer are made (2.26 measured). Every attempt reaches the table: its
  // arrivals are 100 x attempts per request, and what it throttles is what it does not serve.
  const run::Results r = run_json(
      kProvisioned, {{"/workloads/0/retry", R"({"max_attempts": 3, "on": ["throttled"]})"}}, 1);
  const double p = std::cbrt(0.5);
  EXPECT_NEAR(mean(r, "workloads.w.error_rate"), 0.5, 0.01);
  EXPECT_NEAR(mean(r, "workloads.w.errors.throttled"), 0.5, 0.01);
  const double attempts = mean(r, "workloads.w.attempts_per_request");
  EXPECT_GE(attempts, 2.0 - 0.02);
  EXPECT_LE(attempts, 1 + p + p * p);
  EXPECT_NEAR(mean(r, "workloads.w.retries_rps"), 100 * (attempts - 1), 1.0);
  EXPECT_NEAR(mean(r, "services.db.arrival_rps"), 100 * attempts, 1.0);
  EXPECT_NEAR(mean(r, "services.db.capacity_units.throttled_rps"), 100 * attempts - 50, 1.0);
  // A policy that does not name `throttled` does not retry it.
  const run::Results none = run_json(
      kProvisioned, {{"/workloads/0/retry", R"({"max_attempts": 3, "on": ["timeout"]})"}}, 1);
  EXPECT_DOUBLE_EQ(mean(none, "workloads.w.retries_rps"), 0.0);
  EXPECT_NEAR(mean(none, "workloads.w.errors.throttled"), 0.5, 0.01);
}

TEST(NetThrottle, ACallersRetriesReachTheTableAndItsFailureIsAnError) {
  // The same table behind an API whose call retries (the SDK's retries): the table sees 2 to
  // 2.42 attempts per request (above); a call that ends throttled fails the API's request with
  // `error`.
  const std::string model = R"({
  "simulation": {"duration": "1010s", "warmup": "10s", "replications": 2, "seed": 5},
  "workloads": [{"name": "w", "target": "api", "rate": 100}],
  "services": {
    "api": {"workers": 1000, "steps": [{"call": "db", "retry": {"max_attempts": 3}}]},
    "db": {"kind": "database", "connections": 1000, "work": "1ms",
           "capacity_units": {"burst": "0s", "read": {"units_per_s": 50}}}
  }
})";
  const run::Results r = run_json(model, 1);
  const double p = std::cbrt(0.5);
  EXPECT_GE(mean(r, "services.db.arrival_rps"), 200.0 - 2.0);
  EXPECT_LE(mean(r, "services.db.arrival_rps"), 100 * (1 + p + p * p));
  EXPECT_NEAR(mean(r, "workloads.w.errors.error"), 0.5, 0.01);
  EXPECT_DOUBLE_EQ(mean(r, "workloads.w.errors.throttled"), 0.0);
  // No price: no cost.
  EXPECT_EQ(r.find("services.db.cost"), nullptr);
  EXPECT_EQ(r.find("services.db.capacity_units.cost"), nullptr);
}

// On demand after a peak of 100 units/s: a step from 100 to 300 requests/s (Poisson) at 60 s.
// Twice the peak, 200/s, is served; the part above is throttled until the new peak counts.
constexpr const char* kOnDemand = R"({
  "simulation": {"duration": "360s", "warmup": "60s", "replications": 2, "seed": 9},
  "workloads": [{"name": "w", "target": "db",
                 "rate": {"start": 100, "stages": [{"duration": "60s", "target": 100},
                                                   {"duration": "0s", "target": 300}]}}],
  "services": {
    "db": {"kind": "database", "connections": 1000, "work": "1ms",
           "capacity_units": {"mode": "on_demand", "adaptation": "1d",
                              "read": {"peak_units_per_s": 100,
                                       "price_per_million_units": 1000}}}
  }
})";

TEST(NetThrottle, OnDemandServesTwiceThePreviousPeak) {
  // Without adaptation (a day): each second's ~300 requests (sd 17) are cut at 200: 100/s
  // throttled, a third of the arrivals.
  const run::Results r = run_json(kOnDemand, 1);
  EXPECT_NEAR(mean(r, "services.db.capacity_units.throttled_rps"), 100.0, 1.5);
  EXPECT_NEAR(mean(r, "services.db.capacity_units.throttled"), 1.0 / 3.0, 0.005);
  EXPECT_NEAR(mean(r, "services.db.capacity_units.read_units_per_s"), 200.0, 0.5);
  // Pay per request: the units consumed at 1000 per million.
  EXPECT_NEAR(mean(r, "services.db.capacity_units.cost"),
              mean(r, "services.db.capacity_units.read_units_per_s") * 300 * 1000 / 1e6, 1e-6);
}

TEST(NetThrottle, OnDemandAdaptsToTheNewPeak) {
  // With the default 30 minutes shortened to 60 s: from 60 + 1 + 60 s on, the seconds after the
  // step (about 200 units each, more as the peak grows) count as the peak, and 400/s or more
  // are served: measured from 130 s, nothing is throttled.
  const run::Results r = run_json(
      kOnDemand,
      {{"/services/db/capacity_units/adaptation", "\"60s\""}, {"/simulation/warmup", "\"130s\""}},
      1);
  EXPECT_DOUBLE_EQ(mean(r, "services.db.capacity_units.throttled"), 0.0);
  EXPECT_NEAR(mean(r, "services.db.capacity_units.read_units_per_s"), 300.0, 3.0);
}

TEST(NetThrottle, ModelsWithoutCapacityUnitsHaveNoThrottledError) {
  const run::Results r = run_json(R"({
  "simulation": {"duration": "10s", "replications": 1},
  "workloads": [{"name": "w", "target": "db", "rate": 10}],
  "services": {"db": {"kind": "database", "work": "1ms"}}
})",
                                  1);
  EXPECT_EQ(r.find("workloads.w.errors.throttled"), nullptr);
  EXPECT_EQ(r.find("services.db.capacity_units.throttled"), nullptr);
}

}  // namespace
}  // namespace capsim::net
