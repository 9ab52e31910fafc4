#pragma once
/// \file `capsim sweep`: one row of merged metrics per point of an experiment's parameter grid,
/// with rows saved as they finish so that an interrupted sweep resumes (docs/experiments.md).

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "capsim/run/experiment.hpp"
#include "capsim/run/experiment_executor.hpp"

namespace capsim::run {

/// One metric of one point: the mean over replications with its interval (absent with fewer
/// than two defined values); `defined` is false when no replication defines it.
struct SweepCell {
  bool defined = false;
  double mean = 0.0;
  std::optional<double> ci_lo, ci_hi;
  int n = 0;
};

struct SweepRow {
  std::size_t point = 0;
  std::vector<SweepCell> metrics;  ///< in the experiment's metric order
  std::optional<bool> slo_met;     ///< when the model has an SLO
  std::vector<std::string> notices;
};

struct SweepResult {
  std::vector<SweepRow> rows;  ///< one per point, in point order
  std::size_t resumed = 0;     ///< rows taken from the checkpoint
};

struct SweepOptions {
  /// Where finished rows are saved as they finish (atomically: written whole, then renamed),
  /// empty: nowhere. Only the leader process writes it.
  std::filesystem::path checkpoint;
  /// Start from the rows of `checkpoint` when it exists and belongs to this experiment.
  bool resume = false;
  /// Progress: the fraction of the remaining work done, and points done / all points.
  std::function<void(double fraction, std::size_t points_done, std::size_t points)> on_progress;
};

/// Runs every point not already in the checkpoint (points x replications in one pool) and
/// returns every row. Throws Interrupted (rows finished so far are in the checkpoint), or
/// model::ModelError when `resume` finds a checkpoint of another experiment.
SweepResult run_sweep(const Experiment& experiment, Executor& executor,
                      const SweepOptions& options = {});

/// The row of one point from its replications' summaries (in replication order).
SweepRow sweep_row(const Experiment& experiment, const model::Spec& spec, std::size_t point,
                   const std::vector<stats::Summary>& summaries);

/// CSV: the parameter columns (named by `name` or pointer), then NAME.mean, NAME.ci_lo,
/// NAME.ci_hi per metric; undefined values are empty cells.
std::string sweep_csv(const Experiment& experiment, const SweepResult& result);
/// The same as a JSON document (docs/experiments.md), with each point's notices and SLO verdict.
Json sweep_json(const Experiment& experiment, const SweepResult& result);
/// A readable table for the terminal.
std::string sweep_table(const Experiment& experiment, const SweepResult& result);

/// The checkpoint's text for `rows` (exact: every double reads back the same), and back.
std::string checkpoint_text(const Experiment& experiment, const std::vector<SweepRow>& rows);
/// The rows of a checkpoint; throws model::ModelError when it belongs to another experiment or
/// is not a checkpoint.
std::vector<SweepRow> read_checkpoint(const Experiment& experiment,
                                      const std::filesystem::path& path);
/// The same from the checkpoint's text (`path` names it in messages).
std::vector<SweepRow> parse_checkpoint(const Experiment& experiment,
                                       const std::filesystem::path& path, const std::string& text);

}  // namespace capsim::run
