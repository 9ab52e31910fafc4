#pragma once
/// \file The simulation clock and event loop of one replication.

#include <cstdint>

#include "capsim/sim/calendar.hpp"

namespace capsim::sim {

/// Owns the clock and the calendar. Handlers schedule through it; run_until() fires events in
/// calendar order and advances the clock to each event's time.
class Simulator {
 public:
  Time now() const { return now_; }
  std::uint64_t events_fired() const { return events_; }

  /// Schedules `handler` at now() + delay (delay >= 0).
  EventId after(Time delay, EventHandler* handler, std::uint32_t tag, std::uint64_t data = 0,
                Priority priority = Priority::normal) {
    return calendar_.schedule(now_ + delay, handler, tag, data, priority);
  }
  /// Schedules `handler` at absolute time t (t >= now()).
  EventId at(Time t, EventHandler* handler, std::uint32_t tag, std::uint64_t data = 0,
             Priority priority = Priority::normal) {
    return calendar_.schedule(t, handler, tag, data, priority);
  }
  bool cancel(EventId id) { return calendar_.cancel(id); }
  bool pending(EventId id) const { return calendar_.pending(id); }

  /// Fires every event with time <= t_end, in order, then sets the clock to t_end. Events
  /// scheduled beyond t_end stay pending. Stops early (returning false) when `stop()` is called
  /// by a handler or the event budget `max_events` is spent.
  bool run_until(Time t_end, std::uint64_t max_events = UINT64_MAX);
  /// Asks run_until to return after the current event.
  void stop() { stop_requested_ = true; }

  Calendar& calendar() { return calendar_; }

 private:
  Calendar calendar_;
  Time now_ = 0.0;
  std::uint64_t events_ = 0;
  bool stop_requested_ = false;
};

}  // namespace capsim::sim
