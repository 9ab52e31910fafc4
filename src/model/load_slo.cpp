/// \file The top-level `slo`: latency percentiles and an error rate that results are judged by.

#include <algorithm>

#include "model_loader.hpp"

namespace capsim::model::detail {

std::optional<SloSpec> ModelLoader::read_slo(const Json& value, const std::string& pointer) {
  if (!value.is_object()) {
    reader_.expected(pointer, R"(an object such as {"latency": {"p99": "200ms"}})", value);
    return std::nullopt;
  }
  reader_.check_keys(value, pointer, "slo", {"latency", "error_rate"});
  SloSpec spec;
  if (const Json* latency = find(value, "latency")) {
    const std::string at = child(pointer, "latency");
    const Names percentiles{"p50", "p90", "p95", "p99", "p999", "mean", "max"};
    if (!latency->is_object()) {
      reader_.expected(at, R"(an object such as {"p99": "200ms"})", *latency);
    } else {
      reader_.check_keys(*latency, at, "latency", percentiles);
      for (const auto& [key, limit] : latency->items()) {
        if (std::find(percentiles.begin(), percentiles.end(), key) == percentiles.end()) continue;
        if (const auto seconds = reader_.duration(limit, child(at, key), Sign::positive)) {
          spec.latency_s.emplace_back(key, *seconds);
        }
      }
    }
  }
  if (const Json* error_rate = find(value, "error_rate")) {
    spec.error_rate =
        reader_.number(*error_rate, child(pointer, "error_rate"), "a fraction from 0 to 1",
                       [](double x) { return x >= 0 && x <= 1; });
  }
  return spec;
}

}  // namespace capsim::model::detail
