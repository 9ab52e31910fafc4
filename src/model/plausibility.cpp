/// \file Unit-plausibility warnings (plausibility.hpp).
///
/// Only bare numbers are judged: a string with a unit ("30s") says what it means. The likely
/// intended unit is the largest of ms and us that makes the value plausible for its place.

#include "plausibility.hpp"

#include <sstream>
#include <string_view>

#include "capsim/model/diagnostics.hpp"

namespace capsim::model::detail {

namespace {

std::string number_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

/// "30 s", "1.5 min", "2.8 h": a duration as a reader says it.
std::string seconds_text(double s) {
  std::ostringstream out;
  out.precision(3);
  if (s >= 3600.0) {
    out << s / 3600.0 << " h";
  } else if (s >= 60.0) {
    out << s / 60.0 << " min";
  } else {
    out << s << " s";
  }
  return out.str();
}

void judge(const Json& value, const std::string& pointer, double limit_s, std::string_view place,
           Reader& reader) {
  if (!value.is_number()) return;
  const double v = value.get<double>();
  if (!(v > limit_s)) return;
  std::string unit = "ms";
  if (v / 1e3 > limit_s) unit = "us";
  reader.warning(pointer, "the bare number " + number_text(v) + " is seconds (" + seconds_text(v) +
                              "), implausible for " + std::string(place) + " (over " +
                              seconds_text(limit_s) + "); if " +
                              (unit == "ms" ? "milliseconds" : "microseconds") +
                              " were meant, write \"" + number_text(v) + unit + "\"");
}

/// The duration parameters of a distribution (docs/model-format.md, Distributions).
void judge_distribution(const Json& dist, const std::string& pointer, Reader& reader) {
  constexpr std::string_view place = "a service time";
  if (!dist.is_object()) {
    judge(dist, pointer, kMaxPlausibleWork_s, place, reader);
    return;
  }
  for (const char* key : {"value", "mean", "min", "max", "p50", "p99", "scale"}) {
    if (const Json* v = find(dist, key))
      judge(*v, child(pointer, key), kMaxPlausibleWork_s, place, reader);
  }
  for (const char* key : {"means", "samples"}) {
    const Json* list = find(dist, key);
    if (list == nullptr || !list->is_array()) continue;
    for (std::size_t i = 0; i < list->size(); ++i) {
      judge((*list)[i], child(child(pointer, key), i), kMaxPlausibleWork_s, place, reader);
    }
  }
  if (const Json* parts = find(dist, "components"); parts != nullptr && parts->is_array()) {
    for (std::size_t i = 0; i < parts->size(); ++i) {
      judge_distribution((*parts)[i], child(child(pointer, "components"), i), reader);
    }
  }
}

void walk(const Json& node, const std::string& pointer, Reader& reader) {
  if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) walk(node[i], child(pointer, i), reader);
    return;
  }
  if (!node.is_object()) return;
  for (const auto& [key, member] : node.items()) {
    const std::string here = child(pointer, key);
    if (key == "work") {
      judge_distribution(member, here, reader);
    } else if (key == "timeout") {
      judge(member, here, kMaxPlausibleLimit_s, "a timeout", reader);
    } else {
      walk(member, here, reader);
    }
  }
}

}  // namespace

void check_plausibility(const Json& doc, Reader& reader) {
  if (!doc.is_object()) return;
  for (const auto& [key, member] : doc.items()) {
    if (key == "slo") {
      const Json* latency = member.is_object() ? find(member, "latency") : nullptr;
      if (latency != nullptr && latency->is_object()) {
        for (const auto& [percentile, limit] : latency->items()) {
          judge(limit, child(child("/slo", "latency"), percentile), kMaxPlausibleLimit_s,
                "an SLO latency limit", reader);
        }
      }
    } else if (key == "services" || key == "workloads") {
      walk(member, child("", key), reader);
    }
  }
}

}  // namespace capsim::model::detail
