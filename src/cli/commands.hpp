#pragma once
// The commands of the capsim front end beyond run and validate: sweep, size, compare (experiment
// files), analyze (analytic estimates of a model) and report (an HTML page of an output).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capsim/model/document.hpp"
#include "capsim/run/experiment.hpp"
#include "capsim/run/experiment_executor.hpp"

namespace capsim::cli {

inline constexpr int kBadInput = 2;
inline constexpr int kFailure = 1;

/// Whether this process talks to the user and writes files (false on MPI ranks other than 0).
bool is_leader();
void set_leader(bool leader);

/// The executor for experiment commands: spread over MPI processes when capsim was built with
/// -DCAPSIM_MPI=ON and started by mpirun or srun (several ranks), else threads of this process.
/// Initialises MPI on first use; MPI is finalised when the executor is destroyed.
std::unique_ptr<run::Executor> make_executor(int threads);

/// model::load_file(path, overrides), where `overrides` may hold the one that --duration made:
/// a warm-up that the flag's duration leaves too long is reported as the flag's doing.
model::Spec load_with_flags(const std::string& path, const std::vector<std::string>& overrides,
                            const std::optional<std::string>& duration_flag);

/// The same from a document already read from `path` (a pipe can be read only once).
model::Spec load_document_with_flags(const model::Document& document, const std::string& path,
                                     const std::vector<std::string>& overrides,
                                     const std::optional<std::string>& duration_flag);

/// model::load(doc, base_dir) of a document made from a file read with `positions` (analyze
/// --check's), its problems placed in the file or on the command line (`overrides`, the --set
/// values), a warm-up that --duration leaves too long reported as the flag's doing.
model::Spec load_check_with_flags(const model::Json& doc, const std::filesystem::path& base_dir,
                                  const model::SourcePositions& positions,
                                  const std::vector<std::string>& overrides,
                                  const std::optional<std::string>& duration_flag);

/// What `capsim validate` prints under its first line: one line per workload, per service (its
/// kind, replicas, cores, workers, endpoints, autoscaler, pods and memory limit) and per node pool.
std::string describe_model(const model::Spec& spec);

/// Whether this binary was built with MPI support.
bool built_with_mpi();

/// SIGINT and SIGTERM ask running experiments to stop cleanly (run::request_stop); a second one
/// ends the process at once. stop_signal() is the first signal received, 0 if none.
void install_stop_handlers();
int stop_signal();

struct ExperimentCommand {
  std::string experiment;
  std::string output;
  int threads = 0;
  bool resume = false;
  bool quiet = false;
  run::ExperimentOptions options;
};

int command_sweep(const ExperimentCommand& c);
int command_size(const ExperimentCommand& c);
int command_compare(const ExperimentCommand& c);

struct AnalyzeCommand {
  std::string model;
  std::vector<std::string> sets;
  std::string output;
  bool check = false;
  std::optional<std::uint64_t> seed;
  std::optional<int> replications;
  std::optional<std::string> duration;
  int threads = 0;
};

int command_analyze(const AnalyzeCommand& c);

/// capsim report INPUT -o FILE.html (report_command.cpp).
struct ReportCommand {
  std::string input;
  std::string output;
  bool quiet = false;
};

int command_report(const ReportCommand& c);

}  // namespace capsim::cli
