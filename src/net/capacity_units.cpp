#include "capsim/net/capacity_units.hpp"

#include <algorithm>
#include <cmath>

namespace capsim::net {

CapacityDimension::CapacityDimension(const model::CapacityUnitsSpec& spec,
                                     const model::CapacityDimensionSpec& d)
    : on_demand_(spec.mode == model::CapacityMode::on_demand),
      per_request_(d.units_per_request),
      peak_(d.peak_units_per_s),
      adaptation_s_(spec.adaptation_s) {
  if (on_demand_) {
    if (d.max_units_per_s) max_ = *d.max_units_per_s;
    return;
  }
  limited_ = d.units_per_s.has_value();
  rate_ = d.units_per_s.value_or(0.0);
  size_ = rate_ * (1.0 + spec.burst_s);
  tokens_ = size_;
}

bool CapacityDimension::try_provisioned(double now) {
  if (!limited_) return true;
  tokens_ = std::min(size_, tokens_ + (now - last_s_) * rate_);
  last_s_ = now;
  // Tolerate the rounding of the refill: a request arriving exactly when its units are there
  // is served.
  if (tokens_ < per_request_ - 1e-9 * std::max(1.0, per_request_)) return false;
  tokens_ -= per_request_;
  return true;
}

bool CapacityDimension::try_on_demand(double now) {
  const auto second = static_cast<std::int64_t>(std::floor(now));
  if (second != second_) {
    // The second that ended raises the peak, `adaptation_s` after its end, if it is higher than
    // every one before it that is not yet effective (a lower one would change nothing later).
    const double highest = pending_.empty() ? peak_ : pending_.back().second;
    if (used_ > highest) {
      pending_.emplace_back(static_cast<double>(second_ + 1) + adaptation_s_, used_);
    }
    second_ = second;
    used_ = 0.0;
  }
  while (!pending_.empty() && pending_.front().first <= now) {
    peak_ = std::max(peak_, pending_.front().second);
    pending_.pop_front();
  }
  const double allowance = std::min(2.0 * peak_, max_);
  if (used_ + per_request_ > allowance + 1e-9 * std::max(1.0, allowance)) return false;
  used_ += per_request_;
  return true;
}

}  // namespace capsim::net
