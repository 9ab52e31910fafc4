#pragma once
// Internal to experiments (not installed): the pieces parse_experiment is made of. Each reads
// one part of an experiment file, reports what is wrong at its JSON Pointer in `problems`, and
// fills in the Experiment.

#include <vector>

#include "capsim/run/experiment.hpp"
#include "experiment_input.hpp"

namespace capsim::run::detail {

// ---- Metric naming (experiment_metrics.cpp) ---------------------------------------------------

/// The experiment's `metrics` list: names (each with its default direction) or
/// { "name", "better" } objects.
std::vector<MetricChoice> read_metrics(const Json& list, Problems& problems);
/// Reports each of `e.metrics` that the results of `e.base` do not hold, with an example and a
/// suggestion from the model's catalogue of names.
void check_metrics(const Experiment& e, Problems& problems);
/// The metrics an experiment of `e.kind` reports when it names none: per workload the median,
/// p99 and error rate (and goodput, except size); per service its CPU utilisation (size: of the
/// sized services, with their worker utilisation; compare adds replica-seconds).
std::vector<MetricChoice> default_metrics(const Experiment& e);

}  // namespace capsim::run::detail
