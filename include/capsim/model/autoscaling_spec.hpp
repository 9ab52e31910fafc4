#pragma once
/// \file The autoscaling part of the model's spec (docs/autoscaling.md): an HPA, KEDA or a schedule.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace capsim::model {

/// What an autoscaler measures, averaged over its metric window: core utilisation, worker
/// utilisation, requests in flight per replica, arrivals per second per ready replica, queued
/// requests per replica, or the 95th percentile of the service's latency.
/// `memory`: utilisation of the replicas' memory request (docs/memory.md).
/// `queue_messages`: the messages (waiting and in flight) of the queues the service consumes,
/// read at each sync, per replica: KEDA's aws-sqs-queue scaler (docs/autoscaling.md).
enum class ScaleMetric {
  cpu,
  workers,
  in_flight,
  rps,
  queue_length,
  latency_p95,
  memory,
  queue_messages
};
/// The metrics' names in the model format, indexed by ScaleMetric.
inline constexpr std::string_view kScaleMetricNames[] = {"cpu",    "workers",       "in_flight",
                                                         "rps",    "queue_length",  "latency_p95",
                                                         "memory", "queue_messages"};
inline std::string_view scale_metric_name(ScaleMetric m) {
  return kScaleMetricNames[static_cast<int>(m)];
}

struct ScaleMetricSpec {
  ScaleMetric metric = ScaleMetric::cpu;
  double target = 0.8;  ///< utilisation (cpu, workers), per replica, or seconds (latency_p95)
  /// queue_messages only: `target` is the total for the service (an External metric's `Value`
  /// target) rather than per replica (`AverageValue`, KEDA's queueLength).
  bool total_target = false;
};

enum class ScalingPolicyType { pods, percent };

/// A Kubernetes HPA scaling policy: at most `value` pods (or percent of the count at the start
/// of the period) added or removed within any `period_s`.
struct ScalingPolicySpec {
  ScalingPolicyType type = ScalingPolicyType::percent;
  int value = 100;
  double period_s = 15.0;
};

/// max: the policy allowing the largest change; min: the smallest; disabled: no scaling in this
/// direction.
enum class SelectPolicy { max, min, disabled };

/// One direction (`scale_up` or `scale_down`) of an HPA's `behavior`.
struct ScalingRulesSpec {
  double stabilization_window_s = 0.0;
  std::vector<ScalingPolicySpec> policies;
  SelectPolicy select = SelectPolicy::max;
  /// `tolerance` of this direction (behavior.scaleUp/scaleDown.tolerance); unset: the HPA's.
  std::optional<double> tolerance;
};

/// From `at_s` on (until the next step), `replicas` replicas; with an HPA or KEDA, their minimum.
struct ScheduleStepSpec {
  double at_s = 0.0;
  int replicas = 0;
};

enum class AutoscalerKind { hpa, keda, schedule };

/// `autoscaling` of a service. Kubernetes HorizontalPodAutoscaler semantics (hpa), KEDA's
/// scale to and from zero around an HPA (keda), or replica counts at given times (schedule).
struct AutoscalingSpec {
  AutoscalerKind kind = AutoscalerKind::hpa;
  int min = 1;  ///< hpa default 1, keda default 0
  int max = 1;
  std::vector<ScaleMetricSpec> metrics;  ///< hpa and keda: at least one; the largest count wins
  double sync_period_s = 15.0;
  double tolerance = 0.1;
  double metric_window_s = 30.0;
  /// Defaults: stabilisation 0 s; 100 % and 4 pods per 15 s; select max.
  ScalingRulesSpec scale_up = default_scale_up();
  /// Defaults: stabilisation 300 s; 100 % per 15 s; select max.
  ScalingRulesSpec scale_down = default_scale_down();
  /// schedule: the replica counts; hpa and keda: a minimum that changes over time.
  std::vector<ScheduleStepSpec> schedule;
  // keda
  double activation_threshold = 0.0;  ///< active while the metric's total is above this
  double polling_interval_s = 30.0;
  double cooldown_period_s = 300.0;
  std::string pointer;

  /// Kubernetes' default behavior for one direction.
  static ScalingRulesSpec default_scale_up();
  static ScalingRulesSpec default_scale_down();
};

}  // namespace capsim::model
