#include "replication.hpp"

#include <algorithm>

#include "capsim/model/error.hpp"
#include "capsim/net/traces.hpp"
#include "steps.hpp"

namespace capsim::net {

// ---------------------------------------------------------------------------------------------
// Calls: a request or a job's call goes out as attempts; each attempt is a job at the callee.

void Replication::send_request(const CallRequest& request) {
  const Ref call = calls_.start(request);
  if (options_.traces != nullptr) [[unlikely]]
    trace_call(call, request);
  send_attempt(call);
}

void Replication::call_from(Ref job, const CallSite& site, std::uint64_t key,
                            std::uint64_t origin) {
  CallRequest r;
  r.caller_kind = site.async ? CallerKind::detached : CallerKind::job;
  r.caller_job = job;
  r.policy = &site.policy;
  r.service = site.service;
  r.endpoint = site.endpoint;
  r.op = site.op;
  r.key = key;
  r.origin = origin;
  r.client = jobs_[job.index].client;
  send_request(r);
}

void Replication::send_attempt(Ref call) {
  const std::optional<Delivery> d = calls_.send(call);
  if (!d) {
    if (options_.traces != nullptr) [[unlikely]]
      options_.traces->attempt_refused(call.pack(), calls_[call].attempt, clock_.now());
    stats_.call_refused_by_breaker();
    attempt_done(call, Outcome::circuit_open);
    return;
  }
  std::uint32_t connection = kNone;
  if (pools_.any()) [[unlikely]] {
    if (!acquire_connection(call, *d, connection)) return;
  }
  deliver(call, *d, connection);
}

void Replication::deliver(Ref call, const Delivery& d, std::uint32_t connection) {
  Service& s = services_[d.service];
  if (s.spec->kind == model::ServiceKind::queue) [[unlikely]] {
    enqueue(call, d, connection);
    return;
  }
  const Ref job = new_job(&s.endpoints[d.endpoint], d.service, ParentKind::call, call, d.attempt);
  Job& j = jobs_[job.index];
  j.op = d.op;
  j.key = d.key;
  j.origin = d.origin;
  j.client = d.client;
  j.connection = connection;
  // A lookup whose caller runs the miss itself (cache-aside).
  if (s.cache) [[unlikely]]
    j.cache_aside = calls_[call].policy->on_miss != nullptr;
  if (options_.traces != nullptr) [[unlikely]]
    options_.traces->attempt_sent(call.pack(), d.attempt, job.pack(), clock_.now());
  arrive(job);
}

void Replication::attempt_returned(Ref call, std::uint32_t attempt, Outcome outcome,
                                   bool degraded) {
  if (calls_.returned(call, attempt)) attempt_done(call, outcome, degraded);
}

void Replication::attempt_done(Ref call, Outcome outcome, bool degraded) {
  switch (calls_.after_attempt(call, outcome)) {
    case AfterAttempt::retry_now:
      send_attempt(call);
      return;
    case AfterAttempt::retry_later:
      return;
    case AfterAttempt::complete:
      call_complete(call, outcome, degraded && outcome == Outcome::success);
      return;
  }
}

void Replication::call_complete(Ref call, Outcome outcome, bool degraded) {
  const CallState& c = calls_[call];
  if (options_.traces != nullptr) [[unlikely]]
    options_.traces->call_completed(call.pack(), outcome, c.attempt, clock_.now());
  if (c.caller_kind == CallerKind::client) {
    if (degraded) stats_.workload(c.workload).degraded();
    workloads_.done(c.workload, c.user, outcome, c.attempt, clock_.now() - c.first_sent_s);
    calls_.release(call);
    return;
  }
  if (c.caller_kind == CallerKind::detached) {
    // Fire-and-forget: nobody waits for the answer; the callee's statistics already count it.
    calls_.release(call);
    return;
  }
  if (c.caller_kind == CallerKind::refresh) [[unlikely]] {
    refresh_done(c, outcome);
    calls_.release(call);
    return;
  }
  const Ref caller = c.caller;
  if (outcome != Outcome::success && c.policy->fallback && start_fallback(c, outcome)) {
    calls_.release(call);
    return;
  }
  if (c.cache_missed && outcome == Outcome::success && start_on_miss(c)) [[unlikely]] {
    calls_.release(call);
    return;
  }
  calls_.release(call);
  if (degraded) mark_degraded(ParentKind::job, caller);
  child_done(caller, outcome);
}

void Replication::timeouts(std::uint32_t queue) {
  calls_.timeouts_begin(queue);
  while (const std::optional<Ref> call = calls_.next_timed_out(queue, clock_.now())) {
    ++orphan_epoch_;  // the attempt's job (and what it called) may be orphans now
    stats_.call_timed_out();
    attempt_done(*call, Outcome::timeout);
  }
  calls_.timeouts_done(queue);
}

bool Replication::expired(const Service& s, const Job& j) const {
  return s.spec->drop_expired && is_orphan(j);
}

[[gnu::always_inline]] inline bool Replication::parent_known_live(ParentKind kind, Ref parent,
                                                                  std::uint32_t attempt) const {
  // One step of the walk above; the rest of the chain is known by the caller's epoch.
  const Job* up = nullptr;
  if (kind == ParentKind::message) return false;  // a batch's receive can lapse: always walk
  if (kind == ParentKind::job) {
    up = jobs_.get(parent);
  } else {
    const CallState* c = calls_.get(parent);
    if (c == nullptr || c->attempt != attempt || !c->in_flight) return false;
    if (c->caller_kind != CallerKind::job) return true;
    up = jobs_.get(c->caller);
  }
  return up != nullptr && up->live_epoch == orphan_epoch_;
}

// ---------------------------------------------------------------------------------------------
// Jobs at a service: arrival, admission, steps, the end.

Ref Replication::new_job(const Steps* steps, std::uint32_t service, ParentKind kind, Ref parent,
                         std::uint32_t parent_attempt) {
  const Ref r = jobs_.acquire();
  Job& j = jobs_[r.index];
  j.live = true;
  j.steps = steps;
  j.service = service;
  j.parent_kind = kind;
  j.parent = parent;
  j.parent_attempt = parent_attempt;
  j.arrived_s = clock_.now();
  if (parent_known_live(kind, parent, parent_attempt)) j.live_epoch = orphan_epoch_;
  return r;
}

void Replication::arrive(Ref job) {
  Job& j = jobs_[job.index];
  Service& s = services_[j.service];
  ServiceStats& st = stats_.service(j.service);
  const double now = clock_.now();
  st.arrival();
  if (spec_.simulation.per_endpoint) [[unlikely]]
    stats_.endpoint(j.service, endpoint_of(s, j)).arrival();
  if (now < s.outage_until_s) {
    finish(job, Outcome::error);  // an outage answers every request at once
    return;
  }
  if (s.rate_limit && !s.rate_limit->try_take(now, j.client)) {
    st.rate_limited(s.rate_limit->refused_by());
    if (st.measuring() && s.rate_limit->first_limit(j.client)) st.client_limited();
    finish(job, Outcome::rate_limited);
    return;
  }
  if (s.capacity_units && !consume_units(s, j, now)) [[unlikely]] {
    finish(job, Outcome::throttled);
    return;
  }
  std::uint32_t lo = 0;
  std::uint32_t hi = s.replicas.size();
  if (s.spec->database && s.spec->database->read_replicas > 0) {
    // Writes go to the primary, reads to the read replicas.
    if (j.op == model::DbOp::write) {
      hi = 1;
    } else {
      lo = 1;
    }
  }
  // A consumer's pods pull messages: an idle poller takes one (the balancer's policy is for
  // requests pushed to the service).
  const std::uint32_t ri = j.parent_kind == ParentKind::message
                               ? s.balancer.pick_puller(s.replicas, lo, hi, now)
                               : s.balancer.pick(s.replicas, lo, hi, now, j.client);
  if (ri == kNone) {
    // No replica is up. An autoscaled service holds the request at the balancer while a replica
    // is on its way (or, scaling from zero, may be); otherwise it fails at once.
    // (Not a database's reads or writes alone: the balancer's queue does not tell them apart.)
    if ((s.autoscaler || s.spec->pod) && hi - lo == s.replicas.size() &&
        (s.replicas.starting() > 0 ||
         (s.autoscaler && s.autoscaler->spec().kind == model::AutoscalerKind::keda))) {
      wait_at_balancer(job, s);
      return;
    }
    finish(job, Outcome::error);
    return;
  }
  admit(job, j, s, ri);
}

void Replication::admit(Ref job, Job& j, Service& s, std::uint32_t ri) {
  if (s.replicas[ri].unreachable) [[unlikely]] {
    // A consumer pulls its messages: a dead pod pulls none, so a live one takes the batch.
    const std::uint32_t live =
        j.parent_kind == ParentKind::message ? reachable_after(s, ri) : kNone;
    if (live == kNone) {
      hang(job, ri);  // sent to a pod of a dead node: no answer
      return;
    }
    ri = live;
  }
  const double now = clock_.now();
  const Station::Admission admission = station_.admit(s, ri, job, j, now);
  // Its lookup comes after its work: start loading memory now (not for a rejected job).
  if (s.cache && admission != Station::Admission::rejected) s.cache->prepare(j);
  if (s.memory_per_request && admission != Station::Admission::rejected) [[unlikely]] {
    memory_admit(s, ri, j);
  }
  switch (admission) {
    case Station::Admission::started:
      station_.start(s, j, now);
      ready_.push_back(job);
      return;
    case Station::Admission::queued:
      return;
    case Station::Admission::rejected:
      record_health(s, s.replicas[ri], ri);
      finish(job, Outcome::rejected);
      return;
  }
}

void Replication::advance(Ref job) {
  Job& j = jobs_[job.index];
  const StepAction a = next_step(j);
  switch (a.kind) {
    case StepAction::Kind::work:
      start_work(job, j, a.demand_s);
      return;
    case StepAction::Kind::delay:
      // I/O, an external API, a sleep: the job keeps its worker, and no core is busy.
      clock_.after(std::max(0.0, a.demand_s), Event::delay_done, job.pack());
      return;
    case StepAction::Kind::call:
      call_from(job, *a.call, a.key, a.origin);
      if (a.call->async) [[unlikely]] {
        // Fire-and-forget: the job does not wait for the answer and goes on at once.
        if (Job* self = jobs_.get(job)) {
          self->pending = 0;
          ready_.push_back(job);
        }
      }
      return;
    case StepAction::Kind::fork: {
      std::uint64_t b = 0;
      const std::uint32_t client = j.client;
      for (const Steps& branch : a.step->branches) {
        const Ref child = new_job(&branch, kNone, ParentKind::job, job, 0);
        jobs_[child.index].key = sim::derive_key(a.key, b);
        jobs_[child.index].origin = sim::derive_key(a.origin, b++);
        jobs_[child.index].client = client;
        ready_.push_back(child);
      }
      return;
    }
    case StepAction::Kind::done:
      if (j.service != kNone && services_[j.service].cache) {
        cache_step(job, j);
        return;
      }
      if (j.parent_kind == ParentKind::message && next_in_batch(j)) [[unlikely]] {
        advance(job);
        return;
      }
      finish(job, Outcome::success);
      return;
  }
}

void Replication::start_work(Ref job, Job& j, double demand_s) {
  Service& s = services_[j.service];
  Replica& r = s.replicas[j.replica];
  demand_s *= s.slowdown;
  if (s.spec->database && s.spec->database->contention) {
    // Universal Scalability Law: each query slows down with the queries running beside it.
    const model::ContentionSpec& k = *s.spec->database->contention;
    const double n = r.busy_workers;
    demand_s *= 1.0 + k.alpha * (n - 1.0) + k.beta * n * (n - 1.0);
  }
  j.work_s += demand_s;
  if (r.cpu.node != kNone) [[unlikely]] {
    shared_cores_->start(r.cpu.node, r.cpu.slot, job, demand_s);
    return;
  }
  cpu_.start(*s.spec, stats_.service(j.service), r.cpu, Pair{j.service, j.replica}, job, demand_s);
}

void Replication::work_done(Ref job) {
  Job* j = jobs_.get(job);
  if (j == nullptr) return;  // its replica crashed meanwhile
  Service& s = services_[j->service];
  cpu_.fcfs_done(stats_.service(j->service), s.replicas[j->replica].cpu, j->replica);
  ++j->step;
  ready_.push_back(job);
}

void Replication::ps_done(Pair where) {
  Service& s = services_[where.first];
  const Ref job =
      cpu_.ps_done(*s.spec, stats_.service(where.first), s.replicas[where.second].cpu, where);
  if (Job* j = jobs_.get(job)) {
    ++j->step;
    ready_.push_back(job);
  }
}

void Replication::child_done(Ref parent, Outcome outcome) {
  Job* p = jobs_.get(parent);
  if (p == nullptr) return;  // the caller's replica crashed: nobody is waiting
  // A failed call fails the caller's request with `error` (a 5xx upstream), once every call it
  // has in flight has returned.
  if (outcome != Outcome::success) p->failed = true;
  if (--p->pending > 0) return;
  if (p->cache_stage == CacheStage::fetching) {
    // The backend answered a cache miss: fill and answer, failed or not.
    ready_.push_back(parent);
    cache_fetched(parent, *p);
    return;
  }
  if (!p->failed && (*p->steps)[p->step].kind == model::StepKind::parallel) ++p->step;
  ready_.push_back(parent);
}

void Replication::record_health(Service& s, Replica& r, std::uint32_t replica) {
  if (s.balancer.record_failure(r, clock_.now())) {
    stats_.log_event(clock_.now(), "ejected", s.spec->name, "replica " + std::to_string(replica));
  }
}

void Replication::release_worker(Service& s, std::uint32_t replica) {
  Replica& r = s.replicas[replica];
  // The worker goes to the next queued job, skipping (with drop_expired) jobs whose caller has
  // already given up: they are discarded at no cost.
  const double now = clock_.now();
  while (const std::optional<Ref> next = station_.next_waiting(s, r, now)) {
    Job& n = jobs_[next->index];
    if (expired(s, n)) {
      station_.drop(s, r, now);
      if (s.memory_per_request) [[unlikely]]
        memory_release(s, r, n);
      finish(*next, Outcome::error);
      continue;
    }
    station_.start(s, n, now);
    ready_.push_back(*next);
    return;
  }
  station_.free_worker(s, replica, now);
}

void Replication::give_back_worker(Service& s, Replica& r, Job& j) {
  if (s.memory_per_request) [[unlikely]]
    memory_release(s, r, j);
  j.holds_worker = false;
  release_worker(s, j.replica);
  if (r.phase == Phase::draining && r.outstanding == 0) [[unlikely]] {
    drained(j.service, j.replica);
  }
}

void Replication::finish(Ref job, Outcome outcome) {
  Job& j = jobs_[job.index];
  if (options_.traces != nullptr && j.service != kNone) [[unlikely]] {
    options_.traces->job_finished(job.pack(), j.replica, j.arrived_s, j.holds_worker || j.parked,
                                  j.started_s, j.work_s, outcome, clock_.now());
  }
  // The query is over: its connection goes back to the caller's pool.
  if (j.connection != kNone) [[unlikely]]
    pools_.release(j.connection);
  if (j.service != kNone) {
    Service& s = services_[j.service];
    ServiceStats& st = stats_.service(j.service);
    // A request of one of its endpoints (not a fallback's or on_miss's steps, run by a job).
    if (spec_.simulation.per_endpoint && j.parent_kind != ParentKind::job) [[unlikely]] {
      stats_.endpoint(j.service, endpoint_of(s, j))
          .ended(outcome, j.holds_worker || j.parked, j.degraded && outcome == Outcome::success,
                 clock_.now() - j.arrived_s);
    }
    st.work(j.work_s, j.work_s > 0.0 && is_orphan(j));
    if (refreshing_ && j.parent_kind == ParentKind::call) [[unlikely]] {
      // A backend's job for a cache's refresh query: its work is the refresh's cost.
      const CallState* c = calls_.get(j.parent);
      if (c != nullptr && c->caller_kind == CallerKind::refresh) {
        stats_.service(c->workload).refresh_work(j.work_s);
      }
    }
    if (j.holds_worker) {
      const double now = clock_.now();
      Replica& r = s.replicas[j.replica];
      station_.leave(s, r, now);
      st.completed(outcome == Outcome::success, now - j.arrived_s);
      if (j.degraded && outcome == Outcome::success) st.degraded();
      if (outcome == Outcome::error) record_health(s, r, j.replica);
      give_back_worker(s, r, j);
    } else if (j.parked) [[unlikely]] {
      // A parked cache lookup (park()): its worker went back when it parked.
      const double now = clock_.now();
      station_.unpark(s, now);
      st.completed(outcome == Outcome::success, now - j.arrived_s);
      if (j.degraded && outcome == Outcome::success) st.degraded();
      j.parked = false;
    }
  }
  const ParentKind kind = j.parent_kind;
  const Ref parent = j.parent;
  const std::uint32_t attempt = j.parent_attempt;
  const bool degraded = j.degraded && outcome == Outcome::success;
  if (j.aside_cache != kNone) [[unlikely]]
    aside_done(job, j, outcome);
  j.live = false;
  // Its calls still out (a crash, a lost fetch) may leave jobs that nobody waits for.
  if (j.pending != 0) ++orphan_epoch_;
  jobs_.release(job.index);
  if (kind == ParentKind::job) {
    if (degraded) mark_degraded(kind, parent);
    child_done(parent, outcome);
  } else if (kind == ParentKind::message) [[unlikely]] {
    message_processed(parent, outcome);
  } else {
    attempt_returned(parent, attempt, outcome, degraded);
  }
}

void Replication::drain() {
  // Jobs made ready by this event run in the order they became ready, at this instant.
  for (std::size_t i = 0; i < ready_.size(); ++i) {
    const Ref r = ready_[i];
    Job* j = jobs_.get(r);
    if (j == nullptr) continue;
    if (j->failed && j->cache_stage == CacheStage::lookup) {
      finish(r, Outcome::error);
    } else {
      advance(r);
    }
  }
  ready_.clear();
}

// ---------------------------------------------------------------------------------------------
// Events.

void Replication::on_event(Event event, std::uint64_t data) {
  const double now = clock_.now();
  if (now == last_event_s_) {
    // A model whose requests fail instantly and are re-sent at once (zero think time) would spin
    // forever without time moving; stop it with an explanation.
    if (++same_time_events_ > 50'000'000) {
      fail(
          "50,000,000 events without simulated time advancing (a closed workload with zero "
          "think time whose requests end at once? They may fail at once, or take no time: a "
          "service that only publishes to a queue answers at once; give the users a "
          "think_time)");
    }
  } else {
    last_event_s_ = now;
    same_time_events_ = 0;
  }
  const auto index = static_cast<std::uint32_t>(data);
  switch (event) {
    case Event::arrival:
      send_request(workloads_.next_request(index, kNone));
      workloads_.schedule_next_arrival(index);
      break;
    case Event::user_send:
      if (const std::optional<CallRequest> r = workloads_.user_send(Pair::unpack(data))) {
        send_request(*r);
      }
      break;
    case Event::users_change: {
      const Pair p = Pair::unpack(data);
      workloads_.set_user_level(p.first, static_cast<long>(p.second));
      break;
    }
    case Event::timeouts:
      timeouts(index);
      break;
    case Event::retry: {
      const Ref call = Ref::unpack(data);
      if (calls_.backoff_over(call)) send_attempt(call);
      break;
    }
    case Event::work_done:
      work_done(Ref::unpack(data));
      break;
    case Event::ps_done:
      ps_done(Pair::unpack(data));
      break;
    case Event::cores_done:
      cores_done(index);
      break;
    case Event::delay_done:
      if (Job* j = jobs_.get(Ref::unpack(data))) {  // null: its replica crashed meanwhile
        ++j->step;
        ready_.push_back(Ref::unpack(data));
      }
      break;
    case Event::pool_handover:
      pool_handover();
      break;
    case Event::pool_timeouts:
      pool_timeouts(index);
      break;
    case Event::queue_visibility:
      queues_.visibility_due(index);
      pump(index);
      break;
    case Event::queue_window:
      queues_.window_due(index);
      pump(index);
      break;
    case Event::cache_refresh:
      cache_refresh(index);
      break;
    case Event::cache_lock: {
      const Pair p = Pair::unpack(data);
      if (services_[p.first].cache->lapse_lock(p.second, now, stats_.service(p.first))) {
        aside_handover(p.first, p.second);
      }
      break;
    }
    case Event::window:
      close_window();
      break;
    case Event::warmup_end:
      stats_.begin_measurement(now);
      break;
    case Event::fault:
      fault(index);
      break;
    case Event::fault_end:
      fault_end(index);
      break;
    case Event::restart:
      restart(Pair::unpack(data));
      break;
    case Event::replica_ready:
      replica_ready(Pair::unpack(data));
      break;
    case Event::autoscale_sync:
      autoscale_sync(index);
      break;
    case Event::autoscale_poll:
      keda_poll(index);
      break;
    case Event::autoscale_mark:
      take_mark(Pair::unpack(data));
      break;
    case Event::schedule_step:
      schedule_step(Pair::unpack(data));
      break;
    case Event::oom_kill:
      oom_kill(Pair::unpack(data));
      break;
    case Event::phase:
      stats_.phase_boundary(index / 2, index % 2 == 0, now);
      break;
    case Event::node_ready:
      node_ready(index);
      break;
    case Event::cluster_scan:
      cluster_scan();
      break;
    case Event::node_detection:
      node_detection(index);
      break;
  }
  drain();
}

}  // namespace capsim::net
