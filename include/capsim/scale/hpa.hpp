#pragma once
/// \file The decisions of a Kubernetes HorizontalPodAutoscaler, apart from the simulation: the
/// replica count a metric asks for (with the tolerance and the treatment of not-ready replicas
/// and missing metrics), and the `behavior` that turns recommendations into changes
/// (stabilisation windows, scaling policies, `select`). docs/autoscaling.md describes them.

#include <deque>
#include <string>
#include <utility>

#include "capsim/model/spec.hpp"

namespace capsim::scale {

/// The replicas an HPA sees at a sync, grouped as the Kubernetes documentation groups pods.
struct ReplicaGroups {
  int current = 0;  ///< the workload's replica count: ready and not ready (draining excluded)
  int ready = 0;    ///< ready, with a metric
  int missing = 0;  ///< ready, without a metric yet
  int unready = 0;  ///< not ready: starting, or crashed and waiting to restart
};

/// The controller's tolerance band (replica_calculator.go, `Tolerances.isWithin`): a usage ratio
/// r leaves the count alone when 1 - scale_down <= r <= 1 + scale_up.
struct Tolerances {
  double scale_down = 0.1;
  double scale_up = 0.1;
  bool within(double ratio) const { return 1.0 - scale_down <= ratio && ratio <= 1.0 + scale_up; }
};

/// The controller's CPU initialization period (kube-controller-manager's
/// --horizontal-pod-autoscaler-cpu-initialization-period, 5 minutes by default).
inline constexpr double kCpuInitializationPeriodS = 300.0;

/// Whether the controller sets a ready pod's CPU sample aside as not ready (groupPods in
/// replica_calculator.go): while the pod is within the CPU initialization period of its start,
/// a sample taken less than one metric window (`window_s`) after the pod became ready does not
/// count. `predates_run`: the pod started before the simulation (its start is long past).
bool cpu_sample_set_aside(double now, double started_s, double ready_since_s, double window_s,
                          bool predates_run);

/// int32(math.Ceil(x)) as the controller computes a count: no forgiveness of rounding, so
/// 1.1 x 10 = 11.000000000000002 gives 12, as in Kubernetes; 0 for x <= 0, capped at INT_MAX.
int ceil_count(double x);

/// A per-replica metric as the controller reads it.
struct MetricRule {
  double target = 0.8;
  /// A resource utilisation (cpu, memory): the controller's GetResourceUtilizationRatio works in
  /// whole percent, int32(usage x 100 / request), against an integer percent target; replicas
  /// without a metric count at max(100 %, target) on a scale-down. Otherwise a plain average
  /// (missing replicas at the target on a scale-down).
  bool utilization = false;
  Tolerances tolerances;
};

/// The whole percent the controller computes from a utilisation u (a fraction of the request):
/// floor(100 u), forgiving the last bits of rounding of u itself.
int whole_percent(double utilization);

/// The replica count a per-replica metric asks for, by GetResourceReplicas (utilisation) or
/// calcPlainMetricReplicas (plain): ratio = value / target; within the tolerances the count
/// stays `current`; otherwise ceil(ready x ratio). Replicas without a metric count as using the
/// fallback (see MetricRule) on a scale-down and 0 on a scale-up; not-ready replicas count as 0
/// on a scale-up (and are ignored on a scale-down). When these assumptions reverse the direction
/// of the change or bring the ratio within the tolerances, the count stays `current`. Needs
/// groups.ready > 0.
int hpa_replicas(double value, const MetricRule& rule, const ReplicaGroups& groups);

/// The same for a metric of the whole service (latency_p95; an Object metric with a Value
/// target): within the tolerances, `current`; otherwise ceil(ready x value / target).
int hpa_service_metric_replicas(double value, double target, const Tolerances& tolerances,
                                const ReplicaGroups& groups);

/// An External metric with an `AverageValue` target (KEDA's queue scalers), as the controller's
/// GetExternalPerPodMetricReplicas computes it: with `status_replicas` the workload's pods,
/// ratio = total / (target x status_replicas); within the tolerances the count stays
/// `status_replicas`, otherwise ceil(total / target). No replica is set aside (the value is the
/// metric's total, not a per-pod sample). At 0 pods, ceil(total / target) (0 when total is 0).
int hpa_external_average_replicas(double total, double target_per_replica, int status_replicas,
                                  const Tolerances& tolerances);

/// An External metric with a `Value` target, as GetExternalMetricReplicas and
/// getUsageRatioReplicaCount compute it: ratio = total / target; with `spec_replicas` > 0,
/// within the tolerances the count stays `spec_replicas`, otherwise ceil(ratio x ready) with
/// `ready` the pods running and ready; at 0 replicas, ceil(ratio) (scaling from zero).
int hpa_external_value_replicas(double total, double target, int spec_replicas, int ready,
                                const Tolerances& tolerances);

/// The policies' name as scale events give it: "scale_up policy pods 4 per 15 s".
std::string policy_text(bool up, const model::ScalingPolicySpec& policy);

/// Turns the recommendations of successive syncs into replica counts, as an HPA's `behavior`
/// does. Deterministic; holds the recent recommendations and scale events.
class HpaBehavior {
 public:
  HpaBehavior(model::ScalingRulesSpec up, model::ScalingRulesSpec down);

  /// The controller's first sight of the workload (maybeInitScaleDownStabilizationWindow): with
  /// a scale-down stabilisation window, the current count is recorded as a recommendation at
  /// `now`, so that a workload that starts over-provisioned holds for the window.
  void first_seen(double now, int current);

  struct Decision {
    int replicas = 0;
    /// What held the count back from the recommendation: "" (nothing), "stabilization window
    /// (scale_down, 300 s)", a policy ("scale_up policy percent 100 per 15 s"), "select
    /// disabled (scale_down)", "max 20" or "min 2".
    std::string limit;
  };

  /// Records `recommendation` (the largest count the metrics ask for) made at `now`, then
  /// applies the stabilisation windows (the lowest recommendation of the scale-up window, the
  /// highest of the scale-down window), the policies of the direction of change, and [min, max].
  Decision decide(double now, int current, int recommendation, int min, int max);

  /// A change of the replica count at `now`, counted by the policies over their periods.
  void record_change(double now, int from, int to);

 private:
  /// Replicas added (up) or removed (down) within the last `period_s`.
  int changed_within(const std::deque<std::pair<double, int>>& events, double now,
                     double period_s) const;
  void prune(double now);

  model::ScalingRulesSpec up_, down_;
  double longest_window_s_ = 0.0;
  double longest_period_s_ = 0.0;
  std::deque<std::pair<double, int>> recommendations_;  ///< (time, replicas)
  std::deque<std::pair<double, int>> ups_, downs_;      ///< (time, replicas added or removed)
};

}  // namespace capsim::scale
