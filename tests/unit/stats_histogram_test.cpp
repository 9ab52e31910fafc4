#include "capsim/stats/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "capsim/sim/random.hpp"

namespace capsim::stats {
namespace {

/// The nearest-rank q-quantile of sorted data.
double exact_quantile(const std::vector<double>& sorted, double q) {
  const auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<std::size_t>(std::ceil(q * n - 1e-9));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

constexpr double kQs[] = {0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0};

TEST(Histogram, EmptyReportsZeros) {
  const Histogram h;
  EXPECT_EQ(h.count(), 0U);
  EXPECT_EQ(h.sum(), 0.0);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.min(), 0.0);
  EXPECT_EQ(h.max(), 0.0);
  EXPECT_EQ(h.quantile(0.5), 0.0);
}

TEST(Histogram, RelativeErrorIsHalfASubBucket) {
  EXPECT_DOUBLE_EQ(Histogram::relative_error(), 1.0 / 256.0);
  EXPECT_LT(Histogram::relative_error(), 0.004);
}

TEST(Histogram, RelativeErrorBoundHoldsAndIsTight) {
  // Each probe value v sits between a tiny and a huge value, so quantile(0.5) is v's bucket
  // midpoint without clamping. Probes: bucket edges (where the bound is reached) and random values.
  std::vector<double> probes;
  for (int e = -29; e <= 29; e += 4) {
    for (int s = 0; s < 128; s += 9) probes.push_back(std::ldexp(1.0 + s / 128.0, e));
  }
  sim::RandomStream rng(8);
  for (int i = 0; i < 2000; ++i) probes.push_back(std::exp(-20.0 + 40.0 * rng.uniform01()));
  double worst = 0.0;
  for (double v : probes) {
    Histogram h;
    h.record(1e-12);
    h.record(v);
    h.record(1e12);
    const double err = std::abs(h.quantile(0.5) - v) / v;
    ASSERT_LE(err, Histogram::relative_error() * (1.0 + 1e-12)) << v;
    worst = std::max(worst, err);
  }
  // Reached at the low edge of the first sub-bucket of an octave.
  EXPECT_NEAR(worst, Histogram::relative_error(), 1e-15);
}

TEST(Histogram, QuantilesOfKnownDataWithinBound) {
  Histogram h;
  std::vector<double> data;
  for (int i = 1; i <= 1000; ++i) {
    data.push_back(i * 0.001);
    h.record(i * 0.001);
  }
  EXPECT_EQ(h.count(), 1000U);
  EXPECT_NEAR(h.sum(), 500.5, 1e-9);
  EXPECT_NEAR(h.mean(), 0.5005, 1e-12);
  EXPECT_EQ(h.min(), 0.001);
  EXPECT_EQ(h.max(), 1.0);
  for (double q : kQs) {
    const double exact = exact_quantile(data, q);
    EXPECT_NEAR(h.quantile(q), exact, exact * Histogram::relative_error()) << q;
  }
  // Nearest rank: q = 0.5 of 1000 values is the 500th, q = 0.0005 the 1st.
  EXPECT_NEAR(h.quantile(0.5), 0.5, 0.5 / 256);
  EXPECT_EQ(h.quantile(0.0005), 0.001);
  EXPECT_EQ(h.quantile(1.0), 1.0);
}

TEST(Histogram, NearestRankIsRobustToRoundingOfQTimesN) {
  // 0.07 * 100 rounds to 7.000000000000001: the rank must still be 7.
  Histogram h;
  for (int i = 1; i <= 100; ++i) h.record(i);
  EXPECT_NEAR(h.quantile(0.07), 7.0, 7.0 / 256);
  EXPECT_NEAR(h.quantile(0.99), 99.0, 99.0 / 256);
  EXPECT_NEAR(h.quantile(0.991), 100.0, 0.0);
}

TEST(Histogram, QuantilesOfWideRandomDataWithinBound) {
  sim::RandomStream rng(77);
  Histogram h;
  std::vector<double> data;
  for (int i = 0; i < 100000; ++i) {
    const double x = std::exp(-15.0 + 30.0 * rng.uniform01());  // 3e-7 .. 3e6
    data.push_back(x);
    h.record(x);
  }
  std::sort(data.begin(), data.end());
  for (double q : kQs) {
    const double exact = exact_quantile(data, q);
    EXPECT_NEAR(h.quantile(q), exact, exact * Histogram::relative_error()) << q;
  }
}

TEST(Histogram, ExponentialP99WithinOnePercent) {
  sim::RandomStream rng(123);
  Histogram h;
  const double mean = 0.05;
  for (int i = 0; i < 1000000; ++i) h.record(-mean * std::log(rng.uniform01()));
  EXPECT_EQ(h.count(), 1000000U);
  EXPECT_NEAR(h.mean(), mean, 5.0 * mean / 1000.0);
  const double p99 = std::log(100.0) * mean;
  EXPECT_NEAR(h.quantile(0.99), p99, 0.01 * p99);
  EXPECT_NEAR(h.quantile(0.5), std::log(2.0) * mean, 0.01 * std::log(2.0) * mean);
}

TEST(Histogram, TinyAndHugeValues) {
  Histogram h;
  h.record(0.0);
  h.record(1e-12);
  h.record(5e-10);
  EXPECT_EQ(h.quantile(0.5), 0.0);  // the zero bucket reports 0
  Histogram positive;
  positive.record(3e-12);
  positive.record(4e-12);
  positive.record(1.0);
  EXPECT_EQ(positive.quantile(0.5), 3e-12);  // 0, clamped to [min, max]
  EXPECT_EQ(h.quantile(0.0), 0.0);
  EXPECT_EQ(h.quantile(1.0), 5e-10);
  h.record(1e12);  // clamped into the top bucket
  h.record(2e12);
  EXPECT_EQ(h.max(), 2e12);
  EXPECT_EQ(h.quantile(1.0), 2e12);  // the largest value is exact
  // The 4th of 5 values (1e12) is in the top bucket: reported near 2^30, the layout's end.
  EXPECT_GT(h.quantile(0.8), 1e9);
  EXPECT_LE(h.quantile(0.8), std::ldexp(1.0, 30));
  // Values just above 1e9 still have their own bucket.
  Histogram g;
  g.record(1.0);
  g.record(1.05e9);
  g.record(1.06e9);
  EXPECT_NEAR(g.quantile(0.5), 1.05e9, 1.05e9 / 256);
}

TEST(Histogram, IgnoresNaN) {
  Histogram h;
  h.record(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(h.count(), 0U);
  h.record(2.0);
  EXPECT_EQ(h.count(), 1U);
  EXPECT_EQ(h.sum(), 2.0);
}

TEST(Histogram, SingleValueIsExact) {
  Histogram h;
  h.record(0.0123);
  for (double q : kQs) EXPECT_EQ(h.quantile(q), 0.0123);
}

TEST(Histogram, MergeEqualsRecordingBoth) {
  sim::RandomStream rng(5);
  Histogram a;
  Histogram b;
  Histogram both;
  for (int i = 0; i < 50000; ++i) {
    const double x = -0.01 * std::log(rng.uniform01());
    const double y = 1.0 + 3.0 * rng.uniform01();
    a.record(x);
    b.record(y);
    both.record(x);
    both.record(y);
  }
  Histogram merged = a;
  merged.merge(b);
  EXPECT_EQ(merged.count(), both.count());
  EXPECT_NEAR(merged.sum(), both.sum(), 1e-9 * both.sum());
  EXPECT_EQ(merged.min(), both.min());
  EXPECT_EQ(merged.max(), both.max());
  for (int i = 0; i <= 1000; ++i) {
    const double q = i / 1000.0;
    EXPECT_EQ(merged.quantile(q), both.quantile(q)) << q;
  }
  Histogram empty;
  merged.merge(empty);
  EXPECT_EQ(merged.count(), both.count());
  empty.merge(a);
  EXPECT_EQ(empty.quantile(0.3), a.quantile(0.3));
  EXPECT_EQ(empty.min(), a.min());
}

TEST(Histogram, ResetForgetsEverything) {
  Histogram h;
  for (int i = 1; i <= 1000; ++i) h.record(i * 1e-3);
  h.reset();
  EXPECT_EQ(h.count(), 0U);
  EXPECT_EQ(h.sum(), 0.0);
  EXPECT_EQ(h.min(), 0.0);
  EXPECT_EQ(h.max(), 0.0);
  EXPECT_EQ(h.quantile(0.99), 0.0);
  // After reset it behaves as a fresh histogram.
  Histogram fresh;
  for (double x : {7.0, 3.0, 5.0, 1e-3, 2e4}) {
    h.record(x);
    fresh.record(x);
  }
  for (double q : kQs) EXPECT_EQ(h.quantile(q), fresh.quantile(q));
  EXPECT_EQ(h.min(), 1e-3);
  EXPECT_EQ(h.max(), 2e4);
  h.reset();
  h.reset();  // twice is harmless
  EXPECT_EQ(h.count(), 0U);
}

TEST(Histogram, ManyRecordsAcrossTheRangeKeepBoundedError) {
  // Memory is fixed: recording values from every octave, many times over, changes only counts.
  Histogram h;
  std::vector<double> data;
  for (int rep = 0; rep < 20; ++rep) {
    for (int e = -29; e <= 29; ++e) {
      const double x = std::ldexp(1.3, e);
      h.record(x);
      data.push_back(x);
    }
  }
  std::sort(data.begin(), data.end());
  for (double q : kQs) {
    const double exact = exact_quantile(data, q);
    EXPECT_NEAR(h.quantile(q), exact, exact * Histogram::relative_error()) << q;
  }
}

// A time-series window: a few dozen values over a thousand or more buckets, reset between
// windows. Every quantile (one pass, ascending, as quantiles() is used) must fall in the bucket
// of the exact nearest-rank value, whatever the scan skips.
TEST(Histogram, SparseWindowsFindTheBucketOfTheExactQuantile) {
  sim::RandomStream rng(2026);
  Histogram h;
  constexpr double kWindowQs[] = {0.01, 0.3, 0.5, 0.9, 0.95, 0.99, 0.999};
  for (int window = 0; window < 2000; ++window) {
    h.reset();
    std::vector<double> data;
    const int n = 2 + static_cast<int>(rng.below(200));
    for (int i = 0; i < n; ++i) {
      // Exponential with a mean between 1 ms and 1 s: values across ten or more octaves.
      const double mean = std::exp(std::log(1e-3) + std::log(1e3) * rng.uniform01());
      const double x = -mean * std::log(rng.uniform01());
      data.push_back(x);
      h.record(x);
    }
    std::sort(data.begin(), data.end());
    double out[std::size(kWindowQs)];
    h.quantiles(kWindowQs, out);
    for (std::size_t k = 0; k < std::size(kWindowQs); ++k) {
      const double exact = exact_quantile(data, kWindowQs[k]);
      ASSERT_EQ(histogram_layout::bucket_of(out[k]), histogram_layout::bucket_of(exact))
          << "window " << window << ", q " << kWindowQs[k] << ": " << out[k] << " vs " << exact;
    }
  }
}

}  // namespace
}  // namespace capsim::stats
