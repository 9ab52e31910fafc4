#pragma once
/// \file A streaming log-bucketed histogram with bounded relative error (HDR-style).

#include <cstdint>
#include <span>
#include <vector>

namespace capsim::stats {

/// Counts non-negative values (seconds, or any positive quantity) in logarithmic buckets: each
/// power of two is split into 128 equal sub-buckets, so any quantile is reported with relative
/// error below 0.4% for values in [1e-9, 1e9]. Values below 1e-9 count in a zero bucket (reported
/// as 0); values above 1e9 are clamped into the top bucket. Memory is fixed at construction (about
/// 60 KiB) and never grows with the number of values recorded. Exact min, max, count and sum are
/// kept alongside.
class Histogram {
 public:
  Histogram();

  void record(double value);
  /// Adds every count of `other` (same layout) to this histogram.
  void merge(const Histogram& other);
  /// Forgets every value; cheap when few buckets were touched since the last reset.
  void reset();

  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  double mean() const;  ///< 0 when empty
  double min() const;   ///< 0 when empty
  double max() const;   ///< 0 when empty
  /// The q-quantile (0 <= q <= 1) by the nearest-rank definition, returned as the midpoint of the
  /// bucket that holds it, clamped to [min, max]. 0 when empty.
  double quantile(double q) const;
  /// quantile(qs[i]) for every i, in one pass over the buckets; `qs` must be ascending and `out`
  /// as long as `qs`.
  void quantiles(std::span<const double> qs, std::span<double> out) const;

  /// Relative half-width of a bucket: the bound on a quantile's relative error.
  static double relative_error();

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  double sum_ = 0.0;
  double min_ = 0.0;
  double max_ = 0.0;
  std::uint32_t lowest_touched_;
  std::uint32_t highest_touched_ = 0;
};

}  // namespace capsim::stats
