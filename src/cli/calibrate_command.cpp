// capsim calibrate: fit the model's work (scale, and spread where two percentiles of a service
// are observed) to observed percentiles (src/fit/calibrate.cpp).

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "capsim/fit/calibrate.hpp"
#include "capsim/model/document.hpp"
#include "capsim/model/error.hpp"
#include "capsim/stats/histogram.hpp"
#include "commands.hpp"
#include "flag_suggestions.hpp"
#include "import_commands.hpp"

namespace capsim::cli {

namespace {

std::string format(const char* pattern, double x) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, x);
  return buffer;
}

std::string pad(std::string text, std::size_t width, bool left = false) {
  if (text.size() >= width) return text;
  return left ? text + std::string(width - text.size(), ' ')
              : std::string(width - text.size(), ' ') + text;
}

}  // namespace

CLI::App* add_calibrate_command(CLI::App& app, CalibrateCommand& c) {
  CLI::App* cmd = app.add_subcommand(
      "calibrate",
      "scale (and spread) each service's work so that the model reproduces observed latency "
      "percentiles");
  cmd->add_option("model", c.model, "model file (JSON or YAML)")->required();
  cmd->add_option("observations", c.observations,
                  "observed percentiles: {\"observed\": {\"end_to_end\": {\"p99\": \"300ms\"}, "
                  "\"services\": {NAME: {\"p50\": \"5ms\"}}}} (JSON or YAML)")
      ->required();
  cmd->add_option("-o,--output", c.output, "write the calibrated model (JSON) to this file");
  cmd->add_option("--set", c.sets,
                  "override one value of the model: POINTER=VALUE (repeatable); the calibrated "
                  "model written has it too")
      ->type_name("P=V");
  cmd->add_option("--seed", c.seed, "random seed of every evaluation (default: the model's)")
      ->check(capsim::cli::non_negative_integer());
  cmd->add_option("--replications", c.replications,
                  "replications per evaluation (default: the model's)");
  cmd->add_option("--duration", c.duration, "simulated time per evaluation, e.g. 5m");
  cmd->add_option("--threads", c.threads, "worker threads (default: every core)")
      ->check(CLI::Range(0, 4096).description(""));
  cmd->add_option("--max-evaluations", c.max_evaluations, "simulations at most (default 120)")
      ->check(CLI::Range(4, 100000));
  cmd->add_option("--tolerance", c.tolerance,
                  "largest relative residual accepted, e.g. 0.05 (default): beyond it, exit 2")
      ->check(CLI::Range(1e-6, 10.0));
  cmd->add_flag("--scale-only", c.scale_only,
                "fit one scale factor per service, not its spread, even where two or more of "
                "its percentiles are observed");
  return cmd;
}

int command_calibrate(const CalibrateCommand& c) {
  // --set changes the model that is simulated and written; the search settings (seed,
  // replications, duration) change the simulations only.
  // Each input is read once (either may be a pipe).
  model::Document document = model::read_document(c.model);
  const model::Document observed = model::read_document(c.observations);
  std::vector<std::string> overrides = c.sets;
  {
    std::vector<model::Diagnostic> problems;
    for (const std::string& assignment : c.sets) {
      try {
        model::apply_override(document.json, assignment);
      } catch (const model::ModelError& e) {
        problems.insert(problems.end(), e.diagnostics().begin(), e.diagnostics().end());
      }
    }
    if (!problems.empty()) throw model::ModelError(std::move(problems));
  }
  if ((c.seed || c.replications || c.duration) && document.json.is_object() &&
      !document.json.contains("simulation")) {
    overrides.push_back("/simulation={}");
  }
  if (c.seed) overrides.push_back("/simulation/seed=" + std::to_string(*c.seed));
  if (c.replications) {
    overrides.push_back("/simulation/replications=" + std::to_string(*c.replications));
  }
  if (c.duration) overrides.push_back("/simulation/duration=" + model::Json(*c.duration).dump());
  const model::Spec spec = load_document_with_flags(document, c.model, overrides, c.duration);
  const fit::CalibrationProblem problem = fit::read_calibration(observed, spec, c.scale_only);

  fit::CalibrationOptions options;
  options.max_evaluations = c.max_evaluations;
  options.run.threads = c.threads;
  const fit::CalibrationResult r = fit::calibrate(spec, problem, options);

  const std::size_t n = problem.parameters.size();
  std::string out = "calibrate: " + std::to_string(n) + " parameter" + (n == 1 ? "" : "s") + ", " +
                    std::to_string(problem.targets.size()) + " target" +
                    (problem.targets.size() == 1 ? "" : "s") + ", " +
                    std::to_string(r.evaluations) + " simulations (seed " +
                    std::to_string(spec.simulation.seed) + ", " +
                    std::to_string(spec.simulation.replications) + " replications each)\n\n";
  out += pad("parameter", 11, true) + pad("before", 8) + pad("after", 10) + "  services\n";
  for (std::size_t p = 0; p < n; ++p) {
    std::string names;
    for (std::size_t s : problem.parameters[p].services) {
      names += (names.empty() ? "" : ", ") + spec.services[s].name;
    }
    const bool scale = problem.parameters[p].kind == fit::ParameterKind::scale;
    out += pad(scale ? "scale" : "spread", 11, true) + pad("1", 8) +
           pad(format("%.4f", r.factors[p]), 10) + "  " + names + "\n";
  }
  for (const std::string& note : problem.notes) out += "note: " + note + "\n";
  out += "\nwork before -> after\n";
  for (const fit::WorkChange& w : fit::work_changes(spec, problem, r.factors)) {
    out += w.pointer + "\n  " + w.before.dump() + "\n  " + w.after.dump() + "\n";
  }
  out += "\n" + pad("target", 36, true) + pad("observed ms", 13) + pad("simulated ms", 14) +
         pad("+- ms", 9) + pad("residual", 10) + "\n";
  std::size_t worst = 0;
  double worst_residual = -1.0;
  for (std::size_t i = 0; i < problem.targets.size(); ++i) {
    const fit::CalibrationTarget& t = problem.targets[i];
    const double residual = r.simulated_s[i] / t.observed_s - 1.0;
    const double size = std::isfinite(residual) ? std::abs(residual) : INFINITY;
    if (size > worst_residual) {
      worst_residual = size;
      worst = i;
    }
    // A percentile is known to its histogram bucket at best: replications in one bucket give
    // an interval of width 0, which is not a precision the simulation has.
    double half_s = i < r.simulated_half_s.size() ? r.simulated_half_s[i] : NAN;
    if (std::isfinite(half_s)) {
      half_s = std::max(half_s, std::abs(r.simulated_s[i]) * stats::Histogram::relative_error());
    }
    out += pad(t.metric, 36, true) + pad(format("%.4g", t.observed_s * 1e3), 13) +
           pad(format("%.4g", r.simulated_s[i] * 1e3), 14) +
           pad(std::isfinite(half_s) ? format("%.2g", half_s * 1e3) : std::string("-"), 9) +
           pad(format("%+.1f%%", residual * 100.0), 10) + "\n";
  }
  // Every simulation uses one seed (common random numbers): a residual of 0 says the model
  // matches at that seed, not that it is known that well.
  if (spec.simulation.replications >= 2) {
    out += "note: +- is half the " + format("%g", 100.0 * spec.simulation.confidence) +
           "% interval of each simulated value over its replications (at least its histogram "
           "bucket): the model's own noise at this seed and length, not the observations'; a "
           "residual within it is a match, and more --replications or a longer --duration "
           "narrow it\n";
  } else {
    out +=
        "note: one replication gives no interval (+- -): with --replications 2 or more, each "
        "simulated value says how far the simulation's own noise leaves it\n";
  }
  std::cout << out << std::flush;
  if (!(worst_residual <= c.tolerance)) {
    const fit::CalibrationTarget& t = problem.targets[worst];
    // No simulated value (no request succeeded, a percentile undefined): say so, not "nan".
    const std::string simulated =
        std::isfinite(r.simulated_s[worst])
            ? "simulated " + format("%.4g", r.simulated_s[worst] * 1e3) + " ms"
            : std::string("no simulated value (no request succeeded)");
    const model::ModelError error(
        t.pointer, "expected a target that calibrating work can reach within " +
                       format("%g", c.tolerance * 100.0) + "%, found " + simulated +
                       " against observed " + format("%.4g", t.observed_s * 1e3) + " ms after " +
                       std::to_string(r.evaluations) + " simulations; nothing written");
    throw model::locate(error, observed.positions);
  }
  const model::Json calibrated = fit::scale_work_document(document.json, spec, problem, r.factors);
  if (c.output.empty()) {
    std::cout << "\n" << calibrated.dump(2) << "\n";
  } else {
    write_whole(c.output, calibrated.dump(2) + "\n");
  }
  return 0;
}

}  // namespace capsim::cli
