#include "capsim/stats/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace capsim::stats {

namespace {

using namespace histogram_layout;

constexpr double kInf = std::numeric_limits<double>::infinity();
// Buckets summed at once when a quantile scan skips ahead (a window's histogram spans a thousand
// or more buckets that hold a few dozen values).
constexpr std::uint32_t kScanBlock = 16;

/// Midpoint of a bucket (0 for the zero bucket).
double midpoint(std::uint32_t index) {
  if (index == 0) return 0.0;
  const std::uint32_t k = index - 1;
  const int octave = static_cast<int>(k >> kSubBits);
  const double sub = static_cast<double>(k & (kSubBuckets - 1));
  return std::ldexp(1.0 + (sub + 0.5) / kSubBuckets, octave + kMinExponent);
}

}  // namespace

Histogram::Histogram() : counts_(kBuckets, 0), min_(kInf), max_(-kInf), lowest_touched_(kBuckets) {}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (std::uint32_t i = other.lowest_touched_; i <= other.highest_touched_; ++i) {
    counts_[i] += other.counts_[i];
  }
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  lowest_touched_ = std::min(lowest_touched_, other.lowest_touched_);
  highest_touched_ = std::max(highest_touched_, other.highest_touched_);
}

void Histogram::reset() {
  if (count_ > 0) {
    std::fill(counts_.begin() + lowest_touched_, counts_.begin() + highest_touched_ + 1, 0);
  }
  count_ = 0;
  sum_ = 0.0;
  min_ = kInf;
  max_ = -kInf;
  lowest_touched_ = kBuckets;
  highest_touched_ = 0;
}

double Histogram::mean() const {
  return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_);
}

double Histogram::min() const {
  return count_ == 0 ? 0.0 : min_;
}

double Histogram::max() const {
  return count_ == 0 ? 0.0 : max_;
}

namespace {

/// Nearest rank ceil(q n), in [1, n]; the product is shrunk by a few ulps so that q = 0.07,
/// n = 100 (whose product rounds up to 7.000000000000001) still gives rank 7.
std::uint64_t nearest_rank(double q, std::uint64_t count) {
  q = std::clamp(std::isnan(q) ? 0.0 : q, 0.0, 1.0);
  const double scaled =
      q * static_cast<double>(count) * (1.0 - 8.0 * std::numeric_limits<double>::epsilon());
  return std::clamp(static_cast<std::uint64_t>(std::ceil(scaled)), std::uint64_t{1}, count);
}

}  // namespace

double Histogram::quantile(double q) const {
  double out = 0.0;
  quantiles(std::span<const double>(&q, 1), std::span<double>(&out, 1));
  return out;
}

void Histogram::quantiles(std::span<const double> qs, std::span<double> out) const {
  std::uint64_t seen = 0;
  std::uint32_t index = lowest_touched_;
  for (std::size_t i = 0; i < qs.size(); ++i) {
    if (count_ == 0) {
      out[i] = 0.0;
      continue;
    }
    const std::uint64_t rank = nearest_rank(qs[i], count_);
    // The smallest and the largest value are known exactly.
    if (rank == 1) {
      out[i] = min_;
      continue;
    }
    if (rank == count_) {
      out[i] = max_;
      continue;
    }
    // Resume the scan where the previous (smaller) quantile stopped. Whole blocks that end before
    // highest_touched_ and stay below the rank are skipped at once (their sums vectorise): the
    // bucket-by-bucket scan would have passed every one of them, so the answer is the same.
    while (index + kScanBlock <= highest_touched_) {
      std::uint64_t block = 0;
      for (std::uint32_t b = 0; b < kScanBlock; ++b) block += counts_[index + b];
      if (seen + block >= rank) break;
      seen += block;
      index += kScanBlock;
    }
    while (index < highest_touched_ && seen + counts_[index] < rank) seen += counts_[index++];
    out[i] = std::clamp(midpoint(index), min_, max_);
  }
}

double Histogram::relative_error() {
  // A bucket [lo, lo + w) has w = lo_octave / 128, where lo_octave <= lo is the start of its
  // octave; the midpoint is within w / 2 of any value v >= lo >= lo_octave, so the relative error
  // is at most (lo_octave / 256) / lo_octave = 1/256 (reached at the first sub-bucket's low edge).
  return 1.0 / (2.0 * kSubBuckets);
}

}  // namespace capsim::stats
