/// \file The coordinator's part of connection pools (docs/request-path.md#connection-pools): an
/// attempt from a replica that keeps a pool towards its callee first gets a connection (at
/// once, after a wait, or not at all); its job at the callee holds it until it ends.

#include "replication.hpp"

namespace capsim::net {

namespace {

/// Whether `call` still waits for its attempt `attempt` (not timed out, not answered).
bool waits_for(const Calls& calls, Ref call, std::uint32_t attempt) {
  const CallState* c = calls.get(call);
  return c != nullptr && c->attempt == attempt && c->in_flight;
}

}  // namespace

bool Replication::acquire_connection(Ref call, const Delivery& d, std::uint32_t& connection) {
  const CallState& c = calls_[call];
  if (c.caller_kind != CallerKind::job) return true;  // clients and async calls keep no pool
  // The caller's replica: a branch of a parallel step holds none of its own, so its host is
  // the job that forked it.
  const Job* host = jobs_.get(c.caller);
  while (host != nullptr && host->service == kNone && host->parent_kind == ParentKind::job) {
    host = jobs_.get(host->parent);
  }
  if (host == nullptr || host->service == kNone || host->replica == kNone) return true;
  const std::uint32_t pool = pools_.find(host->service, host->replica, d.service);
  if (pool == kNone) return true;
  switch (pools_.acquire(pool, call, d.attempt)) {
    case ConnectionPools::Acquire::granted:
      connection = pool;
      return true;
    case ConnectionPools::Acquire::queued:
      return false;  // the caller's job keeps its worker while it waits
    case ConnectionPools::Acquire::refused:
    case ConnectionPools::Acquire::timed_out:
      // A connection error, as the driver raises it: the attempt fails with `error`.
      attempt_done(call, Outcome::error);
      return false;
  }
  return false;
}

void Replication::pool_handover() {
  const ConnectionPools::Handover h = pools_.next_handover();
  if (!waits_for(calls_, h.waiter.call, h.waiter.attempt)) {
    pools_.release(h.pool);  // its call gave up meanwhile: the next waiter's turn
    return;
  }
  pools_.granted(h);
  const CallState& c = calls_[h.waiter.call];
  deliver(h.waiter.call,
          Delivery{c.service, c.endpoint, c.op, sim::derive_key(c.key, c.attempt), c.attempt,
                   c.client, attempt_origin(c)},
          h.pool);
}

void Replication::pool_timeouts(std::uint32_t pool) {
  std::vector<ConnectionWaiter> due;
  pools_.expire(pool, due);
  for (const ConnectionWaiter& w : due) {
    if (!waits_for(calls_, w.call, w.attempt)) continue;
    pools_.timed_out(pool);
    attempt_returned(w.call, w.attempt, Outcome::error);
  }
}

}  // namespace capsim::net
