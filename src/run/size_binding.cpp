/// \file The binding tier of `capsim size` (size_binding.hpp).

#include "size_binding.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "experiment_output.hpp"

namespace capsim::run::detail {

namespace {

struct Busy {
  double cpu = 0.0;
  double workers = 0.0;
  bool saturated = false;
  std::string side;  ///< a database's busier side: "primary" or "read replicas"; else empty
  double most() const { return std::max(cpu, workers); }
  bool binding() const { return saturated || most() >= kSaturatedBusy; }
  /// Saturated cores come first: full workers or queues may be held by a station further
  /// down (a caller's workers wait for its callee), full cores are the station's own.
  double rank() const {
    if (cpu >= kSaturatedBusy) return 2.0 + cpu;
    return binding() ? 1.0 + workers : 0.0;
  }
};

Busy busy_of(const Results& r, const std::string& service) {
  Busy b;
  const std::string p = "services." + service + ".";
  const auto mean = [&](const std::string& name) {
    const MergedMetric* m = r.find(p + name);
    return m && m->estimate.n > 0 && std::isfinite(m->estimate.mean) ? m->estimate.mean : 0.0;
  };
  b.cpu = mean("cpu_utilization");
  b.workers = mean("worker_utilization");
  // A database with read replicas: its mean hides the busier side (writes on the primary, reads
  // on the read replicas), which is the one that saturates.
  if (r.find(p + "primary.cpu_utilization") != nullptr) {
    const double primary =
        std::max(mean("primary.cpu_utilization"), mean("primary.worker_utilization"));
    const double readers =
        std::max(mean("read_replicas.cpu_utilization"), mean("read_replicas.worker_utilization"));
    const bool on_primary = primary >= readers;
    const std::string role = on_primary ? "primary." : "read_replicas.";
    b.cpu = mean(role + "cpu_utilization");
    b.workers = mean(role + "worker_utilization");
    b.side = on_primary ? "primary" : "read replicas";
  }
  const MergedMetric* s = r.find(p + "saturated");
  b.saturated = s != nullptr && s->extreme > 0.0;
  return b;
}

std::string rounded_percent(double f) {
  std::ostringstream out;
  out << std::lround(f * 100.0) << '%';
  return out.str();
}

/// A pool of `sized` whose callee refused it connections in `r` (its max_connections reached
/// by the pools of every replica): more replicas of `sized` open more pools and are refused more.
std::optional<BindingStation> refused_pool(const model::Spec& spec, const Results& r,
                                           const std::string& sized) {
  const auto index = spec.service_index(sized);
  if (!index) return std::nullopt;
  const model::ServiceSpec& caller = spec.services[*index];
  for (const model::ConnectionPoolSpec& pool : caller.connection_pools) {
    const MergedMetric* m =
        r.find("services." + sized + ".pools." + pool.service + ".refused_rate");
    if (m == nullptr || m->estimate.n == 0 || !(m->estimate.mean >= kRefusedPool)) continue;
    const auto callee = spec.service_index(pool.service);
    if (!callee || !spec.services[*callee].max_connections) continue;
    const model::ServiceSpec& station = spec.services[*callee];
    BindingStation out;
    out.service = station.name;
    out.what = station_noun(station) + ": it refused " + rounded_percent(m->estimate.mean) +
               " of " + sized + "'s new pool connections (its max_connections, " +
               std::to_string(*station.max_connections) + ", reached by " + sized +
               "'s pools of up to " + std::to_string(pool.max) + " per replica)";
    out.instead =
        "its max_connections, or " + sized + "'s connection_pools." + pool.service + ".max";
    return out;
  }
  return std::nullopt;
}

/// A service whose rate limit, or a database whose capacity units, refused at least
/// kRefusedPool of its arrivals in `r`: one limit for the whole service (or per client), which
/// no replica count changes.
std::optional<BindingStation> refusing_limit(const model::Spec& spec, const Results& r) {
  const auto mean = [&](const std::string& name) {
    const MergedMetric* m = r.find(name);
    return m && m->estimate.n > 0 && std::isfinite(m->estimate.mean) ? m->estimate.mean : 0.0;
  };
  for (const model::ServiceSpec& s : spec.services) {
    const std::string p = "services." + s.name + ".";
    if (const double limited = mean(p + "rate_limited"); limited >= kRefusedPool) {
      return BindingStation{s.name,
                            station_noun(s) + ": its rate limit refused " +
                                rounded_percent(limited) +
                                " of its arrivals (429), one limit however many replicas serve",
                            "its rate_limit, or the load it is offered"};
    }
    if (const double throttled = mean(p + "capacity_units.throttled"); throttled >= kRefusedPool) {
      return BindingStation{s.name,
                            station_noun(s) + ": its capacity units throttled " +
                                rounded_percent(throttled) + " of its arrivals",
                            "its capacity_units (units per second, or on-demand)"};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<BindingStation> binding_station(const model::Spec& spec, const Results& r,
                                              const std::string& sized) {
  // The sized tier is the bottleneck when its own cores are; its workers and queue may be full
  // only because they wait for a saturated station further down.
  if (busy_of(r, sized).cpu >= kSaturatedBusy) return refused_pool(spec, r, sized);
  const model::ServiceSpec* worst = nullptr;
  Busy worst_busy;
  for (const model::ServiceSpec& s : spec.services) {
    if (s.name == sized) continue;
    const Busy b = busy_of(r, s.name);
    if (!b.binding()) continue;
    if (worst == nullptr || b.rank() > worst_busy.rank()) {
      worst = &s;
      worst_busy = b;
    }
  }
  if (worst == nullptr) {
    if (auto pool = refused_pool(spec, r, sized)) return pool;
    return refusing_limit(spec, r);
  }
  BindingStation out;
  out.service = worst->name;
  const bool database = worst->kind == model::ServiceKind::database;
  const std::string workers = database ? "connections" : "workers";
  std::string state;
  const std::string on = worst_busy.side.empty() ? "" : " on its " + worst_busy.side;
  if (worst_busy.workers >= worst_busy.cpu) {
    state = "its " + workers + " are " + rounded_percent(worst_busy.workers) + " busy" + on +
            " (cpu " + rounded_percent(worst_busy.cpu) + ")";
  } else {
    state = "its cpu is " + rounded_percent(worst_busy.cpu) + " busy" + on + " (" + workers + " " +
            rounded_percent(worst_busy.workers) + ")";
  }
  if (worst_busy.saturated) state += ", and its queue passed simulation.max_queue";
  out.what = station_noun(*worst) + ": " + state;
  out.instead = size_instead(*worst);
  // Read replicas take only reads: a busy primary needs bigger nodes, not more of them.
  if (worst_busy.side == "primary")
    out.instead = "its cores or connections; its primary takes every write";
  if (worst_busy.side == "read replicas") out.instead = "its read_replicas, cores or connections";
  return out;
}

std::string size_instead(const model::ServiceSpec& station) {
  switch (station.kind) {
    case model::ServiceKind::database:
      return "its replicas, cores or connections";
    case model::ServiceKind::cache:
      return "its replicas, workers or hit ratio (capacity)";
    default:
      return "its replicas, cores or workers";
  }
}

std::string station_noun(const model::ServiceSpec& station) {
  switch (station.kind) {
    case model::ServiceKind::database:
      return "the database " + station.name;
    case model::ServiceKind::cache:
      return "the cache " + station.name;
    default:
      return "the service " + station.name;
  }
}

std::string path_bound_note(const model::Spec& spec, const ServiceSizing& sizing,
                            const std::string& sized) {
  const std::string& name = sizing.breaking_point_bound_by;
  const auto it = std::find_if(spec.services.begin(), spec.services.end(),
                               [&name](const model::ServiceSpec& s) { return s.name == name; });
  const std::string noun = it != spec.services.end() ? station_noun(*it) : name;
  const std::string instead = it != spec.services.end() ? size_instead(*it) : "it";
  return "analytic: the path's breaking point is " +
         short_number(sizing.breaking_point_rps.value_or(0.0)) + "/s, set by " + noun + "'s " +
         sizing.breaking_point_resource + ", below the peak (" + short_number(sizing.peak_rps) +
         "/s): adding " + sized + " replicas does not help; size " + name + " instead (" + instead +
         ")";
}

}  // namespace capsim::run::detail
