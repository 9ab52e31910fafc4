#pragma once
/// \file The binding tier of `capsim size` (size_binding.cpp): when the SLO fails because
/// another station is saturated, adding replicas to the sized tier cannot help.

#include <optional>
#include <string>

#include "capsim/model/spec.hpp"
#include "capsim/run/experiment_size.hpp"
#include "capsim/run/replications.hpp"

namespace capsim::run::detail {

/// A station (service, database or cache) other than the sized one that is saturated.
struct BindingStation {
  std::string service;
  /// "the database db: its connections are 100% busy (cpu 64%)" and the like.
  std::string what;
  /// What to size instead: "its replicas, cores or connections".
  std::string instead;
};

/// What to size instead of a tier that `station` binds: "its replicas, cores or connections"
/// (a database), "its replicas, workers or hit ratio (capacity)" (a cache), "its replicas, cores
/// or workers" (a service).
std::string size_instead(const model::ServiceSpec& station);

/// "the database db", "the cache c" or "the service s".
std::string station_noun(const model::ServiceSpec& station);

/// The note of a sizing whose analytic breaking point is set by another station than `sized`,
/// below the peak: adding replicas of `sized` does not help; what to size instead.
std::string path_bound_note(const model::Spec& spec, const ServiceSizing& sizing,
                            const std::string& sized);

/// A station is saturated at or above this busy fraction (cores or workers/connections).
inline constexpr double kSaturatedBusy = 0.95;

/// A pool's callee binds when it refuses at least this fraction of the pool's acquisitions.
inline constexpr double kRefusedPool = 0.01;

/// In a run `r` of `spec` that failed its SLO: the station other than `sized` that is saturated
/// (busy >= kSaturatedBusy, or its queue passed simulation.max_queue; saturated cores ranked
/// before full workers, which may only wait for a station further down) while the cores of
/// `sized` are not; else the callee of a connection pool of `sized` that refused at least
/// kRefusedPool of its acquisitions (its max_connections: more replicas of `sized` only open
/// more pools); else a service whose rate limit (or a database whose capacity units) refused
/// at least kRefusedPool of its arrivals, `sized` included (one limit, whatever the replicas);
/// nothing otherwise (the sized tier may still be the bottleneck).
std::optional<BindingStation> binding_station(const model::Spec& spec, const Results& r,
                                              const std::string& sized);

}  // namespace capsim::run::detail
