#pragma once
/// \file A streaming log-bucketed histogram with bounded relative error (HDR-style).

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace capsim::stats {

namespace histogram_layout {
// Bucket 0 is the zero bucket (values below 1e-9, and negative values); then 60 octaves
// [2^e, 2^(e+1)) for e = -30 .. 29 (2^-30 < 1e-9 and 2^30 > 1e9), each split into 128 equal
// sub-buckets. The bucket of a value is read straight from its IEEE-754 bits: the biased exponent
// selects the octave and the top 7 mantissa bits the sub-bucket. 1 + 60 * 128 = 7681 counters of
// 8 bytes: 60 KiB.
inline constexpr int kSubBits = 7;
inline constexpr std::uint32_t kSubBuckets = 1U << kSubBits;  // 128
inline constexpr int kMinExponent = -30;
inline constexpr int kOctaves = 60;
inline constexpr std::uint32_t kBuckets = 1 + kOctaves * kSubBuckets;
inline constexpr double kMinValue = 1e-9;
// Values in [1e9, 2^30) keep their own bucket (the layout reaches 2^30); larger ones, infinity
// included, are clamped into the top bucket.
inline constexpr double kTopValue = 0x1.0p30;
inline constexpr int kMantissaBits = 52;
inline constexpr std::uint64_t kExponentBias = 1023;

/// Bucket of a value >= kMinValue and < kTopValue.
inline std::uint32_t bucket_of(double value) {
  const auto bits = std::bit_cast<std::uint64_t>(value);
  const auto octave = (bits >> kMantissaBits) - (kExponentBias + kMinExponent);  // sign bit is 0
  const auto sub = (bits >> (kMantissaBits - kSubBits)) & (kSubBuckets - 1);
  return static_cast<std::uint32_t>(1 + (octave << kSubBits) + sub);
}
}  // namespace histogram_layout

/// Counts non-negative values (seconds, or any positive quantity) in logarithmic buckets: each
/// power of two is split into 128 equal sub-buckets, so any quantile is reported with relative
/// error below 0.4% for values in [1e-9, 1e9]. Values below 1e-9 count in a zero bucket (reported
/// as 0); values above 1e9 are clamped into the top bucket. Memory is fixed at construction (about
/// 60 KiB) and never grows with the number of values recorded. Exact min, max, count and sum are
/// kept alongside.
class Histogram {
 public:
  Histogram();

  /// Inline: it runs several times per request.
  void record(double value) {
    using namespace histogram_layout;
    std::uint32_t index = 0;
    if (value >= kMinValue) {
      index = value < kTopValue ? bucket_of(value) : kBuckets - 1;
    } else if (std::isnan(value)) {
      return;  // not a value: ignored rather than poisoning sum, min and max
    }
    ++counts_[index];
    ++count_;
    sum_ += value;
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
    lowest_touched_ = std::min(lowest_touched_, index);
    highest_touched_ = std::max(highest_touched_, index);
  }
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
