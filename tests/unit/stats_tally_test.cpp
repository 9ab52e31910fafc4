#include "capsim/stats/tally.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "capsim/sim/random.hpp"

namespace capsim::stats {
namespace {

struct TwoPass {
  double mean = 0.0;
  double variance = 0.0;
};

TwoPass two_pass(const std::vector<double>& xs) {
  TwoPass r;
  for (double x : xs) r.mean += x;
  r.mean /= static_cast<double>(xs.size());
  for (double x : xs) r.variance += (x - r.mean) * (x - r.mean);
  r.variance /= static_cast<double>(xs.size() - 1);
  return r;
}

TEST(Tally, EmptyAndSingle) {
  Tally t;
  EXPECT_EQ(t.count(), 0U);
  EXPECT_EQ(t.mean(), 0.0);
  EXPECT_EQ(t.variance(), 0.0);
  EXPECT_EQ(t.stddev(), 0.0);
  t.add(4.5);
  EXPECT_EQ(t.count(), 1U);
  EXPECT_EQ(t.mean(), 4.5);
  EXPECT_EQ(t.variance(), 0.0);
}

TEST(Tally, HandValues) {
  Tally t;
  for (double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) t.add(x);
  EXPECT_DOUBLE_EQ(t.mean(), 5.0);
  EXPECT_DOUBLE_EQ(t.variance(), 32.0 / 7.0);
  EXPECT_DOUBLE_EQ(t.stddev(), std::sqrt(32.0 / 7.0));
}

TEST(Tally, MatchesTwoPassOnRandomData) {
  sim::RandomStream rng(31);
  std::vector<double> xs;
  Tally t;
  for (int i = 0; i < 100000; ++i) {
    const double x = -2.0 * std::log(rng.uniform01()) + 10.0 * rng.uniform01();
    xs.push_back(x);
    t.add(x);
  }
  const TwoPass ref = two_pass(xs);
  EXPECT_EQ(t.count(), xs.size());
  EXPECT_NEAR(t.mean(), ref.mean, 1e-12 * ref.mean);
  EXPECT_NEAR(t.variance(), ref.variance, 1e-10 * ref.variance);
}

TEST(Tally, StableWithLargeOffset) {
  // The naive sum of squares loses every digit here; Welford keeps them.
  Tally t;
  std::vector<double> xs;
  for (int i = 0; i < 1000; ++i) {
    const double x = 1e9 + (i % 10) * 0.1;
    xs.push_back(x);
    t.add(x);
  }
  const TwoPass ref = two_pass(xs);
  EXPECT_NEAR(t.variance(), ref.variance, 1e-6 * ref.variance);
  EXPECT_NEAR(t.variance(), 0.0825 * 1000.0 / 999.0, 1e-6);
}

TEST(Tally, MergeEqualsAddingEverything) {
  sim::RandomStream rng(4);
  Tally a;
  Tally b;
  Tally all;
  for (int i = 0; i < 3000; ++i) {
    const double x = rng.uniform01();
    a.add(x);
    all.add(x);
  }
  for (int i = 0; i < 500; ++i) {
    const double y = 5.0 + 2.0 * rng.uniform01();
    b.add(y);
    all.add(y);
  }
  Tally merged = a;
  merged.merge(b);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_NEAR(merged.mean(), all.mean(), 1e-13);
  EXPECT_NEAR(merged.variance(), all.variance(), 1e-12 * all.variance());

  Tally empty;
  merged.merge(empty);
  EXPECT_EQ(merged.count(), all.count());
  empty.merge(a);
  EXPECT_EQ(empty.count(), a.count());
  EXPECT_EQ(empty.mean(), a.mean());
  EXPECT_EQ(empty.variance(), a.variance());
}

TEST(TimeWeighted, HandCase) {
  TimeWeighted tw(2.0);
  tw.update(1.0, 5.0);
  tw.update(3.0, 1.0);
  // 2 on [0,1), 5 on [1,3), 1 on [3,4): 2 + 10 + 1.
  EXPECT_DOUBLE_EQ(tw.integral(4.0), 13.0);
  EXPECT_DOUBLE_EQ(tw.mean(4.0), 13.0 / 4.0);
  EXPECT_DOUBLE_EQ(tw.value(), 1.0);
  EXPECT_EQ(tw.min(), 1.0);
  EXPECT_EQ(tw.max(), 5.0);
  EXPECT_DOUBLE_EQ(tw.integral(3.0), 12.0);
}

TEST(TimeWeighted, AddAndSameTimeUpdates) {
  TimeWeighted tw;
  tw.add(0.0, 1.0);
  tw.add(2.0, 1.0);
  tw.add(2.0, 1.0);  // two changes at the same instant
  tw.add(5.0, -3.0);
  // 1 on [0,2), 3 on [2,5), 0 on [5,6).
  EXPECT_DOUBLE_EQ(tw.integral(6.0), 11.0);
  EXPECT_DOUBLE_EQ(tw.mean(6.0), 11.0 / 6.0);
  EXPECT_EQ(tw.value(), 0.0);
  EXPECT_EQ(tw.max(), 3.0);
  EXPECT_EQ(tw.min(), 0.0);
}

TEST(TimeWeighted, StartAfterWarmUpDeletesHistory) {
  TimeWeighted tw(0.0);
  tw.update(1.0, 3.0);
  tw.update(2.0, 7.0);
  tw.update(2.2, 5.0);
  tw.start(2.5);  // value 5 is kept
  EXPECT_EQ(tw.value(), 5.0);
  EXPECT_EQ(tw.min(), 5.0);
  EXPECT_EQ(tw.max(), 5.0);
  EXPECT_EQ(tw.mean(2.5), 5.0);  // no time has passed: the current value
  EXPECT_EQ(tw.integral(2.5), 0.0);
  tw.update(4.0, 1.0);
  // 5 on [2.5,4), 1 on [4,5).
  EXPECT_DOUBLE_EQ(tw.integral(5.0), 8.5);
  EXPECT_DOUBLE_EQ(tw.mean(5.0), 8.5 / 2.5);
  EXPECT_EQ(tw.min(), 1.0);
  EXPECT_EQ(tw.max(), 5.0);
  // Restart.
  tw.start(10.0);
  EXPECT_EQ(tw.integral(12.0), 2.0);
  EXPECT_EQ(tw.mean(12.0), 1.0);
}

TEST(TimeWeighted, StartAtTimeZeroIsTheDefault) {
  TimeWeighted a(4.0);
  TimeWeighted b(4.0);
  b.start(0.0);
  for (TimeWeighted* tw : {&a, &b}) {
    tw->update(1.5, 2.0);
    tw->update(2.0, 6.0);
  }
  EXPECT_EQ(a.integral(3.0), b.integral(3.0));
  EXPECT_DOUBLE_EQ(a.integral(3.0), 6.0 + 1.0 + 6.0);
}

}  // namespace
}  // namespace capsim::stats
