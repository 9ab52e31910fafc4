#pragma once
/// \file Integrals of a service's levels at one instant: differences of two marks give averages
/// over the time between them (a time-series window, the period after warm-up, an autoscaler's
/// metric window).

namespace capsim::stats {

struct Marks {
  double busy_cores = 0.0;
  double busy_workers = 0.0;
  double queued = 0.0;
  double in_flight = 0.0;
  double replicas = 0.0;  ///< ready replicas
  double core_capacity = 0.0;
  double worker_capacity = 0.0;
  double provisioned = 0.0;  ///< starting, ready and draining replicas (what is paid for)
  double desired = 0.0;      ///< the replica count asked for
  double memory_mib = 0.0;   ///< memory held by the serving replicas (services with `memory`)
};

}  // namespace capsim::stats
