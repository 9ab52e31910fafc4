#include "cluster_autoscaler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace capsim::scale {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kSlack = 1e-6;  // as the scheduler's fit (net/node_pool.cpp)

bool fits(const PodRequest& free, const PodRequest& pod) {
  return pod.cores <= free.cores + kSlack && pod.memory_mib <= free.memory_mib + kSlack;
}

void take(PodRequest& free, const PodRequest& pod) {
  free.cores -= pod.cores;
  free.memory_mib -= pod.memory_mib;
}

PodRequest used(const NodeView& n) {
  PodRequest u;
  for (const PodRequest& p : n.pods) {
    u.cores += p.cores;
    u.memory_mib += p.memory_mib;
  }
  return u;
}

}  // namespace

bool ClusterAutoscaler::movable(const ClusterView& view, std::uint32_t node,
                                std::vector<PodRequest>& free,
                                const std::vector<bool>& leaving) const {
  // Each pod must fit on another Ready node of the pool that is not itself leaving, counting
  // what the pods of nodes found unneeded before it would take there.
  std::vector<PodRequest> trial = free;
  for (const PodRequest& pod : view.nodes[node].pods) {
    bool placed = false;
    for (std::uint32_t j = 0; j < view.nodes.size() && !placed; ++j) {
      const NodeView& n = view.nodes[j];
      if (j == node || !n.ready || leaving[j] || n.pool != view.nodes[node].pool) continue;
      if (fits(trial[j], pod)) {
        take(trial[j], pod);
        placed = true;
      }
    }
    if (!placed) return false;
  }
  free = std::move(trial);
  return true;
}

ClusterDecision ClusterAutoscaler::scan(const ClusterView& view, double now) {
  const model::ClusterAutoscalerSpec& ca = spec_.cluster_autoscaler;
  const auto pools = static_cast<std::uint32_t>(spec_.pools.size());
  ClusterDecision d;
  d.add.assign(pools, 0);
  d.stranded.resize(pools);
  unneeded_since_s_.resize(view.nodes.size(), kNaN);
  blocked_told_.resize(view.nodes.size(), false);

  // Scale-up: pending pods are placed (first fit, in queue order) on the free room of the nodes
  // being provisioned, as if they were Ready; those left over are packed onto new nodes.
  bool scaled_up = false;
  for (std::uint32_t p = 0; p < pools; ++p) {
    const std::vector<PodRequest>& pending = view.pending[p];
    if (pending.empty()) continue;
    const model::NodePoolSpec& pool = spec_.pools[p];
    std::vector<PodRequest> bins;
    for (const NodeView& n : view.nodes) {
      if (n.pool != p || !n.provisioning) continue;
      const PodRequest u = used(n);
      bins.push_back(PodRequest{pool.cores - u.cores, pool.memory_mib - u.memory_mib});
    }
    const std::size_t upcoming = bins.size();
    std::vector<std::size_t> bin_of(pending.size());
    for (std::size_t k = 0; k < pending.size(); ++k) {
      const PodRequest& pod = pending[k];
      auto bin =
          std::find_if(bins.begin(), bins.end(), [&](const PodRequest& b) { return fits(b, pod); });
      if (bin == bins.end()) {
        bins.push_back(PodRequest{pool.cores, pool.memory_mib});
        bin = bins.end() - 1;
      }
      take(*bin, pod);
      bin_of[k] = static_cast<std::size_t>(bin - bins.begin());
    }
    const int needed = static_cast<int>(bins.size() - upcoming);
    const int room = pool.max_nodes - view.existing[p];
    const int add = std::min(needed, room);
    // The pods packed onto nodes beyond the max get none.
    const std::size_t allowed = upcoming + static_cast<std::size_t>(std::max(0, add));
    for (std::size_t k = 0; k < pending.size(); ++k) {
      if (bin_of[k] >= allowed) d.stranded[p].push_back(k);
    }
    if (add <= 0) continue;
    d.add[p] = add;
    scaled_up = true;
    // The pods that the nodes being provisioned will take are not what this scale-up is for.
    const auto on_upcoming = static_cast<std::size_t>(
        std::count_if(bin_of.begin(), bin_of.end(), [&](std::size_t b) { return b < upcoming; }));
    std::string reason =
        "pool " + pool.name + ": " + std::to_string(pending.size()) + " pending pod(s)";
    if (on_upcoming > 0) {
      reason += ", " + std::to_string(on_upcoming) + " of them to the " + std::to_string(upcoming) +
                " node(s) being provisioned, " + std::to_string(pending.size() - on_upcoming) +
                " fit on no node";
    } else {
      reason += " fit on no node";
      if (upcoming > 0)
        reason += " nor on the " + std::to_string(upcoming) + " node(s) being provisioned";
    }
    reason += "; " + std::to_string(view.existing[p]) + " -> " +
              std::to_string(view.existing[p] + add) + " nodes";
    if (add < needed) reason += " (max " + std::to_string(pool.max_nodes) + ")";
    d.reasons.push_back(std::move(reason));
  }
  if (scaled_up) last_scale_up_s_ = now;

  // Unneeded nodes: Ready, requests under the threshold of cores and of memory, and every pod
  // could move elsewhere. Their timers run even while scale-down is cooling down.
  std::vector<PodRequest> free(view.nodes.size());
  for (std::uint32_t i = 0; i < view.nodes.size(); ++i) {
    const NodeView& n = view.nodes[i];
    if (!n.ready) continue;
    const model::NodePoolSpec& pool = spec_.pools[n.pool];
    const PodRequest u = used(n);
    free[i] = PodRequest{pool.cores - u.cores, pool.memory_mib - u.memory_mib};
  }
  std::vector<bool> leaving(view.nodes.size(), false);
  for (std::uint32_t i = 0; i < view.nodes.size(); ++i) {
    const NodeView& n = view.nodes[i];
    bool unneeded = false;
    bool blocked = false;
    if (n.ready) {
      const model::NodePoolSpec& pool = spec_.pools[n.pool];
      const PodRequest u = used(n);
      const double utilization = std::max(u.cores / pool.cores, u.memory_mib / pool.memory_mib);
      if (utilization < ca.scale_down_utilization_threshold && n.disruption_blocked) {
        // Its pods could move, but a PodDisruptionBudget does not let them go: unremovable (the
        // cluster autoscaler's "not enough pod disruption budget"), so not unneeded either.
        std::vector<PodRequest> trial = free;
        blocked = movable(view, i, trial, leaving);
      } else {
        unneeded =
            utilization < ca.scale_down_utilization_threshold && movable(view, i, free, leaving);
      }
    }
    if (blocked && !blocked_told_[i]) d.blocked.push_back(i);
    blocked_told_[i] = blocked;
    leaving[i] = unneeded;
    if (!unneeded) {
      unneeded_since_s_[i] = kNaN;
    } else if (std::isnan(unneeded_since_s_[i])) {
      unneeded_since_s_[i] = now;
    }
  }
  if (scaled_up || now < last_scale_up_s_ + ca.scale_down_delay_after_add_s) return d;

  // Scale-down: empty nodes in bulk, else one node with pods; never below a pool's min.
  std::vector<int> size = view.existing;
  auto due = [&](std::uint32_t i, bool empty) {
    const NodeView& n = view.nodes[i];
    return leaving[i] && n.pods.empty() == empty &&
           now - unneeded_since_s_[i] >= ca.scale_down_unneeded_time_s - 1e-9 &&
           size[n.pool] > spec_.pools[n.pool].min_nodes;
  };
  auto remove = [&](std::uint32_t i) {
    const NodeView& n = view.nodes[i];
    --size[n.pool];
    d.remove.push_back(i);
    const PodRequest u = used(n);
    const model::NodePoolSpec& pool = spec_.pools[n.pool];
    d.reasons.push_back(
        "pool " + pool.name + ": node " + std::to_string(i) + " unneeded for " +
        std::to_string(static_cast<long>(now - unneeded_since_s_[i])) + " s (requests " +
        std::to_string(static_cast<int>(
            std::lround(100.0 * std::max(u.cores / pool.cores, u.memory_mib / pool.memory_mib)))) +
        " % < " +
        std::to_string(static_cast<int>(std::lround(100.0 * ca.scale_down_utilization_threshold))) +
        " %, " + std::to_string(n.pods.size()) + " pod(s) to move)");
    unneeded_since_s_[i] = kNaN;
  };
  for (std::uint32_t i = 0; i < view.nodes.size(); ++i) {
    if (static_cast<int>(d.remove.size()) >= ca.max_empty_bulk_delete) break;
    if (due(i, true)) remove(i);
  }
  if (d.remove.empty()) {
    for (std::uint32_t i = 0; i < view.nodes.size(); ++i) {
      if (due(i, false)) {
        remove(i);
        break;
      }
    }
  }
  return d;
}

}  // namespace capsim::scale
