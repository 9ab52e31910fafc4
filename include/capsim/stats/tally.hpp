#pragma once
/// \file Streaming means: Welford tallies and time-weighted averages.

#include <cstdint>

namespace capsim::stats {

/// Welford's online mean and variance of observations.
class Tally {
 public:
  void add(double x);
  void merge(const Tally& other);  ///< Chan et al.'s parallel combination
  std::uint64_t count() const { return n_; }
  double mean() const { return mean_; }  ///< 0 when empty
  double variance() const;               ///< sample variance (n - 1), 0 when n < 2
  double stddev() const;

 private:
  std::uint64_t n_ = 0;
  double mean_ = 0.0;
  double m2_ = 0.0;
};

/// Time average of a piecewise-constant quantity (queue length, busy cores, replicas): call
/// `update(t, value)` whenever the value changes; the integral only accumulates from the time
/// set by `start(t)` (the end of warm-up), so earlier history is deleted.
class TimeWeighted {
 public:
  explicit TimeWeighted(double initial_value = 0.0) : value_(initial_value) {}
  /// Begins (or restarts) integration at time t, keeping the current value.
  void start(double t);
  /// The quantity becomes `value` at time t (t never decreases). Inline: it runs on every event.
  void update(double t, double value) {
    if (t < start_) {
      // A change before the start of integration only sets the value held at start().
      value_ = min_ = max_ = value;
      return;
    }
    if (t > last_) {
      area_ += value_ * (t - last_);
      last_ = t;
    }
    value_ = value;
    min_ = value < min_ ? value : min_;
    max_ = value > max_ ? value : max_;
  }
  /// Adds `delta` to the current value at time t.
  void add(double t, double delta) { update(t, value_ + delta); }
  double value() const { return value_; }
  /// Integral of the value from start() to t.
  double integral(double t) const;
  /// Time average from start() to t; the current value when no time has passed.
  double mean(double t) const;
  double min() const { return min_; }  ///< smallest value since start()
  double max() const { return max_; }  ///< largest value since start()

 private:
  double value_;
  double start_ = 0.0;
  double last_ = 0.0;
  double area_ = 0.0;
  double min_ = value_;
  double max_ = value_;
};

}  // namespace capsim::stats
