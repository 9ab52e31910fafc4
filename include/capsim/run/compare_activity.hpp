#pragma once
/// \file What each compared variant's mechanisms did (compare_activity.cpp), so that a variant
/// with "no significant difference" shows why: a breaker that never opened, a retry policy
/// never triggered, an autoscaler that never scaled.

#include <optional>
#include <string>
#include <vector>

#include "capsim/run/experiment.hpp"
#include "capsim/run/replications.hpp"

namespace capsim::run {

/// One variant's mechanism activity: rates are means over replications (per second of measured
/// time, summed over workloads or services); counts of events are of replication 0 (the one
/// whose event log is kept).
struct VariantActivity {
  /// retries per second: the workloads' retries_rps plus the retries of calls between services
  double retries_rps = 0.0;
  double timeouts_rps = 0.0;      ///< requests ending in a timeout (errors.timeout x throughput)
  double circuit_open_rps = 0.0;  ///< requests refused by an open breaker
  double rejected_rps = 0.0;      ///< services' rejected arrivals (full queue or saturation)
  double rate_limited_rps = 0.0;  ///< services' arrivals refused by a rate limit
  double throttled_rps = 0.0;     ///< databases' arrivals throttled by their capacity units
  double fallback_rps = 0.0;      ///< services' calls answered by their fallback (fallback_rps)
  int breaker_transitions = 0;    ///< breaker_open, breaker_half_open, breaker_closed events
  int scale_events = 0;           ///< replica-count changes by autoscalers
  /// services' cost (replica-hours, capacity units) and node pools' cost (node-hours) summed,
  /// when something is priced.
  std::optional<double> cost;
  double replica_hours = 0.0;  ///< services' replica_seconds summed / 3600
};

/// The activity of a merged run.
VariantActivity activity_of(const Results& r);

/// The mechanisms with no activity at all in `a`, as phrases ("no retry", "no breaker
/// transition", ...), for explaining a variant that changed nothing.
std::vector<std::string> idle_mechanisms(const VariantActivity& a);

/// The activity as the compare document's `activity` entry (docs/experiments.md).
Json activity_json(const VariantActivity& a);

/// Among the variants whose SLO verdict is met, the cheapest: by cost when some variant is
/// priced (an unpriced one counts as infinitely dear), else by replica-hours; the first on a tie.
/// `priced` is set to which measure decided. None when no variant meets the SLO.
std::optional<std::size_t> cheapest_meeting_slo(const std::vector<VariantActivity>& activity,
                                                const std::vector<std::optional<bool>>& slo_met,
                                                bool& priced);

}  // namespace capsim::run
