/// \file The readers of observed latencies (capsim::fit::read_observations).

#include "capsim/fit/observations.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>

#include "capsim/model/diagnostics.hpp"
#include "capsim/model/document.hpp"
#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"

namespace capsim::fit {

namespace {

using model::ModelError;

std::string number_text(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", x);
  return buffer;
}

[[noreturn]] void refuse_at(const std::string& source, std::size_t line, std::size_t column,
                            const std::string& message) {
  throw ModelError("", source + ": line " + std::to_string(line) + ", column " +
                           std::to_string(column) + ": " + message);
}

std::string_view trim(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t' || t.front() == '\r')) {
    t.remove_prefix(1);
  }
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r'))
    t.remove_suffix(1);
  return t;
}

std::optional<double> number(std::string_view t) {
  t = trim(t);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  if (t == "Inf" || t == "inf" || t == "+Inf") return std::numeric_limits<double>::infinity();
  double x = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), x);
  if (t.empty() || ec != std::errc{} || end != t.data() + t.size()) return std::nullopt;
  if (std::isnan(x)) return std::nullopt;
  return x;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

Observations read_csv(std::string_view text, const std::string& source, const ReadOptions& o) {
  Observations obs;
  obs.kind = Observations::Kind::samples;
  const auto lines = lines_of(text);
  std::size_t column = 0;  // 0-based
  // --column as a number: a whole number from 1 (it was cast from any double: -1 and 1e300
  // wrapped around).
  std::optional<std::size_t> numbered;
  if (const auto n = o.column.empty() ? std::nullopt : number(o.column)) {
    if (!(*n >= 1 && *n <= 1e6 && std::floor(*n) == *n)) {
      throw ModelError("", "--column: expected a column name or a number from 1, found " +
                               model::describe_text(o.column));
    }
    numbered = static_cast<std::size_t>(*n) - 1;
  }
  bool header_done = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = trim(lines[i]);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::pair<std::size_t, std::string_view>> fields;  // (0-based offset, text)
    for (std::size_t start = 0;;) {
      const std::size_t comma = line.find(',', start);
      fields.emplace_back(
          start, line.substr(start, comma == std::string_view::npos ? std::string_view::npos
                                                                    : comma - start));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    const std::size_t offset = static_cast<std::size_t>(line.data() - lines[i].data());
    if (!header_done) {
      header_done = true;
      if (!number(fields[0].second) || (!o.column.empty() && !number(o.column))) {
        // A header: find the column by name (or number).
        if (!o.column.empty()) {
          bool found = false;
          for (std::size_t k = 0; k < fields.size(); ++k) {
            if (trim(fields[k].second) == o.column) {
              column = k;
              found = true;
            }
          }
          if (!found && numbered && *numbered < fields.size()) {
            column = *numbered;
            found = true;
          }
          if (!found) {
            refuse_at(source, i + 1, offset + 1,
                      "expected a column named " + model::describe_text(o.column) +
                          " in the header, found " + model::describe_text(line));
          }
        }
        continue;
      }
      if (numbered) column = *numbered;
    }
    if (column >= fields.size()) {
      refuse_at(source, i + 1, offset + line.size() + 1,
                "expected at least " + std::to_string(column + 1) + " fields, found " +
                    std::to_string(fields.size()));
    }
    const auto& [at, field] = fields[column];
    const auto x = number(field);
    if (!x || !std::isfinite(*x) || *x <= 0) {
      refuse_at(source, i + 1, offset + at + 1,
                "expected a latency > 0, found " + model::describe_text(trim(field)));
    }
    // A latency from a nanosecond to a year: beyond, the moments overflow (a 1e308 sample) or
    // underflow (subnormals), and no service time is that long or short.
    const double seconds = *x * o.seconds_per_unit;
    if (!(seconds >= 1e-9 && seconds <= 3.2e7)) {
      refuse_at(source, i + 1, offset + at + 1,
                "expected a latency from 1 ns to 1 year, found " +
                    model::describe_text(trim(field)) + " (" + number_text(seconds) + " s)");
    }
    obs.samples_s.push_back(seconds);
  }
  if (obs.samples_s.size() < 10) {
    throw ModelError("", source + ": expected at least 10 samples, found " +
                             std::to_string(obs.samples_s.size()));
  }
  return obs;
}

/// Checks and stores cumulative buckets: bounds increasing, counts not decreasing.
void add_buckets(Observations& obs, std::map<double, double>& by_bound,
                 const std::function<void(double, const std::string&)>& refuse) {
  double previous = -1;
  for (const auto& [bound, count] : by_bound) {
    // As for samples: a nanosecond to a year (beyond, the fits' moments overflow or underflow).
    // An empty bucket at 0 says nothing and is let pass.
    if (bound == 0 && count == 0) continue;
    if (std::isfinite(bound) && !(bound >= 1e-9 && bound <= 3.2e7)) {
      refuse(bound,
             "expected bucket bounds from 1 ns to 1 year, found " + number_text(bound) + " s");
    }
    if (count < previous) {
      refuse(bound, "expected cumulative counts that never decrease, found " + number_text(count) +
                        " after " + number_text(previous));
    }
    previous = count;
    obs.buckets.emplace_back(bound, count);
  }
  if (obs.buckets.size() < 2 || obs.buckets.back().second <= 0) {
    refuse(std::numeric_limits<double>::quiet_NaN(),
           "expected at least two buckets and some observations, found " +
               std::to_string(obs.buckets.size()) + " buckets");
  }
  // The observations must be spread over at least two buckets, one of them finite: counts in
  // one bucket alone (or only above the largest bound) identify no distribution.
  int holding = 0;
  double below = 0;
  double finite_count = 0;
  for (const auto& [bound, count] : obs.buckets) {
    if (count > below) ++holding;
    if (!std::isinf(bound)) finite_count = count;
    below = count;
  }
  if (finite_count <= 0) {
    refuse(
        std::numeric_limits<double>::quiet_NaN(),
        "expected observations within the finite buckets, found all " +
            number_text(obs.buckets.back().second) + " above the largest bound (" +
            number_text(obs.buckets.size() >= 2 ? obs.buckets[obs.buckets.size() - 2].first : 0.0) +
            " s): buckets with larger bounds are needed");
  }
  if (holding < 2) {
    refuse(std::numeric_limits<double>::quiet_NaN(),
           "expected observations in at least two buckets, found all " +
               number_text(obs.buckets.back().second) +
               " in one: one bucket's count identifies no distribution (finer buckets, or "
               "samples, are needed)");
  }
}

Observations read_prometheus_text(std::string_view text, const std::string& source,
                                  const ReadOptions& o) {
  Observations obs;
  obs.kind = Observations::Kind::histogram;
  std::map<double, double> by_bound;  // summed over the label sets (sum by (le))
  std::map<double, std::pair<std::size_t, std::size_t>> where;
  std::string metric = o.metric;
  const auto lines = lines_of(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = trim(lines[i]);
    const std::size_t offset = static_cast<std::size_t>(line.data() - lines[i].data());
    if (line.empty() || line.front() == '#') continue;
    const std::size_t name_end = line.find_first_of("{ ");
    const std::string_view name = line.substr(0, name_end);
    if (name.size() < 7 || name.substr(name.size() - 7) != "_bucket") continue;
    const std::string base(name.substr(0, name.size() - 7));
    if (metric.empty()) metric = base;
    if (base != metric) continue;
    if (name_end == std::string_view::npos || line[name_end] != '{') {
      refuse_at(source, i + 1, offset + name.size() + 1,
                "expected {le=\"...\"} after " + std::string(name));
    }
    const std::size_t close = line.find('}', name_end);
    if (close == std::string_view::npos) {
      refuse_at(source, i + 1, offset + line.size() + 1, "expected '}' closing the labels");
    }
    const std::string_view labels = line.substr(name_end + 1, close - name_end - 1);
    std::size_t le_at = labels.find("le=\"");
    while (le_at != std::string_view::npos && le_at > 0 && labels[le_at - 1] != ',' &&
           labels[le_at - 1] != ' ') {
      le_at = labels.find("le=\"", le_at + 1);
    }
    if (le_at == std::string_view::npos) {
      refuse_at(source, i + 1, offset + name_end + 2, "expected a label le=\"BOUND\"");
    }
    const std::size_t le_end = labels.find('"', le_at + 4);
    const std::size_t le_column = offset + name_end + 1 + le_at + 4 + 1;
    const auto bound =
        number(labels.substr(le_at + 4, le_end == std::string_view::npos ? 0 : le_end - le_at - 4));
    if (!bound || *bound < 0) {
      refuse_at(source, i + 1, le_column, "expected a bucket bound >= 0 or +Inf");
    }
    std::string_view rest = trim(line.substr(close + 1));
    const std::size_t value_column = static_cast<std::size_t>(rest.data() - lines[i].data()) + 1;
    rest = rest.substr(0, rest.find(' '));  // a timestamp may follow
    const auto count = number(rest);
    // Counts are whole numbers a double holds exactly (up to 2^53): beyond, sums and the
    // printed number of observations lose their meaning.
    if (!count || !std::isfinite(*count) || *count < 0 || *count > 9007199254740992.0) {
      refuse_at(source, i + 1, value_column,
                "expected a count from 0 to 2^53, found " + model::describe_text(rest));
    }
    const double b = *bound * (std::isinf(*bound) ? 1.0 : o.seconds_per_unit);
    by_bound[b] += *count;
    where.emplace(b, std::make_pair(i + 1, value_column));
  }
  if (by_bound.empty()) {
    throw ModelError("", source + ": expected " +
                             (metric.empty() ? std::string("a histogram's _bucket series")
                                             : metric + "_bucket series") +
                             ", found none");
  }
  obs.source = metric;
  add_buckets(obs, by_bound, [&](double bound, const std::string& message) {
    if (std::isnan(bound)) throw ModelError("", source + ": " + message);
    refuse_at(source, where[bound].first, where[bound].second, message);
  });
  return obs;
}

/// (Its messages are placed, file name included, by read_observations.)
Observations read_prometheus_json(const model::Json& doc, const ReadOptions& o) {
  Observations obs;
  obs.kind = Observations::Kind::histogram;
  const auto expect = [&](bool ok, const std::string& pointer, const std::string& what,
                          const model::Json& found) {
    if (!ok) {
      throw ModelError(pointer, "expected " + what + ", found " + model::describe(found));
    }
  };
  expect(doc.is_object() && doc.contains("data") && doc["data"].is_object() &&
             doc["data"].contains("result") && doc["data"]["result"].is_array(),
         "", "a Prometheus API response {\"status\":\"success\",\"data\":{\"result\":[...]}}", doc);
  if (doc.contains("status") && doc["status"] != "success") {
    expect(false, "/status", "\"success\"", doc["status"]);
  }
  const model::Json& result = doc["data"]["result"];
  std::map<double, double> by_bound;
  std::map<double, std::string> where;
  // Series of one histogram (by __name__) are summed by bucket bound, across their other labels
  // (instances, pods); without --metric the first histogram named is the one read, as in the
  // text format.
  std::string name = o.metric.empty() ? std::string() : o.metric + "_bucket";
  for (std::size_t i = 0; i < result.size(); ++i) {
    const std::string at = "/data/result/" + std::to_string(i);
    const model::Json& series = result[i];
    expect(series.is_object() && series.contains("metric") && series["metric"].is_object(), at,
           "a series with \"metric\" and \"value\"", series);
    const model::Json& labels = series["metric"];
    if (labels.contains("__name__") && labels["__name__"].is_string()) {
      const std::string& series_name = labels["__name__"].get_ref<const std::string&>();
      if (name.empty()) name = series_name;
      if (series_name != name) continue;
    }
    expect(labels.contains("le") && labels["le"].is_string(), at + "/metric/le",
           "a bucket bound \"le\"", labels.contains("le") ? labels["le"] : model::Json());
    const auto bound = number(labels["le"].get<std::string>());
    expect(bound && *bound >= 0, at + "/metric/le", "a bucket bound >= 0 or \"+Inf\"",
           labels["le"]);
    // An instant vector has "value": [time, "count"]; a range vector "values": the last one.
    const model::Json* value = nullptr;
    std::string value_at = at + "/value";
    if (series.contains("value")) {
      value = &series["value"];
    } else if (series.contains("values") && series["values"].is_array() &&
               !series["values"].empty()) {
      value_at = at + "/values/" + std::to_string(series["values"].size() - 1);
      value = &series["values"].back();
    }
    expect(value != nullptr, at, "\"value\" or \"values\"", series);
    expect(value->is_array() && value->size() == 2 && (*value)[1].is_string(), value_at,
           "[time, \"count\"]", *value);
    const auto count = number((*value)[1].get<std::string>());
    expect(count && std::isfinite(*count) && *count >= 0 && *count <= 9007199254740992.0,
           value_at + "/1", "a count from 0 to 2^53", (*value)[1]);
    const double b = *bound * (std::isinf(*bound) ? 1.0 : o.seconds_per_unit);
    by_bound[b] += *count;
    where.emplace(b, value_at + "/1");
  }
  add_buckets(obs, by_bound, [&](double bound, const std::string& message) {
    if (std::isnan(bound)) throw ModelError("/data/result", message);
    throw ModelError(where[bound], message);
  });
  obs.source = !o.metric.empty() ? o.metric
               : name.size() > 7 && name.substr(name.size() - 7) == "_bucket"
                   ? name.substr(0, name.size() - 7)
                   : "histogram";
  return obs;
}

Observations read_k6(const model::Json& doc, const std::string& source, const ReadOptions& o) {
  Observations obs;
  obs.kind = Observations::Kind::percentiles;
  const std::string metric = o.metric.empty() ? "http_req_duration" : o.metric;
  std::string at = "/metrics/" + metric;
  if (!doc.is_object() || !doc.contains("metrics") || !doc["metrics"].is_object() ||
      !doc["metrics"].contains(metric) || !doc["metrics"][metric].is_object()) {
    throw ModelError(at, "missing; expected the trend metric " + metric + " in " + source);
  }
  // `--summary-export` puts the statistics in the metric's object; the data that k6 hands to
  // handleSummary() (what `JSON.stringify(data)` writes) puts them under "values".
  const model::Json* values = &doc["metrics"][metric];
  if (const auto v = values->find("values"); v != values->end() && v->is_object()) {
    values = &*v;
    at += "/values";
  }
  const model::Json& m = *values;
  // k6 writes "med" for the median and "p(N)" for the summaryTrendStats percentiles.
  for (const auto& [key, value] : m.items()) {
    double p = 0;
    if (key == "med") {
      p = 0.5;
    } else if (key.size() > 3 && key.rfind("p(", 0) == 0 && key.back() == ')') {
      const auto q = number(std::string_view(key).substr(2, key.size() - 3));
      if (!q || *q <= 0 || *q >= 100) {
        throw ModelError(model::child(at, key), "expected a percentile p(N) with 0 < N < 100");
      }
      p = *q / 100;
    } else {
      continue;  // avg, min, max, count, rate...
    }
    if (!value.is_number() || !(value.get<double>() > 0)) {
      throw ModelError(model::child(at, key),
                       "expected a latency in milliseconds > 0, found " + model::describe(value));
    }
    if (!(value.get<double>() >= 1e-6 && value.get<double>() <= 3.2e10)) {
      throw ModelError(model::child(at, key),
                       "expected a latency from 1 ns to 1 year (1e-06 to 3.2e+10 ms), found " +
                           model::describe(value));
    }
    obs.percentiles.emplace_back(p, value.get<double>() / 1000.0);
  }
  std::sort(obs.percentiles.begin(), obs.percentiles.end());
  obs.percentiles.erase(
      std::unique(obs.percentiles.begin(), obs.percentiles.end(),
                  [](const auto& a, const auto& b) { return a.first == b.first; }),
      obs.percentiles.end());
  if (obs.percentiles.size() < 2) {
    throw ModelError(at, "expected at least two percentiles (med, p(90), p(95), p(99)...), found " +
                             std::to_string(obs.percentiles.size()));
  }
  for (std::size_t i = 1; i < obs.percentiles.size(); ++i) {
    if (obs.percentiles[i].second < obs.percentiles[i - 1].second) {
      throw ModelError(at, "expected percentiles that grow with p, found p" +
                               number_text(obs.percentiles[i].first * 100) + " below p" +
                               number_text(obs.percentiles[i - 1].first * 100));
    }
  }
  obs.source = metric;
  return obs;
}

}  // namespace

InputFormat detect_format(const std::string& name, std::string_view text) {
  if (name.size() >= 4 && name.substr(name.size() - 4) == ".csv") return InputFormat::csv;
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') {
    return text.find("\"metrics\"") != std::string_view::npos ? InputFormat::k6
                                                              : InputFormat::prometheus_json;
  }
  if (text.find("_bucket{") != std::string_view::npos) return InputFormat::prometheus;
  return InputFormat::csv;
}

Observations read_observations(std::string_view text, const std::string& source,
                               const ReadOptions& options) {
  InputFormat format = options.format;
  if (format == InputFormat::automatic) format = detect_format(source, text);
  if (format == InputFormat::csv) return read_csv(text, source, options);
  if (format == InputFormat::prometheus) return read_prometheus_text(text, source, options);
  const model::Json doc = model::parse_json(text, source);
  try {
    return format == InputFormat::prometheus_json ? read_prometheus_json(doc, options)
                                                  : read_k6(doc, source, options);
  } catch (const ModelError& e) {
    // The pointer's line and column in the file, as for every JSON input.
    model::SourcePositions positions;
    positions.source = source;
    positions.json_text = std::make_shared<const std::string>(text);
    throw model::locate(e, positions);
  }
}

}  // namespace capsim::fit
