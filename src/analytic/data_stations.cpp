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
  const auto route_misses = [&] {
    fill_steps(spec, g, miss);
    Eigen::VectorXd rates = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(g.endpoint.size()));
    for (const model::WorkloadSpec& w : spec.workloads) {
      if (w.kind == model::WorkloadKind::open) {
        rates += endpoint_rates(spec, g, w, profile_peak(w.rate));
      }
    }
    // Writes (SET) are no lookups; cache-aside lookups do not go to the cache's backend.
    std::vector<double> writes(n_services, 0.0), aside(n_services, 0.0);
    for (const DataCall& c : g.data_calls) {
      const double r = rates(static_cast<Eigen::Index>(c.endpoint)) * c.per_visit;
      if (c.kind == DataCall::Kind::cache_write) writes[c.service] += r;
      if (c.kind == DataCall::Kind::aside_lookup) aside[c.service] += r;
    }
    for (std::size_t s = 0; s < n_services; ++s) {
      const model::ServiceSpec& svc = spec.services[s];
      if (!svc.cache) continue;
      double arrivals = 0.0;
      for (std::size_t e : g.of_service[s]) arrivals += rates(static_cast<Eigen::Index>(e));
      const double lookups = std::max(0.0, arrivals - writes[s]);
      hits[s] = cache_hit_ratio(*svc.cache, lookups, spec.simulation.warmup_s,
                                spec.simulation.duration_s);
      miss[s] = 1.0 - hits[s]->hit_ratio;
      const auto backend = g.find(spec, svc.cache->backend, svc.cache->backend_endpoint);
      if (!backend || arrivals <= 0.0) continue;
      // Per arrival at the cache: the read-through lookups' misses.
      const double read_through = std::max(0.0, lookups - aside[s]) / arrivals;
      for (std::size_t e : g.of_service[s]) {
        g.routing(static_cast<Eigen::Index>(e), static_cast<Eigen::Index>(*backend)) =
            miss[s] * read_through;
      }
    }
  };
  for (std::size_t pass = 0; pass <= caches; ++pass) route_misses();
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
