// The page of a `capsim size` output: the cheapest configuration (settings sized together) with
// a map of every configuration run, then each item's answer with the SLO checks at it and one
// below it, and every decision (docs/report.md).

#include <algorithm>
#include <cmath>
#include <utility>

#include "capsim/report/html.hpp"
#include "capsim/report/report.hpp"
#include "capsim/report/svg.hpp"
#include "page_parts.hpp"

namespace capsim::report {

// The helpers shared by the pages (page_parts.hpp).
using namespace detail;

namespace {

std::string yes_no(bool b) {
  return b ? "yes" : "no";
}

Cell met_cell(bool met) {
  return {met ? "met" : "not met", met ? "good" : "bad"};
}

std::string optional_text(const std::optional<double>& v) {
  return v ? format_number(*v) : "";
}

/// "latency p99 <= 200 ms, error rate <= 0.1%".
std::string slo_text(const SloLimits& slo) {
  std::string out;
  for (const auto& [p, limit] : slo.latency_ms) {
    out += (out.empty() ? "" : ", ") + std::string("latency ") + p + " \xE2\x89\xA4 " +
           format_number(limit) + " ms";
  }
  if (slo.error_rate) {
    out += (out.empty() ? "" : ", ") + std::string("error rate \xE2\x89\xA4 ") +
           percent_text(*slo.error_rate);
  }
  return out;
}

/// The SLO checks of one decision.
Table checks_table(const std::string& caption, const SizeDoc::Evaluation& ev, const Header& h) {
  Table t;
  t.caption = caption;
  t.header = {"metric", "met", "limit", "value", confidence_text(h) + " interval", "confident"};
  for (const SloCheckRow& c : ev.checks) {
    const DisplayUnit u = display_unit(c.metric);
    t.rows.push_back(
        {{c.metric, ""},
         {c.met ? "yes" : "no", c.met ? "good" : "bad"},
         {format_number(c.limit * u.factor) + (u.unit.empty() ? "" : " " + u.unit), "num"},
         {value_text(c.value.mean, u.factor), "num"},
         {value_interval_text(c.value, u), "num"},
         {c.confident ? yes_no(*c.confident) : "", ""}});
  }
  return t;
}

std::string configuration_text(const SizeDoc::Cheapest& c, const SizeDoc::Configuration& x) {
  std::string out;
  for (std::size_t s = 0; s < c.settings.size(); ++s) {
    out += (s == 0 ? "" : ", ") + c.settings[s].name + " = " +
           (x.values[s] ? format_number(*x.values[s]) : "?");
  }
  return out;
}

/// The configurations run on the plane of the two settings: met or not, the answer, and the
/// line of the answer's cost (every configuration below it is cheaper).
LineChart configurations_map(Ids& ids, const SizeDoc::Cheapest& c) {
  const SizeDoc::Setting& a = c.settings[0];
  const SizeDoc::Setting& b = c.settings[1];
  LineChart chart;
  chart.id = ids();
  chart.title = "Configurations run: " + a.name + " and " + b.name;
  chart.x_label = a.name;
  chart.y_label = b.name;
  // Half a unit beyond the bounds: dots on a bound are whole.
  chart.x_min = a.min - 0.5;
  chart.x_max = a.max + 0.5;
  chart.y_from_zero = false;
  chart.y_min = b.min - 0.5;
  chart.y_max = b.max + 0.5;
  chart.x_integer = chart.y_integer = true;  // settings take whole values: no tick at 2.5
  chart.height = 360;
  Series met{"SLO met", kGood, {}, {}, {}, {}, "", false, false, {}};
  Series failed{"SLO not met", kBad, {}, {}, {}, {}, "", false, false, {}};
  for (const SizeDoc::Configuration& x : c.evaluations) {
    if (!x.values[0] || !x.values[1]) continue;
    Series& s = x.evaluation.met ? met : failed;
    s.x.push_back(*x.values[0]);
    s.y.push_back(*x.values[1]);
  }
  if (c.answer && c.answer->values[0] && c.answer->values[1] && c.answer->cost &&
      a.price_per_unit > 0 && b.price_per_unit > 0) {
    // cost = pa x + pb y through the answer, within the box of the settings' bounds.
    const double cost = *c.answer->cost;
    const double x0 =
        std::clamp((cost - b.price_per_unit * b.max) / a.price_per_unit, a.min, a.max);
    const double x1 =
        std::clamp((cost - b.price_per_unit * b.min) / a.price_per_unit, a.min, a.max);
    Series line{"cost " + format_number(cost), palette(0), {}, {}, {}, {}, "5 4", false, true, {}};
    for (const double x : {x0, x1}) {
      line.x.push_back(x);
      line.y.push_back((cost - a.price_per_unit * x) / b.price_per_unit);
    }
    chart.series.push_back(std::move(line));
  }
  chart.series.push_back(std::move(failed));
  chart.series.push_back(std::move(met));
  if (c.answer && c.answer->values[0] && c.answer->values[1]) {
    Series answer{
        "cheapest", palette(0), {*c.answer->values[0]}, {*c.answer->values[1]}, {}, {}, "", false,
        false,      {}};
    chart.series.push_back(std::move(answer));
  }
  return chart;
}

/// The cost of every configuration run, in the order decided (any number of settings).
LineChart costs_chart(Ids& ids, const SizeDoc::Cheapest& c) {
  LineChart chart;
  chart.id = ids();
  chart.title = "Configurations run, in the order decided: their cost";
  chart.x_label = "decision";
  chart.y_label = "cost";
  chart.x_integer = true;
  Series met{"SLO met", kGood, {}, {}, {}, {}, "", false, false, {}};
  Series failed{"SLO not met", kBad, {}, {}, {}, {}, "", false, false, {}};
  for (std::size_t i = 0; i < c.evaluations.size(); ++i) {
    const SizeDoc::Configuration& x = c.evaluations[i];
    if (!x.cost) continue;
    Series& s = x.evaluation.met ? met : failed;
    s.x.push_back(static_cast<double>(i + 1));
    s.y.push_back(*x.cost);
  }
  chart.series = {std::move(failed), std::move(met)};
  if (c.answer && c.answer->cost) chart.y_references.push_back({*c.answer->cost, "cheapest"});
  return chart;
}

std::string cheapest_section(const SizeDoc& doc, Ids& ids) {
  const SizeDoc::Cheapest& c = *doc.cheapest;
  std::string out = "<h2>Cheapest configuration meeting the SLO</h2>\n<p class=\"meta\">";
  if (c.answer) {
    out += escape_html(configuration_text(c, *c.answer)) + "; cost " +
           escape_html(optional_text(c.answer->cost)) + " " +
           badge(c.confident, "confident", "not confident") + " " +
           badge(c.exact, "exact", "not exact");
  } else {
    out += badge(false, "", "no configuration meets the SLO");
  }
  out += "</p>\n";
  std::string prices;
  for (const SizeDoc::Setting& s : c.settings) {
    prices += (prices.empty() ? "" : "; ") + s.name + " from " + format_number(s.min) + " to " +
              format_number(s.max) + " at " + format_number(s.price_per_unit) + " per unit";
  }
  out += "<p class=\"note\">Settings: " + escape_html(prices) + ". " +
         std::to_string(c.evaluations.size()) + " configurations run";
  if (c.ruled_out) {
    out += ", " + format_number(*c.ruled_out) +
           " cheaper ones ruled out without a run (no more of any setting than one that failed)";
  }
  out += ".</p>\n";

  Table t;
  t.caption = "The answer, the dearest cheaper configurations that failed and the runners-up";
  t.header = {"", "SLO"};
  for (const SizeDoc::Setting& s : c.settings) t.header.push_back(s.name);
  for (const char* h : {"cost", "replications", "confident"}) t.header.emplace_back(h);
  const auto row = [&](const std::string& role, const SizeDoc::Configuration& x) {
    std::vector<Cell> r{{role, ""}, met_cell(x.evaluation.met)};
    for (const auto& v : x.values) r.push_back({optional_text(v), "num"});
    r.push_back({optional_text(x.cost), "num"});
    r.push_back({std::to_string(x.evaluation.replications), "num"});
    r.push_back({yes_no(x.evaluation.confident), ""});
    t.rows.push_back(std::move(r));
  };
  for (const auto& x : c.cheaper_failed) row("cheaper", x);
  if (c.answer) row("cheapest", *c.answer);
  for (const auto& x : c.runners_up) row("runner-up", x);
  out += render_table(t);

  if (!c.evaluations.empty()) {
    const LineChart chart =
        c.settings.size() == 2 ? configurations_map(ids, c) : costs_chart(ids, c);
    out += figure(render_line_chart(chart));
  }
  if (c.answer && !c.answer->evaluation.checks.empty()) {
    out += render_table(checks_table("SLO checks of the answer", c.answer->evaluation, doc.header));
  }
  Table all;
  all.caption = "Every configuration run, in the order decided";
  all.header = {"#", "SLO"};
  for (const SizeDoc::Setting& s : c.settings) all.header.push_back(s.name);
  for (const char* h : {"cost", "replications", "confident"}) all.header.emplace_back(h);
  for (std::size_t i = 0; i < c.evaluations.size(); ++i) {
    const SizeDoc::Configuration& x = c.evaluations[i];
    std::vector<Cell> r{{std::to_string(i + 1), "num"}, met_cell(x.evaluation.met)};
    for (const auto& v : x.values) r.push_back({optional_text(v), "num"});
    r.push_back({optional_text(x.cost), "num"});
    r.push_back({std::to_string(x.evaluation.replications), "num"});
    r.push_back({yes_no(x.evaluation.confident), ""});
    all.rows.push_back(std::move(r));
  }
  out += render_table(all);
  out += notices_html(c.notes);
  return out;
}

/// Per SLO check of an item: its value (and interval) one below the answer and at the answer,
/// against the limit.
std::string item_charts(const SizeDoc::Item& item, Ids& ids) {
  const SizeDoc::Evaluation* any = item.at_answer      ? &*item.at_answer
                                   : item.at_one_fewer ? &*item.at_one_fewer
                                                       : nullptr;
  if (any == nullptr) return "";
  const std::string unit = item.pointer.empty() ? "replicas" : item.name;
  std::string out;
  for (std::size_t k = 0; k < any->checks.size(); ++k) {
    const std::string& metric = any->checks[k].metric;
    const DisplayUnit u = display_unit(metric);
    LineChart chart;
    chart.id = ids();
    chart.title = label_with_unit(metric, u) + ": one below the answer and at it";
    chart.x_label = unit;
    chart.y_label = label_with_unit(split(metric, '.').back(), u);
    if (u.unit == "%") chart.y_cap = 100.0;
    // Dots (two decisions at most), with their intervals.
    Series s{item.name, palette(0), {}, {}, {}, {}, "", false, false, {}};
    for (const auto* ev : {&item.at_one_fewer, &item.at_answer}) {
      if (!*ev || !(*ev)->value) continue;
      for (const SloCheckRow& c : (*ev)->checks) {
        if (c.metric != metric) continue;
        s.x.push_back(*(*ev)->value);
        s.y.push_back(scaled(c.value.mean, u.factor));
        const double lo = c.value.mean ? scaled(c.value.lo, u.factor) : kNaN;
        s.lo.push_back(std::isfinite(lo) ? std::max(lo, 0.0) : lo);
        s.hi.push_back(c.value.mean ? scaled(c.value.hi, u.factor) : kNaN);
        if (u.unit == "%" && std::isfinite(s.hi.back())) s.hi.back() = std::min(s.hi.back(), 100.0);
      }
    }
    // A decision whose value is undefined (no successful request in a replication) has no
    // point: a vertical line says so.
    for (const auto* ev : {&item.at_one_fewer, &item.at_answer}) {
      if (!*ev || !(*ev)->value) continue;
      for (const SloCheckRow& c : (*ev)->checks) {
        if (c.metric == metric && !c.value.mean) {
          chart.x_references.push_back(
              {*(*ev)->value, format_number(*(*ev)->value) + ": undefined (not met)"});
          s.x.push_back(*(*ev)->value);  // the axis covers it
          s.y.push_back(kNaN);
          s.lo.push_back(kNaN);
          s.hi.push_back(kNaN);
        }
      }
    }
    if (s.x.empty()) continue;
    const double lo_x = *std::min_element(s.x.begin(), s.x.end());
    const double hi_x = *std::max_element(s.x.begin(), s.x.end());
    chart.x_min = lo_x - 1.0;
    chart.x_max = hi_x + 1.0;
    chart.x_integer = true;  // replicas or another integer setting
    const std::string what = split(metric, '.').back();
    chart.y_references.push_back(
        {any->checks[k].limit * u.factor, "SLO " + what + " " +
                                              format_number(any->checks[k].limit * u.factor) +
                                              (u.unit.empty() ? "" : " " + u.unit)});
    chart.series.push_back(std::move(s));
    out += figure(render_line_chart(chart));
  }
  return out;
}

std::string items_section(const SizeDoc& doc, Ids& ids) {
  std::string out =
      doc.cheapest ? "<h2>Each setting's minimum</h2>\n<p class=\"note\">The smallest value of "
                     "each setting that meets the SLO with every other setting at its "
                     "max: no configuration that meets it has less.</p>\n"
                   : "<h2>Answers</h2>\n";
  Table t;
  t.caption = "Sized, in order";
  t.header = {"item",          "answer",    "confident",           "analytic estimate",
              "rule of thumb", "peak (/s)", "breaking point (/s)", "set by",
              "bound by"};
  for (const SizeDoc::Item& item : doc.items) {
    t.rows.push_back(
        {{item.name, ""},
         {item.value ? format_number(*item.value) : "none", item.value ? "num" : "bad"},
         {yes_no(item.confident), ""},
         {optional_text(item.analytic), "num"},
         {optional_text(item.rule_of_thumb), "num"},
         {optional_text(item.peak_rps), "num"},
         {optional_text(item.breaking_point_rps), "num"},
         {item.breaking_point_bound_by.empty()
              ? ""
              : item.breaking_point_bound_by + "'s " + item.breaking_point_resource,
          item.breaking_point_bound_by.empty() || item.breaking_point_bound_by == item.name
              ? ""
              : "bad"},
         {item.bound_by, item.bound_by.empty() ? "" : "bad"}});
  }
  out += render_table(t);
  for (const SizeDoc::Item& item : doc.items) {
    out += "<h3>" + escape_html(item.name) + "</h3>\n";
    if (!item.bound_by.empty()) {
      out += "<p class=\"meta\">" + badge(false, "", "bound by " + item.bound_by) +
             " the SLO is bound by another station: size it instead.</p>\n";
    }
    out += item_charts(item, ids);
    if (item.at_answer) {
      out += render_table(
          checks_table("SLO checks at the answer (" + optional_text(item.at_answer->value) + ")",
                       *item.at_answer, doc.header));
    }
    if (item.at_one_fewer) {
      out += render_table(
          checks_table("SLO checks one below (" + optional_text(item.at_one_fewer->value) + ")",
                       *item.at_one_fewer, doc.header));
    }
    Table ev;
    ev.caption = "Decisions, in order";
    ev.header = {item.pointer.empty() ? "replicas" : "value", "SLO", "replications", "confident"};
    for (const SizeDoc::Evaluation& e : item.evaluations) {
      ev.rows.push_back({{optional_text(e.value), "num"},
                         met_cell(e.met),
                         {std::to_string(e.replications), "num"},
                         {yes_no(e.confident), ""}});
    }
    if (!ev.rows.empty()) out += render_table(ev);
    std::vector<std::string> notes = item.notes;
    for (const std::string& a : item.analytic_assumptions) notes.push_back("analytic: " + a);
    out += notices_html(notes);
  }
  return out;
}

}  // namespace

std::string size_report(const SizeDoc& doc, const ReportOptions& options) {
  Ids ids;
  const Header& h = doc.header;
  const std::string title =
      "capsim report: size" + (h.experiment.empty() ? std::string() : " " + h.experiment);
  std::string body = page_header(title, h, options, "size");
  std::string asked = "SLO ";
  asked += doc.at == "peak" ? "at the peak" : "at the model's own workload";
  for (const auto& [name, rate] : doc.peak_rps) {
    asked += ", " + name + " " + format_number(rate) + "/s";
  }
  const std::string limits = slo_text(doc.slo);
  if (!limits.empty()) asked += ": " + limits;
  body += "<p class=\"meta\">" + escape_html(asked) + "; decisions at " +
          escape_html(confidence_text(h)) + " confidence</p>\n";
  if (doc.cheapest) body += cheapest_section(doc, ids);
  body += items_section(doc, ids);
  return render_page(title, body);
}

}  // namespace capsim::report
