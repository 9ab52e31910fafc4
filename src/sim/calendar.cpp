#include "capsim/sim/calendar.hpp"

#include <cmath>
#include <stdexcept>

namespace capsim::sim {

namespace {
constexpr std::uint32_t kArity = 4;
}

EventId Calendar::schedule(Time t, EventHandler* handler, std::uint32_t tag, std::uint64_t data,
                           Priority priority) {
  if (std::isnan(t)) throw std::logic_error("event scheduled at NaN time");
  std::uint32_t slot;
  if (free_head_ != kNoSlot) {
    slot = free_head_;
    free_head_ = slots_[slot].next_free;
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[slot];
  s.handler = handler;
  s.tag = tag;
  s.data = data;
  const std::uint64_t key = (static_cast<std::uint64_t>(priority) << 56) | (sequence_++);
  const auto index = static_cast<std::uint32_t>(heap_.size());
  heap_.push_back(Entry{t, key, slot});
  s.heap_index = index;
  sift_up(index);
  return EventId{slot, s.generation};
}

bool Calendar::pending(EventId id) const {
  return id.valid() && id.slot < slots_.size() && slots_[id.slot].generation == id.generation;
}

bool Calendar::cancel(EventId id) {
  if (!pending(id)) return false;
  remove_at(slots_[id.slot].heap_index);
  release(id.slot);
  return true;
}

Calendar::Fired Calendar::pop() {
  const Entry top = heap_.front();
  const Slot& s = slots_[top.slot];
  Fired fired{top.time, s.handler, s.tag, s.data};
  remove_at(0);
  release(top.slot);
  return fired;
}

void Calendar::clear() {
  for (const Entry& e : heap_) release(e.slot);
  heap_.clear();
}

void Calendar::release(std::uint32_t slot) {
  Slot& s = slots_[slot];
  // Generation 0 is reserved for "no event"; skip it on wrap-around.
  if (++s.generation == 0) s.generation = 1;
  s.next_free = free_head_;
  free_head_ = slot;
}

void Calendar::remove_at(std::uint32_t i) {
  const auto last = static_cast<std::uint32_t>(heap_.size() - 1);
  if (i == last) {
    heap_.pop_back();
    return;
  }
  const Entry moved = heap_[last];
  heap_.pop_back();
  place(i, moved);
  if (i > 0 && before(moved, heap_[(i - 1) / kArity])) {
    sift_up(i);
  } else {
    sift_down(i);
  }
}

void Calendar::sift_up(std::uint32_t i) {
  const Entry e = heap_[i];
  while (i > 0) {
    const std::uint32_t parent = (i - 1) / kArity;
    if (!before(e, heap_[parent])) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, e);
}

void Calendar::sift_down(std::uint32_t i) {
  const Entry e = heap_[i];
  const auto n = static_cast<std::uint32_t>(heap_.size());
  while (true) {
    const std::uint32_t first = i * kArity + 1;
    if (first >= n) break;
    std::uint32_t best = first;
    const std::uint32_t end = first + kArity < n ? first + kArity : n;
    for (std::uint32_t c = first + 1; c < end; ++c) {
      if (before(heap_[c], heap_[best])) best = c;
    }
    if (!before(heap_[best], e)) break;
    place(i, heap_[best]);
    i = best;
  }
  place(i, e);
}

}  // namespace capsim::sim
