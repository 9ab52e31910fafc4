#pragma once
/// \file The event calendar: a 4-ary min-heap of small event records with O(log n) cancellation.

#include <cstdint>
#include <vector>

namespace capsim::sim {

/// Simulated time in seconds since the start of the replication.
using Time = double;

/// Order of events that fall on the same instant: lower values fire first. Within one priority,
/// events fire in the order they were scheduled (first scheduled, first fired).
enum class Priority : std::uint8_t {
  urgent = 0,   ///< state changes that others must see at this instant (faults, capacity)
  normal = 1,   ///< request progress: arrivals, completions, timeouts
  observe = 2,  ///< measurements (time-series window boundaries, autoscaler metric reads)
};

/// Receives the events it scheduled. `tag` and `data` are whatever it passed to schedule().
class EventHandler {
 public:
  virtual void on_event(std::uint32_t tag, std::uint64_t data) = 0;

 protected:
  ~EventHandler() = default;
};

/// A handle to a scheduled event, valid until the event fires or is cancelled; a stale handle is
/// detected (its generation no longer matches) and cancelling it does nothing.
struct EventId {
  std::uint32_t slot = 0;
  std::uint32_t generation = 0;  ///< 0 never names a live event
  bool valid() const { return generation != 0; }
};

/// The pending events, ordered totally by (time, priority, sequence number).
/// Storage grows to the peak number of pending events and is reused afterwards: scheduling,
/// firing and cancelling allocate nothing once warm.
class Calendar {
 public:
  struct Fired {
    Time time;
    EventHandler* handler;
    std::uint32_t tag;
    std::uint64_t data;
  };

  /// Schedules an event at time `t` (t must not be NaN).
  EventId schedule(Time t, EventHandler* handler, std::uint32_t tag, std::uint64_t data,
                   Priority priority = Priority::normal);
  /// Removes a pending event. Returns false (and does nothing) if it already fired or was
  /// cancelled.
  bool cancel(EventId id);
  /// Whether `id` names an event that is still pending.
  bool pending(EventId id) const;

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  /// Time of the earliest pending event; requires !empty().
  Time next_time() const { return heap_.front().time; }
  /// Removes and returns the earliest pending event; requires !empty().
  Fired pop();
  /// Drops every pending event.
  void clear();

 private:
  struct Entry {
    Time time;
    std::uint64_t key;  // priority in the top 8 bits, then the sequence number
    std::uint32_t slot;
  };
  struct Slot {
    EventHandler* handler = nullptr;
    std::uint64_t data = 0;
    std::uint32_t tag = 0;
    std::uint32_t heap_index = 0;
    std::uint32_t generation = 1;
    std::uint32_t next_free = 0;
  };
  static bool before(const Entry& a, const Entry& b) {
    return a.time < b.time || (a.time == b.time && a.key < b.key);
  }
  void sift_up(std::uint32_t i);
  void sift_down(std::uint32_t i);
  void place(std::uint32_t i, const Entry& e) {
    heap_[i] = e;
    slots_[e.slot].heap_index = i;
  }
  void remove_at(std::uint32_t i);
  void release(std::uint32_t slot);

  std::vector<Entry> heap_;
  std::vector<Slot> slots_;
  std::uint32_t free_head_ = kNoSlot;
  std::uint64_t sequence_ = 0;
  static constexpr std::uint32_t kNoSlot = 0xffffffffu;
};

}  // namespace capsim::sim
