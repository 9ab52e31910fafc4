#include "replica_set.hpp"

#include <algorithm>

namespace capsim::net {

ReplicaSet::ReplicaSet(const model::ServiceSpec& spec) : spec_(spec) {
  const auto initial = static_cast<std::size_t>(spec.replicas);
  std::size_t slots = initial;
  if (spec.autoscaling) slots = std::max(slots, static_cast<std::size_t>(spec.autoscaling->max));
  replicas_.resize(slots);
  for (std::size_t k = initial; k < slots; ++k) {
    replicas_[k].up = false;
    replicas_[k].phase = Phase::off;
  }
  for (std::size_t k = 0; k < initial; ++k) replicas_[k].predates_run = true;
  up_count_ = static_cast<std::uint32_t>(initial);
  if (spec.memory) {
    for (std::size_t k = 0; k < initial; ++k) replicas_[k].memory_mib = spec.memory->baseline_mib;
  }
  weights_.assign(replicas_.size(), 1.0);
  for (std::size_t k = 0; k < weights_.size() && k < spec.load_balancer.weights.size(); ++k) {
    weights_[k] = spec.load_balancer.weights[k];
  }
  if (const auto& h = spec.load_balancer.health) {
    for (Replica& r : replicas_) r.fail_times.assign(static_cast<std::size_t>(h->max_fails), -kInf);
  }
  // A database's replicas are routed by index (writes to the primary, reads to the read
  // replicas): it keeps no list.
  tracks_active_ = spec.autoscaling.has_value() || (spec.pod.has_value() && !spec.database);
  if (tracks_active_) {
    for (std::uint32_t k = 0; k < replicas_.size(); ++k) {
      if (replicas_[k].up) active_.push_back(k);
    }
  }
}

void ReplicaSet::set(std::uint32_t i, Phase phase, bool up, double now, ServiceStats& stats) {
  // A replica counts as ready while up; its cores and workers count while up or draining; it is
  // paid for while starting, up or draining.
  Replica& r = replicas_[i];
  const auto serving = [](Phase p, bool u) { return u || p == Phase::draining; };
  const auto paid = [](Phase p, bool u) {
    return u || p == Phase::draining || p == Phase::starting;
  };
  const double d_ready = static_cast<double>(up) - static_cast<double>(r.up);
  const double d_serving = static_cast<double>(serving(phase, up)) - serving(r.phase, r.up);
  const double d_paid = static_cast<double>(paid(phase, up)) - paid(r.phase, r.up);
  r.phase = phase;
  r.up = up;
  if (d_ready != 0.0) {
    up_count_ += up ? 1 : -1;
    if (up) r.ready_since_s = now;
    if (tracks_active_) {
      const auto at = std::lower_bound(active_.begin(), active_.end(), i);
      if (up) {
        active_.insert(at, i);
      } else if (at != active_.end() && *at == i) {
        active_.erase(at);
      }
    }
    stats.ready_replicas(now, d_ready);
  }
  if (d_serving != 0.0) {
    stats.serving_capacity(now, d_serving * spec_.cores, d_serving * spec_.workers, i);
    if (spec_.memory) {
      // A replica holds its baseline while it serves; whatever it held goes when it stops.
      const double to = d_serving > 0.0 ? spec_.memory->baseline_mib : 0.0;
      stats.memory(now, to - r.memory_mib, to);
      r.memory_mib = to;
    }
  }
  if (d_paid != 0.0) stats.provisioned(now, d_paid);
}

std::uint32_t ReplicaSet::start_one(double now, ServiceStats& stats) {
  std::uint32_t ri = 0;
  while (ri < replicas_.size() && replicas_[ri].phase != Phase::off) ++ri;
  if (ri == replicas_.size()) {
    // Every slot is busy (replicas still draining): one more.
    replicas_.emplace_back();
    replicas_.back().up = false;
    replicas_.back().phase = Phase::off;
    const auto& weights = spec_.load_balancer.weights;
    weights_.push_back(ri < weights.size() ? weights[ri] : 1.0);
  }
  Replica& r = replicas_[ri];
  // A fresh replica: no health history, no balancer credit.
  r.ejected_until_s = -kInf;
  if (const auto& h = spec_.load_balancer.health) {
    r.fail_times.assign(static_cast<std::size_t>(h->max_fails), -kInf);
  }
  r.fail_next = 0;
  r.wrr_current = 0.0;
  r.old_version = false;  // whatever starts now runs the current version
  r.unreachable = false;  // a new pod (its slot's hung requests wait for the old one's eviction)
  r.hanging = 0;
  r.started_s = now;
  r.predates_run = false;
  set(ri, Phase::starting, false, now, stats);
  ++starting_;
  return ri;
}

bool ReplicaSet::become_ready(std::uint32_t i, double now, ServiceStats& stats) {
  Replica& r = replicas_[i];
  if (r.phase != Phase::starting) return false;
  r.ready_event = sim::EventId{};
  --starting_;
  set(i, Phase::ready, true, now, stats);
  return true;
}

ReplicaSet::Removal ReplicaSet::remove_one(double now, ServiceStats& stats) {
  std::uint32_t victim = kNone;
  int victim_rank = 3;
  double victim_time = -kInf;
  for (std::uint32_t k = 0; k < replicas_.size(); ++k) {
    const Replica& r = replicas_[k];
    int rank;
    double time;
    if (r.phase == Phase::starting) {
      rank = 0;
      time = r.started_s;
    } else if (r.phase == Phase::ready && !r.up) {
      rank = 1;  // crashed, waiting to restart
      time = r.ready_since_s;
    } else if (r.phase == Phase::ready) {
      rank = 2;
      time = r.ready_since_s;
    } else {
      continue;
    }
    if (rank < victim_rank || (rank == victim_rank && time >= victim_time)) {
      victim = k;
      victim_rank = rank;
      victim_time = time;
    }
  }
  if (victim == kNone) return Removal{};
  return remove_at(victim, now, stats);
}

ReplicaSet::Removal ReplicaSet::remove_at(std::uint32_t victim, double now, ServiceStats& stats) {
  Removal out;
  out.replica = victim;
  Replica& r = replicas_[victim];
  const int victim_rank = r.phase == Phase::starting           ? 0
                          : (r.phase == Phase::ready && !r.up) ? 1
                          : r.phase == Phase::ready            ? 2
                                                               : 3;
  switch (victim_rank) {
    case 0:
      out.cancel = r.ready_event;
      r.ready_event = sim::EventId{};
      --starting_;
      set(victim, Phase::off, false, now, stats);
      break;
    case 1:
      set(victim, Phase::off, false, now, stats);  // its restart will find it gone
      break;
    case 2:
      // Out of the balancer at once; its capacity counts until it has finished its requests.
      set(victim, Phase::draining, false, now, stats);
      out.drained = r.outstanding == 0;
      break;
    default:
      out.replica = kNone;  // off or draining already
      break;
  }
  return out;
}

void ReplicaSet::make_pending(std::uint32_t i, double now, ServiceStats& stats) {
  replicas_[i].started_s = now;
  replicas_[i].predates_run = false;  // it starts once a node takes it
  set(i, Phase::starting, false, now, stats);
  ++starting_;
}

scale::ReplicaGroups ReplicaSet::groups(int desired, double now) const {
  scale::ReplicaGroups g;
  g.current = desired;
  for (const Replica& r : replicas_) {
    if (r.up) {
      // A replica that became ready at this very instant has no metric yet.
      ++(r.ready_since_s < now ? g.ready : g.missing);
    } else if (r.phase == Phase::starting || r.phase == Phase::ready) {
      ++g.unready;
    }
  }
  return g;
}

}  // namespace capsim::net
