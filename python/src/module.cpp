// _capsim: the engine for Python (the package python/capsim wraps it; docs/python.md). Every
// function takes what the command line takes and returns what it writes (documents as JSON
// text, CSV text, the terminal's tables), made by the same library functions, so that a result
// in Python is the command line's result for the same model and seed.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "capsim/analytic/model_analysis.hpp"
#include "capsim/dist/duration.hpp"
#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "capsim/net/network.hpp"
#include "capsim/run/analysis_json.hpp"
#include "capsim/run/experiment.hpp"
#include "capsim/run/experiment_compare.hpp"
#include "capsim/run/experiment_executor.hpp"
#include "capsim/run/experiment_size.hpp"
#include "capsim/run/experiment_sweep.hpp"
#include "capsim/run/replications.hpp"
#include "capsim/run/results_io.hpp"
#include "interruptible.hpp"
#include "model_source.hpp"

namespace py = pybind11;

namespace {

using namespace capsim;
using model::ModelError;
using Json = nlohmann::ordered_json;

/// `capsim run`'s default per-replication event budget (src/cli/main.cpp).
constexpr std::uint64_t kDefaultMaxEvents = 1'000'000'000;

std::vector<std::string> warning_texts(const model::Spec& spec) {
  std::vector<std::string> texts;
  for (const auto& w : spec.warnings) texts.push_back(w.text());
  return texts;
}

/// The model as `capsim run MODEL --set ... --seed ... --replications ... --duration ...` loads
/// it: the overrides in that order, /simulation created first when the options need it, every
/// override's problem reported at once, the model's problems with their line and column (or the
/// override that gave the value), and an unnamed model file named after its file.
model::Spec load_model(const python::Source& source, std::vector<std::string> overrides,
                       const std::optional<std::uint64_t>& seed,
                       const std::optional<int>& replications,
                       const std::optional<std::string>& duration) {
  Json doc = source.doc;
  if ((seed || replications || duration) && doc.is_object() && !doc.contains("simulation")) {
    overrides.insert(overrides.begin(), "/simulation={}");
  }
  if (seed) overrides.push_back("/simulation/seed=" + std::to_string(*seed));
  if (replications)
    overrides.push_back("/simulation/replications=" + std::to_string(*replications));
  if (duration) overrides.push_back("/simulation/duration=" + Json(*duration).dump());
  std::vector<model::Diagnostic> problems;
  for (const std::string& assignment : overrides) {
    try {
      model::apply_override(doc, assignment);
    } catch (const ModelError& e) {
      problems.insert(problems.end(), e.diagnostics().begin(), e.diagnostics().end());
    }
  }
  if (!problems.empty()) throw ModelError(std::move(problems));
  const bool named = doc.is_object() && doc.contains("name");
  model::Spec spec;
  try {
    spec = model::load(doc, source.base_dir);
  } catch (const ModelError& e) {
    throw model::locate(e, source.positions, overrides);  // as the CLI says
  }
  if (!named && !source.file.empty() && !source.file.stem().empty()) {
    spec.name = source.file.stem().string();
  }
  return spec;
}

py::dict run_model(const std::string& source, bool is_text, const std::vector<std::string>& sets,
                   std::optional<std::uint64_t> seed, std::optional<int> replications,
                   std::optional<std::string> duration, int threads,
                   std::optional<std::uint64_t> max_events, const std::string& max_wall) {
  run::RunOptions ro;
  ro.threads = threads;
  const std::uint64_t budget = max_events.value_or(kDefaultMaxEvents);
  ro.max_events = budget == 0 ? UINT64_MAX : budget;
  if (!max_wall.empty()) {
    const auto wall = dist::parse_duration(max_wall);
    if (!wall || !(*wall > 0.0)) {
      throw ModelError("", "max_wall: expected a positive duration such as 30s or 10m, found '" +
                               max_wall + "'");
    }
    ro.max_wall_s = *wall;
  }
  const model::Spec spec =
      load_model(python::read_source(source, is_text), sets, seed, replications, duration);
  run::Results results;
  python::run_interruptibly([&] { results = run::run_replications(spec, ro); });
  py::dict out;
  out["json"] = run::to_json(results).dump(2) + "\n";
  out["summary_csv"] = run::summary_csv(results);
  out["timeseries_csv"] = run::timeseries_csv(results);
  out["table"] = run::summary_table(results);
  out["warnings"] = warning_texts(spec);
  return out;
}

py::dict validate_model(const std::string& source, bool is_text,
                        const std::vector<std::string>& sets) {
  const model::Spec spec = load_model(python::read_source(source, is_text), sets, std::nullopt,
                                      std::nullopt, std::nullopt);
  py::dict out;
  out["name"] = spec.name;
  py::list workloads, services;
  for (const auto& w : spec.workloads) workloads.append(w.name);
  for (const auto& s : spec.services) services.append(s.name);
  out["workloads"] = workloads;
  out["services"] = services;
  out["duration_s"] = spec.simulation.duration_s;
  out["warmup_s"] = spec.simulation.warmup_s;
  out["replications"] = spec.simulation.replications;
  out["seed"] = spec.simulation.seed;
  out["warnings"] = warning_texts(spec);
  return out;
}

/// An experiment as `capsim sweep|size|compare EXPERIMENT` reads it; one given as text is named
/// "experiment" and finds its model relative to the current directory.
run::Experiment read_experiment(const std::string& source, bool is_text, run::ExperimentKind kind,
                                const run::ExperimentOptions& options) {
  const python::Source s = python::read_source(source, is_text);
  const std::filesystem::path file = is_text ? s.base_dir / "experiment.json" : s.file;
  run::Experiment e;
  try {
    e = run::parse_experiment(s.doc, file, options);
  } catch (const ModelError& error) {
    throw model::locate(error, s.positions);  // the line and column, as the CLI says
  }
  if (e.kind != kind) {
    // The command line's message (src/cli/experiment_commands.cpp), with Python's names.
    throw ModelError("/kind", std::string("expected \"") + run::kind_name(kind) + "\" for capsim." +
                                  run::kind_name(kind) + "(), found \"" + run::kind_name(e.kind) +
                                  "\"; run it with capsim." + run::kind_name(e.kind) + "()");
  }
  return e;
}

run::ExperimentOptions experiment_options(const std::vector<std::string>& sets,
                                          std::optional<std::uint64_t> seed,
                                          std::optional<int> replications,
                                          std::optional<std::string> duration) {
  if (replications && (*replications < 2 || *replications > 100000)) {
    throw ModelError("", "replications: expected 2 to 100000 replications per point, found " +
                             std::to_string(*replications));
  }
  run::ExperimentOptions o;
  o.sets = sets;
  o.seed = seed;
  o.replications = replications;
  o.duration = std::move(duration);
  return o;
}

py::dict sweep_experiment(const std::string& source, bool is_text,
                          const std::vector<std::string>& sets, std::optional<std::uint64_t> seed,
                          std::optional<int> replications, std::optional<std::string> duration,
                          int threads) {
  const run::Experiment e =
      read_experiment(source, is_text, run::ExperimentKind::sweep,
                      experiment_options(sets, seed, replications, std::move(duration)));
  run::SweepResult result;
  python::run_interruptibly([&] {
    run::ThreadExecutor executor(threads);
    result = run::run_sweep(e, executor);
  });
  py::dict out;
  out["json"] = run::sweep_json(e, result).dump(2) + "\n";
  out["csv"] = run::sweep_csv(e, result);
  out["table"] = run::sweep_table(e, result);
  return out;
}

py::dict size_experiment(const std::string& source, bool is_text,
                         const std::vector<std::string>& sets, std::optional<std::uint64_t> seed,
                         std::optional<int> replications, std::optional<std::string> duration,
                         int threads) {
  const run::Experiment e =
      read_experiment(source, is_text, run::ExperimentKind::size,
                      experiment_options(sets, seed, replications, std::move(duration)));
  run::SizeResult result;
  std::vector<std::string> log;
  python::run_interruptibly([&] {
    run::ThreadExecutor executor(threads);
    result = run::run_size(e, executor, [&log](const std::string& line) { log.push_back(line); });
  });
  py::dict out;
  out["json"] = run::size_json(e, result).dump(2) + "\n";
  out["table"] = run::size_table(e, result);
  out["log"] = log;
  return out;
}

py::dict compare_experiment(const std::string& source, bool is_text,
                            const std::vector<std::string>& sets, std::optional<std::uint64_t> seed,
                            std::optional<int> replications, std::optional<std::string> duration,
                            int threads) {
  const run::Experiment e =
      read_experiment(source, is_text, run::ExperimentKind::compare,
                      experiment_options(sets, seed, replications, std::move(duration)));
  run::CompareResult result;
  python::run_interruptibly([&] {
    run::ThreadExecutor executor(threads);
    result = run::run_compare(e, executor);
  });
  py::dict out;
  out["json"] = run::compare_json(e, result).dump(2) + "\n";
  out["table"] = run::compare_table(e, result);
  return out;
}

/// As `capsim analyze MODEL --set ... [--check --seed --replications --duration --threads]`.
py::dict analyze_model(const std::string& source, bool is_text,
                       const std::vector<std::string>& sets, bool check,
                       std::optional<std::uint64_t> seed, std::optional<int> replications,
                       std::optional<std::string> duration, int threads) {
  python::Source s = python::read_source(source, is_text);
  for (const std::string& set : sets) model::apply_override(s.doc, set);
  model::Spec spec;
  try {
    spec = model::load(s.doc, s.base_dir);
  } catch (const ModelError& e) {
    throw model::locate(e, s.positions, sets);  // as the CLI says
  }
  const analytic::ModelAnalysis a = analytic::analyze(spec);
  Json out = run::analysis_json(spec, a);
  if (check) {
    const model::Spec check_spec =
        model::load(run::check_document(s.doc, spec, seed, replications, duration), s.base_dir);
    run::RunOptions ro;
    ro.threads = threads;
    run::Results r;
    python::run_interruptibly([&] { r = run::run_replications(check_spec, ro); });
    out["check"] = run::check_json(a, r);
  }
  py::dict result;
  result["json"] = out.dump(2) + "\n";
  result["warnings"] = warning_texts(spec);
  return result;
}

}  // namespace

PYBIND11_MODULE(_capsim, m) {
  m.doc() = "capsim's engine (use the package capsim: docs/python.md)";
  m.attr("version") = CAPSIM_VERSION;

  // Exceptions, named as the package exports them. ModelError is a ValueError whose text is the
  // command line's (one "POINTER: expected ..., found ..." line per problem), with the problems
  // also as `diagnostics`, a list of (pointer, message).
  static py::exception<ModelError> model_error(m, "ModelError", PyExc_ValueError);
  static py::exception<net::SimulationError> simulation_error(m, "SimulationError",
                                                              PyExc_RuntimeError);
  static py::exception<run::RunStopped> run_stopped(m, "RunStopped", PyExc_RuntimeError);
  model_error.attr("__module__") = "capsim";
  simulation_error.attr("__module__") = "capsim";
  run_stopped.attr("__module__") = "capsim";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ModelError& e) {
      py::list diagnostics;
      for (const model::Diagnostic& d : e.diagnostics()) {
        diagnostics.append(py::make_tuple(d.pointer, d.message));
      }
      py::object error = py::handle(model_error.ptr())(py::str(e.what()));
      error.attr("diagnostics") = diagnostics;
      PyErr_SetObject(model_error.ptr(), error.ptr());
    } catch (const net::SimulationError& e) {
      // The command line says "capsim: simulation failed " + what().
      simulation_error(("simulation failed " + std::string(e.what())).c_str());
    } catch (const run::RunStopped& e) {
      run_stopped((std::string(e.what()) +
                   "; raise max_wall, or shorten /simulation/duration or /simulation/replications")
                      .c_str());
    }
  });

  const auto a = [](const char* name) { return py::arg(name); };
  m.def("run", &run_model, a("source"), a("is_text"), a("sets"), a("seed"), a("replications"),
        a("duration"), a("threads"), a("max_events"), a("max_wall"));
  m.def("validate", &validate_model, a("source"), a("is_text"), a("sets"));
  m.def("sweep", &sweep_experiment, a("source"), a("is_text"), a("sets"), a("seed"),
        a("replications"), a("duration"), a("threads"));
  m.def("size", &size_experiment, a("source"), a("is_text"), a("sets"), a("seed"),
        a("replications"), a("duration"), a("threads"));
  m.def("compare", &compare_experiment, a("source"), a("is_text"), a("sets"), a("seed"),
        a("replications"), a("duration"), a("threads"));
  m.def("analyze", &analyze_model, a("source"), a("is_text"), a("sets"), a("check"), a("seed"),
        a("replications"), a("duration"), a("threads"));
}
