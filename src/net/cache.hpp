#pragma once
/// \file A cache service's lookup: a fixed hit ratio, or keys drawn by popularity from a store
/// with capacity, eviction and TTL; on a miss the coordinator calls the backend, and concurrent
/// misses of one key may wait for one fetch (stampede: coalesce) or refresh early (XFetch).
/// A cache-aside lookup's miss is answered at once: its caller recomputes and writes back.

#include <cstdint>
#include <optional>
#include <unordered_map>
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

  enum class Lookup : std::uint8_t {
    hit,     ///< answer the request
    wait,    ///< a fetch of the key is under way: the job waits for it
    reject,  ///< a fetch of the key is under way: the job fails at once (stampede: reject)
    fetch,   ///< call the backend (the job's stage is now `fetching`)
    miss,    ///< cache-aside: answer the miss; the caller runs its on_miss steps
  };
  /// A job arrived for a lookup: draws its key now and starts loading the store's memory for it,
  /// so that the lookup after the job's work finds it in the processor's cache. The draw is the
  /// one lookup() would make (a function of the request's key alone): results do not change.
  void prepare(Job& j) {
    if (!store_) return;
    j.cache_key = draw_key(j);
    j.cache_key_drawn = true;
    store_->prefetch(j.cache_key);
  }
  /// Looks up the job's key at `now` (after its lookup work). A cache-aside lookup
  /// (j.cache_aside) never takes or waits for a miss lock: it hits or misses.
  Lookup lookup(Ref job, Job& j, double now, ServiceStats& stats);
  /// Cache-aside: the caller's on_miss steps for `key`, begun at `began_s`, wrote it back at
  /// `now` (keyed caches; a fixed hit ratio keeps nothing).
  void written_back(std::uint32_t key, double began_s, double now);
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
  /// The job's key: the request's own draw, so the same request looks up the same key in every
  /// variant of a model.
  std::uint32_t draw_key(const Job& j) const;

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
};

}  // namespace capsim::net
