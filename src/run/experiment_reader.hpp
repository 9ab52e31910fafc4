#pragma once
// Internal to experiments (not installed): the pieces parse_experiment (experiment.cpp) is made
// of. Each reads one part of an experiment file, reports what is wrong at its JSON Pointer in
// `problems`, and fills in the Experiment.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capsim/model/error.hpp"
#include "capsim/run/experiment.hpp"
#include "experiment_input.hpp"

namespace capsim::run::detail {

// ---- Overrides (experiment_overrides.cpp) -----------------------------------------------------

/// `item`'s "pointer": a JSON Pointer into the model, else a problem at `at`/pointer that gives
/// `example` ("/services/api/replicas").
std::optional<std::string> read_pointer(const Json& item, const std::string& at,
                                        std::string_view example, Problems& problems);
/// A list of { "pointer", "value" } at `pointer`; the items with a problem are left out.
std::vector<Override> read_overrides(const Json& list, const std::string& pointer,
                                     Problems& problems);
/// Applies `overrides` to `doc`; problems are reported at each one's pointer_source. False when
/// one could not be applied.
bool apply_all(Json& doc, const std::vector<Override>& overrides,
               std::vector<model::Diagnostic>& out);
/// The override a model diagnostic at `pointer` is about: the last whose pointer is the
/// problem's or a prefix of it; nullptr when none.
const Override* override_of(const std::vector<Override>& overrides, const std::string& pointer);
/// Where in the experiment the model's refusal `d` of override `o` belongs: at its pointer when
/// the pointer itself names no place of the model (an unknown key it created), else its value.
model::Diagnostic refusal_of(const Override& o, const model::Diagnostic& d);
/// Loads `doc` (overrides applied); every problem is reported at the source of the override it
/// is about (the last whose pointer is the problem's or a prefix of it), else at `fallback` as
/// "the model refuses `what`: ...".
std::optional<model::Spec> load_mapped(const Json& doc, const std::filesystem::path& base_dir,
                                       const std::vector<Override>& overrides,
                                       const std::string& fallback, const std::string& what,
                                       std::vector<model::Diagnostic>& out);

// ---- Sweep parameters and points (experiment_parameters.cpp) ----------------------------------

/// The `parameters` list: each a pointer with `values` or a `range` (from, to, steps).
std::vector<SweepParameter> read_parameters(const Json& list, Problems& problems);
/// Fills `e.points` from `e.parameters` (not empty) as `e.combine` says; false, with a problem,
/// when zip's lists differ in length or the product exceeds 100000 points.
bool make_points(Experiment& e, Problems& problems);
/// The override that sets parameter `p` to its value number `value`, with its sources.
Override value_override(const SweepParameter& p, std::size_t value);

// ---- The kinds (experiment_kinds.cpp) ---------------------------------------------------------

/// The keys an experiment of `kind` may hold, and those that belong to the other kinds (key ->
/// "size experiments"), for a clearer message.
std::vector<std::string> keys_of(ExperimentKind kind);
std::vector<std::pair<std::string, std::string>> keys_elsewhere(ExperimentKind kind);
/// Each kind's own keys. With `model_ok`, every point or variant is loaded once so that a run
/// cannot fail on bad input half way; size may replace `e.model` and `e.base` (its `slo`).
void read_sweep(const Json& doc, Experiment& e, bool model_ok, Problems& problems);
void read_size(const Json& doc, Experiment& e, bool model_ok, Problems& problems);
void read_compare(const Json& doc, Experiment& e, bool model_ok, Problems& problems);

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
