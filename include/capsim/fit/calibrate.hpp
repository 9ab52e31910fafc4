#pragma once
/// \file Calibrating a model to observed latency percentiles: one scale factor on `work` per
/// calibrated service, and a spread factor where two or more of its percentiles are observed,
/// found by a Nelder-Mead search over short simulations that all use the model's seed (common
/// random numbers), so that the objective moves with the parameters only.

#include <cstddef>
#include <string>
#include <vector>

#include "capsim/model/document.hpp"
#include "capsim/model/spec.hpp"
#include "capsim/run/replications.hpp"

namespace capsim::fit {

/// One observed percentile: of a workload (end to end) or of a service.
struct CalibrationTarget {
  std::string pointer;     ///< where it is in the observations file
  std::string metric;      ///< dotted results metric, e.g. "services.db.latency_ms.p50"
  std::string percentile;  ///< "p50", "p99", ...
  double observed_s = 0.0;
};

/// What a parameter does to every `work` step of its services: `scale` multiplies every time by
/// the factor; `spread` keeps each distribution's median and multiplies its spread on a log
/// scale (ln(p99 / p50)) by the factor (src/fit/work_shape.hpp says how, family by family).
enum class ParameterKind { scale, spread };

/// One unknown: a factor on every `work` step of `services`.
struct CalibrationParameter {
  std::string name;                   ///< the service's name, or "others"
  std::vector<std::size_t> services;  ///< indices into Spec::services
  ParameterKind kind = ParameterKind::scale;
  bool shared = false;  ///< "others": moved by the end-to-end (workload) targets
};

struct CalibrationProblem {
  std::vector<CalibrationTarget> targets;
  std::vector<CalibrationParameter> parameters;
  std::vector<std::string> notes;  ///< what was not fitted and why, for the user
};

/// Reads `{"observed": {"end_to_end": {"p50": "40ms"}, "workloads": {NAME: {...}}, "services":
/// {NAME: {...}}}}` against `spec`: a service with targets gets its own scale factor, and a
/// spread factor too when two or more of its percentiles are given (unless `scale_only`, or its
/// work has no spread: constant or hyperexponential, noted); when there are end-to-end targets,
/// the other services with work share one scale factor ("others"). Throws ModelError (located in
/// `observations.positions`) for an unknown key, workload or service, a percentile the results do
/// not have, a value that is not a positive duration, percentiles that decrease, or a service
/// with no `work` step to scale.
CalibrationProblem read_calibration(const model::Document& observations, const model::Spec& spec,
                                    bool scale_only = false);

/// `spec` with every work step of each parameter's services scaled or spread by its factor
/// (every spread first, then every scale; the two commute where the spread keeps the median).
model::Spec scale_work(const model::Spec& spec, const CalibrationProblem& problem,
                       const std::vector<double>& factors);

/// The `work` value (model format, numbers rounded to 6 digits) of each work step of each
/// calibrated service, before and after `factors`, with its JSON Pointer in the model.
struct WorkChange {
  std::string pointer;
  model::Json before;
  model::Json after;
};
std::vector<WorkChange> work_changes(const model::Spec& spec, const CalibrationProblem& problem,
                                     const std::vector<double>& factors);

/// The model document with the same scaling written into its `work` values (numbers of seconds
/// or distribution objects). Throws ModelError when a scaled step has no `work` in the document.
model::Json scale_work_document(model::Json doc, const model::Spec& spec,
                                const CalibrationProblem& problem,
                                const std::vector<double>& factors);

struct CalibrationResult {
  std::vector<double> factors;      ///< one per parameter (scale or spread)
  std::vector<double> simulated_s;  ///< one per target, at `factors` (NaN: undefined)
  /// Half the width of each simulated value's confidence interval over the replications
  /// (seconds; NaN with one replication): the simulation's own noise at `factors`.
  std::vector<double> simulated_half_s;
  double objective = 0.0;  ///< sum of squared log(simulated / observed)
  int evaluations = 0;     ///< simulations run
};

struct CalibrationOptions {
  int max_evaluations = 120;
  run::RunOptions run;
};

/// Nelder-Mead on the logarithms of the factors, minimising the sum of squared log ratios of
/// simulated to observed percentiles: from the better of 1 (the model as given) and a first guess
/// from the percentile ratios of that model's simulation, restarted from its best point while
/// that improves, until every residual is below 0.05 % or `max_evaluations` is spent. Spread
/// factors stay within [e^-3, e^3]. Deterministic.
CalibrationResult calibrate(const model::Spec& spec, const CalibrationProblem& problem,
                            const CalibrationOptions& options);

}  // namespace capsim::fit
