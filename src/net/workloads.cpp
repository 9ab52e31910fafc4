#include "workloads.hpp"

#include <algorithm>
#include <cmath>

#include "capsim/model/error.hpp"
#include "capsim/net/profile.hpp"

namespace capsim::net {

namespace {
// The label of a request's client draw: derive(request key, it).
constexpr std::uint64_t kClientLabel = 0x636c69656e740000ULL;  // "client"
}  // namespace

std::uint32_t Workloads::client_count(const model::Spec& spec) {
  std::uint64_t n = 0;
  for (const model::WorkloadSpec& ws : spec.workloads) {
    if (ws.clients) n += static_cast<std::uint64_t>(ws.clients->count);
  }
  return static_cast<std::uint32_t>(n);
}

void Workloads::build(Calls& calls) {
  const std::uint64_t seed = spec_.simulation.seed;
  workloads_.resize(spec_.workloads.size());
  std::uint32_t next_client = 0;
  for (std::size_t i = 0; i < spec_.workloads.size(); ++i) {
    Workload& w = workloads_[i];
    const model::WorkloadSpec& ws = spec_.workloads[i];
    w.spec = &ws;
    const std::string base = "workload/" + ws.name;
    w.arrival_rng = sim::RandomStream(seed, replication_, base + "/arrivals");
    w.mix_rng = sim::RandomStream(seed, replication_, base + "/mix");
    w.think_rng = sim::RandomStream(seed, replication_, base + "/think");
    w.request_keys = sim::stream_seed(seed, replication_, base + "/requests");
    if (ws.clients) {
      w.clients.emplace(ws.clients->count, ws.clients->popularity, ws.clients->zipf_exponent);
      w.first_client = next_client;
      next_client += static_cast<std::uint32_t>(ws.clients->count);
    }
    const auto target = spec_.service_index(ws.target);
    if (!target) {
      throw model::ModelError(ws.pointer + "/target", "unknown service '" + ws.target + "'");
    }
    w.target = static_cast<std::uint32_t>(*target);
    const model::ServiceSpec& ts = spec_.services[*target];
    double cumulative = 0.0;
    for (const model::MixEntry& m : ws.mix) {
      w.endpoints.push_back(endpoint_index(ts, m.endpoint, ws.pointer));
      cumulative += m.weight;
      w.mix_cumulative.push_back(cumulative);
    }
    if (ws.kind == model::WorkloadKind::open && ws.interarrival) {
      w.interarrival.emplace(*ws.interarrival);
      if (ws.rate.kind != model::ProfileKind::constant) {
        throw model::ModelError(ws.pointer + "/interarrival",
                                "expected a constant rate with an interarrival distribution, found "
                                "a rate profile");
      }
      // With both, the distribution gives the shape and the rate the mean.
      const double mean = w.interarrival->mean();
      if (ws.rate.constant > 0.0 && mean > 0.0) {
        w.interarrival_scale = 1.0 / (ws.rate.constant * mean);
      }
    }
    w.think = dist::Distribution(ws.think_time);
    w.policy = calls.add_policy(ws.timeout_s, ws.retry, std::nullopt, "", w.target);
  }
}

void Workloads::start(std::uint32_t w) {
  Workload& wl = workloads_[w];
  if (wl.spec->kind == model::WorkloadKind::open) {
    schedule_next_arrival(w);
  } else {
    set_user_level(w, level_at(wl.spec->users, 0.0));
  }
}

void Workloads::schedule_next_arrival(std::uint32_t w) {
  Workload& wl = workloads_[w];
  const double horizon = spec_.simulation.duration_s;
  double t = clock_.now();
  if (wl.interarrival) {
    t += wl.interarrival_scale * wl.interarrival->sample(wl.arrival_rng);
    if (t <= horizon) clock_.at(t, Event::arrival, w);
    return;
  }
  const model::Profile& p = wl.spec->rate;
  if (p.kind == model::ProfileKind::constant) {
    if (p.constant > 0.0) {
      t -= std::log(wl.arrival_rng.uniform01()) / p.constant;
      if (t <= horizon) clock_.at(t, Event::arrival, w);
    }
    return;
  }
  // Non-homogeneous Poisson arrivals by thinning, piece by piece: within a piece the candidate
  // rate is the piece's maximum; memorylessness lets us restart at every piece boundary.
  while (t <= horizon) {
    const Segment seg = segment_at(p, t);
    if (seg.max_value <= 0.0) {
      t = seg.end;
      continue;
    }
    const double candidate = t - std::log(wl.arrival_rng.uniform01()) / seg.max_value;
    if (candidate >= seg.end) {
      t = seg.end;
      continue;
    }
    t = candidate;
    if (wl.arrival_rng.uniform01() * seg.max_value <= value_at(p, t)) {
      if (t <= horizon) clock_.at(t, Event::arrival, w);
      return;
    }
  }
}

CallRequest Workloads::next_request(std::uint32_t w, std::uint32_t user) {
  Workload& wl = workloads_[w];
  stats_.workload(w).offered();
  std::uint32_t e = wl.endpoints.front();
  if (wl.endpoints.size() > 1) {
    const double u = wl.mix_rng.uniform01() * wl.mix_cumulative.back();
    std::size_t k = 0;
    while (k + 1 < wl.endpoints.size() && u >= wl.mix_cumulative[k]) ++k;
    e = wl.endpoints[k];
  }
  CallRequest r;
  r.caller_kind = CallerKind::client;
  r.workload = w;
  r.user = user;
  r.policy = &wl.policy;
  r.service = wl.target;
  r.endpoint = e;
  r.key = sim::derive_key(wl.request_keys, wl.sent++);
  r.origin = r.key;
  if (wl.clients) {
    // The request's own draw: the same request comes from the same client in every variant.
    sim::KeyedRandom rng(sim::derive_key(r.key, kClientLabel));
    r.client = wl.first_client + wl.clients->sample(rng);
  }
  return r;
}

std::optional<CallRequest> Workloads::user_send(Pair who) {
  User& user = workloads_[who.first].users[who.second];
  user.think_event = sim::EventId{};
  if (!user.active || user.busy) return std::nullopt;
  user.busy = true;
  return next_request(who.first, who.second);
}

void Workloads::done(std::uint32_t w, std::uint32_t user, Outcome outcome, std::uint32_t attempts,
                     double latency_s) {
  stats_.workload(w).done(outcome, attempts, latency_s);
  if (user == kNone) return;
  Workload& wl = workloads_[w];
  User& u = wl.users[user];
  u.busy = false;
  if (!u.active) return;
  const double think = wl.think.sample(wl.think_rng);
  u.think_event = clock_.after(think, Event::user_send, Pair{w, user}.pack());
}

void Workloads::set_user_level(std::uint32_t w, long level) {
  Workload& wl = workloads_[w];
  const auto n = static_cast<std::size_t>(std::max(0L, level));
  if (wl.users.size() < n) wl.users.resize(n);
  // Users [0, n) are active; a user beyond n stops after its current request (k6 ramping-vus).
  for (std::size_t i = 0; i < wl.users.size(); ++i) {
    User& u = wl.users[i];
    const bool should = i < n;
    if (should && !u.active) {
      u.active = true;
      if (!u.busy && !clock_.pending(u.think_event)) {
        u.think_event =
            clock_.after(0.0, Event::user_send, Pair{w, static_cast<std::uint32_t>(i)}.pack());
      }
    } else if (!should && u.active) {
      u.active = false;
      clock_.cancel(u.think_event);
    }
  }
  wl.user_level = static_cast<long>(n);
  stats_.workload(w).users(clock_.now(), static_cast<double>(n));
  const LevelChange next = next_level_change(wl.spec->users, clock_.now(), wl.user_level);
  if (next.time <= spec_.simulation.duration_s) {
    clock_.at(next.time, Event::users_change,
              Pair{w, static_cast<std::uint32_t>(std::max(0L, next.level))}.pack(),
              sim::Priority::urgent);
  }
}

}  // namespace capsim::net
