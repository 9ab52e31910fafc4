#include "capsim/run/results_io.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
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

namespace {

/// "12.3 ±0.4" with a precision suited to the magnitude; "-" when undefined.
std::string format_estimate(const stats::Estimate& e, double scale = 1.0, int digits = -1) {
  if (e.n == 0 || !std::isfinite(e.mean)) return "-";
  const double m = e.mean * scale;
  int d = digits;
  if (d < 0) d = std::abs(m) >= 100 ? 0 : std::abs(m) >= 10 ? 1 : std::abs(m) >= 1 ? 2 : 3;
  std::ostringstream out;
  out << std::fixed << std::setprecision(d) << m;
  if (e.ci) out << " ±" << std::setprecision(d) << (e.ci->second - e.ci->first) / 2.0 * scale;
  return out.str();
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::string render() const {
    std::vector<std::size_t> width(header.size(), 0);
    auto measure = [](const std::string& s) {
      // Count UTF-8 code points, not bytes ("±" is two bytes).
      std::size_t n = 0;
      for (unsigned char c : s) n += (c & 0xc0) != 0x80;
      return n;
    };
    for (std::size_t i = 0; i < header.size(); ++i) width[i] = measure(header[i]);
    for (const auto& row : rows) {
      for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], measure(row[i]));
    }
    std::ostringstream out;
    auto line = [&](const std::vector<std::string>& cells) {
      for (std::size_t i = 0; i < cells.size(); ++i) {
        const std::size_t pad = width[i] - measure(cells[i]);
        if (i == 0) {
          out << cells[i] << std::string(pad, ' ');
        } else {
          out << "  " << std::string(pad, ' ') << cells[i];
        }
      }
      out << '\n';
    };
    line(header);
    for (const auto& row : rows) line(row);
    return out.str();
  }
};

/// Errors at or above this fraction make the latency columns worth a caveat.
constexpr double kSignificantErrorRate = 0.01;

/// What a reader might misread in a workload's row (issue 15): percentiles of successful
/// requests only under many errors, and done/s above offered/s.
std::vector<std::string> reading_notes(const Results& r, const std::string& workload) {
  std::vector<std::string> notes;
  const std::string p = "workloads." + workload + ".";
  const auto mean = [&](const std::string& name) -> std::optional<double> {
    const MergedMetric* m = r.find(p + name);
    if (m == nullptr || m->estimate.n == 0 || !std::isfinite(m->estimate.mean)) return {};
    return m->estimate.mean;
  };
  const auto pct = [](double f) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(2) << f * 100.0 << '%';
    return out.str();
  };
  if (const auto errors = mean("error_rate"); errors && *errors >= kSignificantErrorRate) {
    // By kind, largest first: a 429 from a rate limit asks for another remedy than a 5xx.
    std::vector<std::pair<double, std::string>> kinds;
    for (const auto& [name, label] :
         {std::pair{"timeout", "timed out"}, std::pair{"rejected", "rejected (503)"},
          std::pair{"rate_limited", "rate limited (429)"},
          std::pair{"circuit_open", "circuit open"}, std::pair{"error", "errors (5xx)"},
          std::pair{"throttled", "throttled"}}) {
      const auto share = mean(std::string("errors.") + name);
      if (share && *share > 0.0) kinds.emplace_back(*share, label);
    }
    std::stable_sort(kinds.begin(), kinds.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::string by_kind;
    for (const auto& [share, label] : kinds) {
      by_kind += (by_kind.empty() ? " (" : ", ") + label + " " + pct(share);
    }
    if (!by_kind.empty()) by_kind += ")";
    if (mean("latency_ms.p50")) {
      notes.push_back(workload + ": " + pct(*errors) + " of requests failed" + by_kind +
                      "; the latency columns cover the successful " + pct(1.0 - *errors) + " only");
    } else {
      notes.push_back(workload + ": no request succeeded" + by_kind +
                      "; its latencies are undefined (-)");
    }
  }
  const auto offered = mean("offered_rps");
  const auto done = mean("throughput_rps");
  if (offered && done && *offered > 0.0 && *done > *offered * 1.01) {
    std::ostringstream out;
    out << workload << ": done/s is above offered/s: it counts the requests that finished in the "
        << "measured time, some sent before the warm-up ended (a backlog";
    if (const auto attempts = mean("attempts_per_request"); attempts && *attempts > 1.0) {
      out << ", kept alive by retries: " << std::fixed << std::setprecision(2) << *attempts
          << " attempts per request";
    }
    out << "); it is not capacity beyond the load";
    notes.push_back(out.str());
  }
  return notes;
}

/// The named phases (simulation.phases), one row per phase and workload: what its clients saw
/// in the phase, and the busiest service's cpu then. Empty when the model names no phase.
template <class Format>
std::string phases_table(const Results& r, Format format) {
  std::vector<std::string> phases, workloads, services;
  for (const MergedMetric& m : r.metrics) {
    if (m.path.size() < 5 || m.path[0] != "phases") continue;
    const auto remember = [](std::vector<std::string>& list, const std::string& name) {
      if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
    };
    remember(phases, m.path[1]);
    remember(m.path[2] == "workloads" ? workloads : services, m.path[3]);
  }
  if (phases.empty()) return "";
  auto est = [&](const std::string& name) -> stats::Estimate {
    const MergedMetric* m = r.find(name);
    return m ? m->estimate : stats::Estimate{};
  };
  Table t{{"phase", "workload", "offered/s", "done/s", "errors", "p50 ms", "p99 ms", "busiest cpu"},
          {}};
  for (const std::string& ph : phases) {
    // The service with the highest mean cpu in the phase.
    std::string busiest;
    stats::Estimate busiest_cpu;
    for (const std::string& sv : services) {
      const stats::Estimate cpu = est("phases." + ph + ".services." + sv + ".cpu_utilization");
      if (cpu.n > 0 && std::isfinite(cpu.mean) &&
          (busiest.empty() || cpu.mean > busiest_cpu.mean)) {
        busiest = sv;
        busiest_cpu = cpu;
      }
    }
    const std::string busiest_text =
        busiest.empty() ? "-" : busiest + " " + format(busiest_cpu, 100.0, 1) + "%";
    for (const std::string& w : workloads) {
      const std::string p = "phases." + ph + ".workloads." + w + ".";
      t.rows.push_back({ph, w, format(est(p + "offered_rps"), 1.0, -1),
                        format(est(p + "throughput_rps"), 1.0, -1),
                        format(est(p + "error_rate"), 100.0, 2) + "%",
                        format(est(p + "latency_ms.p50"), 1.0, -1),
                        format(est(p + "latency_ms.p99"), 1.0, -1), busiest_text});
    }
  }
  // Built piecewise: GCC 12 warns falsely (-Wrestrict) about "literal" + std::string.
  std::string out(1, '\n');
  out += t.render();
  return out;
}

/// The busiest time-series window after the warm-up (workloads.W.peak.*, services.S.peak.*):
/// offered rate per workload; arrivals, queue and cpu per service. Means over replications of
/// each replication's largest window average. Empty when the results have no peaks.
std::string peaks_table(const Results& r, const std::vector<std::string>& workloads,
                        const std::vector<std::string>& services) {
  auto est = [&](const std::string& name) -> stats::Estimate {
    const MergedMetric* m = r.find(name);
    return m ? m->estimate : stats::Estimate{};
  };
  bool any = false;
  for (const std::string& n : workloads)
    any = any || r.find("workloads." + n + ".peak.offered_rps");
  if (!any) return "";
  std::ostringstream window;
  window << "peak (" << r.window_seconds << " s window)";
  Table t{{window.str(), "offered/s", "arrivals/s", "queue", "cpu"}, {}};
  for (const std::string& n : workloads) {
    t.rows.push_back({n, format_estimate(est("workloads." + n + ".peak.offered_rps")), "", "", ""});
  }
  for (const std::string& n : services) {
    const std::string p = "services." + n + ".peak.";
    const stats::Estimate cpu = est(p + "cpu_utilization");
    t.rows.push_back(
        {n, "", format_estimate(est(p + "arrival_rps")), format_estimate(est(p + "queue_length")),
         cpu.n == 0 || !std::isfinite(cpu.mean) ? "-" : format_estimate(cpu, 100.0, 1) + "%"});
  }
  // Workload rows end in empty cells: no trailing blanks.
  const std::string table = t.render();
  std::string out(1, '\n');
  std::size_t at = 0;
  while (at < table.size()) {
    const std::size_t eol = table.find('\n', at);
    std::string line = table.substr(at, eol - at);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
    at = eol + 1;
  }
  return out;
}

/// With simulation.per_endpoint: one row per endpoint of each service (services.S.endpoints.E.*).
/// Empty when the results have none.
std::string endpoints_table(const Results& r) {
  std::vector<std::pair<std::string, std::string>> rows;  // (service, endpoint), results' order
  for (const MergedMetric& m : r.metrics) {
    if (m.path.size() < 5 || m.path[0] != "services" || m.path[2] != "endpoints") continue;
    std::pair<std::string, std::string> row{m.path[1], m.path[3]};
    if (std::find(rows.begin(), rows.end(), row) == rows.end()) rows.push_back(std::move(row));
  }
  if (rows.empty()) return "";
  Table t{{"endpoint", "arrivals/s", "done/s", "errors", "mean ms", "p50 ms", "p95 ms", "p99 ms"},
          {}};
  for (const auto& [service, endpoint] : rows) {
    const std::string p = "services." + service + ".endpoints." + endpoint + ".";
    auto est = [&r, &p](const char* name) {
      const MergedMetric* m = r.find(p + name);
      return m ? m->estimate : stats::Estimate{};
    };
    t.rows.push_back(
        {service + "." + endpoint, format_estimate(est("arrival_rps")),
         format_estimate(est("throughput_rps")), format_estimate(est("error_rate"), 100.0, 2) + "%",
         format_estimate(est("latency_ms.mean")), format_estimate(est("latency_ms.p50")),
         format_estimate(est("latency_ms.p95")), format_estimate(est("latency_ms.p99"))});
  }
  std::string out(1, '\n');
  out += t.render();
  return out;
}

}  // namespace

std::string summary_table(const Results& r) {
  std::ostringstream out;
  auto est = [&](const std::string& name) -> stats::Estimate {
    const MergedMetric* m = r.find(name);
    return m ? m->estimate : stats::Estimate{};
  };
  std::vector<std::string> workloads, services;
  for (const MergedMetric& m : r.metrics) {
    if (m.path.size() < 3 || (m.path[0] != "workloads" && m.path[0] != "services")) continue;
    std::vector<std::string>& list = m.path[0] == "workloads" ? workloads : services;
    if (std::find(list.begin(), list.end(), m.path[1]) == list.end()) list.push_back(m.path[1]);
  }
  const int pct = static_cast<int>(std::lround(r.confidence * 100));
  out << "model " << r.model << ": " << r.replications << " replication"
      << (r.replications == 1 ? "" : "s") << " of " << r.simulated_seconds << " s (warm-up "
      << r.warmup_seconds << " s), seed " << r.seed << "; ± is the " << pct
      << "% confidence half-width\n\n";
  Table w{{"workload", "offered/s", "done/s", "errors", "mean ms", "p50 ms", "p95 ms", "p99 ms"},
          {}};
  for (const std::string& n : workloads) {
    const std::string p = "workloads." + n + ".";
    w.rows.push_back(
        {n, format_estimate(est(p + "offered_rps")), format_estimate(est(p + "throughput_rps")),
         format_estimate(est(p + "error_rate"), 100.0, 2) + "%",
         format_estimate(est(p + "latency_ms.mean")), format_estimate(est(p + "latency_ms.p50")),
         format_estimate(est(p + "latency_ms.p95")), format_estimate(est(p + "latency_ms.p99"))});
  }
  // Models with a fallback: degraded successes beside the errors (docs/request-path.md).
  if (!workloads.empty() && r.find("workloads." + workloads.front() + ".degraded_rate")) {
    w.header.insert(w.header.begin() + 4, "degraded");
    for (std::size_t i = 0; i < workloads.size(); ++i) {
      const auto degraded = est("workloads." + workloads[i] + ".degraded_rate");
      w.rows[i].insert(w.rows[i].begin() + 4, format_estimate(degraded, 100.0, 2) + "%");
    }
  }
  out << w.render() << '\n';
  Table s{{"service", "arrivals/s", "cpu", "workers", "queue", "rejected", "p50 ms", "p99 ms",
           "replicas"},
          {}};
  for (const std::string& n : services) {
    const std::string p = "services." + n + ".";
    s.rows.push_back({n, format_estimate(est(p + "arrival_rps")),
                      format_estimate(est(p + "cpu_utilization"), 100.0, 1) + "%",
                      format_estimate(est(p + "worker_utilization"), 100.0, 1) + "%",
                      format_estimate(est(p + "queue_length")),
                      format_estimate(est(p + "rejected"), 100.0, 2) + "%",
                      format_estimate(est(p + "latency_ms.p50")),
                      format_estimate(est(p + "latency_ms.p99")),
                      format_estimate(est(p + "replicas.mean"))});
    // A database with read replicas: its sides apart, as its mean can hide a saturated one.
    for (const auto& [role, label] :
         {std::pair{"primary.", "  primary"}, std::pair{"read_replicas.", "  read replicas"}}) {
      if (r.find(p + role + "cpu_utilization") == nullptr) continue;
      s.rows.push_back({label, "",
                        format_estimate(est(p + role + "cpu_utilization"), 100.0, 1) + "%",
                        format_estimate(est(p + role + "worker_utilization"), 100.0, 1) + "%"});
    }
  }
  out << s.render();
  out << endpoints_table(r);
  out << peaks_table(r, workloads, services);
  out << phases_table(r, format_estimate);
  std::vector<std::string> notes;
  for (const std::string& n : workloads) {
    for (std::string& note : reading_notes(r, n)) notes.push_back(std::move(note));
  }
  notes.insert(notes.end(), r.notices.begin(), r.notices.end());
  if (!notes.empty()) {
    out << '\n';
    for (const std::string& n : notes) out << "! " << n << '\n';
  }
  if (r.slo) {
    out << '\n';
    for (const SloCheck& c : *r.slo) {
      const std::string undefined = undefined_text(c);
      out << (c.met ? "  ok    " : "  MISS  ") << c.metric << " = "
          << (undefined.empty() ? format_estimate(c.value) : undefined) << " (limit " << c.limit
          << ")" << (c.confident ? "" : " (not significant at this confidence)") << '\n';
    }
    const SloVerdict verdict = slo_verdict(r);
    for (const std::string& why : verdict.reasons) {
      if (why.find(" is saturated") != std::string::npos) out << "  MISS  " << why << '\n';
    }
    out << (verdict.met ? "SLO met\n" : "SLO missed\n");
  }
  return out.str();
}

namespace {

/// Writes `content` into a new temporary file next to `path`; returns the temporary's name.
std::string write_temporary(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  // Built piecewise: GCC 12 warns falsely (-Wrestrict) about "literal" + std::string.
  std::string name(".");
  name += path.filename().string();
  name += ".XXXXXX";
  std::string tmpl = (dir / name).string();
  const int fd = mkstemp(tmpl.data());
  if (fd < 0) {
    throw std::runtime_error("cannot write '" + path.string() + "': " + std::strerror(errno));
  }
  const char* p = content.data();
  std::size_t left = content.size();
  bool ok = true;
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  int saved = errno;
  if (ok && ::fsync(fd) != 0) {
    ok = false;
    saved = errno;
  }
  ::close(fd);
  if (!ok) {
    std::remove(tmpl.c_str());
    throw std::runtime_error("cannot write '" + path.string() + "': " + std::strerror(saved));
  }
  // mkstemp creates the file 0600; give it the usual permissions.
  std::filesystem::permissions(
      tmpl, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                std::filesystem::perms::group_read | std::filesystem::perms::others_read);
  return tmpl;
}

}  // namespace

void write_files_atomic(const std::vector<std::pair<std::filesystem::path, std::string>>& files) {
  std::vector<std::string> temporaries;
  try {
    for (const auto& [path, content] : files) temporaries.push_back(write_temporary(path, content));
  } catch (...) {
    for (const std::string& t : temporaries) std::remove(t.c_str());
    throw;
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (std::rename(temporaries[i].c_str(), files[i].first.c_str()) != 0) {
      const int e = errno;
      for (std::size_t k = i; k < files.size(); ++k) std::remove(temporaries[k].c_str());
      throw std::runtime_error("cannot write '" + files[i].first.string() +
                               "': " + std::strerror(e));
    }
  }
}

void write_file_atomic(const std::filesystem::path& path, const std::string& content) {
  write_files_atomic({{path, content}});
}

}  // namespace capsim::run
