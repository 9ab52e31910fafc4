// capsim sweep | size | compare: experiment files run through the same path as `capsim run`.

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "capsim/model/error.hpp"
#include "capsim/run/experiment_compare.hpp"
#include "capsim/run/experiment_size.hpp"
#include "capsim/run/experiment_sweep.hpp"
#include "capsim/run/results_io.hpp"
#include "commands.hpp"
#include "progress.hpp"

namespace capsim::cli {

namespace fs = std::filesystem;
using model::ModelError;

namespace {

bool g_leader = true;
std::atomic<int> g_signal{0};

void on_stop_signal(int sig) {
  int expected = 0;
  if (g_signal.compare_exchange_strong(expected, sig)) {
    run::request_stop();
    return;
  }
  // A second signal: stop now (everything saved so far is whole).
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

bool is_leader() {
  return g_leader;
}
void set_leader(bool leader) {
  g_leader = leader;
}

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int stop_signal() {
  return g_signal.load();
}

#ifndef CAPSIM_MPI
std::unique_ptr<run::Executor> make_executor(int threads) {
  return std::make_unique<run::ThreadExecutor>(threads);
}
bool built_with_mpi() {
  return false;
}
#endif

namespace {

run::Experiment read_kind(const ExperimentCommand& c, run::ExperimentKind kind) {
  run::Experiment e = run::read_experiment(c.experiment, c.options);
  if (e.kind != kind) {
    throw ModelError("/kind", std::string("expected \"") + run::kind_name(kind) + "\" for capsim " +
                                  run::kind_name(kind) + ", found \"" + run::kind_name(e.kind) +
                                  "\"; run it with capsim " + run::kind_name(e.kind));
  }
  return e;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void say(const ExperimentCommand& c, const std::string& line) {
  if (!c.quiet && is_leader()) std::cerr << line << '\n';
}

std::string timing(std::size_t tasks, double wall, const run::Executor& executor) {
  char buffer[160];
  std::snprintf(buffer, sizeof buffer,
                "%zu replications in %.2f s on %d thread%s x %d process%s (%.2f replications/s)",
                tasks, wall, executor.threads(), executor.threads() == 1 ? "" : "s",
                executor.processes(), executor.processes() == 1 ? "" : "es",
                wall > 0 ? static_cast<double>(tasks) / wall : 0.0);
  return buffer;
}

int interrupted_status() {
  const int sig = stop_signal();
  return 128 + (sig != 0 ? sig : SIGINT);
}

}  // namespace

int command_sweep(const ExperimentCommand& c) {
  const auto executor = make_executor(c.threads);
  const run::Experiment e = read_kind(c, run::ExperimentKind::sweep);
  const std::string ext = fs::path(c.output).extension().string();
  if (!c.output.empty() && ext != ".csv" && ext != ".json") {
    throw ModelError("", "-o " + c.output + ": expected a file name ending in .csv or .json");
  }
  if (c.resume && c.output.empty()) {
    throw ModelError("", "--resume: expected -o FILE (the finished rows are kept beside it)");
  }
  const fs::path checkpoint = c.output.empty() ? fs::path() : fs::path(c.output + ".partial");
  if (!c.resume && !checkpoint.empty() && is_leader()) {
    std::error_code ignored;
    fs::remove(checkpoint, ignored);  // a fresh sweep starts from nothing
  }
  install_stop_handlers();
  Progress progress(!c.quiet && is_leader());
  run::SweepOptions so;
  so.checkpoint = checkpoint;
  so.resume = c.resume;
  so.on_progress = [&progress](double f, std::size_t done, std::size_t all) {
    progress.update(f, "points " + std::to_string(done) + "/" + std::to_string(all));
  };
  const auto start = std::chrono::steady_clock::now();
  run::SweepResult result;
  try {
    result = run::run_sweep(e, *executor, so);
  } catch (const run::Interrupted&) {
    progress.clear();
    if (is_leader()) {
      std::size_t kept = 0;
      if (!checkpoint.empty() && fs::exists(checkpoint)) {
        kept = run::read_checkpoint(e, checkpoint).size();
      }
      std::cerr << "capsim: interrupted; " << kept << " of " << e.points.size()
                << " points finished"
                << (checkpoint.empty() ? " (no -o given: nothing kept)\n"
                                       : " are kept in " + checkpoint.string() +
                                             "; run the same command with --resume to continue\n");
    }
    return interrupted_status();
  }
  progress.clear();
  const double wall = seconds_since(start);
  if (is_leader()) {
    if (!c.output.empty()) {
      const std::string text =
          ext == ".csv" ? run::sweep_csv(e, result) : run::sweep_json(e, result).dump(2) + "\n";
      run::write_file_atomic(c.output, text);
      std::error_code ignored;
      fs::remove(checkpoint, ignored);
    }
    if (result.resumed > 0) {
      say(c, "resumed: " + std::to_string(result.resumed) + " of " +
                 std::to_string(e.points.size()) + " points were taken from " +
                 checkpoint.string());
    }
    say(c, "sweep: " +
               timing((e.points.size() - result.resumed) * static_cast<std::size_t>(e.replications),
                      wall, *executor));
    if (!c.quiet) std::cout << run::sweep_table(e, result);
  }
  return 0;
}

int command_size(const ExperimentCommand& c) {
  const auto executor = make_executor(c.threads);
  const run::Experiment e = read_kind(c, run::ExperimentKind::size);
  install_stop_handlers();
  const auto start = std::chrono::steady_clock::now();
  run::SizeResult result;
  try {
    result = run::run_size(e, *executor, [&c](const std::string& line) { say(c, line); });
  } catch (const run::Interrupted&) {
    if (is_leader()) std::cerr << "capsim: interrupted; nothing written\n";
    return interrupted_status();
  }
  const double wall = seconds_since(start);
  if (is_leader()) {
    if (!c.output.empty())
      run::write_file_atomic(c.output, run::size_json(e, result).dump(2) + "\n");
    std::size_t replications = 0;
    for (const run::ServiceSizing& s : result.services) {
      for (const run::SizeEvaluation& ev : s.evaluations) {
        replications += static_cast<std::size_t>(ev.replications);
      }
    }
    say(c, "size: " + timing(replications, wall, *executor));
    if (!c.quiet) std::cout << run::size_table(e, result);
  }
  return 0;
}

int command_compare(const ExperimentCommand& c) {
  const auto executor = make_executor(c.threads);
  const run::Experiment e = read_kind(c, run::ExperimentKind::compare);
  install_stop_handlers();
  Progress progress(!c.quiet && is_leader());
  const auto start = std::chrono::steady_clock::now();
  run::CompareResult result;
  try {
    result = run::run_compare(e, *executor, [&progress](double f) { progress.update(f); });
  } catch (const run::Interrupted&) {
    progress.clear();
    if (is_leader()) std::cerr << "capsim: interrupted; nothing written\n";
    return interrupted_status();
  }
  progress.clear();
  const double wall = seconds_since(start);
  if (is_leader()) {
    if (!c.output.empty()) {
      run::write_file_atomic(c.output, run::compare_json(e, result).dump(2) + "\n");
    }
    say(c, "compare: " + timing(e.variants.size() * static_cast<std::size_t>(e.replications), wall,
                                *executor));
    if (!c.quiet) std::cout << run::compare_table(e, result);
  }
  return 0;
}

}  // namespace capsim::cli
