#pragma once
/// \file The simulation clock and event loop of one replication.

#include <cstdint>

#include "capsim/sim/calendar.hpp"

namespace capsim::sim {

/// Owns the clock and the calendar of one replication, whose events all go to one `Handler`
/// (`void Handler::on_event(Event, std::uint64_t)`), called directly: the handler's type is
/// known at compile time, so dispatching an event costs no virtual call. `Event` is the
/// handler's `enum class` of event kinds (its underlying type fits in 32 bits).
template <class Handler, class Event>
class Simulator {
 public:
  explicit Simulator(Handler& handler) : handler_(handler) {}

  Time now() const { return now_; }
  std::uint64_t events_fired() const { return events_; }

  /// Schedules an event at now() + delay (delay >= 0).
  EventId after(Time delay, Event event, std::uint64_t data = 0,
                Priority priority = Priority::normal) {
    return calendar_.schedule(now_ + delay, static_cast<std::uint32_t>(event), data, priority);
  }
  /// Schedules an event at absolute time t (t >= now()).
  EventId at(Time t, Event event, std::uint64_t data = 0, Priority priority = Priority::normal) {
    return calendar_.schedule(t, static_cast<std::uint32_t>(event), data, priority);
  }
  bool cancel(EventId id) { return calendar_.cancel(id); }
  bool pending(EventId id) const { return calendar_.pending(id); }

  /// Fires every event with time <= t_end, in order, then sets the clock to t_end. Events
  /// scheduled beyond t_end stay pending. Returns false, leaving the clock at the last event,
  /// once `max_events` events have fired in all (the caller's budget).
  bool run_until(Time t_end, std::uint64_t max_events = UINT64_MAX) {
    while (!calendar_.empty() && calendar_.next_time() <= t_end) {
      if (events_ >= max_events) return false;
      const Calendar::Fired e = calendar_.pop();
      now_ = e.time;
      ++events_;
      handler_.on_event(static_cast<Event>(e.tag), e.data);
    }
    if (now_ < t_end) now_ = t_end;
    return true;
  }

 private:
  Handler& handler_;
  Calendar calendar_;
  Time now_ = 0.0;
  std::uint64_t events_ = 0;
};

}  // namespace capsim::sim
