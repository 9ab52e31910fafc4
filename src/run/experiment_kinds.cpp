// The experiment kinds: the keys each kind adds to an experiment file (sweep: parameters and
// combine; size: services, slo and bounds; compare: variants and baseline), read and checked
// against the model before anything runs.

#include <algorithm>

#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "capsim/run/experiment.hpp"
#include "experiment_reader.hpp"

namespace capsim::run::detail {

using model::Diagnostic;
using model::ModelError;

namespace {

const std::vector<std::string> kCommonKeys = {
    "kind", "model", "description", "replications", "confidence", "overrides", "metrics"};
const std::vector<std::string> kSweepKeys = {"parameters", "combine"};
const std::vector<std::string> kSizeKeys = {
    "services",         "settings",          "slo", "at", "min_replicas", "max_replicas",
    "max_replications", "max_configurations"};
const std::vector<std::string> kCompareKeys = {"variants", "baseline"};

}  // namespace

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
  if (e.parameters.empty() || !make_points(e, problems)) return;
  if (!model_ok) return;
  // Every value alone, then every point: the model must accept them all before anything runs.
  const std::filesystem::path base_dir = e.model_file.parent_path();
  std::vector<Diagnostic> found;
  bool values_ok = true;
  for (const SweepParameter& p : e.parameters) {
    for (std::size_t j = 0; j < p.values.size(); ++j) {
      const Override o = value_override(p, j);
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

namespace {

/// One { "pointer", "min", "max" } item of a size experiment's "services" (or, `priced`, one
/// { "pointer", "min", "max", "price_per_unit" } of its "settings"): an integer setting of the
/// model solved for like replicas. Both bounds must load.
void read_sized_setting(const Json& item, const std::string& at, Experiment& e, bool model_ok,
                        bool priced, Problems& problems) {
  if (!item.is_object()) {
    problems.expected(at, R"({ "pointer": ..., "min": ..., "max": ..., "price_per_unit": ... })",
                      item);
    return;
  }
  problems.check_keys(item, at,
                      priced ? std::vector<std::string>{"pointer", "min", "max", "price_per_unit"}
                             : std::vector<std::string>{"pointer", "min", "max"});
  std::optional<double> price;
  if (priced && item.contains("price_per_unit")) {
    price = problems.number(item["price_per_unit"], child(at, "price_per_unit"),
                            "a positive number", [](double x) { return x > 0.0; });
  }
  const auto pointer = read_pointer(item, at, "/services/db/connections", problems);
  if (priced && !item.contains("price_per_unit")) {
    // A service's replicas cost what the model says a replica-hour costs.
    for (const model::ServiceSpec& s : e.base.services) {
      if (model_ok && pointer && *pointer == s.pointer + "/replicas" && s.price_per_replica_hour &&
          *s.price_per_replica_hour > 0.0) {
        price = *s.price_per_replica_hour;
      }
    }
    if (!price) {
      problems.missing(child(at, "price_per_unit"),
                       "the price of one unit of the setting (a positive number; a service's "
                       "replicas default to its price_per_replica_hour)");
    }
  }
  std::optional<long long> lo, hi;
  if (!item.contains("min")) {
    problems.missing(child(at, "min"), "the smallest value to try (an integer, at least 0)");
  } else {
    lo = problems.integer(item["min"], child(at, "min"), 0, 1000000);
  }
  if (!item.contains("max")) {
    problems.missing(child(at, "max"), "the largest value to try (an integer, at least min)");
  } else {
    hi = problems.integer(item["max"], child(at, "max"), lo ? *lo : 0, 1000000);
  }
  if (!pointer) return;
  for (const Experiment::SizedSetting& z : e.sized) {
    if (z.pointer == *pointer) {
      problems.error(child(at, "pointer"),
                     "expected each setting once, found " + describe(item["pointer"]) + " again");
      return;
    }
  }
  if (!lo || !hi || (priced && !price)) return;
  Experiment::SizedSetting z;
  z.name = *pointer;
  z.pointer = *pointer;
  z.replicas = false;
  z.min = static_cast<int>(*lo);
  z.max = static_cast<int>(*hi);
  z.price_per_unit = price.value_or(0.0);
  if (model_ok) {
    // The service it belongs to: /services/NAME/... names it.
    for (const model::ServiceSpec& s : e.base.services) {
      if (pointer->rfind(s.pointer + "/", 0) == 0) z.service = s.name;
      // In "settings", a service's replicas are sized as replicas (the analytic estimate and the
      // rule of thumb per replica), keyed by the service's name.
      if (priced && *pointer == s.pointer + "/replicas") {
        if (s.autoscaling) {
          problems.error(child(at, "pointer"),
                         "expected a service with a fixed replica count, found " +
                             describe(item["pointer"]) +
                             " of a service with autoscaling (size solves for a fixed count; "
                             "remove its autoscaling with the override {\"pointer\": \"" +
                             s.pointer + "/autoscaling\", \"value\": false})");
          return;
        }
        z.replicas = true;
        z.name = s.name;
      }
    }
    // Both bounds must be values the model takes; a problem is reported at the bound.
    std::vector<Diagnostic> found;
    for (const auto& [value, key] : {std::pair{z.min, "min"}, std::pair{z.max, "max"}}) {
      const Override o{*pointer, Json(value), child(at, key), child(at, "pointer")};
      Json doc = e.model;
      std::vector<Diagnostic> local;
      if (!apply_all(doc, {o}, local)) {
        found.insert(found.end(), local.begin(), local.end());
        break;
      }
      load_mapped(doc, e.model_file.parent_path(), {o}, o.source, "it", found);
    }
    if (!found.empty()) {
      // A problem both bounds share (a key the model does not know) is the pointer's: once.
      const auto after_value = [](const std::string& m) { return m.substr(m.find(": ") + 1); };
      for (std::size_t i = 0; i < found.size(); ++i) {
        bool shared = false, seen = false;
        for (std::size_t j = 0; j < found.size(); ++j) {
          if (j == i || found[j].pointer == found[i].pointer ||
              after_value(found[j].message) != after_value(found[i].message)) {
            continue;
          }
          shared = true;
          seen = seen || j < i;
        }
        if (seen) continue;
        problems.error(
            shared ? child(at, "pointer") : found[i].pointer,
            shared ? "the model refuses it:" + after_value(found[i].message) : found[i].message);
      }
      return;
    }
  }
  e.sized.push_back(std::move(z));
}

}  // namespace

void read_size(const Json& doc, Experiment& e, bool model_ok, Problems& problems) {
  if (doc.contains("settings")) {
    // Every setting at once, for the cheapest configuration (experiment_size_cheapest.cpp).
    e.cheapest = true;
    if (doc.contains("services")) {
      problems.error("/settings",
                     "expected either \"services\" (sized one after another) or \"settings\" "
                     "(sized together, for the cheapest configuration), found both");
    }
    if (const Json& list = doc["settings"]; !list.is_array() || list.empty()) {
      problems.expected("/settings",
                        R"(a non-empty list of { "pointer", "min", "max", "price_per_unit" })",
                        list);
    } else {
      for (std::size_t i = 0; i < list.size(); ++i) {
        read_sized_setting(list[i], child("/settings", i), e, model_ok, true, problems);
      }
    }
    if (doc.contains("max_configurations")) {
      if (const auto v =
              problems.integer(doc["max_configurations"], "/max_configurations", 1, 100000)) {
        e.max_configurations = static_cast<int>(*v);
      }
    }
  } else if (doc.contains("max_configurations")) {
    problems.error("/max_configurations",
                   "unknown key here: 'max_configurations' belongs to size experiments with "
                   "\"settings\"");
  }
  if (e.cheapest) {
    // "services" was reported above when both are given.
  } else if (!doc.contains("services")) {
    problems.missing("/services", "a list of the services whose replica count is solved for");
  } else if (const Json& list = doc["services"]; !list.is_array() || list.empty()) {
    problems.expected("/services", "a non-empty list of service names", list);
  } else {
    std::vector<std::string> names;
    for (const model::ServiceSpec& s : e.base.services) names.push_back(s.name);
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string at = child("/services", i);
      if (list[i].is_object()) {
        read_sized_setting(list[i], at, e, model_ok, false, problems);
        continue;
      }
      const auto name = problems.string(
          list[i], at, R"(the name of a service, or { "pointer": ..., "min": ..., "max": ... })");
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
                                 "autoscaling with the override {\"pointer\": \"" +
                                 svc.pointer + "/autoscaling\", \"value\": false})");
          continue;
        }
      }
      e.services.push_back(*name);
      e.sized.push_back({*name, "", *name, true, 1, 500});
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
  for (Experiment::SizedSetting& z : e.sized) {
    if (!z.replicas || e.cheapest) continue;  // a setting's own bounds
    z.min = e.min_replicas;
    z.max = e.max_replicas;
    if (model_ok) z.pointer = e.base.services[*e.base.service_index(z.name)].pointer + "/replicas";
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

}  // namespace capsim::run::detail
