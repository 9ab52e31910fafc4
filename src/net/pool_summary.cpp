/// \file The connection pools' part of a replication's summary and time series
/// (docs/results-format.md): per pool, under services.CALLER.pools.CALLEE.

#include "pool.hpp"
#include "statistics.hpp"
#include "summary_values.hpp"

namespace capsim::net {

void Statistics::summarize_pools(stats::Summary& out, double now) const {
  if (pools_.empty()) return;
  const double measured = spec_.simulation.duration_s - spec_.simulation.warmup_s;
  for (std::size_t i = 0; i < spec_.services.size(); ++i) {
    const model::ServiceSpec& ss = spec_.services[i];
    for (std::size_t k = 0; k < ss.connection_pools.size(); ++k) {
      const PoolStats& p = pools_[first_pool_[i] + k];
      auto add = [&](std::vector<std::string> path, double value,
                     stats::Merge merge = stats::Merge::estimate) {
        std::vector<std::string> full{"services", ss.name, "pools", ss.connection_pools[k].service};
        full.insert(full.end(), path.begin(), path.end());
        out.metrics.push_back(stats::Metric{std::move(full), value, merge});
      };
      const auto acquisitions = static_cast<double>(p.acquisitions_);
      add({"acquire_rps"}, acquisitions / measured);
      add({"wait_ms", "mean"}, p.wait_.count() > 0 ? p.wait_.mean() * 1e3 : kNaN);
      add({"wait_ms", "p95"}, quantile_ms(p.wait_, 0.95));
      add({"wait_ms", "p99"}, quantile_ms(p.wait_, 0.99));
      add({"timeout_rate"}, ratio(static_cast<double>(p.timeouts_), acquisitions));
      add({"refused_rate"}, ratio(static_cast<double>(p.refused_), acquisitions));
      add({"in_use"}, (p.in_use_.integral(now) - p.warm_in_use_) / measured);
      add({"in_use_max"}, p.in_use_max_, stats::Merge::max);
      add({"open"}, (p.open_.integral(now) - p.warm_open_) / measured);
    }
  }
}

std::optional<double> Statistics::window_pools_in_use(std::size_t i, double now, double width_s) {
  const std::size_t count = spec_.services[i].connection_pools.size();
  if (count == 0) return std::nullopt;
  double in_use = 0.0;
  for (std::size_t k = 0; k < count; ++k) {
    in_use += pools_[first_pool_[i] + k].window_in_use(now, width_s);
  }
  return in_use;
}

}  // namespace capsim::net
