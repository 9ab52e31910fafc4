#include "replication.hpp"

#include <algorithm>

#include "capsim/dist/duration.hpp"
#include "capsim/model/error.hpp"
#include "steps.hpp"

// The replication's set-up, its run loop and its cold paths, apart from the event handlers
// (replication.cpp) so that the hot code stays in one translation unit the compiler can inline
// through.

namespace capsim::net {

namespace {

/// Databases route reads and writes, health checks eject, autoscalers, crashes and OOM kills
/// (a memory limit) take replicas away: all of these leave the balancer's fast path (every
/// replica always eligible).
std::vector<bool> simple_balancing(const model::Spec& spec) {
  std::vector<bool> simple(spec.services.size(), true);
  for (const model::FaultSpec& f : spec.faults) {
    // Crashes take replicas away; rollouts replace them.
    if (f.kind == model::FaultKind::crash || f.kind == model::FaultKind::rollout) {
      simple[*spec.service_index(f.service)] = false;
    }
  }
  for (std::size_t i = 0; i < spec.services.size(); ++i) {
    const model::ServiceSpec& s = spec.services[i];
    if (s.database || s.load_balancer.health || s.autoscaling) simple[i] = false;
    if (s.memory && s.memory->limit_mib) simple[i] = false;
    if (s.pod) simple[i] = false;  // Pending pods, evictions
  }
  return simple;
}

}  // namespace

Replication::Replication(const model::Spec& spec, const ReplicationOptions& options)
    : spec_(spec),
      options_(options),
      clock_(*this),
      stats_(spec, options.timeseries),
      calls_(clock_, stats_, spec, options.replication),
      cpu_(clock_, jobs_),
      station_(jobs_, stats_, spec.simulation.max_queue),
      workloads_(clock_, stats_, spec, options.replication),
      pools_(spec, clock_, stats_),
      queues_(spec, clock_, stats_) {
  const std::uint64_t seed = spec.simulation.seed;
  const std::uint64_t rep = options.replication;
  const std::vector<bool> simple = simple_balancing(spec);
  const std::uint32_t clients = Workloads::client_count(spec);
  services_.reserve(spec.services.size());
  for (std::size_t i = 0; i < spec.services.size(); ++i) {
    const model::ServiceSpec& ss = spec.services[i];
    Service& s = services_.emplace_back(
        ss, static_cast<std::uint32_t>(i),
        sim::RandomStream(seed, rep, "service/" + ss.name + "/balancer"), simple[i]);
    if (!ss.rate_limits.empty()) s.rate_limit.emplace(ss.rate_limits, clients);
    if (ss.database && ss.database->capacity_units) {
      s.capacity_units.emplace(*ss.database->capacity_units);
    }
  }
  // Compile after every service exists so calls can be resolved.
  ProgramCompiler compiler(spec, calls_);
  for (Service& s : services_) {
    for (const model::EndpointSpec& e : s.spec->endpoints) {
      s.endpoints.push_back(compiler.steps(e.steps, s.spec->name));
    }
    if (const auto& cs = s.spec->cache) {
      CallSite site;  // no backend (cache-aside only): site.service stays kNone
      if (!cs->backend.empty()) {
        const auto backend = spec.service_index(cs->backend);
        if (!backend) throw model::ModelError(s.spec->pointer + "/backend", "unknown service");
        site.service = static_cast<std::uint32_t>(*backend);
        site.endpoint = endpoint_index(spec.services[*backend], cs->backend_endpoint,
                                       s.spec->pointer + "/backend");
      }
      s.cache.emplace(*cs, std::move(site),
                      sim::RandomStream(seed, rep, "service/" + s.spec->name + "/cache"));
    }
    if (const auto& memory = s.spec->memory) {
      s.memory_per_request.emplace(memory->per_request_mib);
      // The replicas up at t = 0 hold their baseline (ReplicaSet's constructor set theirs).
      stats_.service(s.index).memory(0.0, s.spec->replicas * memory->baseline_mib,
                                     memory->baseline_mib);
    }
    if (s.spec->autoscaling) {
      s.autoscaler = std::make_unique<scale::Autoscaler>(*s.spec->autoscaling, s.spec->replicas);
      if (s.spec->memory) s.autoscaler->set_memory_request(s.spec->memory->request_mib);
      if (s.spec->pod) s.autoscaler->set_cpu_request(s.spec->pod->cores);
      stats_.service(s.index).set_latency_slice(s.autoscaler->latency_slice());
    }
  }
  workloads_.build(calls_);
}

void Replication::fail(const std::string& what) const {
  throw SimulationError(clock_.now(), what);
}

void Replication::close_window() {
  const double now = clock_.now();
  if (options_.progress_s) options_.progress_s->store(now, std::memory_order_relaxed);
  stats_.close_window(window_start_s_, now);
  window_start_s_ = now;
  const double next = now + spec_.simulation.effective_window_s();
  const double end = spec_.simulation.duration_s;
  if (now < end) clock_.at(std::min(next, end), Event::window, 0, sim::Priority::observe);
}

// ---------------------------------------------------------------------------------------------
// The run.

stats::Summary Replication::run() {
  const double duration = spec_.simulation.duration_s;
  const double warmup = spec_.simulation.warmup_s;
  if (warmup > 0.0) {
    clock_.at(warmup, Event::warmup_end, 0, sim::Priority::urgent);
  } else {
    stats_.begin_measurement(clock_.now());
  }
  clock_.at(std::min(spec_.simulation.effective_window_s(), duration), Event::window, 0,
            sim::Priority::observe);
  for (std::uint32_t f = 0; f < spec_.faults.size(); ++f) {
    clock_.at(spec_.faults[f].at_s, Event::fault, f, sim::Priority::urgent);
  }
  for (std::uint32_t p = 0; p < spec_.simulation.phases.size(); ++p) {
    const model::PhaseSpec& phase = spec_.simulation.phases[p];
    if (phase.from_s > 0.0) {
      clock_.at(phase.from_s, Event::phase, 2 * p, sim::Priority::urgent);
    } else {
      stats_.phase_boundary(p, true, clock_.now());
    }
    clock_.at(phase.to_s, Event::phase, 2 * p + 1, sim::Priority::urgent);
  }
  if (spec_.nodes) start_nodes();
  for (std::uint32_t i = 0; i < services_.size(); ++i) {
    if (services_[i].cache && services_[i].cache->spec().refresh) {
      // A cron job that runs with the deployment, then every `every`.
      refreshing_ = true;
      clock_.at(0.0, Event::cache_refresh, i);
    }
  }
  for (std::uint32_t i = 0; i < services_.size(); ++i) {
    if (services_[i].autoscaler) start_autoscaler(i);
  }
  for (std::uint32_t w = 0; w < spec_.workloads.size(); ++w) workloads_.start(w);
  // Events run in chunks so that a cancellation (Ctrl-C, --max-wall) is seen within about a
  // million events without a check per event.
  constexpr std::uint64_t kChunk = std::uint64_t{1} << 20;
  // Chunks whose events all fell at one instant: time no longer moves (a zero-time loop).
  constexpr int kStoppedChunks = 8;
  int stopped_chunks = 0;
  for (;;) {
    const std::uint64_t fired = clock_.events_fired();
    const double chunk_start_s = clock_.now();
    const std::uint64_t budget =
        options_.max_events - fired > kChunk ? fired + kChunk : options_.max_events;
    if (clock_.run_until(duration, budget)) break;
    if (clock_.events_fired() >= options_.max_events) {
      fail("the event budget (" + std::to_string(options_.max_events) +
           " events, --max-events) was spent at simulated time " +
           dist::format_duration(clock_.now()) + " of " + dist::format_duration(duration));
    }
    if (options_.cancel && options_.cancel->load(std::memory_order_relaxed)) {
      throw Cancelled(clock_.now());
    }
    stopped_chunks = clock_.now() == chunk_start_s ? stopped_chunks + 1 : 0;
    if (stopped_chunks == kStoppedChunks) {
      fail("the simulated clock stopped at " + dist::format_duration(clock_.now()) + ": " +
           std::to_string(kStoppedChunks * kChunk) +
           " events at that one instant, a loop that takes no time (closed users with no "
           "think_time whose requests fail at once, say while their service has no replica up: "
           "give them a think_time, or their calls a timeout with backoff)");
    }
  }
  stats::Summary summary = stats_.summarize(clock_.now(), clock_.events_fired());
  if (nodes_) stranded_notices(summary.notices);
  return summary;
}

}  // namespace capsim::net
