/// \file A pod's `disruption_budget` (docs/nodes.md#poddisruptionbudgets): a PodDisruptionBudget
/// over the service's pods, with exactly one of `min_available` and `max_unavailable`, each a
/// count or a whole percentage (Kubernetes' IntOrString), as the policy/v1 API validates it.

#include "loader.hpp"

namespace capsim::model::detail {

std::optional<DisruptionBudgetSpec> read_disruption_budget(Reader& reader, const Json& value,
                                                           const std::string& pointer) {
  if (!value.is_object()) {
    reader.expected(
        pointer, R"(an object such as {"min_available": 2} or {"max_unavailable": "25%"})", value);
    return std::nullopt;
  }
  reader.check_keys(value, pointer, "disruption_budget", {"min_available", "max_unavailable"});
  const Json* min = find(value, "min_available");
  const Json* max = find(value, "max_unavailable");
  if (min != nullptr && max != nullptr) {
    reader.error(child(pointer, "max_unavailable"),
                 "expected one of min_available and max_unavailable, found both (a "
                 "PodDisruptionBudget has one)");
    return std::nullopt;
  }
  if (min == nullptr && max == nullptr && value.empty()) {  // (an unknown key is told above)
    reader.missing(child(pointer, "min_available"),
                   R"(how many pods must stay available (a count or a percentage such as "50%"), )"
                   R"(or "max_unavailable")");
    return std::nullopt;
  }
  if (min == nullptr && max == nullptr) return std::nullopt;
  DisruptionBudgetSpec budget;
  budget.min_available = min != nullptr;
  const Json& v = min != nullptr ? *min : *max;
  const std::string at = child(pointer, min != nullptr ? "min_available" : "max_unavailable");
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0 && v.get<std::int64_t>() <= 100000) {
    budget.value = static_cast<double>(v.get<std::int64_t>());
    return budget;
  }
  if (v.is_string()) {
    if (const auto p = whole_percent(v.get_ref<const std::string&>()); p && *p <= 100.0) {
      budget.value = *p;
      budget.percent = true;
      return budget;
    }
  }
  reader.expected(
      at, R"(a number of pods from 0 to 100000 or a percentage up to 100%, such as "50%")", v);
  return std::nullopt;
}

}  // namespace capsim::model::detail
