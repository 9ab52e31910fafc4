#pragma once
/// \file The cluster autoscaler's decisions (docs/nodes.md), after the Kubernetes
/// cluster-autoscaler's documented behaviour: every scan interval it adds nodes to a pool whose
/// pending pods fit on no node (not even on nodes still provisioning), as many as a first-fit
/// packing of those pods onto empty nodes needs, up to the pool's max; it removes a Ready node
/// whose pods' requests are under the utilisation threshold (of cores and of memory) and could
/// all move to other nodes, once that has held for scale_down_unneeded_time and no node was added
/// for scale_down_delay_after_add; empty nodes up to max_empty_bulk_delete at a time, else one
/// node with pods; never below the pool's min. It owns its timers and nothing else: it reads a
/// view of the cluster and returns what to do; the coordinator applies it.

#include <cstdint>
#include <string>
#include <vector>

#include "capsim/model/spec.hpp"

namespace capsim::scale {

/// A pod's requests.
struct PodRequest {
  double cores = 0.0;
  double memory_mib = 0.0;
};

/// A node as the autoscaler sees it.
struct NodeView {
  std::uint32_t pool = 0;
  bool provisioning = false;  ///< asked for, not Ready yet
  bool ready = false;         ///< Ready and not being deleted
  /// Draining it would evict more pods than a PodDisruptionBudget allows: it is not removed.
  bool disruption_blocked = false;
  std::vector<PodRequest> pods;  ///< the pods bound to it
};

struct ClusterView {
  std::vector<NodeView> nodes;                   ///< every node index, gone ones neither flag
  std::vector<int> existing;                     ///< by pool: nodes that exist (paid for)
  std::vector<std::vector<PodRequest>> pending;  ///< by pool, in queue order
};

struct ClusterDecision {
  std::vector<int> add;               ///< by pool: nodes to add
  std::vector<std::uint32_t> remove;  ///< nodes to drain and delete
  std::vector<std::string> reasons;   ///< one per pool added to, then one per node removed
  /// By pool: the pending pods (indices in ClusterView::pending) that no node takes, Ready,
  /// upcoming or added now: their pool is at its max.
  std::vector<std::vector<std::size_t>> stranded;
  /// Nodes that would be unneeded but for a PodDisruptionBudget, first found so at this scan
  /// (one event per spell).
  std::vector<std::uint32_t> blocked;
};

class ClusterAutoscaler {
 public:
  explicit ClusterAutoscaler(const model::NodesSpec& spec) : spec_(spec) {}

  /// One scan at `now`.
  ClusterDecision scan(const ClusterView& view, double now);

 private:
  bool movable(const ClusterView& view, std::uint32_t node, std::vector<PodRequest>& free,
               const std::vector<bool>& leaving) const;

  const model::NodesSpec& spec_;
  std::vector<double> unneeded_since_s_;  ///< by node; NaN: not unneeded
  std::vector<bool> blocked_told_;        ///< by node: found blocked by a budget at the last scan
  double last_scale_up_s_ = -1e300;
};

}  // namespace capsim::scale
