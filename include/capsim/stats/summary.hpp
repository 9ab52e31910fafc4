#pragma once
/// \file What one replication reports: named scalar metrics, notices and a time series.
/// Statistics leave the simulation only through this (rule 4 of docs/architecture.md).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace capsim::stats {

/// How a metric combines across replications.
enum class Merge : std::uint8_t {
  estimate,  ///< mean with a Student-t confidence interval
  min,       ///< smallest value over replications (a plain number)
  max,       ///< largest value over replications (a plain number)
};

/// A metric's path joined with dots: {"workloads", "browse", "p99"} -> "workloads.browse.p99".
std::string dotted(const std::vector<std::string>& path);

/// One scalar of one replication, named by its path in the results document, e.g.
/// {"workloads", "browse", "latency_ms", "p99"}.
struct Metric {
  std::vector<std::string> path;
  double value = 0.0;
  Merge merge = Merge::estimate;
  /// The path joined with dots: "workloads.browse.latency_ms.p99".
  std::string dotted() const;
};

/// One row of the time series: one window of one workload (service empty) or one service
/// (workload empty). Quantities that do not apply to the row's kind are absent.
struct TimeSeriesRow {
  double t_s = 0.0;  ///< start of the window
  std::string workload;
  std::string service;
  double rps = 0.0;  ///< completions (workloads) or arrivals (services) per second
  std::optional<double> error_rate;
  std::optional<double> p50_ms, p95_ms, p99_ms;
  std::optional<double> cpu_utilization;
  std::optional<double> queue_length;
  std::optional<double> replicas;          ///< ready replicas, time-averaged over the window
  std::optional<double> desired_replicas;  ///< the count asked for (autoscaler or model)
  std::optional<double> memory_mib;        ///< memory per serving replica (services with memory)
  std::optional<double> nodes;             ///< nodes of the service's pool (services with a pod)
  std::optional<double> pending_pods;      ///< the service's pods waiting for a node
  std::optional<double> pool_in_use;       ///< connections its pools lend (services with pools)
  /// A database with read replicas: each side's busy fraction of its cores (NaN when the side
  /// had no capacity in the window); its cpu_utilization is the mean over all its nodes.
  std::optional<double> primary_cpu_utilization, read_replicas_cpu_utilization;
};

/// Something that happened at an instant of replication 0: a fault starting or ending, a
/// circuit breaker changing state, a replica ejected by health checks.
struct EventRow {
  double t_s = 0.0;
  std::string kind;     ///< e.g. "crash", "restart", "slowdown_end", "breaker_open"
  std::string service;  ///< the service concerned (for breakers: the callee)
  std::string detail;   ///< e.g. "replica 2", "api->db"
};

/// A change of a service's replica count by its autoscaler (replication 0).
struct ScaleEventRow {
  double t_s = 0.0;
  std::string service;
  int from = 0;  ///< the replica count asked for before (ready and starting)
  int to = 0;    ///< and after
  /// What asked for the change: a metric ("cpu", "rps", ...), "schedule", "min", "max",
  /// "keda_activation" or "keda_cooldown".
  std::string metric;
  /// What limited it: a policy ("scale_up policy pods 4 per 15 s"), a stabilization window, or
  /// "" when the count asked for was applied as it was.
  std::string policy;
  std::string reason;  ///< the whole decision in words
};

/// What the resilience and scaling mechanisms did in one replication, counted whether or not the
/// replication keeps its event log (compare's per-variant activity: docs/experiments.md).
struct MechanismCounts {
  std::uint64_t scale_changes = 0;        ///< autoscaler replica-count changes, whole run
  std::uint64_t breaker_transitions = 0;  ///< circuit-breaker state changes, whole run
  std::uint64_t call_retries = 0;         ///< retries of calls between services, after the warm-up
  std::uint64_t call_timeouts = 0;        ///< call attempts that timed out, after the warm-up
  std::uint64_t breaker_refusals = 0;     ///< call attempts a breaker refused, after the warm-up
};

struct Summary {
  std::vector<Metric> metrics;
  /// Plain-language facts a user must see, e.g. "service 'api' saturated at t = 312.4 s".
  std::vector<std::string> notices;
  std::vector<TimeSeriesRow> timeseries;
  std::vector<EventRow> event_log;          ///< replication 0 only
  std::vector<ScaleEventRow> scale_events;  ///< replication 0 only
  MechanismCounts counts;
  std::uint64_t events = 0;
  /// Simulated time the statistics cover (duration - warm-up), seconds.
  double measured_s = 0.0;
};

}  // namespace capsim::stats
