#pragma once
/// \file Estimates across replications: Student-t confidence intervals.

#include <optional>
#include <span>
#include <utility>

namespace capsim::stats {

struct Estimate {
  double mean = 0.0;
  /// Two-sided Student-t interval at the requested confidence; absent with one replication.
  std::optional<std::pair<double, double>> ci;
  int n = 0;
};

/// Quantile of Student's t distribution with `dof` degrees of freedom (dof >= 1) at probability p.
double student_t_quantile(double p, double dof);

/// Mean of `values` with a two-sided Student-t interval at `confidence` (e.g. 0.95).
/// Non-finite values are not expected; with one value the interval is absent; when all values are
/// equal the interval is [mean, mean].
Estimate estimate(std::span<const double> values, double confidence);

}  // namespace capsim::stats
