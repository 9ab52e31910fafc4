#pragma once
/// \file Questions about a model's request path (docs/request-path.md) that several layers ask
/// the same way: the runtime's summary and the experiments' metric catalogue.

#include <optional>

#include "capsim/model/spec.hpp"

namespace capsim::model {

/// Some call of the model (a call step, an item of a parallel step, or a call inside another
/// call's fallback) has a `fallback`: the results then count degraded answers.
bool uses_fallbacks(const Spec& spec);

/// Some database has `capacity_units` (docs/capacity-units.md): the results count `throttled`
/// requests.
bool uses_capacity_units(const Spec& spec);

/// The cache keeps stampede locks (docs/request-path.md#warm-caches-and-stampede-locks): a cache
/// of keys (not a fixed hit_ratio) with stampede `coalesce` or `reject`, read-through or
/// cache-aside; its results then count lock.waited, lock.rejected and lock.lapsed.
bool has_stampede_locks(const CacheSpec& cache);

/// The cost of service `s`'s capacity units over `measured_s` seconds in which it consumed
/// `read_units` and `write_units`: provisioned units-hours at their price, consumed units at
/// theirs; absent when no price is given.
std::optional<double> capacity_units_cost(const ServiceSpec& s, double measured_s,
                                          double read_units, double write_units);

}  // namespace capsim::model
