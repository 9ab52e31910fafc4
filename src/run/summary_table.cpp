/// \file The terminal summary of a run (summary_table): workloads, services, phases, peaks,
/// endpoints, notes and SLO checks. Declared in capsim/run/results_io.hpp.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "capsim/run/results_io.hpp"
#include "capsim/run/slo_verdict.hpp"
#include "summary_notes.hpp"

namespace capsim::run {

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

/// `text` + "%", or "-" for an undefined value (a phase with no request).
std::string with_percent(const std::string& text) {
  return text == "-" ? text : text + "%";
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
      // A database with read replicas competes with each side too: its mean over all its
      // nodes can hide a saturated side.
      const std::string at = "phases." + ph + ".services." + sv + ".";
      for (const auto& [role, label] : {std::pair{"", ""}, std::pair{"primary.", " primary"},
                                        std::pair{"read_replicas.", " read replicas"}}) {
        const stats::Estimate cpu = est(at + role + "cpu_utilization");
        if (cpu.n > 0 && std::isfinite(cpu.mean) &&
            (busiest.empty() || cpu.mean > busiest_cpu.mean)) {
          busiest = sv + label;
          busiest_cpu = cpu;
        }
      }
    }
    const std::string busiest_text =
        busiest.empty() ? "-" : busiest + " " + format(busiest_cpu, 100.0, 1) + "%";
    for (const std::string& w : workloads) {
      const std::string p = "phases." + ph + ".workloads." + w + ".";
      t.rows.push_back({ph, w, format(est(p + "offered_rps"), 1.0, -1),
                        format(est(p + "throughput_rps"), 1.0, -1),
                        with_percent(format(est(p + "error_rate"), 100.0, 2)),
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
    const auto cpu_text = [](const stats::Estimate& e) {
      return with_percent(format_estimate(e, 100.0, 1));  // "-" when undefined
    };
    t.rows.push_back({n, "", format_estimate(est(p + "arrival_rps")),
                      format_estimate(est(p + "queue_length")), cpu_text(cpu)});
    // A database with read replicas: each side's busiest window, as in the services table.
    for (const auto& [role, label] :
         {std::pair{"primary.", "  primary"}, std::pair{"read_replicas.", "  read replicas"}}) {
      if (r.find(p + role + "cpu_utilization") == nullptr) continue;
      t.rows.push_back({label, "", "", "", cpu_text(est(p + role + "cpu_utilization"))});
    }
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
         format_estimate(est("throughput_rps")),
         with_percent(format_estimate(est("error_rate"), 100.0, 2)),
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
         with_percent(format_estimate(est(p + "error_rate"), 100.0, 2)),
         format_estimate(est(p + "latency_ms.mean")), format_estimate(est(p + "latency_ms.p50")),
         format_estimate(est(p + "latency_ms.p95")), format_estimate(est(p + "latency_ms.p99"))});
  }
  // Models with a fallback: degraded successes beside the errors (docs/request-path.md).
  if (!workloads.empty() && r.find("workloads." + workloads.front() + ".degraded_rate")) {
    w.header.insert(w.header.begin() + 4, "degraded");
    for (std::size_t i = 0; i < workloads.size(); ++i) {
      const auto degraded = est("workloads." + workloads[i] + ".degraded_rate");
      w.rows[i].insert(w.rows[i].begin() + 4, with_percent(format_estimate(degraded, 100.0, 2)));
    }
  }
  out << w.render() << '\n';
  Table s{{"service", "arrivals/s", "cpu", "workers", "queue", "rejected", "p50 ms", "p99 ms",
           "replicas"},
          {}};
  for (const std::string& n : services) {
    const std::string p = "services." + n + ".";
    s.rows.push_back({n, format_estimate(est(p + "arrival_rps")),
                      with_percent(format_estimate(est(p + "cpu_utilization"), 100.0, 1)),
                      with_percent(format_estimate(est(p + "worker_utilization"), 100.0, 1)),
                      format_estimate(est(p + "queue_length")),
                      with_percent(format_estimate(est(p + "rejected"), 100.0, 2)),
                      format_estimate(est(p + "latency_ms.p50")),
                      format_estimate(est(p + "latency_ms.p99")),
                      format_estimate(est(p + "replicas.mean"))});
    // A database with read replicas: its sides apart, as its mean can hide a saturated one.
    for (const auto& [role, label] :
         {std::pair{"primary.", "  primary"}, std::pair{"read_replicas.", "  read replicas"}}) {
      if (r.find(p + role + "cpu_utilization") == nullptr) continue;
      s.rows.push_back(
          {label, "", with_percent(format_estimate(est(p + role + "cpu_utilization"), 100.0, 1)),
           with_percent(format_estimate(est(p + role + "worker_utilization"), 100.0, 1))});
    }
  }
  out << s.render();
  // Caches: the hit ratio sets their backends' load, and the services table cannot show it.
  // Cache-aside locks (stampede coalesce or reject): the lookups that waited for another's fill
  // or were refused, which fail the request with no service row to show it.
  Table caches{{"cache", "hit ratio"}, {}};
  bool locks = false;
  for (const std::string& n : services) locks = locks || r.find("services." + n + ".lock.rejected");
  if (locks) {
    caches.header.push_back("lock waited");
    caches.header.push_back("lock rejected");
  }
  for (const std::string& n : services) {
    const MergedMetric* hit = r.find("services." + n + ".hit_ratio");
    if (hit == nullptr) continue;
    caches.rows.push_back({n, with_percent(format_estimate(hit->estimate, 100.0, 1))});
    if (!locks) continue;
    for (const char* part : {".lock.waited", ".lock.rejected"}) {
      const MergedMetric* m = r.find("services." + n + part);
      caches.rows.back().push_back(
          m == nullptr ? "-" : with_percent(format_estimate(m->estimate, 100.0, 2)));
    }
  }
  if (!caches.rows.empty()) out << '\n' << caches.render();
  // Node pools (a model with `nodes`): what the cluster ran and cost; no other table shows it.
  Table pools{{"node pool", "nodes", "node-hours", "added", "removed", "cpu requested", "cost"},
              {}};
  std::vector<std::string> pool_names;
  for (const MergedMetric& m : r.metrics) {
    if (m.path.size() == 3 && m.path[0] == "node_pools" &&
        std::find(pool_names.begin(), pool_names.end(), m.path[1]) == pool_names.end()) {
      pool_names.push_back(m.path[1]);
    }
  }
  for (const std::string& n : pool_names) {
    const std::string p = "node_pools." + n + ".";
    const auto cell = [&](const std::string& name, double factor, int digits,
                          const char* unit) -> std::string {
      const MergedMetric* m = r.find(p + name);
      return m == nullptr ? "-" : format_estimate(m->estimate, factor, digits) + unit;
    };
    pools.rows.push_back({n, cell("nodes_mean", 1.0, 2, ""), cell("node_hours", 1.0, 2, ""),
                          cell("nodes_added", 1.0, 1, ""), cell("nodes_removed", 1.0, 1, ""),
                          cell("cpu_requested", 100.0, 1, "%"), cell("cost", 1.0, 2, "")});
  }
  if (!pools.rows.empty()) out << '\n' << pools.render();
  out << endpoints_table(r);
  out << peaks_table(r, workloads, services);
  out << phases_table(r, format_estimate);
  std::vector<std::string> notes;
  for (const std::string& n : workloads) {
    for (std::string& note : reading_notes(r, n)) notes.push_back(std::move(note));
  }
  for (const std::string& n : services) {
    for (std::string& note : mechanism_notes(r, n)) notes.push_back(std::move(note));
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

}  // namespace capsim::run
