#include "capsim/net/resilience.hpp"

#include <algorithm>
#include <cmath>

namespace capsim::net {

double backoff_delay(const model::BackoffSpec& b, int retry, double previous_s,
                     sim::RandomStream& rng) {
  double d = b.base_s;
  switch (b.kind) {
    case model::BackoffKind::constant:
      break;
    case model::BackoffKind::linear:
      d = b.base_s * retry;
      break;
    case model::BackoffKind::exponential:
      d = b.base_s * std::pow(b.multiplier, retry - 1);
      break;
  }
  d = std::min(b.cap_s, d);
  switch (b.jitter) {
    case model::Jitter::none:
      return d;
    case model::Jitter::full:
      return d * rng.uniform01();
    case model::Jitter::equal:
      return d / 2.0 + d / 2.0 * rng.uniform01();
    case model::Jitter::decorrelated: {
      const double hi = std::max(b.base_s, 3.0 * previous_s);
      return std::min(b.cap_s, b.base_s + (hi - b.base_s) * rng.uniform01());
    }
  }
  return d;
}

void SlidingCounter::roll(double t) {
  const double position = std::floor(t / width_s_);
  // Bucket numbers beyond 2^62 (a window of picoseconds, or times of 1e20 s) do not fit in an
  // integer: each such roll empties every bucket, as so short a window would.
  constexpr double last_bucket = 4.6e18;
  if (!(position < last_bucket)) {
    clear();
    head_ = static_cast<std::int64_t>(last_bucket);
    return;
  }
  const auto bucket = static_cast<std::int64_t>(position);
  if (bucket <= head_) return;
  const std::int64_t steps = std::min<std::int64_t>(bucket - head_, kBuckets);
  for (std::int64_t k = 1; k <= steps; ++k) {
    const auto i = static_cast<std::size_t>((head_ + k) % kBuckets);
    total_sum_ -= total_[i];
    marked_sum_ -= marked_[i];
    total_[i] = 0;
    marked_[i] = 0;
  }
  head_ = bucket;
}

void SlidingCounter::add(double t, std::uint64_t total, std::uint64_t marked) {
  roll(t);
  const auto i = static_cast<std::size_t>(head_ % kBuckets);
  total_[i] += total;
  marked_[i] += marked;
  total_sum_ += total;
  marked_sum_ += marked;
}

std::uint64_t SlidingCounter::total(double t) {
  roll(t);
  return total_sum_;
}

std::uint64_t SlidingCounter::marked(double t) {
  roll(t);
  return marked_sum_;
}

void SlidingCounter::clear() {
  total_.fill(0);
  marked_.fill(0);
  total_sum_ = marked_sum_ = 0;
}

bool RetryBudget::try_retry(double t) {
  const double allowed =
      spec_.ratio * static_cast<double>(counter_.total(t)) + spec_.min_per_second * spec_.window_s;
  if (static_cast<double>(counter_.marked(t)) + 1.0 > allowed) return false;
  counter_.add(t, 0, 1);
  return true;
}

const char* breaker_state_name(BreakerState s) {
  switch (s) {
    case BreakerState::closed:
      return "closed";
    case BreakerState::open:
      return "open";
    case BreakerState::half_open:
      return "half_open";
  }
  return "unknown";
}

void CircuitBreaker::set(BreakerState s, double t) {
  if (s == state_) return;
  state_ = s;
  ++transitions_;
  if (s == BreakerState::open) opened_at_s_ = t;
  if (s == BreakerState::half_open) probes_sent_ = probes_ok_ = 0;
  if (s == BreakerState::closed) window_.clear();
}

BreakerState CircuitBreaker::state(double t) {
  if (state_ == BreakerState::open && t >= opened_at_s_ + spec_.open_for_s) {
    set(BreakerState::half_open, t);
  }
  return state_;
}

bool CircuitBreaker::allow(double t) {
  switch (state(t)) {
    case BreakerState::closed:
      return true;
    case BreakerState::open:
      return false;
    case BreakerState::half_open:
      if (probes_sent_ >= spec_.half_open_requests) return false;
      ++probes_sent_;
      return true;
  }
  return true;
}

void CircuitBreaker::record(double t, bool success) {
  switch (state(t)) {
    case BreakerState::closed: {
      window_.add(t, 1, success ? 0 : 1);
      const std::uint64_t n = window_.total(t);
      if (n >= static_cast<std::uint64_t>(spec_.min_requests) &&
          static_cast<double>(window_.marked(t)) >= spec_.failure_rate * static_cast<double>(n)) {
        set(BreakerState::open, t);
      }
      break;
    }
    case BreakerState::open:
      // A call let through before the breaker opened came back: it changes nothing.
      break;
    case BreakerState::half_open:
      if (!success) {
        set(BreakerState::open, t);
      } else if (++probes_ok_ >= spec_.half_open_requests) {
        set(BreakerState::closed, t);
      }
      break;
  }
}

bool TokenBucket::try_take(double t) {
  tokens_ = std::min(spec_.burst, tokens_ + (t - last_s_) * spec_.rate);
  last_s_ = t;
  if (tokens_ < 1.0 - 1e-9) return false;  // tolerate rounding of the refill
  tokens_ -= 1.0;
  return true;
}

}  // namespace capsim::net
