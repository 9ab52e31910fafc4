/// \file A database's station (internal to the analysis): reads and writes split over its
/// nodes, and the Universal Scalability Law's slowdown of its queries.

#include <algorithm>
#include <cmath>

#include "data_stations.hpp"
#include "station_queue.hpp"

namespace capsim::analytic::detail {

void split_database(const model::Spec& spec, const Graph& g, const Eigen::VectorXd& rates,
                    std::size_t s, bool ps, StationEstimate& st, Queue& queue) {
  const model::ServiceSpec& svc = spec.services[s];
  const detail::DatabaseLoad load = detail::database_load(spec, g, rates, s);
  const int readers = svc.database->read_replicas;
  const int c = st.servers_per_replica;
  const double steps = st.work_visits_rps / st.arrival_rps;  // work steps per query
  const double reads = load.reads_rps * steps, writes = load.writes_rps * steps;
  const model::LbPolicy policy = svc.load_balancer.policy;
  const bool pooled = readers == 1 || policy == model::LbPolicy::least_outstanding ||
                      policy == model::LbPolicy::power_of_two;
  const Queue read_q = make_queue(pooled ? reads : reads / readers, st.work_mean_s,
                                  pooled ? readers * c : c, st.work_scv, ps);
  const Queue write_q = make_queue(writes, st.work_mean_s, c, st.work_scv, ps);
  const double read_util = reads * st.work_mean_s / (static_cast<double>(readers) * c);
  const double write_util = writes * st.work_mean_s / c;
  const double uniform_util = st.utilization;  // as if every node took every kind of query
  st.utilization = std::max(read_util, write_util);
  // The breaking point is one node's capacity times the nodes: with reads on the read replicas
  // only and writes on the primary only, the busier side saturates first, so a node's share of
  // the service's capacity is scaled by how much busier that side is than an even spread.
  if (st.core_capacity_rps && st.utilization > 0.0) {
    *st.core_capacity_rps *= uniform_util / st.utilization;
  }
  st.stable = st.utilization < 1.0;
  st.model = pooled ? StationModel::pooled : StationModel::per_replica;
  st.assumptions.push_back("reads (" + num(load.reads_rps) + "/s) on the " +
                           std::to_string(readers) + " read replicas, " + num(read_util * 100) +
                           "% busy; writes (" + num(load.writes_rps) + "/s) on the primary, " +
                           num(write_util * 100) + "% busy; utilisation is the busier side's");
  queue = read_q;
  queue.valid = read_q.valid && write_q.valid;
  if (!queue.valid || reads + writes <= 0.0) {
    st.wait_probability.reset();
    st.mean_wait_s.reset();
    st.own_time_s.reset();
    return;
  }
  queue.wait_s = (reads * read_q.wait_s + writes * write_q.wait_s) / (reads + writes);
  st.wait_probability =
      (reads * read_q.wait_probability + writes * write_q.wait_probability) / (reads + writes);
  st.mean_wait_s = queue.wait_s;
  st.own_time_s = st.demand_s + steps * queue.wait_s;
}

ContentionEffect contention_effect(const model::ContentionSpec& k, double offered_erlangs,
                                   int servers) {
  // The engine slows a query by 1 + alpha (n - 1) + beta n (n - 1) with n queries running on its
  // node (itself included).
  const auto factor = [&](double n) {
    n = std::max(n, 1.0);
    return 1.0 + k.alpha * (n - 1.0) + k.beta * n * (n - 1.0);
  };
  const double c = static_cast<double>(servers);
  ContentionEffect out;
  out.at_saturation = factor(c);
  // A query starts beside the queries an arrival finds running (their time average N, Poisson
  // arrivals seeing time averages), itself included: n = N + 1, at most every server. N is the
  // offered load times the slowdown it causes (Little): iterate from the plain load up to the
  // least fixed point (the sequence only grows). Exact in the mean for beta = 0 while queries
  // seldom wait (the slowdown is then linear in n).
  const auto beside = [&](double running) { return factor(std::min(c, running + 1.0)); };
  double n = std::min(c, offered_erlangs);
  for (int i = 0; i < 200; ++i) {
    const double next = std::min(c, offered_erlangs * beside(n));
    if (std::fabs(next - n) <= 1e-12 * std::max(1.0, n)) {
      n = next;
      break;
    }
    n = next;
  }
  out.concurrency = n;
  out.factor = beside(n);
  return out;
}

}  // namespace capsim::analytic::detail
