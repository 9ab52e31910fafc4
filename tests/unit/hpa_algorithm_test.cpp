// The HorizontalPodAutoscaler's algorithm and behavior on their own, written from the controller's
// source and documentation (end to end through the network: net_autoscaling_test.cpp).

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "capsim/model/spec.hpp"
#include "capsim/scale/hpa.hpp"

namespace capsim::net {
namespace {

using namespace capsim::scale;  // NOLINT: the HPA decisions under test

// ---- The algorithm ---------------------------------------------------------------------------

ReplicaGroups ready(int n) {
  ReplicaGroups g;
  g.current = n;
  g.ready = n;
  return g;
}

/// A cpu metric (a resource utilisation, whole percent) and a plain per-replica average.
MetricRule cpu(double target, double tolerance = 0.1) {
  MetricRule r;
  r.target = target;
  r.utilization = true;
  r.tolerances = {tolerance, tolerance};
  return r;
}
MetricRule plain(double target, double tolerance = 0.1) {
  MetricRule r = cpu(target, tolerance);
  r.utilization = false;
  return r;
}

TEST(HpaAlgorithm, ARatioInsideTheToleranceNeverMovesTheCount) {
  // target 60 %, tolerance 0.1: every utilisation from 54 % to 66 % keeps the count.
  for (int n : {1, 2, 7, 10, 50}) {
    for (int k = 0; k <= 120; ++k) {
      const double u = 0.54 + k * 0.001;
      EXPECT_EQ(hpa_replicas(u, cpu(0.6), ready(n)), n) << "u = " << u << ", n = " << n;
    }
  }
  // The boundaries themselves are inside: 1 - 0.1 <= ratio <= 1 + 0.1 (54 / 60, 66 / 60).
  EXPECT_EQ(hpa_replicas(0.66, cpu(0.6), ready(10)), 10);
  EXPECT_EQ(hpa_replicas(0.54, cpu(0.6), ready(10)), 10);
}

TEST(HpaAlgorithm, ARatioJustOutsideMovesItToCeilOfCurrentTimesRatio) {
  EXPECT_EQ(hpa_replicas(0.67, cpu(0.6), ready(10)), 12);  // 67 / 60 x 10 = 11.17 -> 12
  EXPECT_EQ(hpa_replicas(0.69, cpu(0.6), ready(10)), 12);  // 69 / 60 x 10 = 11.5 -> 12
  EXPECT_EQ(hpa_replicas(0.53, cpu(0.6), ready(10)), 9);   // 53 / 60 x 10 = 8.83 -> 9
  EXPECT_EQ(hpa_replicas(0.51, cpu(0.6), ready(10)), 9);   // 51 / 60 x 10 = 8.5 -> 9
  EXPECT_EQ(hpa_replicas(90, plain(75), ready(50)), 60);   // the documentation's example
  EXPECT_EQ(hpa_replicas(0.3, cpu(0.6), ready(4)), 2);
  // A tolerance of 0: any whole percent of difference moves it: 61 / 60 x 10 = 10.17 -> 11.
  EXPECT_EQ(hpa_replicas(0.61, cpu(0.6, 0.0), ready(10)), 11);
}

TEST(HpaAlgorithm, CpuUtilisationIsTruncatedToAWholePercent) {
  // int32(usage x 100 / request): 66.99 % is 66 %, ratio 1.1, inside the tolerance, where the
  // exact ratio 1.1165 would ask for ceil(111.65) = 112 of 100.
  EXPECT_EQ(whole_percent(0.6699), 66);
  EXPECT_EQ(hpa_replicas(0.6699, cpu(0.6), ready(100)), 100);
  EXPECT_EQ(hpa_replicas(0.6699, plain(0.6), ready(100)), 112);
  // An integer percent target: 0.605 is 61 % (lround), so 67 % is 67 / 61 = 1.098: inside.
  EXPECT_EQ(hpa_replicas(0.67, cpu(0.605), ready(10)), 10);
}

TEST(HpaAlgorithm, ToleranceIsPerDirection) {
  // behavior.scaleUp.tolerance 0.5, scaleDown.tolerance 0.05: 85 % against 60 % (ratio 1.417)
  // stays; 56 % (ratio 0.933) scales 20 down to ceil(18.67) = 19.
  MetricRule r = cpu(0.6);
  r.tolerances = {0.05, 0.5};
  EXPECT_EQ(hpa_replicas(0.85, r, ready(20)), 20);
  EXPECT_EQ(hpa_replicas(0.91, r, ready(20)), 31);  // 91 / 60 = 1.517 > 1.5: ceil(30.33)
  EXPECT_EQ(hpa_replicas(0.56, r, ready(20)), 19);
  EXPECT_EQ(hpa_replicas(0.58, r, ready(20)), 20);  // 58 / 60 = 0.967 >= 0.95
}

TEST(HpaAlgorithm, CpuSamplesOfPodsReadyLessThanAWindowAgoAreSetAside) {
  // groupPods: within the 5 minute CPU initialization period of the pod's start, a sample taken
  // less than one metric window after the pod became ready is set aside.
  EXPECT_TRUE(cpu_sample_set_aside(45.0, 15.0, 35.0, 30.0, false));   // ready 10 s ago
  EXPECT_TRUE(cpu_sample_set_aside(64.9, 15.0, 35.0, 30.0, false));   // 29.9 s ago
  EXPECT_FALSE(cpu_sample_set_aside(65.0, 15.0, 35.0, 30.0, false));  // a whole window
  // Past the initialization period (started 300 s ago or more) a ready pod always counts.
  EXPECT_FALSE(cpu_sample_set_aside(400.0, 100.0, 390.0, 30.0, false));
  EXPECT_TRUE(cpu_sample_set_aside(399.0, 100.0, 390.0, 30.0, false));
  // A pod that predates the run counts from the start.
  EXPECT_FALSE(cpu_sample_set_aside(15.0, 0.0, 0.0, 30.0, true));
}

TEST(HpaAlgorithm, NotReadyReplicasCountAsZeroOnAScaleUpOnly) {
  ReplicaGroups g;
  g.current = 4;
  g.ready = 2;
  g.unready = 2;
  // 100 % against 50 % over the ready ones; with the two starting at 0 %, (200 + 0) / 4 = 50 %:
  // ratio 1, within the tolerance, so no change.
  EXPECT_EQ(hpa_replicas(1.0, cpu(0.5), g), 4);
  // 150 %: (300 + 0) / 4 = 75 %, ratio 1.5 -> ceil(1.5 x 4) = 6.
  EXPECT_EQ(hpa_replicas(1.5, cpu(0.5), g), 6);
  // On a scale-down they are ignored: 25 / 50 x 2 = 1.
  EXPECT_EQ(hpa_replicas(0.25, cpu(0.5), g), 1);
}

TEST(HpaAlgorithm, MissingMetricsCountAsTheFallbackOnScaleDownAndZeroOnScaleUp) {
  ReplicaGroups g;
  g.current = 5;
  g.ready = 4;
  g.missing = 1;
  // A resource utilisation: the missing replica counts at max(100 %, target) of its request:
  // (30 x 4 + 100) / 5 = 44 %, ratio 44 / 60 = 0.733 -> ceil(3.67) = 4.
  EXPECT_EQ(hpa_replicas(0.3, cpu(0.6), g), 4);
  // A plain metric: at the target: (0.3 x 4 + 0.6) / 5 = 0.36, ratio 0.6 -> 3.
  EXPECT_EQ(hpa_replicas(0.3, plain(0.6), g), 3);
  // Scale-up: (90 x 4 + 0) / 5 = 72 %, ratio 1.2 -> ceil(6) = 6.
  EXPECT_EQ(hpa_replicas(0.9, cpu(0.6), g), 6);
  // Scale-up that the missing replicas bring inside the tolerance: no change.
  g.current = 6;
  g.ready = 4;
  g.missing = 2;
  EXPECT_EQ(hpa_replicas(0.9, cpu(0.6), g), 6);  // (360 + 0) / 6 = 60 %: ratio 1
}

TEST(HpaAlgorithm, AnAdjustmentThatReversesTheDirectionMeansNoChange) {
  ReplicaGroups g;
  g.current = 10;
  g.ready = 2;
  g.unready = 8;
  // Ratio 1.5 over two ready replicas; with eight at 0 % the average is 18 %, ratio 0.3: a
  // scale-down, which the HPA refuses to do on a scale-up signal.
  EXPECT_EQ(hpa_replicas(0.9, cpu(0.6), g), 10);
}

TEST(HpaAlgorithm, ServiceMetricUsesTheReadyCount) {
  // latency_p95 150 ms for a target of 100 ms with 4 ready: ceil(1.5 x 4) = 6.
  ReplicaGroups g = ready(4);
  EXPECT_EQ(hpa_service_metric_replicas(0.150, 0.100, {0.1, 0.1}, g), 6);
  EXPECT_EQ(hpa_service_metric_replicas(0.105, 0.100, {0.1, 0.1}, g), 4);
}

TEST(HpaAlgorithm, ExternalAverageValueComparesTheTotalWithTargetTimesPods) {
  // GetExternalPerPodMetricReplicas: 250 messages for 10 per pod with 20 pods: ratio 1.25,
  // outside the tolerance: ceil(250 / 10) = 25; 210 messages: ratio 1.05, the count stays 20.
  EXPECT_EQ(hpa_external_average_replicas(250, 10, 20, {0.1, 0.1}), 25);
  EXPECT_EQ(hpa_external_average_replicas(210, 10, 20, {0.1, 0.1}), 20);
  // An empty queue asks for 0 (the HPA's minimum then bounds it).
  EXPECT_EQ(hpa_external_average_replicas(0, 10, 5, {0.1, 0.1}), 0);
  // From zero pods: ceil(5 / 10) = 1; nothing waiting: 0.
  EXPECT_EQ(hpa_external_average_replicas(5, 10, 0, {0.1, 0.1}), 1);
  EXPECT_EQ(hpa_external_average_replicas(0, 10, 0, {0.1, 0.1}), 0);
  // Per-direction tolerances: 260 / 200 = 1.3 is inside a scale-up tolerance of 0.5.
  EXPECT_EQ(hpa_external_average_replicas(260, 10, 20, {0.1, 0.5}), 20);
}

TEST(HpaAlgorithm, ExternalValueMultipliesTheReadyPodsByTheRatio) {
  // getUsageRatioReplicaCount: 300 messages for a total target of 100 with 4 replicas asked
  // for, 3 of them ready: ceil(3 x 3) = 9; 105 messages: ratio 1.05, the count stays 4.
  EXPECT_EQ(hpa_external_value_replicas(300, 100, 4, 3, {0.1, 0.1}), 9);
  EXPECT_EQ(hpa_external_value_replicas(105, 100, 4, 3, {0.1, 0.1}), 4);
  EXPECT_EQ(hpa_external_value_replicas(50, 100, 4, 4, {0.1, 0.1}), 2);
  // At zero replicas: ceil(ratio), without the tolerance: 30 / 100 -> 1, 0 -> 0, 250 -> 3.
  EXPECT_EQ(hpa_external_value_replicas(30, 100, 0, 0, {0.1, 0.1}), 1);
  EXPECT_EQ(hpa_external_value_replicas(0, 100, 0, 0, {0.1, 0.1}), 0);
  EXPECT_EQ(hpa_external_value_replicas(250, 100, 0, 0, {0.1, 0.1}), 3);
}

TEST(HpaAlgorithm, CeilIsTheControllersMathCeil) {
  // int32(math.Ceil(x)) forgives nothing: 25 x (1 + 12 / 100) is 28.000000000000004 in
  // binary, so 29 (1.1 x 10 happens to round to exactly 11).
  EXPECT_EQ(ceil_count(25 * (1.0 + 12 / 100.0)), 29);
  EXPECT_EQ(ceil_count(1.1 * 10), 11);
  EXPECT_EQ(ceil_count(11.0), 11);
  EXPECT_EQ(ceil_count(11.01), 12);
  EXPECT_EQ(ceil_count(0.0), 0);
  EXPECT_EQ(ceil_count(0.2), 1);
}

// ---- The behavior ----------------------------------------------------------------------------

model::AutoscalingSpec defaults() {
  return model::AutoscalingSpec{};
}

TEST(HpaBehavior, DefaultScaleUpIsTheLargerOf100PercentAnd4PodsPer15Seconds) {
  const model::AutoscalingSpec a = defaults();
  HpaBehavior b(a.scale_up, a.scale_down);
  int n = 1;
  std::vector<int> counts{n};
  for (int k = 1; k <= 6; ++k) {
    const HpaBehavior::Decision d = b.decide(15.0 * k, n, 1000, 1, 100);
    b.record_change(15.0 * k, n, d.replicas);
    n = d.replicas;
    counts.push_back(n);
  }
  // 1 -> max(2, 5) = 5 -> max(10, 9) = 10 -> 20 -> 40 -> 80 -> 100 (max).
  EXPECT_EQ(counts, (std::vector<int>{1, 5, 10, 20, 40, 80, 100}));
}

TEST(HpaBehavior, PoliciesCountChangesWithinTheirPeriod) {
  const model::AutoscalingSpec a = defaults();
  HpaBehavior b(a.scale_up, a.scale_down);
  // Two syncs 5 s apart: the second may only add what the period still allows.
  HpaBehavior::Decision d = b.decide(100.0, 2, 1000, 1, 100);
  EXPECT_EQ(d.replicas, 6);  // max(4, 2 + 4)
  EXPECT_EQ(d.limit, "scale_up policy pods 4 per 15 s");
  b.record_change(100.0, 2, 6);
  d = b.decide(105.0, 6, 1000, 1, 100);
  EXPECT_EQ(d.replicas, 6);  // the period started at 2 replicas: both limits already reached
  d = b.decide(115.0, 6, 1000, 1, 100);
  EXPECT_EQ(d.replicas, 12);  // the change at 100 s is one period old: start from 6
  EXPECT_EQ(d.limit, "scale_up policy percent 100 per 15 s");
}

TEST(HpaBehavior, ScaleDownWaitsForTheHighestRecommendationOfTheWindow) {
  const model::AutoscalingSpec a = defaults();
  HpaBehavior b(a.scale_up, a.scale_down);
  EXPECT_EQ(b.decide(0.0, 10, 10, 1, 100).replicas, 10);
  for (double t = 15.0; t < 300.0; t += 15.0) {
    const HpaBehavior::Decision d = b.decide(t, 10, 2, 1, 100);
    EXPECT_EQ(d.replicas, 10) << "t = " << t;
    EXPECT_EQ(d.limit, "stabilization window (scale_down, 300 s)");
  }
  // 300 s after the recommendation of 10, it has left the window.
  EXPECT_EQ(b.decide(300.0, 10, 2, 1, 100).replicas, 2);
}

TEST(HpaBehavior, ScaleUpStabilizationUsesTheLowestRecommendation) {
  model::AutoscalingSpec a = defaults();
  a.scale_up.stabilization_window_s = 60.0;
  HpaBehavior b(a.scale_up, a.scale_down);
  EXPECT_EQ(b.decide(0.0, 2, 2, 1, 100).replicas, 2);
  EXPECT_EQ(b.decide(15.0, 2, 8, 1, 100).replicas, 2);  // the lowest in 60 s is 2
  EXPECT_EQ(b.decide(45.0, 2, 6, 1, 100).replicas, 2);
  EXPECT_EQ(b.decide(60.0, 2, 7, 1, 100).replicas, 6);  // 2 (at 0 s) has left: min(8, 6, 7)
}

TEST(HpaBehavior, SelectMinAndDisabled) {
  model::AutoscalingSpec a = defaults();
  a.scale_up.select = model::SelectPolicy::min;
  HpaBehavior up_min(a.scale_up, a.scale_down);
  EXPECT_EQ(up_min.decide(0.0, 10, 100, 1, 100).replicas, 14);  // min(20, 14)
  a.scale_down.select = model::SelectPolicy::disabled;
  a.scale_down.stabilization_window_s = 0.0;
  HpaBehavior down_off(a.scale_up, a.scale_down);
  const HpaBehavior::Decision d = down_off.decide(0.0, 10, 1, 1, 100);
  EXPECT_EQ(d.replicas, 10);
  EXPECT_EQ(d.limit, "select disabled (scale_down)");
}

TEST(HpaBehavior, ScaleDownPolicies) {
  model::AutoscalingSpec a = defaults();
  a.scale_down.stabilization_window_s = 0.0;
  a.scale_down.policies = {{model::ScalingPolicyType::pods, 2, 60.0},
                           {model::ScalingPolicyType::percent, 10, 60.0}};
  HpaBehavior b(a.scale_up, a.scale_down);
  // select max: the policy allowing the larger change: 2 pods (10 % of 10 is 1).
  HpaBehavior::Decision d = b.decide(0.0, 10, 1, 1, 100);
  EXPECT_EQ(d.replicas, 8);
  EXPECT_EQ(d.limit, "scale_down policy pods 2 per 60 s");
  b.record_change(0.0, 10, 8);
  EXPECT_EQ(b.decide(30.0, 8, 1, 1, 100).replicas, 8);  // 2 already removed within 60 s
  EXPECT_EQ(b.decide(60.0, 8, 1, 1, 100).replicas, 6);
}

TEST(HpaBehavior, PercentScaleDownTruncatesAsGosIntegerConversion) {
  // proposed = int32(float64(start) * (1 - float64(value)/100)): 10 less 25 % is 7.5 -> 7;
  // 5 less 50 % is 2.5 -> 2 (a ceil would keep 8 and 3).
  model::AutoscalingSpec a = defaults();
  a.scale_down.stabilization_window_s = 0.0;
  a.scale_down.policies = {{model::ScalingPolicyType::percent, 25, 60.0}};
  HpaBehavior b(a.scale_up, a.scale_down);
  HpaBehavior::Decision d = b.decide(0.0, 10, 1, 1, 100);
  EXPECT_EQ(d.replicas, 7);
  EXPECT_EQ(d.limit, "scale_down policy percent 25 per 60 s");
  a.scale_down.policies = {{model::ScalingPolicyType::percent, 50, 60.0}};
  HpaBehavior half(a.scale_up, a.scale_down);
  EXPECT_EQ(half.decide(0.0, 5, 1, 1, 100).replicas, 2);
  // On the binary product, as the controller: 20 less 80 % is 3.999999999999999 -> 3, not 4.
  a.scale_down.policies = {{model::ScalingPolicyType::percent, 80, 60.0}};
  HpaBehavior most(a.scale_up, a.scale_down);
  EXPECT_EQ(most.decide(0.0, 20, 1, 1, 100).replicas, 3);
  // Scale-up rounds up with math.Ceil, on the binary product: 25 plus 12 % is
  // 28.000000000000004: 29.
  a.scale_up.policies = {{model::ScalingPolicyType::percent, 12, 60.0}};
  HpaBehavior up(a.scale_up, a.scale_down);
  EXPECT_EQ(up.decide(0.0, 25, 100, 1, 100).replicas, 29);
}

TEST(HpaBehavior, TheFirstCountSeenIsARecommendationForTheScaleDownWindow) {
  // maybeInitScaleDownStabilizationWindow: 10 replicas at t = 0 when the load asks for 2.
  const model::AutoscalingSpec a = defaults();
  HpaBehavior b(a.scale_up, a.scale_down);
  b.first_seen(0.0, 10);
  for (double t = 15.0; t < 300.0; t += 15.0) {
    const HpaBehavior::Decision d = b.decide(t, 10, 2, 1, 100);
    EXPECT_EQ(d.replicas, 10) << "t = " << t;
    EXPECT_EQ(d.limit, "stabilization window (scale_down, 300 s)");
  }
  EXPECT_EQ(b.decide(300.0, 10, 2, 1, 100).replicas, 2);
  // Without a scale-down window nothing is recorded: the first sync scales down.
  model::AutoscalingSpec none = defaults();
  none.scale_down.stabilization_window_s = 0.0;
  HpaBehavior c(none.scale_up, none.scale_down);
  c.first_seen(0.0, 10);
  EXPECT_EQ(c.decide(15.0, 10, 2, 1, 100).replicas, 2);
}

TEST(HpaBehavior, MinAndMaxBoundTheResult) {
  const model::AutoscalingSpec a = defaults();
  HpaBehavior b(a.scale_up, a.scale_down);
  HpaBehavior::Decision d = b.decide(0.0, 3, 4, 1, 3);
  EXPECT_EQ(d.replicas, 3);
  EXPECT_EQ(d.limit, "max 3");
}

}  // namespace
}  // namespace capsim::net
