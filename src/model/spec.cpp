#include "capsim/model/spec.hpp"

#include <cmath>

namespace capsim::model {

std::optional<std::size_t> Spec::service_index(const std::string& name) const {
  for (std::size_t i = 0; i < services.size(); ++i) {
    if (services[i].name == name) return i;
  }
  return std::nullopt;
}

bool Spec::rolls_out(const std::string& name) const {
  for (const FaultSpec& f : faults) {
    if (f.kind == FaultKind::rollout && f.service == name) return true;
  }
  return false;
}

bool Spec::loses_nodes(const std::string& pool) const {
  for (const FaultSpec& f : faults) {
    if (f.kind == FaultKind::node_loss && f.pool == pool) return true;
  }
  return false;
}

ScalingRulesSpec AutoscalingSpec::default_scale_up() {
  ScalingRulesSpec rules;
  rules.stabilization_window_s = 0.0;
  rules.policies = {{ScalingPolicyType::percent, 100, 15.0}, {ScalingPolicyType::pods, 4, 15.0}};
  rules.select = SelectPolicy::max;
  return rules;
}

ScalingRulesSpec AutoscalingSpec::default_scale_down() {
  ScalingRulesSpec rules;
  rules.stabilization_window_s = 300.0;
  rules.policies = {{ScalingPolicyType::percent, 100, 15.0}};
  rules.select = SelectPolicy::max;
  return rules;
}

double SimulationSpec::effective_window_s() const {
  if (duration_s / window_s <= kMaxWindows) return window_s;
  static constexpr double kNice[] = {1,   2,   5,    10,   15,   30,    60,    120,   300,
                                     600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
  const double needed = duration_s / kMaxWindows;
  for (double w : kNice) {
    if (w >= needed && w >= window_s) return w;
  }
  return 86400.0 * std::ceil(needed / 86400.0);
}

}  // namespace capsim::model
