/// \file PodDisruptionBudgets (docs/nodes.md#poddisruptionbudgets): the cluster autoscaler
/// drains a node only through the Eviction API, which refuses to evict a pod whose budget has no
/// disruption left. A budget counts the service's ready pods (currentHealthy) against the pods
/// it must keep (desiredHealthy), from its desired count as the disruption controller does.
/// Nothing else evicts through it here: rollouts and node losses ignore budgets, as in
/// Kubernetes.

#include <algorithm>
#include <string>
#include <vector>

#include "replication.hpp"

namespace capsim::net {

namespace {

/// Kubernetes' GetScaledValueFromIntOrPercent, rounding up: a count, or `percent` % of
/// `expected` rounded up.
int scaled(const model::DisruptionBudgetSpec& b, int expected) {
  const int value = static_cast<int>(b.value);
  if (!b.percent) return value;
  return (value * expected + 99) / 100;
}

}  // namespace

int Replication::disruptions_allowed(std::uint32_t si) const {
  const Service& s = services_[si];
  const model::DisruptionBudgetSpec& b = *s.spec->pod->disruption_budget;
  // The disruption controller's expected count is the workload's scale (its desired replicas).
  const int expected = s.autoscaler ? s.autoscaler->desired() : s.spec->replicas;
  const int desired_healthy =
      b.min_available ? scaled(b, expected) : expected - scaled(b, expected);
  return static_cast<int>(s.replicas.up_count()) - desired_healthy;
}

std::string Replication::disruption_blocker(std::uint32_t node) const {
  struct OnNode {
    std::uint32_t service;
    int ready = 0;
    int unready = 0;
  };
  std::vector<OnNode> seen;
  for (const PodId pod : nodes_->pods_on(node)) {
    const Service& s = services_[pod.service];
    if (!s.spec->pod->disruption_budget) continue;
    std::size_t k = 0;
    while (k < seen.size() && seen[k].service != pod.service) ++k;
    if (k == seen.size()) seen.push_back(OnNode{pod.service});
    const Replica& r = s.replicas[pod.replica];
    if (r.phase == Phase::draining) continue;  // leaving already: nothing to evict
    ++(r.up ? seen[k].ready : seen[k].unready);
  }
  for (const OnNode& o : seen) {
    const int allowed = disruptions_allowed(o.service);
    // A ready pod takes one disruption; one not ready may go while the budget is met
    // (unhealthyPodEvictionPolicy IfHealthyBudget, the default).
    if (o.ready > std::max(0, allowed) || (o.unready > 0 && allowed < 0)) {
      const Service& s = services_[o.service];
      return "service " + s.spec->name + ": " + std::to_string(o.ready) +
             " ready pod(s) to evict, " + std::to_string(std::max(0, allowed)) +
             " disruption(s) allowed (" + std::to_string(s.replicas.up_count()) + " ready)";
    }
  }
  return {};
}

}  // namespace capsim::net
