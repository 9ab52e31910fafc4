#pragma once
/// \file What is measured of one service: the one place its statistics are kept. Components
/// report what happened (an arrival, a rejection, a level change); the collector decides what to
/// keep: counts and histograms after the warm-up, the current time-series window, the latency
/// slice an autoscaler reads. Levels are integrated from t = 0, so that any interval's average
/// (after warm-up, a window, an autoscaler's metric window) is a difference of two marks.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "capsim/stats/histogram.hpp"
#include "capsim/stats/marks.hpp"
#include "capsim/stats/time_weighted.hpp"

namespace capsim::net {

using stats::Marks;

/// A database primary's levels, kept apart by ServiceStats::keep_primary_apart(). (Outside the
/// class: clang cannot default-construct a nested class with member initializers inside its
/// enclosing class.)
struct PrimaryLevels {
  stats::TimeWeighted busy_cores{0.0}, busy_workers{0.0}, core_capacity{0.0}, worker_capacity{0.0};
};

class ServiceStats {
 public:
  /// `replicas` ready at t = 0 with `cores` and `workers` each; `windows`: keep time series.
  ServiceStats(double replicas, double cores, double workers, bool windows)
      : replica_count_(replicas),
        core_capacity_(replicas * cores),
        worker_capacity_(replicas * workers),
        provisioned_(replicas),
        desired_(replicas),
        windows_(windows) {}

  // Requests.
  void arrival() {
    ++arrivals_total_;
    if (measuring_) ++arrivals_;
    if (windows_) ++w_arrivals_;
  }
  void rejected() {
    if (measuring_) ++rejected_;
  }
  /// Refused by the service's rate limit number `by` (in the model's order).
  void rate_limited(std::uint32_t by) {
    if (measuring_) {
      ++rate_limited_;
      if (by < rate_limited_by_.size()) ++rate_limited_by_[by];
    }
  }
  /// A per-client rate limit refused a client for the first time since the warm-up.
  void client_limited() { ++clients_limited_; }
  bool measuring() const { return measuring_; }
  void dropped() {
    if (measuring_) ++dropped_;
  }
  /// A database's capacity units refused a request (docs/capacity-units.md).
  void throttled() {
    if (measuring_) ++throttled_;
  }
  /// A request consumed `units` of the database's read or write capacity units.
  void consumed_units(bool write, double units) {
    if (measuring_) (write ? write_units_ : read_units_) += units;
  }
  /// The first time the service's queues held simulation.max_queue requests.
  void saturated(double now) {
    if (!saturated_at_s_) saturated_at_s_ = now;
  }
  /// A job got a worker after waiting `wait_s`.
  void started(double wait_s) {
    if (measuring_) wait_.record(wait_s);
  }
  /// A job that held a worker has ended, `latency_s` after it arrived.
  void completed(bool success, double latency_s) {
    if (measuring_) {
      ++completions_;
      if (success) latency_.record(latency_s);
    }
    if (!success) return;
    if (windows_) w_latency_.record(latency_s);
    if (latency_slice_ != nullptr) latency_slice_->record(latency_s);
  }
  /// A job ended having started `work_s` of CPU demand; `wasted` when nobody used its answer.
  void work(double work_s, bool wasted) {
    work_total_s_ += work_s;
    if (wasted) work_wasted_s_ += work_s;
  }
  /// A job that held a worker succeeded, but degraded: a fallback answered on its path.
  void degraded() {
    if (measuring_) ++degraded_;
  }
  /// A call of the service's jobs was answered by the caller's fallback.
  void fallback() {
    if (measuring_) ++fallbacks_;
  }
  void cache_lookup(bool hit) {
    if (measuring_) {
      ++cache_lookups_;
      cache_hits_ += hit;
    }
  }
  /// A cache lookup waited for a key's miss lock (stampede coalesce), or was refused by it
  /// (reject); a cache-aside lock lapsed (lock_ttl).
  void lock_waited() {
    if (measuring_) ++lock_waited_;
  }
  void lock_rejected() {
    if (measuring_) ++lock_rejected_;
  }
  void lock_lapsed() {
    if (measuring_) ++lock_lapsed_;
  }
  /// A cache's periodic refresh: a run began; one key's query ended (`ok`: the key rewritten);
  /// a backend job of its queries did `work_s` of work.
  void refresh_run() {
    if (measuring_) ++refresh_runs_;
  }
  void refresh_key(bool ok) {
    if (measuring_) ++(ok ? refresh_keys_ : refresh_failed_);
  }
  void refresh_work(double work_s) {
    if (measuring_) refresh_work_s_ += work_s;
  }

  /// A database with read replicas: its primary's (replica 0's) levels are kept apart too, so
  /// that the primary's utilisation can be told from its read replicas' (services.S.primary.*,
  /// services.S.read_replicas.*). The primary serves with `cores` and `workers` at t = 0.
  void keep_primary_apart(double cores, double workers) {
    primary_.emplace();
    primary_->core_capacity = stats::TimeWeighted(cores);
    primary_->worker_capacity = stats::TimeWeighted(workers);
    cores_apart_ = true;
  }
  /// An HPA on cpu reads each pod's own CPU (Kubernetes sets young pods' samples aside): every
  /// replica's busy and serving cores are kept apart too. `replicas` ready at t = 0 with `cores`.
  void keep_replicas_apart(std::size_t replicas, double cores) {
    replica_cores_.resize(replicas);
    for (ReplicaCores& r : replica_cores_) r.capacity = stats::TimeWeighted(cores);
    replicas_apart_ = true;
    cores_apart_ = true;
  }
  bool replicas_apart() const { return replicas_apart_; }
  /// With keep_replicas_apart(): replica `replica`'s busy and serving core-seconds since t = 0,
  /// at `t` (0 for a replica never seen).
  std::pair<double, double> replica_core_seconds(std::uint32_t replica, double t) const {
    if (replica >= replica_cores_.size()) return {0.0, 0.0};
    return {replica_cores_[replica].busy.integral(t), replica_cores_[replica].capacity.integral(t)};
  }
  /// A new pod begins to run in slot `replica` at `now`: its seconds count from here.
  void replica_started(std::uint32_t replica, double now) {
    if (!replicas_apart_) return;
    ReplicaCores& r = replica_cores(replica);
    r.busy_at_start = r.busy.integral(now);
    r.capacity_at_start = r.capacity.integral(now);
  }
  /// replica_core_seconds() when the slot's current pod began to run (0 for one that predates
  /// the run).
  std::pair<double, double> replica_start_core_seconds(std::uint32_t replica) const {
    if (replica >= replica_cores_.size()) return {0.0, 0.0};
    return {replica_cores_[replica].busy_at_start, replica_cores_[replica].capacity_at_start};
  }

  // Levels, of replica `replica`.
  void busy_cores(double now, double delta, std::uint32_t replica) {
    busy_cores_.add(now, delta);
    if (cores_apart_) [[unlikely]]
      busy_cores_apart(now, delta, replica);
  }
  void busy_workers(double now, double delta, std::uint32_t replica) {
    busy_workers_.add(now, delta);
    if (primary_ && replica == 0) [[unlikely]]
      primary_->busy_workers.add(now, delta);
  }
  void queued(double now, double delta) { queued_.add(now, delta); }
  void in_flight(double now, double delta) { in_flight_.add(now, delta); }
  /// Requests held at the balancer of an autoscaled service while no replica is ready.
  void balancer_queued(double now, double delta) { balancer_queued_.add(now, delta); }
  void ready_replicas(double now, double delta) {
    replica_count_.add(now, delta);
    if (rolling_) [[unlikely]]
      rollout_min_ready_ = std::min(rollout_min_ready_, replica_count_.value());
    if (measuring_) {
      replicas_min_ = std::min(replicas_min_, replica_count_.value());
      replicas_max_ = std::max(replicas_max_, replica_count_.value());
    }
  }
  void serving_capacity(double now, double cores, double workers, std::uint32_t replica) {
    core_capacity_.add(now, cores);
    worker_capacity_.add(now, workers);
    if (primary_ && replica == 0) [[unlikely]] {
      primary_->core_capacity.add(now, cores);
      primary_->worker_capacity.add(now, workers);
    }
    if (replicas_apart_) [[unlikely]]
      replica_cores(replica).capacity.add(now, cores);
  }
  void provisioned(double now, double delta) { provisioned_.add(now, delta); }
  void desired(double now, double replicas) { desired_.update(now, replicas); }
  /// Memory held by the serving replicas changes by `delta_mib`; one of them now holds
  /// `replica_mib` (for the peak).
  void memory(double now, double delta_mib, double replica_mib) {
    memory_.add(now, delta_mib);
    if (measuring_) memory_max_mib_ = std::max(memory_max_mib_, replica_mib);
  }
  void oom_killed() {
    if (measuring_) ++oom_kills_;
  }
  /// A rolling update began at `now` (docs/rollouts.md): counted whether or not measuring, as
  /// its times are absolute.
  void rollout_started(double now) {
    if (rollouts_started_++ == 0) rollout_first_started_s_ = now;
    rolling_ = true;
    rollout_min_ready_ = std::min(rollout_min_ready_, replica_count_.value());
  }
  /// The rolling update begun at `started_s` completed at `now`.
  void rollout_ended(double started_s, double now) {
    ++rollouts_completed_;
    rollout_last_ended_s_ = now;
    rollout_max_duration_s_ = std::max(rollout_max_duration_s_, now - started_s);
    rolling_ = false;
  }
  /// A rollout superseded by the next one: it no longer runs (and never completes).
  void rollout_superseded() { rolling_ = false; }

  /// Where an autoscaler on latency_p95 wants successful latencies (null: nowhere).
  void set_latency_slice(stats::Histogram* slice) { latency_slice_ = slice; }

  // Reading.
  Marks marks(double t) const {
    return Marks{busy_cores_.integral(t),      busy_workers_.integral(t),
                 queued_.integral(t),          in_flight_.integral(t),
                 replica_count_.integral(t),   core_capacity_.integral(t),
                 worker_capacity_.integral(t), provisioned_.integral(t),
                 desired_.integral(t),         memory_.integral(t)};
  }
  /// The primary's busy and serving cores and workers (what marks() holds for the whole
  /// service); nothing unless keep_primary_apart().
  std::optional<Marks> primary_marks(double t) const {
    if (!primary_) return std::nullopt;
    Marks m;
    m.busy_cores = primary_->busy_cores.integral(t);
    m.busy_workers = primary_->busy_workers.integral(t);
    m.core_capacity = primary_->core_capacity.integral(t);
    m.worker_capacity = primary_->worker_capacity.integral(t);
    return m;
  }
  /// Arrivals since t = 0 (what an autoscaler's rps reads).
  std::uint64_t arrivals_total() const { return arrivals_total_; }
  double balancer_queued_integral(double t) const { return balancer_queued_.integral(t); }

  /// The warm-up ends: counts and histograms start now.
  void begin_measurement(double now) {
    measuring_ = true;
    warm_ = marks(now);
    if (primary_) primary_warm_ = *primary_marks(now);
    replicas_min_ = replicas_max_ = replica_count_.value();
  }

 private:
  friend class Statistics;

  bool measuring_ = false;
  // After warm-up.
  std::uint64_t arrivals_ = 0, completions_ = 0, rejected_ = 0, rate_limited_ = 0, dropped_ = 0;
  std::uint64_t clients_limited_ = 0;
  std::vector<std::uint64_t> rate_limited_by_;  ///< per limit, when the service has several
  std::uint64_t throttled_ = 0;
  double read_units_ = 0.0, write_units_ = 0.0;  ///< capacity units consumed
  std::uint64_t cache_lookups_ = 0, cache_hits_ = 0;
  std::uint64_t lock_waited_ = 0, lock_rejected_ = 0, lock_lapsed_ = 0;
  std::uint64_t refresh_runs_ = 0, refresh_keys_ = 0, refresh_failed_ = 0;
  double refresh_work_s_ = 0.0;
  std::uint64_t degraded_ = 0, fallbacks_ = 0;
  stats::Histogram latency_;
  stats::Histogram wait_;  // arrival to worker (databases: waiting for a connection)
  double replicas_min_ = 0.0, replicas_max_ = 0.0;
  double memory_max_mib_ = 0.0;
  std::uint64_t oom_kills_ = 0;
  // Rollouts.
  bool rolling_ = false;
  std::uint64_t rollouts_started_ = 0;
  std::uint64_t rollouts_completed_ = 0;
  double rollout_first_started_s_ = 0.0;  ///< meaningful once one started
  double rollout_last_ended_s_ = 0.0;     ///< meaningful once one completed
  double rollout_max_duration_s_ = 0.0;
  double rollout_min_ready_ = std::numeric_limits<double>::infinity();
  Marks warm_;
  Marks primary_warm_;  ///< with keep_primary_apart()
  // The whole run.
  std::uint64_t arrivals_total_ = 0;
  double work_total_s_ = 0.0, work_wasted_s_ = 0.0;
  std::optional<double> saturated_at_s_;
  stats::TimeWeighted busy_cores_, busy_workers_, queued_, in_flight_, replica_count_,
      core_capacity_, worker_capacity_, provisioned_, desired_, balancer_queued_, memory_;
  std::optional<PrimaryLevels> primary_;
  struct ReplicaCores {
    stats::TimeWeighted busy{0.0}, capacity{0.0};
    double busy_at_start = 0.0, capacity_at_start = 0.0;  ///< when its current pod began
  };
  /// With keep_replicas_apart(): per replica slot (slots are added as a service grows).
  std::vector<ReplicaCores> replica_cores_;
  bool replicas_apart_ = false;
  bool cores_apart_ = false;  ///< primary_ or replicas_apart_: busy cores are kept apart
  ReplicaCores& replica_cores(std::uint32_t replica) {
    if (replica >= replica_cores_.size()) replica_cores_.resize(replica + 1);
    return replica_cores_[replica];
  }
  void busy_cores_apart(double now, double delta, std::uint32_t replica) {
    if (primary_ && replica == 0) primary_->busy_cores.add(now, delta);
    if (replicas_apart_) replica_cores(replica).busy.add(now, delta);
  }
  // The current time-series window.
  bool windows_;
  std::uint64_t w_arrivals_ = 0;
  stats::Histogram w_latency_;
  Marks window_;
  Marks primary_window_;  ///< with keep_primary_apart(): the primary's, at the window's start
  stats::Histogram* latency_slice_ = nullptr;
};

}  // namespace capsim::net
