#include "capsim/scale/hpa.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <sstream>

namespace capsim::scale {

namespace {

/// |1 - ratio| <= tolerance, forgiving rounding: 0.66 / 0.6 is inside a tolerance of 0.1.
bool within(double ratio, double tolerance) {
  return std::abs(1.0 - ratio) <= tolerance + 1e-9;
}

}  // namespace

int ceil_count(double x) {
  if (!(x > 0.0)) return 0;
  if (x >= static_cast<double>(INT_MAX)) return INT_MAX;
  // A count a hair above an integer is that integer: 1.1 x 10 = 11.000000000000002.
  return static_cast<int>(std::ceil(x * (1.0 - 1e-12) - 1e-9));
}

int hpa_replicas(double value, double target, double tolerance, const ReplicaGroups& g) {
  const double ratio = value / target;
  const bool up = ratio > 1.0;
  const bool rebalance_unready = g.unready > 0 && up;
  if (g.missing == 0 && !rebalance_unready) {
    if (within(ratio, tolerance)) return g.current;
    return ceil_count(ratio * g.ready);
  }
  // Recompute the average with the replicas set aside: missing metrics at 100 % of the target
  // on a scale-down and 0 % on a scale-up; not-ready replicas at 0 % on a scale-up.
  double sum = value * g.ready;
  int n = g.ready;
  if (g.missing > 0) {
    sum += (ratio < 1.0 ? target : 0.0) * g.missing;
    n += g.missing;
  }
  if (rebalance_unready) n += g.unready;
  const double new_ratio = sum / n / target;
  if (within(new_ratio, tolerance) || (ratio < 1.0 && new_ratio > 1.0) ||
      (ratio > 1.0 && new_ratio < 1.0)) {
    return g.current;
  }
  const int desired = ceil_count(new_ratio * n);
  // The direction of the change follows the ratio.
  if ((new_ratio < 1.0 && desired > g.current) || (new_ratio > 1.0 && desired < g.current)) {
    return g.current;
  }
  return desired;
}

int hpa_service_metric_replicas(double value, double target, double tolerance,
                                const ReplicaGroups& g) {
  const double ratio = value / target;
  if (within(ratio, tolerance)) return g.current;
  return ceil_count(ratio * g.ready);
}

namespace {

std::string seconds(double s) {
  std::ostringstream out;
  out << s << " s";
  return out.str();
}

const char* direction(bool up) {
  return up ? "scale_up" : "scale_down";
}

}  // namespace

std::string policy_text(bool up, const model::ScalingPolicySpec& p) {
  std::ostringstream out;
  out << direction(up) << " policy "
      << (p.type == model::ScalingPolicyType::pods ? "pods " : "percent ") << p.value << " per "
      << seconds(p.period_s);
  return out.str();
}

HpaBehavior::HpaBehavior(model::ScalingRulesSpec up, model::ScalingRulesSpec down)
    : up_(std::move(up)), down_(std::move(down)) {
  longest_window_s_ = std::max(up_.stabilization_window_s, down_.stabilization_window_s);
  for (const auto* rules : {&up_, &down_}) {
    for (const model::ScalingPolicySpec& p : rules->policies) {
      longest_period_s_ = std::max(longest_period_s_, p.period_s);
    }
  }
}

int HpaBehavior::changed_within(const std::deque<std::pair<double, int>>& events, double now,
                                double period_s) const {
  int n = 0;
  // An event exactly one period old has left the period.
  for (const auto& [t, count] : events) {
    if (t > now - period_s) n += count;
  }
  return n;
}

void HpaBehavior::prune(double now) {
  while (!recommendations_.empty() && recommendations_.front().first <= now - longest_window_s_ &&
         recommendations_.size() > 1) {
    recommendations_.pop_front();
  }
  for (auto* events : {&ups_, &downs_}) {
    while (!events->empty() && events->front().first <= now - longest_period_s_) {
      events->pop_front();
    }
  }
}

void HpaBehavior::record_change(double now, int from, int to) {
  if (to > from) ups_.emplace_back(now, to - from);
  if (to < from) downs_.emplace_back(now, from - to);
}

HpaBehavior::Decision HpaBehavior::decide(double now, int current, int recommendation, int min,
                                          int max) {
  recommendations_.emplace_back(now, recommendation);
  prune(now);
  Decision d;
  // Stabilisation: scale up only to the lowest recommendation of the scale-up window, down only
  // to the highest of the scale-down window (the current recommendation is in both).
  int up_rec = recommendation, down_rec = recommendation;
  for (const auto& [t, r] : recommendations_) {
    if (t > now - up_.stabilization_window_s) up_rec = std::min(up_rec, r);
    if (t > now - down_.stabilization_window_s) down_rec = std::max(down_rec, r);
  }
  int stabilized = current;
  if (stabilized < up_rec) stabilized = up_rec;
  if (stabilized > down_rec) stabilized = down_rec;
  if (stabilized != recommendation) {
    const bool up = recommendation > current;
    d.limit = std::string("stabilization window (") + direction(up) + ", " +
              seconds(up ? up_.stabilization_window_s : down_.stabilization_window_s) + ")";
  }
  int result = stabilized;
  if (stabilized > current) {
    int limit = current;
    std::string limit_name;
    if (up_.select != model::SelectPolicy::disabled && !up_.policies.empty()) {
      bool first = true;
      for (const model::ScalingPolicySpec& p : up_.policies) {
        const int start = current - changed_within(ups_, now, p.period_s) +
                          changed_within(downs_, now, p.period_s);
        const int l = p.type == model::ScalingPolicyType::pods
                          ? start + p.value
                          : ceil_count(start * (1.0 + p.value / 100.0));
        const bool better = up_.select == model::SelectPolicy::max ? l > limit : l < limit;
        if (first || better) {
          limit = l;
          limit_name = policy_text(true, p);
          first = false;
        }
      }
    } else {
      limit_name = "select disabled (scale_up)";
    }
    limit = std::max(limit, current);
    if (result > limit) {
      result = limit;
      d.limit = limit_name;
    }
  } else if (stabilized < current) {
    int limit = current;
    std::string limit_name;
    if (down_.select != model::SelectPolicy::disabled && !down_.policies.empty()) {
      bool first = true;
      for (const model::ScalingPolicySpec& p : down_.policies) {
        const int start = current + changed_within(downs_, now, p.period_s) -
                          changed_within(ups_, now, p.period_s);
        const int l = p.type == model::ScalingPolicyType::pods
                          ? start - p.value
                          : ceil_count(start * (1.0 - p.value / 100.0));
        // max: the policy that allows the largest change, i.e. the lowest count.
        const bool better = down_.select == model::SelectPolicy::max ? l < limit : l > limit;
        if (first || better) {
          limit = l;
          limit_name = policy_text(false, p);
          first = false;
        }
      }
    } else {
      limit_name = "select disabled (scale_down)";
    }
    limit = std::min(limit, current);
    if (result < limit) {
      result = limit;
      d.limit = limit_name;
    }
  }
  if (result > max) {
    result = max;
    d.limit = "max " + std::to_string(max);
  } else if (result < min) {
    result = min;
    d.limit = "min " + std::to_string(min);
  }
  d.replicas = result;
  return d;
}

}  // namespace capsim::scale
