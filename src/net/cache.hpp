#pragma once
/// \file A cache service's lookup: a fixed hit ratio, or keys drawn by popularity from a store
/// with capacity, eviction and TTL; on a miss the coordinator calls the backend, and concurrent
/// misses of one key may wait for one fetch (stampede: coalesce) or refresh early (XFetch).
/// A cache-aside lookup's miss is answered at once: its caller recomputes and writes back; with
/// stampede coalesce or reject the miss takes the key's lock, which its caller's on_miss job then
/// holds. A periodic refresh rewrites the hottest keys from the backend.

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "capsim/model/spec.hpp"
#include "capsim/net/cache_store.hpp"
#include "capsim/sim/random.hpp"
#include "job.hpp"
#include "program.hpp"
#include "service_stats.hpp"

namespace capsim::net {

/// The random-number key of the backend call that a job's miss makes.
std::uint64_t cache_fetch_key(std::uint64_t job_key);

class Cache {
 public:
  Cache(const model::CacheSpec& spec, CallSite backend, sim::RandomStream rng);

  const CallSite& backend() const { return backend_; }
  const model::CacheSpec& spec() const { return spec_; }

  enum class Lookup : std::uint8_t {
    hit,     ///< answer the request
    wait,    ///< a fetch of the key is under way: the job waits for it
    reject,  ///< a fetch of the key is under way: the job fails at once (stampede: reject)
    fetch,   ///< call the backend (the job's stage is now `fetching`)
    miss,    ///< cache-aside: answer the miss; the caller runs its on_miss steps
  };
  /// A job arrived for a lookup: draws its key now and starts loading the store's memory for it,
  /// so that the lookup after the job's work finds it in the processor's cache. The draw is the
  /// one lookup() would make (a function of the request's origin alone): results do not change.
  void prepare(Job& j) {
    if (!store_) return;
    j.cache_key = draw_key(j.origin, j.client);
    j.cache_key_drawn = true;
    if (j.cache_key != kNone) store_->prefetch(j.cache_key);
  }
  /// Looks up the job's key at `now` (after its lookup work). A cache-aside lookup
  /// (j.cache_aside) that misses takes the key's aside lock when the cache has locks (stampede
  /// coalesce or reject) and the lock is free; when it is held the lookup waits (coalesce) or is
  /// rejected. Without locks it hits or misses.
  Lookup lookup(Ref job, Job& j, double now, ServiceStats& stats);
  /// Cache-aside: the caller's on_miss steps for `key`, begun at `began_s`, wrote it back at
  /// `now` (keyed caches; a fixed hit ratio keeps nothing).
  void written_back(std::uint32_t key, double began_s, double now);

  // Cache-aside locks (docs/request-path.md#stampede-locks-for-cache-aside). A miss that takes
  // a key's lock leaves it unclaimed; its caller's on_miss job claims it at once (the same
  // event). A lock is released when its holder ends, or lapses lock_ttl after it was taken.
  bool aside_locks() const { return aside_locks_; }
  /// The on_miss job `job` of the miss that has just taken `key`'s lock holds it now: true when
  /// there was such a lock to claim.
  bool claim_lock(std::uint32_t key, Ref job);
  /// True when `key`'s lock was taken by a miss and nobody claimed it (its caller is gone): it
  /// is then free (hand it over with next_waiter()).
  bool unclaimed(std::uint32_t key) const {
    const auto it = aside_.find(key);
    return it != aside_.end() && !it->second.claimed;
  }
  /// `job`, an on_miss job, has ended: true when it held `key`'s lock, which is now free.
  bool release_lock(std::uint32_t key, Ref job);
  /// The lock timer of `key` fired at `now`: true when the lock lapsed (its holder no longer
  /// holds it) and is now free.
  bool lapse_lock(std::uint32_t key, double now, ServiceStats& stats);
  /// `key`'s lock is free: its first waiter takes it (unclaimed, since `now`; answer it as a
  /// miss, then check unclaimed() again), or, with nobody waiting, the lock ends (nullopt).
  std::optional<Ref> next_waiter(std::uint32_t key, double now);
  /// The cache-aside lookups that waited for a key that has since been filled: answer them as
  /// hits. Empties the list.
  std::vector<Ref> take_answered() { return std::exchange(answered_, {}); }

  /// A periodic refresh run starts: its number (0 first).
  std::uint64_t next_refresh_run() { return refresh_runs_++; }
  /// How many keys a refresh run queries: the refresh's keys, at most the capacity.
  std::int64_t refresh_keys() const;
  /// The refresh's query for `key`, sent at `sent_s`, answered successfully at `now`: the key is
  /// (re)written with the refresh's expiry.
  void refreshed(std::uint32_t key, double sent_s, double now);
  /// The backend answered the job's fetch: fills the store unless it failed, and returns the jobs
  /// that waited for this key (coalesce), to be answered like this one.
  /// Only the fetch that holds the key's lock releases it (another, whose lock lapsed after
  /// lock_ttl, fills the store and answers nobody).
  std::vector<Ref> fetched(Ref job, const Job& j, double now);
  /// A cache_flush fault: the store empties.
  void flush() {
    if (store_) store_->clear();
  }

 private:
  /// Fills `preload_keys` of the hottest keys at t = 0.
  void preload();
  /// A lookup's key: the draw keyed by `origin`, the job's Job::origin (the request's, the same
  /// for every attempt of it at every level: a retry asks for the same key; and the same in every
  /// variant of a model); keyed by client, `client` (kNone: a request without one).
  std::uint32_t draw_key(std::uint64_t origin, std::uint32_t client) const;

  const model::CacheSpec& spec_;
  CallSite backend_;
  std::optional<KeySampler> keys_;
  std::optional<CacheStore> store_;
  sim::RandomStream rng_;
  /// A key's miss lock (stampede coalesce or reject): the fetch that holds it, since when, and
  /// (coalesce) the jobs waiting for it.
  struct Lock {
    Ref holder;
    double since_s = 0.0;
    std::vector<Ref> waiting;
  };
  std::unordered_map<std::uint32_t, Lock> waiting_;
  /// A key's cache-aside lock: its holder (an on_miss job; none while unclaimed), since when,
  /// and (coalesce) the cache-aside lookups waiting for the key.
  struct AsideLock {
    Ref holder;
    bool claimed = false;
    double since_s = 0.0;
    std::vector<Ref> waiting;
  };
  /// The key was filled: its aside waiters are answered.
  void filled(std::uint32_t key);
  bool aside_locks_ = false;
  std::unordered_map<std::uint32_t, AsideLock> aside_;
  std::vector<Ref> answered_;
  std::uint64_t refresh_runs_ = 0;
};

}  // namespace capsim::net
