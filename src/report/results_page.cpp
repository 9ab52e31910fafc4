#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "capsim/report/html.hpp"
#include "capsim/report/report.hpp"
#include "capsim/report/svg.hpp"
#include "page_parts.hpp"

namespace capsim::report {

// The helpers shared by the pages (page_parts.hpp).
using namespace detail;

namespace {

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
                      {value_interval_text(m.value, u), "num"},
                      {m.value.n ? std::to_string(*m.value.n) : "", "num"}});
  }
  return t;
}

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

/// The band of `column` across replications in `row` (the columns NAME_min and NAME_max of
/// capsim run --timeseries-bands) appended to `s`; nothing when the results have none.
void add_band(const TimeSeries& ts, std::size_t column, const TimeSeries::Row& row, double factor,
              Series& s) {
  const auto lo = ts.column(ts.columns[column] + "_min");
  const auto hi = ts.column(ts.columns[column] + "_max");
  if (!lo || !hi) return;
  s.lo.push_back(scaled(row.values[*lo], factor));
  s.hi.push_back(scaled(row.values[*hi], factor));
}

/// Whether the results carry bands across replications (capsim run --timeseries-bands).
bool has_bands(const TimeSeries& ts) {
  return ts.column("rps_min").has_value() && ts.column("rps_max").has_value();
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
    add_band(ts, column, row, factor, s);
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

/// A database with read replicas: its primary and its read replicas in place of their mean
/// (a saturated primary under idle replicas reads as half busy), solid and dashed in its colour.
void split_database_sides(const TimeSeries& ts, const TimeAxis& axis, std::vector<Series>& series) {
  const auto primary = ts.column("primary_cpu_utilization");
  const auto replicas = ts.column("read_replicas_cpu_utilization");
  if (!primary || !replicas) return;
  std::vector<Series> sides = series_by_owner(ts, axis, false, *primary, 100.0);
  std::vector<Series> read = series_by_owner(ts, axis, false, *replicas, 100.0);
  std::vector<Series> out;
  for (Series& s : series) {
    Series* p = nullptr;
    Series* r = nullptr;
    for (Series& c : sides) {
      if (c.name == s.name) p = &c;
    }
    for (Series& c : read) {
      if (c.name == s.name) r = &c;
    }
    if (p == nullptr || r == nullptr || !any_value({*p})) {
      out.push_back(std::move(s));
      continue;
    }
    p->name = s.name + " primary";
    p->color = s.color;
    r->name = s.name + " read replicas";
    r->color = s.color;
    r->dash = "6 3";
    out.push_back(std::move(*p));
    out.push_back(std::move(*r));
  }
  series = std::move(out);
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
  if (has_bands(ts)) {
    out +=
        "; the bands span the least to the greatest value of the " +
        (doc.header.replications ? std::to_string(*doc.header.replications) + " " : std::string()) +
        "replications in each window";
  }
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
      c.y_cap = 100.0;
      c.series = std::move(series);
      for (const SloCheckRow& check : doc.slo_checks) {
        if (check.metric.ends_with(".error_rate") && check.limit * 100.0 <= 100.0) {
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
  // A percentile q of a window is uncertain below max(10, 1 / (1 - q)) successful requests:
  // p99 of fewer than 100 is little more than their maximum.
  const std::vector<double> min_successes{10.0, 20.0, 100.0};
  const auto rps_col = ts.column("rps");
  const auto err_col = ts.column("error_rate");
  std::string latency;
  bool any_uncertain = false;
  for (const std::string& w : workloads) {
    LineChart c = time_chart(ids, "Latency of " + w + ": p50, p95 and p99 of successful requests",
                             "latency (ms)", axis, doc);
    c.uncertain_label = "uncertain: few successful requests in the window";
    double top = 0.0;
    for (std::size_t p = 0; p < percentiles.size(); ++p) {
      const auto col = ts.column(percentiles[p].first);
      if (!col) continue;
      Series s;
      s.name = percentiles[p].second;
      s.color = palette(p);
      for (const auto& row : ts.rows) {
        if (row.workload != w) continue;
        s.x.push_back((row.t + ts.window_seconds / 2.0) / axis.divisor);
        s.y.push_back(scaled(row.values[*col], 1.0));
        add_band(ts, *col, row, 1.0, s);
        if (std::isfinite(s.y.back())) top = std::max(top, s.y.back());
        bool few = false;
        if (rps_col && row.values[*rps_col]) {
          const double error = err_col ? row.values[*err_col].value_or(0.0) : 0.0;
          const double successes = *row.values[*rps_col] * ts.window_seconds * (1.0 - error);
          few = successes < min_successes[p] - 1e-9;
        }
        s.uncertain.push_back(few);
        any_uncertain = any_uncertain || (few && std::isfinite(s.y.back()));
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
  if (!latency.empty()) {
    out += "<h3>Latency</h3>\n";
    if (any_uncertain) {
      out +=
          "<p class=\"note\">Open circles: windows with too few successful requests for the "
          "percentile (p50 fewer than 10, p95 fewer than 20, p99 fewer than 100); they are not "
          "joined to the line.</p>\n";
    }
    out += latency;
  }

  // Saturation.
  std::string saturation;
  if (const auto cpu = ts.column("cpu_utilization")) {
    auto series = series_by_owner(ts, axis, false, *cpu, 100.0);
    split_database_sides(ts, axis, series);
    if (any_value(series)) {
      LineChart c =
          time_chart(ids, "Saturation: CPU utilisation, by service", "CPU busy (%)", axis, doc);
      c.y_max = 100.0;
      c.y_cap = 100.0;
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
           {value_interval_text(c.value, u), "num"},
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

}  // namespace capsim::report
