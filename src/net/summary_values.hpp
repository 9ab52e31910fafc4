#pragma once
/// \file Values of a replication's summary that may not exist: a rate with nothing to divide by
/// and a quantile of no samples are NaN (null in results), never 0.

#include <algorithm>

#include "capsim/stats/histogram.hpp"
#include "pool.hpp"

namespace capsim::net {

/// a / b, or NaN when b is not positive (no requests: the rate is unknown, not 0).
inline double ratio(double a, double b) {
  return b > 0.0 ? a / b : kNaN;
}

/// A database's read replicas' share of a level: the whole service's busy time less its
/// primary's, over the capacity left to them. NaN when they had no capacity: both are differences
/// of two integrals, so rounding is neither capacity (read replicas down all the time) nor work.
inline double read_replicas_ratio(double busy_all, double busy_primary, double capacity_all,
                                  double capacity_primary) {
  const double capacity = capacity_all - capacity_primary;
  if (!(capacity > 1e-9 * capacity_all)) return kNaN;
  return std::max(0.0, busy_all - busy_primary) / capacity;
}

/// The p-quantile of `h` in milliseconds (h holds seconds), or NaN when `h` is empty.
inline double quantile_ms(const stats::Histogram& h, double p) {
  return h.count() > 0 ? h.quantile(p) * 1e3 : kNaN;
}

}  // namespace capsim::net
