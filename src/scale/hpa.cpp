#include "capsim/scale/hpa.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <sstream>

namespace capsim::scale {

int ceil_count(double x) {
  if (!(x > 0.0)) return 0;
  if (x >= static_cast<double>(INT_MAX)) return INT_MAX;
  return static_cast<int>(std::ceil(x));
}

int whole_percent(double utilization) {
  if (!(utilization > 0.0)) return 0;
  const double p = std::floor(utilization * 100.0 + 1e-9);
  return p >= static_cast<double>(INT_MAX) ? INT_MAX : static_cast<int>(p);
}

bool cpu_sample_set_aside(double now, double started_s, double ready_since_s, double window_s,
                          bool predates_run) {
  if (predates_run || started_s + kCpuInitializationPeriodS <= now) return false;
  // metric.Timestamp.Before(condition.LastTransitionTime.Add(metric.Window)).
  return now < ready_since_s + window_s;
}

namespace {

/// The usage ratio of an average `value`: whole percent over an integer percent target for a
/// utilisation, value / target otherwise.
double usage_ratio(double value, const MetricRule& rule) {
  if (!rule.utilization) return value / rule.target;
  const auto target_percent = static_cast<double>(std::lround(rule.target * 100.0));
  return static_cast<double>(whole_percent(value)) / target_percent;
}

}  // namespace

int hpa_replicas(double value, const MetricRule& rule, const ReplicaGroups& g) {
  const double ratio = usage_ratio(value, rule);
  const bool scale_up_with_unready = g.unready > 0 && ratio > 1.0;
  if (!scale_up_with_unready && g.missing == 0) {
    if (rule.tolerances.within(ratio)) return g.current;
    return ceil_count(ratio * g.ready);
  }
  // Recompute the average with the replicas set aside: missing metrics at the fallback on a
  // scale-down and 0 on a scale-up; not-ready replicas at 0 on a scale-up.
  double sum = value * g.ready;
  int n = g.ready;
  if (g.missing > 0) {
    if (ratio < 1.0) {
      // GetResourceUtilizationRatio: max(100, target) % of the request; plain: the target.
      const double fallback =
          rule.utilization ? std::max(100L, std::lround(rule.target * 100.0)) / 100.0 : rule.target;
      sum += fallback * g.missing;
      n += g.missing;
    } else if (ratio > 1.0) {
      n += g.missing;
    }
  }
  if (scale_up_with_unready) n += g.unready;
  const double new_ratio = usage_ratio(sum / n, rule);
  if (rule.tolerances.within(new_ratio) || (ratio < 1.0 && new_ratio > 1.0) ||
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

int hpa_service_metric_replicas(double value, double target, const Tolerances& tolerances,
                                const ReplicaGroups& g) {
  const double ratio = value / target;
  if (tolerances.within(ratio)) return g.current;
  return ceil_count(ratio * g.ready);
}

int hpa_external_average_replicas(double total, double target_per_replica, int status_replicas,
                                  const Tolerances& tolerances) {
  if (status_replicas == 0) return ceil_count(total / target_per_replica);
  const double ratio = total / (target_per_replica * status_replicas);
  if (tolerances.within(ratio)) return status_replicas;
  return ceil_count(total / target_per_replica);
}

int hpa_external_value_replicas(double total, double target, int spec_replicas, int ready,
                                const Tolerances& tolerances) {
  const double ratio = total / target;
  if (spec_replicas == 0) return ceil_count(ratio);
  if (tolerances.within(ratio)) return spec_replicas;
  return ceil_count(ratio * ready);
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

void HpaBehavior::first_seen(double now, int current) {
  if (recommendations_.empty() && down_.stabilization_window_s > 0.0) {
    recommendations_.emplace_back(now, current);
  }
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
                          // int32(math.Ceil(float64(start) * (1 + float64(value)/100)))
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
                          // int32(float64(start) * (1 - float64(value)/100)): Go's
                          // conversion truncates, so 10 less 25 % allows 7, not 8.
                          : static_cast<int>(start * (1.0 - p.value / 100.0));
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
