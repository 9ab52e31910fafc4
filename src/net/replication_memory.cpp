/// \file The coordinator's memory events (docs/memory.md): what a request holds on its replica
/// while it is in flight, and the OOM kill of a replica over its limit, which goes through the
/// crash and restart of replication_capacity.cpp (the replica-set door). Only services with
/// `memory` come here.

#include <algorithm>
#include <cmath>
#include <sstream>

#include "capsim/sim/random.hpp"
#include "replication.hpp"

namespace capsim::net {

namespace {

// The request's memory draw, keyed by the request (common random numbers) with a label no
// step uses (steps use 2 x step and 2 x step + 1).
constexpr std::uint64_t kMemoryLabel = 0x6d656d6f72790000ULL;  // "memory"

// The kubelet restarts a crashed container after an exponential back-off: 10 s, doubling up to
// 300 s, reset once the container has run for 10 minutes.
constexpr double kBackOffFirstS = 10.0;
constexpr double kBackOffMaxS = 300.0;
constexpr double kBackOffResetS = 600.0;

std::string mib_text(double mib) {
  std::ostringstream out;
  out.precision(6);
  out << mib << " MiB";
  return out.str();
}

}  // namespace

void Replication::memory_admit(Service& s, std::uint32_t ri, Job& j) {
  sim::KeyedRandom rng(sim::derive_key(j.key, kMemoryLabel));
  j.memory_mib = s.memory_per_request->sample(rng);
  Replica& r = s.replicas[ri];
  r.memory_mib += j.memory_mib;
  const double now = clock_.now();
  stats_.service(s.index).memory(now, j.memory_mib, r.memory_mib);
  const auto& limit = s.spec->memory->limit_mib;
  if (limit && r.memory_mib > *limit && !r.oom_pending) {
    // The kernel kills the container when it crosses its limit. The kill is an event at this
    // instant, after the request that crossed it has been placed (it fails with the others).
    r.oom_pending = true;
    clock_.at(now, Event::oom_kill, Pair{s.index, ri}.pack(), sim::Priority::urgent);
  }
}

void Replication::memory_release(Service& s, Replica& r, Job& j) {
  r.memory_mib -= j.memory_mib;
  stats_.service(s.index).memory(clock_.now(), -j.memory_mib, r.memory_mib);
  j.memory_mib = 0.0;
}

void Replication::oom_kill(Pair where) {
  Service& s = services_[where.first];
  Replica& r = s.replicas[where.second];
  r.oom_pending = false;
  if (!r.up) return;  // crashed or removed meanwhile
  const double now = clock_.now();
  const double held_mib = r.memory_mib;
  if (now - r.ready_since_s >= kBackOffResetS) r.oom_restarts = 0;
  const double back_off_s =
      std::min(kBackOffMaxS, kBackOffFirstS * std::pow(2.0, static_cast<double>(r.oom_restarts)));
  ++r.oom_restarts;
  crash(where.first, where.second);  // in-flight requests fail; memory back to nothing
  stats_.service(where.first).oom_killed();
  stats_.log_event(now, "oom_kill", s.spec->name,
                   "replica " + std::to_string(where.second) + ": " + mib_text(held_mib) +
                       " over the limit of " + mib_text(*s.spec->memory->limit_mib));
  // The container starts again after the back-off, then takes the service's start-up time.
  clock_.after(back_off_s + s.spec->startup_time_s, Event::restart, where.pack(),
               sim::Priority::urgent);
}

}  // namespace capsim::net
