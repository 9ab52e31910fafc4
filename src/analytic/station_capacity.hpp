#pragma once
/// \file The capacity of a station in workload requests per second (station_capacity.cpp): its
/// cores, its workers held through calls and delays, and the breaking point of the path.

#include "capsim/analytic/model_analysis.hpp"
#include "capsim/model/spec.hpp"

namespace capsim::analytic::detail {

/// Sets `st.worker_capacity_rps` from its holding time (stations whose workers are not the
/// servers): workers x total_rps / (arrival_rps x the time a request holds its worker, its own
/// wait for a core excluded).
void add_worker_capacity(const model::ServiceSpec& svc, double total_rps, StationEstimate& st);

/// Sets `st.replica_capacity_rps` and `st.capacity_bound` from the core and worker capacities.
void settle_capacity(const model::ServiceSpec& svc, StationEstimate& st);

}  // namespace capsim::analytic::detail
