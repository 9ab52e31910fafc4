/// \file What `capsim validate` says a model contains: its workloads, its services with what
/// shapes their capacity (kind, autoscaler, pod and node pool, memory limit) and its node pools.

#include <sstream>
#include <string>

#include "capsim/dist/duration.hpp"
#include "capsim/stats/format.hpp"
#include "commands.hpp"

namespace capsim::cli {

namespace {

std::string plural(long long n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string kind_text(const model::ServiceSpec& s) {
  if (s.queue) return "queue (consumer " + s.queue->consumer + ")";
  if (s.database) return "database";
  if (s.cache) return "cache";
  return "";
}

/// "hpa 2..20 on cpu 60%, rps 90", "keda 0..5 on queue_messages 100", "schedule of 3 steps".
std::string autoscaling_text(const model::AutoscalingSpec& a) {
  if (a.kind == model::AutoscalerKind::schedule) {
    return "schedule of " + plural(static_cast<long long>(a.schedule.size()), "step", "steps");
  }
  std::string out = a.kind == model::AutoscalerKind::keda ? "keda " : "hpa ";
  out += std::to_string(a.min) + ".." + std::to_string(a.max) + " on ";
  for (std::size_t i = 0; i < a.metrics.size(); ++i) {
    const model::ScaleMetricSpec& m = a.metrics[i];
    if (i > 0) out += ", ";
    out += std::string(model::scale_metric_name(m.metric)) + " ";
    switch (m.metric) {
      case model::ScaleMetric::cpu:
      case model::ScaleMetric::memory:
      case model::ScaleMetric::workers:
        out += stats::significant(m.target * 100.0) + "%";
        break;
      case model::ScaleMetric::latency_p95:
        out += dist::format_duration(m.target);
        break;
      default:
        out += stats::significant(m.target);
        break;
    }
  }
  return out;
}

}  // namespace

std::string describe_model(const model::Spec& spec) {
  std::ostringstream out;
  for (const auto& w : spec.workloads) {
    out << "  workload " << w.name << ": "
        << (w.kind == model::WorkloadKind::open ? "open" : "closed") << " -> " << w.target << '\n';
  }
  for (const auto& s : spec.services) {
    out << "  service " << s.name << ": ";
    if (const std::string kind = kind_text(s); !kind.empty()) out << kind << ", ";
    out << plural(s.replicas, "replica", "replicas") << " x " << plural(s.cores, "core", "cores")
        << ", " << plural(s.workers, "worker", "workers") << ", "
        << plural(static_cast<long long>(s.endpoints.size()), "endpoint", "endpoints");
    if (s.autoscaling) out << ", autoscaling " << autoscaling_text(*s.autoscaling);
    if (s.pod && spec.nodes) {
      out << ", pods of " << stats::significant(s.pod->cores)
          << (s.pod->cores == 1.0 ? " core and " : " cores and ")
          << stats::significant(s.pod->memory_mib) << " MiB on pool "
          << spec.nodes->pools[s.pod->pool].name;
    }
    if (s.memory && s.memory->limit_mib) {
      out << ", memory limit " << stats::significant(*s.memory->limit_mib) << " MiB";
    }
    out << '\n';
  }
  if (spec.nodes) {
    for (const model::NodePoolSpec& p : spec.nodes->pools) {
      out << "  node pool " << p.name << ": " << p.min_nodes << ".." << p.max_nodes << " nodes ("
          << p.initial_nodes << " at the start) of " << stats::significant(p.cores)
          << (p.cores == 1.0 ? " core and " : " cores and ") << stats::significant(p.memory_mib)
          << " MiB";
      if (p.price_per_hour) out << ", " << stats::significant(*p.price_per_hour) << " per hour";
      out << '\n';
    }
  }
  return out.str();
}

}  // namespace capsim::cli
