#pragma once
// Internal to the analysis (not installed): an open workload's latency percentiles
// (latency_quantiles.cpp): exact for one M/M/c visit, else the station where requests spend most
// of the time they wait for, as one M/M/c job, plus the mean of the rest.

#include <vector>

#include "analysis_graph.hpp"
#include "capsim/analytic/model_analysis.hpp"
#include "station_queue.hpp"

namespace capsim::analytic::detail {

/// Fills `est.latency_quantiles_s`, `est.quantiles_exact` and the percentiles' assumptions for
/// open workload `w`, whose mean response time is `mean_s` (every station on its path stable).
/// `stations` and `queues` per service, in the model's order. Leaves the quantiles empty where
/// no station fits the approximation.
void add_latency_quantiles(const model::Spec& spec, const Graph& g,
                           const std::vector<StationEstimate>& stations,
                           const std::vector<Queue>& queues, const model::WorkloadSpec& w,
                           double mean_s, WorkloadEstimate& est);

}  // namespace capsim::analytic::detail
