#pragma once
/// \file Integrals of piecewise-constant levels (busy cores, queue length, replicas).

namespace capsim::stats {

/// A piecewise-constant quantity integrated over time from t = 0: call `update(t, value)`
/// whenever it changes. Averages over an interval (a window, the period after warm-up) are the
/// difference of two integrals divided by its length.
class TimeWeighted {
 public:
  explicit TimeWeighted(double initial_value = 0.0) : value_(initial_value) {}
  /// The quantity becomes `value` at time t (t never decreases). Inline: it runs on every event.
  void update(double t, double value) {
    if (t > last_) {
      area_ += value_ * (t - last_);
      last_ = t;
    }
    value_ = value;
  }
  /// Adds `delta` to the current value at time t.
  void add(double t, double delta) { update(t, value_ + delta); }
  double value() const { return value_; }
  /// Integral of the value from 0 to t (t at or after the last change).
  double integral(double t) const { return t > last_ ? area_ + value_ * (t - last_) : area_; }

 private:
  double value_;
  double last_ = 0.0;
  double area_ = 0.0;
};

}  // namespace capsim::stats
