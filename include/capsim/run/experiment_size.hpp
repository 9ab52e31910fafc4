#pragma once
/// \file `capsim size`: the smallest replica count of each named service for which the SLO holds
/// at the workload's peak with the stated confidence (docs/experiments.md). An analytic first
/// guess, then bracketing and bisection over the replica count, each decision taken on
/// replications shared by every count (common random numbers) and given more replications
/// while it is not confident, up to a budget. With `settings` and their prices: the cheapest
/// configuration of every setting together that meets the SLO.

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
  /// The breaking point, in workload requests/s: the least of one replica's capacity (its
  /// cores, and its workers held through calls and delays) and every other station's whole
  /// capacity on the path (analytic::breaking_point).
  std::optional<double> breaking_point_rps;
  /// The station that sets it and the resource ("cores", "workers", "connections").
  std::string breaking_point_bound_by, breaking_point_resource;
  std::vector<std::string> analytic_assumptions;
  std::optional<SizeEvaluation> at_answer, at_one_fewer;
  std::vector<SizeEvaluation> evaluations;  ///< every count tried, in the order decided
  std::vector<std::string> notes;
  /// The station that bounds the SLO instead of this service (sizing stopped there); empty
  /// when none did.
  std::string bound_by;
};

/// One configuration of every setting (`settings`): its values, its cost and its decision.
struct SizeConfiguration {
  std::vector<std::pair<std::string, int>> values;  ///< per setting, in the order listed
  double cost = 0.0;                                ///< sum of price_per_unit x value
  SizeEvaluation evaluation;
};

/// The cheapest configuration of several settings that meets the SLO (`settings`,
/// experiment_size_cheapest.cpp).
struct CheapestSizing {
  std::optional<SizeConfiguration> answer;  ///< absent when no configuration meets the SLO
  /// The answer's decision and every failing decision it rests on are confident.
  bool confident = false;
  /// Every configuration cheaper than the answer was decided or ruled out (no budget or grid
  /// limit cut the search short).
  bool exact = true;
  std::vector<SizeConfiguration> runners_up;      ///< the next cheapest that met the SLO
  std::vector<SizeConfiguration> cheaper_failed;  ///< the dearest of those cheaper that failed
  std::vector<SizeConfiguration> evaluations;     ///< every configuration run, in order decided
  /// Configurations cheaper than the answer ruled out without a run: each has no more of any
  /// setting than one that failed (more capacity is assumed never to hurt).
  int ruled_out = 0;
  std::vector<std::string> notes;
};

struct SizeResult {
  std::vector<std::pair<std::string, double>> peak_rps;  ///< per open workload
  /// `services`: each sized in turn. `settings`: each setting's minimum with the others at
  /// their max (the lower corner of the cheapest search).
  std::vector<ServiceSizing> services;
  std::optional<CheapestSizing> cheapest;  ///< `settings` only
};

/// Sizes the experiment's services in the order listed: each with the services before it at
/// their answer and those after it at a generous count; with `settings`, finds the cheapest
/// configuration (experiment_size_cheapest.cpp). `log` receives one line per decision.
SizeResult run_size(const Experiment& experiment, Executor& executor,
                    const std::function<void(const std::string&)>& log = {});

/// The output document (docs/experiments.md).
Json size_json(const Experiment& experiment, const SizeResult& result);
/// A readable summary for the terminal.
std::string size_table(const Experiment& experiment, const SizeResult& result);

/// The overrides that hold every workload at its peak (rate or users), sources "/at".
std::vector<Override> peak_overrides(const model::Spec& spec);

}  // namespace capsim::run
