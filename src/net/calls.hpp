#pragma once
/// \file Calls: a client request or a job's call to another service, sent as attempts that time
/// out, retry with backoff under a budget, and pass a circuit breaker. The component keeps the
/// calls, the timeout queues, the budgets and the breakers; it never touches a job or a service.
/// What to do with an attempt (create the job at the callee, answer the caller) it returns to
/// the coordinator.

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "capsim/model/spec.hpp"
#include "capsim/net/network.hpp"
#include "capsim/net/resilience.hpp"
#include "capsim/sim/random.hpp"
#include "clock.hpp"
#include "pool.hpp"
#include "program.hpp"
#include "statistics.hpp"

namespace capsim::net {

/// Who waits for a call's answer: a client, a job, nobody (a fire-and-forget call, whose
/// `caller` is the job that sent it, for traces only: it may have ended since), or a cache's
/// periodic refresh (its query for one key: `workload` is the cache, `user` the key).
enum class CallerKind : std::uint8_t { client, job, detached, refresh };

/// One logical call: a client request, or a job's call to another service. It sends attempts
/// (jobs at the callee), times them out, retries them, and answers its caller once.
struct CallState {
  std::uint32_t generation = 1;
  std::uint32_t next_free = kNone;
  CallerKind caller_kind = CallerKind::client;
  Ref caller;                      ///< the calling job (caller_kind == job)
  std::uint32_t workload = kNone;  ///< client calls; refresh: the cache service
  std::uint32_t user = kNone;      ///< closed workloads; refresh: the key
  const Policy* policy = nullptr;
  std::uint32_t service = kNone;
  std::uint32_t endpoint = kNone;
  model::DbOp op = model::DbOp::read;
  std::uint64_t key = 0;  ///< the request's random-number key; attempt n's: derive(key, n)
  /// The key as if every attempt above were the first (Job::origin); every attempt's job gets
  /// derive(origin, 1), the first attempt's key: a retry looks up the same cache key.
  std::uint64_t origin = 0;
  std::uint32_t client = kNone;  ///< the request's client (workloads with `clients`)
  std::uint32_t attempt = 0;     ///< attempts sent so far; the current one's number
  bool in_flight = false;        ///< the current attempt is out and not yet answered or given up
  double first_sent_s = 0.0;
  double last_delay_s = 0.0;  ///< decorrelated jitter
  sim::EventId timer;         ///< the backoff before the next attempt
  /// A cache-aside lookup: the attempt that answered missed key `cache_key` (docs/request-path.md).
  bool cache_missed = false;
  std::uint32_t cache_key = 0;
};

/// Who makes a call, and to what.
struct CallRequest {
  CallerKind caller_kind = CallerKind::client;
  Ref caller_job;
  std::uint32_t workload = kNone;
  std::uint32_t user = kNone;
  const Policy* policy = nullptr;
  std::uint32_t service = kNone;
  std::uint32_t endpoint = kNone;
  model::DbOp op = model::DbOp::read;
  std::uint64_t key = 0;
  std::uint64_t origin = 0;  ///< CallState::origin: the key of a client's request, a refresh's
  std::uint32_t client = kNone;
};

/// An attempt to deliver: a job for `endpoint` of `service`, keyed `key`.
struct Delivery {
  std::uint32_t service = kNone;
  std::uint32_t endpoint = kNone;
  model::DbOp op = model::DbOp::read;
  std::uint64_t key = 0;
  std::uint32_t attempt = 0;
  std::uint32_t client = kNone;
  std::uint64_t origin = 0;  ///< the job's Job::origin
};

/// What follows an attempt's end.
enum class AfterAttempt : std::uint8_t {
  retry_now,    ///< send the next attempt at once
  retry_later,  ///< the next attempt is scheduled (Event::retry)
  complete,     ///< the call is over: answer its caller
};

class Calls {
 public:
  Calls(Clock& clock, Statistics& stats, const model::Spec& spec, std::uint64_t replication);

  /// Registers a caller's policy: its timeout queue, retry budget and breaker.
  Policy add_policy(const std::optional<double>& timeout_s,
                    const std::optional<model::RetrySpec>& retry,
                    const std::optional<model::CircuitBreakerSpec>& breaker,
                    const std::string& edge, std::uint32_t callee);

  /// A new call; send() its first attempt.
  Ref start(const CallRequest& request);
  /// Sends the call's next attempt: the job to deliver, or nothing when the breaker refuses it
  /// (the attempt has then ended with circuit_open: route it to after_attempt()).
  std::optional<Delivery> send(Ref call);
  /// The attempt `attempt` of `call` has returned: true when the call was waiting for it (then
  /// route the outcome to after_attempt()), false when its result is unused (a timed-out
  /// attempt, or a call already answered).
  bool returned(Ref call, std::uint32_t attempt);
  /// The current attempt ended with `outcome`: retry it, or complete the call.
  AfterAttempt after_attempt(Ref call, Outcome outcome);
  /// The backoff of `call` is over: true when the call still exists (send() it).
  bool backoff_over(Ref call);
  /// Attempt `attempt` of `call`, a cache-aside lookup, missed `key`: noted when the call still
  /// waits for that attempt (its answer, a success, follows at once).
  void cache_missed(Ref call, std::uint32_t attempt, std::uint32_t key) {
    CallState* c = calls_.get(call);
    if (c == nullptr || c->attempt != attempt || !c->in_flight) return;
    c->cache_missed = true;
    c->cache_key = key;
  }
  /// A cache's refresh query (CallerKind::refresh): starts it with its cache and key.
  Ref start_refresh(const CallRequest& request, std::uint32_t cache, std::uint32_t key) {
    const Ref r = start(request);
    calls_[r.index].workload = cache;
    calls_[r.index].user = key;
    return r;
  }
  /// Releases a completed call.
  void release(Ref call) { calls_.release(call.index); }

  /// Event::timeouts of `queue`: call next_timed_out() until it returns nothing, routing each
  /// call's timeout, then timeouts_done().
  void timeouts_begin(std::uint32_t queue) { timeout_queues_[queue].scheduled = false; }
  std::optional<Ref> next_timed_out(std::uint32_t queue, double now);
  void timeouts_done(std::uint32_t queue);

  const CallState& operator[](Ref call) const { return calls_[call.index]; }
  const CallState* get(Ref call) const { return calls_.get(call); }

 private:
  /// Attempts of one policy all time out after the same delay, so their deadlines come in the
  /// order the attempts were sent: a FIFO with one calendar event for its head replaces a timer
  /// per attempt. Entries of attempts that were answered are skipped when they reach the head.
  struct TimeoutQueue {
    struct Entry {
      double deadline_s;
      Ref call;
      std::uint32_t attempt;
    };
    std::deque<Entry> entries;
    bool scheduled = false;
  };
  struct BreakerSite {
    CircuitBreaker breaker;
    std::string edge;  // "caller->callee"
    std::uint32_t callee = kNone;
    BreakerState logged = BreakerState::closed;  // the last state written to the event log
  };
  void note_breaker(BreakerSite& site);

  Clock& clock_;
  Statistics& stats_;
  const model::Spec& spec_;
  Pool<CallState> calls_;
  std::deque<BreakerSite> breakers_;  // deque: stable addresses while compiling
  std::vector<RetryBudget> budgets_;
  std::vector<TimeoutQueue> timeout_queues_;
  sim::RandomStream backoff_rng_;
};

/// The origin of the job of any attempt of `c`: the first attempt's key when nothing above
/// was retried (Job::origin).
inline std::uint64_t attempt_origin(const CallState& c) {
  return sim::derive_key(c.origin, 1);
}

/// The failure kind a retry policy's `on` names for an outcome.
inline model::Failure failure_of(Outcome o) {
  switch (o) {
    case Outcome::timeout:
      return model::Failure::timeout;
    case Outcome::rejected:
      return model::Failure::rejected;
    case Outcome::rate_limited:
      return model::Failure::rate_limited;
    case Outcome::circuit_open:
      return model::Failure::circuit_open;
    case Outcome::throttled:
      return model::Failure::throttled;
    case Outcome::success:
    case Outcome::error:
      break;
  }
  return model::Failure::error;
}

// Hot paths, inline: they run for every attempt.

inline Ref Calls::start(const CallRequest& request) {
  const Ref r = calls_.acquire();
  CallState& c = calls_[r.index];
  const Policy& policy = *request.policy;
  c.key = request.key;
  c.origin = request.origin;
  c.client = request.client;
  c.caller_kind = request.caller_kind;
  c.caller = request.caller_job;
  c.workload = request.workload;
  c.user = request.user;
  c.policy = &policy;
  c.service = request.service;
  c.endpoint = request.endpoint;
  c.op = request.op;
  c.first_sent_s = clock_.now();
  if (policy.retry) c.last_delay_s = policy.retry->backoff.base_s;
  if (policy.budget != kNone) budgets_[policy.budget].request(clock_.now());
  return r;
}

inline std::optional<Delivery> Calls::send(Ref call) {
  CallState& c = calls_[call.index];
  ++c.attempt;
  c.in_flight = true;
  const Policy& p = *c.policy;
  if (p.breaker != kNone) {
    BreakerSite& site = breakers_[p.breaker];
    note_breaker(site);
    if (!site.breaker.allow(clock_.now())) return std::nullopt;
  }
  if (p.timeouts != kNone) {
    TimeoutQueue& q = timeout_queues_[p.timeouts];
    const double deadline = clock_.now() + *p.timeout_s;
    q.entries.push_back(TimeoutQueue::Entry{deadline, call, c.attempt});
    if (!q.scheduled) {
      q.scheduled = true;
      // The head's deadline, not this attempt's: a retry sent at once while the queue's timeouts
      // are handled (Event::timeouts, zero backoff) queues behind attempts still out, whose
      // deadlines come first. (Otherwise the queue is empty but for this attempt.)
      clock_.at(std::max(q.entries.front().deadline_s, clock_.now()), Event::timeouts, p.timeouts);
    }
  }
  return Delivery{c.service, c.endpoint,       c.op, sim::derive_key(c.key, c.attempt), c.attempt,
                  c.client,  attempt_origin(c)};
}

inline bool Calls::returned(Ref call, std::uint32_t attempt) {
  CallState* c = calls_.get(call);
  if (c == nullptr || c->attempt != attempt || !c->in_flight) return false;
  clock_.cancel(c->timer);
  c->timer = sim::EventId{};
  return true;
}

inline AfterAttempt Calls::after_attempt(Ref call, Outcome outcome) {
  CallState& c = calls_[call.index];
  c.in_flight = false;
  const Policy& p = *c.policy;
  const double now = clock_.now();
  if (p.breaker != kNone && outcome != Outcome::circuit_open) {
    BreakerSite& site = breakers_[p.breaker];
    note_breaker(site);
    site.breaker.record(now, outcome == Outcome::success);
    note_breaker(site);
  }
  if (outcome != Outcome::success && p.retry != nullptr &&
      (p.retry->on & model::failure_bit(failure_of(outcome))) &&
      static_cast<int>(c.attempt) < p.retry->max_attempts &&
      (p.budget == kNone || budgets_[p.budget].try_retry(now))) {
    if (c.caller_kind == CallerKind::client) {
      stats_.workload(c.workload).retry();
    } else {
      stats_.call_retry();
    }
    const double delay =
        backoff_delay(p.retry->backoff, static_cast<int>(c.attempt), c.last_delay_s, backoff_rng_);
    c.last_delay_s = delay;
    if (delay <= 0.0) return AfterAttempt::retry_now;
    c.timer = clock_.after(delay, Event::retry, call.pack());
    return AfterAttempt::retry_later;
  }
  return AfterAttempt::complete;
}

}  // namespace capsim::net
