#pragma once
/// \file The load balancer: which replica gets a request. One implementation of the six
/// policies over a view of the candidates: every replica of a range (the fast path of a service
/// whose replicas are always all up), or only the eligible ones (up, and not ejected by passive
/// health checks) of a range or of an autoscaled service's up replicas.

#include <cstdint>
#include <vector>

#include "capsim/model/spec.hpp"
#include "capsim/sim/random.hpp"
#include "replica_set.hpp"

namespace capsim::net {

class Balancer {
 public:
  /// `simple`: every replica is always eligible (no crash faults, health checks, database
  /// routing or autoscaling): the fast path.
  Balancer(const model::ServiceSpec& spec, sim::RandomStream rng, bool simple)
      : policy_(spec.load_balancer.policy),
        health_(spec.load_balancer.health ? &*spec.load_balancer.health : nullptr),
        rng_(rng),
        simple_(simple) {}

  /// A replica among [lo, hi) (the set's up replicas when it is autoscaled), or kNone when none
  /// is up. When health checks have ejected every live replica, nginx-like, all are tried again.
  /// `client`: the request's client (kNone: none), for client_hash.
  std::uint32_t pick(ReplicaSet& replicas, std::uint32_t lo, std::uint32_t hi, double now,
                     std::uint32_t client) {
    return pick_by(policy_, false, replicas, lo, hi, now, client);
  }

  /// A message a queue consumer pulls: its pods poll, so an idle poller takes it, whatever the
  /// policy (no balancer pushes it to a busy pod while another idles): the live pod with the
  /// fewest active requests, as least_outstanding picks, among the pods that poll (up, and not
  /// on a lost node; health checks eject nothing here: no balancer is in the way), ties by a
  /// rotation of its own (the balancer's stays the pushed requests').
  std::uint32_t pick_puller(ReplicaSet& replicas, std::uint32_t lo, std::uint32_t hi, double now) {
    return pick_by(model::LbPolicy::least_outstanding, true, replicas, lo, hi, now, kNone);
  }

  /// Passive health check (nginx max_fails): a failure of replica `r` at `now`. Returns true
  /// when it ejects the replica (for fail_timeout).
  bool record_failure(Replica& r, double now) {
    if (health_ == nullptr) return false;
    // The oldest of the last max_fails failures is within fail_timeout: eject.
    r.fail_times[r.fail_next] = now;
    r.fail_next = (r.fail_next + 1) % static_cast<std::uint32_t>(r.fail_times.size());
    const double oldest = r.fail_times[r.fail_next];
    if (now - oldest <= health_->fail_timeout_s && r.ejected_until_s <= now) {
      r.ejected_until_s = now + health_->fail_timeout_s;
      return true;
    }
    return false;
  }

 private:
  // Views of the candidates: candidate k is replica index(k).
  struct All {
    static constexpr bool kAllEligible = true;
    std::uint32_t lo, n;
    std::uint32_t index(std::uint32_t k) const { return lo + k; }
    bool eligible(const Replica&) const { return true; }
  };
  struct Range {
    static constexpr bool kAllEligible = false;
    std::uint32_t lo, n;
    double now;
    bool ignore_health;
    bool pull = false;  ///< a pulled message: the live pods that poll
    std::uint32_t index(std::uint32_t k) const { return lo + k; }
    bool eligible(const Replica& r) const {
      if (pull) return r.up && !r.unreachable;
      return r.up && (ignore_health || r.ejected_until_s <= now);
    }
  };
  struct Listed {
    static constexpr bool kAllEligible = false;
    const std::vector<std::uint32_t>* list;
    std::uint32_t n;
    double now;
    bool ignore_health;
    bool pull = false;  ///< a pulled message: the live pods that poll
    std::uint32_t index(std::uint32_t k) const { return (*list)[k]; }
    bool eligible(const Replica& r) const {
      if (pull) return r.up && !r.unreachable;
      return r.up && (ignore_health || r.ejected_until_s <= now);
    }
  };

  std::uint32_t pick_by(model::LbPolicy policy, bool pull, ReplicaSet& replicas, std::uint32_t lo,
                        std::uint32_t hi, double now, std::uint32_t client) {
    client_ = client;
    // Pulls break their ties with a rotation of their own: the pushed requests' stays theirs.
    std::uint64_t& rotation = pull ? pull_next_ : rr_next_;
    if (simple_) return pick_among(policy, rotation, replicas, All{lo, hi - lo});
    if (replicas.tracks_active()) {
      const auto& active = replicas.active();
      const auto n = static_cast<std::uint32_t>(active.size());
      std::uint32_t r =
          pick_among(policy, rotation, replicas, Listed{&active, n, now, false, pull});
      if (r == kNone && !pull)
        r = pick_among(policy, rotation, replicas, Listed{&active, n, now, true});
      return r;
    }
    std::uint32_t r = pick_among(policy, rotation, replicas, Range{lo, hi - lo, now, false, pull});
    if (r == kNone && !pull)
      r = pick_among(policy, rotation, replicas, Range{lo, hi - lo, now, true});
    return r;
  }

  template <class View>
  std::uint32_t pick_among(model::LbPolicy policy, std::uint64_t& rotation, ReplicaSet& rs,
                           const View& v);
  /// The rotation's next position among n: the counter modulo n, by a 32-bit division while
  /// the counter fits in 32 bits (several times cheaper than a 64-bit one; the same value).
  static std::uint32_t next_rotation(std::uint32_t n, std::uint64_t& rotation) {
    const std::uint64_t v = rotation++;
    if (v <= UINT32_MAX) [[likely]]
      return static_cast<std::uint32_t>(v) % n;
    return static_cast<std::uint32_t>(v % n);
  }

  /// The requests the balancer sees active on `r`: those it holds, and those hanging on it (a
  /// pod of a lost node: the balancer is still waiting for their answers).
  static std::uint32_t active(const Replica& r) { return r.outstanding + r.hanging; }

  model::LbPolicy policy_;
  std::uint32_t client_ = 0;  // the client of the request being placed
  const model::HealthSpec* health_;
  std::uint64_t rr_next_ = 0;
  std::uint64_t pull_next_ = 0;  // ties among idle pollers: a rotation apart from rr_next_
  sim::RandomStream rng_;
  bool simple_;
};

template <class View>
std::uint32_t Balancer::pick_among(model::LbPolicy policy, std::uint64_t& rotation, ReplicaSet& rs,
                                   const View& v) {
  const std::uint32_t n = v.n;
  std::uint32_t count = n;
  if constexpr (View::kAllEligible) {
    if (n == 1) return v.index(0);
  } else {
    count = 0;
    for (std::uint32_t k = 0; k < n; ++k) count += v.eligible(rs[v.index(k)]);
    if (count == 0) return kNone;
  }
  // The m-th eligible candidate.
  const auto nth = [&](std::uint64_t m) {
    if constexpr (View::kAllEligible) {
      return v.index(static_cast<std::uint32_t>(m));
    } else {
      for (std::uint32_t k = 0; k < n; ++k) {
        if (v.eligible(rs[v.index(k)]) && m-- == 0) return v.index(k);
      }
      return v.index(0);
    }
  };
  switch (policy) {
    case model::LbPolicy::round_robin:
      for (std::uint32_t k = 0; k < n; ++k) {
        const std::uint32_t i = v.index(next_rotation(n, rotation));
        if (v.eligible(rs[i])) return i;
      }
      return kNone;
    case model::LbPolicy::random:
      return nth(rng_.below(count));
    case model::LbPolicy::least_outstanding: {
      // Fewest outstanding requests; ties go to the first in a rotating order so that idle
      // replicas share the load evenly.
      const auto first = next_rotation(n, rotation);
      std::uint32_t best = kNone;
      // Candidates first, first + 1, ... wrapping past n - 1 to 0: no division per candidate.
      for (std::uint32_t k = 0, c = first; k < n; ++k, c = c + 1 == n ? 0 : c + 1) {
        const std::uint32_t i = v.index(c);
        if (!v.eligible(rs[i])) continue;
        if (best == kNone || active(rs[i]) < active(rs[best])) best = i;
      }
      return best;
    }
    case model::LbPolicy::power_of_two: {
      if (count == 1) return nth(0);
      const std::uint64_t a = rng_.below(count);
      std::uint64_t b = rng_.below(count - 1);
      if (b >= a) ++b;
      const std::uint32_t ra = nth(a), rb = nth(b);
      return active(rs[rb]) < active(rs[ra]) ? rb : ra;
    }
    case model::LbPolicy::client_hash: {
      // Rendezvous (highest random weight) hashing: the client goes to the eligible replica
      // whose hash with it is highest, so it stays there while that replica is eligible, and
      // when replicas come or go only the clients of the changed ones move. A request without
      // a client goes round robin.
      if (client_ == kNone) {
        for (std::uint32_t k = 0; k < n; ++k) {
          const std::uint32_t i = v.index(next_rotation(n, rotation));
          if (v.eligible(rs[i])) return i;
        }
        return kNone;
      }
      std::uint32_t best = kNone;
      std::uint64_t best_score = 0;
      for (std::uint32_t k = 0; k < n; ++k) {
        const std::uint32_t i = v.index(k);
        if (!v.eligible(rs[i])) continue;
        const std::uint64_t score =
            sim::mix64((static_cast<std::uint64_t>(client_) << 32 | i) ^ 0xA0761D6478BD642FULL);
        if (best == kNone || score > best_score) {
          best = i;
          best_score = score;
        }
      }
      return best;
    }
    case model::LbPolicy::weighted_round_robin: {
      // Smooth weighted round robin: every candidate gains its weight, the richest is chosen and
      // pays the total. Spreads picks evenly in proportion to the weights.
      double total = 0.0;
      std::uint32_t best = kNone;
      for (std::uint32_t k = 0; k < n; ++k) {
        const std::uint32_t i = v.index(k);
        if (!v.eligible(rs[i])) continue;
        rs[i].wrr_current += rs.weight(i);
        total += rs.weight(i);
        if (best == kNone || rs[i].wrr_current > rs[best].wrr_current) best = i;
      }
      rs[best].wrr_current -= total;
      return best;
    }
  }
  return kNone;
}

}  // namespace capsim::net
