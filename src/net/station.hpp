#pragma once
/// \file The station: a service's workers and the queues in front of them. A job admitted to a
/// replica gets a worker, waits for one, or is rejected (queue_capacity, or the saturation
/// bound simulation.max_queue); a freed worker goes to the next waiting job. Autoscaled services
/// also hold requests at the balancer while no replica is ready. The station keeps the counts
/// and reports the levels; what happens to a job next the coordinator decides.

#include <cstdint>
#include <optional>

#include "job.hpp"
#include "service.hpp"
#include "statistics.hpp"

namespace capsim::net {

class Station {
 public:
  Station(Pool<Job>& jobs, Statistics& stats, std::int64_t max_queue)
      : jobs_(jobs), stats_(stats), max_queue_(max_queue) {}

  enum class Admission : std::uint8_t { started, queued, rejected };

  /// The balancer chose replica `ri` for `job`: a worker (then call start()), a place in its
  /// queue, or a rejection (counted).
  [[gnu::always_inline]] Admission admit(Service& s, std::uint32_t ri, Ref job, Job& j,
                                         double now) {
    ServiceStats& st = stats_.service(s.index);
    Replica& r = s.replicas[ri];
    j.replica = ri;
    if (r.busy_workers < static_cast<std::uint32_t>(s.spec->workers)) {
      ++r.outstanding;
      st.in_flight(now, 1.0);
      ++r.busy_workers;
      st.busy_workers(now, 1.0, ri);
      return Admission::started;
    }
    const bool full = s.spec->queue_capacity && r.queue.size >= *s.spec->queue_capacity;
    if (at_bound(s, st, now) || full) {
      st.rejected();
      return Admission::rejected;
    }
    ++r.outstanding;
    st.in_flight(now, 1.0);
    r.queue.push(jobs_, job.index);
    ++s.queued;
    st.queued(now, 1.0);
    return Admission::queued;
  }

  /// The job has a worker (counted by admit() or handed over by next_waiting()).
  void start(Service& s, Job& j, double now) {
    j.holds_worker = true;
    j.started_s = now;
    stats_.service(s.index).started(j.started_s - j.arrived_s);
  }

  /// A job holding a worker of `r` leaves it (then the worker is released).
  void leave(Service& s, Replica& r, double now) {
    --r.outstanding;
    stats_.service(s.index).in_flight(now, -1.0);
  }
  /// A job holding a worker of `r` parks (a cache lookup waiting for another's fetch): it no
  /// longer loads the replica, but is still in flight at the service until unpark().
  static void park(Replica& r) { --r.outstanding; }
  /// A parked job ends.
  void unpark(Service& s, double now) { stats_.service(s.index).in_flight(now, -1.0); }
  /// The next job waiting for a worker of `r`, out of the queue; nothing when none waits.
  std::optional<Ref> next_waiting(Service& s, Replica& r, double now) {
    if (r.queue.size == 0) return std::nullopt;
    const std::uint32_t next = r.queue.pop(jobs_);
    --s.queued;
    stats_.service(s.index).queued(now, -1.0);
    return Ref{next, jobs_[next].generation};
  }
  /// A job taken from the queue is discarded (drop_expired: its caller gave up).
  void drop(Service& s, Replica& r, double now) {
    --r.outstanding;
    ServiceStats& st = stats_.service(s.index);
    st.in_flight(now, -1.0);
    st.dropped();
  }
  /// No job waits: the worker of replica `ri` becomes idle.
  void free_worker(Service& s, std::uint32_t ri, double now) {
    --s.replicas[ri].busy_workers;
    stats_.service(s.index).busy_workers(now, -1.0, ri);
  }

  /// An autoscaled service with no ready replica holds `job` at the balancer; false when the
  /// saturation bound rejects it (counted).
  bool hold_at_balancer(Service& s, Ref job, Job& j, double now) {
    ServiceStats& st = stats_.service(s.index);
    if (at_bound(s, st, now)) {
      st.rejected();
      return false;
    }
    j.replica = kNone;
    s.balancer_queue.push_back(job);
    ++s.queued;
    st.queued(now, 1.0);
    st.balancer_queued(now, 1.0);
    return true;
  }
  /// The next request held at the balancer, out of it, while a replica is up.
  std::optional<Ref> next_at_balancer(Service& s, double now) {
    if (s.balancer_queue.empty() || s.replicas.up_count() == 0) return std::nullopt;
    const Ref job = s.balancer_queue.front();
    s.balancer_queue.pop_front();
    --s.queued;
    ServiceStats& st = stats_.service(s.index);
    st.queued(now, -1.0);
    st.balancer_queued(now, -1.0);
    return job;
  }

  /// The replica `ri` crashed: its workers and queue are gone (the jobs are failed by the
  /// caller).
  void crash(Service& s, std::uint32_t ri, double now) {
    Replica& r = s.replicas[ri];
    ServiceStats& st = stats_.service(s.index);
    st.busy_workers(now, -static_cast<double>(r.busy_workers), ri);
    st.queued(now, -static_cast<double>(r.queue.size));
    st.in_flight(now, -static_cast<double>(r.outstanding));
    s.queued -= r.queue.size;
    r.busy_workers = r.outstanding = 0;
    r.queue = JobQueue{};
  }

 private:
  /// The saturation bound: the service's queues hold simulation.max_queue requests (the service
  /// is then marked saturated, once).
  bool at_bound(const Service& s, ServiceStats& st, double now) const {
    if (s.queued < max_queue_) return false;
    st.saturated(now);
    return true;
  }

  Pool<Job>& jobs_;
  Statistics& stats_;
  std::int64_t max_queue_;
};

}  // namespace capsim::net
