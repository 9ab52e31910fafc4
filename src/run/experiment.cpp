#include "capsim/run/experiment.hpp"

#include <array>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_map>

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

std::vector<Override> Experiment::point_overrides(std::size_t point) const {
  std::vector<Override> out;
  const std::vector<std::size_t>& choice = points.at(point);
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const SweepParameter& p = parameters[i];
    out.push_back({p.pointer, p.values[choice[i]],
                   p.from_range ? detail::child(p.source, "range")
                                : detail::child(detail::child(p.source, "values"), choice[i]),
                   detail::child(p.source, "pointer")});
  }
  return out;
}

namespace {

using detail::child;
using detail::describe;
using detail::Problems;

const std::vector<std::string> kCommonKeys = {
    "kind", "model", "description", "replications", "confidence", "overrides", "metrics"};
const std::vector<std::string> kSweepKeys = {"parameters", "combine"};
const std::vector<std::string> kSizeKeys = {"services",     "slo",          "at",
                                            "min_replicas", "max_replicas", "max_replications"};
const std::vector<std::string> kCompareKeys = {"variants", "baseline"};

std::vector<std::string> keys_of(ExperimentKind kind) {
  std::vector<std::string> keys = kCommonKeys;
  const auto& extra = kind == ExperimentKind::sweep  ? kSweepKeys
                      : kind == ExperimentKind::size ? kSizeKeys
                                                     : kCompareKeys;
  keys.insert(keys.end(), extra.begin(), extra.end());
  return keys;
}

std::vector<std::pair<std::string, std::string>> keys_elsewhere(ExperimentKind kind) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto add = [&](const std::vector<std::string>& keys, const char* where) {
    for (const std::string& k : keys) out.emplace_back(k, where);
  };
  if (kind != ExperimentKind::sweep) add(kSweepKeys, "sweep experiments");
  if (kind != ExperimentKind::size) add(kSizeKeys, "size experiments");
  if (kind != ExperimentKind::compare) add(kCompareKeys, "compare experiments");
  return out;
}

// ---- Diagnostics in document order ----------------------------------------------------------

void rank_values(const Json& value, const std::string& pointer,
                 std::unordered_map<std::string, std::size_t>& ranks) {
  ranks.emplace(pointer, ranks.size());
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) rank_values(member, child(pointer, key), ranks);
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) rank_values(value[i], child(pointer, i), ranks);
  }
}

std::vector<Diagnostic> in_document_order(const Json& doc, std::vector<Diagnostic> list) {
  std::unordered_map<std::string, std::size_t> ranks;
  rank_values(doc, "", ranks);
  const auto rank_of = [&ranks](std::string pointer) {
    while (true) {
      if (const auto found = ranks.find(pointer); found != ranks.end()) return found->second;
      const auto slash = pointer.rfind('/');
      if (slash == std::string::npos) return std::size_t{0};
      pointer.resize(slash);
    }
  };
  std::vector<std::pair<std::size_t, Diagnostic>> ranked;
  for (Diagnostic& d : list) {
    const std::size_t rank = rank_of(d.pointer);
    ranked.emplace_back(rank, std::move(d));
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Diagnostic> sorted;
  std::set<std::pair<std::string, std::string>> seen;
  for (auto& [rank, d] : ranked) {
    if (seen.emplace(d.pointer, d.message).second) sorted.push_back(std::move(d));
  }
  return sorted;
}

// ---- Numbers ----------------------------------------------------------------------------------

/// A number as JSON: an integer when it is one (so "replicas": 3, not 3.0), else the double
/// rounded to 12 significant digits (so a range gives 0.3, not 0.30000000000000004).
Json number_value(double x) {
  if (x == std::floor(x) && std::fabs(x) < 9e15) return Json(static_cast<std::int64_t>(x));
  std::array<char, 32> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.12g", x);
  const double rounded = std::stod(buffer.data());
  // 100 + 9 x (1000 - 100) / 9 can land a hair off 1000: once rounded, it is a whole number.
  if (rounded == std::floor(rounded) && std::fabs(rounded) < 9e15) {
    return Json(static_cast<std::int64_t>(rounded));
  }
  return Json(rounded);
}

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

// ---- Loading variants -------------------------------------------------------------------------

/// The source of the override that a model diagnostic at `pointer` is about: the last override
/// whose pointer is a prefix of it (or equal), else nullptr.
const Override* culprit(const std::vector<Override>& overrides, const std::string& pointer) {
  const Override* found = nullptr;
  for (const Override& o : overrides) {
    if (pointer == o.pointer || (pointer.size() > o.pointer.size() &&
                                 pointer.compare(0, o.pointer.size(), o.pointer) == 0 &&
                                 pointer[o.pointer.size()] == '/')) {
      found = &o;
    }
  }
  return found;
}

/// Applies `overrides` to `doc`; problems are reported at "<source>/pointer".
bool apply_all(Json& doc, const std::vector<Override>& overrides, std::vector<Diagnostic>& out) {
  bool ok = true;
  for (const Override& o : overrides) {
    try {
      model::apply_override(doc, o.pointer, o.value);
    } catch (const ModelError& e) {
      for (const Diagnostic& d : e.diagnostics()) {
        out.push_back({o.pointer_source, "cannot apply to the model: " + d.text()});
      }
      ok = false;
    }
  }
  return ok;
}

/// Loads `doc` (overrides applied); every problem is mapped to the source of the override it is
/// about, or to `fallback`.
std::optional<model::Spec> load_mapped(const Json& doc, const std::filesystem::path& base_dir,
                                       const std::vector<Override>& overrides,
                                       const std::string& fallback, const std::string& what,
                                       std::vector<Diagnostic>& out) {
  try {
    return model::load(doc, base_dir);
  } catch (const ModelError& e) {
    for (const Diagnostic& d : e.diagnostics()) {
      if (const Override* o = culprit(overrides, d.pointer)) {
        out.push_back({o->source, "the model refuses " + describe(o->value) + ": " + d.text()});
      } else {
        out.push_back({fallback, "the model refuses " + what + ": " + d.text()});
      }
    }
    return std::nullopt;
  }
}

// ---- Reading the pieces -----------------------------------------------------------------------

std::vector<Override> read_overrides(const Json& list, const std::string& pointer,
                                     Problems& problems) {
  std::vector<Override> out;
  if (!list.is_array()) {
    problems.expected(pointer, R"(a list of { "pointer": ..., "value": ... })", list);
    return out;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Json& item = list[i];
    const std::string at = child(pointer, i);
    if (!item.is_object()) {
      problems.expected(at, R"({ "pointer": "/services/api/replicas", "value": 4 })", item);
      continue;
    }
    problems.check_keys(item, at, {"pointer", "value"});
    Override o;
    o.source = child(at, "value");
    o.pointer_source = child(at, "pointer");
    bool ok = true;
    if (!item.contains("pointer")) {
      problems.missing(child(at, "pointer"), "a JSON Pointer such as /services/api/replicas");
      ok = false;
    } else if (const Json& p = item["pointer"]; !p.is_string() ||
                                                p.get_ref<const std::string&>().empty() ||
                                                p.get_ref<const std::string&>()[0] != '/') {
      problems.expected(child(at, "pointer"), "a JSON Pointer such as /services/api/replicas", p);
      ok = false;
    } else {
      o.pointer = p.get<std::string>();
    }
    if (!item.contains("value")) {
      problems.missing(child(at, "value"), "the value to set");
      ok = false;
    } else {
      o.value = item["value"];
    }
    if (ok) out.push_back(std::move(o));
  }
  return out;
}

std::vector<Json> read_range(const Json& range, const std::string& at, Problems& problems) {
  std::vector<Json> values;
  if (!range.is_object()) {
    problems.expected(at, R"({ "from": 100, "to": 2000, "steps": 20 })", range);
    return values;
  }
  problems.check_keys(range, at, {"from", "to", "steps"});
  std::optional<double> from, to;
  std::optional<long long> steps;
  for (const char* key : {"from", "to"}) {
    const std::string p = child(at, key);
    if (!range.contains(key)) {
      problems.missing(p, "a number");
    } else if (!range[key].is_number()) {
      problems.expected(p, "a number", range[key]);
    } else {
      (std::string_view(key) == "from" ? from : to) = range[key].get<double>();
    }
  }
  if (!range.contains("steps")) {
    problems.missing(child(at, "steps"), "the number of values, from 2 to 100000");
  } else {
    steps = problems.integer(range["steps"], child(at, "steps"), 2, 100000);
  }
  if (!from || !to || !steps) return values;
  for (long long k = 0; k < *steps; ++k) {
    const double t = static_cast<double>(k) / static_cast<double>(*steps - 1);
    const double x = k == 0 ? *from : k == *steps - 1 ? *to : *from + (*to - *from) * t;
    values.push_back(number_value(x));
  }
  return values;
}

std::vector<SweepParameter> read_parameters(const Json& list, Problems& problems) {
  std::vector<SweepParameter> out;
  const std::string pointer = "/parameters";
  if (!list.is_array() || list.empty()) {
    problems.expected(pointer, "a non-empty list of parameters", list);
    return out;
  }
  std::set<std::string> pointers;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Json& item = list[i];
    const std::string at = child(pointer, i);
    if (!item.is_object()) {
      problems.expected(
          at, R"({ "pointer": ..., "values": [...] } or { "pointer": ..., "range": {...} })", item);
      continue;
    }
    problems.check_keys(item, at, {"pointer", "values", "range", "name"});
    SweepParameter p;
    p.source = at;
    bool ok = true;
    if (!item.contains("pointer")) {
      problems.missing(child(at, "pointer"), "a JSON Pointer such as /workloads/0/rate");
      ok = false;
    } else if (const Json& ptr = item["pointer"]; !ptr.is_string() ||
                                                  ptr.get_ref<const std::string&>().empty() ||
                                                  ptr.get_ref<const std::string&>()[0] != '/') {
      problems.expected(child(at, "pointer"), "a JSON Pointer such as /workloads/0/rate", ptr);
      ok = false;
    } else {
      p.pointer = ptr.get<std::string>();
      if (!pointers.insert(p.pointer).second) {
        problems.error(child(at, "pointer"),
                       "expected each pointer once, found " + describe(ptr) + " again");
        ok = false;
      }
    }
    if (item.contains("name")) {
      if (const auto name = problems.string(item["name"], child(at, "name"), "a column name")) {
        p.name = *name;
      }
    }
    if (p.name.empty()) p.name = p.pointer;
    const bool has_values = item.contains("values");
    const bool has_range = item.contains("range");
    if (has_values && has_range) {
      problems.error(at, "expected either values or range, found both");
      ok = false;
    } else if (has_values) {
      const Json& values = item["values"];
      if (!values.is_array() || values.empty()) {
        problems.expected(child(at, "values"), "a non-empty list of values", values);
        ok = false;
      } else {
        p.values.assign(values.begin(), values.end());
      }
    } else if (has_range) {
      p.values = read_range(item["range"], child(at, "range"), problems);
      p.from_range = true;
      ok = ok && !p.values.empty();
    } else {
      problems.missing(child(at, "values"), R"(a list of values (or a "range"))");
      ok = false;
    }
    if (ok) out.push_back(std::move(p));
  }
  return out;
}

void set_simulation(Json& model, const char* key, Json value) {
  if (!model.is_object()) return;
  if (!model.contains("simulation") || !model["simulation"].is_object()) {
    model["simulation"] = Json::object();
  }
  model["simulation"][key] = std::move(value);
}

// ---- Kinds ------------------------------------------------------------------------------------

void read_sweep(const Json& doc, Experiment& e, bool model_ok, Problems& problems) {
  if (!doc.contains("parameters")) {
    problems.missing("/parameters", "a list of parameters to vary");
  } else {
    e.parameters = read_parameters(doc["parameters"], problems);
  }
  if (doc.contains("combine")) {
    if (const auto c = problems.choice(doc["combine"], "/combine", {"product", "zip"})) {
      e.combine = static_cast<Combine>(*c);
    }
  }
  if (e.parameters.empty()) return;
  // The points.
  if (e.combine == Combine::zip) {
    const std::size_t n = e.parameters.front().values.size();
    bool same = true;
    for (const SweepParameter& p : e.parameters) {
      if (p.values.size() != n) {
        problems.error(p.source, "expected " + std::to_string(n) +
                                     " values (zip pairs the parameters' values by position), "
                                     "found " +
                                     std::to_string(p.values.size()));
        same = false;
      }
    }
    if (!same) return;
    for (std::size_t k = 0; k < n; ++k) {
      e.points.emplace_back(e.parameters.size(), k);
    }
  } else {
    double count = 1.0;
    for (const SweepParameter& p : e.parameters) count *= static_cast<double>(p.values.size());
    if (count > 100000.0) {
      problems.error("/parameters", "expected at most 100000 points, found " +
                                        std::to_string(static_cast<long long>(count)));
      return;
    }
    std::vector<std::size_t> choice(e.parameters.size(), 0);
    while (true) {
      e.points.push_back(choice);
      std::size_t i = e.parameters.size();
      while (i > 0) {
        --i;
        if (++choice[i] < e.parameters[i].values.size()) break;
        choice[i] = 0;
        if (i == 0) {
          i = e.parameters.size() + 1;  // done
          break;
        }
      }
      if (i == e.parameters.size() + 1) break;
    }
  }
  if (!model_ok) return;
  // Every value alone, then every point: the model must accept them all before anything runs.
  const std::filesystem::path base_dir = e.model_file.parent_path();
  std::vector<Diagnostic> found;
  bool values_ok = true;
  for (const SweepParameter& p : e.parameters) {
    for (std::size_t j = 0; j < p.values.size(); ++j) {
      const Override o{
          p.pointer, p.values[j],
          p.from_range ? child(p.source, "range") : child(child(p.source, "values"), j),
          child(p.source, "pointer")};
      Json doc_j = e.model;
      std::vector<Diagnostic> local;
      if (!apply_all(doc_j, {o}, local)) {
        found.insert(found.end(), local.begin(), local.end());
        values_ok = false;
        break;  // the pointer itself is wrong: once is enough
      }
      if (!load_mapped(doc_j, base_dir, {o}, o.source, "it", found)) values_ok = false;
    }
  }
  if (values_ok) {
    for (std::size_t k = 0; k < e.points.size(); ++k) {
      const std::vector<Override> overrides = e.point_overrides(k);
      Json doc_k = e.model;
      apply_all(doc_k, overrides, found);
      std::string what = "the point";
      for (const Override& o : overrides) what += " " + o.pointer + "=" + describe(o.value);
      std::vector<Diagnostic> local;
      if (!load_mapped(doc_k, base_dir, {}, "/parameters", what, local)) {
        found.insert(found.end(), local.begin(), local.end());
        if (found.size() >= 20) break;  // enough to see what is wrong
      }
    }
  }
  for (Diagnostic& d : found) problems.error(std::move(d.pointer), std::move(d.message));
}

void read_size(const Json& doc, Experiment& e, bool model_ok, Problems& problems) {
  if (!doc.contains("services")) {
    problems.missing("/services", "a list of the services whose replica count is solved for");
  } else if (const Json& list = doc["services"]; !list.is_array() || list.empty()) {
    problems.expected("/services", "a non-empty list of service names", list);
  } else {
    std::vector<std::string> names;
    for (const model::ServiceSpec& s : e.base.services) names.push_back(s.name);
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string at = child("/services", i);
      const auto name = problems.string(list[i], at, "the name of a service");
      if (!name) continue;
      if (model_ok && std::find(names.begin(), names.end(), *name) == names.end()) {
        problems.expected(at, "the name of a service of the model (" + detail::join(names) + ")",
                          list[i], detail::did_you_mean(*name, names));
        continue;
      }
      if (std::find(e.services.begin(), e.services.end(), *name) != e.services.end()) {
        problems.error(at, "expected each service once, found " + describe(list[i]) + " again");
        continue;
      }
      if (model_ok) {
        const model::ServiceSpec& svc = e.base.services[*e.base.service_index(*name)];
        if (svc.autoscaling) {
          problems.error(at, "expected a service with a fixed replica count, found " +
                                 describe(list[i]) +
                                 " with autoscaling (size solves for a fixed count; remove its "
                                 "autoscaling with an override)");
          continue;
        }
      }
      e.services.push_back(*name);
    }
  }
  if (doc.contains("at")) {
    if (const auto at = problems.choice(doc["at"], "/at", {"peak", "model"})) e.at_peak = *at == 0;
  }
  if (doc.contains("max_replicas")) {
    if (const auto v = problems.integer(doc["max_replicas"], "/max_replicas", 1, 100000)) {
      e.max_replicas = static_cast<int>(*v);
    }
  }
  if (doc.contains("min_replicas")) {
    if (const auto v = problems.integer(doc["min_replicas"], "/min_replicas", 1, e.max_replicas)) {
      e.min_replicas = static_cast<int>(*v);
    }
  }
  e.max_replications = std::min(100000, e.replications * 8);
  if (doc.contains("max_replications")) {
    if (const auto v = problems.integer(doc["max_replications"], "/max_replications",
                                        e.replications, 100000)) {
      e.max_replications = static_cast<int>(*v);
    }
  }
  if (!model_ok) return;
  if (doc.contains("slo")) {
    // The model's own format: let the model loader judge it, at the same pointer.
    Json doc_slo = e.model;
    doc_slo["slo"] = doc["slo"];
    try {
      model::Spec spec = model::load(doc_slo, e.model_file.parent_path());
      e.model = std::move(doc_slo);
      e.base = std::move(spec);
    } catch (const ModelError& err) {
      for (const Diagnostic& d : err.diagnostics()) {
        if (d.pointer.rfind("/slo", 0) == 0) {
          problems.error(d.pointer, d.message);
        } else {
          problems.error("/slo", "the model refuses it: " + d.text());
        }
      }
    }
  } else if (!e.base.slo) {
    problems.missing("/slo",
                     R"(an slo such as { "latency": { "p99": "200ms" } } (the model has none))");
  }
  if (e.base.workloads.empty()) {
    problems.error("/model", "expected a model with at least one workload, found none");
  }
}

void read_compare(const Json& doc, Experiment& e, bool model_ok, Problems& problems) {
  if (!doc.contains("variants")) {
    problems.missing("/variants", "an object of variants, each a list of overrides");
  } else if (const Json& variants = doc["variants"]; !variants.is_object() || variants.size() < 2) {
    problems.expected("/variants", "an object of at least two variants, each a list of overrides",
                      variants);
  } else {
    for (const auto& [name, list] : variants.items()) {
      Variant v;
      v.name = name;
      v.source = child("/variants", name);
      const std::size_t before = problems.size();
      v.overrides = read_overrides(list, v.source, problems);
      if (problems.size() == before) e.variants.push_back(std::move(v));
    }
  }
  std::vector<std::string> names;
  const Json variants = doc.value("variants", Json::object());
  if (variants.is_object()) {
    for (const auto& [name, _] : variants.items()) names.push_back(name);
  }
  if (doc.contains("baseline")) {
    if (const auto b = problems.string(doc["baseline"], "/baseline", "the name of a variant")) {
      const auto it = std::find(names.begin(), names.end(), *b);
      if (it == names.end()) {
        problems.expected("/baseline", "the name of a variant (" + detail::join(names) + ")",
                          doc["baseline"], detail::did_you_mean(*b, names));
      } else {
        for (std::size_t i = 0; i < e.variants.size(); ++i) {
          if (e.variants[i].name == *b) e.baseline = i;
        }
      }
    }
  }
  if (!model_ok) return;
  std::vector<Diagnostic> found;
  for (const Variant& v : e.variants) {
    Json doc_v = e.model;
    if (!apply_all(doc_v, v.overrides, found)) continue;
    load_mapped(doc_v, e.model_file.parent_path(), v.overrides, v.source, "this variant", found);
  }
  for (Diagnostic& d : found) problems.error(std::move(d.pointer), std::move(d.message));
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
  if (kind_ok) problems.check_keys(doc, "", keys_of(e.kind), keys_elsewhere(e.kind));
  if (doc.contains("description")) {
    if (const auto d = problems.string(doc["description"], "/description", "a text")) {
      e.description = *d;
    }
  }

  // The model, with the experiment's and the command line's changes.
  bool model_ok = false;
  if (!doc.contains("model")) {
    problems.missing("/model", "the path of a model file, relative to the experiment");
  } else if (const auto path = problems.string(doc["model"], "/model",
                                               "the path of a model file, relative to the "
                                               "experiment")) {
    e.model_file = file.parent_path() / *path;
    try {
      e.model = model::read_json_file(e.model_file);
      model_ok = true;
    } catch (const ModelError& err) {
      for (const Diagnostic& d : err.diagnostics()) problems.error("/model", d.text());
    }
  }
  if (model_ok && !e.model.is_object()) {
    problems.expected("/model", "a model file holding a JSON object", e.model);
    model_ok = false;
  }
  if (doc.contains("overrides")) {
    const std::vector<Override> overrides =
        read_overrides(doc["overrides"], "/overrides", problems);
    if (model_ok) {
      std::vector<Diagnostic> found;
      if (!apply_all(e.model, overrides, found)) model_ok = false;
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
    if (sim && sim->is_object() && sim->contains("replications") &&
        (*sim)["replications"].is_number_integer()) {
      e.replications = std::max(2, (*sim)["replications"].get<int>());
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
      for (const Diagnostic& d : err.diagnostics()) {
        problems.error("/model", e.model_file.string() + ": " + d.text());
      }
      model_ok = false;
    }
  }
  if (kind_ok) {
    switch (e.kind) {
      case ExperimentKind::sweep:
        read_sweep(doc, e, model_ok, problems);
        break;
      case ExperimentKind::size:
        read_size(doc, e, model_ok, problems);
        break;
      case ExperimentKind::compare:
        read_compare(doc, e, model_ok, problems);
        break;
    }
  }
  // The metrics, checked against what the model reports.
  if (doc.contains("metrics")) {
    e.metrics = detail::read_metrics(doc["metrics"], problems);
  }
  if (model_ok && problems.empty()) {
    detail::check_metrics(e, problems);
    if (!doc.contains("metrics")) e.metrics = detail::default_metrics(e);
  }
  if (!problems.empty()) {
    throw ModelError(in_document_order(doc, std::move(problems.list())));
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
  return parse_experiment(model::read_json_file(file), file, options);
}

model::Spec load_variant(const Experiment& experiment, const std::vector<Override>& overrides) {
  Json doc = experiment.model;
  std::vector<Diagnostic> found;
  if (apply_all(doc, overrides, found)) {
    if (auto spec = load_mapped(doc, experiment.model_file.parent_path(), overrides, "",
                                "these overrides", found)) {
      return std::move(*spec);
    }
  }
  throw ModelError(std::move(found));
}

}  // namespace capsim::run
