#include "capsim/sim/simulator.hpp"

namespace capsim::sim {

bool Simulator::run_until(Time t_end, std::uint64_t max_events) {
  stop_requested_ = false;
  while (!calendar_.empty() && calendar_.next_time() <= t_end) {
    if (events_ >= max_events) return false;
    const Calendar::Fired e = calendar_.pop();
    now_ = e.time;
    ++events_;
    e.handler->on_event(e.tag, e.data);
    if (stop_requested_) return false;
  }
  if (now_ < t_end) now_ = t_end;
  return true;
}

}  // namespace capsim::sim
