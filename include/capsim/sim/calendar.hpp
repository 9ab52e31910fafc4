#pragma once
/// \file The event calendar: a 4-ary min-heap of event records with lazy cancellation.

#include <bit>
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

/// A handle to a scheduled event, valid until the event fires or is cancelled; a stale handle is
/// detected (its generation no longer matches) and cancelling it does nothing.
struct EventId {
  std::uint32_t token = 0;
  std::uint32_t generation = 0;  ///< 0 never names a live event
  bool valid() const { return generation != 0; }
};

/// The pending events, ordered totally by (time, priority, sequence number). An event is a
/// `tag` and a `data` word, both the scheduler's to interpret: the calendar has no handlers, so
/// that the one who pops (sim::Simulator) dispatches with no virtual call.
///
/// Each heap entry carries its event whole, so moving entries touches nothing else. Cancellation
/// is lazy: it retires the event's token at once (pending() turns false, the event will never
/// fire) and the entry is discarded when it reaches the top. A cancelled event therefore holds
/// its 40 bytes until its original time comes. Storage grows to the peak number of entries and is
/// reused afterwards: nothing is allocated once warm.
///
/// Speed (docs/performance.md): a discrete-event loop pops an event and its handler usually
/// schedules one, so pop() leaves the root vacant and the next schedule() sifts its entry down
/// from there (one pass instead of two); only when something else comes first is the root
/// refilled the usual way. Below kSmallHeap entries (the common case: tens to hundreds pending)
/// the smallest of four children is chosen without branches, past it with branches (a large heap
/// is bound by memory, where speculative loads ahead of the compares pay). Neither changes the
/// order in which events fire, which depends only on their keys.
class Calendar {
 public:
  struct Fired {
    Time time;
    std::uint32_t tag;
    std::uint64_t data;
  };

  /// Schedules an event at time `t` (t >= 0, not NaN).
  EventId schedule(Time t, std::uint32_t tag, std::uint64_t data,
                   Priority priority = Priority::normal);
  /// Cancels a pending event. Returns false (and does nothing) if it already fired or was
  /// cancelled.
  bool cancel(EventId id);
  /// Whether `id` names an event that is still pending.
  bool pending(EventId id) const {
    return id.valid() && id.token < payloads_.size() &&
           payloads_[id.token].generation == id.generation;
  }

  /// No pending event (cancelled ones do not count).
  bool empty() const { return live_ == 0; }
  /// Pending events (cancelled ones do not count).
  std::size_t size() const { return live_; }
  /// Time of the earliest pending event; requires !empty().
  Time next_time() {
    settle();
    return std::bit_cast<Time>(heap_.front().time_bits);
  }
  /// Removes and returns the earliest pending event; requires !empty().
  Fired pop();
  /// Drops every pending event.
  void clear();

  Calendar() : heap_(kArity, kSentinel) {}

 private:
  struct Entry {
    std::uint64_t time_bits;  // the time's bits: for times >= 0 they order like the times
    std::uint64_t key;        // priority in the top 8 bits, then the sequence number
    std::uint32_t token;
    std::uint32_t generation;
  };
  struct Payload {
    std::uint64_t data;
    std::uint32_t tag;
    std::uint32_t generation;  // bumped when its event fires or is cancelled
  };
  static constexpr std::size_t kArity = 4;
  // Up to this many entries the vacant-root and branch-free paths are taken.
  static constexpr std::size_t kSmallHeap = 4096;
  // Pads the heap so that every group of children is full; orders after every event.
  static constexpr Entry kSentinel{~std::uint64_t{0}, ~std::uint64_t{0}, 0, 0};

  static bool before(const Entry& a, const Entry& b) {
    __extension__ using U128 = unsigned __int128;
    return ((static_cast<U128>(a.time_bits) << 64) | a.key) <
           ((static_cast<U128>(b.time_bits) << 64) | b.key);
  }
  /// Fills a vacant root and drops cancelled entries from the top.
  void settle() {
    if (vacant_) {
      vacant_ = false;
      remove_top();
    }
    while (payloads_[heap_.front().token].generation != heap_.front().generation) {
      free_tokens_.push_back(heap_.front().token);
      remove_top();
    }
  }
  void remove_top();
  template <bool kBranchFree>
  std::size_t sink_hole(std::size_t i);
  void sift_down(std::size_t i, const Entry& e);
  void sift_up(std::size_t i, const Entry& e);
  void retire(std::uint32_t token);

  std::vector<Entry> heap_;  // n_ entries, then at least kArity - 1 sentinels
  std::size_t n_ = 0;        // entries, a vacant root included
  bool vacant_ = false;      // the root's event has fired; the next schedule() or settle() fills it
  std::vector<Payload> payloads_;  // per token
  std::vector<std::uint32_t> free_tokens_;
  std::uint64_t sequence_ = 0;
  std::size_t live_ = 0;
};

}  // namespace capsim::sim
