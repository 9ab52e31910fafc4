#include "capsim/sim/calendar.hpp"

#include <stdexcept>

namespace capsim::sim {

namespace {
constexpr std::size_t kArity = 4;
}

EventId Calendar::schedule(Time t, std::uint32_t tag, std::uint64_t data, Priority priority) {
  if (!(t >= 0.0)) throw std::logic_error("event scheduled at a negative or NaN time");
  t += 0.0;  // -0.0 becomes +0.0, whose bits order correctly
  std::uint32_t token;
  if (!free_tokens_.empty()) {
    token = free_tokens_.back();
    free_tokens_.pop_back();
  } else {
    token = static_cast<std::uint32_t>(payloads_.size());
    payloads_.push_back(Payload{0, 0, 1});
  }
  Payload& p = payloads_[token];
  p.data = data;
  p.tag = tag;
  const Entry e{std::bit_cast<std::uint64_t>(t),
                (static_cast<std::uint64_t>(priority) << 56) | sequence_++, token, p.generation};
  heap_.push_back(e);
  sift_up(heap_.size() - 1, e);
  ++live_;
  return EventId{token, e.generation};
}

void Calendar::retire(std::uint32_t token) {
  // Generation 0 is reserved for "no event"; skip it on wrap-around.
  std::uint32_t& g = payloads_[token].generation;
  if (++g == 0) g = 1;
}

bool Calendar::cancel(EventId id) {
  if (!pending(id)) return false;
  retire(id.token);
  --live_;
  // The entry stays in the heap until it reaches the top; its token is freed then.
  return true;
}

Calendar::Fired Calendar::pop() {
  discard_cancelled();
  const Entry& top = heap_.front();
  const Payload& p = payloads_[top.token];
  const Fired fired{std::bit_cast<Time>(top.time_bits), p.tag, p.data};
  retire(top.token);
  --live_;
  remove_top();
  return fired;
}

void Calendar::clear() {
  for (const Entry& e : heap_) {
    if (payloads_[e.token].generation == e.generation) retire(e.token);
    free_tokens_.push_back(e.token);
  }
  heap_.clear();
  live_ = 0;
}

void Calendar::remove_top() {
  free_tokens_.push_back(heap_.front().token);
  const Entry last = heap_.back();
  heap_.pop_back();
  const std::size_t n = heap_.size();
  if (n == 0) return;
  // Sink the hole at the root to a leaf along the smallest children, then settle the former last
  // entry there (it rarely rises far: it came from the bottom).
  std::size_t i = 0;
  while (true) {
    const std::size_t first = i * kArity + 1;
    if (first >= n) break;
    std::size_t best = first;
    const std::size_t end = first + kArity < n ? first + kArity : n;
    for (std::size_t c = first + 1; c < end; ++c) best = before(heap_[c], heap_[best]) ? c : best;
    heap_[i] = heap_[best];
    i = best;
  }
  sift_up(i, last);
}

void Calendar::sift_up(std::size_t i, const Entry& e) {
  while (i > 0) {
    const std::size_t parent = (i - 1) / kArity;
    if (!before(e, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = e;
}

}  // namespace capsim::sim
