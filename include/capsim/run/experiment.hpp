#pragma once
/// \file Experiment files (docs/experiments.md): what to vary in a model. An experiment only
/// produces overrides (JSON Pointer, value) of the model's document; every point or variant is
/// loaded and run through the same path as `capsim run`.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capsim/model/spec.hpp"

namespace capsim::run {

using Json = nlohmann::ordered_json;

enum class ExperimentKind { sweep, size, compare };
/// "sweep", "size", "compare".
const char* kind_name(ExperimentKind kind);

/// Which direction of a metric is an improvement (compare's verdicts).
enum class Better { lower, higher, neither };
/// "lower", "higher", "neither".
const char* better_name(Better better);
/// The default direction of a metric, from its dotted name: latency, errors, rejections, queues,
/// wasted work, pool waits and cost (replicas, replica_seconds, cost) are better lower; throughput
/// and goodput higher; anything else (utilisation, offered and arrival rates) neither.
Better default_better(const std::string& metric);

/// One change of the model: set the value at `pointer` (a JSON Pointer, as `--set`).
struct Override {
  std::string pointer;
  Json value;
  /// Where in the experiment file the value and the pointer are, for messages
  /// ("/variants/fast/0/value", "/variants/fast/0/pointer").
  std::string source;
  std::string pointer_source;
};

/// A metric to report: a dotted name of the results ("workloads.browse.latency_ms.p99").
struct MetricChoice {
  std::string name;
  Better better = Better::neither;
  std::string source;  ///< "/metrics/2", or "" for a default metric
};

struct SweepParameter {
  std::string name;     ///< column name: `name` if given, else the pointer
  std::string pointer;  ///< in the model
  std::vector<Json> values;
  std::string source;  ///< "/parameters/0"
  bool from_range = false;
};

enum class Combine { product, zip };

struct Variant {
  std::string name;
  std::vector<Override> overrides;
  std::string source;  ///< "/variants/NAME"
};

/// Options given on the command line: they change the model of every point alike.
struct ExperimentOptions {
  std::vector<std::string> sets;        ///< POINTER=VALUE overrides of the model
  std::optional<std::uint64_t> seed;    ///< /simulation/seed
  std::optional<int> replications;      ///< replaces the experiment's `replications`
  std::optional<std::string> duration;  ///< /simulation/duration
};

/// A parsed and validated experiment. Every point or variant has been loaded once, so a run
/// cannot fail on bad input half way.
struct Experiment {
  ExperimentKind kind = ExperimentKind::sweep;
  std::string name;  ///< the file name without .json
  std::string description;
  std::filesystem::path file;        ///< the experiment file
  std::filesystem::path model_file;  ///< the model, resolved against the experiment's folder
  /// The model document with the experiment's `overrides`, `replications`, `confidence` and the
  /// command line's options applied: the base of every point.
  Json model;
  model::Spec base;  ///< `model` loaded
  int replications = 10;
  double confidence = 0.95;
  std::vector<MetricChoice> metrics;
  /// A digest of everything the output depends on (experiment, model, options, version): a
  /// sweep resumes only from rows with the same fingerprint.
  std::string fingerprint;

  // sweep
  std::vector<SweepParameter> parameters;
  Combine combine = Combine::product;
  /// Per point, the index of its value in each parameter's `values`; product: the first
  /// parameter varies slowest.
  std::vector<std::vector<std::size_t>> points;

  // size
  std::vector<std::string> services;  ///< the services whose replicas are solved for
  /// One integer setting `size` solves for: a service's replicas (a name in "services") or any
  /// integer the model takes at a JSON Pointer ({ "pointer", "min", "max" } in "services").
  struct SizedSetting {
    std::string name;     ///< the service's name, or the pointer
    std::string pointer;  ///< the model's value set (".../replicas" for a service)
    std::string service;  ///< the service it belongs to ("" when none), for the binding tier
    bool replicas = true;
    int min = 1, max = 500;
    /// The price of one unit (`settings`): the cost of a configuration is the sum over the
    /// settings of price_per_unit x value. 0 in `services`.
    double price_per_unit = 0.0;
  };
  std::vector<SizedSetting> sized;  ///< solved for, in the order listed
  /// `settings` (rather than `services`): size every setting at once, for the cheapest
  /// configuration that meets the SLO (docs/experiments.md).
  bool cheapest = false;
  /// The budget of the cheapest search: configurations evaluated after the per-setting minima.
  int max_configurations = 40;
  bool at_peak = true;  ///< rates held at their peak (`"at": "peak"`)
  int min_replicas = 1;
  int max_replicas = 500;
  /// Replications a decision may grow to when it is not yet confident (per replica count).
  int max_replications = 80;

  // compare
  std::vector<Variant> variants;
  std::size_t baseline = 0;

  /// The overrides of sweep point `point`, in parameter order.
  std::vector<Override> point_overrides(std::size_t point) const;
};

/// Reads, parses and validates an experiment file. Throws model::ModelError with one
/// diagnostic per problem, each naming the JSON Pointer in the experiment file (problems of the
/// model itself are reported at "/model", a value the model refuses at the pointer of that
/// value), in document order.
Experiment read_experiment(const std::filesystem::path& file,
                           const ExperimentOptions& options = {});

/// The same for an experiment document already parsed; `file` names it and locates the model.
Experiment parse_experiment(const Json& doc, const std::filesystem::path& file,
                            const ExperimentOptions& options = {});

/// The experiment's model with `overrides` applied, loaded. Throws model::ModelError whose
/// diagnostics name the overrides' sources.
model::Spec load_variant(const Experiment& experiment, const std::vector<Override>& overrides);

/// The dotted names of every metric a replication of `spec` reports, in results order: a
/// catalogue computed from the model's workloads and services and their features (closed users,
/// prices, drop_expired, caches, databases), without simulating.
std::vector<std::string> metric_names(const model::Spec& spec);

}  // namespace capsim::run
