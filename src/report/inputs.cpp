#include "capsim/report/inputs.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <utility>

#include <nlohmann/json.hpp>

#include "capsim/model/diagnostics.hpp"
#include "capsim/model/error.hpp"

namespace capsim::report {

namespace {

using Json = nlohmann::ordered_json;
using model::ModelError;

constexpr const char* kExpected =
    "expected the output of capsim run -o (results JSON), capsim sweep -o (CSV or JSON) or "
    "capsim compare -o (JSON)";

[[noreturn]] void bad(const std::string& where, const std::string& message) {
  throw ModelError(where, message);
}

using model::child;

/// What a JSON value is, for messages: `"text"`, `3.5`, `null`, `an array`, `an object`.
std::string describe(const Json& j) {
  if (j.is_object()) return "an object";
  if (j.is_array()) return "an array";
  std::string text = j.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

/// nlohmann's parse message without its "[json.exception...] ... : " prefix.
std::string parse_reason(const std::string& what) {
  if (const auto column = what.find("column "); column != std::string::npos) {
    if (const auto colon = what.find(": ", column); colon != std::string::npos) {
      return what.substr(colon + 2);
    }
  }
  if (const auto bracket = what.find("] "); bracket != std::string::npos) {
    return what.substr(bracket + 2);
  }
  return what;
}

Json parse_json(const std::string& text) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    std::size_t line = 1;
    std::size_t column = 1;
    const std::size_t end = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    for (std::size_t i = 0; i < end; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) {
        ++column;
      }
    }
    bad("", "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(column) +
                ": " + parse_reason(e.what()));
  } catch (const Json::exception& e) {
    bad("", std::string("invalid JSON: ") + parse_reason(e.what()));
  }
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

/// Every estimate (and plain number) under `j`, named by its dotted path below it. Strings,
/// booleans and arrays are no metrics: they are passed over (fields a later version may add).
void flatten(const Json& j, const std::string& prefix, const std::string& pointer,
             std::vector<NamedValue>& out) {
  for (const auto& [key, value] : j.items()) {
    const std::string name = prefix.empty() ? key : prefix + "." + key;
    const std::string p = child(pointer, key);
    if (looks_like_estimate(value)) {
      out.push_back({name, read_value(value, p)});
    } else if (value.is_number()) {
      out.push_back({name, Value{value.get<double>(), std::nullopt, std::nullopt, std::nullopt}});
    } else if (value.is_null()) {
      out.push_back({name, Value{}});
    } else if (value.is_object()) {
      flatten(value, name, p, out);
    }
  }
}

std::vector<Group> groups(const Json& root, const std::string& key) {
  const Json& object = object_at(root, "", key);
  std::vector<Group> out;
  for (const auto& [name, value] : object.items()) {
    const std::string p = child("/" + key, name);
    if (!value.is_object()) bad(p, "expected an object of metrics, found " + describe(value));
    Group g;
    g.name = name;
    flatten(value, "", p, g.metrics);
    out.push_back(std::move(g));
  }
  return out;
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

Json root_object(const std::string& text) {
  Json j = parse_json(text);
  if (!j.is_object()) bad("", "expected a JSON object, found " + describe(j));
  return j;
}

TimeSeries read_timeseries(const Json& ts) {
  const std::string p = "/timeseries";
  TimeSeries out;
  out.window_seconds = number(required(ts, p, "window_seconds"), child(p, "window_seconds"));
  const std::vector<std::string> columns = strings(array_at(ts, p, "columns"), child(p, "columns"));
  if (columns.size() < 3 || columns[0] != "t" || columns[1] != "workload" ||
      columns[2] != "service") {
    bad(child(p, "columns"), "expected [\"t\", \"workload\", \"service\", ...]");
  }
  out.columns.assign(columns.begin() + 3, columns.end());
  const Json& rows = array_at(ts, p, "rows");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string rp = child(child(p, "rows"), i);
    const Json& row = rows[i];
    if (!row.is_array() || row.size() != columns.size()) {
      bad(rp, "expected an array of " + std::to_string(columns.size()) + " values, found " +
                  describe(row));
    }
    TimeSeries::Row r;
    r.t = number(row[0], child(rp, 0));
    r.workload = row[1].is_null() ? std::string() : string_of(row[1], child(rp, 1));
    r.service = row[2].is_null() ? std::string() : string_of(row[2], child(rp, 2));
    for (std::size_t c = 3; c < row.size(); ++c)
      r.values.push_back(number_or_null(row[c], child(rp, c)));
    out.rows.push_back(std::move(r));
  }
  return out;
}

/// RFC 4180 records: fields separated by commas, quoted with "" when they hold commas, quotes or
/// line ends. Records end at LF or CRLF; empty records are dropped. Each record carries its
/// first line number.
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

std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v))
    return std::nullopt;
  // strtod also reads hexadecimal, "inf" and leading spaces; a CSV number has none of those.
  if (text.find_first_of("xXiInN \t") != std::string::npos) return std::nullopt;
  return v;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

const char* input_kind_name(InputKind kind) {
  switch (kind) {
    case InputKind::results:
      return "results";
    case InputKind::sweep_csv:
      return "sweep (CSV)";
    case InputKind::sweep_json:
      return "sweep (JSON)";
    case InputKind::compare:
      return "compare";
  }
  return "";
}

std::optional<std::size_t> TimeSeries::column(const std::string& name) const {
  const auto it = std::find(columns.begin(), columns.end(), name);
  if (it == columns.end()) return std::nullopt;
  return static_cast<std::size_t>(it - columns.begin());
}

InputKind detect_input(const std::string& text) {
  std::size_t start = 0;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) start = 3;  // a byte-order mark
  while (start < text.size() && (text[start] == ' ' || text[start] == '\t' || text[start] == '\n' ||
                                 text[start] == '\r')) {
    ++start;
  }
  if (start == text.size()) bad("", std::string("the file is empty; ") + kExpected);
  if (text[start] == '{' || text[start] == '[') {
    const Json j = parse_json(text);
    if (!j.is_object())
      bad("", std::string("expected a JSON object, found ") + describe(j) + "; " + kExpected);
    if (const Json* kind = member(j, "kind")) {
      const std::string k = kind->is_string() ? kind->get<std::string>() : "";
      if (k == "sweep") {
        if (!j.contains("points")) {
          bad("",
              "this is a sweep experiment, not its output: run capsim sweep EXPERIMENT -o "
              "sweep.json (or .csv) and make the report of that");
        }
        return InputKind::sweep_json;
      }
      if (k == "compare") {
        if (!j.contains("differences")) {
          bad("",
              "this is a compare experiment, not its output: run capsim compare EXPERIMENT -o "
              "compare.json and make the report of that");
        }
        return InputKind::compare;
      }
      if (k == "size") {
        bad("/kind", std::string("capsim report does not draw size outputs; ") + kExpected);
      }
      bad("/kind",
          "expected \"sweep\" or \"compare\", found " + describe(*kind) + "; " + kExpected);
    }
    const Json* workloads = member(j, "workloads");
    if (workloads != nullptr && workloads->is_array()) {
      bad("",
          "this is a model, not results: run capsim run MODEL -o results.json and make the "
          "report of results.json");
    }
    if (workloads != nullptr && j.contains("services")) return InputKind::results;
    bad("", std::string("found a JSON object with neither \"kind\" nor \"workloads\" and "
                        "\"services\"; ") +
                kExpected);
  }
  // CSV: look at the header only.
  const std::size_t eol = text.find_first_of("\r\n", start);
  const std::string header =
      text.substr(start, eol == std::string::npos ? std::string::npos : eol - start);
  if (header == "name,mean,ci_lo,ci_hi") {
    bad("",
        "this is capsim run's summary.csv; make the report of the results JSON instead "
        "(capsim run MODEL -o results.json)");
  }
  if (header.rfind("t,workload,service", 0) == 0) {
    bad("",
        "this is capsim run's timeseries.csv; make the report of the results JSON instead "
        "(capsim run MODEL -o results.json)");
  }
  for (const auto& [line, fields] : csv_records(header)) {
    (void)line;
    for (const std::string& f : fields) {
      if (ends_with(f, ".mean")) return InputKind::sweep_csv;
    }
  }
  bad("", std::string("found neither JSON nor a sweep CSV header (NAME.mean, NAME.ci_lo, "
                      "NAME.ci_hi columns); ") +
              kExpected);
}

ResultsDoc parse_results(const std::string& text) {
  const Json root = root_object(text);
  ResultsDoc doc;
  doc.header = read_header(root);
  doc.workloads = groups(root, "workloads");
  doc.services = groups(root, "services");
  if (const Json* slo = member(root, "slo"); slo != nullptr && !slo->is_null()) {
    if (!slo->is_object()) bad("/slo", "expected an object, found " + describe(*slo));
    if (const Json* met = member(*slo, "met")) doc.slo_met = bool_or_null(*met, "/slo/met");
    if (const Json* checks = member(*slo, "checks")) {
      if (!checks->is_array()) bad("/slo/checks", "expected an array, found " + describe(*checks));
      for (std::size_t i = 0; i < checks->size(); ++i) {
        const std::string p = child("/slo/checks", i);
        const Json& c = (*checks)[i];
        if (!c.is_object()) bad(p, "expected an object, found " + describe(c));
        SloCheckRow row;
        row.metric = string_of(required(c, p, "metric"), child(p, "metric"));
        row.limit = number(required(c, p, "limit"), child(p, "limit"));
        row.value = read_value(required(c, p, "value"), child(p, "value"));
        row.met = bool_or_null(required(c, p, "met"), child(p, "met")).value_or(false);
        if (const Json* conf = member(c, "confident"))
          row.confident = bool_or_null(*conf, child(p, "confident"));
        doc.slo_checks.push_back(std::move(row));
      }
    }
  }
  if (const Json* notices = member(root, "notices")) {
    if (!notices->is_array()) bad("/notices", "expected an array, found " + describe(*notices));
    doc.notices = strings(*notices, "/notices");
  }
  if (const Json* events = member(root, "scale_events")) {
    if (!events->is_array()) bad("/scale_events", "expected an array, found " + describe(*events));
    for (std::size_t i = 0; i < events->size(); ++i) {
      const std::string p = child("/scale_events", i);
      const Json& e = (*events)[i];
      if (!e.is_object()) bad(p, "expected an object, found " + describe(e));
      ScaleEventRow row;
      row.t = number(required(e, p, "t"), child(p, "t"));
      row.service = optional_string(e, p, "service");
      row.metric = optional_string(e, p, "metric");
      row.policy = optional_string(e, p, "policy");
      row.reason = optional_string(e, p, "reason");
      row.from = optional_number(e, p, "from");
      row.to = optional_number(e, p, "to");
      doc.scale_events.push_back(std::move(row));
    }
  }
  if (const Json* events = member(root, "events")) {
    if (!events->is_array()) bad("/events", "expected an array, found " + describe(*events));
    for (std::size_t i = 0; i < events->size(); ++i) {
      const std::string p = child("/events", i);
      const Json& e = (*events)[i];
      if (!e.is_object()) bad(p, "expected an object, found " + describe(e));
      EventRow row;
      row.t = number(required(e, p, "t"), child(p, "t"));
      row.kind = optional_string(e, p, "kind");
      row.service = optional_string(e, p, "service");
      row.detail = optional_string(e, p, "detail");
      doc.events.push_back(std::move(row));
    }
  }
  if (const Json* ts = member(root, "timeseries"); ts != nullptr && !ts->is_null()) {
    if (!ts->is_object()) bad("/timeseries", "expected an object, found " + describe(*ts));
    doc.timeseries = read_timeseries(*ts);
  }
  return doc;
}

SweepDoc parse_sweep_json(const std::string& text) {
  const Json root = root_object(text);
  SweepDoc doc;
  doc.header = read_header(root);
  const Json& params = array_at(root, "", "parameters");
  if (params.empty()) bad("/parameters", "expected at least one parameter, found none");
  for (std::size_t i = 0; i < params.size(); ++i) {
    const std::string p = child("/parameters", i);
    const Json& param = params[i];
    if (!param.is_object()) bad(p, "expected an object, found " + describe(param));
    std::string name = optional_string(param, p, "name");
    if (name.empty()) name = optional_string(param, p, "pointer");
    if (name.empty()) bad(p, "expected a \"name\" or a \"pointer\", found neither");
    doc.parameters.push_back(std::move(name));
  }
  const Json& metrics = array_at(root, "", "metrics");
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const std::string p = child("/metrics", i);
    const Json& m = metrics[i];
    doc.metrics.push_back(m.is_object() ? string_of(required(m, p, "name"), child(p, "name"))
                                        : string_of(m, p));
  }
  const Json& points = array_at(root, "", "points");
  if (points.empty()) bad("/points", "expected at least one point, found none");
  for (std::size_t i = 0; i < points.size(); ++i) {
    const std::string p = child("/points", i);
    const Json& point = points[i];
    if (!point.is_object()) bad(p, "expected an object, found " + describe(point));
    SweepDoc::Point row;
    const Json& values = object_at(point, p, "parameters");
    for (const std::string& name : doc.parameters) {
      const Json* v = member(values, name);
      if (v == nullptr)
        bad(child(p, "parameters"), "expected a value for parameter \"" + name + "\", found none");
      ParameterValue pv;
      pv.text = v->is_string() ? v->get<std::string>() : v->dump();
      if (v->is_number()) pv.number = v->get<double>();
      row.parameters.push_back(std::move(pv));
    }
    const Json& ms = object_at(point, p, "metrics");
    for (const std::string& name : doc.metrics) {
      const Json* v = member(ms, name);
      row.metrics.push_back(v == nullptr || v->is_null()
                                ? Value{}
                                : read_value(*v, child(child(p, "metrics"), name)));
    }
    if (const Json* slo = member(point, "slo_met"))
      row.slo_met = bool_or_null(*slo, child(p, "slo_met"));
    if (const Json* notices = member(point, "notices")) {
      if (!notices->is_array())
        bad(child(p, "notices"), "expected an array, found " + describe(*notices));
      row.notices = strings(*notices, child(p, "notices"));
    }
    doc.points.push_back(std::move(row));
  }
  return doc;
}

SweepDoc parse_sweep_csv(const std::string& text) {
  std::string body = text;
  if (body.compare(0, 3, "\xEF\xBB\xBF") == 0) body.erase(0, 3);
  const auto records = csv_records(body);
  if (records.empty()) bad("", "the file is empty; expected a sweep CSV header");
  const std::vector<std::string>& header = records[0].second;
  SweepDoc doc;
  std::size_t first_metric = header.size();
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (ends_with(header[i], ".mean")) {
      first_metric = i;
      break;
    }
  }
  if (first_metric == header.size()) {
    bad("line 1", "expected NAME.mean, NAME.ci_lo, NAME.ci_hi columns");
  }
  if (first_metric == 0) {
    bad("line 1", "expected the parameters' columns before the metrics', found none");
  }
  for (std::size_t i = 0; i < first_metric; ++i) {
    if (header[i].empty()) bad("line 1", "column " + std::to_string(i + 1) + " has no name");
    doc.parameters.push_back(header[i]);
  }
  for (std::size_t i = first_metric; i < header.size(); i += 3) {
    const std::string& h = header[i];
    const std::string name = ends_with(h, ".mean") ? h.substr(0, h.size() - 5) : std::string();
    if (name.empty() || i + 2 >= header.size() || header[i + 1] != name + ".ci_lo" ||
        header[i + 2] != name + ".ci_hi") {
      bad("line 1", "column " + std::to_string(i + 1) + " (\"" + h +
                        "\"): expected three columns NAME.mean, NAME.ci_lo, NAME.ci_hi");
    }
    doc.metrics.push_back(name);
  }
  if (records.size() < 2) bad("", "expected at least one row after the header, found none");
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& [line, fields] = records[r];
    const std::string where = "line " + std::to_string(line);
    if (fields.size() != header.size()) {
      bad(where, "expected " + std::to_string(header.size()) + " fields, found " +
                     std::to_string(fields.size()));
    }
    SweepDoc::Point point;
    for (std::size_t i = 0; i < first_metric; ++i) {
      ParameterValue pv;
      pv.text = fields[i];
      pv.number = parse_number(fields[i]);
      point.parameters.push_back(std::move(pv));
    }
    std::vector<std::optional<double>> cells;
    for (std::size_t i = first_metric; i < fields.size(); ++i) {
      const std::optional<double> v = parse_number(fields[i]);
      if (!v && !fields[i].empty()) {
        std::string shown = fields[i].size() > 40 ? fields[i].substr(0, 37) + "..." : fields[i];
        bad(where + ", column " + std::to_string(i + 1) + " (" + header[i] + ")",
            "expected a number or an empty cell, found \"" + shown + "\"");
      }
      cells.push_back(v);
    }
    for (std::size_t m = 0; m < doc.metrics.size(); ++m) {
      Value v;
      v.mean = cells[3 * m];
      v.lo = cells[3 * m + 1];
      v.hi = cells[3 * m + 2];
      point.metrics.push_back(v);
    }
    doc.points.push_back(std::move(point));
  }
  return doc;
}

CompareDoc parse_compare(const std::string& text) {
  const Json root = root_object(text);
  CompareDoc doc;
  doc.header = read_header(root);
  doc.baseline = string_of(required(root, "", "baseline"), "/baseline");
  const Json& metrics = array_at(root, "", "metrics");
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const std::string p = child("/metrics", i);
    const Json& m = metrics[i];
    CompareDoc::Metric metric;
    if (m.is_object()) {
      metric.name = string_of(required(m, p, "name"), child(p, "name"));
      metric.better = optional_string(m, p, "better");
    } else {
      metric.name = string_of(m, p);
    }
    doc.metrics.push_back(std::move(metric));
  }
  const Json& variants = object_at(root, "", "variants");
  if (variants.empty()) bad("/variants", "expected at least one variant, found none");
  for (const auto& [name, values] : variants.items()) {
    const std::string p = child("/variants", name);
    if (!values.is_object()) bad(p, "expected an object of estimates, found " + describe(values));
    doc.variants.push_back(name);
    std::vector<Value> row;
    for (const CompareDoc::Metric& m : doc.metrics) {
      const Json* v = member(values, m.name);
      row.push_back(v == nullptr || v->is_null() ? Value{} : read_value(*v, child(p, m.name)));
    }
    doc.values.push_back(std::move(row));
  }
  if (std::find(doc.variants.begin(), doc.variants.end(), doc.baseline) == doc.variants.end()) {
    bad("/baseline", "expected one of the variants, found \"" + doc.baseline + "\"");
  }
  const Json& differences = object_at(root, "", "differences");
  for (const auto& [name, _] : differences.items()) {
    if (std::find(doc.variants.begin(), doc.variants.end(), name) == doc.variants.end()) {
      bad(child("/differences", name), "expected the name of a variant");
    }
  }
  for (const std::string& variant : doc.variants) {
    std::vector<std::optional<Difference>> row;
    const Json* diffs = member(differences, variant);
    const std::string p = child("/differences", variant);
    if (diffs != nullptr && !diffs->is_object())
      bad(p, "expected an object, found " + describe(*diffs));
    for (const CompareDoc::Metric& m : doc.metrics) {
      const Json* d = diffs == nullptr ? nullptr : member(*diffs, m.name);
      if (d == nullptr || d->is_null()) {
        row.emplace_back();
        continue;
      }
      const std::string dp = child(p, m.name);
      Difference diff;
      diff.value = read_value(*d, dp);
      diff.relative = optional_number(*d, dp, "relative");
      diff.verdict = optional_string(*d, dp, "verdict");
      row.emplace_back(std::move(diff));
    }
    doc.differences.push_back(std::move(row));
  }
  const Json* slo = member(root, "slo_met");
  const Json* notices = member(root, "notices");
  if (slo != nullptr && !slo->is_object() && !slo->is_null())
    bad("/slo_met", "expected an object, found " + describe(*slo));
  if (notices != nullptr && !notices->is_object())
    bad("/notices", "expected an object, found " + describe(*notices));
  for (const std::string& variant : doc.variants) {
    std::optional<bool> met;
    if (slo != nullptr && slo->is_object()) {
      if (const Json* v = member(*slo, variant)) met = bool_or_null(*v, child("/slo_met", variant));
    }
    doc.slo_met.push_back(met);
    std::vector<std::string> lines;
    if (notices != nullptr) {
      if (const Json* v = member(*notices, variant)) {
        if (!v->is_array())
          bad(child("/notices", variant), "expected an array, found " + describe(*v));
        lines = strings(*v, child("/notices", variant));
      }
    }
    doc.notices.push_back(std::move(lines));
  }
  return doc;
}

}  // namespace capsim::report
