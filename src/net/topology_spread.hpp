#pragma once
/// \file Pod topology spread (docs/nodes.md#topology-spread): how many of one service's pods each
/// domain of its pool holds (a zone, or a node), and what binding one more pod to a node does to
/// the skew, as Kubernetes' PodTopologySpread plugin counts them. The domains are the pool's
/// Ready nodes and their zones (a node still provisioning, lost or being drained is none); the
/// pods counted are the service's pods bound to Ready nodes.

#include <cstdint>
#include <vector>

#include "capsim/model/spec.hpp"
#include "node_pool.hpp"

namespace capsim::net {

class SpreadDomains {
 public:
  /// The domains of pool `pool` (with `zones` zones, at least 1) among `nodes`, and the pods of
  /// one service: `pod_nodes` holds the node each replica is bound to (kNone: unbound).
  SpreadDomains(const std::vector<Node>& nodes, std::uint32_t pool, std::size_t zones,
                const std::vector<std::uint32_t>& pod_nodes);

  /// The service's pods in the domain of Ready node `node` under `c`'s topology.
  int pods_in(const model::SpreadConstraint& c, std::uint32_t node) const;
  /// The skew if one more pod were bound to Ready node `node`: its domain's pods + 1 - the
  /// fewest pods of any domain.
  int skew_after(const model::SpreadConstraint& c, std::uint32_t node) const;
  /// Whether a new node in zone `zone` could take a pod under zone constraint `c`: the zone is
  /// no domain yet (its new node makes it one, holding none of the pods) or one more pod there
  /// keeps the skew within `max_skew`.
  bool zone_admits(const model::SpreadConstraint& c, std::uint32_t zone) const;

 private:
  const std::vector<Node>& nodes_;
  std::vector<int> node_pods_;  ///< by node index; -1: not a domain
  std::vector<int> zone_pods_;  ///< by zone; -1: not a domain (no Ready node)
  int min_node_pods_ = 0;
  int min_zone_pods_ = 0;
};

}  // namespace capsim::net
