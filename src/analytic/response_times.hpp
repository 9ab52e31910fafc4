#pragma once
// Internal to the analysis (not installed): the mean response time of each endpoint
// (response_times.cpp), walked down its calls: its steps' queueing waits and work, its calls'
// responses, a cache's read-through misses, and a cache-aside lookup's on_miss steps weighted by
// the cache's miss ratio (docs/analytic-caches.md).

#include <cstddef>
#include <optional>
#include <vector>

#include "analysis_graph.hpp"
#include "capsim/analytic/cache_hit_ratio.hpp"
#include "capsim/model/spec.hpp"
#include "station_queue.hpp"

namespace capsim::analytic::detail {

/// Memoised response times; the loader refuses call cycles, so the walk ends. Nothing (an empty
/// optional) where a queue on the way is unstable or a callee is unknown.
class ResponseTimes {
 public:
  /// `queues[s]`: the queue one visit of service s's work joins; `work_factor[s]`: how much
  /// longer its work takes than its steps say (a database's contention slows every query);
  /// `cache_hits[s]`: the estimated hit ratio of cache s. All must outlive this object.
  ResponseTimes(const model::Spec& spec, const Graph& g, const std::vector<Queue>& queues,
                const std::vector<double>& work_factor,
                const std::vector<std::optional<CacheHitEstimate>>& cache_hits);

  /// The mean time from a request's arrival at endpoint `e` to its answer. A cache endpoint's
  /// includes its backend's time for the share of its arrivals that read through and missed
  /// (what holds its workers).
  std::optional<double> of(std::size_t e);
  /// The time of one call into cache endpoint `e`: its lookup, and for a read-through lookup
  /// (not cache-aside, not a write) the miss ratio times the backend's time.
  std::optional<double> cache_call(std::size_t e, bool read_through);

 private:
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
};

}  // namespace capsim::analytic::detail
