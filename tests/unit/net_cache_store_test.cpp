// Cache contents: eviction orders by hand, and hit ratios against the Che approximation (LRU
// under Zipf popularity) and the TTL formula.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "capsim/net/cache_store.hpp"

namespace capsim::net {
namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

TEST(CacheStore, LruEvictsTheLeastRecentlyUsed) {
  sim::RandomStream rng(1);
  CacheStore c(10, 2, model::Eviction::lru);
  c.fill(1, kNever, 0, rng);
  c.fill(2, kNever, 0, rng);
  EXPECT_NE(c.lookup(1, 0), nullptr);  // 1 is now more recent than 2
  c.fill(3, kNever, 0, rng);
  EXPECT_EQ(c.lookup(2, 0), nullptr);
  EXPECT_NE(c.lookup(1, 0), nullptr);
  EXPECT_NE(c.lookup(3, 0), nullptr);
  EXPECT_EQ(c.size(), 2u);
}

TEST(CacheStore, FifoIgnoresHits) {
  sim::RandomStream rng(1);
  CacheStore c(10, 2, model::Eviction::fifo);
  c.fill(1, kNever, 0, rng);
  c.fill(2, kNever, 0, rng);
  EXPECT_NE(c.lookup(1, 0), nullptr);
  c.fill(3, kNever, 0, rng);
  EXPECT_EQ(c.lookup(1, 0), nullptr) << "first in, first out, however often it was hit";
  EXPECT_NE(c.lookup(2, 0), nullptr);
}

TEST(CacheStore, LfuEvictsTheLeastFrequentlyUsed) {
  sim::RandomStream rng(1);
  CacheStore c(10, 3, model::Eviction::lfu);
  c.fill(1, kNever, 0, rng);
  c.fill(2, kNever, 0, rng);
  c.fill(3, kNever, 0, rng);
  for (int i = 0; i < 3; ++i) c.lookup(1, 0);
  c.lookup(3, 0);
  c.fill(4, kNever, 0, rng);  // 2 has been used once only
  EXPECT_EQ(c.lookup(2, 0), nullptr);
  c.fill(5, kNever, 0, rng);  // 4 (once) goes before 3 (twice)
  EXPECT_EQ(c.lookup(4, 0), nullptr);
  EXPECT_NE(c.lookup(1, 0), nullptr);
  EXPECT_NE(c.lookup(3, 0), nullptr);
  EXPECT_NE(c.lookup(5, 0), nullptr);
}

TEST(CacheStore, RandomEvictionKeepsTheCapacityAndEveryKeyFindable) {
  sim::RandomStream rng(1);
  CacheStore c(1000, 50, model::Eviction::random);
  for (std::uint32_t k = 0; k < 1000; ++k) c.fill(k, kNever, 0, rng);
  EXPECT_EQ(c.size(), 50u);
  int present = 0;
  for (std::uint32_t k = 0; k < 1000; ++k) present += c.lookup(k, 0) != nullptr;
  EXPECT_EQ(present, 50);
}

TEST(CacheStore, EntriesExpireAndClearEmpties) {
  sim::RandomStream rng(1);
  CacheStore c(10, 0, model::Eviction::lru);
  c.fill(1, 5.0, 0.2, rng);
  ASSERT_NE(c.lookup(1, 4.9), nullptr);
  EXPECT_DOUBLE_EQ(c.lookup(1, 4.9)->fetch_s, 0.2);
  EXPECT_EQ(c.lookup(1, 5.0), nullptr);
  EXPECT_EQ(c.size(), 0u);
  c.fill(2, kNever, 0, rng);
  c.clear();
  EXPECT_EQ(c.lookup(2, 0), nullptr);
}

TEST(KeySampler, ZipfProbabilitiesAreNormalisedPowerLaws) {
  const KeySampler k(1000, model::Popularity::zipf, 1.0);
  double sum = 0;
  for (std::uint32_t i = 0; i < 1000; ++i) sum += k.probability(i);
  EXPECT_NEAR(sum, 1.0, 1e-12);
  EXPECT_NEAR(k.probability(0) / k.probability(9), 10.0, 1e-9);
  sim::RandomStream rng(3);
  int zeros = 0;
  for (int i = 0; i < 200000; ++i) zeros += k.sample(rng) == 0;
  EXPECT_NEAR(zeros / 200000.0, k.probability(0), 0.003);
}

/// Che's approximation: the characteristic time T solves sum_i (1 - e^{-p_i T}) = C (T in
/// requests), and the hit ratio is sum_i p_i (1 - e^{-p_i T}).
double che_hit_ratio(const KeySampler& k, double capacity) {
  auto filled = [&](double t) {
    double s = 0;
    for (std::uint32_t i = 0; i < k.size(); ++i) s += 1.0 - std::exp(-k.probability(i) * t);
    return s;
  };
  double lo = 0, hi = 1;
  while (filled(hi) < capacity) hi *= 2;
  for (int it = 0; it < 200; ++it) {
    const double mid = (lo + hi) / 2;
    (filled(mid) < capacity ? lo : hi) = mid;
  }
  double h = 0;
  for (std::uint32_t i = 0; i < k.size(); ++i) {
    h += k.probability(i) * (1.0 - std::exp(-k.probability(i) * lo));
  }
  return h;
}

TEST(CacheHitRatio, LruUnderZipfMatchesTheCheApproximation) {
  for (double s : {0.8, 1.0}) {
    const KeySampler keys(20000, model::Popularity::zipf, s);
    CacheStore c(20000, 1000, model::Eviction::lru);
    sim::RandomStream rng(7);
    const int warm = 200000, n = 1000000;
    int hits = 0;
    for (int i = 0; i < warm + n; ++i) {
      const std::uint32_t key = keys.sample(rng);
      const bool hit = c.lookup(key, 0) != nullptr;
      if (!hit) c.fill(key, kNever, 0, rng);
      if (i >= warm) hits += hit;
    }
    const double simulated = static_cast<double>(hits) / n;
    EXPECT_NEAR(simulated, che_hit_ratio(keys, 1000), 0.02) << "zipf " << s;
  }
}

TEST(CacheHitRatio, TtlSetOnFillMatchesTheFormula) {
  // Unlimited capacity, entries live T after their fill: key i (Poisson rate lambda_i) hits
  // with probability lambda_i T / (1 + lambda_i T).
  const double lambda = 1000.0, ttl = 2.0;
  const KeySampler keys(5000, model::Popularity::zipf, 0.9);
  CacheStore c(5000, 0, model::Eviction::lru);
  sim::RandomStream rng(9);
  double t = 0;
  int hits = 0, n = 0;
  while (t < 1100.0) {
    t -= std::log(rng.uniform01()) / lambda;
    const std::uint32_t key = keys.sample(rng);
    const bool hit = c.lookup(key, t) != nullptr;
    if (!hit) c.fill(key, t + ttl, 0, rng);
    if (t >= 100.0) {
      ++n;
      hits += hit;
    }
  }
  double exact = 0;
  for (std::uint32_t i = 0; i < keys.size(); ++i) {
    const double li = keys.probability(i) * lambda;
    exact += keys.probability(i) * li * ttl / (1.0 + li * ttl);
  }
  EXPECT_NEAR(static_cast<double>(hits) / n, exact, 0.02);
}

}  // namespace
}  // namespace capsim::net
