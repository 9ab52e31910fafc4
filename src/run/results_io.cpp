/// \file The results document (to_json) and the CSV files (summary_csv, timeseries_csv); the
/// terminal summary is in summary_table.cpp, atomic writing in atomic_files.cpp.
#include "capsim/run/results_io.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "capsim/run/slo_verdict.hpp"

namespace capsim::run {

using Json = nlohmann::ordered_json;

namespace {

Json number_or_null(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}

Json estimate_json(const stats::Estimate& e) {
  Json j;
  j["mean"] = e.n > 0 ? number_or_null(e.mean) : Json(nullptr);
  if (e.ci) {
    j["ci"] = Json::array({number_or_null(e.ci->first), number_or_null(e.ci->second)});
  } else {
    j["ci"] = nullptr;
  }
  j["n"] = e.n;
  return j;
}

Json metric_json(const MergedMetric& m) {
  if (m.merge == stats::Merge::estimate) return estimate_json(m.estimate);
  return number_or_null(m.extreme);
}

std::string csv_number(double v) {
  if (!std::isfinite(v)) return "";
  return Json(v).dump();
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string opt_number(const std::optional<double>& v) {
  return v ? csv_number(*v) : "";
}

/// Whether the time series has a database's sides (a model with read replicas).
bool any_sides(const Results& r) {
  return std::any_of(r.timeseries.begin(), r.timeseries.end(),
                     [](const auto& row) { return row.primary_cpu_utilization.has_value(); });
}

}  // namespace

Json to_json(const Results& r, bool performance) {
  Json j;
  j["capsim_version"] = CAPSIM_VERSION;
  j["model"] = r.model;
  j["seed"] = r.seed;
  j["replications"] = r.replications;
  j["simulated_seconds"] = r.simulated_seconds;
  j["warmup_seconds"] = r.warmup_seconds;
  j["confidence"] = r.confidence;
  j["workloads"] = Json::object();
  j["services"] = Json::object();
  for (const MergedMetric& m : r.metrics) {
    Json* node = &j;
    for (const std::string& key : m.path) node = &(*node)[key];
    *node = metric_json(m);
  }
  j["notices"] = r.notices;
  if (r.slo) {
    Json slo;
    const bool met = slo_verdict(r).met;
    Json checks = Json::array();
    for (const SloCheck& c : *r.slo) {
      checks.push_back(Json{{"metric", c.metric},
                            {"limit", c.limit},
                            {"value", estimate_json(c.value)},
                            {"met", c.met},
                            {"confident", c.confident}});
    }
    slo["met"] = met;
    slo["checks"] = std::move(checks);
    j["slo"] = std::move(slo);
  }
  Json ts;
  ts["window_seconds"] = r.window_seconds;
  ts["columns"] = {
      "t",      "workload", "service",         "rps",          "error_rate", "p50_ms",
      "p95_ms", "p99_ms",   "cpu_utilization", "queue_length", "replicas",   "desired_replicas"};
  // memory_mib only for models with memory, so that other results keep their columns.
  const bool memory = std::any_of(r.timeseries.begin(), r.timeseries.end(),
                                  [](const auto& row) { return row.memory_mib.has_value(); });
  if (memory) ts["columns"].push_back("memory_mib");
  // nodes and pending_pods only for models with node pools (docs/nodes.md).
  const bool nodes = std::any_of(r.timeseries.begin(), r.timeseries.end(),
                                 [](const auto& row) { return row.pending_pods.has_value(); });
  if (nodes) {
    ts["columns"].push_back("nodes");
    ts["columns"].push_back("pending_pods");
  }
  // pool_in_use only for models with connection pools, likewise.
  const bool pools = std::any_of(r.timeseries.begin(), r.timeseries.end(),
                                 [](const auto& row) { return row.pool_in_use.has_value(); });
  if (pools) ts["columns"].push_back("pool_in_use");
  // A database's sides only for models with read replicas, likewise.
  const bool sides = any_sides(r);
  if (sides) {
    ts["columns"].push_back("primary_cpu_utilization");
    ts["columns"].push_back("read_replicas_cpu_utilization");
  }
  // Bands across replications only when asked for (capsim run --timeseries-bands): results
  // without them keep their columns.
  const bool bands = !r.timeseries_bands.empty();
  if (bands) {
    for (const std::string& c : banded_columns()) {
      ts["columns"].push_back(c + "_min");
      ts["columns"].push_back(c + "_max");
    }
  }
  Json rows = Json::array();
  auto opt = [](const std::optional<double>& v) { return v ? number_or_null(*v) : Json(nullptr); };
  for (std::size_t i = 0; i < r.timeseries.size(); ++i) {
    const stats::TimeSeriesRow& row = r.timeseries[i];
    rows.push_back(Json::array({row.t_s, row.workload, row.service, number_or_null(row.rps),
                                opt(row.error_rate), opt(row.p50_ms), opt(row.p95_ms),
                                opt(row.p99_ms), opt(row.cpu_utilization), opt(row.queue_length),
                                opt(row.replicas), opt(row.desired_replicas)}));
    if (memory) rows.back().push_back(opt(row.memory_mib));
    if (nodes) {
      rows.back().push_back(opt(row.nodes));
      rows.back().push_back(opt(row.pending_pods));
    }
    if (pools) rows.back().push_back(opt(row.pool_in_use));
    if (sides) {
      rows.back().push_back(opt(row.primary_cpu_utilization));
      rows.back().push_back(opt(row.read_replicas_cpu_utilization));
    }
    if (bands) {
      const TimeSeriesBand& band = r.timeseries_bands[i];
      for (std::size_t c = 0; c < band.min.size(); ++c) {
        rows.back().push_back(opt(band.min[c]));
        rows.back().push_back(opt(band.max[c]));
      }
    }
  }
  ts["rows"] = std::move(rows);
  j["timeseries"] = std::move(ts);
  Json events = Json::array();
  for (const stats::EventRow& e : r.events) {
    events.push_back(
        Json{{"t", e.t_s}, {"kind", e.kind}, {"service", e.service}, {"detail", e.detail}});
  }
  j["events"] = std::move(events);
  Json scale_events = Json::array();
  for (const stats::ScaleEventRow& e : r.scale_events) {
    scale_events.push_back(Json{{"t", e.t_s},
                                {"service", e.service},
                                {"from", e.from},
                                {"to", e.to},
                                {"metric", e.metric},
                                {"policy", e.policy},
                                {"reason", e.reason}});
  }
  j["scale_events"] = std::move(scale_events);
  if (performance) {
    j["performance"] = Json{{"events", r.performance.events},
                            {"wall_seconds", r.performance.wall_seconds},
                            {"events_per_second", r.performance.events_per_second},
                            {"peak_rss_mb", r.performance.peak_rss_mb}};
  }
  return j;
}

std::string summary_csv(const Results& r) {
  std::ostringstream out;
  out << "name,mean,ci_lo,ci_hi\n";
  for (const MergedMetric& m : r.metrics) {
    out << csv_field(m.dotted()) << ',';
    if (m.merge == stats::Merge::estimate) {
      const stats::Estimate& e = m.estimate;
      out << (e.n > 0 ? csv_number(e.mean) : "") << ',';
      out << (e.ci ? csv_number(e.ci->first) : "") << ',' << (e.ci ? csv_number(e.ci->second) : "");
    } else {
      out << csv_number(m.extreme) << ",,";
    }
    out << '\n';
  }
  return out.str();
}

std::string timeseries_csv(const Results& r) {
  std::ostringstream out;
  const bool memory = std::any_of(r.timeseries.begin(), r.timeseries.end(),
                                  [](const auto& row) { return row.memory_mib.has_value(); });
  out << "t,workload,service,rps,error_rate,p50_ms,p95_ms,p99_ms,cpu_utilization,queue_length,"
         "replicas,desired_replicas"
      << (memory ? ",memory_mib" : "");
  const bool nodes = std::any_of(r.timeseries.begin(), r.timeseries.end(),
                                 [](const auto& row) { return row.pending_pods.has_value(); });
  out << (nodes ? ",nodes,pending_pods" : "");
  const bool pools = std::any_of(r.timeseries.begin(), r.timeseries.end(),
                                 [](const auto& row) { return row.pool_in_use.has_value(); });
  out << (pools ? ",pool_in_use" : "");
  const bool sides = any_sides(r);
  out << (sides ? ",primary_cpu_utilization,read_replicas_cpu_utilization" : "");
  const bool bands = !r.timeseries_bands.empty();
  if (bands) {
    for (const std::string& c : banded_columns()) out << ',' << c << "_min," << c << "_max";
  }
  out << '\n';
  for (std::size_t i = 0; i < r.timeseries.size(); ++i) {
    const stats::TimeSeriesRow& row = r.timeseries[i];
    out << csv_number(row.t_s) << ',' << csv_field(row.workload) << ',' << csv_field(row.service)
        << ',' << csv_number(row.rps) << ',' << opt_number(row.error_rate) << ','
        << opt_number(row.p50_ms) << ',' << opt_number(row.p95_ms) << ',' << opt_number(row.p99_ms)
        << ',' << opt_number(row.cpu_utilization) << ',' << opt_number(row.queue_length) << ','
        << opt_number(row.replicas) << ',' << opt_number(row.desired_replicas);
    if (memory) out << ',' << opt_number(row.memory_mib);
    if (nodes) out << ',' << opt_number(row.nodes) << ',' << opt_number(row.pending_pods);
    if (pools) out << ',' << opt_number(row.pool_in_use);
    if (sides) {
      out << ',' << opt_number(row.primary_cpu_utilization) << ','
          << opt_number(row.read_replicas_cpu_utilization);
    }
    if (bands) {
      const TimeSeriesBand& band = r.timeseries_bands[i];
      for (std::size_t c = 0; c < band.min.size(); ++c) {
        out << ',' << opt_number(band.min[c]) << ',' << opt_number(band.max[c]);
      }
    }
    out << '\n';
  }
  return out.str();
}

}  // namespace capsim::run
