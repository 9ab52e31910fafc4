#pragma once
/// \file A service's replicas and the one door through which its capacity changes.
///
/// Start-up, autoscalers, schedules, faults (crash, restart) and draining all change capacity
/// through ReplicaSet::set(), which keeps the ready count, the list of up replicas, and the
/// service's capacity levels (ready replicas, cores and workers serving, replicas paid for) in
/// step.

#include <cstdint>
#include <vector>

#include "capsim/model/spec.hpp"
#include "capsim/scale/hpa.hpp"
#include "capsim/sim/calendar.hpp"
#include "cpu.hpp"
#include "job.hpp"
#include "service_stats.hpp"

namespace capsim::net {

/// Where a replica slot is in its life. Services without an autoscaler have every replica
/// `ready` (up, or crashed and waiting to restart).
enum class Phase : std::uint8_t {
  off,       ///< no replica in this slot
  starting,  ///< created by an autoscaler, not ready before startup_time
  ready,     ///< serving (up), or crashed and waiting to restart (not up)
  draining,  ///< removed by an autoscaler: no new requests, finishing those it holds
};

/// A request sent to an unreachable replica (docs/nodes.md#notready-and-eviction): its caller,
/// to be answered with `error` when the pod is evicted.
struct HungRequest {
  ParentKind kind = ParentKind::call;
  Ref parent;
  std::uint32_t attempt = 0;
};

struct Replica {
  bool up = true;  ///< receives requests: ready and not crashed
  Phase phase = Phase::ready;
  double ready_since_s = 0.0;  ///< when it last became up
  double started_s = 0.0;      ///< autoscaled: when the slot was last set starting
  /// When its pod began to run (its start-up began: on a node once one took it), Kubernetes'
  /// pod StartTime, from which an HPA on cpu counts the CPU initialization period.
  double pod_started_s = 0.0;
  /// Ready at t = 0: a pod that started before the run (its Kubernetes StartTime is long past,
  /// so an HPA on cpu never sets its samples aside).
  bool predates_run = false;
  sim::EventId ready_event;        ///< starting: the end of its startup
  double ejected_until_s = -kInf;  ///< passive health check
  std::vector<double> fail_times;  ///< health: the last max_fails failure times, a ring
  std::uint32_t fail_next = 0;
  std::uint32_t busy_workers = 0;
  std::uint32_t outstanding = 0;  ///< holding a worker or queued for one
  JobQueue queue;                 ///< waiting for a worker
  CpuState cpu;
  double wrr_current = 0.0;  ///< smooth weighted round robin's credit
  // Memory (services with `memory`; replication_memory.cpp).
  double memory_mib = 0.0;         ///< serving: baseline + requests in flight; otherwise 0
  std::uint32_t oom_restarts = 0;  ///< OOM kills since it last ran 10 min: the restart back-off
  bool oom_pending = false;        ///< over its limit: the kill is on the calendar
  bool old_version = false;        ///< a rollout is replacing it (docs/rollouts.md)
  /// A database's pod evicted from a node being drained: its replacement takes this slot once it
  /// has finished its requests, as a StatefulSet recreates a pod under its name (docs/nodes.md).
  bool replace_when_off = false;
  /// On a node lost with Kubernetes' detection, not evicted yet: requests sent to it hang.
  bool unreachable = false;
  std::vector<HungRequest> hung;  ///< the callers of the requests that hang on it
  std::uint32_t hanging = 0;      ///< hung.size(), for the balancer
};

class ReplicaSet {
 public:
  /// `spec.replicas` ready replicas; an autoscaled service has a slot for every replica it may
  /// have (those beyond the initial count start off) and keeps the list of up replicas.
  explicit ReplicaSet(const model::ServiceSpec& spec);

  std::uint32_t size() const { return static_cast<std::uint32_t>(replicas_.size()); }
  Replica& operator[](std::uint32_t i) { return replicas_[i]; }
  const Replica& operator[](std::uint32_t i) const { return replicas_[i]; }
  double weight(std::uint32_t i) const { return weights_[i]; }
  /// Autoscaled services: the up replicas, ascending.
  const std::vector<std::uint32_t>& active() const { return active_; }
  /// Whether the set keeps the list of up replicas (autoscaled services).
  bool tracks_active() const { return tracks_active_; }
  /// Replicas in their start-up.
  int starting() const { return starting_; }
  /// Replicas up (receiving requests).
  std::uint32_t up_count() const { return up_count_; }

  /// The door: replica `i` moves to `phase`, up or not, at `now`.
  void set(std::uint32_t i, Phase phase, bool up, double now, ServiceStats& stats);
  void set_up(std::uint32_t i, bool up, double now, ServiceStats& stats) {
    set(i, replicas_[i].phase, up, now, stats);
  }

  /// A new replica starts (a free slot, or one more): returns its index. The only call that may
  /// grow the replicas (invalidating Replica references); autoscaling calls it, never a
  /// request's path.
  std::uint32_t start_one(double now, ServiceStats& stats);
  /// A starting replica becomes ready; false (nothing changes) when it is no longer starting.
  bool become_ready(std::uint32_t i, double now, ServiceStats& stats);
  /// Removes one replica as a ReplicaSet does: replicas not ready before ready ones, newer
  /// before older. A starting replica's ready event is returned in `cancel` for the caller to
  /// cancel. Returns the replica (kNone when there is none) and whether it is drained already.
  struct Removal {
    std::uint32_t replica = kNone;
    bool drained = false;
    sim::EventId cancel;
  };
  Removal remove_one(double now, ServiceStats& stats);
  /// Removes replica `i` (a pod evicted from a node being deleted, docs/nodes.md) as remove_one
  /// removes its victim: starting or crashed at once, ready by draining.
  Removal remove_at(std::uint32_t i, double now, ServiceStats& stats);
  /// A replica up at t = 0 whose pod fits on no node: Pending, counted as starting until a node
  /// takes it and its start-up ends (docs/nodes.md).
  void make_pending(std::uint32_t i, double now, ServiceStats& stats);

  /// The replicas an HPA sees at `now`.
  scale::ReplicaGroups groups(int desired, double now) const;

 private:
  const model::ServiceSpec& spec_;
  std::vector<Replica> replicas_;
  std::vector<double> weights_;
  std::uint32_t up_count_ = 0;
  bool tracks_active_ = false;
  std::vector<std::uint32_t> active_;
  int starting_ = 0;
};

}  // namespace capsim::net
