#pragma once
/// \file The nodes of a model's node pools and the pods bound to them (docs/nodes.md): what the
/// scheduler sees. A pod (a replica of a service with `pod`) is bound to the first Ready node of
/// its pool with room for its requests, in the order the nodes were created; a pod that fits
/// nowhere waits in the pending queue, first in first out. Nothing here decides to add or remove
/// a node: the cluster autoscaler does (scale/cluster_autoscaler.hpp), the coordinator applies
/// it (replication_nodes.cpp).

#include <cstdint>
#include <deque>
#include <vector>

#include "capsim/model/spec.hpp"
#include "capsim/sim/calendar.hpp"
#include "pool.hpp"

namespace capsim::net {

enum class NodeState : std::uint8_t {
  provisioning,  ///< asked for, not Ready yet: no pod can be bound to it
  ready,         ///< pods may be bound to it
  deleting,      ///< being drained by the cluster autoscaler: no new pods; gone once empty
  gone,          ///< deleted (kept so that node indices stay stable)
  lost,          ///< lost by a node_loss fault: no pods, not paid for; may be restored Ready
};

struct Node {
  std::uint32_t pool = 0;
  std::uint32_t zone = 0;  ///< index in the pool's zones (0 when it has none)
  NodeState state = NodeState::provisioning;
  double cores_used = 0.0;  ///< requests of the pods bound to it
  double memory_used_mib = 0.0;
  std::uint32_t pods = 0;
};

/// A pod: a replica slot of a service.
struct PodId {
  std::uint32_t service = 0;
  std::uint32_t replica = 0;
  bool operator==(const PodId&) const = default;
};

class NodePools {
 public:
  /// Each pool's `initial_nodes`, Ready at t = 0 (no pod bound yet).
  explicit NodePools(const model::Spec& spec);

  const model::NodesSpec& spec() const { return *spec_.nodes; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(nodes_.size()); }
  const Node& operator[](std::uint32_t i) const { return nodes_[i]; }
  /// Nodes of `pool` that exist (provisioning, ready or deleting): what is paid for.
  int existing(std::uint32_t pool) const { return existing_[pool]; }

  /// A new node of `pool`, provisioning; returns its index. It goes to the zone of the pool with
  /// the fewest existing nodes among the zones that are up, the first such zone on a tie (every
  /// zone when none is up); when a Pending pod of the pool has a zone spread constraint that
  /// must hold, among the zones that could take it first (docs/nodes.md#topology-spread).
  std::uint32_t add(std::uint32_t pool);
  void set_state(std::uint32_t node, NodeState state);
  /// A zone-loss fault takes zone `zone` of `pool` down (`down`) or brings it back: new nodes go
  /// to the zones that are up.
  void zone_down(std::uint32_t pool, std::uint32_t zone, bool down);

  /// Binds `pod` to a Ready node of its service's pool with room that its spread constraints
  /// allow, chosen by its spread preferences, then the placement policy, then age; the node's
  /// index, or kNone (then nothing changes).
  std::uint32_t bind(PodId pod);
  /// Unbinds `pod` from its node; the node's index, or kNone when it was bound to none.
  std::uint32_t unbind(PodId pod);
  /// `pod` is terminating (draining after a scale-down or a rollout): it keeps its room on its
  /// node until unbound, but topology spread no longer counts it, as PodTopologySpread skips
  /// pods with a deletion timestamp.
  void set_terminating(PodId pod);
  std::uint32_t node_of(PodId pod) const;
  /// The pods bound to `node`, by service and replica.
  std::vector<PodId> pods_on(std::uint32_t node) const;

  void add_pending(PodId pod) { pending_.push_back(pod); }
  /// Takes `pod` out of the pending queue; false when it was not pending.
  bool remove_pending(PodId pod);
  const std::deque<PodId>& pending() const { return pending_; }
  /// Binds the pending pods that now fit, in queue order (a pod that does not fit stays and the
  /// ones after it are still tried); returns those bound.
  std::vector<PodId> bind_pending();

  /// The pods the cluster autoscaler's last scan (at `now`) left without a node: their pool is
  /// at its max (docs/nodes.md: a notice names those still Pending at the end).
  void set_stranded(std::vector<PodId> pods, double now) {
    stranded_ = std::move(pods);
    stranded_at_s_ = now;
  }
  const std::vector<PodId>& stranded() const { return stranded_; }
  double stranded_at_s() const { return stranded_at_s_; }

  /// The requests of a pod of `service`.
  const model::PodSpec& pod(std::uint32_t service) const { return *spec_.services[service].pod; }

 private:
  bool fits(const Node& n, const model::PodSpec& p) const;
  /// By zone of `pool`, whether a new node there could take the first Pending pod of the pool
  /// that has a zone spread constraint that must hold; empty when no such pod is Pending.
  std::vector<bool> zones_for_pending(std::uint32_t pool) const;

  const model::Spec& spec_;
  std::vector<Node> nodes_;
  std::vector<int> existing_;
  /// By pool, by zone: zone-loss faults in force (a zone is up at 0).
  std::vector<std::vector<int>> zones_down_;
  /// By service, by replica: the node the pod is bound to (kNone: none).
  std::vector<std::vector<std::uint32_t>> bound_;
  std::vector<std::vector<bool>> terminating_;  ///< per bound_ entry
  /// bound_[service] without its terminating pods: what topology spread counts.
  std::vector<std::uint32_t> counted(std::uint32_t service) const;
  std::deque<PodId> pending_;
  std::vector<PodId> stranded_;
  double stranded_at_s_ = 0.0;
};

}  // namespace capsim::net
