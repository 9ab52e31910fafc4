#pragma once
/// \file What a service's autoscaler decides: an HPA's syncs, KEDA's polls and a schedule's
/// steps, each turned into a replica count or nothing. It reads the service only through
/// snapshots of its integrals (scale/window_meter.hpp) and the replica groups an HPA sees; the
/// runtime applies its decisions through the service's replica set (net/replication_capacity.cpp).

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "capsim/model/spec.hpp"
#include "capsim/scale/hpa.hpp"
#include "capsim/stats/histogram.hpp"
#include "window_meter.hpp"

namespace capsim::scale {

/// A change of the replica count asked for, and why (a scale event's fields).
struct ScaleChange {
  int to = 0;
  std::string metric;
  std::string policy;
  std::string reason;
};

/// The cpu metric as the controller reads it (GetResourceReplicas after groupPods): the pods
/// whose CPU samples count, their busy and serving core-seconds over the metric window, and the
/// replica groups with the ready pods whose samples are set aside (cpu_sample_set_aside) counted
/// as not ready.
struct CpuSample {
  ReplicaGroups groups;
  double busy_core_s = 0.0;
  double core_s = 0.0;
};

class Autoscaler {
 public:
  Autoscaler(const model::AutoscalingSpec& spec, int initial_replicas);

  const model::AutoscalingSpec& spec() const { return spec_; }
  /// Replicas asked for: starting and ready (crashed included).
  int desired() const { return desired_; }
  /// The HPA's minimum now: `min`, raised by a schedule's floor; at least 1 under KEDA's HPA.
  int effective_min() const;
  /// The replicas' memory request (MiB), what the `memory` metric's utilisation divides by.
  void set_memory_request(double mib) { memory_request_mib_ = mib; }
  /// A pod's CPU request (cores), what the `cpu` metric's utilisation divides by as Kubernetes'
  /// does (GetResourceReplicas: usage over the pods' requests); 0: the service's own cores.
  void set_cpu_request(double cores) { cpu_request_ = cores; }
  WindowMeter& sync_meter() { return sync_meter_; }
  WindowMeter& poll_meter() { return poll_meter_; }
  /// Where successful latencies go for latency_p95 (null when no metric needs them).
  stats::Histogram* latency_slice() {
    return latency_slices_.empty() ? nullptr : &latency_slices_[latency_current_];
  }

  /// An HPA sync at `now` over the metric window [base, cur], with the replicas it sees and the
  /// cores of one replica. Rotates the latency slices (see latency_slice()).
  /// `cpu`: the cpu metric's pods apart (null: the service's busy cores over its serving cores,
  /// every ready replica counted).
  std::optional<ScaleChange> sync(const Snapshot& base, const Snapshot& cur,
                                  const ReplicaGroups& groups, double cores, double now,
                                  const CpuSample* cpu = nullptr);
  /// A KEDA poll at `now` over [base, cur]: activation from zero and cooldown to zero.
  std::optional<ScaleChange> poll(const Snapshot& base, const Snapshot& cur, double now);
  /// The schedule's step k comes.
  std::optional<ScaleChange> schedule_step(std::size_t k);

  /// The count asked for becomes `to` at `now` (from any decision above).
  void apply(const ScaleChange& change, double now);

 private:
  std::optional<ScaleChange> change(int to, std::string metric, std::string policy,
                                    std::string reason) const;

  const model::AutoscalingSpec& spec_;
  std::optional<HpaBehavior> behavior_;  // hpa and keda
  Tolerances tolerances_;                // hpa and keda: per direction
  double memory_request_mib_ = 0.0;      // the memory metric's denominator
  double cpu_request_ = 0.0;             // the cpu metric's, per replica; 0: the cores
  int desired_ = 0;
  int floor_ = 0;                                 // the schedule's current minimum (hpa, keda)
  WindowMeter sync_meter_;                        // hpa and keda: the HPA's syncs
  WindowMeter poll_meter_;                        // keda: its polls
  std::vector<stats::Histogram> latency_slices_;  // latency_p95: one per sync period of the window
  std::size_t latency_current_ = 0;
  stats::Histogram latency_merged_;
  double last_active_s_ = 0.0;  // keda: the last poll that found the trigger active
};

}  // namespace capsim::scale
