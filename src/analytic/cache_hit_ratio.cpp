/// \file Closed-form cache hit ratios (cache_hit_ratio.hpp).

#include "capsim/analytic/cache_hit_ratio.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include "analysis_graph.hpp"

namespace capsim::analytic {

namespace {

using detail::num;

/// Keys grouped by popularity: the hottest one by one, the long tail in runs of keys whose
/// probabilities differ by under 0.1% (so that 10 million keys cost about ten thousand terms).
struct KeyGroup {
  double p = 0.0;      ///< the probability of each key of the group
  double count = 0.0;  ///< keys in the group
  double first = 0.0;  ///< rank of its first key (0: the hottest)
};

std::vector<KeyGroup> key_groups(const model::CacheSpec& c) {
  std::vector<KeyGroup> groups;
  const auto n = static_cast<double>(c.key_count);
  if (c.popularity == model::Popularity::uniform || c.zipf_exponent == 0.0) {
    groups.push_back({1.0 / n, n, 0.0});
    return groups;
  }
  const double s = c.zipf_exponent;
  double total = 0.0;
  double i = 1.0;  // rank from 1: P(i) proportional to i^-s
  while (i <= n) {
    double last = i;
    if (i > 2000.0) last = std::min(n, std::floor(i * std::pow(1.001, 1.0 / s)));
    const double count = last - i + 1.0;
    // The group's mean weight, at its middle rank (the weights vary by under 0.1% across it).
    const double w = std::pow((i + last) / 2.0, -s);
    groups.push_back({w, count, i - 1.0});
    total += w * count;
    i = last + 1.0;
  }
  for (KeyGroup& g : groups) g.p /= total;
  return groups;
}

/// The t solving sum over groups of count x occupancy(p t) = capacity, by bisection on log t.
double solve_characteristic(const std::vector<KeyGroup>& groups, double capacity,
                            const std::function<double(double)>& occupancy) {
  const auto filled = [&](double t) {
    double sum = 0.0;
    for (const KeyGroup& g : groups) sum += g.count * occupancy(g.p * t);
    return sum;
  };
  double lo = 1e-9, hi = 1.0;
  while (filled(hi) < capacity && hi < 1e300) hi *= 2.0;
  for (int k = 0; k < 200 && hi / lo > 1.0 + 1e-12; ++k) {
    const double mid = std::sqrt(lo * hi);
    (filled(mid) < capacity ? lo : hi) = mid;
  }
  return std::sqrt(lo * hi);
}

double lru_occupancy(double x) {
  return -std::expm1(-x);
}
double fifo_occupancy(double x) {
  return x / (1.0 + x);
}

}  // namespace

double che_characteristic_lookups(const std::vector<double>& p, double capacity) {
  std::vector<KeyGroup> groups;
  for (std::size_t i = 0; i < p.size(); ++i) groups.push_back({p[i], 1.0, static_cast<double>(i)});
  return solve_characteristic(groups, capacity, lru_occupancy);
}

CacheHitEstimate cache_hit_ratio(const model::CacheSpec& c, double lookups_rps, double warmup_s,
                                 double duration_s) {
  CacheHitEstimate out;
  if (c.hit_ratio) {
    out.hit_ratio = *c.hit_ratio;
    out.assumptions.push_back("fixed hit_ratio " + num(*c.hit_ratio) +
                              ": misses go to the backend with probability " +
                              num(1.0 - *c.hit_ratio));
    return out;
  }
  const std::vector<KeyGroup> groups = key_groups(c);
  const auto n = static_cast<double>(c.key_count);
  const bool limited = c.capacity > 0 && static_cast<double>(c.capacity) < n;
  const double capacity = static_cast<double>(c.capacity);
  out.assumptions.push_back(
      "independent reference model: each lookup's key drawn independently from the " +
      std::string(c.popularity == model::Popularity::uniform ? "uniform" : "Zipf") +
      " popularity over " + num(n) + " keys");
  const double lambda = std::max(lookups_rps, 0.0);
  // Per key, the hit probability; the hit ratio is its mean weighted by popularity (PASTA).
  double hit = 0.0;
  if (!limited && !c.ttl_s) {
    // Unlimited and never expiring: a key misses only on its first lookup (or never when
    // preloaded). Over the measured time, key i's first lookup falls in it with probability
    // exp(-lambda_i w) - exp(-lambda_i D).
    const double measured = duration_s - warmup_s;
    double misses = 0.0;
    for (const KeyGroup& g : groups) {
      const double preloaded =
          std::clamp(static_cast<double>(c.preload_keys) - g.first, 0.0, g.count);
      const double li = lambda * g.p;
      misses += (g.count - preloaded) * (std::exp(-li * warmup_s) - std::exp(-li * duration_s));
    }
    hit = lambda > 0.0 && measured > 0.0 ? 1.0 - misses / (lambda * measured) : 0.0;
    out.assumptions.push_back(
        "unlimited capacity, no ttl: only each key's first lookup misses (cold misses over the "
        "measured time)");
  } else if (!limited) {
    // TTL set on fill, no eviction: after a miss the key hits until the ttl runs out; the next
    // lookup misses. Renewal per key: hit probability lambda_i ttl / (1 + lambda_i ttl).
    for (const KeyGroup& g : groups) hit += g.count * g.p * fifo_occupancy(lambda * g.p * *c.ttl_s);
    out.assumptions.push_back(
        "ttl on fill: per key hit probability lambda_i ttl / (1 + lambda_i "
        "ttl), steady state (cold start ignored)");
  } else if (c.eviction == model::Eviction::lfu) {
    // Perfect LFU under the independent reference model holds the `capacity` hottest keys.
    double left = capacity;
    for (const KeyGroup& g : groups) {
      const double kept = std::min(left, g.count);
      hit += kept * g.p;
      left -= kept;
      if (left <= 0.0) break;
    }
    out.assumptions.push_back("lfu: the " + num(capacity) +
                              " most popular keys held (perfect LFU, steady state)");
  } else {
    const bool lru = c.eviction == model::Eviction::lru;
    const auto occupancy = lru ? lru_occupancy : fifo_occupancy;
    const double t = solve_characteristic(groups, capacity, occupancy);
    for (const KeyGroup& g : groups) {
      double h = occupancy(g.p * t);
      if (c.ttl_s) h = std::min(h, fifo_occupancy(lambda * g.p * *c.ttl_s));
      hit += g.count * g.p * h;
    }
    out.assumptions.push_back(
        lru ? "lru: Che's approximation (characteristic time " + num(t) + " lookups), steady state"
            : std::string(c.eviction == model::Eviction::fifo ? "fifo" : "random") +
                  " eviction: occupancy p t / (1 + p t) per key (Fricker, Robert and Roberts "
                  "2012), steady state");
    if (c.ttl_s) {
      out.assumptions.push_back(
          "ttl and capacity together: per key the smaller of the two hit "
          "probabilities (approximate)");
    }
  }
  if (c.stampede != model::Stampede::none) {
    out.assumptions.push_back(
        "stampede protection ignored: every miss counted as one backend "
        "call");
  }
  out.hit_ratio = std::clamp(hit, 0.0, 1.0);
  return out;
}

}  // namespace capsim::analytic
