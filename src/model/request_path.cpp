#include "capsim/model/request_path.hpp"

#include <utility>

namespace capsim::model {

namespace {

bool has_fallback(const std::vector<StepSpec>& steps) {
  // A fallback's own calls are inside a call that has one already: no need to look further.
  // A cache-aside miss's steps may hold one.
  for (const StepSpec& s : steps) {
    if (s.kind == StepKind::call && s.call.fallback) return true;
    if (s.kind == StepKind::call && s.call.on_miss && has_fallback(s.call.on_miss->steps)) {
      return true;
    }
    for (const CallSpec& c : s.parallel) {
      if (c.fallback || (c.on_miss && has_fallback(c.on_miss->steps))) return true;
    }
  }
  return false;
}

}  // namespace

bool uses_fallbacks(const Spec& spec) {
  for (const ServiceSpec& s : spec.services) {
    for (const EndpointSpec& e : s.endpoints) {
      if (has_fallback(e.steps)) return true;
    }
  }
  return false;
}

bool uses_capacity_units(const Spec& spec) {
  for (const ServiceSpec& s : spec.services) {
    if (s.database && s.database->capacity_units) return true;
  }
  return false;
}

bool has_stampede_locks(const CacheSpec& cache) {
  return !cache.hit_ratio &&
         (cache.stampede == Stampede::coalesce || cache.stampede == Stampede::reject);
}

std::optional<double> capacity_units_cost(const ServiceSpec& s, double measured_s,
                                          double read_units, double write_units) {
  if (!s.database || !s.database->capacity_units) return std::nullopt;
  const CapacityUnitsSpec& c = *s.database->capacity_units;
  std::optional<double> cost;
  const auto add = [&cost](double x) { cost = cost.value_or(0.0) + x; };
  for (const auto& [d, consumed] :
       {std::pair{&c.read, read_units}, std::pair{&c.write, write_units}}) {
    if (c.mode == CapacityMode::provisioned) {
      if (d->price_per_unit_hour && d->units_per_s) {
        add(*d->units_per_s * measured_s / 3600.0 * *d->price_per_unit_hour);
      }
    } else if (d->price_per_million_units) {
      add(consumed / 1e6 * *d->price_per_million_units);
    }
  }
  return cost;
}

}  // namespace capsim::model
