/// \file HorizontalPodAutoscalers and KEDA ScaledObjects -> the model's `autoscaling`
/// (docs/import.md, "capsim import k8s"; the model's keys in docs/model-format.md#autoscaling).

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "k8s_parts.hpp"

namespace capsim::import::k8s {

namespace {

constexpr std::int64_t kMaxReplicas = 100'000;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool contains_any(const std::string& text, std::initializer_list<const char*> words) {
  return std::any_of(words.begin(), words.end(),
                     [&](const char* w) { return text.find(w) != std::string::npos; });
}

/// The model's metric that a custom metric's name (or a Prometheus query) most likely
/// measures; none when the name says nothing the model has.
std::optional<std::string> metric_from_name(const std::string& name) {
  const std::string n = lower(name);
  if (contains_any(n, {"latency", "duration", "response_time"})) return "latency_p95";
  if (contains_any(n, {"in_flight", "inflight", "in-flight", "concurren", "active_requests",
                       "active_connections"})) {
    return "in_flight";
  }
  if (contains_any(n, {"queue", "lag", "backlog", "pending", "messages", "depth"})) {
    return "queue_length";
  }
  if (contains_any(n, {"per_second", "rps", "qps", "requests", "request_rate", "rate("})) {
    return "rps";
  }
  return std::nullopt;
}

/// One metric of the model's list, or null.
Json model_metric(const std::string& metric, double target) {
  Json m = Json::object();
  m["metric"] = metric;
  m["target"] = number_json(target);
  return m;
}

/// A Resource (or ContainerResource) metric on cpu or memory: `type` Utilization (percent of
/// the request) or AverageValue (a quantity per pod) -> the model's utilisation of its cores
/// or of request_mib. Null (warned) when the request it is relative to is missing or the
/// target is above what the model's utilisation can reach.
Json resource_metric(const std::string& resource, const std::string& type, double value,
                     const PodResources& pod, const std::string& at, const Warn& warn) {
  double target = 0;
  if (resource == "cpu") {
    if (!pod.cpu_request_cores) {
      warn(at,
           "not modelled (the pods have no cpu request, which the HPA divides by; it "
           "cannot compute this metric either)");
      return nullptr;
    }
    // Usage per pod at the target, in cores, as a share of the model's whole cores.
    const double usage_cores =
        type == "Utilization" ? value / 100.0 * *pod.cpu_request_cores : value;
    target = usage_cores / pod.cores;
  } else if (resource == "memory") {
    if (!pod.memory_request_bytes) {
      warn(at, "not modelled (the pods have no memory request, which the HPA divides by)");
      return nullptr;
    }
    target = type == "Utilization" ? value / 100.0 : value / *pod.memory_request_bytes;
  } else {
    warn(at, "not modelled (only cpu and memory resources are)");
    return nullptr;
  }
  if (!(target > 0) || target > 1) {
    warn(at, "not modelled (a target of " + std::to_string(target) + " of the replica's " +
                 (resource == "cpu" ? "cores" : "memory request") +
                 ": the model's utilisation targets are in (0, 1])");
    return nullptr;
  }
  return model_metric(resource, target);
}

std::string choice(const Json& value, const std::string& at,
                   const std::vector<std::string>& names) {
  const std::string s = text(value, at);
  if (std::find(names.begin(), names.end(), s) == names.end()) {
    refuse(at, "expected one of: " + model::join(names) + ", found " + describe(value) +
                   model::did_you_mean(s, names));
  }
  return s;
}

/// An MetricTarget of autoscaling/v2: its type and number.
std::pair<std::string, double> metric_target(const Json& metric_source, const std::string& at) {
  const Json& target = required_object(metric_source, "target", at);
  const std::string target_at = child(at, "target");
  const Json* type_value = member(target, "type");
  if (type_value == nullptr) refuse(child(target_at, "type"), "missing; expected the target type");
  const std::string type =
      choice(*type_value, child(target_at, "type"), {"Utilization", "AverageValue", "Value"});
  if (type == "Utilization") {
    const Json* u = member(target, "averageUtilization");
    if (u == nullptr) refuse(child(target_at, "averageUtilization"), "missing; expected a percent");
    return {type, static_cast<double>(integer(*u, child(target_at, "averageUtilization"), 1,
                                              std::numeric_limits<std::int32_t>::max()))};
  }
  const char* key = type == "AverageValue" ? "averageValue" : "value";
  const Json* v = member(target, key);
  if (v == nullptr) refuse(child(target_at, key), "missing; expected a quantity");
  return {type, quantity(*v, child(target_at, key))};
}

/// One entry of an autoscaling/v2 HPA's `metrics`: a model metric, or null (warned).
Json hpa_metric(const Json& m, const std::string& at, const PodResources& pod, const Warn& warn) {
  const Json* type_value = member(m, "type");
  if (type_value == nullptr) refuse(child(at, "type"), "missing; expected the metric type");
  const std::string type = choice(*type_value, child(at, "type"),
                                  {"Resource", "ContainerResource", "Pods", "Object", "External"});
  if (type == "Resource" || type == "ContainerResource") {
    const char* key = type == "Resource" ? "resource" : "containerResource";
    const Json& source = required_object(m, key, at);
    const std::string source_at = child(at, key);
    const Json* name = member(source, "name");
    if (name == nullptr) refuse(child(source_at, "name"), "missing; expected cpu or memory");
    const auto [target_type, value] = metric_target(source, source_at);
    if (target_type == "Value") {
      refuse(child(child(source_at, "target"), "type"),
             "expected Utilization or AverageValue for a resource metric, found \"Value\"");
    }
    if (type == "ContainerResource") {
      warn(source_at,
           "modelled as a Resource metric of the whole pod (the model's replica "
           "has one container)");
    }
    return resource_metric(text(*name, child(source_at, "name")), target_type, value, pod,
                           source_at, warn);
  }
  const char* key = type == "Pods" ? "pods" : type == "Object" ? "object" : "external";
  const Json& source = required_object(m, key, at);
  const std::string source_at = child(at, key);
  const Json& metric = required_object(source, "metric", source_at);
  const Json* name_value = member(metric, "name");
  if (name_value == nullptr) refuse(child(child(source_at, "metric"), "name"), "missing");
  const std::string name = text(*name_value, child(child(source_at, "metric"), "name"));
  const auto [target_type, value] = metric_target(source, source_at);
  const auto modelled = metric_from_name(name);
  if (!modelled) {
    warn(source_at, "not modelled (the metric \"" + name +
                        "\" is none of the model's: rps, in_flight, queue_length, latency)");
    return nullptr;
  }
  if (*modelled == "latency_p95") {
    if (target_type != "Value") {
      warn(source_at,
           "not modelled (a latency is a value for the whole service: target type "
           "Value)");
      return nullptr;
    }
    warn(source_at, "\"" + name +
                        "\" modelled as the service's 95th percentile latency, "
                        "the value read as seconds");
    return model_metric("latency_p95", value);  // seconds; the model reads a number as seconds
  }
  if (target_type != "AverageValue") {
    // A Value target compares the total with the target: the model's per-replica metrics do not.
    warn(source_at, "not modelled (target type " + target_type + ": the model's " + *modelled +
                        " is per replica, as AverageValue)");
    return nullptr;
  }
  if (!(value > 0)) refuse(child(child(source_at, "target"), "averageValue"), "expected > 0");
  if (type != "Pods") {
    warn(source_at, "\"" + name + "\" modelled as the model's " + *modelled + " per replica");
  }
  return model_metric(*modelled, value);
}

/// behavior.scaleUp / scaleDown (HPAScalingRules) -> the model's scale_up / scale_down.
Json scaling_rules(const Json& rules, const std::string& at, const Warn& warn) {
  if (!rules.is_object()) refuse(at, "expected an object, found " + describe(rules));
  Json out = Json::object();
  for (const auto& [key, value] : rules.items()) {
    const std::string key_at = child(at, key);
    if (key == "stabilizationWindowSeconds") {
      out["stabilization_window"] = seconds(integer(value, key_at, 0, 3600));
    } else if (key == "selectPolicy") {
      out["select"] = lower(choice(value, key_at, {"Max", "Min", "Disabled"}));
    } else if (key == "tolerance") {
      const double t = quantity(value, key_at);
      if (t >= 1) refuse(key_at, "expected a tolerance below 1, found " + describe(value));
      out["tolerance"] = number_json(t);
    } else if (key == "policies") {
      if (!value.is_array() || value.empty()) {
        refuse(key_at, "expected a non-empty list of policies, found " + describe(value));
      }
      Json policies = Json::array();
      for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string p_at = child(key_at, i);
        const Json& p = value[i];
        const Json* type = member(p, "type");
        const Json* v = member(p, "value");
        const Json* period = member(p, "periodSeconds");
        if (type == nullptr) refuse(child(p_at, "type"), "missing; expected Pods or Percent");
        if (v == nullptr) refuse(child(p_at, "value"), "missing; expected an integer >= 1");
        if (period == nullptr) refuse(child(p_at, "periodSeconds"), "missing; expected 1 to 1800");
        Json policy = Json::object();
        policy["type"] = lower(choice(*type, child(p_at, "type"), {"Pods", "Percent"}));
        policy["value"] = integer(*v, child(p_at, "value"), 1, kMaxReplicas * 100);
        policy["period"] = seconds(integer(*period, child(p_at, "periodSeconds"), 1, 1800));
        policies.push_back(std::move(policy));
      }
      out["policies"] = std::move(policies);
    } else {
      warn(key_at, "not modelled");
    }
  }
  return out;
}

Json behavior(const Json& b, const std::string& at, const Warn& warn) {
  if (!b.is_object()) refuse(at, "expected an object, found " + describe(b));
  Json out = Json::object();
  for (const auto& [key, value] : b.items()) {
    if (key == "scaleUp") {
      out["scale_up"] = scaling_rules(value, child(at, key), warn);
    } else if (key == "scaleDown") {
      out["scale_down"] = scaling_rules(value, child(at, key), warn);
    } else {
      warn(child(at, key), "not modelled");
    }
  }
  return out;
}

/// Sets `metric` and `target` (one metric) or the list (several) on `a`; false when none.
bool set_metrics(Json& a, const Json& metrics) {
  if (metrics.empty()) return false;
  if (metrics.size() == 1) {
    for (const auto& [key, value] : metrics[0].items()) a[key] = value;  // target_type too
  } else {
    a["metric"] = metrics;
  }
  return true;
}

}  // namespace

Json hpa_autoscaling(const Json& hpa, const PodResources& pod, const Warn& warn) {
  const Json* api = member(hpa, "apiVersion");
  const std::string version = api != nullptr ? text(*api, "/apiVersion") : "";
  if (version != "autoscaling/v2" && version != "autoscaling/v2beta2" &&
      version != "autoscaling/v1") {
    refuse("/apiVersion", "expected autoscaling/v2 (or v2beta2 or v1), found " +
                              (api != nullptr ? describe(*api) : std::string("nothing")) +
                              (version == "autoscaling/v2beta1"
                                   ? " (v2beta1's metrics differ; `kubectl convert` it to v2)"
                                   : ""));
  }
  const Json& spec = required_object(hpa, "spec", "");
  Json a = Json::object();
  a["kind"] = "hpa";
  std::int64_t min = 1;
  if (const Json* m = member(spec, "minReplicas")) {
    if (m->is_number() && *m == 0) {
      refuse("/spec/minReplicas",
             "expected >= 1, found 0 (the alpha HPAScaleToZero gate is not modelled; a KEDA "
             "ScaledObject with minReplicaCount 0 is)");
    }
    min = integer(*m, "/spec/minReplicas", 1, kMaxReplicas);
  }
  const Json* max_value = member(spec, "maxReplicas");
  if (max_value == nullptr) refuse("/spec/maxReplicas", "missing; expected the most replicas");
  const std::int64_t max = integer(*max_value, "/spec/maxReplicas", min, kMaxReplicas);
  a["min"] = min;
  a["max"] = max;
  Json metrics = Json::array();
  if (version == "autoscaling/v1") {
    std::int64_t percent = 80;
    if (const Json* t = member(spec, "targetCPUUtilizationPercentage")) {
      percent = integer(*t, "/spec/targetCPUUtilizationPercentage", 1,
                        std::numeric_limits<std::int32_t>::max());
    }
    const Json m = resource_metric("cpu", "Utilization", static_cast<double>(percent), pod,
                                   "/spec/targetCPUUtilizationPercentage", warn);
    if (!m.is_null()) metrics.push_back(m);
  } else if (const Json* list = member(spec, "metrics"); list != nullptr && !list->empty()) {
    if (!list->is_array()) refuse("/spec/metrics", "expected a list, found " + describe(*list));
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Json m = hpa_metric((*list)[i], child("/spec/metrics", i), pod, warn);
      if (!m.is_null()) metrics.push_back(m);
    }
  } else {
    // "If not set, the default metric will be set to 80% average CPU utilization."
    const Json m = resource_metric("cpu", "Utilization", 80.0, pod, "/spec", warn);
    if (!m.is_null()) metrics.push_back(m);
  }
  Json rules;
  if (const Json* b = member(spec, "behavior")) rules = behavior(*b, "/spec/behavior", warn);
  for (const auto& [key, value] : spec.items()) {
    static const std::vector<std::string> kRead{"scaleTargetRef", "minReplicas",
                                                "maxReplicas",    "metrics",
                                                "behavior",       "targetCPUUtilizationPercentage"};
    if (std::find(kRead.begin(), kRead.end(), key) == kRead.end()) {
      warn(child("/spec", key), "not modelled");
    }
  }
  if (!set_metrics(a, metrics)) {
    warn("/spec", "no metric of this HPA can be modelled: the service keeps its replicas");
    return nullptr;
  }
  if (!rules.is_null()) a["behavior"] = std::move(rules);
  return a;
}

namespace {

/// A KEDA scaler that reads a queue or a rate: the metadata key of its per-replica target,
/// that key's documented default (NaN: required), the key of its activation threshold.
struct Scaler {
  const char* type;
  const char* target_key;
  double target_default;
  const char* activation_key;
  const char* metric;  ///< the model's metric ("" : from the query or mode)
};

constexpr double kRequired = std::numeric_limits<double>::quiet_NaN();
const Scaler kScalers[] = {
    {"prometheus", "threshold", kRequired, "activationThreshold", ""},
    {"rabbitmq", "value", kRequired, "activationValue", ""},
    {"aws-sqs-queue", "queueLength", 5, "activationQueueLength", "queue_messages"},
    {"kafka", "lagThreshold", 10, "activationLagThreshold", "queue_length"},
    {"redis", "listLength", 5, "activationListLength", "queue_length"},
    {"azure-queue", "queueLength", 5, "activationQueueLength", "queue_length"},
    {"azure-servicebus", "messageCount", 5, "activationMessageCount", "queue_length"},
};

double metadata_number(const Json& metadata, const char* key, double fallback,
                       const std::string& at) {
  const Json* v = member(metadata, key);
  if (v == nullptr) {
    if (std::isnan(fallback)) refuse(child(at, key), "missing; expected a number");
    return fallback;
  }
  return quantity(*v, child(at, key));
}

struct Trigger {
  Json metric;  ///< null when not modelled
  std::optional<double> activation;
  bool resource = false;  ///< cpu or memory
  std::string queue;      ///< aws-sqs-queue: the queue's name ("" : from the environment)
};

/// The queue's name in an SQS queue URL (its last path segment), or the name itself.
std::string sqs_queue_name(const std::string& url) {
  std::string name = url;
  while (!name.empty() && name.back() == '/') name.pop_back();
  const std::size_t slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

/// An aws-sqs-queue trigger's queue (its name in queueURL) and what of its metadata the model's
/// queue_messages (waiting and in flight, KEDA's default formula) does not count.
void read_sqs(const Json& metadata, const std::string& md_at, Trigger& out, const Warn& warn) {
  if (const Json* url = member(metadata, "queueURL")) {
    out.queue = sqs_queue_name(text(*url, child(md_at, "queueURL")));
  }
  if (const Json* v = member(metadata, "scaleOnInFlight")) {
    if (text(*v, child(md_at, "scaleOnInFlight")) == "false") {
      warn(child(md_at, "scaleOnInFlight"),
           "not modelled (the model's queue_messages counts the messages in flight too)");
    }
  }
  if (const Json* v = member(metadata, "scaleOnDelayed")) {
    if (text(*v, child(md_at, "scaleOnDelayed")) == "true") {
      warn(child(md_at, "scaleOnDelayed"), "not modelled (the model's queues have no delay)");
    }
  }
}

Trigger keda_trigger(const Json& t, const std::string& at, const PodResources& pod,
                     const Warn& warn) {
  const Json* type_value = member(t, "type");
  if (type_value == nullptr) refuse(child(at, "type"), "missing; expected the scaler's type");
  const std::string type = text(*type_value, child(at, "type"));
  const Json empty = Json::object();
  const Json* metadata_value = member(t, "metadata");
  const Json& metadata = metadata_value != nullptr ? *metadata_value : empty;
  const std::string md_at = child(at, "metadata");
  std::string metric_type = "AverageValue";
  if (const Json* mt = member(t, "metricType")) {
    metric_type = choice(*mt, child(at, "metricType"), {"AverageValue", "Value", "Utilization"});
  }
  Trigger out;
  if (type == "cpu" || type == "memory") {
    out.resource = true;
    if (const Json* legacy = member(metadata, "type")) {
      metric_type = choice(*legacy, child(md_at, "type"), {"Utilization", "AverageValue"});
    }
    if (metric_type == "Value") {
      refuse(child(at, "metricType"), "expected Utilization or AverageValue for " + type);
    }
    const double value = metadata_number(metadata, "value", kRequired, md_at);
    out.metric = resource_metric(type, metric_type, value, pod, at, warn);
    return out;
  }
  const Scaler* scaler = nullptr;
  for (const Scaler& s : kScalers) {
    if (type == s.type) scaler = &s;
  }
  if (scaler == nullptr) {
    warn(at, "not modelled (the " + type + " scaler measures nothing the model has)");
    return out;
  }
  const bool sqs = type == "aws-sqs-queue";
  if (metric_type != "AverageValue" && !(sqs && metric_type == "Value")) {
    warn(at, "not modelled (metricType " + metric_type +
                 ": the model's metrics are per "
                 "replica, as AverageValue)");
    return out;
  }
  std::string metric = scaler->metric;
  if (type == "prometheus") {
    const Json* query = member(metadata, "query");
    if (query == nullptr) refuse(child(md_at, "query"), "missing; expected a PromQL query");
    const auto m = metric_from_name(text(*query, child(md_at, "query")));
    if (!m || *m == "latency_p95") {
      warn(child(md_at, "query"),
           "not modelled (the query measures none of rps, in_flight, "
           "queue_length)");
      return out;
    }
    metric = *m;
    warn(child(md_at, "query"), "modelled as the model's " + metric + " per replica");
  } else if (type == "rabbitmq") {
    std::string mode = "QueueLength";
    if (const Json* m = member(metadata, "mode")) {
      mode = choice(*m, child(md_at, "mode"), {"QueueLength", "MessageRate"});
    }
    metric = mode == "QueueLength" ? "queue_length" : "rps";
  }
  const double target =
      metadata_number(metadata, scaler->target_key, scaler->target_default, md_at);
  if (!(target > 0)) refuse(child(md_at, scaler->target_key), "expected a number > 0");
  out.metric = model_metric(metric, target);
  if (sqs) {
    // The queue's messages in all (Value) or per replica (AverageValue, KEDA's default).
    if (metric_type == "Value") out.metric["target_type"] = "value";
    read_sqs(metadata, md_at, out, warn);
  }
  if (member(metadata, scaler->activation_key) != nullptr) {
    out.activation = metadata_number(metadata, scaler->activation_key, 0, md_at);
  }
  return out;
}

}  // namespace

Json keda_autoscaling(const Json& so, const PodResources& pod, const Warn& warn,
                      std::vector<std::string>& sqs_queues) {
  const Json& spec = required_object(so, "spec", "");
  std::int64_t min = 0;
  if (const Json* m = member(spec, "minReplicaCount")) {
    min = integer(*m, "/spec/minReplicaCount", 0, kMaxReplicas);
  }
  std::int64_t max = 100;
  if (const Json* m = member(spec, "maxReplicaCount")) {
    max = integer(*m, "/spec/maxReplicaCount", std::max<std::int64_t>(min, 1), kMaxReplicas);
  }
  const Json* triggers = member(spec, "triggers");
  if (triggers == nullptr || !triggers->is_array() || triggers->empty()) {
    refuse("/spec/triggers", "expected a non-empty list of triggers, found " +
                                 (triggers != nullptr ? describe(*triggers) : "nothing"));
  }
  Json metrics = Json::array();
  std::optional<double> activation;
  bool other_than_resource = false;
  for (std::size_t i = 0; i < triggers->size(); ++i) {
    const std::string at = child("/spec/triggers", i);
    Trigger t = keda_trigger((*triggers)[i], at, pod, warn);
    if (!t.resource) other_than_resource = true;
    if (t.metric.is_null()) continue;
    if (min == 0 && t.resource) {
      warn(at,
           "not modelled (cpu and memory do not exist at zero replicas; the model's keda "
           "scales on the other triggers)");
      continue;
    }
    if (t.activation) {
      if (activation && *activation != *t.activation) {
        warn(at, "activation threshold not modelled (the model has one, the first trigger's)");
      } else {
        activation = t.activation;
      }
    }
    if (t.metric["metric"] == "queue_messages") sqs_queues.push_back(t.queue);
    metrics.push_back(std::move(t.metric));
  }
  if (min == 0 && !other_than_resource) {
    refuse("/spec/minReplicaCount",
           "expected >= 1 with only cpu and memory triggers (KEDA scales to zero only on "
           "another trigger), found 0");
  }
  Json a = Json::object();
  a["kind"] = min == 0 ? "keda" : "hpa";
  a["min"] = min;
  a["max"] = max;
  if (!set_metrics(a, metrics)) {
    warn("/spec/triggers", "no trigger can be modelled: the service keeps its replicas");
    return nullptr;
  }
  const std::int64_t polling_s =
      member(spec, "pollingInterval") != nullptr
          ? integer(*member(spec, "pollingInterval"), "/spec/pollingInterval", 1, 86'400)
          : 30;
  const std::int64_t cooldown_s =
      member(spec, "cooldownPeriod") != nullptr
          ? integer(*member(spec, "cooldownPeriod"), "/spec/cooldownPeriod", 0, 86'400 * 7)
          : 300;
  if (min == 0) {
    if (activation) a["activation_threshold"] = number_json(*activation);
    a["polling_interval"] = seconds(polling_s);
    a["cooldown_period"] = seconds(cooldown_s);
  } else {
    for (const char* key : {"pollingInterval", "cooldownPeriod"}) {
      if (member(spec, key) != nullptr) {
        warn(child("/spec", key), "not modelled (with minReplicaCount >= 1 only the HPA scales)");
      }
    }
  }
  if (const Json* advanced = member(spec, "advanced")) {
    if (!advanced->is_object()) refuse("/spec/advanced", "expected an object");
    for (const auto& [key, value] : advanced->items()) {
      const std::string at = child("/spec/advanced", key);
      if (key != "horizontalPodAutoscalerConfig") {
        warn(at, "not modelled");
        continue;
      }
      if (!value.is_object()) refuse(at, "expected an object");
      for (const auto& [k, v] : value.items()) {
        if (k == "behavior") {
          a["behavior"] = behavior(v, child(at, k), warn);
        } else if (k != "name") {
          warn(child(at, k), "not modelled");
        }
      }
    }
  }
  for (const auto& [key, value] : spec.items()) {
    static const std::vector<std::string> kRead{
        "scaleTargetRef",  "minReplicaCount", "maxReplicaCount", "triggers",
        "pollingInterval", "cooldownPeriod",  "advanced"};
    if (std::find(kRead.begin(), kRead.end(), key) == kRead.end()) {
      warn(child("/spec", key), "not modelled");
    }
  }
  return a;
}

}  // namespace capsim::import::k8s
