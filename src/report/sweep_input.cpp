#include "capsim/report/inputs.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <utility>

#include "capsim/model/diagnostics.hpp"
#include "input_reading.hpp"

namespace capsim::report {

// The helpers shared by the readers (input_reading.hpp).
using namespace detail;

namespace {

using model::child;

std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  // An underflow (5e-320: ERANGE, a subnormal or 0) is a number capsim may have written; an
  // overflow is infinite and refused.
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
  // strtod also reads hexadecimal, "inf" and leading spaces; a CSV number has none of those.
  if (text.find_first_of("xXiInN \t") != std::string::npos) return std::nullopt;
  return v;
}

}  // namespace

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
  doc.slo = read_slo_limits(root);
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
    if (header[i].ends_with(".mean")) {
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
  // capsim's own trailing columns (slo_met, notices) are not metrics.
  std::size_t metrics_end = header.size();
  std::optional<std::size_t> notices_column, slo_column;
  if (metrics_end > first_metric && header[metrics_end - 1] == "notices") {
    notices_column = --metrics_end;
  }
  if (metrics_end > first_metric && header[metrics_end - 1] == "slo_met")
    slo_column = --metrics_end;
  for (std::size_t i = first_metric; i < metrics_end; i += 3) {
    const std::string& h = header[i];
    const std::string name = h.ends_with(".mean") ? h.substr(0, h.size() - 5) : std::string();
    if (name.empty() || i + 2 >= metrics_end || header[i + 1] != name + ".ci_lo" ||
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
    for (std::size_t i = first_metric; i < metrics_end; ++i) {
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
    if (slo_column) {
      const std::string& f = fields[*slo_column];
      if (f == "true" || f == "false") {
        point.slo_met = f == "true";
      } else if (!f.empty()) {
        bad(where + ", column " + std::to_string(*slo_column + 1) + " (slo_met)",
            "expected true, false or an empty cell, found \"" + f.substr(0, 40) + "\"");
      }
    }
    if (notices_column && !fields[*notices_column].empty()) {
      // capsim writes a point's notices "; " apart.
      const std::string& f = fields[*notices_column];
      for (std::size_t at = 0; at <= f.size();) {
        const std::size_t next = f.find("; ", at);
        point.notices.push_back(f.substr(at, next == std::string::npos ? next : next - at));
        if (next == std::string::npos) break;
        at = next + 2;
      }
    }
    doc.points.push_back(std::move(point));
  }
  return doc;
}

}  // namespace capsim::report
