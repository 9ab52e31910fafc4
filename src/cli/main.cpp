// capsim: the command-line front end. Commands: run, validate.
//
// Exit status: 0 success; 2 bad input (model, override, option) with nothing written; 1 any other
// failure (a simulation error, an output that cannot be written).

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "capsim/dist/duration.hpp"
#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "capsim/net/network.hpp"
#include "capsim/run/replications.hpp"
#include "capsim/run/results_io.hpp"

namespace {

namespace fs = std::filesystem;
using capsim::model::ModelError;

constexpr int kBadInput = 2;
constexpr int kFailure = 1;

struct ModelOptions {
  std::string model;
  std::vector<std::string> sets;
  std::optional<std::uint64_t> seed;
  std::optional<int> replications;
  std::optional<std::string> duration;
};

void add_model_options(CLI::App* cmd, ModelOptions& o) {
  cmd->add_option("model", o.model, "model file (JSON)")->required();
  cmd->add_option("--set", o.sets, "override one value: POINTER=VALUE (repeatable)")
      ->type_name("P=V");
  cmd->add_option("--seed", o.seed, "random seed (overrides /simulation/seed)");
  cmd->add_option("--replications", o.replications,
                  "number of replications (overrides /simulation/replications)");
  cmd->add_option("--duration", o.duration,
                  "simulated time, e.g. 10m (overrides /simulation/duration)");
}

capsim::model::Spec load_model(const ModelOptions& o) {
  std::vector<std::string> overrides = o.sets;
  if (o.seed) overrides.push_back("/simulation/seed=" + std::to_string(*o.seed));
  if (o.replications)
    overrides.push_back("/simulation/replications=" + std::to_string(*o.replications));
  if (o.duration) overrides.push_back("/simulation/duration=" + nlohmann::json(*o.duration).dump());
  return capsim::model::load_file(o.model, overrides);
}

/// A progress bar on stderr, shown only on a terminal and only once a run has lasted a second.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled && isatty(STDERR_FILENO)) {}
  void update(double fraction) {
    if (!enabled_) return;
    const double elapsed = seconds();
    if (elapsed < 1.0) return;
    shown_ = true;
    const int width = 30;
    const int filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<std::size_t>(std::clamp(filled, 0, width)), '#');
    bar.resize(width, '.');
    const double left = fraction > 0.01 ? elapsed * (1.0 - fraction) / fraction : 0.0;
    std::fprintf(stderr, "\r[%s] %3.0f%%  %.0fs left ", bar.c_str(), fraction * 100.0, left);
    std::fflush(stderr);
  }
  void clear() {
    if (shown_) std::fprintf(stderr, "\r%60s\r", "");
  }

 private:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

int command_run(const ModelOptions& mo, const std::string& output, const std::string& csv_dir,
                int threads, bool quiet) {
  const capsim::model::Spec spec = load_model(mo);
  for (const auto& w : spec.warnings) std::cerr << "warning: " << w.text() << '\n';
  Progress progress(!quiet);
  capsim::run::RunOptions ro;
  ro.threads = threads;
  ro.on_progress = [&progress](double f) { progress.update(f); };
  const capsim::run::Results results = capsim::run::run_replications(spec, ro);
  progress.clear();
  // Render everything, then write all files or none.
  std::vector<std::pair<fs::path, std::string>> files;
  if (!output.empty()) files.emplace_back(output, capsim::run::to_json(results).dump(2) + "\n");
  bool created_dir = false;
  if (!csv_dir.empty()) {
    created_dir = fs::create_directories(csv_dir);
    files.emplace_back(fs::path(csv_dir) / "summary.csv", capsim::run::summary_csv(results));
    files.emplace_back(fs::path(csv_dir) / "timeseries.csv", capsim::run::timeseries_csv(results));
  }
  try {
    capsim::run::write_files_atomic(files);
  } catch (...) {
    std::error_code ignored;
    if (created_dir) fs::remove(csv_dir, ignored);  // only if still empty
    throw;
  }
  if (!quiet) std::cout << capsim::run::summary_table(results);
  return 0;
}

int command_validate(const ModelOptions& mo) {
  const capsim::model::Spec spec = load_model(mo);
  for (const auto& w : spec.warnings) std::cerr << "warning: " << w.text() << '\n';
  std::cout << "model " << spec.name << " is valid: " << spec.workloads.size() << " workload"
            << (spec.workloads.size() == 1 ? "" : "s") << ", " << spec.services.size() << " service"
            << (spec.services.size() == 1 ? "" : "s") << ", "
            << capsim::dist::format_duration(spec.simulation.duration_s) << " simulated (warm-up "
            << capsim::dist::format_duration(spec.simulation.warmup_s) << "), "
            << spec.simulation.replications << " replications, seed " << spec.simulation.seed
            << '\n';
  for (const auto& w : spec.workloads) {
    std::cout << "  workload " << w.name << ": "
              << (w.kind == capsim::model::WorkloadKind::open ? "open" : "closed") << " -> "
              << w.target << '\n';
  }
  for (const auto& s : spec.services) {
    std::cout << "  service " << s.name << ": " << s.replicas << " replica"
              << (s.replicas == 1 ? "" : "s") << " x " << s.cores << " core"
              << (s.cores == 1 ? "" : "s") << ", " << s.workers << " workers, "
              << s.endpoints.size() << " endpoint" << (s.endpoints.size() == 1 ? "" : "s") << '\n';
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"capsim: a discrete-event capacity-planning simulator"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("capsim ") + CAPSIM_VERSION);

  ModelOptions run_model;
  std::string output, csv_dir;
  int threads = 0;
  bool quiet = false;
  CLI::App* run = app.add_subcommand("run", "run a model and print its summary");
  add_model_options(run, run_model);
  run->add_option("-o,--output", output, "write the results (JSON) to this file");
  run->add_option("--csv", csv_dir,
                  "also write summary.csv and timeseries.csv into this directory");
  run->add_option("--threads", threads, "worker threads (default: every core)")
      ->check(CLI::Range(0, 4096).description(""));
  run->add_flag("-q,--quiet", quiet, "print nothing on success");

  ModelOptions validate_model;
  CLI::App* validate = app.add_subcommand("validate", "check a model and say what it contains");
  add_model_options(validate, validate_model);

  // CLI11 reports an unknown command as a missing one; say what is wrong instead.
  if (argc > 1 && argv[1][0] != '-' && std::string(argv[1]) != "run" &&
      std::string(argv[1]) != "validate") {
    std::cerr << "capsim: unknown command '" << argv[1] << "'; expected one of: run, validate\n";
    return kBadInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kBadInput;
  }
  try {
    if (*run) return command_run(run_model, output, csv_dir, threads, quiet);
    if (*validate) return command_validate(validate_model);
  } catch (const ModelError& e) {
    std::cerr << "capsim: " << (e.diagnostics().size() > 1 ? "invalid model:\n" : "") << e.what()
              << '\n';
    return kBadInput;
  } catch (const capsim::net::SimulationError& e) {
    std::cerr << "capsim: simulation failed " << e.what() << '\n';
    return kFailure;
  } catch (const std::exception& e) {
    std::cerr << "capsim: " << e.what() << '\n';
    return kFailure;
  }
  return 0;
}
