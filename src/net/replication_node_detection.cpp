/// \file A node lost as Kubernetes detects it (docs/nodes.md#notready-and-eviction): a
/// node_loss fault with `detection` makes its nodes unreachable at once, but the control plane
/// learns of it only `not_ready_after` later (node-monitor-grace-period): until then the pods
/// stay in their Services' endpoints, and what they held and what is sent to them gets no answer
/// (hang()). NotReady takes them out of the balancer; `evict_after` later (the not-ready and
/// unreachable tolerations' tolerationSeconds) they are evicted: their hung requests fail, and
/// their ReplicaSets replace them (replace_lost(), as a loss known at once does).

#include "replication.hpp"

namespace capsim::net {

void Replication::node_unreachable(std::uint32_t index, const std::vector<PodId>& pods) {
  const model::FaultSpec& f = spec_.faults[index];
  NodeLoss& loss = losses_[index];
  loss.unreachable = pods;
  loss.detecting = true;
  for (const PodId pod : pods) {
    Replica& r = services_[pod.service].replicas[pod.replica];
    r.unreachable = true;
    // A pod starting up there never becomes ready.
    clock_.cancel(r.ready_event);
    r.ready_event = sim::EventId{};
  }
  // Every pod of the loss is unreachable before any hangs: a consumer's hung batch frees its
  // slot, and the batch pulled in its place must not go to another pod of the same loss.
  for (const PodId pod : pods) {
    // What it holds hangs; it stays in the balancer, Ready as far as anyone knows.
    crash(pod.service, pod.replica, true);
  }
  clock_.after(*f.not_ready_after_s, Event::node_detection, 2 * index, sim::Priority::urgent);
  clock_.after(*f.not_ready_after_s + *f.evict_after_s, Event::node_detection, 2 * index + 1,
               sim::Priority::urgent);
  // After the eviction (at least as late: the loader checked), so scheduled after it.
  if (f.restore_after_s) {
    clock_.after(*f.restore_after_s, Event::fault_end, index, sim::Priority::urgent);
  }
}

void Replication::node_detection(std::uint32_t data) {
  const std::uint32_t index = data / 2;
  NodeLoss& loss = losses_[index];
  const double now = clock_.now();
  const model::NodePoolSpec& ps = spec_.nodes->pools[loss.pool];
  if (data % 2 == 0) {
    // NotReady: the pods' Ready condition turns false and the endpoints controller takes them
    // out of their Services (requests already sent to them still hang).
    for (const std::uint32_t node : loss.nodes) {
      stats_.log_event(now, "node_not_ready", "",
                       "pool " + ps.name + ", node " + std::to_string(node));
    }
    for (const PodId pod : loss.unreachable) {
      Service& s = services_[pod.service];
      const Replica& r = s.replicas[pod.replica];
      if (r.unreachable && r.up) {
        s.replicas.set_up(pod.replica, false, now, stats_.service(pod.service));
      }
    }
    return;
  }
  // Evicted: the requests that hung on them fail now (their callers' timeouts may have come
  // first), and the pods still there are replaced.
  std::vector<PodId> pods;
  for (const PodId pod : loss.unreachable) {
    Replica& r = services_[pod.service].replicas[pod.replica];
    const std::vector<HungRequest> hung = std::move(r.hung);
    r.hung.clear();
    r.hanging = 0;
    const bool still = r.unreachable;
    r.unreachable = false;
    if (still && r.phase != Phase::off) pods.push_back(pod);
    for (const HungRequest& h : hung) {
      if (h.kind == ParentKind::job) {
        child_done(h.parent, Outcome::error);
      } else if (h.kind == ParentKind::message) {
        message_processed(h.parent, Outcome::error);
      } else {
        attempt_returned(h.parent, h.attempt, Outcome::error);
      }
    }
  }
  loss.unreachable.clear();
  loss.detecting = false;
  replace_lost(index, pods);
}

std::uint32_t Replication::reachable_after(const Service& s, std::uint32_t ri) const {
  const std::uint32_t n = s.replicas.size();
  for (std::uint32_t k = 1; k < n; ++k) {
    const std::uint32_t r = (ri + k) % n;
    if (s.replicas[r].up && !s.replicas[r].unreachable) return r;
  }
  return kNone;
}

void Replication::hang(Ref job, std::uint32_t replica) {
  Job& j = jobs_[job.index];
  Replica& r = services_[j.service].replicas[replica];
  r.hung.push_back(HungRequest{j.parent_kind, j.parent, j.parent_attempt});
  ++r.hanging;
  // The caller's connection (from its pool) is freed at once: capsim keeps it on the job.
  if (j.connection != kNone) pools_.release(j.connection);
  if (j.aside_cache != kNone) [[unlikely]]
    aside_done(job, j, Outcome::error);
  j.live = false;
  const bool message = j.parent_kind == ParentKind::message;
  const Ref batch = j.parent;
  jobs_.release(job.index);
  // Its batch no longer takes a consumer slot: the live pods may pull another.
  if (message) pump(queues_.release_slot(batch));
}

}  // namespace capsim::net
