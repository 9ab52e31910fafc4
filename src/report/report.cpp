#include "capsim/report/report.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "capsim/model/error.hpp"
#include "capsim/report/html.hpp"
#include "capsim/report/svg.hpp"

namespace capsim::report {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kGood = "#2ca02c";
constexpr const char* kBad = "#d62728";
constexpr const char* kNeutral = "#4e79a7";
constexpr const char* kDirection = "#9467bd";

/// Hands out chart ids unique in the page.
struct Ids {
  int next = 0;
  std::string operator()() { return "chart-" + std::to_string(++next); }
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  for (const char c : s) {
    if (c == sep) {
      parts.push_back(std::move(part));
      part.clear();
    } else {
      part += c;
    }
  }
  parts.push_back(std::move(part));
  return parts;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

double scaled(const std::optional<double>& v, double factor) {
  return v ? *v * factor : kNaN;
}

std::string value_text(const std::optional<double>& v, double factor) {
  return v ? format_number(*v * factor) : "undefined";
}

std::string interval_text(const Value& v, double factor) {
  if (!v.lo || !v.hi) return "";
  return "[" + format_number(*v.lo * factor) + ", " + format_number(*v.hi * factor) + "]";
}

/// "mean [lo, hi]" in the metric's display unit.
std::string estimate_text(const Value& v, const DisplayUnit& u) {
  if (!v.mean) return "undefined";
  const std::string interval = interval_text(v, u.factor);
  return format_number(*v.mean * u.factor) + (interval.empty() ? "" : " " + interval);
}

std::string percent_text(double fraction) {
  return format_number(fraction * 100.0) + "%";
}

std::string confidence_text(const Header& h) {
  return percent_text(h.confidence.value_or(0.95));
}

std::string seconds_text(double s) {
  return format_number(s) + " s";
}

std::string label_with_unit(const std::string& label, const DisplayUnit& u) {
  return u.unit.empty() ? label : label + " (" + u.unit + ")";
}

/// The <h1> and the lines under it.
std::string page_header(const std::string& title, const Header& h, const ReportOptions& options,
                        const std::string& what) {
  std::string out = "<h1>" + escape_html(title) + "</h1>\n";
  std::vector<std::string> facts;
  if (!options.source.empty()) facts.push_back(what + " " + options.source);
  if (!h.model.empty()) facts.push_back("model " + h.model);
  if (!h.capsim_version.empty()) facts.push_back("capsim " + h.capsim_version);
  if (h.seed) facts.push_back("seed " + std::to_string(*h.seed));
  if (h.replications) {
    std::string r =
        std::to_string(*h.replications) + " replication" + (*h.replications == 1 ? "" : "s");
    if (h.simulated_seconds) r += " of " + seconds_text(*h.simulated_seconds);
    if (h.warmup_seconds) r += " (warm-up " + seconds_text(*h.warmup_seconds) + ")";
    facts.push_back(r);
  }
  if (h.confidence) {
    facts.push_back("intervals: " + confidence_text(h) +
                    " confidence, Student t over replications");
  }
  if (!facts.empty()) {
    std::string line;
    for (const std::string& f : facts) line += (line.empty() ? "" : " \xC2\xB7 ") + escape_html(f);
    out += "<p class=\"meta\">" + line + "</p>\n";
  }
  if (!h.description.empty()) out += "<p>" + escape_html(h.description) + "</p>\n";
  return out;
}

std::string badge(const std::optional<bool>& ok, const std::string& yes, const std::string& no) {
  if (!ok) return "<span class=\"badge neutral\">n/a</span>";
  return *ok ? "<span class=\"badge good\">" + escape_html(yes) + "</span>"
             : "<span class=\"badge bad\">" + escape_html(no) + "</span>";
}

std::string figure(const std::string& svg, bool half = false) {
  return std::string(half ? "<figure class=\"half\">\n" : "<figure>\n") + svg + "</figure>\n";
}

std::string notices_html(const std::vector<std::string>& notices, std::size_t limit = 50) {
  if (notices.empty()) return "";
  std::string out = "<ul class=\"notices\">\n";
  for (std::size_t i = 0; i < notices.size() && i < limit; ++i) {
    out += "<li>" + escape_html(notices[i]) + "</li>\n";
  }
  if (notices.size() > limit) {
    out += "<li>... and " + std::to_string(notices.size() - limit) + " more</li>\n";
  }
  return out + "</ul>\n";
}

/// A table of metrics: name, unit, mean, interval, n.
Table metric_table(const std::string& caption, const std::vector<NamedValue>& metrics,
                   const Header& h) {
  Table t;
  t.caption = caption;
  t.header = {"metric", "unit", "mean", confidence_text(h) + " interval", "n"};
  for (const NamedValue& m : metrics) {
    const DisplayUnit u = display_unit(m.name);
    t.rows.push_back({{m.name, ""},
                      {u.unit, ""},
                      {value_text(m.value.mean, u.factor), "num"},
                      {interval_text(m.value, u.factor), "num"},
                      {m.value.n ? std::to_string(*m.value.n) : "", "num"}});
  }
  return t;
}

// ---- results ---------------------------------------------------------------------------------

/// The time axis: seconds, or minutes for long runs.
struct TimeAxis {
  double divisor = 1.0;
  std::string label = "time (s)";
  double end = 0.0;  ///< the end of the last window, in the axis' unit
};

TimeAxis time_axis(const TimeSeries& ts) {
  double last = 0.0;
  for (const auto& r : ts.rows) last = std::max(last, r.t + ts.window_seconds);
  if (last >= 1200.0) return {60.0, "time (min)", last / 60.0};
  return {1.0, "time (s)", last};
}

/// One series per owner (workload or service name) of one column, in order of appearance.
std::vector<Series> series_by_owner(const TimeSeries& ts, const TimeAxis& axis, bool workloads,
                                    std::size_t column, double factor) {
  std::vector<Series> out;
  std::map<std::string, std::size_t> index;
  for (const auto& row : ts.rows) {
    const std::string& owner = workloads ? row.workload : row.service;
    if (owner.empty()) continue;
    auto it = index.find(owner);
    if (it == index.end()) {
      it = index.emplace(owner, out.size()).first;
      Series s;
      s.name = owner;
      s.color = palette(out.size());
      out.push_back(std::move(s));
    }
    Series& s = out[it->second];
    s.x.push_back((row.t + ts.window_seconds / 2.0) / axis.divisor);
    s.y.push_back(scaled(row.values[column], factor));
  }
  return out;
}

bool any_value(const std::vector<Series>& series, bool nonzero = false) {
  for (const Series& s : series) {
    for (const double v : s.y) {
      if (std::isfinite(v) && (!nonzero || v != 0.0)) return true;
    }
  }
  return false;
}

LineChart time_chart(Ids& ids, const std::string& title, const std::string& y_label,
                     const TimeAxis& axis, const ResultsDoc& doc) {
  LineChart c;
  c.id = ids();
  c.title = title;
  c.x_label = axis.label;
  c.y_label = y_label;
  c.x_min = 0.0;  // the whole run, whichever windows have data
  c.x_max = axis.end;
  if (doc.header.warmup_seconds && *doc.header.warmup_seconds > 0) {
    c.shaded = std::make_pair(0.0, *doc.header.warmup_seconds / axis.divisor);
    c.shaded_label = "warm-up";
  }
  return c;
}

std::string golden_signals(const ResultsDoc& doc, Ids& ids) {
  if (!doc.timeseries || doc.timeseries->rows.empty()) {
    return "<p class=\"note\">This results file has no time series.</p>\n";
  }
  const TimeSeries& ts = *doc.timeseries;
  const TimeAxis axis = time_axis(ts);
  std::string out;
  out += "<p class=\"note\">Replication 0, one point per " +
         escape_html(format_number(ts.window_seconds)) + " s window (at its middle)";
  if (doc.header.warmup_seconds && *doc.header.warmup_seconds > 0) {
    out += "; the shaded stretch is the warm-up, left out of the summary";
  }
  out += ".</p>\n";

  // Traffic.
  if (const auto rps = ts.column("rps")) {
    auto series = series_by_owner(ts, axis, true, *rps, 1.0);
    if (any_value(series)) {
      LineChart c = time_chart(ids, "Traffic: requests finished per second, by workload",
                               "requests/s", axis, doc);
      c.series = std::move(series);
      out += "<h3>Traffic</h3>\n" + figure(render_line_chart(c));
    }
  }
  // Errors.
  if (const auto err = ts.column("error_rate")) {
    auto series = series_by_owner(ts, axis, true, *err, 100.0);
    if (any_value(series)) {
      LineChart c = time_chart(ids, "Errors: failed requests, % of those finished, by workload",
                               "error rate (%)", axis, doc);
      c.series = std::move(series);
      for (const SloCheckRow& check : doc.slo_checks) {
        if (ends_with(check.metric, ".error_rate") && check.limit * 100.0 <= 100.0) {
          c.y_references.push_back({check.limit * 100.0, "SLO " + percent_text(check.limit) + " (" +
                                                             split(check.metric, '.')[1] + ")"});
        }
      }
      out += "<h3>Errors</h3>\n" + figure(render_line_chart(c));
    }
  }
  // Latency: one chart per workload.
  const std::vector<std::pair<std::string, std::string>> percentiles{
      {"p50_ms", "p50"}, {"p95_ms", "p95"}, {"p99_ms", "p99"}};
  std::vector<std::string> workloads;
  for (const auto& row : ts.rows) {
    if (!row.workload.empty() &&
        std::find(workloads.begin(), workloads.end(), row.workload) == workloads.end()) {
      workloads.push_back(row.workload);
    }
  }
  std::string latency;
  for (const std::string& w : workloads) {
    LineChart c = time_chart(ids, "Latency of " + w + ": p50, p95 and p99 of successful requests",
                             "latency (ms)", axis, doc);
    double top = 0.0;
    for (std::size_t p = 0; p < percentiles.size(); ++p) {
      const auto col = ts.column(percentiles[p].first);
      if (!col) continue;
      Series s;
      s.name = percentiles[p].second;
      s.color = std::vector<std::string>{kGood, "#ff7f0e", kBad}[p];
      for (const auto& row : ts.rows) {
        if (row.workload != w) continue;
        s.x.push_back((row.t + ts.window_seconds / 2.0) / axis.divisor);
        s.y.push_back(scaled(row.values[*col], 1.0));
        if (std::isfinite(s.y.back())) top = std::max(top, s.y.back());
      }
      c.series.push_back(std::move(s));
    }
    if (!any_value(c.series)) continue;
    for (const SloCheckRow& check : doc.slo_checks) {
      const std::string prefix = "workloads." + w + ".latency_ms.";
      if (check.metric.rfind(prefix, 0) == 0 && check.limit <= 2.0 * std::max(top, 1e-9)) {
        c.y_references.push_back({check.limit, "SLO " + check.metric.substr(prefix.size()) + " " +
                                                   format_number(check.limit) + " ms"});
      }
    }
    latency += figure(render_line_chart(c));
  }
  if (!latency.empty()) out += "<h3>Latency</h3>\n" + latency;

  // Saturation.
  std::string saturation;
  if (const auto cpu = ts.column("cpu_utilization")) {
    auto series = series_by_owner(ts, axis, false, *cpu, 100.0);
    if (any_value(series)) {
      LineChart c =
          time_chart(ids, "Saturation: CPU utilisation, by service", "CPU busy (%)", axis, doc);
      c.y_max = 100.0;
      c.series = std::move(series);
      saturation += figure(render_line_chart(c));
    }
  }
  if (const auto queue = ts.column("queue_length")) {
    auto series = series_by_owner(ts, axis, false, *queue, 1.0);
    if (any_value(series, true)) {
      LineChart c = time_chart(ids, "Saturation: requests waiting for a worker, by service",
                               "queue length", axis, doc);
      c.series = std::move(series);
      saturation += figure(render_line_chart(c));
    }
  }
  if (!saturation.empty()) out += "<h3>Saturation</h3>\n" + saturation;

  // Replicas, for the services whose count changes or whose autoscaler asks for another.
  const auto ready = ts.column("replicas");
  if (ready) {
    const auto desired = ts.column("desired_replicas");
    const auto ready_series = series_by_owner(ts, axis, false, *ready, 1.0);
    std::vector<Series> desired_series;
    if (desired) desired_series = series_by_owner(ts, axis, false, *desired, 1.0);
    LineChart c = time_chart(ids, "Replicas: ready (solid) and desired by the autoscaler (dashed)",
                             "replicas", axis, doc);
    std::size_t shown = 0;
    for (std::size_t i = 0; i < ready_series.size(); ++i) {
      const Series& r = ready_series[i];
      const Series* d = nullptr;
      for (const Series& s : desired_series) {
        if (s.name == r.name) d = &s;
      }
      std::set<double> values;
      for (const double v : r.y) {
        if (std::isfinite(v)) values.insert(v);
      }
      bool differs = values.size() > 1;
      if (d != nullptr) {
        for (std::size_t k = 0; k < d->y.size() && k < r.y.size(); ++k) {
          if (std::isfinite(d->y[k]) && d->y[k] != r.y[k]) differs = true;
        }
      }
      if (!differs) continue;
      Series rs = r;
      rs.name = r.name + " ready";
      rs.color = palette(shown);
      c.series.push_back(std::move(rs));
      if (d != nullptr && any_value({*d})) {
        Series ds = *d;
        ds.name = r.name + " desired";
        ds.color = palette(shown);
        ds.dash = "6 3";
        c.series.push_back(std::move(ds));
      }
      ++shown;
    }
    if (shown > 0) out += "<h3>Replicas</h3>\n" + figure(render_line_chart(c));
  }
  return out;
}

}  // namespace

DisplayUnit display_unit(const std::string& metric) {
  const std::vector<std::string> parts = split(metric, '.');
  static const std::set<std::string> percent{
      "error_rate",   "errors",  "cpu_utilization", "worker_utilization",  "rejected",
      "rate_limited", "dropped", "hit_ratio",       "wasted_work_fraction"};
  for (const std::string& p : parts) {
    if (ends_with(p, "_ms")) return {1.0, "ms"};
  }
  for (const std::string& p : parts) {
    if (percent.count(p) > 0) return {100.0, "%"};
  }
  if (ends_with(parts.back(), "_rps")) return {1.0, "/s"};
  return {};
}

std::string results_report(const ResultsDoc& doc, const ReportOptions& options) {
  Ids ids;
  const Header& h = doc.header;
  const std::string title =
      "capsim report: " + (h.model.empty() ? std::string("results") : h.model);
  std::string body = page_header(title, h, options, "results");
  if (!doc.slo_checks.empty() || doc.slo_met) {
    body += "<p class=\"meta\">SLO: " + badge(doc.slo_met, "met", "not met") + "</p>\n";
  }
  body += "<h2>Golden signals over time</h2>\n" + golden_signals(doc, ids);

  body +=
      "<h2>Summary</h2>\n<p class=\"note\">Means over the replications after the warm-up, "
      "with their " +
      escape_html(confidence_text(h)) + " confidence intervals.</p>\n";
  if (!doc.slo_checks.empty()) {
    Table t;
    t.caption = "SLO checks";
    t.header = {"metric", "limit", "value", confidence_text(h) + " interval", "met", "confident"};
    for (const SloCheckRow& c : doc.slo_checks) {
      const DisplayUnit u = display_unit(c.metric);
      t.rows.push_back(
          {{c.metric, ""},
           {format_number(c.limit * u.factor) + (u.unit.empty() ? "" : " " + u.unit), "num"},
           {value_text(c.value.mean, u.factor), "num"},
           {interval_text(c.value, u.factor), "num"},
           {c.met ? "yes" : "no", c.met ? "good" : "bad"},
           {c.confident ? (*c.confident ? "yes" : "no") : "", ""}});
    }
    body += render_table(t);
  }
  for (const Group& g : doc.workloads) {
    body += render_table(metric_table("Workload " + g.name, g.metrics, h));
  }
  for (const Group& g : doc.services) {
    body += render_table(metric_table("Service " + g.name, g.metrics, h));
  }
  if (!doc.scale_events.empty()) {
    Table t;
    t.caption = "Scale events (replication 0)";
    t.header = {"t (s)", "service", "from", "to", "metric", "policy", "reason"};
    for (const ScaleEventRow& e : doc.scale_events) {
      t.rows.push_back({{format_number(e.t), "num"},
                        {e.service, ""},
                        {e.from ? format_number(*e.from) : "", "num"},
                        {e.to ? format_number(*e.to) : "", "num"},
                        {e.metric, ""},
                        {e.policy, ""},
                        {e.reason, ""}});
    }
    body += "<h2>Scaling</h2>\n" + render_table(t);
  }
  if (!doc.events.empty()) {
    constexpr std::size_t kLimit = 200;
    Table t;
    t.caption = "Events (replication 0)";
    t.header = {"t (s)", "kind", "service", "detail"};
    for (std::size_t i = 0; i < doc.events.size() && i < kLimit; ++i) {
      const EventRow& e = doc.events[i];
      t.rows.push_back(
          {{format_number(e.t), "num"}, {e.kind, ""}, {e.service, ""}, {e.detail, ""}});
    }
    body += "<h2>Events</h2>\n" + render_table(t);
    if (doc.events.size() > kLimit) {
      body += "<p class=\"note\">... and " + std::to_string(doc.events.size() - kLimit) +
              " more events (in the results file).</p>\n";
    }
  }
  if (!doc.notices.empty()) body += "<h2>Notices</h2>\n" + notices_html(doc.notices);
  return render_page(title, body);
}

// ---- sweep -----------------------------------------------------------------------------------

namespace {

/// The points as lines: x from the first parameter, one group per combination of the others.
struct SweepLayout {
  bool categorical = false;
  std::vector<std::string> categories;
  std::vector<double> x;  ///< per point
  std::vector<std::string> group_names;
  std::vector<std::size_t> group;  ///< per point
  /// Per group, its points ordered by x.
  std::vector<std::vector<std::size_t>> members;
};

SweepLayout sweep_layout(const SweepDoc& doc) {
  SweepLayout l;
  l.categorical = std::any_of(doc.points.begin(), doc.points.end(),
                              [](const SweepDoc::Point& p) { return !p.parameters[0].number; });
  for (const auto& p : doc.points) {
    if (l.categorical) {
      const auto it = std::find(l.categories.begin(), l.categories.end(), p.parameters[0].text);
      l.x.push_back(static_cast<double>(it - l.categories.begin()));
      if (it == l.categories.end()) l.categories.push_back(p.parameters[0].text);
    } else {
      l.x.push_back(*p.parameters[0].number);
    }
    std::string name;
    for (std::size_t k = 1; k < p.parameters.size(); ++k) {
      name += (name.empty() ? "" : ", ") + doc.parameters[k] + "=" + p.parameters[k].text;
    }
    const auto it = std::find(l.group_names.begin(), l.group_names.end(), name);
    l.group.push_back(static_cast<std::size_t>(it - l.group_names.begin()));
    if (it == l.group_names.end()) l.group_names.push_back(name);
  }
  // Parameters that move together (combine: zip) give one point per group: draw one line.
  if (l.group_names.size() > 1 && l.group_names.size() == doc.points.size()) {
    l.group_names = {""};
    std::fill(l.group.begin(), l.group.end(), 0);
  }
  l.members.resize(l.group_names.size());
  for (std::size_t i = 0; i < doc.points.size(); ++i) l.members[l.group[i]].push_back(i);
  for (auto& m : l.members) {
    std::stable_sort(m.begin(), m.end(),
                     [&](std::size_t a, std::size_t b) { return l.x[a] < l.x[b]; });
  }
  return l;
}

Series sweep_series(const SweepDoc& doc, const SweepLayout& l, std::size_t group,
                    std::size_t metric, double factor) {
  Series s;
  s.markers = true;
  for (const std::size_t i : l.members[group]) {
    const Value& v = doc.points[i].metrics[metric];
    s.x.push_back(l.x[i]);
    s.y.push_back(scaled(v.mean, factor));
    // Every metric capsim reports is non-negative: an interval reaching below 0 (few
    // replications) is drawn from 0.
    const double lo = v.mean ? scaled(v.lo, factor) : kNaN;
    s.lo.push_back(std::isfinite(lo) && *v.mean >= 0.0 ? std::max(lo, 0.0) : lo);
    s.hi.push_back(v.mean ? scaled(v.hi, factor) : kNaN);
  }
  return s;
}

LineChart sweep_chart(Ids& ids, const SweepDoc& doc, const SweepLayout& l, const std::string& title,
                      const std::string& y_label) {
  LineChart c;
  c.id = ids();
  c.title = title;
  c.x_label = doc.parameters[0];
  c.y_label = y_label;
  c.categories = l.categorical ? l.categories : std::vector<std::string>{};
  return c;
}

}  // namespace

std::string sweep_report(const SweepDoc& doc, const ReportOptions& options) {
  Ids ids;
  const Header& h = doc.header;
  const std::string title =
      "capsim report: sweep" + (h.experiment.empty() ? std::string() : " " + h.experiment);
  std::string body = page_header(title, h, options, "sweep");
  const SweepLayout l = sweep_layout(doc);
  const std::string x = doc.parameters[0];
  const std::string ci =
      h.confidence ? confidence_text(h) + " confidence" : std::string("confidence");

  body += "<h2>Curves</h2>\n<p class=\"note\">Each metric against " + escape_html(x);
  if (l.group_names.size() > 1) {
    body += ", one line per value of " + escape_html(doc.parameters.size() == 2
                                                         ? doc.parameters[1]
                                                         : std::string("the other parameters"));
  }
  body += "; dots are the points, bands their " + escape_html(ci) +
          " intervals (drawn from 0 "
          "where they reach below it).</p>\n";

  // Latency percentiles p50, p95 and p99 of each workload, together.
  const std::vector<std::pair<std::string, std::string>> percentiles{
      {"p50", "2 3"}, {"p95", "6 3"}, {"p99", ""}};
  std::vector<bool> drawn(doc.metrics.size(), false);
  std::vector<std::string> owners;  // "workloads.W.latency_ms" prefixes, in order
  for (const std::string& m : doc.metrics) {
    for (const auto& [p, dash] : percentiles) {
      (void)dash;
      if (ends_with(m, ".latency_ms." + p)) {
        const std::string owner = m.substr(0, m.size() - p.size() - 1);
        if (std::find(owners.begin(), owners.end(), owner) == owners.end()) owners.push_back(owner);
      }
    }
  }
  std::string curves;
  for (const std::string& owner : owners) {
    std::vector<std::pair<std::size_t, std::string>> found;  // metric index, percentile
    for (const auto& [p, dash] : percentiles) {
      (void)dash;
      const auto it = std::find(doc.metrics.begin(), doc.metrics.end(), owner + "." + p);
      if (it != doc.metrics.end())
        found.emplace_back(static_cast<std::size_t>(it - doc.metrics.begin()), p);
    }
    if (found.size() * l.group_names.size() > 9) continue;  // too many lines: one chart each below
    std::string names;
    for (std::size_t k = 0; k < found.size(); ++k) {
      names += (k == 0 ? "" : k + 1 == found.size() ? " and " : ", ") + found[k].second;
    }
    const std::vector<std::string> parts = split(owner, '.');
    const std::string whose =
        parts.size() == 3 ? (parts[0] == "services" ? "in service " : "of ") + parts[1] : owner;
    LineChart c =
        sweep_chart(ids, doc, l, "Latency " + whose + ": " + names + " vs " + x, "latency (ms)");
    for (std::size_t g = 0; g < l.group_names.size(); ++g) {
      for (const auto& [index, p] : found) {
        Series s = sweep_series(doc, l, g, index, 1.0);
        s.name = l.group_names[g].empty() ? p : p + ", " + l.group_names[g];
        s.color = l.group_names.size() > 1 ? palette(g)
                  : p == "p50"             ? kGood
                  : p == "p95"             ? "#ff7f0e"
                                           : kBad;
        for (const auto& [q, dash] : percentiles) {
          if (q == p) s.dash = dash;
        }
        c.series.push_back(std::move(s));
      }
      for (const auto& [index, p] : found) drawn[index] = true;
    }
    curves += figure(render_line_chart(c));
  }
  // Every other metric, one chart each.
  for (std::size_t m = 0; m < doc.metrics.size(); ++m) {
    if (drawn[m]) continue;
    const DisplayUnit u = display_unit(doc.metrics[m]);
    LineChart c = sweep_chart(ids, doc, l, doc.metrics[m] + " vs " + x,
                              label_with_unit(split(doc.metrics[m], '.').back(), u));
    for (std::size_t g = 0; g < l.group_names.size(); ++g) {
      Series s = sweep_series(doc, l, g, m, u.factor);
      s.name = l.group_names[g];
      s.color = palette(g);
      c.series.push_back(std::move(s));
    }
    curves += figure(render_line_chart(c));
  }
  body += curves;

  // The points.
  Table t;
  t.caption = "Points: mean [" + ci + " interval]";
  t.header = doc.parameters;
  for (const std::string& m : doc.metrics) t.header.push_back(label_with_unit(m, display_unit(m)));
  const bool slo = std::any_of(doc.points.begin(), doc.points.end(),
                               [](const SweepDoc::Point& p) { return p.slo_met.has_value(); });
  const bool notices = std::any_of(doc.points.begin(), doc.points.end(),
                                   [](const SweepDoc::Point& p) { return !p.notices.empty(); });
  if (slo) t.header.push_back("SLO met");
  if (notices) t.header.push_back("notices");
  for (const auto& p : doc.points) {
    std::vector<Cell> row;
    for (const auto& v : p.parameters) row.push_back({v.text, v.number ? "num" : ""});
    for (std::size_t m = 0; m < doc.metrics.size(); ++m) {
      row.push_back({estimate_text(p.metrics[m], display_unit(doc.metrics[m])), "num"});
    }
    if (slo) {
      row.push_back({p.slo_met ? (*p.slo_met ? "yes" : "no") : "",
                     p.slo_met ? (*p.slo_met ? "good" : "bad") : ""});
    }
    if (notices) {
      std::string text;
      for (const auto& n : p.notices) text += (text.empty() ? "" : "; ") + n;
      row.push_back({text, ""});
    }
    t.rows.push_back(std::move(row));
  }
  body += "<h2>Points</h2>\n" + render_table(t);
  return render_page(title, body);
}

// ---- compare ---------------------------------------------------------------------------------

namespace {

std::string verdict_color(const std::string& verdict) {
  if (verdict == "better") return kGood;
  if (verdict == "worse") return kBad;
  if (verdict == "higher" || verdict == "lower") return kDirection;
  return kNeutral;
}

std::string verdict_short(const std::string& verdict) {
  return verdict == "no significant difference" ? "n.s." : verdict;
}

std::string verdict_class(const std::string& verdict) {
  if (verdict == "better") return "good";
  if (verdict == "worse") return "bad";
  return "";
}

}  // namespace

std::string compare_report(const CompareDoc& doc, const ReportOptions& options) {
  Ids ids;
  const Header& h = doc.header;
  const std::string title =
      "capsim report: compare" + (h.experiment.empty() ? std::string() : " " + h.experiment);
  std::string body = page_header(title, h, options, "comparison");
  const std::string ci = confidence_text(h);
  body += "<p class=\"meta\">baseline: " + escape_html(doc.baseline) + "; " +
          std::to_string(doc.variants.size()) +
          " variants, every one with the same random "
          "streams replication by replication (common random numbers)</p>\n";

  // Verdicts first: what changed, and how sure.
  Table verdicts;
  verdicts.caption = "Differences from " + doc.baseline + ", paired by replication";
  verdicts.header = {"variant", "metric", "difference", ci + " interval", "relative", "verdict"};
  for (std::size_t v = 0; v < doc.variants.size(); ++v) {
    if (doc.variants[v] == doc.baseline) continue;
    for (std::size_t m = 0; m < doc.metrics.size(); ++m) {
      const auto& d = doc.differences[v][m];
      if (!d) continue;
      const DisplayUnit u = display_unit(doc.metrics[m].name);
      verdicts.rows.push_back(
          {{doc.variants[v], ""},
           {label_with_unit(doc.metrics[m].name, u), ""},
           {value_text(d->value.mean, u.factor), "num"},
           {interval_text(d->value, u.factor), "num"},
           {d->relative ? format_number(*d->relative * 100.0) + "%" : "", "num"},
           {d->verdict, verdict_class(d->verdict)}});
    }
  }
  body += "<h2>Verdicts</h2>\n" + render_table(verdicts);

  body += "<h2>Metrics</h2>\n<p class=\"note\">Left: each variant's mean with its " +
          escape_html(ci) + " confidence interval. Right: each variant minus " +
          escape_html(doc.baseline) +
          ", replication by replication, with its interval and "
          "verdict (n.s.: no significant difference; higher or lower for metrics that are "
          "neither better nor worse).</p>\n";
  for (std::size_t m = 0; m < doc.metrics.size(); ++m) {
    const std::string& name = doc.metrics[m].name;
    const DisplayUnit u = display_unit(name);
    IntervalChart values;
    values.id = ids();
    values.title = "Each variant";
    values.value_label = label_with_unit(split(name, '.').back(), u);
    for (std::size_t v = 0; v < doc.variants.size(); ++v) {
      const Value& x = doc.values[v][m];
      // Non-negative metrics: an interval reaching below 0 is drawn from 0.
      const double lo = x.mean ? scaled(x.lo, u.factor) : kNaN;
      values.rows.push_back(
          {doc.variants[v] + (doc.variants[v] == doc.baseline ? " (baseline)" : ""),
           scaled(x.mean, u.factor), std::isfinite(lo) && *x.mean >= 0.0 ? std::max(lo, 0.0) : lo,
           x.mean ? scaled(x.hi, u.factor) : kNaN, palette(v), ""});
    }
    IntervalChart diffs;
    diffs.id = ids();
    diffs.title = "Difference from " + doc.baseline;
    diffs.value_label = "difference" + (u.unit.empty() ? std::string() : " (" + u.unit + ")");
    diffs.bars = false;
    std::set<std::string> seen;
    for (std::size_t v = 0; v < doc.variants.size(); ++v) {
      if (doc.variants[v] == doc.baseline) continue;
      const auto& d = doc.differences[v][m];
      const std::string verdict = d ? d->verdict : std::string();
      IntervalRow row{doc.variants[v],       kNaN, kNaN, kNaN, verdict_color(verdict),
                      verdict_short(verdict)};
      if (d && d->value.mean) {
        row.value = *d->value.mean * u.factor;
        row.lo = scaled(d->value.lo, u.factor);
        row.hi = scaled(d->value.hi, u.factor);
      }
      if (!verdict.empty() && seen.insert(verdict).second) {
        diffs.legend.emplace_back(verdict_color(verdict), verdict);
      }
      diffs.rows.push_back(std::move(row));
    }
    body += "<h3>" + escape_html(label_with_unit(name, u)) + "</h3>\n";
    body += figure(render_interval_chart(values), true);
    if (!diffs.rows.empty()) body += figure(render_interval_chart(diffs), true);
  }

  Table variants;
  variants.caption = "Variants: mean [" + ci + " confidence interval]";
  variants.header = {"variant"};
  for (const auto& m : doc.metrics)
    variants.header.push_back(label_with_unit(m.name, display_unit(m.name)));
  const bool slo = std::any_of(doc.slo_met.begin(), doc.slo_met.end(),
                               [](const std::optional<bool>& b) { return b.has_value(); });
  if (slo) variants.header.push_back("SLO met");
  for (std::size_t v = 0; v < doc.variants.size(); ++v) {
    std::vector<Cell> row{
        {doc.variants[v] + (doc.variants[v] == doc.baseline ? " (baseline)" : ""), ""}};
    for (std::size_t m = 0; m < doc.metrics.size(); ++m) {
      row.push_back({estimate_text(doc.values[v][m], display_unit(doc.metrics[m].name)), "num"});
    }
    if (slo) {
      const auto& s = doc.slo_met[v];
      row.push_back({s ? (*s ? "yes" : "no") : "", s ? (*s ? "good" : "bad") : ""});
    }
    variants.rows.push_back(std::move(row));
  }
  body += "<h2>Variants</h2>\n" + render_table(variants);
  std::vector<std::string> notices;
  for (std::size_t v = 0; v < doc.variants.size(); ++v) {
    for (const auto& n : doc.notices[v]) notices.push_back(doc.variants[v] + ": " + n);
  }
  if (!notices.empty()) body += "<h2>Notices</h2>\n" + notices_html(notices);
  return render_page(title, body);
}

std::string build_report(const std::string& text, const ReportOptions& options) {
  switch (detect_input(text)) {
    case InputKind::results:
      return results_report(parse_results(text), options);
    case InputKind::sweep_csv:
      return sweep_report(parse_sweep_csv(text), options);
    case InputKind::sweep_json:
      return sweep_report(parse_sweep_json(text), options);
    case InputKind::compare:
      return compare_report(parse_compare(text), options);
  }
  throw model::ModelError("", "unknown input");
}

}  // namespace capsim::report
