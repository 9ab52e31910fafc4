#include "input_reading.hpp"

#include <algorithm>

#include "capsim/model/diagnostics.hpp"
#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"

namespace capsim::report::detail {

using model::child;

[[noreturn]] void bad(const std::string& where, const std::string& message) {
  throw model::ModelError(where, message);
}

std::string describe(const Json& j) {
  if (j.is_object()) return "an object";
  if (j.is_array()) return "an array";
  std::string text = j.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

Json parse_json(const std::string& text) {
  // The model reader's limits (nesting, duplicate keys, numbers beyond a double), unnamed: the
  // command names the file.
  return model::parse_json(text, "");
}

const Json* member(const Json& object, const std::string& key) {
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const Json& required(const Json& object, const std::string& pointer, const std::string& key) {
  const Json* j = member(object, key);
  if (j == nullptr) bad(pointer, "expected a member \"" + key + "\", found none");
  return *j;
}

const Json& object_at(const Json& object, const std::string& pointer, const std::string& key) {
  const Json& j = required(object, pointer, key);
  if (!j.is_object()) bad(child(pointer, key), "expected an object, found " + describe(j));
  return j;
}

const Json& array_at(const Json& object, const std::string& pointer, const std::string& key) {
  const Json& j = required(object, pointer, key);
  if (!j.is_array()) bad(child(pointer, key), "expected an array, found " + describe(j));
  return j;
}

double number(const Json& j, const std::string& pointer) {
  if (!j.is_number()) bad(pointer, "expected a number, found " + describe(j));
  return j.get<double>();
}

std::optional<double> number_or_null(const Json& j, const std::string& pointer) {
  if (j.is_null()) return std::nullopt;
  return number(j, pointer);
}

std::string string_of(const Json& j, const std::string& pointer) {
  if (!j.is_string()) bad(pointer, "expected a string, found " + describe(j));
  return j.get<std::string>();
}

std::optional<bool> bool_or_null(const Json& j, const std::string& pointer) {
  if (j.is_null()) return std::nullopt;
  if (!j.is_boolean()) bad(pointer, "expected true, false or null, found " + describe(j));
  return j.get<bool>();
}

std::string optional_string(const Json& object, const std::string& pointer,
                            const std::string& key) {
  const Json* j = member(object, key);
  return j == nullptr || j->is_null() ? std::string() : string_of(*j, child(pointer, key));
}

std::optional<double> optional_number(const Json& object, const std::string& pointer,
                                      const std::string& key) {
  const Json* j = member(object, key);
  return j == nullptr ? std::nullopt : number_or_null(*j, child(pointer, key));
}

std::vector<std::string> strings(const Json& array, const std::string& pointer) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < array.size(); ++i)
    out.push_back(string_of(array[i], child(pointer, i)));
  return out;
}

bool looks_like_estimate(const Json& j) {
  return j.is_object() && j.contains("mean") && j.contains("ci");
}

Value read_value(const Json& j, const std::string& pointer) {
  if (!looks_like_estimate(j)) {
    bad(pointer,
        "expected an estimate {\"mean\": ..., \"ci\": [lo, hi], \"n\": ...}, found " + describe(j));
  }
  Value v;
  v.mean = number_or_null(j["mean"], child(pointer, "mean"));
  const Json& ci = j["ci"];
  if (!ci.is_null()) {
    if (!ci.is_array() || ci.size() != 2) {
      bad(child(pointer, "ci"), "expected [lo, hi] or null, found " + describe(ci));
    }
    v.lo = number_or_null(ci[0], child(child(pointer, "ci"), 0));
    v.hi = number_or_null(ci[1], child(child(pointer, "ci"), 1));
  }
  if (const Json* n = member(j, "n"); n != nullptr && !n->is_null()) {
    if (!n->is_number_integer())
      bad(child(pointer, "n"), "expected an integer, found " + describe(*n));
    v.n = n->get<int>();
  }
  return v;
}

Header read_header(const Json& root) {
  Header h;
  h.capsim_version = optional_string(root, "", "capsim_version");
  h.experiment = optional_string(root, "", "experiment");
  h.description = optional_string(root, "", "description");
  h.model = optional_string(root, "", "model");
  if (const Json* seed = member(root, "seed"); seed != nullptr && !seed->is_null()) {
    if (!seed->is_number_unsigned())
      bad("/seed", "expected a non-negative integer, found " + describe(*seed));
    h.seed = seed->get<std::uint64_t>();
  }
  if (const Json* r = member(root, "replications"); r != nullptr && !r->is_null()) {
    if (!r->is_number_integer()) bad("/replications", "expected an integer, found " + describe(*r));
    h.replications = r->get<int>();
  }
  h.confidence = optional_number(root, "", "confidence");
  h.simulated_seconds = optional_number(root, "", "simulated_seconds");
  h.warmup_seconds = optional_number(root, "", "warmup_seconds");
  return h;
}

std::vector<SloCheckRow> read_slo_checks(const Json& checks, const std::string& pointer) {
  using model::child;
  if (!checks.is_array()) bad(pointer, "expected an array, found " + describe(checks));
  std::vector<SloCheckRow> out;
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const std::string p = child(pointer, i);
    const Json& c = checks[i];
    if (!c.is_object()) bad(p, "expected an object, found " + describe(c));
    SloCheckRow row;
    row.metric = string_of(required(c, p, "metric"), child(p, "metric"));
    row.limit = number(required(c, p, "limit"), child(p, "limit"));
    row.value = read_value(required(c, p, "value"), child(p, "value"));
    row.met = bool_or_null(required(c, p, "met"), child(p, "met")).value_or(false);
    if (const Json* conf = member(c, "confident"))
      row.confident = bool_or_null(*conf, child(p, "confident"));
    out.push_back(std::move(row));
  }
  return out;
}

SloLimits read_slo_limits(const Json& root) {
  SloLimits out;
  const Json* slo = member(root, "slo");
  if (slo == nullptr || slo->is_null()) return out;
  if (!slo->is_object()) bad("/slo", "expected an object, found " + describe(*slo));
  if (const Json* latency = member(*slo, "latency"); latency != nullptr && !latency->is_null()) {
    if (!latency->is_object())
      bad("/slo/latency", "expected an object, found " + describe(*latency));
    for (const auto& [key, value] : latency->items()) {
      const std::string name = key.ends_with("_ms") ? key.substr(0, key.size() - 3) : key;
      out.latency_ms.emplace_back(name, number(value, model::child("/slo/latency", key)));
    }
  }
  out.error_rate = optional_number(*slo, "/slo", "error_rate");
  return out;
}

Json root_object(const std::string& text) {
  Json j = parse_json(text);
  if (!j.is_object()) bad("", "expected a JSON object, found " + describe(j));
  return j;
}

std::vector<std::pair<std::size_t, std::vector<std::string>>> csv_records(const std::string& text) {
  std::vector<std::pair<std::size_t, std::vector<std::string>>> records;
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  bool any = false;
  std::size_t line = 1;
  std::size_t record_line = 1;
  const auto end_record = [&]() {
    if (any || !field.empty() || !fields.empty()) {
      fields.push_back(std::move(field));
      records.emplace_back(record_line, std::move(fields));
    }
    fields.clear();
    field.clear();
    any = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = true;
      any = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_record();
      ++line;
      record_line = line;
    } else {
      field += c;
    }
  }
  if (quoted) bad("line " + std::to_string(record_line), "a quoted field is not closed");
  end_record();
  return records;
}

}  // namespace capsim::report::detail
