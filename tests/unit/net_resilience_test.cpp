// Resilience state machines against hand-computed sequences and the AWS backoff formulas.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "capsim/net/resilience.hpp"

namespace capsim::net {
namespace {

model::BackoffSpec backoff(model::BackoffKind kind, model::Jitter jitter) {
  model::BackoffSpec b;
  b.kind = kind;
  b.base_s = 0.1;
  b.multiplier = 2.0;
  b.cap_s = 1.0;
  b.jitter = jitter;
  return b;
}

TEST(Backoff, WithoutJitterFollowsTheFormulasAndTheCap) {
  sim::RandomStream rng(1);
  const auto e = backoff(model::BackoffKind::exponential, model::Jitter::none);
  std::vector<double> got;
  for (int retry = 1; retry <= 6; ++retry) got.push_back(backoff_delay(e, retry, 0.1, rng));
  const std::vector<double> want{0.1, 0.2, 0.4, 0.8, 1.0, 1.0};
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_DOUBLE_EQ(got[i], want[i]) << i;
  const auto l = backoff(model::BackoffKind::linear, model::Jitter::none);
  EXPECT_DOUBLE_EQ(backoff_delay(l, 3, 0.1, rng), 0.30000000000000004);
  EXPECT_DOUBLE_EQ(backoff_delay(l, 20, 0.1, rng), 1.0);
  const auto c = backoff(model::BackoffKind::constant, model::Jitter::none);
  EXPECT_DOUBLE_EQ(backoff_delay(c, 5, 0.1, rng), 0.1);
}

struct Moments {
  double mean = 0, min = 1e9, max = -1e9, var = 0;
};
template <class F>
Moments moments(F draw, int n = 200000) {
  Moments m;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = draw();
    sum += x;
    sum2 += x * x;
    m.min = std::min(m.min, x);
    m.max = std::max(m.max, x);
  }
  m.mean = sum / n;
  m.var = sum2 / n - m.mean * m.mean;
  return m;
}

TEST(Backoff, FullJitterIsUniformOnZeroToBackoff) {
  sim::RandomStream rng(2);
  const auto b = backoff(model::BackoffKind::exponential, model::Jitter::full);
  const Moments m = moments([&] { return backoff_delay(b, 3, 0.1, rng); });  // backoff 0.4
  EXPECT_GE(m.min, 0.0);
  EXPECT_LE(m.max, 0.4);
  EXPECT_NEAR(m.mean, 0.2, 0.002);
  EXPECT_NEAR(m.var, 0.4 * 0.4 / 12, 0.0005);
}

TEST(Backoff, EqualJitterIsUniformOnHalfToBackoff) {
  sim::RandomStream rng(3);
  const auto b = backoff(model::BackoffKind::exponential, model::Jitter::equal);
  const Moments m = moments([&] { return backoff_delay(b, 3, 0.1, rng); });
  EXPECT_GE(m.min, 0.2);
  EXPECT_LE(m.max, 0.4);
  EXPECT_NEAR(m.mean, 0.3, 0.002);
  EXPECT_NEAR(m.var, 0.2 * 0.2 / 12, 0.0003);
}

TEST(Backoff, DecorrelatedJitterIsUniformOnBaseToThreeTimesThePreviousCapped) {
  sim::RandomStream rng(4);
  const auto b = backoff(model::BackoffKind::exponential, model::Jitter::decorrelated);
  // previous 0.2: uniform on [0.1, 0.6].
  const Moments m = moments([&] { return backoff_delay(b, 2, 0.2, rng); });
  EXPECT_GE(m.min, 0.1);
  EXPECT_LE(m.max, 0.6);
  EXPECT_NEAR(m.mean, 0.35, 0.003);
  // previous 0.5: uniform on [0.1, 1.5] capped at 1.0: P(delay == cap) = 0.5 / 1.4.
  int capped = 0;
  for (int i = 0; i < 100000; ++i) capped += backoff_delay(b, 4, 0.5, rng) == 1.0;
  EXPECT_NEAR(capped / 100000.0, 0.5 / 1.4, 0.01);
}

TEST(SlidingCounter, ForgetsBucketsOlderThanTheWindow) {
  SlidingCounter c(10.0);  // buckets of 1 s
  c.add(0.5, 3, 1);
  c.add(4.2, 2, 2);
  EXPECT_EQ(c.total(9.9), 5u);
  EXPECT_EQ(c.marked(9.9), 3u);
  EXPECT_EQ(c.total(10.0), 2u) << "the bucket [0, 1) left the window";
  EXPECT_EQ(c.total(13.9), 2u);
  EXPECT_EQ(c.total(14.0), 0u) << "the window is the ten buckets ending with t's";
  c.add(100.0, 1, 0);
  EXPECT_EQ(c.total(100.5), 1u);
}

TEST(RetryBudget, AllowsRatioOfRequestsPlusAFloor) {
  model::RetryBudgetSpec spec;
  spec.ratio = 0.1;
  spec.min_per_second = 0.5;  // 5 per 10 s window
  spec.window_s = 10.0;
  RetryBudget budget(spec);
  for (int i = 0; i < 100; ++i) budget.request(1.0);
  int allowed = 0;
  for (int i = 0; i < 50; ++i) allowed += budget.try_retry(2.0);
  EXPECT_EQ(allowed, 15) << "0.1 x 100 requests + 0.5/s x 10 s";
  EXPECT_FALSE(budget.try_retry(5.0));
  EXPECT_EQ(budget.try_retry(12.5), true) << "the window moved on";
}

TEST(CircuitBreaker, FollowsTheHandComputedSequence) {
  model::CircuitBreakerSpec spec;
  spec.failure_rate = 0.5;
  spec.window_s = 10.0;
  spec.min_requests = 4;
  spec.open_for_s = 5.0;
  spec.half_open_requests = 2;
  CircuitBreaker b(spec);
  // t=1..3: success, failure, failure: 3 requests < 4, stays closed.
  for (auto [t, ok] : std::vector<std::pair<double, bool>>{{1, true}, {2, false}, {3, false}}) {
    ASSERT_TRUE(b.allow(t));
    b.record(t, ok);
  }
  EXPECT_EQ(b.state(3.5), BreakerState::closed);
  // t=4: a fourth request, success: 2 failures of 4 = 0.5 -> open.
  ASSERT_TRUE(b.allow(4));
  b.record(4, true);
  EXPECT_EQ(b.state(4), BreakerState::open);
  EXPECT_FALSE(b.allow(8.9));
  // t=9: open for 5 s -> half-open, two probes only.
  EXPECT_EQ(b.state(9), BreakerState::half_open);
  EXPECT_TRUE(b.allow(9));
  EXPECT_TRUE(b.allow(9.1));
  EXPECT_FALSE(b.allow(9.2)) << "only two probes";
  b.record(9.5, true);
  b.record(9.6, false);  // a probe fails: open again
  EXPECT_EQ(b.state(9.6), BreakerState::open);
  EXPECT_EQ(b.state(14.6), BreakerState::half_open);
  EXPECT_TRUE(b.allow(14.6));
  EXPECT_TRUE(b.allow(14.7));
  b.record(14.8, true);
  EXPECT_EQ(b.state(14.8), BreakerState::half_open);
  b.record(14.9, true);  // both probes succeed: closed, with a fresh window
  EXPECT_EQ(b.state(14.9), BreakerState::closed);
  ASSERT_TRUE(b.allow(15));
  b.record(15, false);
  EXPECT_EQ(b.state(15), BreakerState::closed) << "one failure in a fresh window";
  // closed -> open -> half-open -> open -> half-open -> closed.
  EXPECT_EQ(b.transitions(), 5u);
}

TEST(TokenBucket, FollowsTheHandComputedSequence) {
  model::RateLimitSpec spec;
  spec.rate = 2.0;  // a token every 0.5 s
  spec.burst = 3.0;
  TokenBucket bucket(spec);
  // Full at start: three at once, the fourth refused.
  EXPECT_TRUE(bucket.try_take(0.0));
  EXPECT_TRUE(bucket.try_take(0.0));
  EXPECT_TRUE(bucket.try_take(0.0));
  EXPECT_FALSE(bucket.try_take(0.0));
  EXPECT_FALSE(bucket.try_take(0.4));
  EXPECT_TRUE(bucket.try_take(0.5)) << "one token after 0.5 s";
  EXPECT_FALSE(bucket.try_take(0.6));
  EXPECT_TRUE(bucket.try_take(10.0));
  EXPECT_TRUE(bucket.try_take(10.0));
  EXPECT_TRUE(bucket.try_take(10.0));
  EXPECT_FALSE(bucket.try_take(10.0)) << "never more than the burst";
  // Over a long run, at most rate x time + burst are let through.
  int passed = 0;
  for (int i = 0; i < 10000; ++i) passed += bucket.try_take(20.0 + i * 0.01);  // 100/s for 100 s
  EXPECT_NEAR(passed, 200 + 3, 1);
}

}  // namespace
}  // namespace capsim::net
