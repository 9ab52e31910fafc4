/// \file Reading a service's `autoscaling`: a Kubernetes HorizontalPodAutoscaler (`hpa`), KEDA's
/// scaling to and from zero (`keda`), or replica counts at given times (`schedule`). It refers to
/// no other part of the model, so it is read here, apart from the model's structure (load.cpp).

#include <algorithm>
#include <cmath>

#include "loader.hpp"

namespace capsim::model::detail {

namespace {

constexpr std::int64_t max_replicas = 100000;
constexpr std::int64_t max_window_periods = 1000;
constexpr std::int64_t max_policy_value = 1000000;

bool is_utilisation(ScaleMetric m) {
  return m == ScaleMetric::cpu || m == ScaleMetric::workers || m == ScaleMetric::memory;
}

/// A metric's target: a utilisation in (0, 1], a latency (duration > 0), or a number > 0.
std::optional<double> read_target(Reader& reader, const Json& value, const std::string& pointer,
                                  ScaleMetric metric) {
  if (is_utilisation(metric)) {
    return reader.number(value, pointer, "a utilisation > 0 and <= 1 (0.6 for 60 %)",
                         [](double x) { return x > 0 && x <= 1; });
  }
  if (metric == ScaleMetric::latency_p95) return reader.duration(value, pointer, Sign::positive);
  const std::string what = metric == ScaleMetric::rps ? "a rate > 0 requests per second per replica"
                           : metric == ScaleMetric::queue_messages
                               ? "a number > 0 of messages per replica (KEDA's queueLength)"
                               : "a number > 0 per replica";
  return reader.number(value, pointer, what, [](double x) { return std::isfinite(x) && x > 0; });
}

/// `target_type`: "average_value" (per replica, the default) or "value" (a total for the
/// service, Kubernetes' Value target), only for queue_messages (an External metric).
bool read_target_type(Reader& reader, const Json* value, const std::string& pointer,
                      ScaleMetricSpec& spec) {
  if (value == nullptr) return true;
  const auto index = reader.choice(*value, pointer, {"average_value", "value"});
  if (!index) return false;
  if (spec.metric != ScaleMetric::queue_messages) {
    reader.error(pointer,
                 "only for the metric queue_messages (an External metric); found it with " +
                     std::string(scale_metric_name(spec.metric)));
    return false;
  }
  spec.total_target = *index == 1;
  return true;
}

std::optional<ScaleMetric> read_metric_name(Reader& reader, const Json& value,
                                            const std::string& pointer, bool keda) {
  const Names names(std::begin(model::kScaleMetricNames), std::end(model::kScaleMetricNames));
  const auto index = reader.choice(value, pointer, names);
  if (!index) return std::nullopt;
  const auto metric = static_cast<ScaleMetric>(*index);
  if (keda && metric != ScaleMetric::rps && metric != ScaleMetric::queue_length &&
      metric != ScaleMetric::in_flight && metric != ScaleMetric::queue_messages) {
    reader.expected(pointer,
                    "a metric that exists at zero replicas (rps, queue_length, in_flight, "
                    "queue_messages)",
                    value, " (kind keda scales from zero)");
    return std::nullopt;
  }
  return metric;
}

/// `metric` and `target`: one metric and its target, or a list of {metric, target} objects.
bool read_metrics(Reader& reader, const Json& value, const std::string& pointer, bool keda,
                  AutoscalingSpec& spec) {
  const Json* metric = find(value, "metric");
  const Json* target = find(value, "target");
  const std::string metric_at = child(pointer, "metric");
  const std::string target_at = child(pointer, "target");
  if (metric != nullptr && metric->is_array()) {
    bool ok = true;
    if (target != nullptr) {
      reader.error(target_at, "not with a list of metrics: give each metric its own target");
      ok = false;
    }
    if (metric->empty()) {
      reader.expected(metric_at, R"(at least one metric such as {"metric": "cpu", "target": 0.6})",
                      *metric);
      return false;
    }
    for (std::size_t i = 0; i < metric->size(); ++i) {
      const Json& item = (*metric)[i];
      const std::string at = child(metric_at, i);
      if (!item.is_object()) {
        reader.expected(at, R"(an object such as {"metric": "cpu", "target": 0.6})", item);
        ok = false;
        continue;
      }
      reader.check_keys(item, at, "metric", {"metric", "target", "target_type"});
      const Json* name = find(item, "metric");
      const Json* t = find(item, "target");
      if (name == nullptr) {
        reader.missing(child(at, "metric"),
                       "one of " + join(Names(std::begin(model::kScaleMetricNames),
                                              std::end(model::kScaleMetricNames))));
        ok = false;
        continue;
      }
      const auto m = read_metric_name(reader, *name, child(at, "metric"), keda);
      if (!m) {
        ok = false;
        continue;
      }
      if (t == nullptr) {
        reader.missing(child(at, "target"), "the target value of the metric");
        ok = false;
        continue;
      }
      const auto tv = read_target(reader, *t, child(at, "target"), *m);
      if (!tv) {
        ok = false;
        continue;
      }
      ScaleMetricSpec one{*m, *tv};
      if (!read_target_type(reader, find(item, "target_type"), child(at, "target_type"), one)) {
        ok = false;
        continue;
      }
      spec.metrics.push_back(one);
    }
    return ok;
  }
  ScaleMetricSpec one;  // no metric and no target: cpu at 80 %, Kubernetes' default
  if (metric != nullptr) {
    const auto m = read_metric_name(reader, *metric, metric_at, keda);
    if (!m) return false;
    one.metric = *m;
  } else if (keda) {
    reader.missing(metric_at, "the metric KEDA watches: rps, queue_length or in_flight");
    return false;
  }
  if (target != nullptr) {
    const auto t = read_target(reader, *target, target_at, one.metric);
    if (!t) return false;
    one.target = *t;
  } else if (metric != nullptr) {
    reader.missing(target_at, "the target value of the metric");
    return false;
  }
  if (!read_target_type(reader, find(value, "target_type"), child(pointer, "target_type"), one)) {
    return false;
  }
  spec.metrics.push_back(one);
  return true;
}

std::optional<ScalingPolicySpec> read_policy(Reader& reader, const Json& value,
                                             const std::string& pointer) {
  if (!value.is_object()) {
    reader.expected(pointer, R"(a policy such as {"type": "pods", "value": 4, "period": "15s"})",
                    value);
    return std::nullopt;
  }
  reader.check_keys(value, pointer, "policy", {"type", "value", "period"});
  ScalingPolicySpec policy;
  bool ok = true;
  if (const Json* type = find(value, "type")) {
    const auto index = reader.choice(*type, child(pointer, "type"), {"pods", "percent"});
    ok = index.has_value();
    if (index) policy.type = static_cast<ScalingPolicyType>(*index);
  } else {
    reader.missing(child(pointer, "type"), "pods or percent");
    ok = false;
  }
  if (const Json* v = find(value, "value")) {
    const auto n = reader.integer(*v, child(pointer, "value"), 1, max_policy_value);
    ok = ok && n.has_value();
    if (n) policy.value = static_cast<int>(*n);
  } else {
    reader.missing(child(pointer, "value"), "the pods or percent allowed per period (>= 1)");
    ok = false;
  }
  if (const Json* period = find(value, "period")) {
    const auto s = reader.duration(*period, child(pointer, "period"), Sign::positive);
    ok = ok && s.has_value();
    if (s) policy.period_s = *s;
  } else {
    reader.missing(child(pointer, "period"), R"(the period of the policy, such as "15s")");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return policy;
}

bool read_rules(Reader& reader, const Json& value, const std::string& pointer,
                ScalingRulesSpec& rules) {
  if (!value.is_object()) {
    reader.expected(
        pointer, R"(an object such as {"stabilization_window": "5m", "policies": [...]})", value);
    return false;
  }
  reader.check_keys(value, pointer, "scaling_rules",
                    {"stabilization_window", "policies", "select", "tolerance"});
  bool ok = true;
  if (const Json* window = find(value, "stabilization_window")) {
    const auto s =
        reader.duration(*window, child(pointer, "stabilization_window"), Sign::non_negative);
    ok = s.has_value();
    if (s) rules.stabilization_window_s = *s;
  }
  if (const Json* policies = find(value, "policies")) {
    const std::string at = child(pointer, "policies");
    if (!policies->is_array() || policies->empty()) {
      reader.expected(
          at,
          R"(a non-empty array of policies such as [{"type": "pods", "value": 4, "period": "15s"}])",
          *policies);
      ok = false;
    } else {
      rules.policies.clear();
      for (std::size_t i = 0; i < policies->size(); ++i) {
        auto p = read_policy(reader, (*policies)[i], child(at, i));
        ok = ok && p.has_value();
        if (p) rules.policies.push_back(*p);
      }
    }
  }
  if (const Json* select = find(value, "select")) {
    const auto index = reader.choice(*select, child(pointer, "select"), {"max", "min", "disabled"});
    ok = ok && index.has_value();
    if (index) rules.select = static_cast<SelectPolicy>(*index);
  }
  if (const Json* tolerance = find(value, "tolerance")) {
    const auto t = reader.number(*tolerance, child(pointer, "tolerance"),
                                 "a tolerance >= 0 and < 1 (0.1 for 10 %)",
                                 [](double x) { return x >= 0 && x < 1; });
    ok = ok && t.has_value();
    if (t) rules.tolerance = *t;
  }
  return ok;
}

bool read_behavior(Reader& reader, const Json& value, const std::string& pointer,
                   AutoscalingSpec& spec) {
  if (!value.is_object()) {
    reader.expected(pointer, R"(an object such as {"scale_down": {"stabilization_window": "5m"}})",
                    value);
    return false;
  }
  reader.check_keys(value, pointer, "behavior", {"scale_up", "scale_down"});
  bool ok = true;
  if (const Json* up = find(value, "scale_up")) {
    ok = read_rules(reader, *up, child(pointer, "scale_up"), spec.scale_up);
  }
  if (const Json* down = find(value, "scale_down")) {
    ok = read_rules(reader, *down, child(pointer, "scale_down"), spec.scale_down) && ok;
  }
  return ok;
}

/// Steps `[{"at": "8h", "replicas": 10}, ...]` in time order, counts up to `max`.
bool read_steps(Reader& reader, const Json& value, const std::string& pointer, std::int64_t max,
                const std::string& max_what, std::vector<ScheduleStepSpec>& steps) {
  if (!value.is_array() || value.empty()) {
    reader.expected(pointer, R"(a non-empty array of steps such as [{"at": "8h", "replicas": 10}])",
                    value);
    return false;
  }
  bool ok = true;
  double previous = -1.0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const Json& item = value[i];
    const std::string at = child(pointer, i);
    if (!item.is_object()) {
      reader.expected(at, R"(a step such as {"at": "8h", "replicas": 10})", item);
      ok = false;
      continue;
    }
    reader.check_keys(item, at, "schedule_step", {"at", "replicas"});
    ScheduleStepSpec step;
    bool step_ok = true;
    if (const Json* t = find(item, "at")) {
      const auto s = reader.duration(*t, child(at, "at"), Sign::non_negative);
      step_ok = s.has_value();
      if (s) {
        if (*s <= previous) {
          reader.expected(child(at, "at"),
                          "steps in time order (after " + seconds_text(previous) + ")", *t);
          step_ok = false;
        }
        step.at_s = *s;
        previous = std::max(previous, *s);
      }
    } else {
      reader.missing(child(at, "at"), R"(the time of the step, such as "8h")");
      step_ok = false;
    }
    if (const Json* n = find(item, "replicas")) {
      const std::string where = child(at, "replicas");
      if (const auto count = reader.integer(*n, where, 0, max_replicas)) {
        if (*count > max) {
          reader.expected(where,
                          "an integer from 0 to " + std::to_string(max) +
                              (max_what.empty() ? "" : " " + max_what),
                          *n);
          step_ok = false;
        } else {
          step.replicas = static_cast<int>(*count);
        }
      } else {
        step_ok = false;
      }
    } else {
      reader.missing(child(at, "replicas"), "the replica count from that time on");
      step_ok = false;
    }
    ok = ok && step_ok;
    if (step_ok) steps.push_back(step);
  }
  return ok;
}

}  // namespace

std::optional<AutoscalingSpec> read_autoscaling(Reader& reader, const Json& value,
                                                const std::string& pointer) {
  if (!value.is_object()) {
    reader.expected(
        pointer,
        R"(an object such as {"kind": "hpa", "min": 2, "max": 20, "metric": "cpu", "target": 0.6}, or false for none)",
        value);
    return std::nullopt;
  }
  AutoscalingSpec spec;
  spec.pointer = pointer;
  const Json* kind = find(value, "kind");
  if (kind == nullptr) {
    reader.missing(child(pointer, "kind"), "one of hpa, keda, schedule");
    return std::nullopt;
  }
  const auto index = reader.choice(*kind, child(pointer, "kind"), {"hpa", "keda", "schedule"});
  if (!index) return std::nullopt;
  spec.kind = static_cast<AutoscalerKind>(*index);

  // The keys of each kind; the keys of another kind are refused by name.
  const Names hpa_keys{"kind",          "min",         "max",         "metric",
                       "target",        "target_type", "sync_period", "tolerance",
                       "metric_window", "behavior",    "schedule"};
  const Names keda_only{"activation_threshold", "polling_interval", "cooldown_period"};
  const Names schedule_keys{"kind", "steps"};
  Names own, others;
  switch (spec.kind) {
    case AutoscalerKind::hpa:
      own = hpa_keys;
      others = keda_only;
      others.push_back("steps");
      break;
    case AutoscalerKind::keda:
      own = hpa_keys;
      own.insert(own.end(), keda_only.begin(), keda_only.end());
      others = {"steps"};
      break;
    case AutoscalerKind::schedule:
      own = schedule_keys;
      others = hpa_keys;
      others.erase(others.begin());  // "kind"
      others.insert(others.end(), keda_only.begin(), keda_only.end());
      break;
  }
  reader.check_keys(value, pointer, "autoscaling", own, others);
  bool ok = true;
  for (std::string_view key : others) {
    if (find(value, key) == nullptr) continue;
    std::string kinds;
    if (key == "steps") {
      kinds = "schedule (an hpa or keda takes \"schedule\": [...] as a minimum)";
    } else if (std::find(keda_only.begin(), keda_only.end(), key) != keda_only.end()) {
      kinds = "keda";
    } else {
      kinds = "hpa or keda";
    }
    reader.error(child(pointer, key), "only for autoscaling of kind " + kinds);
    ok = false;
  }

  if (spec.kind == AutoscalerKind::schedule) {
    if (const Json* steps = find(value, "steps")) {
      ok = read_steps(reader, *steps, child(pointer, "steps"), max_replicas, "", spec.schedule) &&
           ok;
    } else {
      reader.missing(child(pointer, "steps"),
                     R"(the steps, such as [{"at": "8h", "replicas": 10}])");
      ok = false;
    }
    spec.min = 0;
    spec.max = 0;
    for (const ScheduleStepSpec& s : spec.schedule) spec.max = std::max(spec.max, s.replicas);
    spec.metrics.clear();
    if (!ok) return std::nullopt;
    return spec;
  }

  const bool keda = spec.kind == AutoscalerKind::keda;
  spec.min = keda ? 0 : 1;
  if (const Json* min = find(value, "min")) {
    // An HPA's minimum may be 0 with a queue_messages metric (checked below).
    const auto n = reader.integer(*min, child(pointer, "min"), 0, max_replicas);
    ok = ok && n.has_value();
    if (n) spec.min = static_cast<int>(*n);
  }
  bool max_ok = false;
  if (const Json* max = find(value, "max")) {
    const std::string at = child(pointer, "max");
    const std::int64_t lowest = std::max(1, spec.min);
    if (const auto n = reader.integer(*max, at, 1, max_replicas)) {
      if (*n < lowest) {
        reader.expected(at, "an integer >= min (" + std::to_string(lowest) + ")", *max);
        ok = false;
      } else {
        spec.max = static_cast<int>(*n);
        max_ok = true;
      }
    } else {
      ok = false;
    }
  } else {
    reader.missing(child(pointer, "max"), "the largest replica count (an integer >= 1)");
    ok = false;
  }
  const bool metrics_ok = read_metrics(reader, value, pointer, keda, spec);
  if (!keda && spec.min == 0 && find(value, "min") != nullptr) {
    // Kubernetes allows minReplicas 0 (HPAScaleToZero) only with an Object or External metric,
    // which can be read while no pod runs: here queue_messages. Told even when a metric has an
    // error of its own (all errors at once): the metrics' names are read from the document.
    const auto names_queue = [](const Json& m) {
      const Json* name = m.is_object() ? find(m, "metric") : &m;
      return name != nullptr && *name == Json("queue_messages");
    };
    bool external = std::any_of(spec.metrics.begin(), spec.metrics.end(), [](const auto& m) {
      return m.metric == ScaleMetric::queue_messages;
    });
    if (const Json* metric = find(value, "metric"); metric != nullptr && !metrics_ok) {
      external = metric->is_array() ? std::any_of(metric->begin(), metric->end(), names_queue)
                                    : names_queue(*metric);
    }
    if (!external) {
      reader.expected(child(pointer, "min"),
                      "an integer >= 1 (an hpa may have min 0 only with a queue_messages metric, "
                      "which can be read at zero replicas)",
                      *find(value, "min"));
      ok = false;
    }
  }
  ok = metrics_ok && ok;
  if (const Json* period = find(value, "sync_period")) {
    const auto s = reader.duration(*period, child(pointer, "sync_period"), Sign::positive);
    ok = ok && s.has_value();
    if (s) spec.sync_period_s = *s;
  }
  if (const Json* tolerance = find(value, "tolerance")) {
    const auto t = reader.number(*tolerance, child(pointer, "tolerance"),
                                 "a tolerance >= 0 and < 1 (0.1 for 10 %)",
                                 [](double x) { return x >= 0 && x < 1; });
    ok = ok && t.has_value();
    if (t) spec.tolerance = *t;
  }
  if (const Json* window = find(value, "metric_window")) {
    const auto s = reader.duration(*window, child(pointer, "metric_window"), Sign::positive);
    ok = ok && s.has_value();
    if (s) spec.metric_window_s = *s;
  }
  if (const Json* behavior = find(value, "behavior")) {
    ok = read_behavior(reader, *behavior, child(pointer, "behavior"), spec) && ok;
  }
  if (const Json* schedule = find(value, "schedule")) {
    ok = read_steps(reader, *schedule, child(pointer, "schedule"), max_ok ? spec.max : max_replicas,
                    max_ok ? "(autoscaling max)" : "", spec.schedule) &&
         ok;
  }
  if (keda) {
    if (const Json* threshold = find(value, "activation_threshold")) {
      const auto t = reader.signed_number(*threshold, child(pointer, "activation_threshold"),
                                          Sign::non_negative);
      ok = ok && t.has_value();
      if (t) spec.activation_threshold = *t;
    }
    if (const Json* polling = find(value, "polling_interval")) {
      const auto s = reader.duration(*polling, child(pointer, "polling_interval"), Sign::positive);
      ok = ok && s.has_value();
      if (s) spec.polling_interval_s = *s;
    }
    if (const Json* cooldown = find(value, "cooldown_period")) {
      const auto s =
          reader.duration(*cooldown, child(pointer, "cooldown_period"), Sign::non_negative);
      ok = ok && s.has_value();
      if (s) spec.cooldown_period_s = *s;
    }
  }
  // The metrics keep a snapshot per sync (and poll) within the metric window, and latency_p95 a
  // histogram per sync period of it: the window may span a bounded number of them.
  if (ok) {
    const double period =
        keda ? std::min(spec.sync_period_s, spec.polling_interval_s) : spec.sync_period_s;
    const double periods = spec.metric_window_s / period;
    if (!(periods <= max_window_periods)) {
      reader.error(child(pointer, "metric_window"),
                   "expected a metric window of at most " + std::to_string(max_window_periods) +
                       (keda ? " sync periods or polling intervals" : " sync periods") + " (" +
                       seconds_text(max_window_periods * period) + "), found " +
                       seconds_text(spec.metric_window_s));
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return spec;
}

}  // namespace capsim::model::detail
