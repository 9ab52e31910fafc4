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

/// ceil(x) for a product of ratios, forgiving the last bits of rounding (1.1 x 10 is 11, not 12).
int ceil_count(double x);

/// The replica count a per-replica metric asks for, by the HPA algorithm: ratio = value / target;
/// within `tolerance` of 1 the count stays `current`; otherwise ceil(ready x ratio). Replicas
/// without a metric count as using 100 % of the target on a scale-down and 0 % on a scale-up;
/// not-ready replicas count as 0 % on a scale-up (and are ignored on a scale-down). When these
/// assumptions reverse the direction of the change or bring the ratio within the tolerance, the
/// count stays `current`. Needs groups.ready > 0.
int hpa_replicas(double value, double target, double tolerance, const ReplicaGroups& groups);

/// The same for a metric of the whole service (latency_p95): within the tolerance, `current`;
/// otherwise ceil(ready x value / target), with no adjustment for other replicas.
int hpa_service_metric_replicas(double value, double target, double tolerance,
                                const ReplicaGroups& groups);

/// The policies' name as scale events give it: "scale_up policy pods 4 per 15 s".
std::string policy_text(bool up, const model::ScalingPolicySpec& policy);

/// Turns the recommendations of successive syncs into replica counts, as an HPA's `behavior`
/// does. Deterministic; holds the recent recommendations and scale events.
class HpaBehavior {
 public:
  HpaBehavior(model::ScalingRulesSpec up, model::ScalingRulesSpec down);

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
