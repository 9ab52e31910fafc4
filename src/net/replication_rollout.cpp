/// \file Rolling updates (docs/rollouts.md): a Deployment controller's rolling-update strategy
/// replacing a service's replicas, through the replica set's one door. Nothing here runs on the
/// path of a request.

#include <algorithm>
#include <cmath>
#include <utility>

#include "replication.hpp"

namespace capsim::net {

namespace {

/// maxSurge and maxUnavailable as counts for `desired` replicas, as Kubernetes' ResolveFenceposts
/// does: a percentage of surge rounds up, of unavailability down; both 0 makes unavailability 1.
std::pair<int, int> fenceposts(const model::FaultSpec& f, int desired) {
  const auto count = [desired](const model::IntOrPercent& v, bool round_up) {
    const double exact = v.percent ? v.value * desired / 100.0 : v.value;
    const double n = round_up ? std::ceil(exact - 1e-9) : std::floor(exact + 1e-9);
    // More than `desired` of either is never used (no more than `desired` new replicas start);
    // the bound keeps the count an int.
    return static_cast<int>(std::clamp(n, 0.0, static_cast<double>(desired)));
  };
  const int surge = count(f.max_surge, true);
  int unavailable = count(f.max_unavailable, false);
  if (surge == 0 && unavailable == 0) unavailable = 1;
  return {surge, unavailable};
}

}  // namespace

void Replication::rollout_begin(std::uint32_t index) {
  const model::FaultSpec& f = spec_.faults[index];
  const auto si = static_cast<std::uint32_t>(*spec_.service_index(f.service));
  Service& s = services_[si];
  const double now = clock_.now();
  // A rollout over one in progress replaces it, as a new Deployment revision does: every pod
  // that exists, of either version, is now old.
  if (s.rollout) stats_.service(si).rollout_superseded();
  for (std::uint32_t i = 0; i < s.replicas.size(); ++i) {
    Replica& r = s.replicas[i];
    r.old_version = r.phase == Phase::starting || r.phase == Phase::ready;
  }
  s.rollout = index;
  s.rollout_started_s = now;
  stats_.service(si).rollout_started(now);
  stats_.log_event(now, "rollout", s.spec->name, "");
  rollout_step(si);
}

void Replication::rollout_step(std::uint32_t si) {
  Service& s = services_[si];
  if (!s.rollout) return;
  const model::FaultSpec& f = spec_.faults[*s.rollout];
  const double now = clock_.now();
  // The desired count: the autoscaler's, which scales both versions (docs/rollouts.md).
  const int desired = s.autoscaler ? s.autoscaler->desired() : s.spec->replicas;
  const auto [surge, unavailable] = fenceposts(f, desired);
  const int min_available = desired - unavailable;
  for (;;) {
    // A replica that starts with no start-up is ready within start_replica(), whose readiness
    // steps the rollout again (nested): that step may have ended it.
    if (!s.rollout) return;
    int old_live = 0;
    int new_live = 0;
    int new_ready = 0;
    int available = 0;
    for (std::uint32_t i = 0; i < s.replicas.size(); ++i) {
      const Replica& r = s.replicas[i];
      if (r.phase != Phase::starting && r.phase != Phase::ready) continue;  // draining is gone
      (r.old_version ? old_live : new_live) += 1;
      if (r.up) {
        ++available;
        if (!r.old_version) ++new_ready;
      }
    }
    if (old_live == 0 && new_ready >= desired) {
      s.rollout.reset();
      stats_.service(si).rollout_ended(s.rollout_started_s, now);
      stats_.log_event(now, "rollout_end", s.spec->name, "");
      return;
    }
    // Scale the new version up: at most desired + surge pods in all, desired new ones.
    const int up = std::min(desired + surge - (old_live + new_live), desired - new_live);
    for (int k = 0; k < up; ++k) start_replica(si);
    if (up > 0) continue;
    // Scale the old version down, its unavailable pods first (they cost no availability), then
    // ready ones while more than desired - maxUnavailable are available (the controller's
    // reconcileOldReplicaSets).
    const int new_unavailable = new_live - new_ready;
    const int max_down = old_live + new_live - min_available - new_unavailable;
    if (max_down <= 0) return;
    std::uint32_t victim = kNone;
    for (std::uint32_t i = 0; i < s.replicas.size(); ++i) {
      const Replica& r = s.replicas[i];
      if (r.old_version && !r.up && (r.phase == Phase::starting || r.phase == Phase::ready)) {
        victim = i;
        break;
      }
    }
    if (victim == kNone && available > min_available) {
      // The ReplicaSet controller's order among ready pods: the newest ready first.
      double newest = -kInf;
      for (std::uint32_t i = 0; i < s.replicas.size(); ++i) {
        const Replica& r = s.replicas[i];
        if (r.old_version && r.up && r.ready_since_s >= newest) {
          victim = i;
          newest = r.ready_since_s;
        }
      }
    }
    if (victim == kNone) return;
    finish_removal(si, s.replicas.remove_at(victim, now, stats_.service(si)));
  }
}

}  // namespace capsim::net
