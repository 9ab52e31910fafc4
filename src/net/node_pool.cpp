#include "node_pool.hpp"

#include <algorithm>
#include <optional>

#include "topology_spread.hpp"

namespace capsim::net {

namespace {

// Requests are sums of decimals (0.1 + 0.2 cores): a pod fits when the sum is within a
// millionth of a core or a MiB of what the node allocates.
constexpr double kSlack = 1e-6;
// Scores that differ by less than this are a tie (sums of decimals again).
constexpr double kScoreTie = 1e-9;

/// Whether a node in `state` exists: paid for and counted against its pool's max.
bool exists(NodeState state) {
  return state == NodeState::provisioning || state == NodeState::ready ||
         state == NodeState::deleting;
}

}  // namespace

NodePools::NodePools(const model::Spec& spec) : spec_(spec) {
  const auto& pools = spec.nodes->pools;
  existing_.assign(pools.size(), 0);
  for (const model::NodePoolSpec& p : pools) {
    zones_down_.emplace_back(std::max<std::size_t>(1, p.zones.size()), 0);
  }
  for (std::uint32_t p = 0; p < pools.size(); ++p) {
    for (int k = 0; k < pools[p].initial_nodes; ++k) set_state(add(p), NodeState::ready);
  }
  bound_.resize(spec.services.size());
  terminating_.resize(spec.services.size());
  for (std::size_t s = 0; s < spec.services.size(); ++s) {
    if (spec.services[s].pod)
      bound_[s].assign(static_cast<std::size_t>(spec.services[s].replicas), kNone);
  }
}

std::uint32_t NodePools::add(std::uint32_t pool) {
  Node n;
  n.pool = pool;
  const std::vector<int>& down = zones_down_[pool];
  if (down.size() > 1) {
    // Spread over the zones as the cluster autoscaler's balancing of similar node groups does:
    // the zone with the fewest nodes, the first on a tie, among those up (all when none is).
    std::vector<int> count(down.size(), 0);
    for (const Node& m : nodes_) {
      if (m.pool == pool && exists(m.state)) ++count[m.zone];
    }
    const bool any_up = std::find(down.begin(), down.end(), 0) != down.end();
    // The autoscaler's simulation runs the scheduler's filters on the new node: with a pod
    // Pending for a zone spread constraint, only the zones that could take it are candidates.
    const std::vector<bool> admits = zones_for_pending(pool);
    std::uint32_t best = kNone;
    // First among the zones that admit the Pending pod (when one waits for a zone), else all.
    for (int pass = admits.empty() ? 1 : 0; pass < 2 && best == kNone; ++pass) {
      for (std::uint32_t z = 0; z < down.size(); ++z) {
        if ((any_up && down[z] > 0) || (pass == 0 && !admits[z])) continue;
        if (best == kNone || count[z] < count[best]) best = z;
      }
    }
    n.zone = best;
  }
  nodes_.push_back(n);
  ++existing_[pool];
  return static_cast<std::uint32_t>(nodes_.size() - 1);
}

void NodePools::set_state(std::uint32_t node, NodeState state) {
  Node& n = nodes_[node];
  existing_[n.pool] += static_cast<int>(exists(state)) - static_cast<int>(exists(n.state));
  n.state = state;
}

void NodePools::zone_down(std::uint32_t pool, std::uint32_t zone, bool down) {
  zones_down_[pool][zone] += down ? 1 : -1;
}

std::vector<bool> NodePools::zones_for_pending(std::uint32_t pool) const {
  for (const PodId pod : pending_) {
    const model::PodSpec& p = this->pod(pod.service);
    if (p.pool != pool) continue;
    for (const model::SpreadConstraint& c : p.spread) {
      if (!c.hard || c.topology != model::SpreadConstraint::Topology::zone) continue;
      const std::size_t zones = zones_down_[pool].size();
      const SpreadDomains domains(nodes_, pool, zones, counted(pod.service));
      std::vector<bool> admits(zones);
      for (std::uint32_t z = 0; z < zones; ++z) admits[z] = domains.zone_admits(c, z);
      return admits;
    }
  }
  return {};
}

bool NodePools::fits(const Node& n, const model::PodSpec& p) const {
  const model::NodePoolSpec& pool = spec().pools[n.pool];
  return n.cores_used + p.cores <= pool.cores + kSlack &&
         n.memory_used_mib + p.memory_mib <= pool.memory_mib + kSlack;
}

std::uint32_t NodePools::bind(PodId pod) {
  const model::PodSpec& p = this->pod(pod.service);
  const model::Placement placement = spec().placement;
  std::optional<SpreadDomains> spread;
  bool prefers = false;  // a schedule_anyway constraint: fewer of the service's pods first
  if (!p.spread.empty()) {
    spread.emplace(nodes_, p.pool, zones_down_[p.pool].size(), counted(pod.service));
    for (const model::SpreadConstraint& c : p.spread) prefers = prefers || !c.hard;
  }
  std::uint32_t best = kNone;
  double best_score = 0.0;
  int best_crowding = 0;
  for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = nodes_[i];
    if (n.pool != p.pool || n.state != NodeState::ready || !fits(n, p)) continue;
    int crowding = 0;  // the service's pods in the node's domains of the preferences
    if (spread) {
      bool allowed = true;
      for (const model::SpreadConstraint& c : p.spread) {
        if (c.hard) {
          allowed = allowed && spread->skew_after(c, i) <= c.max_skew;
        } else {
          crowding += spread->pods_in(c, i);
        }
      }
      if (!allowed) continue;
    }
    if (placement == model::Placement::first_fit && !prefers) {
      best = i;
      break;
    }
    // NodeResourcesFit's scores, cores and memory weighted alike, of the node with the pod on
    // it: the share of the node requested (most allocated) or left free (least allocated). The
    // best score wins, the oldest node on a tie (docs/nodes.md#placement). A spread preference
    // comes first: the fewest of the service's pods in the node's domains.
    double score = 0.0;
    if (placement != model::Placement::first_fit) {
      const model::NodePoolSpec& pool = spec().pools[n.pool];
      const double requested = ((n.cores_used + p.cores) / pool.cores +
                                (n.memory_used_mib + p.memory_mib) / pool.memory_mib) /
                               2.0;
      score = placement == model::Placement::most_allocated ? requested : -requested;
    }
    if (best == kNone || crowding < best_crowding ||
        (crowding == best_crowding && score > best_score + kScoreTie)) {
      best = i;
      best_score = score;
      best_crowding = crowding;
    }
  }
  if (best == kNone) return kNone;
  Node& n = nodes_[best];
  n.cores_used += p.cores;
  n.memory_used_mib += p.memory_mib;
  ++n.pods;
  auto& bound = bound_[pod.service];
  if (bound.size() <= pod.replica) bound.resize(pod.replica + 1, kNone);
  bound[pod.replica] = best;
  return best;
}

std::uint32_t NodePools::unbind(PodId pod) {
  auto& bound = bound_[pod.service];
  if (pod.replica >= bound.size() || bound[pod.replica] == kNone) return kNone;
  const std::uint32_t i = bound[pod.replica];
  bound[pod.replica] = kNone;
  auto& terminating = terminating_[pod.service];
  if (pod.replica < terminating.size()) terminating[pod.replica] = false;
  const model::PodSpec& p = this->pod(pod.service);
  Node& n = nodes_[i];
  n.cores_used = std::max(0.0, n.cores_used - p.cores);
  n.memory_used_mib = std::max(0.0, n.memory_used_mib - p.memory_mib);
  --n.pods;
  if (n.pods == 0) n.cores_used = n.memory_used_mib = 0.0;  // no drift from the sums
  return i;
}

void NodePools::set_terminating(PodId pod) {
  auto& terminating = terminating_[pod.service];
  if (terminating.size() <= pod.replica) terminating.resize(pod.replica + 1, false);
  terminating[pod.replica] = true;
}

std::vector<std::uint32_t> NodePools::counted(std::uint32_t service) const {
  std::vector<std::uint32_t> nodes = bound_[service];
  const auto& terminating = terminating_[service];
  for (std::size_t r = 0; r < nodes.size() && r < terminating.size(); ++r) {
    if (terminating[r]) nodes[r] = kNone;
  }
  return nodes;
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
