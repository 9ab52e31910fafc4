#include "replication.hpp"

#include <algorithm>

#include "capsim/model/error.hpp"
#include "steps.hpp"

// The replication's set-up and its cold paths, apart from the event loop (replication.cpp) so
// that the hot code stays in one translation unit the compiler can inline through.

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

}  // namespace capsim::net
