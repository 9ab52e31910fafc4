// The capacity a service's connection pools leave it (pool_capacity.hpp).

#include "pool_capacity.hpp"

#include <string>

namespace capsim::analytic::detail {

namespace {

/// Connection-seconds per invocation of `steps` that its async calls to `callee` would take if
/// they held a connection (their expected calls times the callee's response time): what the
/// routing's calls count but a pool does not carry (the simulation's pools serve the calls a
/// caller waits for).
double async_connection_s(const model::Spec& spec, const Graph& g, ResponseTimes& response,
                          const std::vector<model::StepSpec>& steps, const std::string& callee) {
  double total = 0.0;
  const auto of_call = [&](const model::CallSpec& c) {
    if (!c.async || c.service != callee) return;
    const auto e = g.find(spec, c.service, c.endpoint);
    if (!e) return;
    const auto r = response.of(*e);
    if (!r) return;
    bool approximate = false;
    total += expected_calls(c, approximate) * *r;
  };
  for (const model::StepSpec& step : steps) {
    if (step.kind == model::StepKind::call) of_call(step.call);
    for (const model::CallSpec& c : step.parallel) of_call(c);
  }
  return total;
}

}  // namespace

void add_pool_capacity(const model::Spec& spec, const Graph& g, ResponseTimes& response,
                       const Eigen::VectorXd& rates, double total_rps, std::size_t s,
                       StationEstimate& st) {
  for (const model::ConnectionPoolSpec& pool : spec.services[s].connection_pools) {
    const auto callee = spec.service_index(pool.service);
    if (!callee || total_rps <= 0.0) continue;
    double connection_s = 0.0;  // per second of the analysed load, all replicas
    bool known = true;
    for (std::size_t e : g.of_service[s]) {
      const auto ei = static_cast<Eigen::Index>(e);
      for (Eigen::Index j = 0; j < g.routing.cols() && known; ++j) {
        const double calls = g.routing(ei, j);
        if (calls <= 0.0 || g.service_of[static_cast<std::size_t>(j)] != *callee) continue;
        if (const auto r = response.of(static_cast<std::size_t>(j))) {
          connection_s += rates(ei) * calls * *r;
        } else {
          known = false;
        }
      }
      connection_s -=
          rates(ei) * async_connection_s(spec, g, response, g.endpoint[e]->steps, pool.service);
    }
    if (!known || connection_s <= 1e-12) continue;
    const double capacity = pool.max * total_rps / connection_s;
    if (!st.replica_capacity_rps || capacity < *st.replica_capacity_rps) {
      st.replica_capacity_rps = capacity;
      st.capacity_bound = "connection pool to " + pool.service;
    }
    if (total_rps >= capacity * st.replicas) {
      st.stable = false;
      st.assumptions.push_back(
          "connection pool to " + pool.service + " exhausted: " + num(connection_s / st.replicas) +
          " connections busy per replica on average, more than its " + std::to_string(pool.max));
    }
  }
}

}  // namespace capsim::analytic::detail
