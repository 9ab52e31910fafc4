#pragma once
/// \file The metric window of a periodic reader (HPA syncs, KEDA polls): snapshots of a
/// service's integrals taken `window_s` before each read, so that a read at T averages over
/// [T - window_s, T]. The one "read the metric window" step of every autoscaler.

#include <cstdint>
#include <deque>

#include "capsim/stats/marks.hpp"

namespace capsim::scale {

/// A service's integrals at one instant, and the counts that go with them.
struct Snapshot {
  double t = 0.0;
  stats::Marks marks;
  std::uint64_t arrivals = 0;    ///< since t = 0
  double balancer_queued = 0.0;  ///< integral of requests held at the balancer
  /// Messages waiting and in flight in the queues the service consumes, at `t` (not an integral:
  /// KEDA's SQS scaler reads the queue's counts when it polls).
  double queue_messages = 0.0;
  /// An HPA on cpu: each replica slot's busy and serving core-seconds since t = 0 (empty: all 0).
  std::vector<std::pair<double, double>> replica_core_s;
};

/// Read k is at first_s + k period_s; its window starts at mark k, window_s before.
struct WindowMeter {
  double first_s = 0.0;
  double period_s = 15.0;
  double window_s = 30.0;
  std::uint64_t reads = 0;  ///< reads done so far
  std::uint64_t marks = 0;  ///< snapshots taken so far (index k of the read they serve)
  std::deque<Snapshot> snapshots;

  double read_time(std::uint64_t k) const { return first_s + static_cast<double>(k) * period_s; }
  double mark_time(std::uint64_t k) const { return read_time(k) - window_s; }

  /// The snapshot at the start of the window of a read at `now`, dropping older ones; all zero
  /// when the window starts at t = 0 (integrals and counts are zero there).
  Snapshot window_start(double now) {
    const double target = now - window_s;
    if (target <= 1e-9) return Snapshot{};
    while (snapshots.size() > 1 && snapshots[1].t <= target + 1e-9) snapshots.pop_front();
    if (snapshots.empty()) return Snapshot{};
    Snapshot s = snapshots.front();
    snapshots.pop_front();
    return s;
  }
};

}  // namespace capsim::scale
