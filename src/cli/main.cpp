// capsim: the command-line front end. Commands: run, validate, sweep, size, compare, analyze,
// report (the last five in experiment_commands.cpp, analyze_command.cpp and
// report_command.cpp).
//
// Exit status: 0 success; 2 bad input (model, override, option) with nothing written; 1 any other
// failure (a simulation error, an output that cannot be written).

#include <csignal>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "capsim/dist/duration.hpp"
#include "capsim/model/diagnostics.hpp"
#include "capsim/model/document.hpp"
#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "capsim/net/network.hpp"
#include "capsim/run/replications.hpp"
#include "capsim/run/results_io.hpp"
#include "commands.hpp"
#include "flag_suggestions.hpp"
#include "import_commands.hpp"
#include "output_paths.hpp"
#include "progress.hpp"
#include "trace_output.hpp"

namespace {

namespace fs = std::filesystem;
using capsim::cli::kBadInput;
using capsim::cli::kFailure;
using capsim::cli::Progress;
using capsim::model::ModelError;

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
  cmd->add_option("--seed", o.seed, "random seed (overrides /simulation/seed)")
      ->check(capsim::cli::non_negative_integer());
  cmd->add_option("--replications", o.replications,
                  "number of replications (overrides /simulation/replications)");
  cmd->add_option("--duration", o.duration,
                  "simulated time, e.g. 10m (overrides /simulation/duration)");
}

capsim::model::Spec load_model(const ModelOptions& o) {
  std::vector<std::string> overrides = o.sets;
  // --seed, --replications and --duration set values under /simulation, which a model may omit.
  // Only a regular file is read twice: a pipe (`capsim run <(gen) --seed 3`) can be read once.
  std::error_code ec;
  if ((o.seed || o.replications || o.duration) && fs::is_regular_file(o.model, ec)) {
    const capsim::model::Json doc = capsim::model::read_document(o.model).json;
    if (doc.is_object() && !doc.contains("simulation")) {
      overrides.insert(overrides.begin(), "/simulation={}");
    }
  }
  if (o.seed) overrides.push_back("/simulation/seed=" + std::to_string(*o.seed));
  if (o.replications)
    overrides.push_back("/simulation/replications=" + std::to_string(*o.replications));
  if (o.duration) overrides.push_back("/simulation/duration=" + nlohmann::json(*o.duration).dump());
  return capsim::cli::load_with_flags(o.model, overrides, o.duration);
}

/// The default per-replication event budget of `capsim run` (one to three minutes of one core):
/// a model that needs more says so at once (pre-flight) or when it is spent.
constexpr std::uint64_t kDefaultMaxEvents = 1'000'000'000;

struct RunLimits {
  std::uint64_t max_events = kDefaultMaxEvents;
  std::string max_wall;           ///< a duration such as 30s or 10m; empty: none
  bool timeseries_bands = false;  ///< --timeseries-bands
};

int command_run(const ModelOptions& mo, const std::string& output, const std::string& csv_dir,
                int threads, bool quiet, const RunLimits& limits) {
  capsim::run::RunOptions ro;
  ro.threads = threads;
  ro.max_events = limits.max_events == 0 ? UINT64_MAX : limits.max_events;
  ro.timeseries_bands = limits.timeseries_bands;
  if (!limits.max_wall.empty()) {
    const auto wall = capsim::dist::parse_duration(limits.max_wall);
    if (!wall || !(*wall > 0.0)) {
      throw ModelError("", "--max-wall: expected a positive duration such as 30s or 10m, found '" +
                               limits.max_wall + "'");
    }
    ro.max_wall_s = *wall;
  }
  const capsim::model::Spec spec = load_model(mo);
  for (const auto& w : spec.warnings) std::cerr << "warning: " << w.text() << '\n';
  Progress progress(!quiet);
  ro.on_progress = [&progress](double f) { progress.update(f); };
  capsim::cli::install_stop_handlers();
  capsim::run::Results results;
  try {
    results = capsim::run::run_replications(spec, ro);
  } catch (const capsim::run::RunStopped& stopped) {
    progress.clear();
    const bool wall = stopped.reason == capsim::run::RunStopped::Reason::max_wall;
    const int sig = capsim::cli::stop_signal();
    std::string what = stopped.what();
    if (!wall) {
      const std::string name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
      what = "interrupted by " + name + what.substr(what.find(':'));
    }
    std::cerr << "capsim: " << what << "; nothing written"
              << (output.empty() && csv_dir.empty() ? "" : " (existing files are untouched)")
              << (wall ? "; raise --max-wall, or shorten /simulation/duration or "
                         "/simulation/replications"
                       : "")
              << '\n';
    if (wall) return kFailure;
    return 128 + (sig != 0 ? sig : SIGINT);
  }
  progress.clear();
  // Render everything, then write all files or none.
  std::vector<std::pair<fs::path, std::string>> files;
  if (!output.empty()) files.emplace_back(output, capsim::run::to_json(results).dump(2) + "\n");
  if (const auto& traces = capsim::cli::run_trace_options(); !traces.file.empty()) {
    files.emplace_back(traces.file, capsim::cli::render_traces(spec, traces));
  }
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
  std::cout << capsim::cli::describe_model(spec);
  return 0;
}

/// The options every experiment command takes.
void add_experiment_options(CLI::App* cmd, capsim::cli::ExperimentCommand& c) {
  cmd->add_option("experiment", c.experiment, "experiment file (JSON)")->required();
  cmd->add_option("--threads", c.threads, "worker threads (default: every core)")
      ->check(CLI::Range(0, 4096).description(""));
  cmd->add_option("--set", c.options.sets,
                  "override one value of the model, for every point: POINTER=VALUE (repeatable)")
      ->type_name("P=V");
  cmd->add_option("--seed", c.options.seed, "random seed (overrides /simulation/seed)")
      ->check(capsim::cli::non_negative_integer());
  cmd->add_option("--replications", c.options.replications,
                  "replications per point (overrides the experiment's)")
      ->check(CLI::Range(2, 100000).description(""));
  cmd->add_option("--duration", c.options.duration,
                  "simulated time per replication, e.g. 10m (overrides /simulation/duration)");
  cmd->add_flag("-q,--quiet", c.quiet, "print nothing on success");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"capsim: a discrete-event capacity-planning simulator"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("capsim ") + CAPSIM_VERSION +
                                        (capsim::cli::built_with_mpi() ? " (MPI)" : ""));

  ModelOptions run_model;
  std::string output, csv_dir;
  int threads = 0;
  bool quiet = false;
  CLI::App* run = app.add_subcommand("run", "run a model and print its summary");
  add_model_options(run, run_model);
  run->add_option("-o,--output", output, "write the results (JSON) to this file");
  capsim::cli::add_trace_options(run, capsim::cli::run_trace_options());
  run->add_option("--csv", csv_dir,
                  "also write summary.csv and timeseries.csv into this directory");
  run->add_option("--threads", threads, "worker threads (default: every core)")
      ->check(CLI::Range(0, 4096).description(""));
  run->add_flag("-q,--quiet", quiet, "print nothing on success");
  RunLimits run_limits;
  run->add_option("--max-events", run_limits.max_events,
                  "per-replication event budget (default 1000000000; 0: none); a model "
                  "whose arrivals times its calls per request need more is refused at once")
      ->type_name("N")
      ->check(capsim::cli::non_negative_integer());
  run->add_option("--max-wall", run_limits.max_wall,
                  "stop (writing nothing) after this much wall-clock time, e.g. 30s or 10m")
      ->type_name("DURATION");
  run->add_flag("--timeseries-bands", run_limits.timeseries_bands,
                "also record every replication's time series and write, per window, the least "
                "and greatest value over the replications (columns NAME_min, NAME_max)");

  ModelOptions validate_model;
  CLI::App* validate = app.add_subcommand("validate", "check a model and say what it contains");
  add_model_options(validate, validate_model);

  capsim::cli::ExperimentCommand sweep_cmd;
  CLI::App* sweep =
      app.add_subcommand("sweep", "run a what-if sweep: one row of metrics per parameter point");
  add_experiment_options(sweep, sweep_cmd);
  sweep->add_option("-o,--output", sweep_cmd.output, "write the rows to FILE.csv or FILE.json");
  sweep->add_flag("--resume", sweep_cmd.resume,
                  "keep the rows an interrupted sweep finished (FILE.partial) and run the rest");

  capsim::cli::ExperimentCommand size_cmd;
  CLI::App* size = app.add_subcommand(
      "size", "find the smallest replica count for which the SLO holds at the peak");
  add_experiment_options(size, size_cmd);
  size->add_option("-o,--output", size_cmd.output, "write the answer (JSON) to this file");

  capsim::cli::ExperimentCommand compare_cmd;
  CLI::App* compare = app.add_subcommand(
      "compare", "compare variants with common random numbers, each against the baseline");
  add_experiment_options(compare, compare_cmd);
  compare->add_option("-o,--output", compare_cmd.output,
                      "write the comparison (JSON) to this file");

  capsim::cli::AnalyzeCommand analyze_cmd;
  CLI::App* analyze = app.add_subcommand(
      "analyze", "analytic estimates (Erlang C, Jackson, MVA) of a model, at its peak load");
  analyze->add_option("model", analyze_cmd.model, "model file (JSON)")->required();
  analyze->add_option("--set", analyze_cmd.sets, "override one value: POINTER=VALUE (repeatable)")
      ->type_name("P=V");
  analyze->add_option("-o,--output", analyze_cmd.output, "write the estimates (JSON) to this file");
  analyze->add_flag("--check", analyze_cmd.check,
                    "also simulate the same load and show both side by side");
  analyze->add_option("--seed", analyze_cmd.seed, "--check: random seed")
      ->check(capsim::cli::non_negative_integer());
  analyze->add_option("--replications", analyze_cmd.replications, "--check: replications")
      ->check(CLI::Range(1, 100000).description(""));
  analyze->add_option("--duration", analyze_cmd.duration, "--check: simulated time, e.g. 10m");
  analyze->add_option("--threads", analyze_cmd.threads, "--check: worker threads")
      ->check(CLI::Range(0, 4096).description(""));

  capsim::cli::ReportCommand report_cmd;
  CLI::App* report = app.add_subcommand(
      "report", "an HTML page (tables and charts) of a results, sweep, compare or size output");
  report
      ->add_option("input", report_cmd.input,
                   "results JSON, sweep CSV or JSON, compare JSON, size JSON")
      ->required();
  report->add_option("-o,--output", report_cmd.output, "write the page (HTML) to this file")
      ->required();
  report->add_flag("-q,--quiet", report_cmd.quiet, "print nothing on success");

  capsim::cli::FitCommand fit_cmd;
  CLI::App* fit = capsim::cli::add_fit_command(app, fit_cmd);
  capsim::cli::CalibrateCommand calibrate_cmd;
  CLI::App* calibrate = capsim::cli::add_calibrate_command(app, calibrate_cmd);
  capsim::cli::ImportCommand import_cmd;
  CLI::App* import_k6 = nullptr;
  CLI::App* import_app = capsim::cli::add_import_command(app, import_cmd, import_k6);
  capsim::cli::ImportK8sCommand import_k8s_cmd;
  CLI::App* import_k8s = capsim::cli::add_import_k8s_command(*import_app, import_k8s_cmd);
  capsim::cli::ImportTracesCommand import_traces_cmd;
  CLI::App* import_traces = capsim::cli::add_import_traces_command(*import_app, import_traces_cmd);

  // CLI11 reports an unknown command as a missing one; say what is wrong instead.
  std::vector<std::string> commands{"run",     "validate", "sweep", "size",
                                    "compare", "analyze",  "report"};
  commands.insert(commands.end(), {"fit", "calibrate", "import"});
  if (argc > 1 && argv[1][0] != '-' &&
      std::find(commands.begin(), commands.end(), std::string(argv[1])) == commands.end()) {
    std::cerr << "capsim: unknown command '" << argv[1]
              << "'; expected one of: " << capsim::model::join(commands) << "\n";
    return kBadInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) {
      if (const auto message = capsim::cli::unknown_option_message(app, argc, argv)) {
        std::cerr << *message << '\n';
        return kBadInput;
      }
    }
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::cerr << capsim::cli::parse_error_message(app, e, argc, argv) << '\n';
    return kBadInput;
  }
  const bool experiment = *sweep || *size || *compare;
  // Only the leader (MPI rank 0, or the only process) speaks.
  const auto error = [](const std::string& text) {
    if (capsim::cli::is_leader()) std::cerr << text;
  };
  try {
    // Every output is checked before any work: a long run must not end with "cannot write".
    using capsim::cli::check_output_file;
    if (*run) {
      check_output_file("-o", output);
      check_output_file("--traces", capsim::cli::run_trace_options().file);
      capsim::cli::check_output_folder("--csv", csv_dir);
      std::vector<std::pair<std::string, std::string>> outputs{
          {"-o", output}, {"--traces", capsim::cli::run_trace_options().file}};
      if (!csv_dir.empty()) {
        // The files --csv writes, checked as -o is where the folder exists (a folder of that
        // name is refused here, not after -o has been replaced).
        std::error_code ec;
        const bool exists = fs::is_directory(csv_dir, ec);
        for (const char* name : {"summary.csv", "timeseries.csv"}) {
          const std::string file = (fs::path(csv_dir) / name).string();
          if (exists) check_output_file("--csv", file);
          outputs.emplace_back("--csv", file);
        }
      }
      capsim::cli::check_distinct_files(outputs, {run_model.model});
    }
    if (*analyze)
      capsim::cli::check_distinct_files({{"-o", analyze_cmd.output}}, {analyze_cmd.model});
    if (*calibrate) {
      capsim::cli::check_distinct_files({{"-o", calibrate_cmd.output}},
                                        {calibrate_cmd.model, calibrate_cmd.observations});
    }
    if (*import_k6)
      capsim::cli::check_distinct_files({{"-o", import_cmd.output}}, {import_cmd.input});
    if (*import_k8s) {
      capsim::cli::check_distinct_files({{"-o", import_k8s_cmd.output}}, import_k8s_cmd.inputs);
    }
    if (*import_traces) {
      capsim::cli::check_distinct_files({{"-o", import_traces_cmd.output}},
                                        {import_traces_cmd.input});
    }
    for (const capsim::cli::ExperimentCommand* e : {&sweep_cmd, &size_cmd, &compare_cmd}) {
      capsim::cli::check_distinct_files({{"-o", e->output}}, {e->experiment});
    }
    if (*sweep) check_output_file("-o", sweep_cmd.output);
    if (*size) check_output_file("-o", size_cmd.output);
    if (*compare) check_output_file("-o", compare_cmd.output);
    if (*analyze) check_output_file("-o", analyze_cmd.output);
    if (*report) check_output_file("-o", report_cmd.output);
    if (*calibrate) check_output_file("-o", calibrate_cmd.output);
    if (*import_k6) check_output_file("-o", import_cmd.output);
    if (*import_k8s) check_output_file("-o", import_k8s_cmd.output);
    if (*import_traces) check_output_file("-o", import_traces_cmd.output);
    if (*run) return command_run(run_model, output, csv_dir, threads, quiet, run_limits);
    if (*validate) return command_validate(validate_model);
    if (*sweep) return capsim::cli::command_sweep(sweep_cmd);
    if (*size) return capsim::cli::command_size(size_cmd);
    if (*compare) return capsim::cli::command_compare(compare_cmd);
    if (*analyze) return capsim::cli::command_analyze(analyze_cmd);
    if (*report) return capsim::cli::command_report(report_cmd);
    if (*fit) return capsim::cli::command_fit(fit_cmd);
    if (*calibrate) return capsim::cli::command_calibrate(calibrate_cmd);
    if (*import_k6) return capsim::cli::command_import_k6(import_cmd);
    if (*import_k8s) return capsim::cli::command_import_k8s(import_k8s_cmd);
    if (*import_traces) return capsim::cli::command_import_traces(import_traces_cmd);
  } catch (const ModelError& e) {
    const char* what = experiment ? "invalid experiment:\n" : "invalid model:\n";
    error(std::string("capsim: ") + (e.diagnostics().size() > 1 ? what : "") + e.what() + "\n");
    return kBadInput;
  } catch (const capsim::net::SimulationError& e) {
    error(std::string("capsim: simulation failed ") + e.what() + "\n");
    return kFailure;
  } catch (const std::exception& e) {
    error(std::string("capsim: ") + e.what() + "\n");
    return kFailure;
  }
  return 0;
}
