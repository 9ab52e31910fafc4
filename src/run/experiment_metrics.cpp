// Metric naming: the catalogue of the names a model's results hold, which way each is better,
// and the `metrics` an experiment reports (chosen, checked, or the defaults of its kind).

#include <algorithm>
#include <string_view>

#include "capsim/model/request_path.hpp"
#include "capsim/net/network.hpp"
#include "capsim/run/experiment.hpp"
#include "experiment_reader.hpp"

namespace capsim::run {

const char* better_name(Better better) {
  switch (better) {
    case Better::lower:
      return "lower";
    case Better::higher:
      return "higher";
    case Better::neither:
      return "neither";
  }
  return "neither";
}

Better default_better(const std::string& metric) {
  const auto has = [&metric](std::string_view part) {
    return metric.find(part) != std::string::npos;
  };
  if (has(".latency_ms.") || has(".error_rate") || has(".errors.") || has(".rejected") ||
      has(".queue_length") || has(".wasted_work_fraction") || has(".replica_seconds") ||
      has(".replicas.") || has(".saturated") || has(".attempts_per_request") || has(".cost") ||
      has(".wait_ms") || has(".throttled") || has(".memory.oom_kills") || has(".degraded_rate") ||
      has(".pods.pending") || has(".time_to_ready") || has(".node_hours") ||
      has(".rollout.duration_s") || has(".loss.recovered_s") || has(".loss.pods_evicted")) {
    return Better::lower;
  }
  if (has(".throughput_rps") || has(".goodput_rps") || has(".rollout.min_ready") ||
      has(".rollout.completed") || has(".loss.recovered")) {
    return Better::higher;
  }
  return Better::neither;
}

// The catalogue follows what a replication's summary reports (net::simulate): the same names in
// the same order, each present under the same condition on the model. The unit test
// run_experiment_metrics_test compares the two for every model of models/.
std::vector<std::string> metric_names(const model::Spec& spec) {
  std::vector<std::string> names;
  const bool fallbacks = model::uses_fallbacks(spec);
  const bool throttles = model::uses_capacity_units(spec);
  for (const model::WorkloadSpec& w : spec.workloads) {
    const std::string at = "workloads." + w.name + ".";
    for (const char* name : {"offered_rps", "throughput_rps", "goodput_rps", "error_rate"}) {
      names.push_back(at + name);
    }
    for (const net::Outcome o :
         {net::Outcome::timeout, net::Outcome::rejected, net::Outcome::rate_limited,
          net::Outcome::circuit_open, net::Outcome::error}) {
      names.push_back(at + "errors." + net::outcome_name(o));
    }
    if (throttles) names.push_back(at + "errors.throttled");
    if (fallbacks) names.push_back(at + "degraded_rate");
    names.push_back(at + "attempts_per_request");
    names.push_back(at + "retries_rps");
    for (const char* q : {"mean", "p50", "p90", "p95", "p99", "p999", "max"}) {
      names.push_back(at + "latency_ms." + q);
    }
    if (w.kind == model::WorkloadKind::closed) names.push_back(at + "users");
  }
  for (const model::ServiceSpec& s : spec.services) {
    const std::string at = "services." + s.name + ".";
    for (const char* name :
         {"arrival_rps", "throughput_rps", "cpu_utilization", "worker_utilization"}) {
      names.push_back(at + name);
    }
    if (s.database && s.database->read_replicas > 0) {
      for (const char* role : {"primary.", "read_replicas."}) {
        names.push_back(at + role + "cpu_utilization");
        names.push_back(at + role + "worker_utilization");
      }
    }
    for (const char* name : {"queue_length", "in_flight", "replicas.mean", "replicas.min",
                             "replicas.max", "replica_seconds"}) {
      names.push_back(at + name);
    }
    const bool units = s.database && s.database->capacity_units;
    const bool units_priced = model::capacity_units_cost(s, 1.0, 0.0, 0.0).has_value();
    if (s.price_per_replica_hour || units_priced) names.push_back(at + "cost");
    if (s.memory) {
      for (const char* m : {"mean_mib", "max_mib", "utilization", "oom_kills"}) {
        names.push_back(at + "memory." + m);
      }
    }
    if (spec.rolls_out(s.name)) {
      for (const char* m : {"started_s", "ended_s", "duration_s", "completed", "min_ready"}) {
        names.push_back(at + "rollout." + m);
      }
    }
    names.push_back(at + "rejected");
    names.push_back(at + "rate_limited");
    if (s.rate_limits.size() > 1) {
      for (std::size_t k = 0; k < s.rate_limits.size(); ++k) {
        names.push_back(at + "rate_limited_by." + std::to_string(k));
      }
    }
    if (std::any_of(s.rate_limits.begin(), s.rate_limits.end(),
                    [](const model::RateLimitSpec& l) { return l.per_client; })) {
      names.push_back(at + "rate_limited_clients");
    }
    if (units) {
      for (const char* m :
           {"throttled", "throttled_rps", "read_units_per_s", "write_units_per_s"}) {
        names.push_back(at + "capacity_units." + m);
      }
      if (units_priced) names.push_back(at + "capacity_units.cost");
    }
    if (s.drop_expired) names.push_back(at + "dropped");
    names.push_back(at + "wait_ms.mean");
    names.push_back(at + "wait_ms.p99");
    if (s.cache) {
      names.push_back(at + "hit_ratio");
      // net/cache_summary.cpp: lock counts where stampede locks exist, refresh where set.
      const model::CacheSpec& c = *s.cache;
      if (model::has_stampede_locks(c)) {
        for (const char* m : {"waited", "rejected", "lapsed"}) names.push_back(at + "lock." + m);
      }
      if (c.refresh) {
        for (const char* m : {"runs", "keys", "failed", "backend_work_s"}) {
          names.push_back(at + "refresh." + m);
        }
      }
    }
    if (s.database) names.push_back(at + "queries_per_request");
    if (fallbacks) {
      names.push_back(at + "degraded_rate");
      names.push_back(at + "fallback_rps");
    }
    names.push_back(at + "wasted_work_fraction");
    for (const char* q : {"mean", "p50", "p95", "p99"}) names.push_back(at + "latency_ms." + q);
    names.push_back(at + "saturated");
  }
  // Per-window peaks and named phases (net/phase_stats.cpp), after every service.
  for (const model::WorkloadSpec& w : spec.workloads) {
    names.push_back("workloads." + w.name + ".peak.offered_rps");
  }
  for (const model::ServiceSpec& s : spec.services) {
    for (const char* name : {"arrival_rps", "queue_length", "in_flight", "cpu_utilization"}) {
      names.push_back("services." + s.name + ".peak." + name);
    }
    if (s.database && s.database->read_replicas > 0) {
      names.push_back("services." + s.name + ".peak.primary.cpu_utilization");
      names.push_back("services." + s.name + ".peak.read_replicas.cpu_utilization");
    }
  }
  for (const model::PhaseSpec& p : spec.simulation.phases) {
    for (const model::WorkloadSpec& w : spec.workloads) {
      const std::string at = "phases." + p.name + ".workloads." + w.name + ".";
      for (const char* name : {"offered_rps", "throughput_rps", "goodput_rps", "error_rate",
                               "latency_ms.mean", "latency_ms.p50", "latency_ms.p90",
                               "latency_ms.p95", "latency_ms.p99", "latency_ms.max"}) {
        names.push_back(at + name);
      }
    }
    for (const model::ServiceSpec& s : spec.services) {
      const std::string at = "phases." + p.name + ".services." + s.name + ".";
      for (const char* name : {"arrival_rps", "cpu_utilization", "worker_utilization"}) {
        names.push_back(at + name);
      }
      if (s.database && s.database->read_replicas > 0) {
        for (const char* role : {"primary.", "read_replicas."}) {
          names.push_back(at + role + "cpu_utilization");
          names.push_back(at + role + "worker_utilization");
        }
      }
      for (const char* name : {"queue_length", "in_flight", "replicas.mean"}) {
        names.push_back(at + name);
      }
    }
    if (!spec.simulation.per_endpoint) continue;
    for (const model::ServiceSpec& s : spec.services) {
      if (s.queue) continue;  // a queue service has no endpoint results
      for (const model::EndpointSpec& e : s.endpoints) {
        const std::string at =
            "phases." + p.name + ".services." + s.name + ".endpoints." + e.name + ".";
        for (const char* name : {"arrival_rps", "throughput_rps", "error_rate", "latency_ms.mean",
                                 "latency_ms.p50", "latency_ms.p95", "latency_ms.p99"}) {
          names.push_back(at + name);
        }
      }
    }
  }
  // Node pools and pods (docs/nodes.md), after every service, as net/node_stats.hpp adds them.
  if (spec.nodes) {
    for (const model::ServiceSpec& s : spec.services) {
      if (!s.pod) continue;
      for (const char* m : {"pending_mean", "pending_max", "started", "time_to_ready_mean_s",
                            "time_to_ready_min_s", "time_to_ready_max_s"}) {
        names.push_back("services." + s.name + ".pods." + m);
      }
    }
    for (const model::NodePoolSpec& p : spec.nodes->pools) {
      for (const char* m : {"nodes_mean", "nodes_max", "node_hours", "nodes_added", "nodes_removed",
                            "cpu_requested"}) {
        names.push_back("node_pools." + p.name + "." + m);
      }
      if (p.price_per_hour) names.push_back("node_pools." + p.name + ".cost");
      if (spec.loses_nodes(p.name)) {
        for (const char* m : {"at_s", "nodes_lost", "pods_evicted", "recovered", "recovered_s"}) {
          names.push_back("node_pools." + p.name + ".loss." + m);
        }
      }
    }
  }
  // Connection pools (docs/request-path.md), after every service, as the summary adds them.
  for (const model::ServiceSpec& s : spec.services) {
    for (const model::ConnectionPoolSpec& pool : s.connection_pools) {
      const std::string at = "services." + s.name + ".pools." + pool.service + ".";
      for (const char* name : {"acquire_rps", "wait_ms.mean", "wait_ms.p95", "wait_ms.p99",
                               "timeout_rate", "refused_rate", "in_use", "in_use_max", "open"}) {
        names.push_back(at + name);
      }
    }
  }
  // Queue services' brokers (docs/request-path.md#queues), after the pools, as the summary adds
  // them.
  for (const model::ServiceSpec& s : spec.services) {
    if (!s.queue) continue;
    const std::string at = "services." + s.name + ".queue.";
    for (const char* name :
         {"sent_rps", "delivered_rps", "rejected", "delivered", "redeliveries", "dead_lettered",
          "backlog.mean", "backlog.max", "backlog.end", "in_flight", "oldest_age_s.max"}) {
      names.push_back(at + name);
    }
    if (s.queue->batch_size > 1) {
      names.push_back(at + "batches");
      names.push_back(at + "batch_size.mean");
    }
    for (const char* name : {"latency_ms.mean", "latency_ms.p50", "latency_ms.p95",
                             "latency_ms.p99", "latency_ms.max"}) {
      names.push_back(at + name);
    }
  }
  // Endpoints (simulation.per_endpoint), after the queues, as the summary adds them.
  if (spec.simulation.per_endpoint) {
    for (const model::ServiceSpec& s : spec.services) {
      if (s.queue) continue;  // its broker answers the sends: no requests of an endpoint
      for (const model::EndpointSpec& e : s.endpoints) {
        const std::string at = "services." + s.name + ".endpoints." + e.name + ".";
        for (const char* name : {"arrival_rps", "throughput_rps", "error_rate", "errors.rejected",
                                 "errors.rate_limited", "errors.error"}) {
          names.push_back(at + name);
        }
        if (throttles) names.push_back(at + "errors.throttled");
        if (fallbacks) names.push_back(at + "degraded_rate");
        for (const char* q : {"mean", "p50", "p95", "p99"}) names.push_back(at + "latency_ms." + q);
      }
    }
  }
  return names;
}

namespace detail {

std::vector<MetricChoice> read_metrics(const Json& list, Problems& problems) {
  std::vector<MetricChoice> out;
  const std::string pointer = "/metrics";
  if (!list.is_array() || list.empty()) {
    problems.expected(pointer, "a non-empty list of metric names", list);
    return out;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Json& item = list[i];
    const std::string at = child(pointer, i);
    MetricChoice m;
    m.source = at;
    if (item.is_string() && !item.get_ref<const std::string&>().empty()) {
      m.name = item.get<std::string>();
      m.better = default_better(m.name);
    } else if (item.is_object()) {
      problems.check_keys(item, at, {"name", "better"});
      if (!item.contains("name")) {
        problems.missing(child(at, "name"),
                         "a metric name such as workloads.browse.latency_ms.p99");
        continue;
      }
      const auto name = problems.string(item["name"], child(at, "name"),
                                        "a metric name such as "
                                        "workloads.browse.latency_ms.p99");
      if (!name) continue;
      m.name = *name;
      m.better = default_better(m.name);
      if (item.contains("better")) {
        const auto b =
            problems.choice(item["better"], child(at, "better"), {"lower", "higher", "neither"});
        if (b) m.better = static_cast<Better>(*b);
      }
    } else {
      problems.expected(at, "a metric name such as workloads.browse.latency_ms.p99", item);
      continue;
    }
    out.push_back(std::move(m));
  }
  return out;
}

namespace {

/// "; did you mean 'x'?" for a near miss, or for the first metric that `name` begins
/// (services.api.cpu -> services.api.cpu_utilization; workloads.w.latency_ms -> ....p50).
std::string metric_suggestion(const std::string& name, const std::vector<std::string>& names) {
  std::string hint = did_you_mean(name, names);
  if (!hint.empty()) return hint;
  for (const std::string& n : names) {
    if (n.size() > name.size() && n.compare(0, name.size(), name) == 0 &&
        (n[name.size()] == '_' || n[name.size()] == '.')) {
      return "; did you mean '" + n + "'?";
    }
  }
  return "";
}

}  // namespace

void check_metrics(const Experiment& e, Problems& problems) {
  const std::vector<std::string> names = metric_names(e.base);
  std::string example = names.empty() ? std::string("...") : names.front();
  for (const std::string& n : names) {
    if (n.size() > 15 && n.compare(n.size() - 15, 15, ".latency_ms.p99") == 0) {
      example = n;
      break;
    }
  }
  for (const MetricChoice& m : e.metrics) {
    if (std::find(names.begin(), names.end(), m.name) == names.end()) {
      problems.expected(m.source, "a metric of the model's results such as " + example, m.name,
                        metric_suggestion(m.name, names));
    }
  }
}

std::vector<MetricChoice> default_metrics(const Experiment& e) {
  std::vector<MetricChoice> out;
  const auto add = [&out](std::string name) {
    const Better b = default_better(name);
    out.push_back({std::move(name), b, ""});
  };
  for (const model::WorkloadSpec& w : e.base.workloads) {
    add("workloads." + w.name + ".latency_ms.p50");
    add("workloads." + w.name + ".latency_ms.p99");
    // The statistics the model's SLO judges (a mean, a p95...): what a decision rests on is shown.
    if (e.base.slo) {
      for (const auto& [statistic, limit_s] : e.base.slo->latency_s) {
        if (statistic != "p50" && statistic != "p99") {
          add("workloads." + w.name + ".latency_ms." + statistic);
        }
      }
    }
    add("workloads." + w.name + ".error_rate");
    if (e.kind != ExperimentKind::size) add("workloads." + w.name + ".goodput_rps");
  }
  for (const model::ServiceSpec& s : e.base.services) {
    // With "settings", every service a setting belongs to (its replicas, cores, connections).
    const bool sized =
        std::find(e.services.begin(), e.services.end(), s.name) != e.services.end() ||
        (e.cheapest &&
         std::any_of(e.sized.begin(), e.sized.end(),
                     [&](const Experiment::SizedSetting& z) { return z.service == s.name; }));
    if (e.kind != ExperimentKind::size || sized) add("services." + s.name + ".cpu_utilization");
    if (e.kind == ExperimentKind::size && sized) {
      add("services." + s.name + ".worker_utilization");
    }
    if (e.kind == ExperimentKind::compare) add("services." + s.name + ".replica_seconds");
  }
  // With nodes, what is paid for is node-hours: their cost (or the hours, unpriced) is compared
  // too, as a variant can pack the same replicas onto more or dearer nodes.
  if (e.kind == ExperimentKind::compare && e.base.nodes) {
    for (const model::NodePoolSpec& p : e.base.nodes->pools) {
      add("node_pools." + p.name + (p.price_per_hour ? ".cost" : ".node_hours"));
    }
  }
  return out;
}

}  // namespace detail

}  // namespace capsim::run
