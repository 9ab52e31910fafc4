#pragma once
/// \file The one SLO verdict of capsim: `run`, `sweep`, `size` and `compare` all decide with these
/// functions, so that they agree, undefined values included (docs/results-format.md, "slo").

#include <string>
#include <vector>

#include "capsim/run/replications.hpp"

namespace capsim::run {

/// The verdict on one check of `metric` against `limit` (in the metric's unit) from its merged
/// estimate and its per-replication values (NaN where undefined):
/// - a value undefined in any replication (a percentile with no successful request, an error
///   rate with no finished request) fails the check, and that is certain (confident);
/// - otherwise met when the mean is within the limit, confident when the whole confidence
///   interval is on the same side (with one replication: confident).
SloCheck judge_slo_check(std::string metric, double limit, const MergedMetric& merged);

/// The verdict on a whole run.
struct SloVerdict {
  bool met = true;
  /// met: every check is confident; not met: at least one failure is.
  bool confident = true;
  /// Why it is not met, plainly ("services.db is saturated", "workloads.browse.latency_ms.p99
  /// is undefined: no successful request in 2 of 10 replications"); empty when met.
  std::vector<std::string> reasons;
};

/// The verdict on `r`'s SLO (true and confident when the model has none): every check met and
/// no service saturated (a saturated service fails the SLO whatever the percentiles say, for
/// sure: its queue grows without bound).
SloVerdict slo_verdict(const Results& r);

/// "= 12.3 ±0.4 ms"-free text of a check's value for messages: "undefined (no successful request
/// in 2 of 10 replications)" or "" when defined.
std::string undefined_text(const SloCheck& check);

}  // namespace capsim::run
