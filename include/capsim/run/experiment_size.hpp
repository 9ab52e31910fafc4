#pragma once
/// \file `capsim size`: the smallest replica count of each named service for which the SLO holds
/// at the workload's peak with the stated confidence (docs/experiments.md). An analytic first
/// guess, then bracketing and bisection over the replica count, each decision taken on
/// replications shared by every count (common random numbers) and given more replications
/// while it is not confident, up to a budget.

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "capsim/run/experiment.hpp"
#include "capsim/run/experiment_executor.hpp"
#include "capsim/run/replications.hpp"

namespace capsim::run {

/// The model run with one replica count.
struct SizeEvaluation {
  int replicas = 0;  ///< of the service being sized
  /// Every sized service's count in this run (the others at their answer or a generous count).
  std::vector<std::pair<std::string, int>> counts;
  int replications = 0;
  bool met = false;        ///< every SLO check's mean is within its limit
  bool confident = false;  ///< every check's interval is on the side of its mean
  std::vector<SloCheck> checks;
  std::vector<stats::Estimate> metrics;  ///< the experiment's metrics, in order
  std::vector<std::string> notices;
  std::vector<std::string> reasons;  ///< why the SLO is not met (slo_verdict)
  /// When the SLO fails because another station is saturated (the sized one is not): its name,
  /// what it shows and what to size instead; empty otherwise.
  std::string bound_by, bound_what, bound_instead;
};

struct ServiceSizing {
  std::string service;  ///< the setting's name: a service, or the pointer of another setting
  /// True for a service's replicas; false for another integer setting (`pointer`), whose answer
  /// is in `replicas` too.
  bool is_replicas = true;
  std::string pointer;
  /// The answer; absent when the SLO is not met even at max_replicas.
  std::optional<int> replicas;
  /// Both decisions that fix the answer (it passes, one fewer fails) are confident.
  bool confident = false;
  std::optional<int> analytic;       ///< smallest count the analytic estimate accepts
  std::optional<int> rule_of_thumb;  ///< ceil(peak load / breaking point) + 2
  double peak_rps = 0.0;             ///< workload requests per second at the peak (all workloads)
  std::optional<double> breaking_point_rps;  ///< one replica's capacity, in workload requests/s
  std::vector<std::string> analytic_assumptions;
  std::optional<SizeEvaluation> at_answer, at_one_fewer;
  std::vector<SizeEvaluation> evaluations;  ///< every count tried, in the order decided
  std::vector<std::string> notes;
  /// The station that bounds the SLO instead of this service (sizing stopped there); empty
  /// when none did.
  std::string bound_by;
};

struct SizeResult {
  std::vector<std::pair<std::string, double>> peak_rps;  ///< per open workload
  std::vector<ServiceSizing> services;
};

/// Sizes the experiment's services in the order listed: each with the services before it at
/// their answer and those after it at a generous count. `log` receives one line per decision.
SizeResult run_size(const Experiment& experiment, Executor& executor,
                    const std::function<void(const std::string&)>& log = {});

/// The output document (docs/experiments.md).
Json size_json(const Experiment& experiment, const SizeResult& result);
/// A readable summary for the terminal.
std::string size_table(const Experiment& experiment, const SizeResult& result);

/// The overrides that hold every workload at its peak (rate or users), sources "/at".
std::vector<Override> peak_overrides(const model::Spec& spec);

}  // namespace capsim::run
