#pragma once
/// \file What is measured of one workload (what its clients see): the one place its statistics
/// are kept. See service_stats.hpp for the pattern.

#include <cstdint>
#include <vector>

#include "capsim/net/network.hpp"
#include "capsim/stats/histogram.hpp"
#include "capsim/stats/time_weighted.hpp"
#include "phase_tally.hpp"

namespace capsim::net {

class WorkloadStats {
 public:
  explicit WorkloadStats(bool windows) : windows_(windows) {}

  void offered() {
    if (measuring_) ++offered_;
    for (WorkloadPhaseTally* p : phases_) ++p->offered;
  }
  void retry() {
    if (measuring_) ++retries_;
  }
  /// A client request ended with `outcome` after `attempts` attempts, `latency_s` after it was
  /// first sent.
  void done(Outcome outcome, std::uint32_t attempts, double latency_s) {
    const bool success = outcome == Outcome::success;
    if (measuring_) {
      ++finished_;
      ++outcomes_[static_cast<int>(outcome)];
      attempts_ += attempts;
      if (success) latency_.record(latency_s);
    }
    for (WorkloadPhaseTally* p : phases_) p->done(success, latency_s);
    if (windows_) {
      ++w_finished_;
      if (success) {
        w_latency_.record(latency_s);
      } else {
        ++w_failed_;
      }
    }
  }
  /// The request about to be reported done succeeded degraded (a fallback answered on its path).
  void degraded() {
    if (measuring_) ++degraded_;
  }
  /// A closed workload's active users become `users` at `now`.
  void users(double now, double users) { users_.update(now, users); }

  std::uint64_t offered_count() const { return offered_; }

  void begin_measurement(double now) {
    measuring_ = true;
    users_warm_ = users_.integral(now);
  }

  /// A named phase begins (PhaseStats): its tally counts this workload's requests until
  /// leave_phase.
  void enter_phase(WorkloadPhaseTally* tally) { phases_.push_back(tally); }
  void leave_phase(WorkloadPhaseTally* tally) {
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
  std::uint64_t offered_ = 0, finished_ = 0, attempts_ = 0, retries_ = 0;
  std::uint64_t outcomes_[kOutcomeCount] = {};
  std::uint64_t degraded_ = 0;
  stats::Histogram latency_;
  stats::TimeWeighted users_;  // integrated from t = 0
  double users_warm_ = 0.0;    // its integral at the end of warm-up
  bool windows_;
  std::uint64_t w_finished_ = 0, w_failed_ = 0;
  stats::Histogram w_latency_;
  std::vector<WorkloadPhaseTally*> phases_;  // the phases in progress
};

}  // namespace capsim::net
