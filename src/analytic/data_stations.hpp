#pragma once
// Internal to the analysis (not installed): what caches and databases add to the graph and the
// queues (data_stations.cpp). A cache's misses become calls to its backend with the estimated
// miss ratio; a database's reads and writes are told apart to split them over its nodes.

#include <optional>
#include <vector>

#include "analysis_graph.hpp"
#include "capsim/analytic/cache_hit_ratio.hpp"
#include "capsim/analytic/model_analysis.hpp"

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

struct Queue;

/// A database with read replicas: reads queue at the read replicas (balanced like any service),
/// writes at the primary; the station's utilisation is the busier side's, its wait the mean over
/// queries (database_station.cpp).
void split_database(const model::Spec& spec, const Graph& g, const Eigen::VectorXd& rates,
                    std::size_t s, bool ps, StationEstimate& st, Queue& queue);

/// The Universal Scalability Law's slowdown of a database's queries (1 + alpha (n - 1) +
/// beta n (n - 1) with n running, as the engine applies it): for a query that starts beside the
/// mean number running on a node (`offered_erlangs`, arrivals x plain work per node, inflated by
/// the slowdown it causes; at most `servers`), and with every server busy (the breaking point).
struct ContentionEffect {
  double concurrency = 0.0;    ///< mean queries running on a node (time average)
  double factor = 1.0;         ///< a query's work multiplied by this at that concurrency
  double at_saturation = 1.0;  ///< ... and with all `servers` busy
};
ContentionEffect contention_effect(const model::ContentionSpec& k, double offered_erlangs,
                                   int servers);

}  // namespace capsim::analytic::detail
