#pragma once
/// \file `capsim compare`: variants side by side with common random numbers, and each variant's
/// paired difference from the baseline with a verdict (docs/experiments.md).

#include <functional>
#include <string>
#include <vector>

#include "capsim/run/compare_activity.hpp"
#include "capsim/run/experiment.hpp"
#include "capsim/run/experiment_executor.hpp"
#include "capsim/stats/estimate.hpp"

namespace capsim::run {

enum class Verdict { better, worse, higher, lower, no_difference, undefined };
/// "better", "worse", "higher", "lower" (metrics with no better direction), "no significant
/// difference", "undefined" (fewer than two replications where both have the metric: a variant
/// without it, or one whose value is undefined in most replications).
const char* verdict_name(Verdict verdict);

/// One metric of one variant: the estimate over replications (min/max metrics too: the mean of
/// the per-replication values) and those values (NaN where undefined), in replication order.
struct VariantMetric {
  stats::Estimate estimate;
  std::vector<double> values;
};

/// A variant minus the baseline, replication by replication (replications where both are
/// defined), with a Student-t interval at the experiment's confidence.
struct Difference {
  stats::Estimate estimate;
  Verdict verdict = Verdict::no_difference;
};

struct CompareResult {
  /// [variant][metric], in the experiment's order.
  std::vector<std::vector<VariantMetric>> metrics;
  /// [variant][metric]; the baseline's row is all zeros with no_difference.
  std::vector<std::vector<Difference>> differences;
  std::vector<std::vector<std::string>> notices;  ///< per variant
  std::vector<std::optional<bool>> slo_met;       ///< per variant, when the model has an SLO
  std::vector<VariantActivity> activity;          ///< per variant
};

/// The paired difference of `variant` and `baseline` (per-replication values) and its verdict
/// for a metric whose better direction is `better`: the interval must exclude 0.
Difference paired_difference(const std::vector<double>& variant,
                             const std::vector<double>& baseline, double confidence, Better better);

/// Runs every variant's replications in one pool, replication r of every variant with the
/// same random streams (common random numbers).
CompareResult run_compare(const Experiment& experiment, Executor& executor,
                          const std::function<void(double)>& on_progress = {});

/// The output document (docs/experiments.md).
Json compare_json(const Experiment& experiment, const CompareResult& result);
/// A readable table for the terminal.
std::string compare_table(const Experiment& experiment, const CompareResult& result);

}  // namespace capsim::run
