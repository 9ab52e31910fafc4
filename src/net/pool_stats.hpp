#pragma once
/// \file What is measured of one connection pool of a service (all its replicas' pools towards
/// one callee together): acquisitions and how they ended, the wait for a connection, and the
/// connections open and in use over time (docs/request-path.md#connection-pools).

#include <algorithm>
#include <cstdint>

#include "capsim/stats/histogram.hpp"
#include "capsim/stats/time_weighted.hpp"

namespace capsim::net {

class PoolStats {
 public:
  /// A call asks the pool for a connection.
  void acquisition() {
    if (measuring_) ++acquisitions_;
  }
  /// A call got a connection after waiting `wait_s` (0: one was idle or could be opened).
  void granted(double wait_s) {
    if (measuring_) wait_.record(wait_s);
  }
  /// A call waited acquire_timeout for a connection and failed.
  void timed_out() {
    if (measuring_) ++timeouts_;
  }
  /// Opening a connection for a call was refused by the callee (max_connections).
  void refused() {
    if (measuring_) ++refused_;
  }

  /// Connections in use (lent to a call until its query ends) change by `delta`.
  void in_use(double now, double delta) {
    in_use_.add(now, delta);
    if (measuring_) in_use_max_ = std::max(in_use_max_, in_use_.value());
  }
  /// Connections open (idle or in use) change by `delta`.
  void open(double now, double delta) { open_.add(now, delta); }

  void begin_measurement(double now) {
    measuring_ = true;
    warm_in_use_ = in_use_.integral(now);
    warm_open_ = open_.integral(now);
    in_use_max_ = in_use_.value();
  }
  /// Connections in use averaged over the window that began at `start_s` (the last call's
  /// `now`, or 0), ending at `now`.
  double window_in_use(double now, double width_s) {
    const double integral = in_use_.integral(now);
    const double mean = (integral - window_in_use_) / width_s;
    window_in_use_ = integral;
    return mean;
  }

 private:
  friend class Statistics;

  bool measuring_ = false;
  std::uint64_t acquisitions_ = 0, timeouts_ = 0, refused_ = 0;
  stats::Histogram wait_;
  double in_use_max_ = 0.0;
  double warm_in_use_ = 0.0, warm_open_ = 0.0, window_in_use_ = 0.0;
  stats::TimeWeighted in_use_, open_;
};

}  // namespace capsim::net
