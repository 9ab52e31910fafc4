#include "capsim/report/inputs.hpp"

#include <algorithm>
#include <utility>

#include "capsim/model/diagnostics.hpp"
#include "input_reading.hpp"

namespace capsim::report {

// The helpers shared by the readers (input_reading.hpp).
using namespace detail;

namespace {

using model::child;

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

}  // namespace

std::optional<std::size_t> TimeSeries::column(const std::string& name) const {
  const auto it = std::find(columns.begin(), columns.end(), name);
  if (it == columns.end()) return std::nullopt;
  return static_cast<std::size_t>(it - columns.begin());
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
      doc.slo_checks = read_slo_checks(*checks, "/slo/checks");
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

}  // namespace capsim::report
