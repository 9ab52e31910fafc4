#pragma once
/// \file What is measured of one endpoint of a service, with `simulation.per_endpoint`
/// (docs/results-format.md): the endpoint's share of its service's arrivals, completions,
/// outcomes and latency. See service_stats.hpp for the pattern.

#include <cstdint>
#include <vector>

#include "capsim/net/network.hpp"
#include "capsim/stats/histogram.hpp"
#include "phase_tally.hpp"

namespace capsim::net {

class EndpointStats {
 public:
  void arrival() {
    if (measuring_) ++arrivals_;
    for (EndpointPhaseTally* p : phases_) ++p->arrivals;
  }
  /// A job of the endpoint ended with `outcome`, `latency_s` after it arrived; `held_worker`:
  /// it was served (not refused at the door); `degraded`: a fallback answered on its path.
  void ended(Outcome outcome, bool held_worker, bool degraded, double latency_s) {
    for (EndpointPhaseTally* p : phases_) {
      p->done(outcome == Outcome::success, held_worker, latency_s);
    }
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

  /// A named phase begins (PhaseStats): its tally counts this endpoint's requests until
  /// leave_phase.
  void enter_phase(EndpointPhaseTally* tally) { phases_.push_back(tally); }
  void leave_phase(EndpointPhaseTally* tally) {
    for (std::size_t i = 0; i < phases_.size(); ++i) {
      if (phases_[i] == tally) {
        phases_.erase(phases_.begin() + static_cast<std::ptrdiff_t>(i));
        return;
      }
    }
  }

 private:
  friend class Statistics;

  bool measuring_ = false;
  std::uint64_t arrivals_ = 0, ended_ = 0, completions_ = 0, degraded_ = 0;
  std::uint64_t outcomes_[kOutcomeCount] = {};
  stats::Histogram latency_;                 // successful jobs, arrival to response
  std::vector<EndpointPhaseTally*> phases_;  // the phases in progress
};

}  // namespace capsim::net
