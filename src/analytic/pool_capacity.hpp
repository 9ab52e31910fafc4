#pragma once
// Internal to the analysis (not installed): a service's connection pools (pool_capacity.cpp):
// the capacity they leave it, and the wait for a connection that its calls take.

#include <Eigen/Dense>

#include <cstddef>
#include <optional>

#include "analysis_graph.hpp"
#include "capsim/analytic/model_analysis.hpp"
#include "response_times.hpp"

namespace capsim::analytic::detail {

/// Service s's pools: a pool of `max` per replica towards a callee holds a connection through
/// each synchronous call to it, so it carries at most max / (connection-seconds per workload
/// request) per replica. Lowers `st.replica_capacity_rps` (and names the pool in
/// `capacity_bound`) where that is smaller, and marks `st` unstable, with an assumption, where
/// `total_rps` passes it. Fills `st.pools` with each pool's load and Erlang C wait (the waits
/// `response` adds to the calls, at the rates it was given), and says so in an assumption.
void add_pool_capacity(const model::Spec& spec, ResponseTimes& response, double total_rps,
                       std::size_t s, StationEstimate& st);

/// The connections in all of the pools that every call waiting for service `callee` goes
/// through (a pool's max x its caller's replicas), or nothing when some such call (a workload's
/// request, a call from a service without a pool to it, an async call) takes no connection.
/// When they are no more than the callee's servers, the callee never queues: its calls wait for
/// a connection instead.
std::optional<int> pooled_connections_to(const model::Spec& spec, const Graph& g,
                                         const AnalysisOptions& options, std::size_t callee);

}  // namespace capsim::analytic::detail
