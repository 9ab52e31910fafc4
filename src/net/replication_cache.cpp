/// \file A cache service's jobs in the coordinator: the lookup after the job's work (hit, wait
/// for a fetch under way, reject, a cache-aside miss, or a fetch from the backend) and the fetch's
/// answer to the jobs that waited for it. docs/request-path.md describes caches; the event loop
/// (replication.cpp) calls these from Replication::advance (link-time optimisation inlines them
/// across the two files).

#include "replication.hpp"

namespace capsim::net {

void Replication::cache_step(Ref job, Job& j) {
  Service& s = services_[j.service];
  Cache& c = *s.cache;
  switch (j.cache_stage) {
    case CacheStage::lookup:
      if (j.op == model::DbOp::write) [[unlikely]] {
        finish(job, Outcome::success);  // a write (SET): its work done, no lookup
        return;
      }
      switch (c.lookup(job, j, clock_.now(), stats_.service(j.service))) {
        case Cache::Lookup::hit:
          finish(job, Outcome::success);
          return;
        case Cache::Lookup::wait:
          park(j);
          return;
        case Cache::Lookup::reject:
          finish(job, Outcome::rejected);  // another request holds the key's miss lock
          return;
        case Cache::Lookup::miss:
          aside_missed(job, j);
          return;
        case Cache::Lookup::fetch:
          if (c.backend().service == kNone) [[unlikely]] {
            finish(job, Outcome::error);  // no backend (the loader allows none only cache-aside)
            return;
          }
          j.pending = 1;
          // A read: the site's default.
          call_from(job, c.backend(), cache_fetch_key(j.key), cache_fetch_key(j.origin));
          return;
      }
      return;
    case CacheStage::fetching:
      cache_fetched(job, j);
      return;
    case CacheStage::waiting:
      finish(job, j.failed ? Outcome::error : Outcome::success);
      return;
  }
}

void Replication::park(Job& j) {
  Service& s = services_[j.service];
  Replica& r = s.replicas[j.replica];
  // Its worker goes to the next queued job: a waiting client holds no server thread, so the
  // holder's write-back (cache-aside) always finds a worker, however many wait.
  Station::park(r);
  j.parked = true;
  give_back_worker(s, r, j);
}

void Replication::cache_fetched(Ref job, Job& j) {
  Cache& c = *services_[j.service].cache;
  for (const Ref w : c.fetched(job, j, clock_.now())) {
    if (Job* waiter = jobs_.get(w)) {
      waiter->failed = j.failed;
      // Not through drain's failure path: a waiting job answers like a fetched one.
      ready_.push_back(w);
    }
  }
  if (c.aside_locks()) answer_aside(c);
  finish(job, j.failed ? Outcome::error : Outcome::success);
}

// ---------------------------------------------------------------------------------------------
// Cache-aside locks (docs/request-path.md#stampede-locks-for-cache-aside).

void Replication::aside_missed(Ref job, Job& j) {
  const std::uint32_t service = j.service;
  const std::uint32_t key = j.cache_key;
  // The caller hears of the miss and runs its on_miss steps: its on_miss job starts within
  // this finish() (call_complete, start_on_miss) and claims the key's lock.
  calls_.cache_missed(j.parent, j.parent_attempt, key);
  finish(job, Outcome::success);
  Cache& c = *services_[service].cache;
  if (c.aside_locks() && c.unclaimed(key)) aside_handover(service, key);  // its caller is gone
}

void Replication::aside_handover(std::uint32_t service, std::uint32_t key) {
  Cache& c = *services_[service].cache;
  while (const std::optional<Ref> w = c.next_waiter(key, clock_.now())) {
    Job* waiter = jobs_.get(*w);
    if (waiter == nullptr) continue;  // its replica crashed
    // The waiter's lookup is answered as the miss it was: its caller now recomputes.
    calls_.cache_missed(waiter->parent, waiter->parent_attempt, key);
    finish(*w, Outcome::success);
    if (!c.unclaimed(key)) return;
  }
}

void Replication::aside_done(Ref job, const Job& j, Outcome outcome) {
  const std::uint32_t service = j.aside_cache;
  const std::uint32_t key = j.cache_key;
  Cache& c = *services_[service].cache;
  if (outcome == Outcome::success && j.aside_fills) {
    c.written_back(key, j.arrived_s, clock_.now());
    answer_aside(c);
  }
  if (c.aside_locks() && c.release_lock(key, job)) aside_handover(service, key);
}

void Replication::answer_aside(Cache& c) {
  for (const Ref w : c.take_answered()) {
    // Not through drain's failure path: the waiter reads the value now in the cache.
    if (Job* waiter = jobs_.get(w)) {
      waiter->failed = false;
      ready_.push_back(w);
    }
  }
}

}  // namespace capsim::net
