#include "capsim/net/cache_store.hpp"

#include <algorithm>
#include <cmath>

namespace capsim::net {

KeySampler::KeySampler(std::int64_t n, model::Popularity popularity, double zipf_exponent)
    : n_(static_cast<std::size_t>(n)),
      uniform_(popularity == model::Popularity::uniform),
      exponent_(zipf_exponent),
      n_ranks_(static_cast<double>(n)) {
  if (uniform_) return;
  h_integral_x1_ = h_integral(1.5) - 1.0;
  h_integral_n_ = h_integral(n_ranks_ + 0.5);
  squeeze_ = 2.0 - h_integral_inverse(h_integral(2.5) - h(2.0));
}

std::uint32_t KeySampler::from_uniform(double u) const {
  const double x = u * static_cast<double>(n_);
  return static_cast<std::uint32_t>(std::min(n_ - 1, static_cast<std::size_t>(x)));
}

double KeySampler::probability(std::uint32_t k) const {
  if (uniform_) return 1.0 / static_cast<double>(n_);
  if (normaliser_ == 0.0) {
    // On first use (the simulation never asks: a million exp and log per replication saved).
    // Summed from the smallest terms up, for precision.
    double sum = 0.0;
    for (std::size_t i = n_; i >= 1; --i) sum += h(static_cast<double>(i));
    normaliser_ = sum;
  }
  return h(static_cast<double>(k) + 1.0) / normaliser_;
}

CacheStore::CacheStore(std::int64_t key_count, std::int64_t capacity, model::Eviction eviction)
    : capacity_(capacity),
      eviction_(eviction),
      node_of_key_(static_cast<std::size_t>(key_count), kNone) {
  const std::size_t reserve = static_cast<std::size_t>(
      capacity > 0 ? std::min(capacity, key_count) : std::min<std::int64_t>(key_count, 1 << 16));
  nodes_.reserve(reserve);
}

void CacheStore::link_front(std::uint32_t n) {
  Node& node = nodes_[n];
  node.prev = kNone;
  node.next = head_;
  if (head_ != kNone) nodes_[head_].prev = n;
  head_ = n;
  if (tail_ == kNone) tail_ = n;
}

void CacheStore::unlink(std::uint32_t n) {
  Node& node = nodes_[n];
  if (node.prev != kNone) {
    nodes_[node.prev].next = node.next;
  } else {
    head_ = node.next;
  }
  if (node.next != kNone) {
    nodes_[node.next].prev = node.prev;
  } else {
    tail_ = node.prev;
  }
  node.prev = node.next = kNone;
}

bool CacheStore::lfu_less(std::uint32_t a, std::uint32_t b) const {
  const Node& x = nodes_[a];
  const Node& y = nodes_[b];
  return x.frequency < y.frequency || (x.frequency == y.frequency && x.last_use < y.last_use);
}

void CacheStore::heap_up(std::uint32_t pos) {
  const std::uint32_t n = order_[pos];
  while (pos > 0) {
    const std::uint32_t parent = (pos - 1) / 2;
    if (!lfu_less(n, order_[parent])) break;
    order_[pos] = order_[parent];
    nodes_[order_[pos]].heap_pos = pos;
    pos = parent;
  }
  order_[pos] = n;
  nodes_[n].heap_pos = pos;
}

void CacheStore::heap_down(std::uint32_t pos) {
  const std::uint32_t n = order_[pos];
  const auto size = static_cast<std::uint32_t>(order_.size());
  while (true) {
    std::uint32_t child = 2 * pos + 1;
    if (child >= size) break;
    if (child + 1 < size && lfu_less(order_[child + 1], order_[child])) ++child;
    if (!lfu_less(order_[child], n)) break;
    order_[pos] = order_[child];
    nodes_[order_[pos]].heap_pos = pos;
    pos = child;
  }
  order_[pos] = n;
  nodes_[n].heap_pos = pos;
}

void CacheStore::touch(std::uint32_t n) {
  Node& node = nodes_[n];
  node.last_use = ++clock_;
  switch (eviction_) {
    case model::Eviction::lru:
      unlink(n);
      link_front(n);
      break;
    case model::Eviction::lfu:
      ++node.frequency;
      heap_down(node.heap_pos);
      break;
    case model::Eviction::fifo:
    case model::Eviction::random:
      break;
  }
}

void CacheStore::remove(std::uint32_t n) {
  Node& node = nodes_[n];
  switch (eviction_) {
    case model::Eviction::lru:
    case model::Eviction::fifo:
      unlink(n);
      break;
    case model::Eviction::lfu:
    case model::Eviction::random: {
      // Swap with the last slot of `order_`, then restore the heap (LFU) at that position.
      const std::uint32_t pos = node.heap_pos;
      const std::uint32_t last = order_.back();
      order_.pop_back();
      if (last != n) {
        order_[pos] = last;
        nodes_[last].heap_pos = pos;
        if (eviction_ == model::Eviction::lfu) {
          heap_down(pos);
          heap_up(nodes_[last].heap_pos);
        }
      }
      break;
    }
  }
  node_of_key_[node.entry.key] = kNone;
  node.heap_pos = kNone;
  free_.push_back(n);
  --used_;
}

std::uint32_t CacheStore::victim(sim::RandomStream& rng) {
  switch (eviction_) {
    case model::Eviction::lru:
    case model::Eviction::fifo:
      return tail_;
    case model::Eviction::lfu:
      return order_.front();
    case model::Eviction::random:
      return order_[rng.below(order_.size())];
  }
  return tail_;
}

const CacheStore::Entry* CacheStore::lookup(std::uint32_t key, double t) {
  const std::uint32_t n = node_of_key_[key];
  if (n == kNone) return nullptr;
  if (nodes_[n].entry.expires_s <= t) {
    remove(n);
    return nullptr;
  }
  touch(n);
  return &nodes_[n].entry;
}

void CacheStore::fill(std::uint32_t key, double expires_s, double fetch_s, sim::RandomStream& rng) {
  std::uint32_t n = node_of_key_[key];
  if (n != kNone) {
    // A refresh (or a second fetch of the same key): new expiry, counts as a use.
    nodes_[n].entry.expires_s = expires_s;
    nodes_[n].entry.fetch_s = fetch_s;
    touch(n);
    return;
  }
  if (capacity_ > 0 && static_cast<std::int64_t>(used_) >= capacity_) remove(victim(rng));
  if (!free_.empty()) {
    n = free_.back();
    free_.pop_back();
  } else {
    n = static_cast<std::uint32_t>(nodes_.size());
    nodes_.emplace_back();
  }
  Node& node = nodes_[n];
  node = Node{};
  node.entry = Entry{key, expires_s, fetch_s};
  node.last_use = ++clock_;
  node.frequency = 1;
  node_of_key_[key] = n;
  ++used_;
  switch (eviction_) {
    case model::Eviction::lru:
    case model::Eviction::fifo:
      link_front(n);
      break;
    case model::Eviction::lfu:
      order_.push_back(n);
      node.heap_pos = static_cast<std::uint32_t>(order_.size() - 1);
      heap_up(node.heap_pos);
      break;
    case model::Eviction::random:
      order_.push_back(n);
      node.heap_pos = static_cast<std::uint32_t>(order_.size() - 1);
      break;
  }
}

void CacheStore::clear() {
  std::fill(node_of_key_.begin(), node_of_key_.end(), kNone);
  nodes_.clear();
  free_.clear();
  order_.clear();
  head_ = tail_ = kNone;
  used_ = 0;
}

}  // namespace capsim::net
