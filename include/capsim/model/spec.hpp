#pragma once
/// \file The validated model: plain structs, defaults filled, names not yet resolved to indices.
/// Nothing downstream of model::load sees JSON. Times are seconds, rates per second.
/// `pointer` members hold the JSON Pointer the element came from, for messages at run time.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capsim/dist/distribution_spec.hpp"
#include "capsim/model/error.hpp"

namespace capsim::model {

using dist::DistSpec;

struct SimulationSpec {
  double duration_s = 600.0;
  double warmup_s = 0.0;
  int replications = 10;
  std::uint64_t seed = 1;
  double confidence = 0.95;
  double window_s = 10.0;
  /// Requests waiting in one service's queues beyond which the service is declared saturated:
  /// further arrivals are rejected and the results say so (keeps unstable models bounded).
  std::int64_t max_queue = 100000;

  /// Time series never hold more windows than this: memory must not grow with simulated time.
  static constexpr double kMaxWindows = 2000;
  /// The window the time series uses: `window_s`, or, when that would give more than kMaxWindows
  /// windows, the smallest of 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h,
  /// 1 d (then whole days) that gives at most kMaxWindows.
  double effective_window_s() const;
};

/// One stage of a k6-style ramp: linear from the previous target to `target` over `duration_s`
/// (0 s: a jump).
struct Stage {
  double duration_s = 0.0;
  double target = 0.0;
};
struct Diurnal {
  double mean = 0.0;
  double amplitude = 0.0;
  double period_s = 86400.0;
  double phase_s = 0.0;
};
struct TracePoint {
  double time_s = 0.0;
  double value = 0.0;
};

enum class ProfileKind { constant, stages, diurnal, trace };

/// A value over time: requests per second for open workloads, virtual users for closed ones.
struct Profile {
  ProfileKind kind = ProfileKind::constant;
  double constant = 0.0;
  std::vector<Stage> stages;  ///< kind == stages
  double start = 0.0;         ///< kind == stages: the value at t = 0
  Diurnal diurnal;            ///< kind == diurnal: mean + amplitude sin(2 pi (t + phase) / period)
  std::vector<TracePoint> trace;  ///< kind == trace: piecewise constant, sorted by time, t0 = 0
};

struct MixEntry {
  std::string endpoint;  ///< empty: the target service's only endpoint
  double weight = 1.0;   ///< normalised to sum 1 by the loader
};

enum class WorkloadKind { open, closed };

struct WorkloadSpec {
  std::string name;
  WorkloadKind kind = WorkloadKind::open;
  std::string target;                    ///< entry service
  std::vector<MixEntry> mix;             ///< at least one entry
  Profile rate;                          ///< open: requests per second
  std::optional<DistSpec> interarrival;  ///< open: renewal arrivals instead of Poisson
  Profile users;                         ///< closed: virtual users (constant or stages)
  DistSpec think_time;                   ///< closed
  std::optional<double> timeout_s;       ///< client gives up after this long
  std::string pointer;
};

/// One synchronous call to another service's endpoint.
struct CallSpec {
  std::string service;
  std::string endpoint;           ///< empty: the callee's only endpoint
  std::optional<DistSpec> count;  ///< repetitions in sequence (rounded, >= 0); absent: 1
  double probability = 1.0;       ///< the call happens with this probability
  std::string pointer;
};

enum class StepKind { work, call, parallel };

struct StepSpec {
  StepKind kind = StepKind::work;
  DistSpec work;                   ///< kind == work: CPU demand
  CallSpec call;                   ///< kind == call
  std::vector<CallSpec> parallel;  ///< kind == parallel: all issued at once, joined
  std::string pointer;
};

struct EndpointSpec {
  std::string name;  ///< "default" when the service gives `steps` directly
  std::vector<StepSpec> steps;
  std::string pointer;
};

enum class ServiceKind { generic };
enum class CpuDiscipline { fcfs, ps };
enum class LbPolicy { round_robin, random, least_outstanding, power_of_two, weighted_round_robin };

struct LoadBalancerSpec {
  LbPolicy policy = LbPolicy::round_robin;
  /// weighted_round_robin: one weight per replica index; replicas beyond the list weigh 1.
  std::vector<double> weights;
};

struct ServiceSpec {
  std::string name;
  ServiceKind kind = ServiceKind::generic;
  int replicas = 1;
  int cores = 1;
  CpuDiscipline cpu = CpuDiscipline::fcfs;
  int workers = 64;
  std::optional<std::int64_t> queue_capacity;  ///< per replica; absent: unlimited
  LoadBalancerSpec load_balancer;
  std::vector<EndpointSpec> endpoints;  ///< at least one
  std::string pointer;
};

struct SloSpec {
  /// (percentile name, limit in seconds), e.g. ("p99", 0.2); names among p50 p90 p95 p99 p999
  /// mean max.
  std::vector<std::pair<std::string, double>> latency_s;
  std::optional<double> error_rate;
};

struct Spec {
  std::string name;
  std::string description;
  SimulationSpec simulation;
  std::vector<WorkloadSpec> workloads;
  std::vector<ServiceSpec> services;  ///< in the model file's order
  std::optional<SloSpec> slo;
  /// Problems that do not stop the model from running (e.g. "pareto shape <= 2: infinite
  /// variance"), in document order.
  std::vector<Diagnostic> warnings;

  /// Index of the service named `name`, if any.
  std::optional<std::size_t> service_index(const std::string& name) const;
};

}  // namespace capsim::model
