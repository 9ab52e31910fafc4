// capsim analyze: instant analytic estimates of a model, beside a quick simulation (--check).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capsim/analytic/model_analysis.hpp"
#include "capsim/model/document.hpp"
#include "capsim/model/load.hpp"
#include "capsim/run/analysis_json.hpp"
#include "capsim/run/replications.hpp"
#include "capsim/run/results_io.hpp"
#include "capsim/stats/format.hpp"
#include "commands.hpp"
#include "progress.hpp"

namespace capsim::cli {

namespace {

using Json = nlohmann::ordered_json;

/// Four significant digits, or `format` (one printf conversion); "-" when not finite.
std::string fmt(double v, const char* format = nullptr) {
  if (!std::isfinite(v)) return "-";
  return format == nullptr ? stats::significant(v) : stats::printf_number(format, v);
}
std::string fmt(const std::optional<double>& v, double scale = 1.0) {
  return v ? fmt(*v * scale) : "-";
}

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const std::string pad(width[i] - row[i].size(), ' ');
      if (i > 0) line += "  ";
      line += i == 0 ? row[i] + pad : pad + row[i];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string pct(double v) {
  return fmt(v * 100, "%.1f%%");
}

/// The cpu cell of an unstable station: its cores' share when they are what saturates, else
/// the cores' share and the servers' (workers fewer than the cores) that do.
std::string unstable_cpu_cell(const analytic::StationEstimate& s) {
  if (s.cpu_utilization >= s.utilization)
    return "UNSTABLE " + fmt(s.cpu_utilization * 100, "%.0f%%");
  return fmt(s.cpu_utilization * 100, "%.0f%%") + " (workers UNSTABLE " +
         fmt(s.utilization * 100, "%.0f%%") + ")";
}

std::string analysis_text(const model::Spec& spec, const analytic::ModelAnalysis& a) {
  std::string out = "model " + spec.name + ": analytic estimates at the peak load\n\n";
  std::vector<std::vector<std::string>> rows{{"service", "arrivals/s", "demand ms", "servers",
                                              "cpu", "P(wait)", "wait ms", "latency ms",
                                              "workers"}};
  for (const analytic::StationEstimate& s : a.stations) {
    rows.push_back({s.service, fmt(s.arrival_rps), fmt(s.demand_s * 1e3),
                    std::to_string(s.replicas) + "x" + std::to_string(s.servers_per_replica),
                    s.model == analytic::StationModel::none ? std::string("n/a")
                    : s.stable                              ? fmt(s.cpu_utilization * 100, "%.1f%%")
                                                            : unstable_cpu_cell(s),
                    fmt(s.wait_probability), fmt(s.mean_wait_s, 1e3), fmt(s.holding_time_s, 1e3),
                    s.worker_utilization ? fmt(*s.worker_utilization * 100, "%.1f%%") : "-"});
  }
  out += table(rows);
  for (const analytic::StationEstimate& s : a.stations) {
    if (s.hit_ratio) {
      const auto index = spec.service_index(s.service);
      const bool backend =
          index && spec.services[*index].cache && !spec.services[*index].cache->backend.empty();
      out += "cache " + s.service + ": hit ratio " + pct(*s.hit_ratio) +
             (backend ? ", misses to its backend " : ", misses ") + pct(1.0 - *s.hit_ratio) + "\n";
    }
  }
  // The load the model as given carries: the first station on the path to saturate (its
  // cores, or its workers held through calls and delays), in workload requests per second.
  if (const auto bp = analytic::breaking_point(a)) {
    double peak = 0.0;
    for (const analytic::WorkloadEstimate& w : a.workloads) peak += w.rate_rps;
    out += "breaking point: " + fmt(bp->rps) + " requests/s (the peak: " + fmt(peak) +
           "/s), set by " + bp->station + "'s " + bp->resource + "\n";
  }
  out += "\n";
  rows = {{"workload", "rate/s", "mean ms", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "p999 ms"}};
  for (const analytic::WorkloadEstimate& w : a.workloads) {
    std::vector<std::string> line{w.workload + (w.closed ? " (closed)" : ""), fmt(w.rate_rps),
                                  w.stable ? fmt(w.mean_latency_s, 1e3) : "unstable"};
    for (const char* p : {"p50", "p90", "p95", "p99", "p999"}) {
      std::string cell = "-";
      for (const auto& [name, v] : w.latency_quantiles_s) {
        if (name == p) cell = fmt(v * 1e3) + (w.quantiles_exact ? "" : "~");
      }
      line.push_back(cell);
    }
    rows.push_back(std::move(line));
  }
  out += table(rows);
  const bool approximate =
      std::any_of(a.workloads.begin(), a.workloads.end(), [](const analytic::WorkloadEstimate& w) {
        return !w.quantiles_exact && !w.latency_quantiles_s.empty();
      });
  if (approximate) out += "\n(~ approximate; see the assumptions)\n";
  out += "\nassumptions:\n";
  for (const analytic::StationEstimate& s : a.stations) {
    for (const std::string& text : s.assumptions) out += "  " + s.service + ": " + text + "\n";
  }
  for (const analytic::WorkloadEstimate& w : a.workloads) {
    for (const std::string& text : w.assumptions) out += "  " + w.workload + ": " + text + "\n";
  }
  for (const std::string& note : a.notes) out += "  " + note + "\n";
  return out;
}

/// The command line's values in the check's model, for messages: --set's, then --duration's.
std::vector<std::string> check_sets(const AnalyzeCommand& c) {
  std::vector<std::string> sets = c.sets;
  if (c.duration) sets.push_back("/simulation/duration=" + *c.duration);
  return sets;
}

/// A note for an emergent cache whose simulated hit ratio is clearly below the analysis's while
/// it started cold: the analysis is the steady state, the simulation may still be filling it.
std::optional<std::string> cold_cache_note(const model::Spec& spec,
                                           const analytic::StationEstimate& s,
                                           const run::Results& r) {
  const auto index = spec.service_index(s.service);
  if (!index || !s.hit_ratio) return std::nullopt;
  const std::optional<model::CacheSpec>& cache = spec.services[*index].cache;
  if (!cache || cache->hit_ratio || cache->preload_keys > 0) return std::nullopt;
  // Other causes of a gap, where "still filling" would mislead: a TTL within the warm-up (the
  // cache is then in its steady state early), a flush of the cache.
  if (cache->ttl_s && *cache->ttl_s <= r.warmup_seconds) return std::nullopt;
  for (const model::FaultSpec& f : spec.faults) {
    if (f.kind == model::FaultKind::cache_flush && f.service == s.service) return std::nullopt;
  }
  // Nor when the warm-up had time to fill it: each miss adds at most one entry, so it takes at
  // least (capacity or keys) / miss rate to fill; three times that is ample.
  const double entries =
      static_cast<double>(cache->capacity > 0 ? cache->capacity : cache->key_count);
  const double misses_rps = s.arrival_rps * (1.0 - *s.hit_ratio);
  if (misses_rps > 0.0 && r.warmup_seconds >= 3.0 * entries / misses_rps) return std::nullopt;
  const run::MergedMetric* hits = r.find("services." + s.service + ".hit_ratio");
  if (hits == nullptr || !hits->estimate.ci) return std::nullopt;
  // One point below, beyond the interval: not noise.
  if (!(hits->estimate.ci->second < *s.hit_ratio - 0.01)) return std::nullopt;
  return s.service + ": the simulated hit ratio (" + pct(hits->estimate.mean) +
         ") is below the analysis's steady state (" + pct(*s.hit_ratio) +
         "): the cache starts empty (no preload) and may still be filling after the " +
         fmt(r.warmup_seconds, "%g") +
         " s warm-up; a longer warm-up and duration (--set /simulation/warmup=... --set "
         "/simulation/duration=...) compare the steady state";
}

/// Analytic against simulated, side by side.
std::string check_text(const model::Spec& spec, const analytic::ModelAnalysis& a,
                       const run::Results& r) {
  const auto sim = [&r](const std::string& name) -> std::optional<run::MergedMetric> {
    if (const run::MergedMetric* m = r.find(name)) return *m;
    return std::nullopt;
  };
  const auto est_text = [](const std::optional<run::MergedMetric>& m, double scale = 1.0) {
    if (!m || m->estimate.n == 0) return std::string("-");
    std::string t = fmt(m->estimate.mean * scale);
    if (m->estimate.ci)
      t += " ±" + fmt((m->estimate.ci->second - m->estimate.ci->first) / 2 * scale, "%.2g");
    return t;
  };
  std::vector<std::vector<std::string>> rows{{"quantity", "analytic", "simulated"}};
  for (const analytic::StationEstimate& s : a.stations) {
    // A database with read replicas: the analysis gives its busier side (writes on the primary,
    // reads on the read replicas), so compare with that side's simulated utilisation.
    const auto [cpu_metric, side] = run::compared_cpu_metric(r, s.service);
    const auto util = sim(cpu_metric);
    const std::string cpu_label = s.service + " cpu" +
                                  (side.empty()        ? ""
                                   : side == "primary" ? " (primary)"
                                                       : " (read replicas)");
    const auto arr = sim("services." + s.service + ".arrival_rps");
    rows.push_back({s.service + " arrivals/s", fmt(s.arrival_rps), est_text(arr)});
    rows.push_back({cpu_label, pct(s.cpu_utilization), est_text(util, 100.0) + "%"});
    if (s.hit_ratio) {
      const auto hits = sim("services." + s.service + ".hit_ratio");
      rows.push_back({s.service + " hit ratio", pct(*s.hit_ratio), est_text(hits, 100.0) + "%"});
    }
  }
  for (const analytic::WorkloadEstimate& w : a.workloads) {
    const std::string base = "workloads." + w.workload + ".latency_ms.";
    const auto mean = sim(base + "mean");
    rows.push_back({w.workload + " mean ms", fmt(w.mean_latency_s, 1e3), est_text(mean)});
    for (const auto& [name, v] : w.latency_quantiles_s) {
      const auto q = sim(base + name);
      rows.push_back({w.workload + " " + name + " ms",
                      fmt(v * 1e3) + (w.quantiles_exact ? "" : "~"), est_text(q)});
    }
    if (w.closed) {
      const auto x = sim("workloads." + w.workload + ".throughput_rps");
      rows.push_back({w.workload + " throughput/s", fmt(w.rate_rps), est_text(x)});
    }
  }
  std::string out = "\ncheck: a simulation of the same load (" + std::to_string(r.replications) +
                    " replications of " + fmt(r.simulated_seconds, "%g") + " s, warm-up " +
                    fmt(r.warmup_seconds, "%g") + " s; ± is the " + fmt(r.confidence * 100, "%g") +
                    "% half-width)\n\n";
  out += table(rows);
  for (const std::string& n : r.notices) out += "notice: " + n + "\n";
  for (const analytic::StationEstimate& s : a.stations) {
    if (const auto note = cold_cache_note(spec, s, r)) out += "note: " + *note + "\n";
  }
  return out;
}

}  // namespace

int command_analyze(const AnalyzeCommand& c) {
  model::Document document = model::read_document(c.model);
  model::Json& doc = document.json;
  for (const std::string& set : c.sets) model::apply_override(doc, set);
  const std::filesystem::path base_dir = std::filesystem::path(c.model).parent_path();
  model::Spec spec;
  try {
    spec = model::load(doc, base_dir);
  } catch (const model::ModelError& e) {
    throw model::locate(e, document.positions, c.sets);
  }
  for (const auto& w : spec.warnings) {
    // The analysis is at the peak, and --check holds the rates there: a run that ends before
    // the profile's peak is not its concern.
    if (!model::warns_of_unreached_peak(w)) std::cerr << "warning: " << w.text() << '\n';
  }
  analytic::ModelAnalysis a;
  try {
    a = analytic::analyze(spec);  // a model it cannot estimate is refused at its pointer
  } catch (const model::ModelError& e) {
    throw model::locate(e, document.positions, c.sets);
  }
  Json out = run::analysis_json(spec, a);
  std::string text = analysis_text(spec, a);
  if (c.check) {
    const model::Spec check_spec =
        load_check_with_flags(run::check_document(doc, spec, c.seed, c.replications, c.duration),
                              base_dir, document.positions, check_sets(c), c.duration);
    Progress progress(true);
    run::RunOptions ro;
    ro.threads = c.threads;
    ro.on_progress = [&progress](double f) { progress.update(f); };
    const run::Results r = run::run_replications(check_spec, ro);
    progress.clear();
    text += check_text(spec, a, r);
    out["check"] = run::check_json(a, r);
  }
  if (!c.output.empty()) run::write_file_atomic(c.output, out.dump(2) + "\n");
  std::cout << text;
  return 0;
}

}  // namespace capsim::cli
