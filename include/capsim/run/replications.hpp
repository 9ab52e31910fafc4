#pragma once
/// \file Runs a model's replications (in parallel) and merges them into estimates.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "capsim/model/spec.hpp"
#include "capsim/stats/estimate.hpp"
#include "capsim/stats/summary.hpp"

namespace capsim::run {

struct RunOptions {
  /// Worker threads; 0 means every core. Results do not depend on it.
  int threads = 0;
  /// Per-replication event budget (SimulationError when spent). When finite, a model whose
  /// expected arrivals, times the visits to services per request (the traffic equations of
  /// analytic::analyze), need more at two events per visit is refused before it starts
  /// (model::ModelError naming the workload's rate), so that an absurd model ends at once
  /// rather than after minutes.
  std::uint64_t max_events = UINT64_MAX;
  /// Wall-clock limit of the whole run in seconds (0: none): when it passes, running
  /// replications are cancelled and run_replications throws RunStopped.
  double max_wall_s = 0.0;
  /// Stop (RunStopped) when run::request_stop() is called, e.g. by a SIGINT handler.
  bool honour_stop_requests = true;
  /// Called about ten times a second from a helper thread with the fraction done (0..1), while
  /// the replications run; empty: no progress reporting.
  std::function<void(double)> on_progress;
  /// Every replication records its time series, and Results::timeseries_bands holds, per
  /// window, the least and greatest value over the replications (`capsim run
  /// --timeseries-bands`). Off: replication 0's time series alone, as ever.
  bool timeseries_bands = false;
};

/// One metric merged over replications.
struct MergedMetric {
  std::vector<std::string> path;
  stats::Merge merge = stats::Merge::estimate;
  /// merge == estimate: over the replications where the value was defined (finite).
  stats::Estimate estimate;
  /// merge == min or max: the extreme over replications.
  double extreme = 0.0;
  /// The value of every replication, in replication order (NaN where undefined).
  std::vector<double> values;
  std::string dotted() const;
};

struct SloCheck {
  std::string metric;  ///< dotted name, e.g. "workloads.browse.latency_ms.p99"
  double limit = 0.0;  ///< in the metric's unit
  stats::Estimate value;
  bool met = false;        ///< the mean is within the limit, defined in every replication
  bool confident = false;  ///< the whole confidence interval is on the same side as the mean
  /// Replications where the value is undefined (no successful request): a certain failure.
  int undefined_replications = 0;
  int replications = 0;  ///< the replications judged
};

struct Performance {
  std::uint64_t events = 0;
  double wall_seconds = 0.0;
  double events_per_second = 0.0;
  double peak_rss_mb = 0.0;
};

/// One row of the time series across replications: per column of banded_columns(), the least
/// and greatest value of the replications that define it (absent where none does).
struct TimeSeriesBand {
  std::vector<std::optional<double>> min, max;
};

/// The time-series columns that get bands: rps, error_rate, p50_ms, p95_ms, p99_ms,
/// cpu_utilization, queue_length.
const std::vector<std::string>& banded_columns();

struct Results {
  std::string model;
  std::uint64_t seed = 0;
  int replications = 0;
  double simulated_seconds = 0.0;
  double warmup_seconds = 0.0;
  double confidence = 0.95;
  double window_seconds = 0.0;
  std::vector<MergedMetric> metrics;
  std::vector<std::string> notices;  ///< each prefixed "replication r: "
  std::optional<std::vector<SloCheck>> slo;
  std::vector<stats::TimeSeriesRow> timeseries;  ///< replication 0
  /// Per row of `timeseries`, its band over the replications (RunOptions::timeseries_bands;
  /// empty otherwise).
  std::vector<TimeSeriesBand> timeseries_bands;
  std::vector<stats::EventRow> events;             ///< replication 0
  std::vector<stats::ScaleEventRow> scale_events;  ///< replication 0
  /// What the mechanisms did, per replication (not written to the results document).
  std::vector<stats::MechanismCounts> mechanism_counts;
  Performance performance;

  /// The metric with this dotted name, or nullptr.
  const MergedMetric* find(const std::string& dotted) const;
};

/// Thrown by run_replications when the run was stopped before every replication finished:
/// by run::request_stop() (Ctrl-C, SIGTERM) or by RunOptions::max_wall_s. Nothing is merged.
class RunStopped : public std::runtime_error {
 public:
  enum class Reason { stop_request, max_wall };
  RunStopped(Reason reason, int finished, int total, double furthest_s, const std::string& what)
      : std::runtime_error(what),
        reason(reason),
        finished(finished),
        total(total),
        furthest_s(furthest_s) {}
  Reason reason;
  int finished;       ///< replications that had finished
  int total;          ///< replications asked for
  double furthest_s;  ///< simulated time reached by the furthest unfinished replication
};

/// Runs replications 0 .. spec.simulation.replications - 1 and merges them. The results are the
/// same, byte for byte once written (performance aside), whatever the number of threads.
/// Rethrows the first failure (by replication index) of any replication.
Results run_replications(const model::Spec& spec, const RunOptions& options = {});

/// Merges per-replication summaries (in replication order) into Results (no performance).
Results merge(const model::Spec& spec, const std::vector<stats::Summary>& summaries);

/// Per row of summaries[0]'s time series, the band of each banded column over every summary
/// whose time series has the same window (t, workload, service); summaries without a time
/// series are passed over (timeseries_bands.cpp).
std::vector<TimeSeriesBand> timeseries_bands(const std::vector<stats::Summary>& summaries);

/// Peak resident set size of this process, in MiB.
double peak_rss_mb();

}  // namespace capsim::run
