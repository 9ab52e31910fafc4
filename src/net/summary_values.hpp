#pragma once
/// \file Values of a replication's summary that may not exist: a rate with nothing to divide by
/// and a quantile of no samples are NaN (null in results), never 0.

#include <algorithm>

#include "capsim/stats/histogram.hpp"
#include "capsim/stats/marks.hpp"
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

/// A database's two sides over a span: its primary's busy fractions, and its read replicas'
/// (the whole service's busy time less the primary's, over the capacity left to them); NaN for
/// a side with no capacity in the span. Also each side's core-seconds of capacity.
struct DatabaseSides {
  double primary_cpu = kNaN, primary_workers = kNaN;
  double read_replicas_cpu = kNaN, read_replicas_workers = kNaN;
  double primary_core_s = 0.0, read_replicas_core_s = 0.0;
};

/// The sides over the span between two readings of the whole service's marks (`all_from`,
/// `all_to`: ServiceStats::marks) and of its primary's (primary_marks).
inline DatabaseSides database_sides(const stats::Marks& all_from, const stats::Marks& all_to,
                                    const stats::Marks& primary_from,
                                    const stats::Marks& primary_to) {
  const double busy_cores = primary_to.busy_cores - primary_from.busy_cores;
  const double busy_workers = primary_to.busy_workers - primary_from.busy_workers;
  DatabaseSides d;
  d.primary_core_s = primary_to.core_capacity - primary_from.core_capacity;
  const double worker_s = primary_to.worker_capacity - primary_from.worker_capacity;
  d.read_replicas_core_s = all_to.core_capacity - all_from.core_capacity - d.primary_core_s;
  const double readers_worker_s = all_to.worker_capacity - all_from.worker_capacity - worker_s;
  d.primary_cpu = side_ratio(busy_cores, d.primary_core_s, primary_to.core_capacity);
  d.primary_workers = side_ratio(busy_workers, worker_s, primary_to.worker_capacity);
  d.read_replicas_cpu = side_ratio(all_to.busy_cores - all_from.busy_cores - busy_cores,
                                   d.read_replicas_core_s, all_to.core_capacity);
  d.read_replicas_workers = side_ratio(all_to.busy_workers - all_from.busy_workers - busy_workers,
                                       readers_worker_s, all_to.worker_capacity);
  return d;
}

/// The p-quantile of `h` in milliseconds (h holds seconds), or NaN when `h` is empty.
inline double quantile_ms(const stats::Histogram& h, double p) {
  return h.count() > 0 ? h.quantile(p) * 1e3 : kNaN;
}

}  // namespace capsim::net
