#pragma once
// The commands that build a model from what teams already have: fit (a service-time
// distribution from observed latencies) and import (k6 options, Kubernetes manifests).

#include <string>

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

}  // namespace capsim::cli
