/// \file Node and zone loss (docs/nodes.md#node-and-zone-loss): a node_loss fault takes nodes of
/// a pool away at once. The pods on them die as a crash kills a replica (their requests in flight
/// fail), and their ReplicaSets create replacements at once, which the scheduler binds to the
/// remaining nodes where they fit or leaves Pending for the cluster autoscaler. With
/// `restore_after`, the lost nodes come back Ready. Each loss is recovered when every replacement
/// it caused is ready. Everything goes through the replica sets' one door.

#include <algorithm>
#include <cstdio>
#include <string>

#include "replication.hpp"

namespace capsim::net {

namespace {

bool exists(NodeState state) {
  return state == NodeState::provisioning || state == NodeState::ready ||
         state == NodeState::deleting;
}

std::string seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g s", s);
  return text;
}

}  // namespace

void Replication::node_loss(std::uint32_t index) {
  const model::FaultSpec& f = spec_.faults[index];
  const model::NodesSpec& ns = *spec_.nodes;
  const double now = clock_.now();
  std::uint32_t pool = 0;
  while (ns.pools[pool].name != f.pool) ++pool;  // the loader checked the name
  const model::NodePoolSpec& ps = ns.pools[pool];
  std::optional<std::uint32_t> zone;
  if (f.zone) {
    zone = static_cast<std::uint32_t>(std::find(ps.zones.begin(), ps.zones.end(), *f.zone) -
                                      ps.zones.begin());
  }
  if (losses_.empty()) losses_.resize(spec_.faults.size());
  NodeLoss& loss = losses_[index];
  loss.pool = pool;

  // The nodes lost: with `nodes`, that many Ready nodes (of the zone, if given), the oldest
  // first (first-fit placement fills them first, so they hold the most pods); with `zone` alone,
  // every node of the zone, provisioning ones included, and the zone stays down (new nodes go
  // elsewhere) until the nodes are restored.
  for (std::uint32_t i = 0; i < nodes_->size(); ++i) {
    const Node& n = (*nodes_)[i];
    if (n.pool != pool || (zone && n.zone != *zone)) continue;
    if (f.nodes ? n.state == NodeState::ready : exists(n.state)) loss.nodes.push_back(i);
    if (f.nodes && static_cast<int>(loss.nodes.size()) == *f.nodes) break;
  }
  if (zone && !f.nodes) nodes_->zone_down(pool, *zone, true);
  std::vector<PodId> pods;
  for (const std::uint32_t node : loss.nodes) {
    const Node& n = (*nodes_)[node];
    const std::vector<PodId> on = nodes_->pods_on(node);
    pods.insert(pods.end(), on.begin(), on.end());
    // Lost first, so that no pod of this loss is bound to another node being lost.
    nodes_->set_state(node, NodeState::lost);
    stats_.nodes().nodes(pool, now, -1.0, false);
    std::string text = "pool " + ps.name + ", node " + std::to_string(node);
    if (!ps.zones.empty()) text += " (zone " + ps.zones[n.zone] + ")";
    text += ": " + std::to_string(on.size()) + " pod(s)";
    if (f.not_ready_after_s) {
      text += ", unreachable: NotReady after " + seconds(*f.not_ready_after_s) +
              ", its pods evicted " + seconds(*f.evict_after_s) + " later";
    }
    stats_.log_event(now, "node_lost", "", text);
  }
  stats_.nodes().loss(pool, now, static_cast<int>(loss.nodes.size()), 0);
  if (f.not_ready_after_s) {
    node_unreachable(index, pods);  // Kubernetes' detection: the pods go later
    return;
  }
  replace_lost(index, pods);
}

void Replication::replace_lost(std::uint32_t index, const std::vector<PodId>& pods) {
  const double now = clock_.now();
  NodeLoss& loss = losses_[index];
  // Every lost pod leaves the balancer before any request fails, so that a request sent again
  // at once (a retry, a closed user) goes to a pod that survives.
  std::vector<bool> was_up(pods.size());
  for (std::size_t k = 0; k < pods.size(); ++k) {
    Service& s = services_[pods[k].service];
    was_up[k] = s.replicas[pods[k].replica].up;
    if (was_up[k]) s.replicas.set_up(pods[k].replica, false, now, stats_.service(pods[k].service));
  }
  int evicted = 0;
  std::vector<std::uint32_t> touched;
  for (std::size_t k = 0; k < pods.size(); ++k) {
    const PodId pod = pods[k];
    Service& s = services_[pod.service];
    const Replica& r = s.replicas[pod.replica];
    const Phase phase = r.phase;
    // A pod of the desired count (starting, ready, or crashed and waiting to restart) is
    // replaced; a draining one was on its way out already.
    const bool replace = phase == Phase::starting || phase == Phase::ready;
    // Losses still waiting for this pod now wait for its replacement instead.
    std::vector<std::uint32_t> waiting_for_it;
    for (std::uint32_t k = 0; k < losses_.size(); ++k) {
      auto& w = losses_[k].waiting;
      const auto at = std::find(w.begin(), w.end(), pod);
      if (at == w.end()) continue;
      w.erase(at);
      waiting_for_it.push_back(k);
    }
    stats_.log_event(now, "pod_lost", s.spec->name, "replica " + std::to_string(pod.replica));
    // Its requests in flight fail, as in a crash.
    if (was_up[k] || phase == Phase::draining) crash(pod.service, pod.replica);
    if (phase == Phase::draining) {
      drained(pod.service, pod.replica);
    } else {
      finish_removal(pod.service,
                     s.replicas.remove_at(pod.replica, now, stats_.service(pod.service)));
    }
    if (!replace) continue;
    ++evicted;
    const std::uint32_t ri = start_replica(pod.service);
    if (!services_[pod.service].replicas[ri].up) {  // not ready at once (no room, or a start-up)
      waiting_for_it.push_back(index);
      for (const std::uint32_t k : waiting_for_it) {
        losses_[k].waiting.push_back(PodId{pod.service, ri});
      }
    }
    if (std::find(touched.begin(), touched.end(), pod.service) == touched.end()) {
      touched.push_back(pod.service);
    }
  }
  stats_.nodes().pods_evicted(loss.pool, evicted);
  const model::FaultSpec& f = spec_.faults[index];
  if (f.restore_after_s && !f.not_ready_after_s) {
    clock_.after(*f.restore_after_s, Event::fault_end, index, sim::Priority::urgent);
  }
  for (const std::uint32_t si : touched) {
    if (services_[si].rollout) rollout_step(si);
  }
  loss_check(index);
}

void Replication::node_restore(std::uint32_t index) {
  const model::FaultSpec& f = spec_.faults[index];
  NodeLoss& loss = losses_[index];
  const model::NodePoolSpec& ps = spec_.nodes->pools[loss.pool];
  const double now = clock_.now();
  if (f.zone && !f.nodes) {
    const auto zone = static_cast<std::uint32_t>(
        std::find(ps.zones.begin(), ps.zones.end(), *f.zone) - ps.zones.begin());
    nodes_->zone_down(loss.pool, zone, false);
  }
  // The nodes come back Ready and empty (those the cluster autoscaler was deleting too: their
  // pods were replaced already), whatever the pool's max.
  for (const std::uint32_t node : loss.nodes) {
    if ((*nodes_)[node].state != NodeState::lost) continue;
    nodes_->set_state(node, NodeState::ready);
    stats_.nodes().nodes(loss.pool, now, 1.0, false);
    stats_.log_event(now, "node_restored", "",
                     "pool " + ps.name + ", node " + std::to_string(node));
  }
  bind_pending();
}

void Replication::loss_pod_ready(PodId pod) {
  for (std::uint32_t k = 0; k < losses_.size(); ++k) {
    auto& w = losses_[k].waiting;
    const auto at = std::find(w.begin(), w.end(), pod);
    if (at == w.end()) continue;
    w.erase(at);
    loss_check(k);
  }
}

void Replication::loss_pod_gone(PodId pod) {
  // A replacement removed before it was ready (an autoscaler's scale-down): nothing to wait for.
  loss_pod_ready(pod);
}

void Replication::loss_check(std::uint32_t index) {
  NodeLoss& loss = losses_[index];
  if (loss.recovered || loss.detecting || !loss.waiting.empty()) return;
  loss.recovered = true;
  const double now = clock_.now();
  const double recovery_s = now - spec_.faults[index].at_s;
  stats_.nodes().loss_recovered(loss.pool, recovery_s);
  stats_.log_event(now, "node_loss_recovered", "",
                   "pool " + spec_.nodes->pools[loss.pool].name + ": every pod ready again after " +
                       seconds(recovery_s));
}

}  // namespace capsim::net
