#include "capsim/run/replications.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <sstream>

#include "capsim/analytic/model_analysis.hpp"
#include "capsim/dist/duration.hpp"
#include "capsim/model/error.hpp"
#include "capsim/net/network.hpp"
#include "capsim/net/profile.hpp"
#include "capsim/run/experiment_executor.hpp"
#include "capsim/run/slo_verdict.hpp"
#include "capsim/run/work_pool.hpp"
#include "capsim/stats/format.hpp"

namespace capsim::run {

std::string MergedMetric::dotted() const {
  return stats::dotted(path);
}

const MergedMetric* Results::find(const std::string& dotted) const {
  for (const MergedMetric& m : metrics) {
    if (m.dotted() == dotted) return &m;
  }
  return nullptr;
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

namespace {

std::vector<SloCheck> check_slo(const model::Spec& spec, const Results& r) {
  std::vector<SloCheck> checks;
  const model::SloSpec& slo = *spec.slo;
  for (const model::WorkloadSpec& w : spec.workloads) {
    auto check = [&](const std::string& name, double limit) {
      const MergedMetric* m = r.find(name);
      if (m == nullptr) return;
      SloCheck c = judge_slo_check(name, limit, *m);
      checks.push_back(std::move(c));
    };
    for (const auto& [percentile, limit_s] : slo.latency_s) {
      check("workloads." + w.name + ".latency_ms." + percentile, limit_s * 1e3);
    }
    if (slo.error_rate) check("workloads." + w.name + ".error_rate", *slo.error_rate);
  }
  return checks;
}

}  // namespace

Results merge(const model::Spec& spec, const std::vector<stats::Summary>& summaries) {
  Results r;
  r.model = spec.name;
  r.seed = spec.simulation.seed;
  r.replications = static_cast<int>(summaries.size());
  r.simulated_seconds = spec.simulation.duration_s;
  r.warmup_seconds = spec.simulation.warmup_s;
  r.confidence = spec.simulation.confidence;
  r.window_seconds = spec.simulation.effective_window_s();
  if (r.window_seconds != spec.simulation.window_s) {
    std::ostringstream msg;
    msg << "time-series window widened from " << spec.simulation.window_s << " s to "
        << r.window_seconds << " s to keep at most " << model::SimulationSpec::kMaxWindows
        << " windows";
    r.notices.push_back(msg.str());
  }
  if (summaries.empty()) return r;
  const std::size_t n_metrics = summaries.front().metrics.size();
  for (std::size_t i = 0; i < n_metrics; ++i) {
    const stats::Metric& first = summaries.front().metrics[i];
    MergedMetric m;
    m.path = first.path;
    m.merge = first.merge;
    std::vector<double> defined;
    for (const stats::Summary& s : summaries) {
      const double v = s.metrics.at(i).value;
      m.values.push_back(v);
      if (std::isfinite(v)) defined.push_back(v);
    }
    switch (m.merge) {
      case stats::Merge::estimate:
        m.estimate = stats::estimate(defined, spec.simulation.confidence);
        break;
      case stats::Merge::min:
        m.extreme = defined.empty() ? 0.0 : *std::min_element(defined.begin(), defined.end());
        break;
      case stats::Merge::max:
        m.extreme = defined.empty() ? 0.0 : *std::max_element(defined.begin(), defined.end());
        break;
    }
    r.metrics.push_back(std::move(m));
  }
  for (std::size_t k = 0; k < summaries.size(); ++k) {
    for (const std::string& notice : summaries[k].notices) {
      r.notices.push_back("replication " + std::to_string(k) + ": " + notice);
    }
    r.performance.events += summaries[k].events;
    r.mechanism_counts.push_back(summaries[k].counts);
  }
  r.timeseries = summaries.front().timeseries;
  r.events = summaries.front().event_log;
  r.scale_events = summaries.front().scale_events;
  if (spec.slo) r.slo = check_slo(spec, r);
  return r;
}

namespace {

/// The arrivals of one open workload over the simulated time (midpoint rule, 4096 pieces).
double open_arrivals(const model::WorkloadSpec& w, double duration) {
  if (w.kind != model::WorkloadKind::open || !(duration > 0.0)) return 0.0;
  constexpr int kPieces = 4096;
  const double h = duration / kPieces;
  double total = 0.0;
  for (int i = 0; i < kPieces; ++i) total += net::value_at(w.rate, (i + 0.5) * h);
  return total * h;
}

std::string count_text(double x) {
  return stats::significant(x, 3);
}

/// The expected visits to services per workload request (1 for a request served by its target
/// alone; more when calls fan out with `count`, `parallel` or over several tiers): the traffic
/// equations of `capsim analyze`, the stations' arrivals over the workloads' rate. 1 when the
/// analysis has nothing to say.
double visits_per_request(const model::Spec& spec) {
  try {
    const analytic::ModelAnalysis a = analytic::analyze(spec);
    double rate = 0.0, arrivals = 0.0;
    for (const analytic::WorkloadEstimate& w : a.workloads) {
      if (!w.closed) rate += w.rate_rps;
    }
    for (const analytic::StationEstimate& st : a.stations) arrivals += st.arrival_rps;
    if (rate > 0.0 && std::isfinite(arrivals) && arrivals > rate) return arrivals / rate;
  } catch (const std::exception&) {
    // An estimate only: the arrivals alone are still checked.
  }
  return 1.0;
}

/// Refuses, before anything runs, a model whose open arrivals, times the visits to services
/// each causes, exceed the event budget.
void check_event_budget(const model::Spec& spec, std::uint64_t max_events) {
  if (max_events == UINT64_MAX) return;
  const double duration = spec.simulation.duration_s;
  // A cache refresh sends its keys' queries in one go, at t = 0 and every `every`: at least two
  // events each, whatever the workloads do.
  for (const model::ServiceSpec& s : spec.services) {
    if (!s.cache || !s.cache->refresh) continue;
    const model::CacheRefreshSpec& r = *s.cache->refresh;
    const double queries = (std::floor(duration / r.every_s) + 1.0) * static_cast<double>(r.keys);
    if (2.0 * queries <= static_cast<double>(max_events)) continue;
    std::string text = "expected at most ";
    text += count_text(static_cast<double>(max_events));
    text += " events per replication (--max-events), found a refresh of ";
    text += count_text(static_cast<double>(r.keys));
    text += " keys every ";
    text += dist::format_duration(r.every_s);
    text += ": about ";
    text += count_text(queries);
    text += " backend queries (at least 2 events each) in ";
    text += dist::format_duration(duration);
    text +=
        "; refresh fewer keys or less often, shorten /simulation/duration or raise --max-events";
    throw model::ModelError(s.pointer + "/refresh/every", text);
  }
  // The cluster autoscaler scans at t = 0 and every scan_interval: one event each.
  if (spec.nodes) {
    const double interval_s = spec.nodes->cluster_autoscaler.scan_interval_s;
    const double scans = std::floor(duration / interval_s) + 1.0;
    if (scans > static_cast<double>(max_events)) {
      std::string text = "expected at most ";
      text += count_text(static_cast<double>(max_events));
      text += " events per replication (--max-events), found a cluster autoscaler scan every ";
      text += dist::format_duration(interval_s);
      text += ": about ";
      text += count_text(scans);
      text += " scans in ";
      text += dist::format_duration(duration);
      text +=
          "; scan less often (Kubernetes' default is 10s), shorten /simulation/duration or "
          "raise --max-events";
      throw model::ModelError(spec.nodes->pointer + "/cluster_autoscaler/scan_interval", text);
    }
  }
  double total = 0.0, largest = -1.0;
  std::size_t which = 0;
  for (std::size_t i = 0; i < spec.workloads.size(); ++i) {
    const double a = open_arrivals(spec.workloads[i], duration);
    total += a;
    if (a > largest) largest = a, which = i;
  }
  // Every arrival at a service costs at least two events (it arrives; it is served, rejected
  // or times out), and a request arrives at `visits` services on average.
  const double budget = static_cast<double>(max_events);
  if (2.0 * total <= budget) {
    const double visits = visits_per_request(spec);
    if (2.0 * total * visits <= budget) return;
    std::string text = "expected at most ";
    text += count_text(budget);
    text +=
        " events per replication (--max-events), found a model whose requests fan out to "
        "about ";
    text += visits >= 100.0 ? stats::printf_number("%.0f", visits) : stats::significant(visits, 3);
    text +=
        " calls each (the traffic equations of capsim analyze): at least 2 events per call, "
        "about ";
    text += count_text(2.0 * total * visits);
    text += " events in ";
    text += dist::format_duration(duration);
    text +=
        "; lower the rate or the calls' count, shorten /simulation/duration or raise "
        "--max-events";
    throw model::ModelError("/workloads/" + std::to_string(which) + "/rate", text);
  }
  std::string text = "expected at most ";
  text += count_text(static_cast<double>(max_events));
  text +=
      " events per replication (--max-events), found a model whose arrivals alone (at least "
      "2 events each) are about ";
  text += count_text(total);
  text += " in ";
  text += dist::format_duration(duration);
  text += " (workload '";
  text += spec.workloads[which].name;
  text += "': ";
  text += count_text(largest);
  text += "); lower the rate, shorten /simulation/duration or raise --max-events";
  throw model::ModelError("/workloads/" + std::to_string(which) + "/rate", text);
}

}  // namespace

Results run_replications(const model::Spec& spec, const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const int n = spec.simulation.replications;
  const double duration = spec.simulation.duration_s;
  check_event_budget(spec, options.max_events);

  std::vector<stats::Summary> summaries(static_cast<std::size_t>(n));
  // Simulated seconds reached by each replication; -1 - t once cancelled at t.
  std::vector<std::atomic<double>> progress(static_cast<std::size_t>(n));
  for (auto& p : progress) p.store(0.0);
  std::atomic<bool> cancel{false};
  std::atomic<int> cancel_reason{-1};

  PoolOptions pool;
  pool.threads = worker_threads(options.threads);
  // A monitor: progress reports, the wall-clock limit and stop requests (Ctrl-C). Unlike
  // experiments, a stop cancels the running replications too (they may take minutes).
  if (options.on_progress || options.max_wall_s > 0.0 || options.honour_stop_requests) {
    pool.tick = std::chrono::milliseconds(options.on_progress ? 100 : 50);
    pool.on_tick = [&] {
      if (!cancel.load()) {
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        int reason = -1;
        if (options.honour_stop_requests && stop_requested()) {
          reason = static_cast<int>(RunStopped::Reason::stop_request);
        } else if (options.max_wall_s > 0.0 && elapsed > options.max_wall_s) {
          reason = static_cast<int>(RunStopped::Reason::max_wall);
        }
        if (reason >= 0) {
          cancel_reason.store(reason);
          cancel.store(true);
        }
      }
      if (options.on_progress) {
        double total = 0.0;
        for (const auto& p : progress) total += std::max(0.0, p.load(std::memory_order_relaxed));
        options.on_progress(total / (duration * n));
      }
    };
  }
  const PoolOutcome outcome = run_pool(
      static_cast<std::size_t>(n),
      [&](std::size_t r) {
        try {
          net::ReplicationOptions ro;
          ro.replication = static_cast<std::uint64_t>(r);
          ro.timeseries = r == 0 || options.timeseries_bands;
          ro.max_events = options.max_events;
          ro.progress_s = &progress[r];
          ro.cancel = &cancel;
          if (cancel.load()) throw net::Cancelled(0.0);
          summaries[r] = net::simulate(spec, ro);
        } catch (const net::Cancelled& c) {
          progress[r].store(-1.0 - c.time_s());  // unfinished, reached
          throw;
        } catch (...) {
          progress[r].store(duration);
          throw;
        }
        progress[r].store(duration);
      },
      pool);
  const std::vector<std::exception_ptr>& errors = outcome.errors;
  if (cancel.load()) {
    int finished = 0;
    double furthest = 0.0;
    for (std::size_t r = 0; r < errors.size(); ++r) {
      if (!errors[r]) {
        ++finished;
      } else {
        const double p = progress[r].load();
        if (p < 0.0) furthest = std::max(furthest, -1.0 - p);
      }
    }
    if (finished < n) {
      const auto reason = static_cast<RunStopped::Reason>(cancel_reason.load());
      std::string what = reason == RunStopped::Reason::max_wall
                             ? "stopped at the wall-clock limit (--max-wall " +
                                   dist::format_duration(options.max_wall_s) + ")"
                             : std::string("stopped on request");
      what += ": ";
      what += std::to_string(finished);
      what += " of ";
      what += std::to_string(n);
      what += " replications had finished, the furthest unfinished one had reached ";
      what += dist::format_duration(furthest);
      what += " of ";
      what += dist::format_duration(duration);
      throw RunStopped(reason, finished, n, furthest, what);
    }
  }
  outcome.rethrow_first_error();

  Results r = merge(spec, summaries);
  if (options.timeseries_bands) r.timeseries_bands = timeseries_bands(summaries);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.performance.wall_seconds = wall;
  r.performance.events_per_second =
      wall > 0.0 ? static_cast<double>(r.performance.events) / wall : 0.0;
  r.performance.peak_rss_mb = peak_rss_mb();
  return r;
}

}  // namespace capsim::run
