#pragma once
// Internal to the analysis (not installed): what caches and databases add to the graph and the
// queues (data_stations.cpp). A cache's misses become calls to its backend with the estimated
// miss ratio; a database's reads and writes are told apart to split them over its nodes.

#include <optional>
#include <vector>

#include "analysis_graph.hpp"
#include "capsim/analytic/cache_hit_ratio.hpp"

namespace capsim::analytic::detail {

/// Adds to `g.routing` each cache's miss calls to its backend (1 - hit ratio per lookup), the
/// hit ratios estimated at the open workloads' peak rates (a ttl's effect depends on them).
/// Returns per service the cache's estimate (none for other services).
std::vector<std::optional<CacheHitEstimate>> add_cache_misses(const model::Spec& spec, Graph& g);

/// Per second, the reads and the writes arriving at database `service` given the endpoints'
/// arrival rates `rates`.
struct DatabaseLoad {
  double reads_rps = 0.0;
  double writes_rps = 0.0;
};
DatabaseLoad database_load(const model::Spec& spec, const Graph& g, const Eigen::VectorXd& rates,
                           std::size_t service);

}  // namespace capsim::analytic::detail
