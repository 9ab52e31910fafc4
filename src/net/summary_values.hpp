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

/// A database side's busy fraction: `busy` over `capacity`, both differences of integrals since
/// t = 0, whose rounding grows with `capacity_integral` (the capacity's integral at the end of the
/// span). NaN when the side had no capacity (down all the span): rounding is neither capacity nor
/// work.
inline double side_ratio(double busy, double capacity, double capacity_integral) {
  if (!(capacity > 1e-9 * std::max(capacity, capacity_integral))) return kNaN;
  return std::max(0.0, busy) / capacity;
}

/// The read replicas' side: the whole service's busy time less its primary's, over the capacity
/// left to them (side_ratio; `capacity_integral` the whole service's).
inline double read_replicas_ratio(double busy_all, double busy_primary, double capacity_all,
                                  double capacity_primary, double capacity_integral) {
  return side_ratio(busy_all - busy_primary, capacity_all - capacity_primary, capacity_integral);
}

/// The p-quantile of `h` in milliseconds (h holds seconds), or NaN when `h` is empty.
inline double quantile_ms(const stats::Histogram& h, double p) {
  return h.count() > 0 ? h.quantile(p) * 1e3 : kNaN;
}

}  // namespace capsim::net
