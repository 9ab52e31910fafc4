#pragma once
/// \file Instant analytic estimates of a whole model (`capsim analyze`, and the first guess of
/// `capsim size`): open workloads through the Jackson traffic equations and Erlang C per
/// service; closed workloads through exact MVA. Every estimate lists the assumptions it rests
/// on, so that a reader knows how far to trust it. Rates are per second, times in seconds.

#include <optional>
#include <string>
#include <vector>

#include "capsim/model/spec.hpp"

namespace capsim::analytic {

/// How a service's CPUs are modelled as a queue.
enum class StationModel {
  pooled,       ///< one M/M/c queue for all replicas x cores (an ideal balancer)
  per_replica,  ///< each replica its own M/M/c queue fed 1/n of the arrivals (Poisson split)
  none,         ///< not analysed (see the assumptions)
};

/// One replica's connection pool towards a callee (open workloads): an M/M/c queue for
/// connections, c = `max`, fed the replica's synchronous calls to the callee (Poisson assumed),
/// each holding its connection for the callee's mean response time (exponential assumed).
/// Behind a balancer that sends to the least loaded replica, one M/M/(replicas x max) queue.
struct PoolEstimate {
  std::string service;     ///< the callee
  int max = 0;             ///< connections per replica
  bool pooled = false;     ///< all replicas' connections taken as one queue
  double calls_rps = 0.0;  ///< calls through one replica's pool per second
  double holding_s = 0.0;  ///< mean time a call holds its connection
  double in_use = 0.0;     ///< mean connections busy per replica: calls_rps x holding_s
  /// Erlang C's probability that a call waits for a connection, and the mean wait per call
  /// (in the caller's response time); absent when the pool is exhausted (in_use >= max).
  std::optional<double> wait_probability;
  std::optional<double> mean_wait_s;
};

/// One service's CPUs as a queueing station (open workloads).
struct StationEstimate {
  std::string service;
  double arrival_rps = 0.0;      ///< requests arriving at the service, all replicas
  double work_visits_rps = 0.0;  ///< work steps started per second (each is a visit to a core)
  double demand_s = 0.0;         ///< CPU seconds per request at the service (sum of its work means)
  double work_mean_s = 0.0;      ///< mean of one work step
  double work_scv = 1.0;         ///< squared coefficient of variation of one work step
  int replicas = 1;
  int servers_per_replica = 1;  ///< cores (or workers when fewer, no calls, no delays)
  StationModel model = StationModel::none;
  double utilization = 0.0;  ///< work_visits_rps x work_mean_s / (replicas x servers)
  /// The cores' share busy (the "cpu" of the results): utilization x servers / cores, lower
  /// than `utilization` when the workers, fewer than the cores, are the servers.
  double cpu_utilization = 0.0;
  bool stable = false;  ///< utilization < 1
  /// Erlang C and the mean wait of one work step for a core (stable stations only).
  std::optional<double> wait_probability;
  std::optional<double> mean_wait_s;
  /// Mean time a request spends in this service's own work (waits and work, calls excluded).
  std::optional<double> own_time_s;
  /// Mean time a request holds a worker (its whole time in the service, calls included), and
  /// the workers' utilisation by Little's law.
  std::optional<double> holding_time_s;
  std::optional<double> worker_utilization;
  /// Capacities in workload requests per second (all workloads in their peak proportions; the
  /// visits per workload request are folded in). One replica's cores at 100%:
  /// servers_per_replica / CPU seconds per workload request.
  std::optional<double> core_capacity_rps;
  /// One replica's workers (a database's connections) all held: workers / worker-seconds per
  /// workload request, a request holding its worker through its own work, its calls (their
  /// response times at the analysed load) and its delays; its own wait for a core excluded.
  /// Absent when the workers are the servers (no calls, no more workers than cores: see
  /// core_capacity_rps) or a time on the path is unknown (an unstable station).
  std::optional<double> worker_capacity_rps;
  /// One replica's capacity ("breaking point"): the smaller of the two, and which it is:
  /// "cores", "workers" or "connections".
  std::optional<double> replica_capacity_rps;
  std::string capacity_bound;
  /// Caches: the estimated hit ratio (cache_hit_ratio.hpp); misses call the backend.
  std::optional<double> hit_ratio;
  /// Its connection pools, in the model's order (open workloads only; empty with a closed one).
  std::vector<PoolEstimate> pools;
  std::vector<std::string> assumptions;
};

/// One workload's end-to-end estimate.
struct WorkloadEstimate {
  std::string workload;
  bool closed = false;
  double rate_rps = 0.0;  ///< open: the (peak) rate; closed: MVA throughput
  double users = 0.0;     ///< closed: the (peak) population
  bool stable = false;
  std::optional<double> mean_latency_s;
  /// Latency quantiles (p50, p90, p95, p99, p999) where estimated: exact for a request that
  /// visits one M/M/c station once; otherwise the quantile of the slowest station's time plus
  /// the means of the others (approximate; the assumptions say so).
  std::vector<std::pair<std::string, double>> latency_quantiles_s;
  bool quantiles_exact = false;
  std::vector<std::string> assumptions;
};

/// The load at which the first station on the requests' path saturates.
struct BreakingPoint {
  double rps = 0.0;      ///< workload requests per second (all workloads in peak proportions)
  std::string station;   ///< the station that saturates first
  std::string resource;  ///< "cores", "workers", "connections" or "connection pool to C"
};

struct ModelAnalysis {
  std::vector<StationEstimate> stations;  ///< in the model's service order
  std::vector<WorkloadEstimate> workloads;
  /// Closed workloads (exact MVA): per service, utilisation and residence time per request.
  std::vector<std::string> notes;
};

/// Options of the analysis: replica counts that replace the model's (for sizing).
struct AnalysisOptions {
  std::vector<std::pair<std::string, int>> replicas;
};

/// Analyses `spec` at its peak: open workloads at the largest rate of their profile, closed ones
/// at their largest population.
ModelAnalysis analyze(const model::Spec& spec, const AnalysisOptions& options = {});

/// The breaking point of the path: the minimum over one replica of `sized` (replica_capacity_rps:
/// its cores, and its workers held through calls and delays) and every other station's whole
/// capacity (replicas x replica_capacity_rps). With `sized` empty (or not a station), every
/// station whole: the load the model as given can carry. Empty when no station has a capacity.
std::optional<BreakingPoint> breaking_point(const ModelAnalysis& analysis,
                                            const std::string& sized = "");

/// The peak of a profile: the constant, the largest stage target (or start), mean + amplitude,
/// or the largest trace value.
double profile_peak(const model::Profile& profile);

/// Visits per workload request: for each service (model order), the expected number of
/// requests it receives per request of `workload` (traffic equations solved with Eigen).
std::vector<double> visits_per_request(const model::Spec& spec,
                                       const model::WorkloadSpec& workload);

}  // namespace capsim::analytic
