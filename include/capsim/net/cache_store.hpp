#pragma once
/// \file The contents of a cache: which keys it holds, until when, and which it evicts.

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "capsim/model/spec.hpp"
#include "capsim/sim/random.hpp"

namespace capsim::net {

/// Draws keys 0..n-1 by popularity: Zipf (P(k) proportional to 1/(k+1)^s) or uniform.
/// Zipf keys come from rejection-inversion (Hörmann & Derflinger 1996, "Rejection-inversion to
/// generate variates from monotone discrete distributions"): O(1) expected uniforms per draw
/// (below 1.1 for every s >= 0) and no table, so a draw touches no memory beyond a few constants
/// however many keys there are. Uniform keys take one uniform each.
class KeySampler {
 public:
  KeySampler() = default;
  KeySampler(std::int64_t n, model::Popularity popularity, double zipf_exponent);
  /// One key, from as many uniforms of `rng` as the rejection step needs (one for uniform keys).
  template <class Rng>
  std::uint32_t sample(Rng& rng) const {
    if (uniform_) return from_uniform(rng.uniform01());
    for (;;) {
      const double u = h_integral_n_ + rng.uniform01() * (h_integral_x1_ - h_integral_n_);
      const double x = h_integral_inverse(u);
      double k = std::floor(x + 0.5);
      if (k < 1.0) k = 1.0;
      if (k > n_ranks_) k = n_ranks_;
      // Accept at once when x is close enough to k (the squeeze), else compare u with the
      // area left of k + 1/2 minus the bar of k.
      if (k - x <= squeeze_ || u >= h_integral(k + 0.5) - h(k)) {
        return static_cast<std::uint32_t>(k) - 1U;
      }
    }
  }
  /// The key for one uniform u in (0, 1) when keys are uniform.
  std::uint32_t from_uniform(double u) const;
  /// Probability of key k. The first call sums the n ranks' weights (O(n)); not thread-safe
  /// before that (each replication has its own sampler).
  double probability(std::uint32_t k) const;
  std::size_t size() const { return n_; }

 private:
  // Over ranks x >= 1 (key + 1): h(x) = x^-s, H(x) = integral of h from 1 to x, and its inverse.
  double h(double x) const { return std::exp(-exponent_ * std::log(x)); }
  // H(x) = (x^(1-s) - 1) / (1 - s), or log x when s = 1, written so that it is exact near s = 1.
  double h_integral(double x) const {
    const double log_x = std::log(x);
    return expm1_over_x((1.0 - exponent_) * log_x) * log_x;
  }
  double h_integral_inverse(double y) const {
    double t = y * (1.0 - exponent_);
    if (t < -1.0) t = -1.0;  // only rounding takes it there: beyond the supremum of H
    return std::exp(log1p_over_x(t) * y);
  }
  /// log(1 + x) / x, continuous at 0 (its series there keeps the precision log1p alone loses).
  static double log1p_over_x(double x) {
    if (std::abs(x) > 1e-8) return std::log1p(x) / x;
    return 1.0 - x * (0.5 - x / 3.0);
  }
  /// (exp(x) - 1) / x, continuous at 0.
  static double expm1_over_x(double x) {
    if (std::abs(x) > 1e-8) return std::expm1(x) / x;
    return 1.0 + x * (0.5 + x / 6.0);
  }

  std::size_t n_ = 0;
  bool uniform_ = true;
  double exponent_ = 0.0;
  double n_ranks_ = 0.0;        // n as a double
  double h_integral_x1_ = 0.0;  // H(3/2) - h(1): the lower end of the inverted range
  double h_integral_n_ = 0.0;   // H(n + 1/2)
  double squeeze_ = 0.0;        // 2 - H^-1(H(5/2) - h(2))
  /// Sum of h(x) over the n ranks, for probability(): computed on its first call (0: not yet).
  mutable double normaliser_ = 0.0;
};

/// Entries of keys in [0, key_count) with an expiry time each, at most `capacity` of them
/// (0: unlimited), evicted by LRU, LFU, FIFO or random choice. Memory is fixed by the key count
/// and the capacity.
class CacheStore {
 public:
  struct Entry {
    std::uint32_t key = 0;
    double expires_s = std::numeric_limits<double>::infinity();
    double fetch_s = 0.0;  ///< how long the fetch that filled it took (early refresh's delta)
  };

  CacheStore(std::int64_t key_count, std::int64_t capacity, model::Eviction eviction);

  /// The live entry for `key` at time t, or nullptr (an expired entry is removed). A hit counts
  /// as a use (LRU order, LFU frequency).
  const Entry* lookup(std::uint32_t key, double t);
  /// Inserts or refreshes `key`, evicting one entry first when full.
  void fill(std::uint32_t key, double expires_s, double fetch_s, sim::RandomStream& rng);
  void clear();
  std::size_t size() const { return used_; }
  /// Starts loading what a lookup of `key` some time later will read, so that it does not wait
  /// for memory (the index is 4 bytes a key, the entries tens of bytes: megabytes for 1M keys).
  /// A pipeline of three stages over the keys of successive calls: this key's slot of the index
  /// now; the previous key's entry (its index slot has arrived by now); the one before's LRU
  /// neighbours (its entry has arrived). A hint only: what it loads never changes a result.
  void prefetch(std::uint32_t key) {
    if (node_of_key_.empty()) return;  // no keys: nothing to look up
    const std::uint32_t n2 = node_of_key_[recent_keys_[1]];
    if (n2 != kNone && eviction_ == model::Eviction::lru) {  // only LRU relinks on a hit
      const Node& node = nodes_[n2];
      if (node.prev != kNone) __builtin_prefetch(&nodes_[node.prev]);
      if (node.next != kNone) __builtin_prefetch(&nodes_[node.next]);
    }
    const std::uint32_t n1 = node_of_key_[recent_keys_[0]];
    if (n1 != kNone) __builtin_prefetch(&nodes_[n1]);
    __builtin_prefetch(node_of_key_.data() + key);
    recent_keys_[1] = recent_keys_[0];
    recent_keys_[0] = key;
  }

 private:
  struct Node {
    Entry entry;
    std::uint32_t prev = kNone, next = kNone;  // LRU/FIFO list, most recent first
    std::uint64_t frequency = 0;               // LFU
    std::uint64_t last_use = 0;                // LFU tie-break: least recently used first
    std::uint32_t heap_pos = kNone;            // LFU heap, or position in dense_ (random)
  };
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  void remove(std::uint32_t node);
  std::uint32_t victim(sim::RandomStream& rng);
  void touch(std::uint32_t node);
  void link_front(std::uint32_t node);
  void unlink(std::uint32_t node);
  bool lfu_less(std::uint32_t a, std::uint32_t b) const;
  void heap_up(std::uint32_t pos);
  void heap_down(std::uint32_t pos);

  std::int64_t capacity_;
  model::Eviction eviction_;
  std::vector<std::uint32_t> node_of_key_;
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> free_;
  std::vector<std::uint32_t> order_;  // LFU: heap of nodes; random: dense list of nodes
  std::uint32_t head_ = kNone, tail_ = kNone;
  std::size_t used_ = 0;
  std::uint64_t clock_ = 0;
  /// The keys of the last two prefetch() calls (valid keys: 0 exists in every store).
  std::uint32_t recent_keys_[2] = {0, 0};
};

}  // namespace capsim::net
