/// \file The coordinator's capacity events: faults (crash, slowdown, outage, cache flush),
/// restarts, and autoscaling. Autoscalers decide (scale/autoscaler.hpp); their decisions are
/// applied here through each service's replica set, the one door through which capacity
/// changes. Nothing here runs on the path of a request.

#include "capsim/model/error.hpp"
#include "replication.hpp"

namespace capsim::net {

// ---------------------------------------------------------------------------------------------
// Faults.

void Replication::crash(std::uint32_t service, std::uint32_t replica, bool hang_them) {
  Service& s = services_[service];
  Replica& r = s.replicas[replica];
  const double now = clock_.now();
  // Every request on the replica (working, waiting for a core, a worker or a call) is lost.
  std::vector<Ref> lost;
  for (std::uint32_t i = 0; i < jobs_.extent(); ++i) {
    const Job& j = jobs_[i];
    // A parked cache lookup waits on its client's side: it is not on the replica.
    if (j.live && j.service == service && j.replica == replica && !j.parked) {
      lost.push_back(Ref{i, j.generation});
    }
  }
  cpu_.crash(*s.spec, stats_.service(service), r.cpu, replica);
  if (r.cpu.node != kNone) shared_cores_->crash(r.cpu.node, r.cpu.slot);
  station_.crash(s, replica, now);
  if (!hang_them) s.replicas.set_up(replica, false, now, stats_.service(service));
  for (const Ref ref : lost) {
    Job* j = jobs_.get(ref);
    if (j == nullptr) continue;  // already ended through an earlier one (its caller's job)
    j->holds_worker = false;
    j->replica = kNone;
    if (j->cache_stage == CacheStage::fetching) {
      // A lost fetch fails the requests waiting for it (coalesce), as a failed fetch does;
      // otherwise they would wait for an answer that never comes.
      j->failed = true;
      cache_fetched(ref, *j);
    } else if (hang_them) {
      hang(ref, replica);
    } else {
      finish(ref, Outcome::error);
    }
  }
}

void Replication::fault(std::uint32_t index) {
  const model::FaultSpec& f = spec_.faults[index];
  if (f.kind == model::FaultKind::node_loss) {
    node_loss(index);  // a pool's, not a service's
    return;
  }
  const auto si = static_cast<std::uint32_t>(*spec_.service_index(f.service));
  Service& s = services_[si];
  const double now = clock_.now();
  switch (f.kind) {
    case model::FaultKind::crash: {
      int left = f.replicas;
      for (auto i = static_cast<std::int64_t>(s.replicas.size()) - 1; i >= 0 && left > 0; --i) {
        const auto ri = static_cast<std::uint32_t>(i);
        if (!s.replicas[ri].up) continue;
        crash(si, ri);
        stats_.log_event(now, "crash", s.spec->name, "replica " + std::to_string(ri));
        if (f.restart_after_s) {
          clock_.after(*f.restart_after_s, Event::restart, Pair{si, ri}.pack(),
                       sim::Priority::urgent);
        }
        --left;
      }
      break;
    }
    case model::FaultKind::slowdown:
      s.slowdown *= f.factor;
      stats_.log_event(now, "slowdown", s.spec->name,
                       std::string("x").append(std::to_string(f.factor)));
      clock_.after(f.duration_s, Event::fault_end, index, sim::Priority::urgent);
      break;
    case model::FaultKind::outage:
      s.outage_until_s = std::max(s.outage_until_s, now + f.duration_s);
      stats_.log_event(now, "outage", s.spec->name, "");
      clock_.after(f.duration_s, Event::fault_end, index, sim::Priority::urgent);
      break;
    case model::FaultKind::cache_flush:
      if (s.cache) s.cache->flush();
      stats_.log_event(now, "cache_flush", s.spec->name, "");
      break;
    case model::FaultKind::rollout:
      rollout_begin(index);
      break;
    case model::FaultKind::node_loss:
      break;
  }
}

void Replication::fault_end(std::uint32_t index) {
  const model::FaultSpec& f = spec_.faults[index];
  if (f.kind == model::FaultKind::node_loss) {
    node_restore(index);
    return;
  }
  Service& s = services_[*spec_.service_index(f.service)];
  if (f.kind == model::FaultKind::slowdown) {
    s.slowdown /= f.factor;
    stats_.log_event(clock_.now(), "slowdown_end", s.spec->name, "");
  } else if (f.kind == model::FaultKind::outage) {
    stats_.log_event(clock_.now(), "outage_end", s.spec->name, "");
  }
}

void Replication::restart(Pair where) {
  Service& s = services_[where.first];
  const Replica& r = s.replicas[where.second];
  // An autoscaler may have removed the crashed replica meanwhile; a pod of a lost node does not
  // come back (docs/nodes.md#notready-and-eviction).
  if (r.phase != Phase::ready || r.up || r.unreachable) return;
  s.replicas.set_up(where.second, true, clock_.now(), stats_.service(where.first));
  stats_.log_event(clock_.now(), "restart", s.spec->name,
                   "replica " + std::to_string(where.second));
  dispatch_waiting(where.first);
  if (queues_.any()) [[unlikely]]
    pump_consumer(where.first);
  if (s.rollout) rollout_step(where.first);
}

// ---------------------------------------------------------------------------------------------
// Autoscaling.

void Replication::start_autoscaler(std::uint32_t si) {
  scale::Autoscaler& a = *services_[si].autoscaler;
  const model::AutoscalingSpec& as = a.spec();
  const double end = spec_.simulation.duration_s;
  auto start_meter = [&](scale::WindowMeter& meter, std::uint32_t which, Event read) {
    // Reads whose window begins before t = 0 average from t = 0; the first snapshot serves the
    // first read whose window begins at or after 0.
    while (meter.mark_time(meter.marks) < -1e-9) ++meter.marks;
    const double mark = std::max(0.0, meter.mark_time(meter.marks));
    if (mark <= end) {
      clock_.at(mark, Event::autoscale_mark, Pair{si, which}.pack(), sim::Priority::observe);
    }
    if (meter.read_time(0) <= end) {
      clock_.at(meter.read_time(0), read, si, sim::Priority::observe);
    }
  };
  if (as.kind != model::AutoscalerKind::schedule) {
    start_meter(a.sync_meter(), 0, Event::autoscale_sync);
  }
  if (as.kind == model::AutoscalerKind::keda) {
    start_meter(a.poll_meter(), 1, Event::autoscale_poll);
  }
  for (std::uint32_t k = 0; k < as.schedule.size(); ++k) {
    if (as.schedule[k].at_s <= end) {
      clock_.at(as.schedule[k].at_s, Event::schedule_step, Pair{si, k}.pack(),
                sim::Priority::urgent);
    }
  }
}

scale::Snapshot Replication::snapshot(std::uint32_t si, double t) const {
  const ServiceStats& st = stats_.service(si);
  scale::Snapshot snap;
  snap.t = t;
  snap.marks = st.marks(t);
  snap.arrivals = st.arrivals_total();
  snap.balancer_queued = st.balancer_queued_integral(t);
  if (queues_.any()) [[unlikely]]
    snap.queue_messages = queues_.messages_for(si);
  if (st.replicas_apart()) {
    const std::uint32_t n = services_[si].replicas.size();
    snap.replica_core_s.reserve(n);
    for (std::uint32_t ri = 0; ri < n; ++ri)
      snap.replica_core_s.push_back(st.replica_core_seconds(ri, t));
  }
  return snap;
}

void Replication::pod_started(std::uint32_t si, std::uint32_t ri) {
  const double now = clock_.now();
  services_[si].replicas[ri].pod_started_s = now;
  stats_.service(si).replica_started(ri, now);
}

scale::CpuSample Replication::cpu_sample(std::uint32_t si, const scale::Snapshot& base,
                                         const scale::Snapshot& cur, int desired,
                                         double window_s) const {
  const ReplicaSet& replicas = services_[si].replicas;
  const double now = clock_.now();
  scale::CpuSample sample;
  sample.groups = replicas.groups(desired, now);
  sample.groups.ready = 0;
  const auto at = [](const scale::Snapshot& snap, std::uint32_t ri) {
    return ri < snap.replica_core_s.size() ? snap.replica_core_s[ri] : std::pair{0.0, 0.0};
  };
  const ServiceStats& st = stats_.service(si);
  for (std::uint32_t ri = 0; ri < replicas.size(); ++ri) {
    const Replica& r = replicas[ri];
    if (!r.up || r.ready_since_s >= now) continue;  // not ready, or without a metric yet
    if (r.unreachable) {
      ++sample.groups.missing;  // on a lost node not yet NotReady: its kubelet sends no metric
      continue;
    }
    if (scale::cpu_sample_set_aside(now, r.pod_started_s, r.ready_since_s, window_s,
                                    r.predates_run)) {
      ++sample.groups.unready;
      continue;
    }
    ++sample.groups.ready;
    // A slot reused by a new pod within the window: only the new pod's seconds count.
    const std::pair<double, double> from = st.replica_start_core_seconds(ri);
    sample.busy_core_s += at(cur, ri).first - std::max(at(base, ri).first, from.first);
    sample.core_s += at(cur, ri).second - std::max(at(base, ri).second, from.second);
  }
  return sample;
}

void Replication::take_mark(Pair which) {
  scale::Autoscaler& a = *services_[which.first].autoscaler;
  scale::WindowMeter& meter = which.second == 0 ? a.sync_meter() : a.poll_meter();
  meter.snapshots.push_back(snapshot(which.first, clock_.now()));
  ++meter.marks;
  const double next = meter.mark_time(meter.marks);
  if (next <= spec_.simulation.duration_s) {
    clock_.at(next, Event::autoscale_mark, which.pack(), sim::Priority::observe);
  }
}

std::pair<scale::Snapshot, scale::Snapshot> Replication::read_window(std::uint32_t si,
                                                                     scale::WindowMeter& meter,
                                                                     Event read) {
  const double now = clock_.now();
  const scale::Snapshot base = meter.window_start(now);
  const scale::Snapshot cur = snapshot(si, now);
  ++meter.reads;
  const double next = meter.read_time(meter.reads);
  if (next <= spec_.simulation.duration_s) clock_.at(next, read, si, sim::Priority::observe);
  return {base, cur};
}

void Replication::autoscale_sync(std::uint32_t si) {
  Service& s = services_[si];
  scale::Autoscaler& a = *s.autoscaler;
  const double now = clock_.now();
  const auto [base, cur] = read_window(si, a.sync_meter(), Event::autoscale_sync);
  std::optional<scale::CpuSample> cpu;
  if (stats_.service(si).replicas_apart()) {
    cpu = cpu_sample(si, base, cur, a.desired(), a.sync_meter().window_s);
  }
  const auto change = a.sync(base, cur, s.replicas.groups(a.desired(), now), s.spec->cores, now,
                             cpu ? &*cpu : nullptr);
  stats_.service(si).set_latency_slice(a.latency_slice());
  if (change) scale_to(si, *change);
}

void Replication::keda_poll(std::uint32_t si) {
  scale::Autoscaler& a = *services_[si].autoscaler;
  const auto [base, cur] = read_window(si, a.poll_meter(), Event::autoscale_poll);
  if (const auto change = a.poll(base, cur, clock_.now())) scale_to(si, *change);
}

void Replication::schedule_step(Pair which) {
  if (const auto change = services_[which.first].autoscaler->schedule_step(which.second)) {
    scale_to(which.first, *change);
  }
}

void Replication::scale_to(std::uint32_t si, const scale::ScaleChange& change) {
  Service& s = services_[si];
  scale::Autoscaler& a = *s.autoscaler;
  const int from = a.desired();
  const int to = change.to;
  if (to == from) return;
  const double now = clock_.now();
  a.apply(change, now);
  stats_.service(si).desired(now, static_cast<double>(to));
  stats_.log_scale(stats::ScaleEventRow{now, s.spec->name, from, to, change.metric, change.policy,
                                        change.reason});
  for (int k = from; k < to; ++k) start_replica(si);
  for (int k = to; k < from; ++k) remove_replica(si);
  if (s.rollout) rollout_step(si);
}

std::uint32_t Replication::start_replica(std::uint32_t si) {
  Service& s = services_[si];
  const std::uint32_t ri = s.replicas.start_one(clock_.now(), stats_.service(si));
  if (nodes_ && s.spec->pod) {
    place_pod(si, ri);  // its start-up begins once a node takes it
    return ri;
  }
  pod_started(si, ri);
  if (s.spec->startup_time_s <= 0.0) {
    replica_ready(Pair{si, ri});
  } else {
    s.replicas[ri].ready_event = clock_.after(s.spec->startup_time_s, Event::replica_ready,
                                              Pair{si, ri}.pack(), sim::Priority::urgent);
  }
  return ri;
}

void Replication::replica_ready(Pair where) {
  Service& s = services_[where.first];
  if (!s.replicas.become_ready(where.second, clock_.now(), stats_.service(where.first))) return;
  if (nodes_ && s.spec->pod) {
    stats_.nodes().pod_ready(where.first, clock_.now() - s.replicas[where.second].started_s);
    if (!losses_.empty()) loss_pod_ready(PodId{where.first, where.second});
  }
  dispatch_waiting(where.first);
  if (queues_.any()) [[unlikely]]
    pump_consumer(where.first);
  if (s.rollout) rollout_step(where.first);
}

void Replication::remove_replica(std::uint32_t si) {
  Service& s = services_[si];
  finish_removal(si, s.replicas.remove_one(clock_.now(), stats_.service(si)));
}

void Replication::finish_removal(std::uint32_t si, const ReplicaSet::Removal& removal) {
  Service& s = services_[si];
  clock_.cancel(removal.cancel);
  if (removal.drained) {
    drained(si, removal.replica);
  } else if (removal.replica != kNone && s.replicas[removal.replica].phase == Phase::off) {
    pod_gone(si, removal.replica);
  } else if (removal.replica != kNone && nodes_ && s.spec->pod) {
    nodes_->set_terminating(PodId{si, removal.replica});  // draining: spread counts it no more
  }
}

void Replication::drained(std::uint32_t si, std::uint32_t ri) {
  services_[si].replicas.set(ri, Phase::off, false, clock_.now(), stats_.service(si));
  pod_gone(si, ri);
  if (services_[si].replicas[ri].replace_when_off) {
    // A database's evicted pod: its replacement takes the slot it leaves (the lowest off).
    services_[si].replicas[ri].replace_when_off = false;
    start_replica(si);
  }
}

void Replication::wait_at_balancer(Ref job, Service& s) {
  if (!station_.hold_at_balancer(s, job, jobs_[job.index], clock_.now())) {
    finish(job, Outcome::rejected);
  }
}

void Replication::dispatch_waiting(std::uint32_t si) {
  Service& s = services_[si];
  if (!s.autoscaler && !s.spec->pod) return;
  const double now = clock_.now();
  while (const std::optional<Ref> job = station_.next_at_balancer(s, now)) {
    Job* j = jobs_.get(*job);
    if (j == nullptr) continue;
    if (expired(s, *j)) {
      stats_.service(si).dropped();
      finish(*job, Outcome::error);
      continue;
    }
    const std::uint32_t ri = s.balancer.pick(s.replicas, 0, s.replicas.size(), now, j->client);
    admit(*job, *j, s, ri);
  }
}

}  // namespace capsim::net
