// Reading an experiment file: the keys every kind shares (the model, its overrides, the
// command line's options, replications, confidence, metrics), then the kind's own keys
// (experiment_kinds.cpp); every problem is reported at its JSON Pointer, in document order.

#include "capsim/run/experiment.hpp"

#include <array>
#include <cinttypes>
#include <cstdio>

#include "capsim/model/diagnostics.hpp"
#include "capsim/model/document.hpp"
#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "experiment_reader.hpp"

namespace capsim::run {

using model::Diagnostic;
using model::ModelError;

const char* kind_name(ExperimentKind kind) {
  switch (kind) {
    case ExperimentKind::sweep:
      return "sweep";
    case ExperimentKind::size:
      return "size";
    case ExperimentKind::compare:
      return "compare";
  }
  return "sweep";
}

namespace {

using detail::child;
using detail::Problems;

// ---- Diagnostics in document order ----------------------------------------------------------

// ---- The fingerprint and the model's simulation settings --------------------------------------

/// The 64-bit FNV-1a digest of `text`, as 16 hex digits.
std::string fnv1a_hex(const std::string& text) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  std::array<char, 17> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%016" PRIx64, h);
  return buffer.data();
}

/// Sets /simulation/`key` of the model document, creating /simulation where it is missing.
void set_simulation(Json& model, const char* key, Json value) {
  if (!model.is_object()) return;
  if (!model.contains("simulation") || !model["simulation"].is_object()) {
    model["simulation"] = Json::object();
  }
  model["simulation"][key] = std::move(value);
}

}  // namespace

Experiment parse_experiment(const Json& doc, const std::filesystem::path& file,
                            const ExperimentOptions& options) {
  Problems problems;
  Experiment e;
  e.file = file;
  e.name = file.stem().string();
  if (!doc.is_object()) {
    problems.expected("", R"(an experiment object such as { "kind": "sweep", ... })", doc);
    throw ModelError(std::move(problems.list()));
  }
  bool kind_ok = false;
  if (!doc.contains("kind")) {
    problems.missing("/kind", "one of sweep, size, compare");
  } else if (const auto k = problems.choice(doc["kind"], "/kind", {"sweep", "size", "compare"})) {
    e.kind = static_cast<ExperimentKind>(*k);
    kind_ok = true;
  }
  if (kind_ok)
    problems.check_keys(doc, "", detail::keys_of(e.kind), detail::keys_elsewhere(e.kind));
  if (doc.contains("description")) {
    if (const auto d = problems.string(doc["description"], "/description", "a text")) {
      e.description = *d;
    }
  }

  // The model, with the experiment's and the command line's changes.
  bool model_ok = false;
  model::SourcePositions model_positions;  // YAML: where the model's values are
  if (!doc.contains("model")) {
    problems.missing("/model", "the path of a model file, relative to the experiment");
  } else if (const auto path = problems.string(doc["model"], "/model",
                                               "the path of a model file, relative to the "
                                               "experiment")) {
    e.model_file = file.parent_path() / *path;
    try {
      model::Document model_document = model::read_document(e.model_file);
      e.model = std::move(model_document.json);
      model_positions = std::move(model_document.positions);
      model_ok = true;
    } catch (const ModelError& err) {
      for (const Diagnostic& d : err.diagnostics()) problems.error("/model", d.text());
    }
  }
  if (model_ok && !e.model.is_object()) {
    problems.expected("/model", "a model file holding a JSON object", e.model);
    model_ok = false;
  }
  std::vector<Override> overrides;  // the experiment's own, for messages
  if (doc.contains("overrides")) {
    overrides = detail::read_overrides(doc["overrides"], "/overrides", problems);
    if (model_ok) {
      std::vector<Diagnostic> found;
      if (!detail::apply_all(e.model, overrides, found)) model_ok = false;
      for (Diagnostic& d : found) problems.error(std::move(d.pointer), std::move(d.message));
    }
  }
  if (model_ok) {
    for (const std::string& set : options.sets) {
      try {
        model::apply_override(e.model, set);
      } catch (const ModelError& err) {
        for (const Diagnostic& d : err.diagnostics()) problems.error("", "--set " + d.text());
        model_ok = false;
      }
    }
    if (options.seed) set_simulation(e.model, "seed", *options.seed);
    if (options.duration) set_simulation(e.model, "duration", *options.duration);
  }
  if (doc.contains("replications")) {
    if (const auto r = problems.integer(doc["replications"], "/replications", 2, 100000)) {
      e.replications = static_cast<int>(*r);
    }
  } else if (model_ok) {
    const Json* sim = e.model.contains("simulation") ? &e.model["simulation"] : nullptr;
    if (sim && sim->is_object() && sim->contains("replications")) {
      // The experiment sets the model's replications below, so the model's own value is checked
      // here (-5 and 4294967298 became 2).
      const Json& r = (*sim)["replications"];
      if ((r.is_number_integer() || r.is_number_unsigned()) && r >= 1 && r <= 100000) {
        e.replications = std::max(2, r.get<int>());
      } else {
        problems.error("/model", e.model_file.string() +
                                     ": /simulation/replications: expected an integer from 1 to "
                                     "100000, found " +
                                     model::describe(r));
        model_ok = false;
      }
    }
  }
  if (options.replications) e.replications = *options.replications;
  if (doc.contains("confidence")) {
    const Json& c = doc["confidence"];
    if (c.is_number() && c.get<double>() >= 0.5 && c.get<double>() <= 0.999) {
      e.confidence = c.get<double>();
      if (model_ok) set_simulation(e.model, "confidence", c);
    } else {
      problems.expected("/confidence", "a number from 0.5 to 0.999", c);
    }
  } else if (kind_ok && e.kind == ExperimentKind::size && model_ok) {
    // Sizing decisions are taken at 95% unless the experiment says otherwise.
    set_simulation(e.model, "confidence", 0.95);
  }
  if (model_ok) {
    set_simulation(e.model, "replications", e.replications);
    try {
      e.base = model::load(e.model, e.model_file.parent_path());
      if (!doc.contains("confidence")) e.confidence = e.base.simulation.confidence;
    } catch (const ModelError& err) {
      // A problem with a value the experiment's overrides set is reported there (the model
      // file's line holds another value); one with --duration's names the flag.
      // --duration is set after the experiment's overrides, like a --set: placed on the
      // command line.
      std::vector<std::string> given = options.sets;
      if (options.duration) given.push_back("/simulation/duration=" + *options.duration);
      const ModelError located = model::locate(err, model_positions, given);
      for (std::size_t i = 0; i < err.diagnostics().size(); ++i) {
        const Diagnostic& d = err.diagnostics()[i];
        const std::string hint = model::duration_flag_hint(d, options.duration);
        const std::string located_text = located.diagnostics()[i].text();
        const Override* o = detail::override_of(overrides, d.pointer);
        // A --set after the experiment's override holds the value: its place is the command line.
        if (o != nullptr && located_text.find("given on the command line") == std::string::npos) {
          Diagnostic refused = detail::refusal_of(*o, d);
          problems.error(std::move(refused.pointer), refused.message + hint);
        } else {
          problems.error("/model", e.model_file.string() + ": " + located_text + hint);
        }
      }
      model_ok = false;
    }
  }
  if (kind_ok) {
    switch (e.kind) {
      case ExperimentKind::sweep:
        detail::read_sweep(doc, e, model_ok, problems);
        break;
      case ExperimentKind::size:
        detail::read_size(doc, e, model_ok, problems);
        break;
      case ExperimentKind::compare:
        detail::read_compare(doc, e, model_ok, problems);
        break;
    }
  }
  // The metrics, checked against what the model reports.
  if (doc.contains("metrics")) {
    e.metrics = detail::read_metrics(doc["metrics"], problems);
  }
  // Checked even when something else is wrong: every problem is reported in one pass.
  if (model_ok) detail::check_metrics(e, problems);
  if (model_ok && problems.empty() && !doc.contains("metrics")) {
    e.metrics = detail::default_metrics(e);
  }
  if (!problems.empty()) {
    throw ModelError(model::sort_in_document_order(doc, std::move(problems.list())));
  }
  Json fingerprint = Json::object();
  fingerprint["capsim"] = CAPSIM_VERSION;
  fingerprint["experiment"] = doc;
  fingerprint["model"] = e.model;
  fingerprint["replications"] = e.replications;
  e.fingerprint = fnv1a_hex(fingerprint.dump());
  return e;
}

Experiment read_experiment(const std::filesystem::path& file, const ExperimentOptions& options) {
  const model::Document document = model::read_document(file);
  try {
    return parse_experiment(document.json, file, options);
  } catch (const ModelError& e) {
    throw model::locate(e, document.positions);
  }
}

}  // namespace capsim::run
