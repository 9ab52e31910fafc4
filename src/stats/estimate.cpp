#include "capsim/stats/estimate.hpp"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace capsim::stats {

double student_t_quantile(double p, double dof) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw std::invalid_argument("student_t_quantile: probability must be in [0, 1]");
  }
  if (!(dof > 0.0)) throw std::invalid_argument("student_t_quantile: dof must be > 0");
  if (p == 0.0) return -std::numeric_limits<double>::infinity();
  if (p == 1.0) return std::numeric_limits<double>::infinity();
  const boost::math::students_t_distribution<double> t(dof);
  return boost::math::quantile(t, p);
}

Estimate estimate(std::span<const double> values, double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0)) {
    throw std::invalid_argument("estimate: confidence must be in (0, 1)");
  }
  Estimate e;
  e.n = static_cast<int>(values.size());
  if (values.empty()) return e;
  const bool all_equal =
      std::all_of(values.begin(), values.end(), [&](double x) { return x == values.front(); });
  if (all_equal) {
    // Exactly [x, x]: the mean and the spread are not left to rounding.
    e.mean = values.front();
    if (e.n > 1) e.ci = std::pair{e.mean, e.mean};
    return e;
  }
  const auto n = static_cast<double>(values.size());
  double sum = 0.0;
  for (double x : values) sum += x;
  e.mean = sum / n;  // n >= 2 here: a single value is "all equal"
  // Two passes: the sum of squared deviations from the computed mean.
  double ss = 0.0;
  for (double x : values) ss += (x - e.mean) * (x - e.mean);
  const double s = std::sqrt(ss / (n - 1.0));
  const double half = student_t_quantile(0.5 * (1.0 + confidence), n - 1.0) * s / std::sqrt(n);
  e.ci = std::pair{e.mean - half, e.mean + half};
  return e;
}

}  // namespace capsim::stats
