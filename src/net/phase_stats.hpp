#pragma once
/// \file Summaries over named phases of a run (simulation.phases) and the per-window maxima
/// (peaks) of a replication: read from the collectors at phase boundaries and at the end of
/// every time-series window, kept here, reported by the summary (docs/phases.md).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "capsim/model/spec.hpp"
#include "endpoint_stats.hpp"
#include "phase_tally.hpp"
#include "service_stats.hpp"
#include "workload_stats.hpp"

namespace capsim::net {

class PhaseStats {
 public:
  explicit PhaseStats(const model::Spec& spec);

  /// The collectors a phase reads and feeds: `endpoints` service by service (empty without
  /// simulation.per_endpoint).
  struct Collectors {
    std::vector<WorkloadStats>& workloads;
    const std::vector<ServiceStats>& services;
    std::vector<EndpointStats>& endpoints;
  };
  /// Phase `phase` begins or ends at `now` (Event::phase).
  void begin(std::size_t phase, double now, const Collectors& c);
  void end(std::size_t phase, double now, const Collectors& c);

  /// The time-series window [start_s, now) has ended: its averages may be peaks. Windows that
  /// begin before the warm-up ends do not count.
  void window(double start_s, double now, const std::vector<WorkloadStats>& workloads,
              const std::vector<ServiceStats>& services);

  using Add = std::function<void(std::vector<std::string>, double)>;
  /// The peaks' metrics (workloads.W.peak.*, services.S.peak.*), then the phases' (phases.P.*),
  /// in the order of model::Spec; a phase still in progress ends at `now`.
  void summarize(double now, const Collectors& c, const Add& add);

 private:
  struct ServicePhase {
    Marks start, end;
    std::uint64_t arrivals_start = 0, arrivals_end = 0;
    // A database with read replicas: its primary's levels (ServiceStats::primary_marks).
    std::optional<Marks> primary_start, primary_end;
  };
  struct PhaseState {
    bool begun = false, ended = false;
    double begun_s = 0.0, ended_s = 0.0;
  };
  struct ServicePeak {
    Marks last;
    std::uint64_t arrivals_last = 0;
    double arrival_rps = -1.0, queue_length = -1.0, in_flight = -1.0, cpu_utilization = -1.0;
    // A database with read replicas: each side's busiest window, apart (the mean of its nodes
    // can hide a saturated side).
    std::optional<Marks> primary_last;
    double primary_cpu_utilization = -1.0, read_replicas_cpu_utilization = -1.0;
  };

  /// A database's phases.P.services.S.{primary,read_replicas}.{cpu,worker}_utilization; NaN
  /// when the phase was not seen (`sp` null).
  static void add_phase_sides(const std::string& phase, const std::string& service,
                              const ServicePhase* sp, const Add& add);
  /// Phase `phase`'s metrics of every endpoint (phases.P.services.S.endpoints.E.*).
  void summarize_endpoints(std::size_t phase, const std::function<double(double)>& per_s,
                           const Add& add) const;

  const model::Spec& spec_;
  std::vector<PhaseState> phases_;
  std::vector<WorkloadPhaseTally> workload_tallies_;  // [phase x workloads + workload]
  std::vector<ServicePhase> service_phases_;          // [phase x services + service]
  std::size_t endpoint_count_ = 0;                    // with per_endpoint: over all services
  std::vector<EndpointPhaseTally> endpoint_tallies_;  // [phase x endpoints + endpoint]
  std::vector<std::uint64_t> offered_last_;           // per workload, at the last window's end
  std::vector<double> offered_peak_;                  // per workload; < 0: no window yet
  std::vector<ServicePeak> service_peaks_;
};

}  // namespace capsim::net
