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
    // Keyed by client: the request's client is the key, drawn already (Workloads).
    if (!spec.keyed_by_client) keys_.emplace(spec.key_count, spec.popularity, spec.zipf_exponent);
    store_.emplace(spec.key_count, spec.capacity, spec.eviction);
    preload();
    aside_locks_ = spec.called_aside && (spec.stampede == model::Stampede::coalesce ||
                                         spec.stampede == model::Stampede::reject);
  }
}

std::uint32_t Cache::draw_key(std::uint64_t origin, std::uint32_t client) const {
  if (spec_.keyed_by_client) return client;  // kNone: a request without a client
  sim::KeyedRandom rng(sim::derive_key(origin, kCacheLabel));
  return keys_->sample(rng);
}

Cache::Lookup Cache::lookup(Ref job, Job& j, double now, ServiceStats& stats) {
  bool hit;
  if (spec_.hit_ratio) {
    // The attempt's own draw (each lookup an independent trial, a retry's too): the same
    // request hits or misses in every variant.
    sim::KeyedRandom rng(sim::derive_key(j.key, kCacheLabel));
    hit = rng.uniform01() < *spec_.hit_ratio;
  } else {
    // A job that did not arrive (a fallback).
    if (!j.cache_key_drawn) j.cache_key = draw_key(j.origin, j.client);
    if (j.cache_key == kNone) [[unlikely]] {
      // Keyed by client, a request without one (a workload without clients, a queue's
      // consumer): nothing to look up, a miss that takes no lock and fills nothing.
      stats.cache_lookup(false);
      if (j.cache_aside) return Lookup::miss;
      j.cache_stage = CacheStage::fetching;
      j.started_s = now;
      return Lookup::fetch;
    }
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
  if (j.cache_aside) {
    if (!aside_locks_) return Lookup::miss;
    auto [it, fresh] = aside_.try_emplace(j.cache_key);
    AsideLock& lock = it->second;
    if (fresh) {
      // This miss takes the lock; its caller's on_miss job claims it (claim_lock).
      lock.since_s = now;
      return Lookup::miss;
    }
    // Held: a lapsed lock has been freed by its timer (lapse_lock), so this one is live.
    if (spec_.stampede == model::Stampede::reject) {
      stats.lock_rejected();
      return Lookup::reject;
    }
    stats.lock_waited();
    j.cache_stage = CacheStage::waiting;
    lock.waiting.push_back(job);
    return Lookup::wait;
  }
  if (store_ &&
      (spec_.stampede == model::Stampede::coalesce || spec_.stampede == model::Stampede::reject)) {
    auto [it, fresh] = waiting_.try_emplace(j.cache_key);
    Lock& lock = it->second;
    const bool lapsed = !fresh && spec_.lock_ttl_s && now - lock.since_s >= *spec_.lock_ttl_s;
    if (!fresh && !lapsed) {
      if (spec_.stampede == model::Stampede::reject) {
        stats.lock_rejected();
        return Lookup::reject;
      }
      // A fetch of this key is under way: wait for it instead of calling the backend.
      stats.lock_waited();
      j.cache_stage = CacheStage::waiting;
      lock.waiting.push_back(job);
      return Lookup::wait;
    }
    // This miss takes the lock (a lapsed one's waiters now wait for this fetch).
    if (lapsed) stats.lock_lapsed();
    lock.holder = job;
    lock.since_s = now;
  }
  j.cache_stage = CacheStage::fetching;
  j.started_s = now;  // the fetch's start, for early refresh's delta
  return Lookup::fetch;
}

std::vector<Ref> Cache::fetched(Ref job, const Job& j, double now) {
  std::vector<Ref> waiters;
  if (!store_ || j.cache_key == kNone) return waiters;
  if (!j.failed) {
    const double ttl = spec_.ttl_s.value_or(std::numeric_limits<double>::infinity());
    store_->fill(j.cache_key, now + ttl, now - j.started_s, rng_);
    filled(j.cache_key);
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
  if (!store_ || key == kNone) return;  // keyed by client, a request without one
  const double ttl = spec_.ttl_s.value_or(std::numeric_limits<double>::infinity());
  // The recomputation's length is early refresh's delta, as a fetch's is.
  store_->fill(key, now + ttl, now - began_s, rng_);
  filled(key);
}

void Cache::filled(std::uint32_t key) {
  if (aside_.empty()) return;
  const auto it = aside_.find(key);
  if (it == aside_.end()) return;
  // The waiters read the value now in the cache, whoever wrote it; the holder keeps the lock
  // until it ends.
  std::vector<Ref>& waiting = it->second.waiting;
  answered_.insert(answered_.end(), waiting.begin(), waiting.end());
  waiting.clear();
}

bool Cache::claim_lock(std::uint32_t key, Ref job) {
  if (!aside_locks_) return false;
  const auto it = aside_.find(key);
  if (it == aside_.end() || it->second.claimed) return false;
  it->second.holder = job;
  it->second.claimed = true;
  return true;
}

bool Cache::release_lock(std::uint32_t key, Ref job) {
  const auto it = aside_.find(key);
  if (it == aside_.end() || !it->second.claimed || it->second.holder.pack() != job.pack()) {
    return false;  // a holder whose lock lapsed releases nothing
  }
  it->second.claimed = false;
  it->second.holder = Ref{};
  return true;
}

bool Cache::lapse_lock(std::uint32_t key, double now, ServiceStats& stats) {
  const auto it = aside_.find(key);
  if (it == aside_.end() || !it->second.claimed || !spec_.lock_ttl_s) return false;
  // A timer of an earlier lock of this key (released, then taken again) is not this one's.
  if (it->second.since_s + *spec_.lock_ttl_s > now) return false;
  stats.lock_lapsed();
  it->second.claimed = false;
  it->second.holder = Ref{};
  return true;
}

std::optional<Ref> Cache::next_waiter(std::uint32_t key, double now) {
  const auto it = aside_.find(key);
  if (it == aside_.end()) return std::nullopt;
  AsideLock& lock = it->second;
  if (lock.waiting.empty()) {
    aside_.erase(it);
    return std::nullopt;
  }
  const Ref first = lock.waiting.front();
  lock.waiting.erase(lock.waiting.begin());
  lock.since_s = now;
  lock.claimed = false;
  return first;
}

std::int64_t Cache::refresh_keys() const {
  std::int64_t n = spec_.refresh->keys;
  if (spec_.capacity > 0) n = std::min(n, spec_.capacity);
  return n;
}

void Cache::refreshed(std::uint32_t key, double sent_s, double now) {
  const double expires =
      spec_.refresh->ttl_s ? now + *spec_.refresh->ttl_s : std::numeric_limits<double>::infinity();
  store_->fill(key, expires, now - sent_s, rng_);
  filled(key);
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
