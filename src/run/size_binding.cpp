/// \file The binding tier of `capsim size` (size_binding.hpp).

#include "size_binding.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace capsim::run::detail {

namespace {

struct Busy {
  double cpu = 0.0;
  double workers = 0.0;
  bool saturated = false;
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
  const MergedMetric* s = r.find(p + "saturated");
  b.saturated = s != nullptr && s->extreme > 0.0;
  return b;
}

std::string percent(double f) {
  std::ostringstream out;
  out << std::lround(f * 100.0) << '%';
  return out.str();
}

}  // namespace

std::optional<BindingStation> binding_station(const model::Spec& spec, const Results& r,
                                              const std::string& sized) {
  // The sized tier is the bottleneck when its own cores are; its workers and queue may be full
  // only because they wait for a saturated station further down.
  if (busy_of(r, sized).cpu >= kSaturatedBusy) return std::nullopt;
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
  if (worst == nullptr) return std::nullopt;
  BindingStation out;
  out.service = worst->name;
  const bool database = worst->kind == model::ServiceKind::database;
  const bool cache = worst->kind == model::ServiceKind::cache;
  const std::string noun = database ? "the database " : cache ? "the cache " : "the service ";
  const std::string workers = database ? "connections" : "workers";
  std::string state;
  if (worst_busy.workers >= worst_busy.cpu) {
    state = "its " + workers + " are " + percent(worst_busy.workers) + " busy (cpu " +
            percent(worst_busy.cpu) + ")";
  } else {
    state = "its cpu is " + percent(worst_busy.cpu) + " busy (" + workers + " " +
            percent(worst_busy.workers) + ")";
  }
  if (worst_busy.saturated) state += ", and its queue passed simulation.max_queue";
  out.what = noun + worst->name + ": " + state;
  out.instead = database ? "its replicas, cores or connections"
                : cache  ? "its replicas, workers or hit ratio (capacity)"
                         : "its replicas, cores or workers";
  return out;
}

}  // namespace capsim::run::detail
