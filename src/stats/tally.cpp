#include "capsim/stats/tally.hpp"

#include <algorithm>
#include <cmath>

namespace capsim::stats {

void Tally::add(double x) {
  // Welford: update the mean by the scaled deviation, and M2 by the product of the deviations from
  // the old and the new mean.
  ++n_;
  const double delta = x - mean_;
  mean_ += delta / static_cast<double>(n_);
  m2_ += delta * (x - mean_);
}

void Tally::merge(const Tally& other) {
  if (other.n_ == 0) return;
  if (n_ == 0) {
    *this = other;
    return;
  }
  // Chan, Golub and LeVeque: M2 = M2_a + M2_b + delta^2 n_a n_b / n.
  const auto na = static_cast<double>(n_);
  const auto nb = static_cast<double>(other.n_);
  const double n = na + nb;
  const double delta = other.mean_ - mean_;
  mean_ += delta * nb / n;
  m2_ += other.m2_ + delta * delta * na * nb / n;
  n_ += other.n_;
}

double Tally::variance() const {
  return n_ < 2 ? 0.0 : std::max(0.0, m2_) / static_cast<double>(n_ - 1);
}

double Tally::stddev() const {
  return std::sqrt(variance());
}

void TimeWeighted::start(double t) {
  start_ = t;
  last_ = t;
  area_ = 0.0;
  min_ = value_;
  max_ = value_;
}

double TimeWeighted::integral(double t) const {
  return t > last_ ? area_ + value_ * (t - last_) : area_;
}

double TimeWeighted::mean(double t) const {
  const double elapsed = t - start_;
  return elapsed > 0.0 ? integral(t) / elapsed : value_;
}

}  // namespace capsim::stats
