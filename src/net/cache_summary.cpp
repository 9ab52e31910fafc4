/// \file A cache's part of a replication's summary beyond its hit ratio
/// (docs/results-format.md): the lock counts of a cache with stampede coalesce or reject, and
/// the periodic refresh's runs, keys and backend work.

#include "capsim/model/request_path.hpp"
#include "pool.hpp"
#include "statistics.hpp"
#include "summary_values.hpp"

namespace capsim::net {

void Statistics::summarize_cache(const std::string& name, const model::CacheSpec& cache,
                                 const ServiceStats& s, stats::Summary& out) const {
  auto add = [&](std::vector<std::string> path, double value) {
    std::vector<std::string> full{"services", name};
    full.insert(full.end(), path.begin(), path.end());
    out.metrics.push_back(stats::Metric{std::move(full), value, stats::Merge::estimate});
  };
  // Only where stampede locks exist: results of models without them keep their keys.
  if (model::has_stampede_locks(cache)) {
    const auto lookups = static_cast<double>(s.cache_lookups_);
    add({"lock", "waited"}, ratio(static_cast<double>(s.lock_waited_), lookups));
    add({"lock", "rejected"}, ratio(static_cast<double>(s.lock_rejected_), lookups));
    add({"lock", "lapsed"}, static_cast<double>(s.lock_lapsed_));
  }
  if (cache.refresh) {
    add({"refresh", "runs"}, static_cast<double>(s.refresh_runs_));
    add({"refresh", "keys"}, static_cast<double>(s.refresh_keys_));
    add({"refresh", "failed"}, static_cast<double>(s.refresh_failed_));
    add({"refresh", "backend_work_s"}, s.refresh_work_s_);
  }
}

}  // namespace capsim::net
