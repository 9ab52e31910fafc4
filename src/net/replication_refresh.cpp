/// \file A cache's periodic refresh (docs/request-path.md#periodic-refresh): a cron job that, at
/// t = 0 and every `every` after, queries the cache's backend once for each of its hottest keys
/// and rewrites each key whose query succeeded. Its queries are calls of nobody's (no caller
/// job, no connection pool), under the cache's backend call policy; their jobs at the backend
/// are its cost.

#include "replication.hpp"

namespace capsim::net {

namespace {
/// The random-number key of a cache's refresh runs: derive(derive(label, service), run) is a
/// run's; derive(that, k) the query of key k.
constexpr std::uint64_t kRefreshLabel = 0x7265667265736821ULL;  // "refresh!"
}  // namespace

void Replication::cache_refresh(std::uint32_t service) {
  Cache& c = *services_[service].cache;
  const CallSite& site = c.backend();
  stats_.service(service).refresh_run();
  const std::uint64_t run =
      sim::derive_key(sim::derive_key(kRefreshLabel, service), c.next_refresh_run());
  const std::int64_t keys = c.refresh_keys();
  for (std::int64_t k = 0; k < keys; ++k) {
    CallRequest r;
    r.caller_kind = CallerKind::refresh;
    r.policy = &site.policy;
    r.service = site.service;
    r.endpoint = site.endpoint;
    r.op = site.op;
    r.key = sim::derive_key(run, static_cast<std::uint64_t>(k));
    r.origin = r.key;
    // Not through send_request: traces follow clients' requests, and nobody sent this one.
    send_attempt(calls_.start_refresh(r, service, static_cast<std::uint32_t>(k)));
  }
  clock_.after(c.spec().refresh->every_s, Event::cache_refresh, service);
}

void Replication::refresh_done(const CallState& call, Outcome outcome) {
  const std::uint32_t service = call.workload;
  Cache& c = *services_[service].cache;
  stats_.service(service).refresh_key(outcome == Outcome::success);
  if (outcome != Outcome::success) return;  // the key keeps what it had, until it expires
  c.refreshed(call.user, call.first_sent_s, clock_.now());
  answer_aside(c);
}

}  // namespace capsim::net
