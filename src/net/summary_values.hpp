#pragma once
/// \file Values of a replication's summary that may not exist: a rate with nothing to divide by
/// and a quantile of no samples are NaN (null in results), never 0.

#include "capsim/stats/histogram.hpp"
#include "pool.hpp"

namespace capsim::net {

/// a / b, or NaN when b is not positive (no requests: the rate is unknown, not 0).
inline double ratio(double a, double b) {
  return b > 0.0 ? a / b : kNaN;
}

/// The p-quantile of `h` in milliseconds (h holds seconds), or NaN when `h` is empty.
inline double quantile_ms(const stats::Histogram& h, double p) {
  return h.count() > 0 ? h.quantile(p) * 1e3 : kNaN;
}

}  // namespace capsim::net
