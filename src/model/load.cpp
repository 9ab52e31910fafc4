/// \file Model loading's entry points (load, load_file) and the top of the model: its keys, its
/// name and description, the simulation settings, and the order in which the sections are read
/// (model_loader.hpp lists the files that read them), plus the name helpers the sections share.

#include <cmath>

#include "capsim/model/document.hpp"
#include "capsim/model/load.hpp"
#include "model_loader.hpp"
#include "plausibility.hpp"

namespace capsim::model {
namespace {
// The start of the message refusing a warm-up that the duration does not leave room for.
const std::string kWarmupTooLong = "expected a warm-up shorter than the duration (";
}  // namespace

std::string duration_flag_hint(const Diagnostic& d, const std::optional<std::string>& flag) {
  if (!flag || d.pointer != "/simulation/warmup" || d.message.rfind(kWarmupTooLong, 0) != 0) {
    return "";
  }
  return "; the duration is --duration " + *flag +
         ": give a longer --duration, or a shorter warm-up with --set /simulation/warmup=...";
}
}  // namespace capsim::model

namespace capsim::model::detail {

namespace {

constexpr std::int64_t max_replications = 100000;

}  // namespace

bool is_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

/// The names for a message: all of them when there are few, else the first ones and a count,
/// so that a message stays short (and cheap) whatever the model's size.
std::string names_text(const std::vector<std::string>& names) {
  constexpr std::size_t shown = 20;
  if (names.size() <= shown) return join(names);
  const std::vector<std::string> first(names.begin(), names.begin() + shown);
  return join(first) + ", ... (" + std::to_string(names.size()) + " in all)";
}

std::string join_and(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) {
    if (!text.empty()) text += " and ";
    text += item;
  }
  return text;
}

// ---- Model ----------------------------------------------------------------------------------

Spec ModelLoader::load() {
  Spec spec;
  spec.name = "model";
  if (!doc_.is_object()) {
    reader_.expected("", "a model: a JSON object", doc_);
    return spec;
  }
  reader_.check_keys(
      doc_, "", "model",
      {"name", "description", "simulation", "workloads", "services", "faults", "slo", "nodes"});
  outline_services();

  if (const Json* name = find(doc_, "name")) {
    if (const auto text = reader_.string(*name, "/name", "a non-empty string")) spec.name = *text;
  }
  if (const Json* description = find(doc_, "description")) {
    if (description->is_string()) {
      spec.description = description->get<std::string>();
    } else {
      reader_.expected("/description", "a string", *description);
    }
  }
  if (const Json* simulation = find(doc_, "simulation")) {
    spec.simulation = read_simulation(*simulation, "/simulation");
  }
  if (const Json* services = find(doc_, "services")) {
    read_services(*services, "/services", spec);
    check_totals(spec);
    check_connection_limits(spec);
  } else {
    reader_.missing("/services", "an object of services by name");
  }
  if (const Json* workloads = find(doc_, "workloads")) {
    read_workloads(*workloads, "/workloads", spec);
    check_cache_backends(spec);
    check_client_keys(*workloads, spec);
  } else {
    reader_.missing("/workloads", "an array of workloads");
  }
  if (const Json* faults = find(doc_, "faults")) read_faults(*faults, "/faults", spec);
  if (const Json* slo = find(doc_, "slo")) spec.slo = read_slo(*slo, "/slo");
  if (const Json* nodes = find(doc_, "nodes")) spec.nodes = read_nodes(reader_, *nodes, "/nodes");
  // Pods name pools: read once both are (not at all when the nodes had errors).
  const Json* services = find(doc_, "services");
  if (services && (spec.nodes || !find(doc_, "nodes"))) {
    read_pods(reader_, *services, "/services", spec);
  }
  if (spec.nodes || !find(doc_, "nodes")) check_node_losses(reader_, spec);
  check_cycles();
  return spec;
}

// ---- Simulation -----------------------------------------------------------------------------

SimulationSpec ModelLoader::read_simulation(const Json& value, const std::string& pointer) {
  SimulationSpec spec;
  if (!value.is_object()) {
    reader_.expected(pointer, "an object", value);
    duration_known_ = false;
    return spec;
  }
  reader_.check_keys(value, pointer, "simulation",
                     {"duration", "warmup", "replications", "seed", "confidence", "window",
                      "max_queue", "phases", "per_endpoint"});
  bool duration_ok = true;
  if (const Json* duration = find(value, "duration")) {
    const auto seconds = reader_.duration(*duration, child(pointer, "duration"), Sign::positive);
    duration_ok = seconds.has_value();
    duration_known_ = duration_ok;
    if (seconds) spec.duration_s = *seconds;
  }
  if (const Json* warmup = find(value, "warmup")) {
    const std::string at = child(pointer, "warmup");
    if (const auto seconds = reader_.duration(*warmup, at, Sign::non_negative)) {
      if (duration_ok && *seconds >= spec.duration_s) {
        reader_.error(at, kWarmupTooLong + seconds_text(spec.duration_s) + "), found " +
                              seconds_text(*seconds));
      } else {
        spec.warmup_s = *seconds;
      }
    }
  }
  if (const Json* replications = find(value, "replications")) {
    if (const auto n =
            reader_.integer(*replications, child(pointer, "replications"), 1, max_replications)) {
      spec.replications = static_cast<int>(*n);
    }
  }
  if (const Json* seed = find(value, "seed")) {
    if (const auto s = read_seed(*seed, child(pointer, "seed"))) spec.seed = *s;
  }
  if (const Json* confidence = find(value, "confidence")) {
    if (const auto c = reader_.number(*confidence, child(pointer, "confidence"),
                                      "a confidence level from 0.5 to 0.999",
                                      [](double x) { return x >= 0.5 && x <= 0.999; })) {
      spec.confidence = *c;
    }
  }
  if (const Json* window = find(value, "window")) {
    if (const auto w = reader_.duration(*window, child(pointer, "window"), Sign::positive)) {
      spec.window_s = *w;
    }
  }
  if (const Json* max_queue = find(value, "max_queue")) {
    if (const auto q = reader_.integer(*max_queue, child(pointer, "max_queue"), 1, max_int64)) {
      spec.max_queue = *q;
    }
  }
  if (const Json* phases = find(value, "phases")) {
    spec.phases = read_phases(reader_, *phases, child(pointer, "phases"),
                              duration_ok ? std::optional<double>(spec.duration_s) : std::nullopt);
  }
  if (const Json* per_endpoint = find(value, "per_endpoint")) {
    if (per_endpoint->is_boolean()) {
      spec.per_endpoint = per_endpoint->get<bool>();
    } else {
      reader_.expected(child(pointer, "per_endpoint"), "true or false", *per_endpoint);
    }
  }
  return spec;
}

std::optional<std::uint64_t> ModelLoader::read_seed(const Json& value, const std::string& pointer) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_float()) {
    const double x = value.get<double>();
    if (x >= 0 && x == std::floor(x) && x < 1.8e19) return static_cast<std::uint64_t>(x);
  }
  reader_.expected(pointer, "a non-negative integer", value);
  return std::nullopt;
}

}  // namespace capsim::model::detail

namespace capsim::model {

namespace {

using detail::ModelLoader;
using detail::Reader;

/// Finds what no reader should have to guard against: nesting deeper than kMaxJsonDepth (in a
/// document that parse_json did not read) and numbers that are not finite (nlohmann reads
/// 1e999 as infinity). On finding one, fills `message` and `tokens` (the pointer's tokens, last
/// first) and returns true. The recursion stops at kMaxJsonDepth.
bool find_unusable(const Json& value, int depth, std::vector<std::string>& tokens,
                   std::string& message) {
  if (value.is_number_float() && !std::isfinite(value.get<double>())) {
    message = "expected a finite number, found one too large to represent (";
    message += value.get<double>() > 0 ? "above 1.8e308)" : "below -1.8e308)";
    if (std::isnan(value.get<double>())) message = "expected a number, found NaN";
    return true;
  }
  if (!value.is_structured()) return false;
  if (depth >= kMaxJsonDepth) {
    message = "expected at most " + std::to_string(kMaxJsonDepth) +
              " levels of nested arrays and objects, found more";
    return true;
  }
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      if (find_unusable(member, depth + 1, tokens, message)) {
        tokens.push_back(key);
        return true;
      }
    }
  } else {
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (find_unusable(value[i], depth + 1, tokens, message)) {
        tokens.push_back(std::to_string(i));
        return true;
      }
    }
  }
  return false;
}

}  // namespace

Spec load(const Json& doc, const std::filesystem::path& base_dir) {
  std::vector<std::string> tokens;
  std::string message;
  if (find_unusable(doc, 0, tokens, message)) {
    std::string pointer;
    for (auto token = tokens.rbegin(); token != tokens.rend(); ++token) {
      pointer = child(pointer, *token);
    }
    throw ModelError(std::move(pointer), std::move(message));
  }
  Reader reader(base_dir);
  Spec spec = ModelLoader(doc, reader).load();
  if (reader.has_errors()) throw ModelError(reader.sorted_errors(doc));
  detail::check_plausibility(doc, reader);
  detail::check_profiles_reach_their_peak(spec, reader);
  detail::check_work_means(spec, reader);
  spec.warnings = reader.sorted_warnings(doc);
  return spec;
}

Spec load_file(const std::filesystem::path& path, const std::vector<std::string>& overrides) {
  return load_document(read_document(path), path, overrides);
}

Spec load_document(Document document, const std::filesystem::path& path,
                   const std::vector<std::string>& overrides) {
  Json& doc = document.json;
  std::vector<Diagnostic> problems;
  for (const std::string& assignment : overrides) {
    try {
      apply_override(doc, assignment);
    } catch (const ModelError& e) {
      problems.insert(problems.end(), e.diagnostics().begin(), e.diagnostics().end());
    }
  }
  if (!problems.empty()) throw ModelError(std::move(problems));
  const bool named = doc.is_object() && doc.contains("name");
  Spec spec;
  try {
    spec = load(doc, path.parent_path());
  } catch (const ModelError& e) {
    throw locate(e, document.positions, overrides);
  }
  if (!named && !path.stem().empty()) spec.name = path.stem().string();
  return spec;
}

}  // namespace capsim::model
