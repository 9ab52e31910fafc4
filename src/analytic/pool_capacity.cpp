// A service's connection pools: their capacity and their wait (pool_capacity.hpp).

#include "pool_capacity.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

namespace capsim::analytic::detail {

void add_pool_capacity(const model::Spec& spec, ResponseTimes& response, double total_rps,
                       std::size_t s, StationEstimate& st) {
  const auto& pools = spec.services[s].connection_pools;
  for (std::size_t k = 0; k < pools.size(); ++k) {
    const model::ConnectionPoolSpec& pool = pools[k];
    const std::string name = "connection pool to " + pool.service;
    const std::string at_most = " (at most " + std::to_string(pool.max) + " per replica)";
    const auto load = response.pool(s, k);
    if (!spec.service_index(pool.service) || !load) {
      st.assumptions.push_back(name + at_most + ": not estimated (a callee's time unknown)");
      continue;
    }
    const int replicas = std::max(1, st.replicas);
    PoolEstimate est;
    est.service = pool.service;
    est.max = pool.max;
    est.pooled = load->pooled;
    est.calls_rps = load->calls_rps / replicas;
    est.in_use = load->connection_s / replicas;
    est.holding_s = load->calls_rps > 0.0 ? load->connection_s / load->calls_rps : 0.0;
    est.wait_probability = load->wait_probability;
    est.mean_wait_s = load->mean_wait_s;
    st.pools.push_back(est);
    if (load->calls_rps <= 0.0) {
      st.assumptions.push_back(name + at_most + ": no call the caller waits for goes through it");
      continue;
    }
    // Erlang C: the calls a replica waits for queue FIFO for one of its `max` connections (or,
    // pooled, of all replicas'), each held for the callee's response time.
    const model::LbPolicy policy = spec.services[s].load_balancer.policy;
    const bool round_robin = st.replicas > 1 && (policy == model::LbPolicy::round_robin ||
                                                 policy == model::LbPolicy::weighted_round_robin);
    const std::string queue =
        load->pooled ? "one M/M/" + std::to_string(replicas * pool.max) +
                           " queue for all replicas' connections"
                     : "an M/M/" + std::to_string(pool.max) + " queue for connections per replica";
    const std::string bias = load->pooled
                                 ? "; optimistic: the balancer sends to the least loaded replica"
                             : round_robin ? "; pessimistic: round robin's calls are more regular"
                                           : "";
    std::string text = name + at_most + ": in the capacity and the latency: " + queue +
                       ", Erlang C (calls taken as Poisson, a connection held an exponential "
                       "time of mean the callee's response, " +
                       num(est.holding_s * 1e3) + " ms; acquire_timeout ignored" + bias + ")";
    if (est.mean_wait_s) {
      text += ": " + num(est.in_use) + " busy on average, P(wait) " + num(*est.wait_probability) +
              ", mean wait " + num(*est.mean_wait_s * 1e3) + " ms per call";
    }
    st.assumptions.push_back(text);
    if (total_rps <= 0.0 || load->connection_s <= 1e-12) continue;
    const double capacity = pool.max * total_rps / load->connection_s;
    if (!st.replica_capacity_rps || capacity < *st.replica_capacity_rps) {
      st.replica_capacity_rps = capacity;
      st.capacity_bound = name;
    }
    // Exhausted: no finite wait (the response times above have none either).
    if (!est.mean_wait_s || total_rps >= capacity * st.replicas) {
      st.stable = false;
      st.assumptions.push_back(name + " exhausted: " + num(est.in_use) +
                               " connections busy per replica on average, at or above its " +
                               std::to_string(pool.max));
    }
  }
}

std::optional<int> pooled_connections_to(const model::Spec& spec, const Graph& g,
                                         const AnalysisOptions& options, std::size_t callee) {
  const std::string& name = spec.services[callee].name;
  for (const model::WorkloadSpec& w : spec.workloads) {
    if (w.target == name) return std::nullopt;  // its requests take no connection
  }
  long long connections = 0;
  std::vector<char> counted(spec.services.size(), 0);
  for (Eigen::Index i = 0; i < g.routing.rows(); ++i) {
    const std::size_t caller = g.service_of[static_cast<std::size_t>(i)];
    for (Eigen::Index j = 0; j < g.routing.cols(); ++j) {
      if (g.routing(i, j) <= 0.0 || g.service_of[static_cast<std::size_t>(j)] != callee) continue;
      // An async call, or a queue's hand-over to its consumer, holds no connection.
      if (g.sync_routing(i, j) <= 0.0) return std::nullopt;
      const auto& pools = spec.services[caller].connection_pools;
      const auto pool =
          std::find_if(pools.begin(), pools.end(),
                       [&](const model::ConnectionPoolSpec& p) { return p.service == name; });
      if (pool == pools.end()) return std::nullopt;
      if (!counted[caller]) {
        counted[caller] = 1;
        connections +=
            static_cast<long long>(pool->max) * replicas_of(spec.services[caller], options);
      }
    }
  }
  if (connections <= 0 || connections > std::numeric_limits<int>::max()) return std::nullopt;
  return static_cast<int>(connections);
}

}  // namespace capsim::analytic::detail
