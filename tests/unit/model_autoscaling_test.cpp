// Loading a service's autoscaling, startup_time and price_per_replica_hour: defaults, the
// initial replica count, and the exact message of every mistake.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "capsim/model/spec.hpp"
#include "model_test_support.hpp"

namespace {

using capsim::model::AutoscalerKind;
using capsim::model::Json;
using capsim::model::ScaleMetric;
using capsim::model::ScalingPolicyType;
using capsim::model::SelectPolicy;
using capsim::model::Spec;
using model_test::error;
using model_test::errors;

/// One workload on service "api", whose autoscaling is `autoscaling` (JSON text).
Json with_autoscaling(const std::string& autoscaling) {
  Json doc = model_test::minimal_model();
  doc["services"]["api"]["autoscaling"] = Json::parse(autoscaling);
  return doc;
}

const std::string at = "/services/api/autoscaling";

// ---- What loads ------------------------------------------------------------------------------

TEST(ModelAutoscaling, HpaDefaultsAreKubernetes) {
  const Spec spec = capsim::model::load(with_autoscaling(R"({"kind": "hpa", "max": 10})"), {});
  const auto& a = *spec.services[0].autoscaling;
  EXPECT_EQ(a.kind, AutoscalerKind::hpa);
  EXPECT_EQ(a.min, 1);
  EXPECT_EQ(a.max, 10);
  ASSERT_EQ(a.metrics.size(), 1u);
  EXPECT_EQ(a.metrics[0].metric, ScaleMetric::cpu);
  EXPECT_DOUBLE_EQ(a.metrics[0].target, 0.8);
  EXPECT_DOUBLE_EQ(a.sync_period_s, 15.0);
  EXPECT_DOUBLE_EQ(a.tolerance, 0.1);
  EXPECT_DOUBLE_EQ(a.metric_window_s, 30.0);
  EXPECT_DOUBLE_EQ(a.scale_up.stabilization_window_s, 0.0);
  ASSERT_EQ(a.scale_up.policies.size(), 2u);
  EXPECT_EQ(a.scale_up.policies[0].type, ScalingPolicyType::percent);
  EXPECT_EQ(a.scale_up.policies[0].value, 100);
  EXPECT_DOUBLE_EQ(a.scale_up.policies[0].period_s, 15.0);
  EXPECT_EQ(a.scale_up.policies[1].type, ScalingPolicyType::pods);
  EXPECT_EQ(a.scale_up.policies[1].value, 4);
  EXPECT_EQ(a.scale_up.select, SelectPolicy::max);
  EXPECT_DOUBLE_EQ(a.scale_down.stabilization_window_s, 300.0);
  // Per-direction tolerances default to the HPA's.
  EXPECT_FALSE(a.scale_up.tolerance.has_value());
  EXPECT_FALSE(a.scale_down.tolerance.has_value());
  ASSERT_EQ(a.scale_down.policies.size(), 1u);
  EXPECT_EQ(a.scale_down.policies[0].type, ScalingPolicyType::percent);
  EXPECT_EQ(a.scale_down.policies[0].value, 100);
  EXPECT_EQ(spec.services[0].replicas, 1);  // min, as no replicas were given
  EXPECT_DOUBLE_EQ(spec.services[0].startup_time_s, 0.0);
  EXPECT_FALSE(spec.services[0].price_per_replica_hour.has_value());
}

TEST(ModelAutoscaling, EveryHpaKeyIsRead) {
  Json doc = with_autoscaling(R"({
    "kind": "hpa", "min": 2, "max": 20, "metric": "rps", "target": 120,
    "sync_period": "10s", "tolerance": 0.05, "metric_window": "1m",
    "behavior": {
      "scale_up": { "stabilization_window": "30s", "select": "min", "tolerance": 0.2,
                    "policies": [ { "type": "pods", "value": 2, "period": "1m" } ] },
      "scale_down": { "select": "disabled" } },
    "schedule": [ { "at": "8h", "replicas": 6 }, { "at": "18h", "replicas": 2 } ] })");
  doc["services"]["api"]["replicas"] = 3;
  doc["services"]["api"]["startup_time"] = "45s";
  doc["services"]["api"]["price_per_replica_hour"] = 0.096;
  const Spec spec = capsim::model::load(doc, {});
  const auto& s = spec.services[0];
  const auto& a = *s.autoscaling;
  EXPECT_EQ(a.min, 2);
  EXPECT_EQ(a.max, 20);
  EXPECT_EQ(a.metrics[0].metric, ScaleMetric::rps);
  EXPECT_DOUBLE_EQ(a.metrics[0].target, 120.0);
  EXPECT_DOUBLE_EQ(a.sync_period_s, 10.0);
  EXPECT_DOUBLE_EQ(a.tolerance, 0.05);
  EXPECT_DOUBLE_EQ(a.metric_window_s, 60.0);
  EXPECT_DOUBLE_EQ(a.scale_up.stabilization_window_s, 30.0);
  EXPECT_EQ(a.scale_up.select, SelectPolicy::min);
  ASSERT_EQ(a.scale_up.policies.size(), 1u);
  EXPECT_EQ(a.scale_up.policies[0].type, ScalingPolicyType::pods);
  EXPECT_EQ(a.scale_up.policies[0].value, 2);
  EXPECT_DOUBLE_EQ(a.scale_up.policies[0].period_s, 60.0);
  // A direction given in part keeps the defaults of what it leaves out.
  EXPECT_EQ(a.scale_down.select, SelectPolicy::disabled);
  EXPECT_DOUBLE_EQ(*a.scale_up.tolerance, 0.2);
  EXPECT_FALSE(a.scale_down.tolerance.has_value());  // the HPA's tolerance applies
  EXPECT_DOUBLE_EQ(a.scale_down.stabilization_window_s, 300.0);
  ASSERT_EQ(a.schedule.size(), 2u);
  EXPECT_DOUBLE_EQ(a.schedule[0].at_s, 8 * 3600.0);
  EXPECT_EQ(a.schedule[1].replicas, 2);
  EXPECT_EQ(s.replicas, 3);
  EXPECT_DOUBLE_EQ(s.startup_time_s, 45.0);
  EXPECT_DOUBLE_EQ(*s.price_per_replica_hour, 0.096);
}

TEST(ModelAutoscaling, SeveralMetricsEachWithItsTarget) {
  const Spec spec = capsim::model::load(with_autoscaling(R"({"kind": "hpa", "max": 10, "metric": [
        {"metric": "cpu", "target": 0.6}, {"metric": "latency_p95", "target": "200ms"},
        {"metric": "queue_length", "target": 4}]})"),
                                        {});
  const auto& m = spec.services[0].autoscaling->metrics;
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].metric, ScaleMetric::cpu);
  EXPECT_DOUBLE_EQ(m[0].target, 0.6);
  EXPECT_EQ(m[1].metric, ScaleMetric::latency_p95);
  EXPECT_DOUBLE_EQ(m[1].target, 0.2);
  EXPECT_EQ(m[2].metric, ScaleMetric::queue_length);
  EXPECT_DOUBLE_EQ(m[2].target, 4.0);
}

TEST(ModelAutoscaling, KedaDefaultsAndZeroReplicas) {
  const Spec spec = capsim::model::load(
      with_autoscaling(R"({"kind": "keda", "max": 5, "metric": "rps", "target": 10})"), {});
  const auto& a = *spec.services[0].autoscaling;
  EXPECT_EQ(a.kind, AutoscalerKind::keda);
  EXPECT_EQ(a.min, 0);
  EXPECT_DOUBLE_EQ(a.activation_threshold, 0.0);
  EXPECT_DOUBLE_EQ(a.polling_interval_s, 30.0);
  EXPECT_DOUBLE_EQ(a.cooldown_period_s, 300.0);
  EXPECT_EQ(spec.services[0].replicas, 0);
  Json doc = with_autoscaling(R"({"kind": "keda", "max": 5, "metric": "in_flight", "target": 8,
    "activation_threshold": 0.5, "polling_interval": "10s", "cooldown_period": "2m"})");
  doc["services"]["api"]["replicas"] = 0;
  const Spec other = capsim::model::load(doc, {});
  EXPECT_DOUBLE_EQ(other.services[0].autoscaling->activation_threshold, 0.5);
  EXPECT_DOUBLE_EQ(other.services[0].autoscaling->polling_interval_s, 10.0);
  EXPECT_DOUBLE_EQ(other.services[0].autoscaling->cooldown_period_s, 120.0);
}

TEST(ModelAutoscaling, TheInitialCountIsWithinMinAndMax) {
  auto initial = [](int replicas, const std::string& autoscaling) {
    Json doc = with_autoscaling(autoscaling);
    doc["services"]["api"]["replicas"] = replicas;
    return capsim::model::load(doc, {}).services[0].replicas;
  };
  EXPECT_EQ(initial(1, R"({"kind": "hpa", "min": 3, "max": 10})"), 3);
  EXPECT_EQ(initial(30, R"({"kind": "hpa", "min": 3, "max": 10})"), 10);
  EXPECT_EQ(initial(5, R"({"kind": "hpa", "min": 3, "max": 10})"), 5);
  // A schedule step at 0 s is a minimum from the start.
  EXPECT_EQ(initial(2, R"({"kind": "hpa", "max": 10, "schedule": [{"at": 0, "replicas": 4}]})"), 4);
  // A schedule alone: replicas until its first step, or the step at 0 s.
  EXPECT_EQ(initial(2, R"({"kind": "schedule", "steps": [{"at": "1h", "replicas": 4}]})"), 2);
  EXPECT_EQ(initial(2, R"({"kind": "schedule", "steps": [{"at": 0, "replicas": 7}]})"), 7);
  const Spec spec = capsim::model::load(
      with_autoscaling(R"({"kind": "schedule", "steps": [{"at": "1h", "replicas": 4}]})"), {});
  EXPECT_EQ(spec.services[0].autoscaling->max, 4);
}

TEST(ModelAutoscaling, CacheServicesMayAutoscale) {
  Json doc = with_autoscaling(R"({"kind": "hpa", "max": 4})");
  doc["services"]["cache"] = Json::parse(
      R"({"kind": "cache", "backend": "api", "hit_ratio": 0.5,
          "autoscaling": {"kind": "hpa", "max": 3}, "startup_time": "5s"})");
  EXPECT_NO_THROW(capsim::model::load(doc, {}));
}

TEST(ModelAutoscaling, StartupTimeWithoutAutoscalingWarns) {
  Json doc = with_autoscaling("false");
  doc["services"]["api"]["startup_time"] = "30s";
  const Spec spec = capsim::model::load(doc, {});
  ASSERT_EQ(spec.warnings.size(), 1u);
  EXPECT_EQ(spec.warnings[0].text(),
            "/services/api/startup_time: has no effect without autoscaling (only replicas that "
            "an autoscaler adds start up)");
}

// ---- Mistakes --------------------------------------------------------------------------------

TEST(ModelAutoscaling, StartupTimeWithAMemoryLimitDoesNotWarn) {
  // A container killed at its memory limit restarts after its back-off and its start-up
  // (docs/memory.md): startup_time has an effect without autoscaling.
  Json doc = with_autoscaling("false");
  doc["services"]["api"]["startup_time"] = "5s";
  doc["services"]["api"]["memory"] =
      Json::parse(R"({"baseline_mib": 200, "per_request_mib": 10, "limit_mib": 500})");
  const Spec spec = capsim::model::load(doc, {});
  EXPECT_TRUE(spec.warnings.empty());
}

TEST(ModelAutoscaling, KindIsRequiredAndKnown) {
  EXPECT_EQ(error(with_autoscaling(R"({"max": 3})")),
            at + "/kind: missing; expected one of hpa, keda, schedule");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "vpa", "max": 3})")),
            at + R"(/kind: expected one of hpa, keda, schedule, found "vpa"; did you mean 'hpa'?)");
  EXPECT_EQ(error(with_autoscaling(R"("hpa")")),
            at + R"(: expected an object such as {"kind": "hpa", "min": 2, "max": 20, "metric": )"
                 R"("cpu", "target": 0.6}, or false for none, found "hpa")");
}

TEST(ModelAutoscaling, MinAndMax) {
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa"})")),
            at + "/max: missing; expected the largest replica count (an integer >= 1)");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa", "min": 5, "max": 3})")),
            at + "/max: expected an integer >= min (5), found 3");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa", "min": 0, "max": 3})")),
            at + "/min: expected an integer >= 1 (an hpa may have min 0 only with a queue_messages "
                 "metric, which can be read at zero replicas), found 0");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "keda", "max": 0, "metric": "rps", "target": 1})")),
            at + "/max: expected an integer from 1 to 100000, found 0");  // All errors at once: min
                                                                          // 0 is told beside a
                                                                          // metric's own error (its
                                                                          // name is read from the
  // document), and not when that metric is queue_messages.
  EXPECT_EQ(errors(with_autoscaling(
                R"({"kind": "hpa", "min": 0, "max": 3, "metric": "rps", "target": 0})")),
            (std::vector<std::string>{
                at + "/min: expected an integer >= 1 (an hpa may have min 0 only with a "
                     "queue_messages metric, which can be read at zero replicas), found 0",
                at + "/target: expected a rate > 0 requests per second per replica, found 0"}));
  EXPECT_EQ(
      errors(with_autoscaling(
                 R"({"kind": "hpa", "min": 0, "max": 3, "metric": [{"metric": "queue_messages",
                    "target": 0}]})"))
          .size(),
      1u);
}

TEST(ModelAutoscaling, MetricsAndTargets) {
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa", "max": 3, "metric": "cpu", "target": 60})")),
            at + "/target: expected a utilisation > 0 and <= 1 (0.6 for 60 %), found 60");
  EXPECT_EQ(
      error(with_autoscaling(R"({"kind": "hpa", "max": 3, "metric": "memroy", "target": 1})")),
      at + R"(/metric: expected one of cpu, workers, in_flight, rps, queue_length, )"
           R"(latency_p95, memory, queue_messages, found "memroy"; did you mean 'memory'?)");
  // memory is a utilisation of the request, like cpu.
  EXPECT_EQ(
      error(with_autoscaling(R"({"kind": "hpa", "max": 3, "metric": "memory", "target": 80})")),
      at + "/target: expected a utilisation > 0 and <= 1 (0.6 for 60 %), found 80");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa", "max": 3, "metric": "rps"})")),
            at + "/target: missing; expected the target value of the metric");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa", "max": 3, "metric": "rps", "target": 0})")),
            at + "/target: expected a rate > 0 requests per second per replica, found 0");
  EXPECT_EQ(error(with_autoscaling(
                R"({"kind": "hpa", "max": 3, "metric": "latency_p95", "target": "fast"})")),
            at + R"(/target: expected a duration such as "10m" or a number of seconds, found )"
                 R"("fast")");
  EXPECT_EQ(error(with_autoscaling(
                R"({"kind": "hpa", "max": 3, "metric": [{"metric": "cpu", "target": 0.5}],
                    "target": 0.5})")),
            at + "/target: not with a list of metrics: give each metric its own target");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa", "max": 3, "metric": [{"metric": "cpu"}]})")),
            at + "/metric/0/target: missing; expected the target value of the metric");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa", "max": 3, "metric": []})")),
            at + R"(/metric: expected at least one metric such as {"metric": "cpu", "target": )"
                 R"(0.6}, found [])");
  EXPECT_EQ(error(with_autoscaling(
                R"({"kind": "hpa", "max": 3, "metric": [{"metric": "cpu", "target": 0.5,
                    "weight": 2}]})")),
            at + "/metric/0/weight: unknown key; expected one of: metric, target, target_type");
  // target_type is for queue_messages (an External metric) only.
  EXPECT_EQ(
      error(with_autoscaling(
          R"({"kind": "hpa", "max": 3, "metric": "rps", "target": 10, "target_type": "value"})")),
      at + "/target_type: only for the metric queue_messages (an External metric); found it "
           "with rps");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa", "max": 3, "metric": [{"metric": "cpu",
                    "target": 0.5, "target_type": "average"}]})")),
            at + R"(/metric/0/target_type: expected one of average_value, value, found "average")");
}

TEST(ModelAutoscaling, KedaNeedsAMetricThatExistsAtZero) {
  EXPECT_EQ(
      error(with_autoscaling(R"({"kind": "keda", "max": 3, "metric": "cpu", "target": 0.5})")),
      at + R"(/metric: expected a metric that exists at zero replicas (rps, queue_length, )"
           R"(in_flight, queue_messages), found "cpu" (kind keda scales from zero))");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "keda", "max": 3})")),
            at + "/metric: missing; expected the metric KEDA watches: rps, queue_length or "
                 "in_flight");
}

TEST(ModelAutoscaling, KeysOfAnotherKind) {
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa", "max": 3, "cooldown_period": "1m"})")),
            at + "/cooldown_period: only for autoscaling of kind keda");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa", "max": 3, "steps": []})")),
            at + R"(/steps: only for autoscaling of kind schedule (an hpa or keda takes )"
                 R"("schedule": [...] as a minimum))");
  EXPECT_EQ(error(with_autoscaling(
                R"({"kind": "schedule", "min": 1, "steps": [{"at": 0, "replicas": 1}]})")),
            at + "/min: only for autoscaling of kind hpa or keda");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa", "max": 3, "targte": 0.5})")),
            at + "/targte: unknown key; did you mean 'target'?");
}

TEST(ModelAutoscaling, PeriodsToleranceAndBehavior) {
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa", "max": 3, "tolerance": 1.5})")),
            at + "/tolerance: expected a tolerance >= 0 and < 1 (0.1 for 10 %), found 1.5");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa", "max": 3, "sync_period": 0})")),
            at + "/sync_period: expected a duration > 0, found 0");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa", "max": 3, "behavior": {"scale_up": {
                    "policies": [{"type": "replicas", "value": 4, "period": "15s"}]}}})")),
            at + R"(/behavior/scale_up/policies/0/type: expected one of pods, percent, found )"
                 R"("replicas")");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa", "max": 3, "behavior": {"scale_down": {
                    "policies": [{"type": "pods", "value": 0, "period": "15s"}]}}})")),
            at + "/behavior/scale_down/policies/0/value: expected an integer from 1 to 1000000, "
                 "found 0");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa", "max": 3, "behavior": {"scale_down": {
                    "policies": [{"type": "pods", "value": 1}]}}})")),
            at + R"(/behavior/scale_down/policies/0/period: missing; expected the period of the )"
                 R"(policy, such as "15s")");
  EXPECT_EQ(error(with_autoscaling(
                R"({"kind": "hpa", "max": 3, "behavior": {"scale_down": {"policies": []}}})")),
            at + R"(/behavior/scale_down/policies: expected a non-empty array of policies such )"
                 R"(as [{"type": "pods", "value": 4, "period": "15s"}], found [])");
  EXPECT_EQ(error(with_autoscaling(
                R"({"kind": "hpa", "max": 3, "behavior": {"scale_up": {"select": "mx"}}})")),
            at + R"(/behavior/scale_up/select: expected one of max, min, disabled, found )"
                 R"("mx"; did you mean 'max'?)");
  EXPECT_EQ(error(with_autoscaling(
                R"({"kind": "hpa", "max": 3, "behavior": {"scale_down": {"tolerance": -0.1}}})")),
            at + "/behavior/scale_down/tolerance: expected a tolerance >= 0 and < 1 (0.1 for "
                 "10 %), found -0.1");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "hpa", "max": 3, "behavior": {"up": {}}})")),
            at + "/behavior/up: unknown key; expected one of: scale_up, scale_down");
}

TEST(ModelAutoscaling, ScheduleSteps) {
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "schedule"})")),
            at + R"(/steps: missing; expected the steps, such as [{"at": "8h", "replicas": 10}])");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "schedule", "steps": [
                    {"at": "1h", "replicas": 4}, {"at": "30m", "replicas": 2}]})")),
            at + R"(/steps/1/at: expected steps in time order (after 3600 s), found "30m")");
  EXPECT_EQ(error(with_autoscaling(R"({"kind": "schedule", "steps": [{"at": "1h"}]})")),
            at + "/steps/0/replicas: missing; expected the replica count from that time on");
  EXPECT_EQ(error(with_autoscaling(
                R"({"kind": "hpa", "max": 10, "schedule": [{"at": "8h", "replicas": 12}]})")),
            at + "/schedule/0/replicas: expected an integer from 0 to 10 (autoscaling max), "
                 "found 12");
}

TEST(ModelAutoscaling, ServiceKeys) {
  Json doc = with_autoscaling(R"({"kind": "hpa", "max": 3})");
  doc["services"]["api"]["startup_time"] = "-5s";
  doc["services"]["api"]["price_per_replica_hour"] = -1;
  EXPECT_EQ(errors(doc),
            (std::vector<std::string>{
                "/services/api/startup_time: expected a duration >= 0, found \"-5s\"",
                "/services/api/price_per_replica_hour: expected a number >= 0, found -1"}));
  // Zero replicas only with an autoscaler.
  Json fixed = with_autoscaling("false");
  fixed["services"]["api"]["replicas"] = 0;
  EXPECT_EQ(error(fixed), "/services/api/replicas: expected an integer from 1 to 100000, found 0");
}

TEST(ModelAutoscaling, CrashFaultsMayHitReplicasUpToMax) {
  Json doc = with_autoscaling(R"({"kind": "hpa", "max": 8})");
  doc["faults"] =
      Json::parse(R"([{"at": "1m", "kind": "crash", "service": "api", "replicas": 6}])");
  EXPECT_NO_THROW(capsim::model::load(doc, {}));
  doc["faults"][0]["replicas"] = 9;
  EXPECT_EQ(error(doc),
            "/faults/0/replicas: expected an integer from 1 to 8 (the replicas of 'api'), found 9");
}

}  // namespace
