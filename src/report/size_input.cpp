// Reads a `capsim size -o` output back (docs/experiments.md#size-required-replicas): each item
// sized with its decisions, and the cheapest configuration when settings are sized together.

#include <utility>

#include "capsim/model/diagnostics.hpp"
#include "capsim/report/inputs.hpp"
#include "input_reading.hpp"

namespace capsim::report {

// The helpers shared by the readers (input_reading.hpp).
using namespace detail;

namespace {

using model::child;

bool flag(const Json& object, const std::string& pointer, const std::string& key) {
  const Json* v = member(object, key);
  if (v == nullptr) return false;
  return bool_or_null(*v, child(pointer, key)).value_or(false);
}

std::vector<std::string> string_list(const Json& object, const std::string& pointer,
                                     const std::string& key) {
  const Json* v = member(object, key);
  if (v == nullptr || v->is_null()) return {};
  if (!v->is_array()) bad(child(pointer, key), "expected an array, found " + describe(*v));
  return strings(*v, child(pointer, key));
}

/// A decision; `unit` is "replicas" or "value" (absent in a configuration's own fields).
SizeDoc::Evaluation read_evaluation(const Json& j, const std::string& p, const std::string& unit) {
  if (!j.is_object()) bad(p, "expected an object, found " + describe(j));
  SizeDoc::Evaluation ev;
  if (!unit.empty()) ev.value = optional_number(j, p, unit);
  if (const Json* r = member(j, "replications"); r != nullptr && !r->is_null()) {
    if (!r->is_number_integer())
      bad(child(p, "replications"), "expected an integer, found " + describe(*r));
    ev.replications = r->get<int>();
  }
  ev.met = flag(j, p, "slo_met");
  ev.confident = flag(j, p, "confident");
  if (const Json* checks = member(j, "checks")) {
    ev.checks = read_slo_checks(*checks, child(p, "checks"));
  }
  if (const Json* metrics = member(j, "metrics"); metrics != nullptr && !metrics->is_null()) {
    if (!metrics->is_object())
      bad(child(p, "metrics"), "expected an object, found " + describe(*metrics));
    for (const auto& [name, value] : metrics->items()) {
      const std::string mp = child(child(p, "metrics"), name);
      ev.metrics.push_back({name, value.is_null() ? Value{} : read_value(value, mp)});
    }
  }
  ev.notices = string_list(j, p, "notices");
  return ev;
}

std::optional<SizeDoc::Evaluation> optional_evaluation(const Json& j, const std::string& p,
                                                       const std::string& key,
                                                       const std::string& unit) {
  const Json* v = member(j, key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  return read_evaluation(*v, child(p, key), unit);
}

SizeDoc::Item read_item(const std::string& name, const Json& j, const std::string& p) {
  if (!j.is_object()) bad(p, "expected an object, found " + describe(j));
  SizeDoc::Item item;
  item.name = name;
  item.pointer = optional_string(j, p, "pointer");
  const std::string unit = item.pointer.empty() ? "replicas" : "value";
  item.value = optional_number(j, p, unit);
  item.confident = flag(j, p, "confident");
  item.analytic = optional_number(j, p, "analytic");
  item.rule_of_thumb = optional_number(j, p, "rule_of_thumb");
  item.peak_rps = optional_number(j, p, "peak_rps");
  item.breaking_point_rps = optional_number(j, p, "breaking_point_rps");
  item.at_answer = optional_evaluation(j, p, "at_answer", unit);
  item.at_one_fewer = optional_evaluation(j, p, "at_one_fewer", unit);
  if (const Json* evs = member(j, "evaluations"); evs != nullptr && !evs->is_null()) {
    if (!evs->is_array())
      bad(child(p, "evaluations"), "expected an array, found " + describe(*evs));
    for (std::size_t i = 0; i < evs->size(); ++i) {
      item.evaluations.push_back(
          read_evaluation((*evs)[i], child(child(p, "evaluations"), i), unit));
    }
  }
  item.analytic_assumptions = string_list(j, p, "analytic_assumptions");
  item.notes = string_list(j, p, "notes");
  item.bound_by = optional_string(j, p, "bound_by");
  item.breaking_point_bound_by = optional_string(j, p, "breaking_point_bound_by");
  item.breaking_point_resource = optional_string(j, p, "breaking_point_resource");
  return item;
}

SizeDoc::Configuration read_configuration(const Json& j, const std::string& p,
                                          const std::vector<SizeDoc::Setting>& settings) {
  if (!j.is_object()) bad(p, "expected an object, found " + describe(j));
  SizeDoc::Configuration c;
  const Json& values = object_at(j, p, "values");
  for (const SizeDoc::Setting& s : settings) {
    c.values.push_back(optional_number(values, child(p, "values"), s.name));
  }
  c.cost = optional_number(j, p, "cost");
  c.evaluation = read_evaluation(j, p, "");
  return c;
}

SizeDoc::Cheapest read_cheapest(const Json& j) {
  const std::string p = "/cheapest";
  if (!j.is_object()) bad(p, "expected an object, found " + describe(j));
  SizeDoc::Cheapest c;
  const Json& settings = array_at(j, p, "settings");
  for (std::size_t i = 0; i < settings.size(); ++i) {
    const std::string sp = child(child(p, "settings"), i);
    const Json& s = settings[i];
    if (!s.is_object()) bad(sp, "expected an object, found " + describe(s));
    SizeDoc::Setting setting;
    setting.name = string_of(required(s, sp, "name"), child(sp, "name"));
    setting.pointer = optional_string(s, sp, "pointer");
    setting.min = number(required(s, sp, "min"), child(sp, "min"));
    setting.max = number(required(s, sp, "max"), child(sp, "max"));
    setting.price_per_unit = optional_number(s, sp, "price_per_unit").value_or(0.0);
    c.settings.push_back(std::move(setting));
  }
  if (const Json* a = member(j, "answer"); a != nullptr && !a->is_null()) {
    c.answer = read_configuration(*a, child(p, "answer"), c.settings);
  }
  c.confident = flag(j, p, "confident");
  c.exact = flag(j, p, "exact");
  for (const auto& [key, list] :
       {std::pair{"runners_up", &c.runners_up}, std::pair{"cheaper_failed", &c.cheaper_failed},
        std::pair{"evaluations", &c.evaluations}}) {
    const Json* a = member(j, key);
    if (a == nullptr || a->is_null()) continue;
    if (!a->is_array()) bad(child(p, key), "expected an array, found " + describe(*a));
    for (std::size_t i = 0; i < a->size(); ++i) {
      list->push_back(read_configuration((*a)[i], child(child(p, key), i), c.settings));
    }
  }
  c.ruled_out = optional_number(j, p, "ruled_out");
  c.notes = string_list(j, p, "notes");
  return c;
}

}  // namespace

SizeDoc parse_size(const std::string& text) {
  const Json root = root_object(text);
  SizeDoc doc;
  doc.header = read_header(root);
  doc.at = optional_string(root, "", "at");
  if (const Json* peak = member(root, "peak_rps"); peak != nullptr && !peak->is_null()) {
    if (!peak->is_object()) bad("/peak_rps", "expected an object, found " + describe(*peak));
    for (const auto& [name, rate] : peak->items()) {
      doc.peak_rps.emplace_back(name, number(rate, child("/peak_rps", name)));
    }
  }
  doc.slo = read_slo_limits(root);
  const Json& services = object_at(root, "", "services");
  for (const auto& [name, item] : services.items()) {
    doc.items.push_back(read_item(name, item, child("/services", name)));
  }
  if (const Json* cheapest = member(root, "cheapest");
      cheapest != nullptr && !cheapest->is_null()) {
    doc.cheapest = read_cheapest(*cheapest);
  }
  return doc;
}

}  // namespace capsim::report
