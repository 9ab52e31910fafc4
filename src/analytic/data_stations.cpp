/// \file Caches and databases in the analysis (data_stations.hpp).

#include "data_stations.hpp"

#include <algorithm>

#include "capsim/analytic/model_analysis.hpp"

namespace capsim::analytic::detail {

std::vector<std::optional<CacheHitEstimate>> add_cache_misses(const model::Spec& spec, Graph& g) {
  const std::size_t n_services = spec.services.size();
  std::vector<std::optional<CacheHitEstimate>> hits(n_services);
  std::size_t caches = 0;
  for (const model::ServiceSpec& s : spec.services) caches += s.cache.has_value();
  if (caches == 0) return hits;
  // A cache's rate may depend on another cache's misses upstream (a backend, or on_miss steps);
  // the call graph is acyclic, so caches + 1 passes settle every rate.
  std::vector<double> miss(n_services, 0.0);
  // Per cache: calls to its backend per arrival at the cache (the read-through lookups' misses),
  // kept from one pass to the next: fill_steps() starts the routing afresh.
  std::vector<double> to_backend(n_services, 0.0);
  const auto route_backends = [&] {
    for (std::size_t s = 0; s < n_services; ++s) {
      const model::ServiceSpec& svc = spec.services[s];
      if (!svc.cache) continue;
      const auto backend = g.find(spec, svc.cache->backend, svc.cache->backend_endpoint);
      if (!backend) continue;
      for (std::size_t e : g.of_service[s]) {
        // The lookup waits for its read-through miss: synchronous too.
        g.routing(static_cast<Eigen::Index>(e), static_cast<Eigen::Index>(*backend)) =
            to_backend[s];
        g.sync_routing(static_cast<Eigen::Index>(e), static_cast<Eigen::Index>(*backend)) =
            to_backend[s];
      }
    }
  };
  const auto route_misses = [&] {
    fill_steps(spec, g, miss);
    route_backends();
    // A message loop may close through on_miss steps or a backend: checked at these misses.
    refuse_endless_message_loops(spec, g);
    // The open workloads at their peak (a TTL's hit ratio depends on the lookup rate); the
    // shares of lookups, writes and cache-aside lookups also from the closed workloads (per
    // request: only the proportions count), which a model of closed workloads alone has.
    Eigen::VectorXd rates = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(g.endpoint.size()));
    Eigen::VectorXd mix = rates;
    for (const model::WorkloadSpec& w : spec.workloads) {
      if (w.kind == model::WorkloadKind::open) {
        rates += endpoint_rates(spec, g, w, profile_peak(w.rate));
      } else {
        mix += endpoint_rates(spec, g, w, 1.0);
      }
    }
    mix += rates;
    // Writes (SET) are no lookups; cache-aside lookups do not go to the cache's backend.
    std::vector<double> writes(n_services, 0.0), aside(n_services, 0.0);
    std::vector<double> mix_writes(n_services, 0.0), mix_aside(n_services, 0.0);
    for (const DataCall& c : g.data_calls) {
      const auto at = static_cast<Eigen::Index>(c.endpoint);
      if (c.kind == DataCall::Kind::cache_write) {
        writes[c.service] += rates(at) * c.per_visit;
        mix_writes[c.service] += mix(at) * c.per_visit;
      }
      if (c.kind == DataCall::Kind::aside_lookup) {
        aside[c.service] += rates(at) * c.per_visit;
        mix_aside[c.service] += mix(at) * c.per_visit;
      }
    }
    for (std::size_t s = 0; s < n_services; ++s) {
      const model::ServiceSpec& svc = spec.services[s];
      if (!svc.cache) continue;
      double arrivals = 0.0, mix_arrivals = 0.0;
      for (std::size_t e : g.of_service[s]) {
        arrivals += rates(static_cast<Eigen::Index>(e));
        mix_arrivals += mix(static_cast<Eigen::Index>(e));
      }
      const double lookups = std::max(0.0, arrivals - writes[s]);
      hits[s] = cache_hit_ratio(*svc.cache, lookups, spec.simulation.warmup_s,
                                spec.simulation.duration_s);
      miss[s] = 1.0 - hits[s]->hit_ratio;
      // Per arrival at the cache: the read-through lookups' misses (all arrivals read through
      // where nothing reaches the cache).
      const double read_through =
          mix_arrivals > 0.0
              ? std::max(0.0, mix_arrivals - mix_writes[s] - mix_aside[s]) / mix_arrivals
              : 1.0;
      to_backend[s] = miss[s] * read_through;
    }
  };
  for (std::size_t pass = 0; pass <= caches; ++pass) route_misses();
  // The routing with the last pass's miss ratios.
  fill_steps(spec, g, miss);
  route_backends();
  return hits;
}

DatabaseLoad database_load(const model::Spec&, const Graph& g, const Eigen::VectorXd& rates,
                           std::size_t service) {
  DatabaseLoad load;
  for (const DataCall& c : g.data_calls) {
    if (c.service != service) continue;
    const double calls = rates(static_cast<Eigen::Index>(c.endpoint)) * c.per_visit;
    if (c.kind == DataCall::Kind::db_write) load.writes_rps += calls;
    if (c.kind == DataCall::Kind::db_read) load.reads_rps += calls;
  }
  // Workloads aimed at the database itself read.
  double total = 0.0;
  for (std::size_t e : g.of_service[service]) total += rates(static_cast<Eigen::Index>(e));
  load.reads_rps += std::max(0.0, total - load.reads_rps - load.writes_rps);
  return load;
}

}  // namespace capsim::analytic::detail
