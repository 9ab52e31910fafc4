/// \file The coordinator's part of the request path beyond work and calls: fallbacks (a
/// caller's own answer in place of a failed call) and the degraded answers they make,
/// cache-aside misses (the caller's on_miss steps after a lookup that missed), and a
/// database's capacity units. docs/request-path.md and docs/capacity-units.md describe them.

#include "calls.hpp"
#include "replication.hpp"

namespace capsim::net {

bool Replication::start_fallback(const CallState& call, Outcome outcome) {
  const Policy& policy = *call.policy;
  if (!(policy.fallback_on & model::failure_bit(failure_of(outcome)))) return false;
  Job* caller = jobs_.get(call.caller);
  if (caller == nullptr) return false;  // the caller's replica crashed: nobody is waiting
  // The fallback runs on the caller's replica (its worker and cores): a branch of a parallel
  // step holds none of its own, so its host is the job that forked it.
  const Job* host = caller;
  while (host != nullptr && host->service == kNone && host->parent_kind == ParentKind::job) {
    host = jobs_.get(host->parent);
  }
  if (host == nullptr || host->service == kNone) return false;
  caller->degraded = true;
  stats_.service(host->service).fallback();
  const Ref job = new_job(policy.fallback.get(), host->service, ParentKind::job, call.caller, 0);
  Job& j = jobs_[job.index];
  j.replica = host->replica;
  // Attempt n of the call is keyed derive(key, n), n small: this key is the fallback's own.
  j.key = sim::derive_key(call.key, ~std::uint64_t{0});
  j.origin = sim::derive_key(call.origin, ~std::uint64_t{0});
  j.client = call.client;
  ready_.push_back(job);
  return true;
}

void Replication::mark_degraded(ParentKind kind, Ref parent) {
  if (kind != ParentKind::job) return;
  if (Job* p = jobs_.get(parent)) p->degraded = true;
}

bool Replication::start_on_miss(const CallState& call) {
  const Policy& policy = *call.policy;
  Job* caller = jobs_.get(call.caller);
  if (caller == nullptr) return false;  // the caller's replica crashed: nobody is waiting
  // As a fallback: the steps run on the caller's replica, the host of a parallel branch.
  const Job* host = caller;
  while (host != nullptr && host->service == kNone && host->parent_kind == ParentKind::job) {
    host = jobs_.get(host->parent);
  }
  if (host == nullptr || host->service == kNone) return false;
  const Ref job = new_job(policy.on_miss.get(), host->service, ParentKind::job, call.caller, 0);
  Job& j = jobs_[job.index];
  j.replica = host->replica;
  // The fallback's key is derive(key, ~0); this one is the miss's own.
  j.key = sim::derive_key(call.key, ~std::uint64_t{1});
  j.origin = sim::derive_key(call.origin, ~std::uint64_t{1});
  j.client = call.client;  // its calls are the request's: they carry its client
  if (policy.writes_back) {
    j.aside_cache = call.service;
    j.cache_key = call.cache_key;
    j.aside_fills = true;
  }
  Cache& cache = *services_[call.service].cache;
  if (cache.aside_locks() && cache.claim_lock(call.cache_key, job)) [[unlikely]] {
    // The miss took the key's lock: this job holds it until it ends, or lock_ttl lapses it.
    j.aside_cache = call.service;
    j.cache_key = call.cache_key;
    if (const std::optional<double> ttl = cache.spec().lock_ttl_s) {
      clock_.after(*ttl, Event::cache_lock, Pair{call.service, call.cache_key}.pack());
    }
  }
  ready_.push_back(job);
  return true;
}

bool Replication::consume_units(Service& s, const Job& j, double now) {
  CapacityDimension& units = s.capacity_units->dimension(j.op);
  ServiceStats& st = stats_.service(j.service);
  if (!units.try_consume(now)) {
    st.throttled();
    return false;
  }
  st.consumed_units(j.op == model::DbOp::write, units.units_per_request());
  return true;
}

}  // namespace capsim::net
