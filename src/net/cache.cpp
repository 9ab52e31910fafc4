#include "cache.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace capsim::net {

namespace {
/// The label of a job's cache draws among its keyed draws (2 step: work; 2 step + 1: calls).
constexpr std::uint64_t kCacheLabel = std::numeric_limits<std::uint64_t>::max() - 8;
}  // namespace

Cache::Cache(const model::CacheSpec& spec, CallSite backend, sim::RandomStream rng)
    : spec_(spec), backend_(std::move(backend)), rng_(rng) {
  if (!spec.hit_ratio) {
    keys_.emplace(spec.key_count, spec.popularity, spec.zipf_exponent);
    store_.emplace(spec.key_count, spec.capacity, spec.eviction);
    preload();
  }
}

std::uint32_t Cache::draw_key(const Job& j) const {
  sim::KeyedRandom rng(sim::derive_key(j.key, kCacheLabel));
  return keys_->sample(rng);
}

Cache::Lookup Cache::lookup(Ref job, Job& j, double now, ServiceStats& stats) {
  bool hit;
  if (spec_.hit_ratio) {
    // The request's own draw: the same request hits or misses in every variant.
    sim::KeyedRandom rng(sim::derive_key(j.key, kCacheLabel));
    hit = rng.uniform01() < *spec_.hit_ratio;
  } else {
    if (!j.cache_key_drawn) j.cache_key = draw_key(j);  // a job that did not arrive (a fallback)
    const CacheStore::Entry* e = store_->lookup(j.cache_key, now);
    hit = e != nullptr;
    if (hit && spec_.stampede == model::Stampede::early_refresh) {
      // XFetch (Vattani et al.): refresh early with a probability that grows as the expiry
      // nears, scaled by how long a fetch takes.
      const double gap = -e->fetch_s * spec_.early_refresh_beta * std::log(rng_.uniform01());
      if (now + gap >= e->expires_s) hit = false;
    }
  }
  stats.cache_lookup(hit);
  if (hit) return Lookup::hit;
  if (j.cache_aside) return Lookup::miss;
  if (store_ &&
      (spec_.stampede == model::Stampede::coalesce || spec_.stampede == model::Stampede::reject)) {
    auto [it, fresh] = waiting_.try_emplace(j.cache_key);
    Lock& lock = it->second;
    const bool lapsed = !fresh && spec_.lock_ttl_s && now - lock.since_s >= *spec_.lock_ttl_s;
    if (!fresh && !lapsed) {
      if (spec_.stampede == model::Stampede::reject) return Lookup::reject;
      // A fetch of this key is under way: wait for it instead of calling the backend.
      j.cache_stage = CacheStage::waiting;
      lock.waiting.push_back(job);
      return Lookup::wait;
    }
    // This miss takes the lock (a lapsed one's waiters now wait for this fetch).
    lock.holder = job;
    lock.since_s = now;
  }
  j.cache_stage = CacheStage::fetching;
  j.started_s = now;  // the fetch's start, for early refresh's delta
  return Lookup::fetch;
}

std::vector<Ref> Cache::fetched(Ref job, const Job& j, double now) {
  std::vector<Ref> waiters;
  if (!store_) return waiters;
  if (!j.failed) {
    const double ttl = spec_.ttl_s.value_or(std::numeric_limits<double>::infinity());
    store_->fill(j.cache_key, now + ttl, now - j.started_s, rng_);
  }
  if (spec_.stampede == model::Stampede::coalesce || spec_.stampede == model::Stampede::reject) {
    auto it = waiting_.find(j.cache_key);
    if (it != waiting_.end() && it->second.holder.pack() == job.pack()) {
      waiters = std::move(it->second.waiting);
      waiting_.erase(it);
    }
  }
  return waiters;
}

void Cache::written_back(std::uint32_t key, double began_s, double now) {
  if (!store_) return;
  const double ttl = spec_.ttl_s.value_or(std::numeric_limits<double>::infinity());
  // The recomputation's length is early refresh's delta, as a fetch's is.
  store_->fill(key, now + ttl, now - began_s, rng_);
}

void Cache::preload() {
  // The hottest keys (rank 0 first), at most what the store holds, filled coldest first so that
  // under LRU the hottest are the most recently used.
  std::int64_t n = spec_.preload_keys;
  if (spec_.capacity > 0) n = std::min(n, spec_.capacity);
  const double ttl = spec_.ttl_s.value_or(std::numeric_limits<double>::infinity());
  for (std::int64_t k = n - 1; k >= 0; --k) {
    store_->fill(static_cast<std::uint32_t>(k), ttl, 0.0, rng_);
  }
}

/// The key of the backend call of a job's miss.
std::uint64_t cache_fetch_key(std::uint64_t job_key) {
  return sim::derive_key(job_key, kCacheLabel + 1);
}

}  // namespace capsim::net
