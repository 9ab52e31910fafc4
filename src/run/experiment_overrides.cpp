// Overrides: reading { "pointer", "value" } lists, applying them to the model's document, and
// loading the result with every problem reported at the override it is about.

#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "capsim/run/experiment.hpp"
#include "experiment_reader.hpp"

namespace capsim::run {

using model::Diagnostic;
using model::ModelError;

namespace detail {

std::optional<std::string> read_pointer(const Json& item, const std::string& at,
                                        std::string_view example, Problems& problems) {
  const std::string what = "a JSON Pointer such as " + std::string(example);
  if (!item.contains("pointer")) {
    problems.missing(child(at, "pointer"), what);
    return std::nullopt;
  }
  const Json& p = item["pointer"];
  if (!p.is_string() || p.get_ref<const std::string&>().empty() ||
      p.get_ref<const std::string&>()[0] != '/') {
    problems.expected(child(at, "pointer"), what, p);
    return std::nullopt;
  }
  return p.get<std::string>();
}

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
    const std::optional<std::string> target =
        read_pointer(item, at, "/services/api/replicas", problems);
    if (target) o.pointer = *target;
    bool ok = target.has_value();
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

const Override* override_of(const std::vector<Override>& overrides, const std::string& pointer) {
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

Diagnostic refusal_of(const Override& o, const Diagnostic& d) {
  if (d.pointer == o.pointer && d.message.rfind("unknown key", 0) == 0) {
    return {o.pointer_source, "the model refuses it: " + d.text()};
  }
  return {o.source, "the model refuses " + describe(o.value) + ": " + d.text()};
}

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

std::optional<model::Spec> load_mapped(const Json& doc, const std::filesystem::path& base_dir,
                                       const std::vector<Override>& overrides,
                                       const std::string& fallback, const std::string& what,
                                       std::vector<Diagnostic>& out) {
  try {
    return model::load(doc, base_dir);
  } catch (const ModelError& e) {
    for (const Diagnostic& d : e.diagnostics()) {
      if (const Override* o = override_of(overrides, d.pointer)) {
        out.push_back(refusal_of(*o, d));
      } else {
        out.push_back({fallback, "the model refuses " + what + ": " + d.text()});
      }
    }
    return std::nullopt;
  }
}

}  // namespace detail

model::Spec load_variant(const Experiment& experiment, const std::vector<Override>& overrides) {
  Json doc = experiment.model;
  std::vector<Diagnostic> found;
  if (detail::apply_all(doc, overrides, found)) {
    if (auto spec = detail::load_mapped(doc, experiment.model_file.parent_path(), overrides, "",
                                        "these overrides", found)) {
      return std::move(*spec);
    }
  }
  throw ModelError(std::move(found));
}

}  // namespace capsim::run
