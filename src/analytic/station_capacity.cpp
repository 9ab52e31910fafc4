/// \file The capacity of a station (station_capacity.hpp) and the breaking point of the path
/// (model_analysis.hpp).

#include "station_capacity.hpp"

#include <algorithm>

namespace capsim::analytic {

namespace {

const char* workers_noun(const model::ServiceSpec& svc) {
  return svc.database ? "connections" : "workers";
}

}  // namespace

namespace detail {

void add_worker_capacity(const model::ServiceSpec& svc, double total_rps, StationEstimate& st) {
  if (total_rps <= 0.0 || st.arrival_rps <= 0.0 || !st.holding_time_s || svc.workers <= 0) return;
  // Capacity is where the workers are all held; a request's own wait for a core grows with the
  // load and is no part of the time it needs (as the cores' capacity ignores their queue).
  const double own_wait = st.own_time_s ? std::max(0.0, *st.own_time_s - st.demand_s) : 0.0;
  const double held_s = *st.holding_time_s - own_wait;
  if (held_s <= 0.0) return;
  st.worker_capacity_rps = svc.workers * total_rps / (st.arrival_rps * held_s);
}

void settle_capacity(const model::ServiceSpec& svc, StationEstimate& st) {
  if (st.core_capacity_rps) {
    st.replica_capacity_rps = st.core_capacity_rps;
    // Fewer workers than cores and no calls: the workers are the servers. A database's cores
    // default to its connections: then the connections (the setting one sizes) are named.
    const bool by_workers = st.servers_per_replica < svc.cores ||
                            (svc.database && st.servers_per_replica == svc.workers);
    st.capacity_bound = by_workers ? workers_noun(svc) : "cores";
  }
  // Ties go to the cores: the workers wait for them.
  if (st.worker_capacity_rps &&
      (!st.replica_capacity_rps || *st.worker_capacity_rps < *st.replica_capacity_rps)) {
    st.replica_capacity_rps = st.worker_capacity_rps;
    st.capacity_bound = workers_noun(svc);
  }
}

}  // namespace detail

std::optional<BreakingPoint> breaking_point(const ModelAnalysis& analysis,
                                            const std::string& sized) {
  std::optional<BreakingPoint> out;
  for (const StationEstimate& st : analysis.stations) {
    if (!st.replica_capacity_rps) continue;
    const double rps =
        st.service == sized ? *st.replica_capacity_rps : *st.replica_capacity_rps * st.replicas;
    // The sized tier first (stations in model order otherwise): ties name the earlier.
    if (!out || rps < out->rps || (rps == out->rps && st.service == sized)) {
      out = BreakingPoint{rps, st.service, st.capacity_bound};
    }
  }
  return out;
}

}  // namespace capsim::analytic
