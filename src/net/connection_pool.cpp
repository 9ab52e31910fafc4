/// \file Connection pools: creation, acquisition, release, handovers and acquisition timeouts
/// (docs/request-path.md#connection-pools).

#include "connection_pool.hpp"

#include <string>

namespace capsim::net {

ConnectionPools::ConnectionPools(const model::Spec& spec, Clock& clock, Statistics& stats)
    : spec_(spec), clock_(clock), stats_(stats), callee_open_(spec.services.size(), 0) {
  for (const model::ServiceSpec& s : spec.services) {
    first_.push_back(static_cast<std::uint32_t>(callee_of_.size()));
    for (const model::ConnectionPoolSpec& p : s.connection_pools) {
      callee_of_.push_back(static_cast<std::uint32_t>(*spec.service_index(p.service)));
    }
  }
  by_replica_.resize(callee_of_.size());
  // The replicas up at t = 0 open their pools' `min` connections before any request.
  for (std::uint32_t si = 0; si < spec.services.size(); ++si) {
    const model::ServiceSpec& s = spec.services[si];
    for (std::uint32_t k = 0; k < s.connection_pools.size(); ++k) {
      for (int r = 0; r < s.replicas; ++r) create(si, k, static_cast<std::uint32_t>(r));
    }
  }
}

std::uint32_t ConnectionPools::create(std::uint32_t caller, std::uint32_t k,
                                      std::uint32_t replica) {
  std::vector<std::uint32_t>& ids = by_replica_[first_[caller] + k];
  if (ids.size() <= replica) ids.resize(replica + 1, kNone);
  const auto id = static_cast<std::uint32_t>(pools_.size());
  ids[replica] = id;
  PoolState& p = pools_.emplace_back();
  const model::ServiceSpec& s = spec_.services[caller];
  p.spec = &s.connection_pools[k];
  p.stats = first_[caller] + k;
  p.callee = callee_of_[first_[caller] + k];
  int opened = 0;
  while (opened < p.spec->min && open_one(p)) ++opened;
  if (opened < p.spec->min) {
    stats_.log_event(clock_.now(), "pool_refused", spec_.services[p.callee].name,
                     s.name + " replica " + std::to_string(replica) + ": " +
                         std::to_string(opened) + " of min " + std::to_string(p.spec->min) +
                         " connections opened (max_connections)");
  }
  return id;
}

std::uint32_t ConnectionPools::find(std::uint32_t caller, std::uint32_t replica,
                                    std::uint32_t callee) {
  const std::uint32_t first = first_[caller];
  const std::uint32_t end = caller + 1 < first_.size()
                                ? first_[caller + 1]
                                : static_cast<std::uint32_t>(callee_of_.size());
  for (std::uint32_t i = first; i < end; ++i) {
    if (callee_of_[i] != callee) continue;
    const std::vector<std::uint32_t>& ids = by_replica_[i];
    if (replica < ids.size() && ids[replica] != kNone) return ids[replica];
    // A replica an autoscaler started: its pool opens when it first calls.
    return create(caller, i - first, replica);
  }
  return kNone;
}

bool ConnectionPools::open_one(PoolState& p) {
  const std::optional<std::int64_t>& limit = spec_.services[p.callee].max_connections;
  if (limit && callee_open_[p.callee] >= *limit) return false;
  ++callee_open_[p.callee];
  ++p.open;
  stats_.pool(p.stats).open(clock_.now(), 1.0);
  return true;
}

ConnectionPools::Acquire ConnectionPools::acquire(std::uint32_t pool, Ref call,
                                                  std::uint32_t attempt) {
  PoolState& p = pools_[pool];
  PoolStats& st = stats_.pool(p.stats);
  const double now = clock_.now();
  st.acquisition();
  if (p.in_use < p.open || (p.open < p.spec->max && open_one(p))) {
    ++p.in_use;
    st.in_use(now, 1.0);
    st.granted(0.0);
    return Acquire::granted;
  }
  if (p.open < p.spec->max) {
    // The callee refused the new connection ("too many clients"): the call fails at once, as
    // node-postgres' pool.connect() does.
    st.refused();
    return Acquire::refused;
  }
  if (p.spec->acquire_timeout_s <= 0.0) {
    st.timed_out();
    return Acquire::timed_out;
  }
  const double deadline = now + p.spec->acquire_timeout_s;
  p.waiting.push_back(ConnectionWaiter{call, attempt, now, deadline});
  if (!p.timer) {
    p.timer = true;
    clock_.at(deadline, Event::pool_timeouts, pool);
  }
  return Acquire::queued;
}

void ConnectionPools::release(std::uint32_t pool) {
  PoolState& p = pools_[pool];
  if (!p.waiting.empty()) {
    // The connection stays in use: it goes to the longest-waiting call, at this instant but
    // after the current event (no recursion through the callee's job).
    handovers_.push_back(Handover{pool, p.waiting.front()});
    p.waiting.pop_front();
    clock_.at(clock_.now(), Event::pool_handover);
    return;
  }
  --p.in_use;
  stats_.pool(p.stats).in_use(clock_.now(), -1.0);
}

ConnectionPools::Handover ConnectionPools::next_handover() {
  const Handover h = handovers_.front();
  handovers_.pop_front();
  return h;
}

void ConnectionPools::granted(const Handover& h) {
  stats_.pool(pools_[h.pool].stats).granted(clock_.now() - h.waiter.since_s);
}

void ConnectionPools::expire(std::uint32_t pool, std::vector<ConnectionWaiter>& out) {
  PoolState& p = pools_[pool];
  p.timer = false;
  const double now = clock_.now();
  while (!p.waiting.empty() && p.waiting.front().deadline_s <= now) {
    out.push_back(p.waiting.front());
    p.waiting.pop_front();
  }
  if (!p.waiting.empty()) {
    p.timer = true;
    clock_.at(p.waiting.front().deadline_s, Event::pool_timeouts, pool);
  }
}

}  // namespace capsim::net
