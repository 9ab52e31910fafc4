/// \file Pod topology spread's domain counts (topology_spread.hpp).

#include "topology_spread.hpp"

#include <algorithm>
#include <limits>

namespace capsim::net {

SpreadDomains::SpreadDomains(const std::vector<Node>& nodes, std::uint32_t pool, std::size_t zones,
                             const std::vector<std::uint32_t>& pod_nodes)
    : nodes_(nodes), node_pods_(nodes.size(), -1), zone_pods_(zones, -1) {
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (n.pool != pool || n.state != NodeState::ready) continue;
    node_pods_[i] = 0;
    zone_pods_[n.zone] = 0;
  }
  for (const std::uint32_t node : pod_nodes) {
    if (node == kNone || node_pods_[node] < 0) continue;
    ++node_pods_[node];
    ++zone_pods_[nodes[node].zone];
  }
  const auto fewest = [](const std::vector<int>& counts) {
    int m = std::numeric_limits<int>::max();
    for (const int c : counts) {
      if (c >= 0) m = std::min(m, c);
    }
    return m == std::numeric_limits<int>::max() ? 0 : m;
  };
  min_node_pods_ = fewest(node_pods_);
  min_zone_pods_ = fewest(zone_pods_);
}

int SpreadDomains::pods_in(const model::SpreadConstraint& c, std::uint32_t node) const {
  return c.topology == model::SpreadConstraint::Topology::zone ? zone_pods_[nodes_[node].zone]
                                                               : node_pods_[node];
}

int SpreadDomains::skew_after(const model::SpreadConstraint& c, std::uint32_t node) const {
  const int fewest =
      c.topology == model::SpreadConstraint::Topology::zone ? min_zone_pods_ : min_node_pods_;
  return pods_in(c, node) + 1 - fewest;
}

bool SpreadDomains::zone_admits(const model::SpreadConstraint& c, std::uint32_t zone) const {
  return zone_pods_[zone] < 0 || zone_pods_[zone] + 1 - min_zone_pods_ <= c.max_skew;
}

}  // namespace capsim::net
