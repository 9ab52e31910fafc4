#pragma once
/// \file Closed-form hit ratios of a cache (`capsim analyze`): the fixed ratio, or for keyed
/// caches under the independent reference model (each lookup draws its key independently from
/// the popularity) Che's approximation for LRU, its counterpart for FIFO and random eviction,
/// the top keys for LFU, the renewal formula for a TTL, and the cold misses of an unlimited cache
/// over the measured time. docs/analytic-caches.md gives the formulas.

#include <string>
#include <vector>

#include "capsim/model/spec.hpp"

namespace capsim::analytic {

struct CacheHitEstimate {
  double hit_ratio = 0.0;
  std::vector<std::string> assumptions;
};

/// The hit ratio of `cache` with `lookups_rps` lookups per second (all replicas; a TTL's effect
/// depends on it), over the measured time [warmup_s, duration_s] where that matters (an
/// unlimited cache without TTL only misses each key's first lookup).
CacheHitEstimate cache_hit_ratio(const model::CacheSpec& cache, double lookups_rps, double warmup_s,
                                 double duration_s);

/// Che's characteristic time of an LRU cache of `capacity` entries over keys of probabilities
/// `p` (summing to 1), in lookups: the t with sum_i (1 - exp(-p_i t)) = capacity. Exposed for
/// tests.
double che_characteristic_lookups(const std::vector<double>& p, double capacity);

}  // namespace capsim::analytic
