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
          return;
        case Cache::Lookup::reject:
          finish(job, Outcome::rejected);  // another request holds the key's miss lock
          return;
        case Cache::Lookup::miss:
          // Cache-aside: the caller hears of the miss and runs its on_miss steps.
          calls_.cache_missed(j.parent, j.parent_attempt, j.cache_key);
          finish(job, Outcome::success);
          return;
        case Cache::Lookup::fetch:
          if (c.backend().service == kNone) [[unlikely]] {
            finish(job, Outcome::error);  // no backend (the loader allows none only cache-aside)
            return;
          }
          j.pending = 1;
          call_from(job, c.backend(), cache_fetch_key(j.key));  // a read: the site's default
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

void Replication::cache_fetched(Ref job, Job& j) {
  Cache& c = *services_[j.service].cache;
  for (const Ref w : c.fetched(job, j, clock_.now())) {
    if (Job* waiter = jobs_.get(w)) {
      waiter->failed = j.failed;
      // Not through drain's failure path: a waiting job answers like a fetched one.
      ready_.push_back(w);
    }
  }
  finish(job, j.failed ? Outcome::error : Outcome::success);
}

}  // namespace capsim::net
