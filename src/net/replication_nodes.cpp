/// \file The coordinator's node events (docs/nodes.md): pods bound to the nodes of their pool or
/// Pending, nodes becoming Ready, and the cluster autoscaler's scans, whose decisions are applied
/// here: new nodes, and nodes drained (their pods evicted through the replica-set door, each
/// replaced by a new pod elsewhere) and deleted. Only models with `nodes` come here.

#include <algorithm>
#include <sstream>

#include "replication.hpp"

namespace capsim::net {

namespace {

std::string node_text(const model::NodesSpec& spec, const Node& n, std::uint32_t index) {
  return "pool " + spec.pools[n.pool].name + ", node " + std::to_string(index);
}

}  // namespace

void Replication::start_nodes() {
  nodes_ = std::make_unique<NodePools>(spec_);
  cluster_autoscaler_ = std::make_unique<scale::ClusterAutoscaler>(*spec_.nodes);
  for (const model::NodePoolSpec& p : spec_.nodes->pools) {
    if (p.shared_cores) shared_cores_ = std::make_unique<SharedCores>(clock_);
  }
  for (const model::ServiceSpec& s : spec_.services) {
    if (s.pod && s.pod->disruption_budget) budgets_ = true;
  }
  // The initial replicas are scheduled at t = 0 in service order; those that fit on no initial
  // node are Pending (not ready, no traffic) until the cluster autoscaler brings one.
  for (std::uint32_t si = 0; si < services_.size(); ++si) {
    Service& s = services_[si];
    if (!s.spec->pod) continue;
    for (std::uint32_t ri = 0; ri < static_cast<std::uint32_t>(s.spec->replicas); ++ri) {
      const std::uint32_t node = nodes_->bind(PodId{si, ri});
      if (node != kNone) {
        stats_.nodes().requested(s.spec->pod->pool, 0.0, s.spec->pod->cores);
        join_cores(PodId{si, ri}, node);
        continue;
      }
      s.replicas.make_pending(ri, 0.0, stats_.service(si));
      nodes_->add_pending(PodId{si, ri});
      stats_.nodes().pending(si, 0.0, 1.0);
    }
  }
  clock_.at(0.0, Event::cluster_scan, 0, sim::Priority::observe);
}

void Replication::place_pod(std::uint32_t si, std::uint32_t ri) {
  const std::uint32_t node = nodes_->bind(PodId{si, ri});
  if (node == kNone) {
    nodes_->add_pending(PodId{si, ri});
    stats_.nodes().pending(si, clock_.now(), 1.0);
    return;
  }
  pod_bound(PodId{si, ri}, node);
}

void Replication::join_cores(PodId pod, std::uint32_t node) {
  const model::PodSpec& p = *services_[pod.service].spec->pod;
  const model::NodePoolSpec& pool = spec_.nodes->pools[p.pool];
  if (!pool.shared_cores) return;
  CpuState& cpu = services_[pod.service].replicas[pod.replica].cpu;
  cpu.node = node;
  cpu.slot = shared_cores_->join(node, pool.cores, Pair{pod.service, pod.replica}, p,
                                 stats_.service(pod.service));
}

void Replication::cores_done(std::uint32_t node) {
  const Ref job = shared_cores_->done(node);
  if (Job* j = jobs_.get(job)) {  // null: its replica crashed meanwhile
    ++j->step;
    ready_.push_back(job);
  }
}

void Replication::pod_bound(PodId pod, std::uint32_t node) {
  Service& s = services_[pod.service];
  stats_.nodes().requested(s.spec->pod->pool, clock_.now(), s.spec->pod->cores);
  join_cores(pod, node);
  // The pod's own start-up (image pull, the application's start) begins on its node.
  pod_started(pod.service, pod.replica);
  if (s.spec->startup_time_s <= 0.0) {
    replica_ready(Pair{pod.service, pod.replica});
  } else {
    s.replicas[pod.replica].ready_event =
        clock_.after(s.spec->startup_time_s, Event::replica_ready,
                     Pair{pod.service, pod.replica}.pack(), sim::Priority::urgent);
  }
}

void Replication::pod_gone(std::uint32_t si, std::uint32_t ri) {
  if (!nodes_ || !services_[si].spec->pod) return;
  const double now = clock_.now();
  if (!losses_.empty()) loss_pod_gone(PodId{si, ri});
  if (nodes_->remove_pending(PodId{si, ri})) {
    stats_.nodes().pending(si, now, -1.0);
    return;
  }
  const std::uint32_t node = nodes_->unbind(PodId{si, ri});
  if (node == kNone) return;
  CpuState& cpu = services_[si].replicas[ri].cpu;
  if (cpu.node != kNone) {
    shared_cores_->leave(cpu.node, cpu.slot);
    cpu.node = kNone;
  }
  const model::PodSpec& pod = *services_[si].spec->pod;
  stats_.nodes().requested(pod.pool, now, -pod.cores);
  const Node& n = (*nodes_)[node];
  if (n.state == NodeState::deleting && n.pods == 0) {
    nodes_->set_state(node, NodeState::gone);
    stats_.nodes().nodes(n.pool, now, -1.0);
    stats_.log_event(now, "node_deleted", "", node_text(*spec_.nodes, n, node));
  }
  bind_pending();  // the room it leaves may take a Pending pod
}

void Replication::bind_pending() {
  if (nodes_->pending().empty()) return;
  const double now = clock_.now();
  for (const PodId pod : nodes_->bind_pending()) {
    stats_.nodes().pending(pod.service, now, -1.0);
    pod_bound(pod, nodes_->node_of(pod));
  }
}

void Replication::node_ready(std::uint32_t node) {
  if ((*nodes_)[node].state != NodeState::provisioning) return;
  nodes_->set_state(node, NodeState::ready);
  stats_.log_event(clock_.now(), "node_ready", "", node_text(*spec_.nodes, (*nodes_)[node], node));
  bind_pending();
}

void Replication::cluster_scan() {
  const double now = clock_.now();
  const model::NodesSpec& ns = *spec_.nodes;
  scale::ClusterView view;
  view.nodes.resize(nodes_->size());
  for (std::uint32_t i = 0; i < nodes_->size(); ++i) {
    const Node& n = (*nodes_)[i];
    scale::NodeView& v = view.nodes[i];
    v.pool = n.pool;
    v.provisioning = n.state == NodeState::provisioning;
    v.ready = n.state == NodeState::ready;
    if (n.pods == 0 || n.state == NodeState::gone) continue;
    if (budgets_ && v.ready) v.disruption_blocked = !disruption_blocker(i).empty();
    for (const PodId pod : nodes_->pods_on(i)) {
      const model::PodSpec& p = nodes_->pod(pod.service);
      v.pods.push_back(scale::PodRequest{p.cores, p.memory_mib});
    }
  }
  view.existing.resize(ns.pools.size());
  for (std::uint32_t p = 0; p < ns.pools.size(); ++p) view.existing[p] = nodes_->existing(p);
  view.pending.resize(ns.pools.size());
  std::vector<std::vector<PodId>> pending(ns.pools.size());
  for (const PodId pod : nodes_->pending()) {
    const model::PodSpec& p = nodes_->pod(pod.service);
    view.pending[p.pool].push_back(scale::PodRequest{p.cores, p.memory_mib});
    pending[p.pool].push_back(pod);
  }
  const scale::ClusterDecision d = cluster_autoscaler_->scan(view, now);
  std::vector<PodId> stranded;
  for (std::uint32_t p = 0; p < d.stranded.size(); ++p) {
    for (const std::size_t k : d.stranded[p]) stranded.push_back(pending[p][k]);
  }
  nodes_->set_stranded(std::move(stranded), now);
  std::size_t reason = 0;
  for (std::uint32_t p = 0; p < d.add.size(); ++p) {
    if (d.add[p] == 0) continue;
    stats_.log_event(now, "nodes_added", "", d.reasons[reason++]);
    for (int k = 0; k < d.add[p]; ++k) {
      const std::uint32_t node = nodes_->add(p);
      stats_.nodes().nodes(p, now, 1.0);
      clock_.after(ns.pools[p].provisioning_time_s, Event::node_ready, node, sim::Priority::urgent);
    }
  }
  for (const std::uint32_t node : d.blocked) {
    stats_.log_event(now, "scale_down_blocked", "",
                     node_text(ns, (*nodes_)[node], node) +
                         ": its pods could move, but not within their disruption budget (" +
                         disruption_blocker(node) + ")");
  }
  for (const std::uint32_t node : d.remove) {
    stats_.log_event(now, "node_drained", "", d.reasons[reason++]);
    delete_node(node);
  }
  const double next = now + ns.cluster_autoscaler.scan_interval_s;
  if (next <= spec_.simulation.duration_s) {
    clock_.at(next, Event::cluster_scan, 0, sim::Priority::observe);
  }
}

void Replication::stranded_notices(std::vector<std::string>& notices) const {
  const auto& pending = nodes_->pending();
  const double scan_s = nodes_->stranded_at_s();
  for (std::uint32_t si = 0; si < services_.size(); ++si) {
    int count = 0;
    double since_s = 0.0;
    for (const PodId pod : nodes_->stranded()) {
      if (pod.service != si || std::find(pending.begin(), pending.end(), pod) == pending.end()) {
        continue;
      }
      // A pod in the same slot created after the scan is another pod.
      const double created_s = services_[si].replicas[pod.replica].started_s;
      if (created_s > scan_s) continue;
      since_s = count == 0 ? created_s : std::min(since_s, created_s);
      ++count;
    }
    if (count == 0) continue;
    const model::NodePoolSpec& pool = spec_.nodes->pools[services_[si].spec->pod->pool];
    std::ostringstream text;
    const auto& spread = services_[si].spec->pod->spread;
    const bool hard_spread = std::any_of(spread.begin(), spread.end(),
                                         [](const model::SpreadConstraint& c) { return c.hard; });
    text << "service '" << services_[si].spec->name << "': " << count
         << " pod(s) Pending from t = " << since_s << " s to the end of the run: no node of pool '"
         << pool.name << "' has room for them"
         << (hard_spread ? " that their topology_spread (do_not_schedule) allows" : "")
         << " and the pool is at its max of " << pool.max_nodes
         << " node(s), so the cluster autoscaler adds none (see services."
         << services_[si].spec->name << ".pods.pending_max)";
    notices.push_back(text.str());
  }
}

void Replication::delete_node(std::uint32_t node) {
  const double now = clock_.now();
  nodes_->set_state(node, NodeState::deleting);
  const std::vector<PodId> pods = nodes_->pods_on(node);
  if (pods.empty()) {
    const Node& n = (*nodes_)[node];
    nodes_->set_state(node, NodeState::gone);
    stats_.nodes().nodes(n.pool, now, -1.0);
    stats_.log_event(now, "node_deleted", "", node_text(*spec_.nodes, n, node));
    return;
  }
  // Each pod is evicted: it leaves the balancer and finishes what it holds (graceful
  // termination), and its ReplicaSet creates a replacement at once, which the scheduler binds to
  // another node (the autoscaler found room) or leaves Pending.
  for (const PodId pod : pods) {
    Service& s = services_[pod.service];
    stats_.log_event(now, "evicted", s.spec->name, "replica " + std::to_string(pod.replica));
    const ReplicaSet::Removal removal =
        s.replicas.remove_at(pod.replica, now, stats_.service(pod.service));
    clock_.cancel(removal.cancel);
    // Off first, so that the replacement cannot take the slot while the pod is still bound.
    if (removal.drained) {
      drained(pod.service, pod.replica);
    } else if (s.replicas[pod.replica].phase == Phase::off) {
      pod_gone(pod.service, pod.replica);
    } else if (s.spec->database) {
      // A database's replicas are its primary and read replicas by slot: as a StatefulSet
      // does, the replacement comes once the old pod has finished, under its slot.
      s.replicas[pod.replica].replace_when_off = true;
      continue;
    }
    start_replica(pod.service);
  }
}

}  // namespace capsim::net
