#include "node_pool.hpp"

#include <algorithm>

namespace capsim::net {

namespace {

// Requests are sums of decimals (0.1 + 0.2 cores): a pod fits when the sum is within a
// millionth of a core or a MiB of what the node allocates.
constexpr double kSlack = 1e-6;

}  // namespace

NodePools::NodePools(const model::Spec& spec) : spec_(spec) {
  const auto& pools = spec.nodes->pools;
  existing_.assign(pools.size(), 0);
  for (std::uint32_t p = 0; p < pools.size(); ++p) {
    for (int k = 0; k < pools[p].initial_nodes; ++k) set_state(add(p), NodeState::ready);
  }
  bound_.resize(spec.services.size());
  for (std::size_t s = 0; s < spec.services.size(); ++s) {
    if (spec.services[s].pod)
      bound_[s].assign(static_cast<std::size_t>(spec.services[s].replicas), kNone);
  }
}

std::uint32_t NodePools::add(std::uint32_t pool) {
  Node n;
  n.pool = pool;
  nodes_.push_back(n);
  ++existing_[pool];
  return static_cast<std::uint32_t>(nodes_.size() - 1);
}

void NodePools::set_state(std::uint32_t node, NodeState state) {
  Node& n = nodes_[node];
  if (state == NodeState::gone && n.state != NodeState::gone) --existing_[n.pool];
  n.state = state;
}

bool NodePools::fits(const Node& n, const model::PodSpec& p) const {
  const model::NodePoolSpec& pool = spec().pools[n.pool];
  return n.cores_used + p.cores <= pool.cores + kSlack &&
         n.memory_used_mib + p.memory_mib <= pool.memory_mib + kSlack;
}

std::uint32_t NodePools::bind(PodId pod) {
  const model::PodSpec& p = this->pod(pod.service);
  for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
    Node& n = nodes_[i];
    if (n.pool != p.pool || n.state != NodeState::ready || !fits(n, p)) continue;
    n.cores_used += p.cores;
    n.memory_used_mib += p.memory_mib;
    ++n.pods;
    auto& bound = bound_[pod.service];
    if (bound.size() <= pod.replica) bound.resize(pod.replica + 1, kNone);
    bound[pod.replica] = i;
    return i;
  }
  return kNone;
}

std::uint32_t NodePools::unbind(PodId pod) {
  auto& bound = bound_[pod.service];
  if (pod.replica >= bound.size() || bound[pod.replica] == kNone) return kNone;
  const std::uint32_t i = bound[pod.replica];
  bound[pod.replica] = kNone;
  const model::PodSpec& p = this->pod(pod.service);
  Node& n = nodes_[i];
  n.cores_used = std::max(0.0, n.cores_used - p.cores);
  n.memory_used_mib = std::max(0.0, n.memory_used_mib - p.memory_mib);
  --n.pods;
  if (n.pods == 0) n.cores_used = n.memory_used_mib = 0.0;  // no drift from the sums
  return i;
}

std::uint32_t NodePools::node_of(PodId pod) const {
  const auto& bound = bound_[pod.service];
  return pod.replica < bound.size() ? bound[pod.replica] : kNone;
}

std::vector<PodId> NodePools::pods_on(std::uint32_t node) const {
  std::vector<PodId> pods;
  for (std::uint32_t s = 0; s < bound_.size(); ++s) {
    for (std::uint32_t r = 0; r < bound_[s].size(); ++r) {
      if (bound_[s][r] == node) pods.push_back(PodId{s, r});
    }
  }
  return pods;
}

bool NodePools::remove_pending(PodId pod) {
  const auto at = std::find(pending_.begin(), pending_.end(), pod);
  if (at == pending_.end()) return false;
  pending_.erase(at);
  return true;
}

std::vector<PodId> NodePools::bind_pending() {
  std::vector<PodId> placed;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (bind(*it) != kNone) {
      placed.push_back(*it);
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  return placed;
}

}  // namespace capsim::net
