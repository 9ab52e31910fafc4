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

/// Rejection-inversion must draw exactly the Zipf pmf P(k) = (k+1)^-s / sum_j (j+1)^-s: a
/// chi-square test of 10^6 draws (fixed seed) over the 100 head keys one by one and the tail in
/// decades (104 bins, 103 degrees of freedom; the 0.999 quantile is about 153), for exponents
/// below, at and above 1 and for 0 (every key equally likely through the Zipf path).
TEST(KeySampler, RejectionInversionMatchesZipfPmfChiSquare) {
  constexpr std::uint32_t kKeys = 100000;
  constexpr int kDraws = 1000000;
  for (const double s : {0.0, 0.6, 0.9, 1.0, 1.5}) {
    const KeySampler keys(kKeys, model::Popularity::zipf, s);
    // Bins: keys 0..99, then [100, 1000), [1000, 10000), [10000, 100000).
    auto bin_of = [](std::uint32_t k) -> std::size_t {
      if (k < 100) return k;
      if (k < 1000) return 100;
      if (k < 10000) return 101;
      return 102;
    };
    std::vector<double> expected(103, 0.0);
    double total = 0.0;
    for (std::uint32_t k = 0; k < kKeys; ++k) total += std::pow(k + 1.0, -s);
    for (std::uint32_t k = 0; k < kKeys; ++k) {
      expected[bin_of(k)] += kDraws * std::pow(k + 1.0, -s) / total;
    }
    std::vector<double> observed(103, 0.0);
    sim::RandomStream rng(2026);
    for (int i = 0; i < kDraws; ++i) {
      const std::uint32_t k = keys.sample(rng);
      ASSERT_LT(k, kKeys);
      observed[bin_of(k)] += 1.0;
    }
    double chi2 = 0.0;
    for (std::size_t b = 0; b < expected.size(); ++b) {
      ASSERT_GT(expected[b], 5.0) << "bin " << b;
      chi2 += (observed[b] - expected[b]) * (observed[b] - expected[b]) / expected[b];
    }
    EXPECT_LT(chi2, 153.0) << "s = " << s;
    // probability() is the same normalised pmf.
    EXPECT_NEAR(keys.probability(0), 1.0 / total, 1e-12);
    EXPECT_NEAR(keys.probability(kKeys - 1), std::pow(kKeys, -s) / total, 1e-15);
  }
}

/// With one key, or a huge exponent, every draw is key 0; draws never leave [0, n).
TEST(KeySampler, RejectionInversionEdgeCases) {
  sim::RandomStream rng(5);
  const KeySampler one(1, model::Popularity::zipf, 0.9);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(one.sample(rng), 0U);
  const KeySampler steep(1000, model::Popularity::zipf, 60.0);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(steep.sample(rng), 0U);
  const KeySampler two(2, model::Popularity::zipf, 1.0);
  int zeros = 0;
  for (int i = 0; i < 300000; ++i) zeros += two.sample(rng) == 0;
  EXPECT_NEAR(zeros / 300000.0, 2.0 / 3.0, 0.003);  // P(0) = 1 / (1 + 1/2)
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
