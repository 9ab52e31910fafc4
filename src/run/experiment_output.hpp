#pragma once
// Internal to experiments (not installed): helpers shared by the writers of sweep, size and
// compare outputs.

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "capsim/run/experiment.hpp"
#include "capsim/stats/format.hpp"
#include "capsim/stats/histogram.hpp"
#include "experiment_input.hpp"

namespace capsim::run::detail {

/// A finite number as JSON, anything else as null.
inline Json number_json(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}

inline std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

/// "95%".
inline std::string percent(double fraction) {
  return stats::printf_number("%g%%", fraction * 100.0);
}

/// A number for tables: four significant digits, no exponent for ordinary magnitudes.
inline std::string short_number(double v) {
  const double a = std::fabs(v);
  // Rounding noise (a difference of equal means, -1.89e-16) is zero to a reader.
  if (a < 1e-12) return "0";
  if (a != 0.0 && (a >= 1e7 || a < 1e-3)) return stats::significant(v, 3);
  if (a >= 1000) return stats::printf_number("%.0f", v);
  return stats::significant(v);
}

/// "35.1 ±0.4", "35.1" without an interval, "-" when undefined.
inline std::string cell_summary(bool defined, double mean, const std::optional<double>& lo,
                                const std::optional<double>& hi) {
  if (!defined) return "-";
  std::string text = short_number(mean);
  if (lo && hi) {
    const double half = (*hi - *lo) / 2.0;
    // Rounding leaves 1e-16 where all replications agree.
    text += " ±" + (half <= 1e-12 * std::max(1.0, std::fabs(mean)) ? "0" : short_number(half));
  }
  return text;
}

/// Whether `metric` (a dotted name) is a fraction that `capsim run` prints as a percentage:
/// error rates and error shares, degraded shares, utilisations (memory's too), rejected,
/// rate-limited and dropped shares, hit ratios, wasted work, a connection pool's timed-out and
/// refused shares.
inline bool is_fraction_metric(const std::string& metric) {
  const std::size_t dot = metric.rfind('.');
  const std::string last = dot == std::string::npos ? metric : metric.substr(dot + 1);
  for (const char* f : {"error_rate", "degraded_rate", "cpu_utilization", "worker_utilization",
                        "utilization", "rejected", "rate_limited", "dropped", "hit_ratio",
                        "wasted_work_fraction", "timeout_rate", "refused_rate"}) {
    if (last == f) return true;
  }
  return metric.find(".errors.") != std::string::npos;
}

/// Whether `metric` is a percentile read from a latency histogram (latency_ms.pNN, wait_ms.pNN,
/// phases' too): known to within Histogram::relative_error() of its value.
inline bool is_histogram_quantile(const std::string& metric) {
  const std::size_t dot = metric.rfind('.');
  if (dot == std::string::npos || dot + 1 >= metric.size() || metric[dot + 1] != 'p') return false;
  const std::string parent = metric.substr(0, dot);
  return parent.ends_with(".latency_ms") || parent.ends_with(".wait_ms");
}

/// cell_summary() for `metric`: latency percentiles with an interval no narrower than the
/// histogram's resolution; fractions as percentages, as `capsim run` prints them
/// ("12.3 ±0.4%"), other metrics in their unit.
inline std::string metric_cell(const std::string& metric, bool defined, double mean,
                               const std::optional<double>& lo, const std::optional<double>& hi) {
  if (defined && lo && hi && is_histogram_quantile(metric)) {
    // Honest about the histogram: every replication may give the same bucket midpoint (an
    // interval of 0), but the true quantile is only known to within its bucket.
    const double floor = std::fabs(mean) * stats::Histogram::relative_error();
    if ((*hi - *lo) / 2.0 < floor) {
      return cell_summary(true, mean, std::optional<double>(mean - floor),
                          std::optional<double>(mean + floor));
    }
  }
  if (!defined || !is_fraction_metric(metric)) return cell_summary(defined, mean, lo, hi);
  const auto scaled = [](const std::optional<double>& v) {
    return v ? std::optional<double>(*v * 100.0) : std::nullopt;
  };
  return cell_summary(true, mean * 100.0, scaled(lo), scaled(hi)) + "%";
}

/// Left-aligned first column, right-aligned others, two spaces apart.
inline std::string render_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  const auto length = [](const std::string& s) {
    // Count UTF-8 code points, so that "±" takes one column.
    std::size_t n = 0;
    for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    return n;
  };
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], length(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const std::string pad(width[i] - length(row[i]), ' ');
      if (i > 0) line += "  ";
      line += i == 0 ? row[i] + pad : pad + row[i];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

/// The model's SLO limits as size and sweep outputs carry them: {"latency": {"p99_ms": 200},
/// "error_rate": 0.001 or null}; an empty object when the model has no SLO.
inline Json slo_limits_json(const Experiment& e) {
  Json slo = Json::object();
  if (e.base.slo) {
    Json latency = Json::object();
    for (const auto& [p, limit] : e.base.slo->latency_s) latency[p + "_ms"] = limit * 1e3;
    slo["latency"] = std::move(latency);
    slo["error_rate"] = e.base.slo->error_rate ? Json(*e.base.slo->error_rate) : Json(nullptr);
  }
  return slo;
}

/// The fields every experiment output starts with.
inline Json header_json(const Experiment& e) {
  Json j;
  j["kind"] = kind_name(e.kind);
  j["capsim_version"] = CAPSIM_VERSION;
  j["experiment"] = e.name;
  if (!e.description.empty()) j["description"] = e.description;
  j["model"] = e.base.name;
  j["seed"] = e.base.simulation.seed;
  j["replications"] = e.replications;
  j["confidence"] = e.confidence;
  j["simulated_seconds"] = e.base.simulation.duration_s;
  j["warmup_seconds"] = e.base.simulation.warmup_s;
  return j;
}

}  // namespace capsim::run::detail
