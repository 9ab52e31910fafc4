// A database's capacity units (docs/capacity-units.md), the meter alone, against exact hand
// counts: deterministic arrival times fed to one dimension.

#include <gtest/gtest.h>

#include "capsim/net/capacity_units.hpp"

namespace capsim::net {
namespace {

model::CapacityUnitsSpec provisioned(double units_per_s, double burst_s) {
  model::CapacityUnitsSpec spec;
  spec.burst_s = burst_s;
  spec.read.units_per_s = units_per_s;
  return spec;
}

model::CapacityUnitsSpec on_demand(double peak_units_per_s, double adaptation_s) {
  model::CapacityUnitsSpec spec;
  spec.mode = model::CapacityMode::on_demand;
  spec.adaptation_s = adaptation_s;
  spec.read.peak_units_per_s = peak_units_per_s;
  return spec;
}

/// Requests at `rate` per second, evenly spaced from `from_s` (inclusive) to `to_s`
/// (exclusive), offset by `phase_s`: how many were throttled.
int throttled(CapacityDimension& d, double rate, double from_s, double to_s, double phase_s = 0.0) {
  int count = 0;
  const auto n = static_cast<long>((to_s - from_s) * rate + 0.5);
  for (long i = 0; i < n; ++i) {
    if (!d.try_consume(from_s + phase_s + static_cast<double>(i) / rate)) ++count;
  }
  return count;
}

TEST(CapacityUnits, ProvisionedServesItsRateAndThrottlesTheRest) {
  // 50 units/s, no burst: a bucket of one second's 50 units, full at t = 0. 100 requests/s for
  // 100 s: the first 50 + 100 s x 50/s are served, give or take the last refill.
  CapacityUnits units(provisioned(50, 0));
  const int refused = throttled(units.dimension(model::DbOp::read), 100, 0, 100);
  EXPECT_NEAR(refused, 10000 - 50 - 5000, 1);
}

TEST(CapacityUnits, BurstBucketAbsorbsASpikeExactlyUpToItsSize) {
  // 50 units/s with 5 s of burst: the bucket holds 50 x (1 + 5) = 300 units. Steady load of
  // 40/s leaves it full; a spike adds 60/s for 10 s (100/s in all): the excess 50/s empties the
  // bucket in 6 s, then 50/s are throttled for the 4 s left: 200 requests.
  CapacityUnits units(provisioned(50, 5));
  CapacityDimension& d = units.dimension(model::DbOp::read);
  EXPECT_EQ(throttled(d, 40, 0, 100), 0);
  // The spike as one merged stream of 100/s (the steady 40 and the extra 60).
  EXPECT_NEAR(throttled(d, 100, 100, 110), 200, 2);
  // Back to 40/s: served (the first may find the bucket a fraction of a unit short), and the
  // bucket refills at 10 units/s.
  EXPECT_LE(throttled(d, 40, 110, 200), 1);
  // A spike of 5 s fits the bucket again after 30 s of refill (300 units / 10 per second).
  EXPECT_EQ(throttled(d, 100, 200, 205), 0);
}

TEST(CapacityUnits, UnitsPerRequestAndUnlimitedDimensions) {
  // Reads of 4 units against 100 units/s: 25 reads/s. Writes are not provisioned: never
  // throttled.
  model::CapacityUnitsSpec spec = provisioned(100, 0);
  spec.read.units_per_request = 4;
  CapacityUnits units(spec);
  EXPECT_NEAR(throttled(units.dimension(model::DbOp::read), 50, 0, 100), 5000 - 25 - 2500, 1);
  EXPECT_EQ(throttled(units.dimension(model::DbOp::write), 1000, 0, 10), 0);
}

TEST(CapacityUnits, OnDemandServesTwiceThePreviousPeakUntilItAdapts) {
  // Previous peak 100 units/s: 200 per second are served at once. A step from 100/s to 300/s
  // at t = 10 throttles 100 requests a second; with an adaptation of 60 s, second 10's
  // consumption (200) becomes the peak at 10 + 1 + 60 = 71 s: 400/s are then served.
  CapacityUnits units(on_demand(100, 60));
  CapacityDimension& d = units.dimension(model::DbOp::read);
  EXPECT_EQ(throttled(d, 100, 0, 10, 1e-3), 0);
  // (The peak is brought up to date when a request arrives: still 100 at the last one, 70.997 s.)
  EXPECT_EQ(throttled(d, 300, 10, 71, 1e-4), 61 * 100);
  EXPECT_DOUBLE_EQ(d.peak_units_per_s(), 100.0);
  EXPECT_EQ(throttled(d, 300, 71, 100, 1e-4), 0);
  // Second 71's 300 counts only from 132 s on: until then 400/s, and 700/s loses 300 a second.
  EXPECT_DOUBLE_EQ(d.peak_units_per_s(), 200.0);
  EXPECT_EQ(throttled(d, 700, 100, 110, 1e-5), 10 * 300);
}

TEST(CapacityUnits, OnDemandMaximumThroughputCapsTheAllowance) {
  model::CapacityUnitsSpec spec = on_demand(1000, 0);
  spec.read.max_units_per_s = 150;
  CapacityUnits units(spec);
  EXPECT_EQ(throttled(units.dimension(model::DbOp::read), 200, 0, 10, 1e-4), 10 * 50);
}

}  // namespace
}  // namespace capsim::net
