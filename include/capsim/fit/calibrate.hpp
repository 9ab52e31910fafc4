#pragma once
/// \file Calibrating a model to observed latency percentiles: one scale factor on `work` per
/// calibrated service, found by a Nelder-Mead search over short simulations that all use the
/// model's seed (common random numbers), so that the objective moves with the parameters only.

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

/// One unknown: a factor multiplying every `work` step of `services`.
struct CalibrationParameter {
  std::string name;                   ///< the service's name, or "others"
  std::vector<std::size_t> services;  ///< indices into Spec::services
};

struct CalibrationProblem {
  std::vector<CalibrationTarget> targets;
  std::vector<CalibrationParameter> parameters;
};

/// Reads `{"observed": {"end_to_end": {"p50": "40ms"}, "workloads": {NAME: {...}}, "services":
/// {NAME: {...}}}}` against `spec`: a service with targets gets its own factor; when there are
/// end-to-end targets, the other services with work share one factor ("others"). Throws
/// ModelError (located in `observations.positions`) for an unknown key, workload or service, a
/// percentile the results do not have, a value that is not a positive duration, percentiles that
/// decrease, or a service with no `work` step to scale.
CalibrationProblem read_calibration(const model::Document& observations, const model::Spec& spec);

/// `spec` with every work step of each parameter's services multiplied by its factor.
model::Spec scale_work(const model::Spec& spec, const CalibrationProblem& problem,
                       const std::vector<double>& factors);

/// The model document with the same scaling written into its `work` values (numbers of seconds
/// or distribution objects). Throws ModelError when a scaled step has no `work` in the document.
model::Json scale_work_document(model::Json doc, const model::Spec& spec,
                                const CalibrationProblem& problem,
                                const std::vector<double>& factors);

struct CalibrationResult {
  std::vector<double> factors;      ///< one per parameter
  std::vector<double> simulated_s;  ///< one per target, at `factors` (NaN: undefined)
  double objective = 0.0;           ///< sum of squared log(simulated / observed)
  int evaluations = 0;              ///< simulations run
};

struct CalibrationOptions {
  int max_evaluations = 120;
  run::RunOptions run;
};

/// Nelder-Mead on the logarithms of the factors, from 1 (the model as given), minimising the sum
/// of squared log ratios of simulated to observed percentiles. Deterministic.
CalibrationResult calibrate(const model::Spec& spec, const CalibrationProblem& problem,
                            const CalibrationOptions& options);

}  // namespace capsim::fit
