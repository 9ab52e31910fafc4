/// \file The endpoints' part of a replication's summary (simulation.per_endpoint,
/// docs/results-format.md): per endpoint, under services.S.endpoints.E.

#include "pool.hpp"
#include "statistics.hpp"
#include "summary_values.hpp"

namespace capsim::net {

void Statistics::summarize_endpoints(stats::Summary& out) const {
  if (endpoints_.empty()) return;
  const double measured = spec_.simulation.duration_s - spec_.simulation.warmup_s;
  for (std::size_t i = 0; i < spec_.services.size(); ++i) {
    const model::ServiceSpec& ss = spec_.services[i];
    if (ss.queue) continue;  // no endpoints measured (summary.cpp)
    for (std::size_t k = 0; k < ss.endpoints.size(); ++k) {
      const EndpointStats& e = endpoints_[first_endpoint_[i] + k];
      auto add = [&](std::vector<std::string> path, double value) {
        std::vector<std::string> full{"services", ss.name, "endpoints", ss.endpoints[k].name};
        full.insert(full.end(), path.begin(), path.end());
        out.metrics.push_back(stats::Metric{std::move(full), value, stats::Merge::estimate});
      };
      const auto ended = static_cast<double>(e.ended_);
      const auto ok = static_cast<double>(e.outcomes_[static_cast<int>(Outcome::success)]);
      add({"arrival_rps"}, static_cast<double>(e.arrivals_) / measured);
      add({"throughput_rps"}, static_cast<double>(e.completions_) / measured);
      add({"error_rate"}, ratio(ended - ok, ended));
      // The outcomes a service's job can end with (a failed call is the caller's `error`).
      for (Outcome o : {Outcome::rejected, Outcome::rate_limited, Outcome::error}) {
        add({"errors", outcome_name(o)},
            ratio(static_cast<double>(e.outcomes_[static_cast<int>(o)]), ended));
      }
      if (throttles_) {
        add({"errors", "throttled"},
            ratio(static_cast<double>(e.outcomes_[static_cast<int>(Outcome::throttled)]), ended));
      }
      if (fallbacks_) {
        add({"degraded_rate"},
            ratio(static_cast<double>(e.degraded_), static_cast<double>(e.completions_)));
      }
      const stats::Histogram& h = e.latency_;
      add({"latency_ms", "mean"}, h.count() > 0 ? h.mean() * 1e3 : kNaN);
      add({"latency_ms", "p50"}, quantile_ms(h, 0.50));
      add({"latency_ms", "p95"}, quantile_ms(h, 0.95));
      add({"latency_ms", "p99"}, quantile_ms(h, 0.99));
    }
  }
}

}  // namespace capsim::net
