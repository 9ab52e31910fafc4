#pragma once
// The commands that build a model from what teams already have: fit (a service-time
// distribution from observed latencies) and import (k6 options, Kubernetes manifests, traces).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace capsim::cli {

struct FitCommand {
  std::string input;
  std::string format = "auto";  ///< auto, csv, prometheus, prometheus-json, k6
  std::string unit = "s";       ///< s, ms or us: of a CSV's numbers and Prometheus bounds
  std::string column;
  std::string metric;
};

/// Adds `capsim fit` to `app`.
CLI::App* add_fit_command(CLI::App& app, FitCommand& c);
/// Prints each candidate's fit and the chosen `work` snippet; exit 0, or ModelError (exit 2).
int command_fit(const FitCommand& c);

struct ImportCommand {
  std::string input;
  std::string target = "api";  ///< k6: the service the workloads call
  std::string output;          ///< write the fragment (JSON) here; default: standard output
};

/// Adds `capsim import k6` to `app`; returns the `import` command and sets `k6` to its
/// subcommand.
CLI::App* add_import_command(CLI::App& app, ImportCommand& c, CLI::App*& k6);
/// Prints (or writes whole) the model fragment, warnings on standard error; ModelError: exit 2.
int command_import_k6(const ImportCommand& c);

/// Writes `text` to `path` whole or not at all (a temporary file renamed into place).
void write_whole(const std::string& path, const std::string& text);

struct ImportK8sCommand {
  std::vector<std::string> inputs;
  std::string output;  ///< write the fragment (JSON) here; default: standard output
};

/// Adds `capsim import k8s` to the `import` command.
CLI::App* add_import_k8s_command(CLI::App& import, ImportK8sCommand& c);
/// Prints (or writes whole) the services fragment, warnings on standard error; ModelError:
/// exit 2, nothing written.
int command_import_k8s(const ImportK8sCommand& c);

struct ImportTracesCommand {
  std::string input;
  std::string output;  ///< write the model (JSON) here; default: standard output
};

/// Adds `capsim import traces` to the `import` command.
CLI::App* add_import_traces_command(CLI::App& import, ImportTracesCommand& c);
/// Prints (or writes whole) the model skeleton, what was inferred on standard error;
/// ModelError: exit 2, nothing written.
int command_import_traces(const ImportTracesCommand& c);

struct CalibrateCommand {
  std::string model;
  std::string observations;
  std::string output;             ///< write the calibrated model (JSON) here, whole or not at all
  std::vector<std::string> sets;  ///< POINTER=VALUE: simulated and written, as if in the file
  std::optional<std::uint64_t> seed;
  std::optional<int> replications;
  std::optional<std::string> duration;
  int threads = 0;
  int max_evaluations = 120;
  double tolerance = 0.05;  ///< largest relative residual accepted
  bool scale_only = false;  ///< no spread factors, even where two percentiles are observed
};

/// Adds `capsim calibrate` to `app`.
CLI::App* add_calibrate_command(CLI::App& app, CalibrateCommand& c);
/// Prints the fitted factors, the work before and after, and each target's residual; writes the
/// calibrated model with -o. ModelError (exit 2, nothing written) for bad observations or a target
/// not reached within the tolerance.
int command_calibrate(const CalibrateCommand& c);

}  // namespace capsim::cli
