#pragma once
/// \file What is measured of one endpoint of a service, with `simulation.per_endpoint`
/// (docs/results-format.md): the endpoint's share of its service's arrivals, completions,
/// outcomes and latency. See service_stats.hpp for the pattern.

#include <cstdint>

#include "capsim/net/network.hpp"
#include "capsim/stats/histogram.hpp"

namespace capsim::net {

class EndpointStats {
 public:
  void arrival() {
    if (measuring_) ++arrivals_;
  }
  /// A job of the endpoint ended with `outcome`, `latency_s` after it arrived; `held_worker`:
  /// it was served (not refused at the door); `degraded`: a fallback answered on its path.
  void ended(Outcome outcome, bool held_worker, bool degraded, double latency_s) {
    if (!measuring_) return;
    ++ended_;
    ++outcomes_[static_cast<int>(outcome)];
    if (!held_worker) return;
    ++completions_;
    if (outcome == Outcome::success) {
      latency_.record(latency_s);
      degraded_ += degraded;
    }
  }
  void begin_measurement() { measuring_ = true; }

 private:
  friend class Statistics;

  bool measuring_ = false;
  std::uint64_t arrivals_ = 0, ended_ = 0, completions_ = 0, degraded_ = 0;
  std::uint64_t outcomes_[kOutcomeCount] = {};
  stats::Histogram latency_;  // successful jobs, arrival to response
};

}  // namespace capsim::net
