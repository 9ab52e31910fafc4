/// \file Caches and databases in the analysis (data_stations.hpp).

#include "data_stations.hpp"

#include "capsim/analytic/model_analysis.hpp"

namespace capsim::analytic::detail {

std::vector<std::optional<CacheHitEstimate>> add_cache_misses(const model::Spec& spec, Graph& g) {
  std::vector<std::optional<CacheHitEstimate>> hits(spec.services.size());
  std::size_t caches = 0;
  for (const model::ServiceSpec& s : spec.services) caches += s.cache.has_value();
  // A cache's rate may depend on another cache's misses upstream; the call graph is acyclic, so
  // caches + 1 passes settle every rate.
  for (std::size_t pass = 0; pass <= caches && caches > 0; ++pass) {
    Eigen::VectorXd rates = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(g.endpoint.size()));
    for (const model::WorkloadSpec& w : spec.workloads) {
      if (w.kind == model::WorkloadKind::open) {
        rates += endpoint_rates(spec, g, w, profile_peak(w.rate));
      }
    }
    for (std::size_t s = 0; s < spec.services.size(); ++s) {
      const model::ServiceSpec& svc = spec.services[s];
      if (!svc.cache) continue;
      const auto backend = g.find(spec, svc.cache->backend, svc.cache->backend_endpoint);
      if (!backend) continue;
      double lookups = 0.0;
      for (std::size_t e : g.of_service[s]) lookups += rates(static_cast<Eigen::Index>(e));
      hits[s] = cache_hit_ratio(*svc.cache, lookups, spec.simulation.warmup_s,
                                spec.simulation.duration_s);
      for (std::size_t e : g.of_service[s]) {
        g.routing(static_cast<Eigen::Index>(e), static_cast<Eigen::Index>(*backend)) =
            1.0 - hits[s]->hit_ratio;
      }
    }
  }
  return hits;
}

DatabaseLoad database_load(const model::Spec& spec, const Graph& g, const Eigen::VectorXd& rates,
                           std::size_t service) {
  DatabaseLoad load;
  const std::string& name = spec.services[service].name;
  for (std::size_t e = 0; e < g.endpoint.size(); ++e) {
    const double r = rates(static_cast<Eigen::Index>(e));
    if (r <= 0.0) continue;
    const auto count = [&](const model::CallSpec& c) {
      if (c.service != name) return;
      bool approximate = false;
      const double calls = r * expected_calls(c, approximate);
      (c.op == model::DbOp::write ? load.writes_rps : load.reads_rps) += calls;
    };
    for (const model::StepSpec& step : g.endpoint[e]->steps) {
      if (step.kind == model::StepKind::call) count(step.call);
      if (step.kind == model::StepKind::parallel) {
        for (const model::CallSpec& c : step.parallel) count(c);
      }
    }
  }
  // Workloads aimed at the database itself read.
  double total = 0.0;
  for (std::size_t e : g.of_service[service]) total += rates(static_cast<Eigen::Index>(e));
  load.reads_rps += std::max(0.0, total - load.reads_rps - load.writes_rps);
  return load;
}

}  // namespace capsim::analytic::detail
