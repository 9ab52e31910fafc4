#pragma once
/// \file The capsim outputs a report is made of, read back from their files: the results of
/// `capsim run -o` (docs/results-format.md), a sweep's CSV or JSON and a comparison's JSON
/// (docs/experiments.md). Reading checks the structure a report relies on and throws
/// model::ModelError (the one error type for bad input) at the JSON Pointer, or the CSV line and
/// column, of the first problem.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace capsim::report {

enum class InputKind { results, sweep_csv, sweep_json, compare, size };
/// "results", "sweep (CSV)", "sweep (JSON)", "compare", "size".
const char* input_kind_name(InputKind kind);

/// Which capsim output `text` is, by its content: a JSON object with "kind": "sweep", "compare"
/// or "size" (with "services"), a JSON object with "workloads" and "services" (results), or CSV
/// text whose header has NAME.mean, NAME.ci_lo, NAME.ci_hi columns (sweep). Throws
/// model::ModelError saying what was found otherwise (an experiment rather than its output, capsim
/// run's summary.csv or timeseries.csv, anything else).
InputKind detect_input(const std::string& text);

/// An estimate as written in the files. `mean` absent: undefined (no replication defined it).
struct Value {
  std::optional<double> mean;
  std::optional<double> lo, hi;
  std::optional<int> n;
};

/// A metric: dotted name relative to its owner (e.g. "latency_ms.p99"), and its value.
struct NamedValue {
  std::string name;
  Value value;
};

/// The metrics of one workload or service, in file order (plain numbers such as replicas.min
/// are values without an interval).
struct Group {
  std::string name;
  std::vector<NamedValue> metrics;
};

/// Experiments' and runs' common header; absent fields stay empty or absent.
struct Header {
  std::string capsim_version, experiment, description, model;
  std::optional<std::uint64_t> seed;
  std::optional<int> replications;
  std::optional<double> confidence, simulated_seconds, warmup_seconds;
};

struct SloCheckRow {
  std::string metric;
  double limit = 0.0;
  Value value;
  bool met = false;
  std::optional<bool> confident;
};

/// The model's SLO limits as sweep and size outputs carry them ("slo").
struct SloLimits {
  std::vector<std::pair<std::string, double>> latency_ms;  ///< ("p99", 200), in file order
  std::optional<double> error_rate;                        ///< a fraction
  bool empty() const { return latency_ms.empty() && !error_rate; }
};

struct TimeSeries {
  double window_seconds = 0.0;
  /// Column names after t, workload and service, in file order (rps, error_rate, p50_ms, ...).
  std::vector<std::string> columns;
  struct Row {
    double t = 0.0;
    std::string workload, service;
    std::vector<std::optional<double>> values;  ///< per column; absent for null
  };
  std::vector<Row> rows;
  /// The index of a column in `columns`, if there is one.
  std::optional<std::size_t> column(const std::string& name) const;
};

struct ScaleEventRow {
  double t = 0.0;
  std::string service, metric, policy, reason;
  std::optional<double> from, to;
};

struct EventRow {
  double t = 0.0;
  std::string kind, service, detail;
};

struct ResultsDoc {
  Header header;
  std::vector<Group> workloads, services;
  std::optional<bool> slo_met;
  std::vector<SloCheckRow> slo_checks;
  std::vector<std::string> notices;
  std::vector<ScaleEventRow> scale_events;
  std::vector<EventRow> events;
  std::optional<TimeSeries> timeseries;
};

/// A parameter's value at a point: its text (strings as they are, other JSON as JSON) and its
/// number when it is one.
struct ParameterValue {
  std::string text;
  std::optional<double> number;
};

struct SweepDoc {
  Header header;                        ///< empty for CSV
  std::vector<std::string> parameters;  ///< names (or pointers), in the file's order
  std::vector<std::string> metrics;     ///< dotted metric names
  SloLimits slo;                        ///< the JSON's "slo"; empty for CSV
  struct Point {
    std::vector<ParameterValue> parameters;  ///< per parameter
    std::vector<Value> metrics;              ///< per metric
    std::optional<bool> slo_met;
    std::vector<std::string> notices;
  };
  std::vector<Point> points;
};

struct Difference {
  Value value;
  std::optional<double> relative;
  std::string verdict;
};

struct CompareDoc {
  Header header;
  std::string baseline;
  struct Metric {
    std::string name;
    std::string better;  ///< "lower", "higher", "neither" or "" when not given
  };
  std::vector<Metric> metrics;
  std::vector<std::string> variants;       ///< in file order
  std::vector<std::vector<Value>> values;  ///< [variant][metric]
  /// [variant][metric]; absent for the baseline (or a variant the file gives none for).
  std::vector<std::vector<std::optional<Difference>>> differences;
  std::vector<std::optional<bool>> slo_met;       ///< per variant
  std::vector<std::vector<std::string>> notices;  ///< per variant
  SloLimits slo;                                  ///< the JSON's "slo" (the model's limits)
};

/// A `capsim size` output (docs/experiments.md#size-required-replicas).
struct SizeDoc {
  Header header;
  std::string at;                                        ///< "peak" or "model"
  std::vector<std::pair<std::string, double>> peak_rps;  ///< per workload
  SloLimits slo;
  /// One decision: a count (or setting value) run with its replications.
  struct Evaluation {
    std::optional<double> value;  ///< replicas, or the setting's value
    int replications = 0;
    bool met = false;
    bool confident = false;
    std::vector<SloCheckRow> checks;
    std::vector<NamedValue> metrics;
    std::vector<std::string> notices;
  };
  /// One item of "services": a service's replicas or a setting (by its pointer).
  struct Item {
    std::string name;     ///< the key: a service's name or a setting's pointer
    std::string pointer;  ///< empty for replicas
    std::optional<double> value;
    bool confident = false;
    std::optional<double> analytic, rule_of_thumb, peak_rps, breaking_point_rps;
    std::optional<Evaluation> at_answer, at_one_fewer;
    std::vector<Evaluation> evaluations;
    std::vector<std::string> analytic_assumptions, notes;
    std::string bound_by;  ///< empty: none
    /// The station and resource that set the breaking point (empty: not given).
    std::string breaking_point_bound_by, breaking_point_resource;
  };
  std::vector<Item> items;
  /// A configuration of the settings sized together, its cost and decision.
  struct Configuration {
    std::vector<std::optional<double>> values;  ///< per setting of Cheapest::settings
    std::optional<double> cost;
    Evaluation evaluation;  ///< checks, metrics and notices only for the answer
  };
  struct Setting {
    std::string name, pointer;
    double min = 0.0, max = 0.0, price_per_unit = 0.0;
  };
  struct Cheapest {
    std::vector<Setting> settings;
    std::optional<Configuration> answer;
    bool confident = false;
    bool exact = false;
    std::vector<Configuration> runners_up, cheaper_failed, evaluations;
    std::optional<double> ruled_out;
    std::vector<std::string> notes;
  };
  std::optional<Cheapest> cheapest;
};

ResultsDoc parse_results(const std::string& text);
SweepDoc parse_sweep_json(const std::string& text);
SweepDoc parse_sweep_csv(const std::string& text);
CompareDoc parse_compare(const std::string& text);
SizeDoc parse_size(const std::string& text);

}  // namespace capsim::report
