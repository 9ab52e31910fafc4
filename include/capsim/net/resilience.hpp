#pragma once
/// \file Client-side resilience mechanisms as small state machines driven by simulated time:
/// backoff with jitter, retry budgets, circuit breakers and token-bucket rate limits. Each is
/// independent of the network so that its behaviour can be checked against hand calculations.

#include <array>
#include <cstdint>

#include "capsim/model/spec.hpp"
#include "capsim/sim/random.hpp"

namespace capsim::net {

/// The delay before retry number `retry` (1 for the first retry) under `b`, with jitter drawn
/// from `rng`. `previous_s` is the previous delay (decorrelated jitter only; use b.base_s before
/// the first retry). Formulas of the AWS Architecture Blog's "Exponential Backoff And Jitter":
///   backoff = min(cap, base x multiplier^(retry-1))  (exponential)
///           = min(cap, base x retry)                  (linear)
///           = min(cap, base)                          (constant)
///   none: backoff; full: U(0, backoff); equal: backoff/2 + U(0, backoff/2);
///   decorrelated: min(cap, U(base, 3 x previous)).
double backoff_delay(const model::BackoffSpec& b, int retry, double previous_s,
                     sim::RandomStream& rng);

/// Counts of events in a sliding window of fixed width, kept in ten buckets (so the window
/// slides in tenths of its width). Allocation-free.
class SlidingCounter {
 public:
  explicit SlidingCounter(double window_s = 10.0) : width_s_(window_s / kBuckets) {}
  void add(double t, std::uint64_t total, std::uint64_t marked);
  /// Sums over the ten buckets ending with the one that holds t.
  std::uint64_t total(double t);
  std::uint64_t marked(double t);
  void clear();

 private:
  static constexpr int kBuckets = 10;
  void roll(double t);
  double width_s_;
  std::int64_t head_ = 0;  // bucket number of the newest bucket
  std::array<std::uint64_t, kBuckets> total_{};
  std::array<std::uint64_t, kBuckets> marked_{};
  std::uint64_t total_sum_ = 0, marked_sum_ = 0;  // over the ten buckets
};

/// A retry budget: a retry is allowed while retries in the window stay below
/// ratio x requests in the window + min_per_second x window.
class RetryBudget {
 public:
  explicit RetryBudget(const model::RetryBudgetSpec& spec) : spec_(spec), counter_(spec.window_s) {}
  /// A first attempt was sent at t.
  void request(double t) { counter_.add(t, 1, 0); }
  /// Asks to send a retry at t; counts it when allowed.
  bool try_retry(double t);

 private:
  model::RetryBudgetSpec spec_;
  SlidingCounter counter_;  // total: first attempts, marked: retries
};

enum class BreakerState : std::uint8_t { closed, open, half_open };
const char* breaker_state_name(BreakerState s);

/// A circuit breaker (model::CircuitBreakerSpec documents the transitions).
class CircuitBreaker {
 public:
  explicit CircuitBreaker(const model::CircuitBreakerSpec& spec)
      : spec_(spec), window_(spec.window_s) {}
  /// Whether a call may go out at t (false: it fails at once with circuit_open). In half-open,
  /// each allowed call is a probe.
  bool allow(double t);
  /// The outcome of a call that was allowed.
  void record(double t, bool success);
  BreakerState state(double t);
  /// Number of state changes so far (for reporting).
  std::uint64_t transitions() const { return transitions_; }

 private:
  void set(BreakerState s, double t);
  model::CircuitBreakerSpec spec_;
  SlidingCounter window_;  // total: calls, marked: failures
  BreakerState state_ = BreakerState::closed;
  double opened_at_s_ = 0.0;
  int probes_sent_ = 0;
  int probes_ok_ = 0;
  std::uint64_t transitions_ = 0;
};

/// A token bucket: `rate` tokens per second up to `burst`, full at the start.
class TokenBucket {
 public:
  explicit TokenBucket(const model::RateLimitSpec& spec) : spec_(spec), tokens_(spec.burst) {}
  /// Takes a token at t if there is one.
  bool try_take(double t);

 private:
  model::RateLimitSpec spec_;
  double tokens_;
  double last_s_ = 0.0;
};

}  // namespace capsim::net
