#pragma once
// Shared by the Kubernetes importer's files (src/import/k8s*.cpp): typed reads that refuse
// with the pointer, warnings, and what an autoscaler needs to know of its target's pods.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "capsim/import/k8s.hpp"
#include "capsim/model/diagnostics.hpp"
#include "capsim/model/error.hpp"

namespace capsim::import::k8s {

using model::child;
using model::describe;
using model::Json;

[[noreturn]] inline void refuse(const std::string& pointer, const std::string& message) {
  throw model::ModelError(pointer, message);
}

/// (pointer within the object, text): a field that is read but not modelled.
using Warn = std::function<void(const std::string&, const std::string&)>;

/// The member `key` of `object` when it is an object that has it, else null.
inline const Json* member(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

/// `object`[key], which must be an object ("missing" or "expected an object").
const Json& required_object(const Json& object, const char* key, const std::string& pointer);
/// `value` as a string (refused otherwise).
std::string text(const Json& value, const std::string& pointer);
/// `value` as an integer in [min, max] (refused otherwise).
std::int64_t integer(const Json& value, const std::string& pointer, std::int64_t min,
                     std::int64_t max);
/// `value` as a quantity (a string such as "500m" or a number), >= 0.
double quantity(const Json& value, const std::string& pointer);
/// `x` as JSON: an integer when it is one, else 10 significant digits.
Json number_json(double x);
/// "30s" for 30 seconds.
std::string seconds(std::int64_t s);

/// What an autoscaler's targets are relative to: the pod's requests and the model's cores.
struct PodResources {
  std::optional<double> cpu_request_cores;
  int cores = 1;
  std::optional<double> memory_request_bytes;
};

/// The model's `autoscaling` for an HPA (autoscaling/v2, v2beta2 or v1) object, or null when
/// none of its metrics can be modelled (warned).
Json hpa_autoscaling(const Json& hpa, const PodResources& pod, const Warn& warn);
/// The model's `autoscaling` for a KEDA ScaledObject: `keda` with minReplicaCount 0, else
/// `hpa` (KEDA hands everything above zero to an HPA); null when no trigger can be modelled.
/// Each modelled aws-sqs-queue trigger appends its queue's name ("" when unknown) to
/// `sqs_queues`: the consumer's queue_messages needs a queue service.
Json keda_autoscaling(const Json& scaled_object, const PodResources& pod, const Warn& warn,
                      std::vector<std::string>& sqs_queues);

}  // namespace capsim::import::k8s
