/// \file The palette, the ticks and the linear scale of the charts (svg.hpp).

#include <algorithm>
#include <array>
#include <cmath>

#include "capsim/report/svg.hpp"

namespace capsim::report {

const std::string& palette(std::size_t i) {
  // Tableau's categorical colours without its green and red (kGood and kBad of the pages).
  static const std::array<std::string, 8> colors{"#1f77b4", "#ff7f0e", "#9467bd", "#17becf",
                                                 "#e377c2", "#8c564b", "#bcbd22", "#393b79"};
  return colors[i % colors.size()];
}

Ticks nice_ticks(double lo, double hi, int count, bool integer) {
  Ticks t;
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 0.0;
    hi = 1.0;
  }
  if (lo > hi) std::swap(lo, hi);
  if (lo == hi) {
    if (lo == 0.0) {
      hi = 1.0;
    } else {
      lo -= 0.5;
      hi += 0.5;
    }
  }
  count = std::max(count, 1);
  const double raw = (hi - lo) / count;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / magnitude;
  double step = 10.0;
  if (norm <= 1.0) {
    step = 1.0;
  } else if (norm <= 2.0) {
    step = 2.0;
  } else if (norm <= 2.5) {
    step = 2.5;
  } else if (norm <= 5.0) {
    step = 5.0;
  }
  step *= magnitude;
  // Whole numbers only (replicas, cores): a step of at least 1, and never 2.5.
  if (integer && step < 1.0) step = 1.0;
  if (integer && std::fabs(step - std::round(step)) > 1e-9) step = std::floor(step);
  const double first = std::floor(lo / step + 1e-9);
  const double last = std::ceil(hi / step - 1e-9);
  t.step = step;
  t.lo = first * step;
  t.hi = last * step;
  // Bounded, whatever rounding does to extreme inputs.
  const auto n = std::min<long long>(std::llround(last - first), 1000);
  for (long long i = 0; i <= n; ++i) {
    double v = (first + static_cast<double>(i)) * step;
    if (std::fabs(v) < step * 1e-9) v = 0.0;
    t.values.push_back(v);
  }
  return t;
}

double LinearScale::operator()(double value) const {
  if (d1_ == d0_) return (r0_ + r1_) / 2.0;
  return r0_ + (value - d0_) / (d1_ - d0_) * (r1_ - r0_);
}

}  // namespace capsim::report
