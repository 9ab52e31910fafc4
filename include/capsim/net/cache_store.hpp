#pragma once
/// \file The contents of a cache: which keys it holds, until when, and which it evicts.

#include <cstdint>
#include <limits>
#include <vector>

#include "capsim/model/spec.hpp"
#include "capsim/sim/random.hpp"

namespace capsim::net {

/// Draws keys 0..n-1 by popularity: Zipf (P(k) proportional to 1/(k+1)^s) or uniform, with
/// Walker's alias method (Vose's construction): O(1) per draw from one uniform, whose integer
/// part picks a column and whose fraction decides between the column and its alias.
class KeySampler {
 public:
  KeySampler() = default;
  KeySampler(std::int64_t n, model::Popularity popularity, double zipf_exponent);
  std::uint32_t sample(sim::RandomStream& rng) const { return from_uniform(rng.uniform01()); }
  /// The key for one uniform u in (0, 1) (alias method: one uniform picks column and coin).
  std::uint32_t from_uniform(double u) const;
  /// Probability of key k.
  double probability(std::uint32_t k) const;
  std::size_t size() const { return n_; }

 private:
  std::size_t n_ = 0;
  bool uniform_ = true;
  std::vector<double> probability_;  // zipf only
  std::vector<double> threshold_;    // alias table: keep the column when the fraction < this
  std::vector<std::uint32_t> alias_;
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
};

}  // namespace capsim::net
