#pragma once
// Helpers shared by the validation tests: run a model given as JSON text and compare estimates
// with exact values.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "capsim/model/load.hpp"
#include "capsim/run/replications.hpp"

namespace capsim::validation {

inline run::Results run_model(const std::string& json_text) {
  const model::Spec spec = model::load(model::Json::parse(json_text), ".");
  return run::run_replications(spec);
}

inline const stats::Estimate& metric(const run::Results& r, const std::string& name) {
  const run::MergedMetric* m = r.find(name);
  if (m == nullptr) throw std::runtime_error("no metric " + name);
  return m->estimate;
}

/// The exact value lies in the confidence interval, widened by `bias` (relative) for the
/// histogram's bucket resolution where the metric is a percentile.
inline ::testing::AssertionResult covers(const stats::Estimate& e, double exact,
                                         double bias = 0.0) {
  if (!e.ci) return ::testing::AssertionFailure() << "no confidence interval";
  const double lo = e.ci->first - bias * std::abs(exact);
  const double hi = e.ci->second + bias * std::abs(exact);
  if (exact >= lo && exact <= hi) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "exact " << exact << " outside [" << e.ci->first << ", " << e.ci->second << "] (mean "
         << e.mean << ", widened by " << bias * 100 << "%)";
}

/// Histogram quantiles are bucket midpoints: relative error below 0.4%.
inline constexpr double kHistogramBias = 0.004;

}  // namespace capsim::validation
