#include "calls.hpp"

namespace capsim::net {

Calls::Calls(Clock& clock, Statistics& stats, const model::Spec& spec, std::uint64_t replication)
    : clock_(clock),
      stats_(stats),
      spec_(spec),
      backoff_rng_(spec.simulation.seed, replication, "retry/backoff") {}

Policy Calls::add_policy(const std::optional<double>& timeout_s,
                         const std::optional<model::RetrySpec>& retry,
                         const std::optional<model::CircuitBreakerSpec>& breaker,
                         const std::string& edge, std::uint32_t callee) {
  Policy p;
  p.timeout_s = timeout_s;
  if (timeout_s) {
    p.timeouts = static_cast<std::uint32_t>(timeout_queues_.size());
    timeout_queues_.emplace_back();
  }
  if (retry) {
    p.retry = &*retry;
    if (retry->budget) {
      p.budget = static_cast<std::uint32_t>(budgets_.size());
      budgets_.emplace_back(*retry->budget);
    }
  }
  if (breaker) {
    p.breaker = static_cast<std::uint32_t>(breakers_.size());
    breakers_.push_back(BreakerSite{CircuitBreaker(*breaker), edge, callee});
  }
  return p;
}

void Calls::note_breaker(BreakerSite& site) {
  // Called around every use of the breaker, so that each state it passes through is logged.
  const BreakerState now = site.breaker.state(clock_.now());
  if (now != site.logged) {
    site.logged = now;
    stats_.log_event(clock_.now(), std::string("breaker_") + breaker_state_name(now),
                     spec_.services[site.callee].name, site.edge);
  }
}

bool Calls::backoff_over(Ref call) {
  CallState* c = calls_.get(call);
  if (c == nullptr) return false;
  c->timer = sim::EventId{};
  return true;
}

std::optional<Ref> Calls::next_timed_out(std::uint32_t queue, double now) {
  TimeoutQueue& q = timeout_queues_[queue];
  while (!q.entries.empty() && q.entries.front().deadline_s <= now) {
    const TimeoutQueue::Entry e = q.entries.front();
    q.entries.pop_front();
    const CallState* c = calls_.get(e.call);
    if (c != nullptr && c->attempt == e.attempt && c->in_flight) return e.call;
  }
  return std::nullopt;
}

void Calls::timeouts_done(std::uint32_t queue) {
  // A retry sent meanwhile may already have scheduled the queue's next event.
  TimeoutQueue& q = timeout_queues_[queue];
  if (q.scheduled) return;
  // Attempts answered since they were sent need no event of their own: drop them from the head,
  // so that the next event falls on the deadline of the first attempt still out. (Most attempts
  // are answered long before their deadline; their events would have fired only to skip them.)
  while (!q.entries.empty()) {
    const TimeoutQueue::Entry& e = q.entries.front();
    const CallState* c = calls_.get(e.call);
    if (c != nullptr && c->attempt == e.attempt && c->in_flight) break;
    q.entries.pop_front();
  }
  if (!q.entries.empty()) {
    q.scheduled = true;
    clock_.at(q.entries.front().deadline_s, Event::timeouts, queue);
  }
}

}  // namespace capsim::net
