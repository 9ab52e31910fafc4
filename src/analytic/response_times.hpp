#pragma once
// Internal to the analysis (not installed): the mean response time of each endpoint
// (response_times.cpp), walked down its calls: its steps' queueing waits and work, its calls'
// responses, a cache's read-through misses, and a cache-aside lookup's on_miss steps weighted by
// the cache's miss ratio (docs/analytic-caches.md).

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "analysis_graph.hpp"
#include "capsim/analytic/cache_hit_ratio.hpp"
#include "capsim/model/spec.hpp"
#include "station_queue.hpp"

namespace capsim::analytic::detail {

/// A pool whose connections are busy on average more than (1 - kFullPool) x max is exhausted: at
/// the boundary rounding would give an absurd finite wait.
inline constexpr double kFullPool = 1e-9;

/// One caller replica's connection pool towards a callee at the analysed load: an M/M/c queue
/// for connections (c = the pool's max), fed the replica's synchronous calls to the callee
/// (Poisson assumed), each holding its connection for the callee's response time (exponential
/// assumed by Erlang C); behind a least-loaded balancer, one queue for all replicas' connections.
struct PoolLoad {
  double calls_rps = 0.0;     // calls through the pool per second, all replicas
  double connection_s = 0.0;  // connection-seconds held per second, all replicas
  /// Whether the balancer makes all replicas' pools one queue (least outstanding, power of two)
  /// rather than one M/M/max queue per replica.
  bool pooled = false;
  /// Per call: Erlang C's probability of waiting for a connection and the mean wait; absent
  /// where the pool is exhausted (its replicas' calls hold `max` connections or more).
  std::optional<double> wait_probability;
  std::optional<double> mean_wait_s;
};

/// Memoised response times; the loader refuses call cycles, so the walk ends. Nothing (an empty
/// optional) where a queue on the way is unstable or a callee is unknown.
class ResponseTimes {
 public:
  /// `queues[s]`: the queue one visit of service s's work joins; `work_factor[s]`: how much
  /// longer its work takes than its steps say (a database's contention slows every query);
  /// `cache_hits[s]`: the estimated hit ratio of cache s. All must outlive this object.
  /// `pool_rates` (nullptr: pools not in the latency, a call waits for no connection): the
  /// endpoints' arrival rates at the analysed load, which the connection pools' waits need, and
  /// `replicas[s]` service s's replica count.
  ResponseTimes(const model::Spec& spec, const Graph& g, const std::vector<Queue>& queues,
                const std::vector<double>& work_factor,
                const std::vector<std::optional<CacheHitEstimate>>& cache_hits,
                const Eigen::VectorXd* pool_rates = nullptr, std::vector<int> replicas = {});

  /// The mean time from a request's arrival at endpoint `e` to its answer. A cache endpoint's
  /// includes its backend's time for the share of its arrivals that read through and missed
  /// (what holds its workers).
  std::optional<double> of(std::size_t e);
  /// The time of one call into cache endpoint `e`: its lookup, and for a read-through lookup
  /// (not cache-aside, not a write) the miss ratio times the backend's time.
  std::optional<double> cache_call(std::size_t e, bool read_through);
  /// Service s's pool `k` (its connection_pools' order) at the analysed load; absent where a
  /// callee's time is unknown or no rates were given.
  std::optional<PoolLoad> pool(std::size_t s, std::size_t k);

 private:
  /// The mean wait for a connection of one call from service `s` to service `callee` (0 without
  /// a pool to it); absent where that pool is exhausted or its load unknown.
  std::optional<double> connection_wait(std::size_t s, const std::string& callee);
  /// The time of call `c` made by a step run at service `s`.
  std::optional<double> call_time(std::size_t s, const model::CallSpec& c);
  /// The time of `steps` run at service `s`.
  std::optional<double> steps_time(std::size_t s, const std::vector<model::StepSpec>& steps);

  const model::Spec& spec_;
  const Graph& g_;
  const std::vector<Queue>& queues_;
  const std::vector<double>& work_factor_;
  const std::vector<std::optional<CacheHitEstimate>>& cache_hits_;
  std::vector<std::optional<double>> response_;
  std::vector<char> known_;
  // Per cache endpoint: the part of its response that is its backend's time for its misses.
  std::vector<double> backend_part_;
  const Eigen::VectorXd* pool_rates_;
  std::vector<int> replicas_;
  // Per service and pool: the memoised load, and its state (a pool whose load is under way when
  // asked again, through a service calling itself, takes no wait rather than recursing).
  std::vector<std::vector<std::optional<PoolLoad>>> pools_;
  std::vector<std::vector<char>> pool_state_;  // 0 unknown, 1 computing, 2 known
};

}  // namespace capsim::analytic::detail
