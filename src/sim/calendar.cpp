#include "capsim/sim/calendar.hpp"

#include <stdexcept>

namespace capsim::sim {

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
  ++live_;
  if (vacant_) {
    // The root's event has just fired: this entry takes its place and sinks to where it belongs.
    vacant_ = false;
    sift_down(0, e);
  } else {
    if (heap_.size() < n_ + kArity) heap_.push_back(kSentinel);
    ++n_;
    sift_up(n_ - 1, e);
  }
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
  settle();
  const Entry& top = heap_.front();
  const Payload& p = payloads_[top.token];
  const Fired fired{std::bit_cast<Time>(top.time_bits), p.tag, p.data};
  retire(top.token);
  --live_;
  // The token may be reused at once: a vacant root's entry is never read again.
  free_tokens_.push_back(top.token);
  if (n_ <= kSmallHeap) {
    vacant_ = true;
  } else {
    remove_top();
  }
  return fired;
}

void Calendar::clear() {
  for (std::size_t i = vacant_ ? 1 : 0; i < n_; ++i) {
    const Entry& e = heap_[i];
    if (payloads_[e.token].generation == e.generation) retire(e.token);
    free_tokens_.push_back(e.token);
  }
  heap_.assign(kArity, kSentinel);
  n_ = 0;
  vacant_ = false;
  live_ = 0;
}

template <bool kBranchFree>
std::size_t Calendar::sink_hole(std::size_t i) {
  // Moves the smallest child up into the hole at i until the hole is a leaf; returns it.
  while (true) {
    const std::size_t first = i * kArity + 1;
    if (first >= n_) return i;
    const Entry* c = &heap_[first];  // four children: the sentinels pad a short group
    std::size_t best;
    if constexpr (kBranchFree) {
      // A tournament whose outcomes are index arithmetic: nothing to mispredict.
      const std::size_t a = before(c[1], c[0]);
      const std::size_t b = 2 + static_cast<std::size_t>(before(c[3], c[2]));
      best = before(c[b], c[a]) ? b : a;
    } else {
      // Branches: in a heap larger than the caches, the loads they speculate ahead pay.
      best = 0;
      for (std::size_t k = 1; k < kArity; ++k) {
        if (before(c[k], c[best])) {
          best = k;
          asm volatile("");  // keeps the branch (the compiler would turn it into a cmov)
        }
      }
    }
    heap_[i] = c[best];
    i = first + best;
  }
}

void Calendar::remove_top() {
  // Sink the hole at the root to a leaf along the smallest children, then settle the former last
  // entry there (it rarely rises far: it came from the bottom).
  const Entry last = heap_[n_ - 1];
  heap_[n_ - 1] = kSentinel;
  --n_;
  if (n_ == 0) return;
  sift_up(n_ <= kSmallHeap ? sink_hole<true>(0) : sink_hole<false>(0), last);
}

void Calendar::sift_down(std::size_t i, const Entry& e) {
  while (true) {
    const std::size_t first = i * kArity + 1;
    if (first >= n_) break;
    const Entry* c = &heap_[first];
    const std::size_t a = before(c[1], c[0]);
    const std::size_t b = 2 + static_cast<std::size_t>(before(c[3], c[2]));
    const std::size_t best = before(c[b], c[a]) ? b : a;
    if (!before(c[best], e)) break;
    heap_[i] = c[best];
    i = first + best;
  }
  heap_[i] = e;
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
