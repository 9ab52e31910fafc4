#pragma once
/// \file What is measured of one queue service's broker (docs/request-path.md#queues): messages
/// sent, rejected, delivered, redelivered and dead-lettered, the backlog over time, the age of
/// the oldest waiting message, and the end-to-end latency from enqueue to a successful end.

#include <algorithm>
#include <cstdint>

#include "capsim/stats/histogram.hpp"
#include "capsim/stats/time_weighted.hpp"

namespace capsim::net {

class QueueStats {
 public:
  void sent() {
    if (measuring_) ++sent_;
  }
  void rejected() {
    if (measuring_) ++rejected_;
  }
  void redelivered() {
    if (measuring_) ++redeliveries_;
  }
  void dead_lettered() {
    if (measuring_) ++dead_lettered_;
  }
  /// A message's processing succeeded `latency_s` after it was sent.
  void delivered(double latency_s) {
    if (!measuring_) return;
    ++delivered_;
    latency_.record(latency_s);
  }
  /// A message leaves the backlog (received) `age_s` after it was sent: the oldest waiting
  /// message is at least that old until then.
  void received_at_age(double age_s) {
    if (measuring_) oldest_age_max_s_ = std::max(oldest_age_max_s_, age_s);
  }
  /// A receive took `messages` messages (one batch, one processing).
  void received_batch(std::uint32_t messages) {
    if (!measuring_) return;
    ++batches_;
    batch_messages_ += messages;
  }
  /// Messages waiting (visible, not in flight) change by `delta`.
  void backlog(double now, double delta) {
    backlog_.add(now, delta);
    if (measuring_) backlog_max_ = std::max(backlog_max_, backlog_.value());
  }
  /// Messages in flight (received, not yet deleted nor visible again) change by `delta`.
  void in_flight(double now, double delta) { in_flight_.add(now, delta); }
  double backlog_now() const { return backlog_.value(); }
  double in_flight_now() const { return in_flight_.value(); }

  void begin_measurement(double now) {
    measuring_ = true;
    warm_backlog_ = backlog_.integral(now);
    warm_in_flight_ = in_flight_.integral(now);
    backlog_max_ = backlog_.value();
  }

 private:
  friend class Statistics;

  bool measuring_ = false;
  std::uint64_t sent_ = 0, rejected_ = 0, delivered_ = 0, redeliveries_ = 0, dead_lettered_ = 0;
  std::uint64_t batches_ = 0, batch_messages_ = 0;
  stats::Histogram latency_;
  double oldest_age_max_s_ = 0.0;
  double backlog_max_ = 0.0;
  double warm_backlog_ = 0.0, warm_in_flight_ = 0.0;
  stats::TimeWeighted backlog_, in_flight_;
};

}  // namespace capsim::net
