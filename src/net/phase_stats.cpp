/// \file Named phases and per-window peaks of one replication (phase_stats.hpp).

#include "phase_stats.hpp"

#include <algorithm>

#include "pool.hpp"
#include "summary_values.hpp"

namespace capsim::net {

namespace {
// The share of a window a database's side must have served for its peak to count it.
constexpr double kSideServedShare = 0.5;
}  // namespace

PhaseStats::PhaseStats(const model::Spec& spec)
    : spec_(spec),
      phases_(spec.simulation.phases.size()),
      workload_tallies_(spec.simulation.phases.size() * spec.workloads.size()),
      service_phases_(spec.simulation.phases.size() * spec.services.size()),
      offered_last_(spec.workloads.size(), 0),
      offered_peak_(spec.workloads.size(), -1.0),
      service_peaks_(spec.services.size()) {
  if (spec.simulation.per_endpoint) {
    for (const model::ServiceSpec& s : spec.services) {
      if (!s.queue) endpoint_count_ += s.endpoints.size();  // as Statistics counts them
    }
    endpoint_tallies_.resize(spec.simulation.phases.size() * endpoint_count_);
  }
}

void PhaseStats::begin(std::size_t phase, double now, const Collectors& c) {
  std::vector<WorkloadStats>& workloads = c.workloads;
  const std::vector<ServiceStats>& services = c.services;
  PhaseState& p = phases_[phase];
  if (p.begun) return;
  p.begun = true;
  p.begun_s = now;
  for (std::size_t w = 0; w < workloads.size(); ++w) {
    workloads[w].enter_phase(&workload_tallies_[phase * workloads.size() + w]);
  }
  for (std::size_t s = 0; s < services.size(); ++s) {
    ServicePhase& sp = service_phases_[phase * services.size() + s];
    sp.start = services[s].marks(now);
    sp.primary_start = services[s].primary_marks(now);
    sp.arrivals_start = services[s].arrivals_total();
  }
  for (std::size_t e = 0; e < c.endpoints.size(); ++e) {
    c.endpoints[e].enter_phase(&endpoint_tallies_[phase * endpoint_count_ + e]);
  }
}

void PhaseStats::end(std::size_t phase, double now, const Collectors& c) {
  std::vector<WorkloadStats>& workloads = c.workloads;
  const std::vector<ServiceStats>& services = c.services;
  PhaseState& p = phases_[phase];
  if (!p.begun || p.ended) return;
  p.ended = true;
  p.ended_s = now;
  for (std::size_t w = 0; w < workloads.size(); ++w) {
    workloads[w].leave_phase(&workload_tallies_[phase * workloads.size() + w]);
  }
  for (std::size_t s = 0; s < services.size(); ++s) {
    ServicePhase& sp = service_phases_[phase * services.size() + s];
    sp.end = services[s].marks(now);
    sp.primary_end = services[s].primary_marks(now);
    sp.arrivals_end = services[s].arrivals_total();
  }
  for (std::size_t e = 0; e < c.endpoints.size(); ++e) {
    c.endpoints[e].leave_phase(&endpoint_tallies_[phase * endpoint_count_ + e]);
  }
}

void PhaseStats::window(double start_s, double now, const std::vector<WorkloadStats>& workloads,
                        const std::vector<ServiceStats>& services) {
  const double width = now - start_s;
  // A window that began during the warm-up is not measured whole (the workloads' offered
  // counts start at its end): it is no peak.
  const bool counts = width > 0.0 && start_s >= spec_.simulation.warmup_s;
  for (std::size_t w = 0; w < workloads.size(); ++w) {
    const std::uint64_t offered = workloads[w].offered_count();
    if (counts) {
      const double rps = static_cast<double>(offered - offered_last_[w]) / width;
      offered_peak_[w] = std::max(offered_peak_[w], rps);
    }
    offered_last_[w] = offered;
  }
  for (std::size_t s = 0; s < services.size(); ++s) {
    ServicePeak& peak = service_peaks_[s];
    const Marks mark = services[s].marks(now);
    const std::optional<Marks> primary = services[s].primary_marks(now);
    const std::uint64_t arrivals = services[s].arrivals_total();
    if (counts) {
      peak.arrival_rps =
          std::max(peak.arrival_rps, static_cast<double>(arrivals - peak.arrivals_last) / width);
      peak.queue_length = std::max(peak.queue_length, (mark.queued - peak.last.queued) / width);
      peak.in_flight = std::max(peak.in_flight, (mark.in_flight - peak.last.in_flight) / width);
      const double capacity = mark.core_capacity - peak.last.core_capacity;
      if (capacity > 0.0) {
        peak.cpu_utilization =
            std::max(peak.cpu_utilization, (mark.busy_cores - peak.last.busy_cores) / capacity);
      }
      if (primary) {
        // Like `last`, zero before the first window.
        const DatabaseSides d =
            database_sides(peak.last, mark, peak.primary_last.value_or(Marks{}), *primary);
        // A side counts in a window it served at least half of: one down most of the window
        // would show the load of its last milliseconds as its peak.
        const model::ServiceSpec& ss = spec_.services[s];
        const double full_s = ss.cores * width;  // one node's core-seconds over the window
        if (d.primary_core_s >= kSideServedShare * full_s && d.primary_cpu >= 0.0) {
          peak.primary_cpu_utilization = std::max(peak.primary_cpu_utilization, d.primary_cpu);
        }
        if (d.read_replicas_core_s >= kSideServedShare * full_s * ss.database->read_replicas &&
            d.read_replicas_cpu >= 0.0) {  // not NaN
          peak.read_replicas_cpu_utilization =
              std::max(peak.read_replicas_cpu_utilization, d.read_replicas_cpu);
        }
      }
    }
    peak.last = mark;
    peak.primary_last = primary;
    peak.arrivals_last = arrivals;
  }
}

void PhaseStats::summarize(double now, const Collectors& c, const Add& add) {
  std::vector<WorkloadStats>& workloads = c.workloads;
  const std::vector<ServiceStats>& services = c.services;
  const auto peak_value = [](double v) { return v < 0.0 ? kNaN : v; };
  for (std::size_t w = 0; w < workloads.size(); ++w) {
    add({"workloads", spec_.workloads[w].name, "peak", "offered_rps"},
        peak_value(offered_peak_[w]));
  }
  for (std::size_t s = 0; s < services.size(); ++s) {
    const ServicePeak& peak = service_peaks_[s];
    const std::string& n = spec_.services[s].name;
    add({"services", n, "peak", "arrival_rps"}, peak_value(peak.arrival_rps));
    add({"services", n, "peak", "queue_length"}, peak_value(peak.queue_length));
    add({"services", n, "peak", "in_flight"}, peak_value(peak.in_flight));
    add({"services", n, "peak", "cpu_utilization"}, peak_value(peak.cpu_utilization));
    if (services[s].primary_marks(now)) {
      add({"services", n, "peak", "primary", "cpu_utilization"},
          peak_value(peak.primary_cpu_utilization));
      add({"services", n, "peak", "read_replicas", "cpu_utilization"},
          peak_value(peak.read_replicas_cpu_utilization));
    }
  }
  for (std::size_t p = 0; p < phases_.size(); ++p) {
    end(p, now, c);
    const PhaseState& state = phases_[p];
    const std::string& name = spec_.simulation.phases[p].name;
    // The phase's length as simulated (a run stopped early ends it then).
    const double length = state.begun ? state.ended_s - state.begun_s : 0.0;
    const auto per_s = [&](double count) { return length > 0.0 ? count / length : kNaN; };
    for (std::size_t w = 0; w < workloads.size(); ++w) {
      const WorkloadPhaseTally& t = workload_tallies_[p * workloads.size() + w];
      const std::string& n = spec_.workloads[w].name;
      add({"phases", name, "workloads", n, "offered_rps"}, per_s(static_cast<double>(t.offered)));
      add({"phases", name, "workloads", n, "throughput_rps"},
          per_s(static_cast<double>(t.finished)));
      add({"phases", name, "workloads", n, "goodput_rps"}, per_s(static_cast<double>(t.succeeded)));
      add({"phases", name, "workloads", n, "error_rate"},
          ratio(static_cast<double>(t.finished - t.succeeded), static_cast<double>(t.finished)));
      const stats::Histogram& h = t.latency;
      add({"phases", name, "workloads", n, "latency_ms", "mean"},
          h.count() > 0 ? h.mean() * 1e3 : kNaN);
      add({"phases", name, "workloads", n, "latency_ms", "p50"}, quantile_ms(h, 0.50));
      add({"phases", name, "workloads", n, "latency_ms", "p90"}, quantile_ms(h, 0.90));
      add({"phases", name, "workloads", n, "latency_ms", "p95"}, quantile_ms(h, 0.95));
      add({"phases", name, "workloads", n, "latency_ms", "p99"}, quantile_ms(h, 0.99));
      add({"phases", name, "workloads", n, "latency_ms", "max"},
          h.count() > 0 ? h.max() * 1e3 : kNaN);
    }
    for (std::size_t s = 0; s < services.size(); ++s) {
      const ServicePhase& sp = service_phases_[p * services.size() + s];
      const std::string& n = spec_.services[s].name;
      const bool seen = state.begun && length > 0.0;
      const auto level = [&](double end, double start) {
        return seen ? (end - start) / length : kNaN;
      };
      add({"phases", name, "services", n, "arrival_rps"},
          seen ? static_cast<double>(sp.arrivals_end - sp.arrivals_start) / length : kNaN);
      add({"phases", name, "services", n, "cpu_utilization"},
          seen ? ratio(sp.end.busy_cores - sp.start.busy_cores,
                       sp.end.core_capacity - sp.start.core_capacity)
               : kNaN);
      add({"phases", name, "services", n, "worker_utilization"},
          seen ? ratio(sp.end.busy_workers - sp.start.busy_workers,
                       sp.end.worker_capacity - sp.start.worker_capacity)
               : kNaN);
      if (services[s].primary_marks(now)) add_phase_sides(name, n, seen ? &sp : nullptr, add);
      add({"phases", name, "services", n, "queue_length"}, level(sp.end.queued, sp.start.queued));
      add({"phases", name, "services", n, "in_flight"},
          level(sp.end.in_flight, sp.start.in_flight));
      add({"phases", name, "services", n, "replicas", "mean"},
          level(sp.end.replicas, sp.start.replicas));
    }
    summarize_endpoints(p, per_s, add);
  }
}

void PhaseStats::add_phase_sides(const std::string& phase, const std::string& service,
                                 const ServicePhase* sp, const Add& add) {
  DatabaseSides d;  // NaN everywhere: the phase was not seen
  if (sp != nullptr && sp->primary_start && sp->primary_end) {
    d = database_sides(sp->start, sp->end, *sp->primary_start, *sp->primary_end);
  }
  add({"phases", phase, "services", service, "primary", "cpu_utilization"}, d.primary_cpu);
  add({"phases", phase, "services", service, "primary", "worker_utilization"}, d.primary_workers);
  add({"phases", phase, "services", service, "read_replicas", "cpu_utilization"},
      d.read_replicas_cpu);
  add({"phases", phase, "services", service, "read_replicas", "worker_utilization"},
      d.read_replicas_workers);
}

void PhaseStats::summarize_endpoints(std::size_t phase, const std::function<double(double)>& per_s,
                                     const Add& add) const {
  if (endpoint_tallies_.empty()) return;
  const std::string& name = spec_.simulation.phases[phase].name;
  std::size_t e = 0;
  for (const model::ServiceSpec& ss : spec_.services) {
    if (ss.queue) continue;
    for (const model::EndpointSpec& es : ss.endpoints) {
      const EndpointPhaseTally& t = endpoint_tallies_[phase * endpoint_count_ + e++];
      const std::vector<std::string> at{"phases", name, "services", ss.name, "endpoints", es.name};
      const auto add_at = [&](std::vector<std::string> path, double value) {
        std::vector<std::string> full = at;
        full.insert(full.end(), path.begin(), path.end());
        add(std::move(full), value);
      };
      add_at({"arrival_rps"}, per_s(static_cast<double>(t.arrivals)));
      add_at({"throughput_rps"}, per_s(static_cast<double>(t.completions)));
      add_at({"error_rate"},
             ratio(static_cast<double>(t.ended - t.succeeded), static_cast<double>(t.ended)));
      const stats::Histogram& h = t.latency;
      add_at({"latency_ms", "mean"}, h.count() > 0 ? h.mean() * 1e3 : kNaN);
      add_at({"latency_ms", "p50"}, quantile_ms(h, 0.50));
      add_at({"latency_ms", "p95"}, quantile_ms(h, 0.95));
      add_at({"latency_ms", "p99"}, quantile_ms(h, 0.99));
    }
  }
}

}  // namespace capsim::net
