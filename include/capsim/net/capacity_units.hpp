#pragma once
/// \file A database's capacity units (docs/capacity-units.md), as DynamoDB meters them: each
/// read or write consumes units of its dimension; one that finds too few is throttled (it fails
/// at once and consumes nothing). Provisioned: a token bucket per dimension, refilled at the
/// provisioned rate, holding one second of it plus `burst`, full at t = 0. On demand: within
/// each whole second of simulated time, up to twice the previous peak (at most the maximum);
/// a second's consumption becomes the peak `adaptation` after that second ends.

#include <cstdint>
#include <deque>
#include <limits>
#include <utility>

#include "capsim/model/spec.hpp"

namespace capsim::net {

/// One dimension (reads or writes) of a database's capacity units.
class CapacityDimension {
 public:
  CapacityDimension(const model::CapacityUnitsSpec& spec, const model::CapacityDimensionSpec& d);

  /// Consumes one request's units at `now` (non-decreasing across calls) if they are there.
  bool try_consume(double now) { return on_demand_ ? try_on_demand(now) : try_provisioned(now); }
  double units_per_request() const { return per_request_; }
  /// on demand: the peak in effect now (twice it is served at once).
  double peak_units_per_s() const { return peak_; }

 private:
  bool try_provisioned(double now);
  bool try_on_demand(double now);

  bool on_demand_ = false;
  bool limited_ = true;  ///< provisioned without units_per_s: never throttles
  double per_request_ = 1.0;
  // Provisioned: the bucket.
  double rate_ = 0.0;
  double size_ = 0.0;
  double tokens_ = 0.0;
  double last_s_ = 0.0;
  // On demand: the current second's consumption, and past seconds that will raise the peak
  // (when they become effective, increasing in units).
  double peak_ = 0.0;
  double max_ = std::numeric_limits<double>::infinity();
  double adaptation_s_ = 0.0;
  std::int64_t second_ = 0;
  double used_ = 0.0;
  std::deque<std::pair<double, double>> pending_;  ///< (effective at, units per second)
};

/// Reads and writes of one database.
class CapacityUnits {
 public:
  explicit CapacityUnits(const model::CapacityUnitsSpec& spec)
      : read_(spec, spec.read), write_(spec, spec.write) {}
  CapacityDimension& dimension(model::DbOp op) { return op == model::DbOp::write ? write_ : read_; }

 private:
  CapacityDimension read_;
  CapacityDimension write_;
};

}  // namespace capsim::net
