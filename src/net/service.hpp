#pragma once
/// \file The runtime of one service: its compiled endpoints and the components that serve it.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "../scale/autoscaler.hpp"
#include "balancer.hpp"
#include "cache.hpp"
#include "capsim/dist/distribution.hpp"
#include "capsim/model/spec.hpp"
#include "capsim/net/capacity_units.hpp"
#include "capsim/net/rate_limiter.hpp"
#include "capsim/net/resilience.hpp"
#include "program.hpp"
#include "replica_set.hpp"

namespace capsim::net {

struct Service {
  Service(const model::ServiceSpec& s, std::uint32_t i, sim::RandomStream balancer_rng,
          bool simple_balancing)
      : spec(&s), index(i), replicas(s), balancer(s, balancer_rng, simple_balancing) {}

  const model::ServiceSpec* spec;
  std::uint32_t index;
  std::vector<Steps> endpoints;
  ReplicaSet replicas;
  Balancer balancer;
  /// Requests waiting for a worker, or at the balancer (bounded by simulation.max_queue).
  std::int64_t queued = 0;
  std::optional<RateLimiter> rate_limit;
  std::optional<CapacityUnits> capacity_units;  ///< databases with `capacity_units`
  std::optional<Cache> cache;
  // Faults.
  double slowdown = 1.0;
  double outage_until_s = -kInf;
  // Autoscaling.
  std::unique_ptr<scale::Autoscaler> autoscaler;
  std::deque<Ref> balancer_queue;  ///< requests waiting for a ready replica
  // Rollouts (replication_rollout.cpp).
  std::optional<std::uint32_t> rollout;  ///< the fault index of the rollout in progress
  double rollout_started_s = 0.0;
  // Memory: what a request holds (services with `memory`).
  std::optional<dist::Distribution> memory_per_request;
};

}  // namespace capsim::net
