#pragma once
/// \file A job: one attempt of a request at one service (or one branch of a parallel step), and
/// the intrusive FIFO that queues jobs for a worker or a core.

#include <cstdint>

#include "capsim/model/spec.hpp"
#include "pool.hpp"
#include "program.hpp"

namespace capsim::net {

/// A job's parent: the call whose attempt it serves, or (for a branch of a parallel step) the job
/// that forked it, or (a consumer's job) the queue message it processes.
enum class ParentKind : std::uint8_t { call, job, message };

/// Where a cache job is after its lookup work.
enum class CacheStage : std::uint8_t { lookup, fetching, waiting };

struct Job {
  std::uint32_t generation = 1;
  std::uint32_t next_free = kNone;
  bool live = false;
  /// An on_miss job with aside_cache set: it writes back (its success fills the key); without
  /// it the job only holds the key's aside lock.
  bool aside_fills = false;
  /// A cache-aside miss's on_miss job that writes back or holds the key's aside lock: the cache
  /// whose `cache_key` it concerns (kNone: none).
  std::uint32_t aside_cache = kNone;
  const Steps* steps = nullptr;
  std::uint32_t service = kNone;  ///< kNone: a branch of a parallel step (holds no worker)
  std::uint32_t replica = kNone;
  std::uint32_t step = 0;
  bool calls_drawn = false;     ///< the current call step has drawn its count (calls_left)
  std::int64_t calls_left = 0;  ///< calls of the current call step still to send
  std::uint32_t pending = 0;    ///< calls issued and not yet answered
  std::uint32_t next_in_queue = kNone;
  bool failed = false;
  bool holds_worker = false;
  /// A cache lookup waiting for another's fetch or write-back of its key (stampede coalesce):
  /// it holds no worker, core or memory of its replica (a client waits on its own side), and
  /// a crash of the replica does not lose it (Replication::park).
  bool parked = false;
  bool degraded = false;         ///< a fallback answered in place of a failed call on its path
  bool cache_key_drawn = false;  ///< cache_key holds its draw (Cache::prepare)
  ParentKind parent_kind = ParentKind::call;
  model::DbOp op = model::DbOp::read;
  CacheStage cache_stage = CacheStage::lookup;
  bool cache_aside = false;  ///< a cache's job: the caller runs the miss (on_miss), not the cache
  Ref parent;
  std::uint32_t parent_attempt = 0;
  std::uint32_t cache_key = 0;
  std::uint32_t client = kNone;  ///< the request's client, passed on to its calls
  std::uint64_t key = 0;         ///< the request's random-number key (common random numbers)
  /// The key this job would have if every attempt on its request's path were the first: a
  /// keyed cache's lookups draw from it, so that a retry, at any level above the cache, looks
  /// up the same key as the first attempt (docs/request-path.md#a-retry-looks-up-the-same-key).
  /// Equal to `key` while no retry is on the path.
  std::uint64_t origin = 0;
  double arrived_s = 0.0;
  double started_s = 0.0;
  double work_s = 0.0;          ///< CPU demand this job has started, for wasted-work accounting
  double work_pending_s = 0.0;  ///< FCFS: demand waiting for a core
  double memory_mib = 0.0;      ///< memory it holds on its replica (services with `memory`)
  std::uint32_t connection = kNone;  ///< the caller's pool whose connection it holds
  /// The coordinator's orphan epoch when the job was known not to be an orphan (0: never);
  /// while the epoch has not moved since, it still is not (Replication::is_orphan).
  std::uint64_t live_epoch = 0;
};

/// Intrusive FIFO of jobs linked through Job::next_in_queue.
struct JobQueue {
  std::uint32_t head = kNone;
  std::uint32_t tail = kNone;
  std::int64_t size = 0;

  void push(Pool<Job>& jobs, std::uint32_t index) {
    jobs[index].next_in_queue = kNone;
    if (tail == kNone) {
      head = index;
    } else {
      jobs[tail].next_in_queue = index;
    }
    tail = index;
    ++size;
  }
  /// Requires size > 0.
  std::uint32_t pop(Pool<Job>& jobs) {
    const std::uint32_t index = head;
    head = jobs[index].next_in_queue;
    if (head == kNone) tail = kNone;
    --size;
    return index;
  }
};

}  // namespace capsim::net
