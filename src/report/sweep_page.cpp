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

/// The most replications any point defines `metric` in: the header's, or for a CSV the largest
/// n of the column.
int full_count(const SweepDoc& doc, std::size_t metric) {
  int n = doc.header.replications.value_or(0);
  for (const auto& p : doc.points) n = std::max(n, p.metrics[metric].n.value_or(0));
  return n;
}

Series sweep_series(const SweepDoc& doc, const SweepLayout& l, std::size_t group,
                    std::size_t metric, const DisplayUnit& u) {
  Series s;
  s.markers = true;
  const int full = full_count(doc, metric);
  for (const std::size_t i : l.members[group]) {
    const Value& v = doc.points[i].metrics[metric];
    s.x.push_back(l.x[i]);
    s.y.push_back(scaled(v.mean, u.factor));
    // Every metric capsim reports is non-negative: an interval reaching below 0 (few
    // replications) is drawn from 0; a percentage of a whole stops at 100.
    const double lo = v.mean ? scaled(v.lo, u.factor) : kNaN;
    s.lo.push_back(std::isfinite(lo) && *v.mean >= 0.0 ? std::max(lo, 0.0) : lo);
    double hi = v.mean ? scaled(v.hi, u.factor) : kNaN;
    if (u.unit == "%" && std::isfinite(hi)) hi = std::min(hi, 100.0);
    s.hi.push_back(hi);
    // Defined in fewer replications than the others (a latency where some replication had no
    // successful request), or in one alone (no interval): drawn as uncertain.
    s.uncertain.push_back(v.mean && v.n && (*v.n < full || *v.n < 2));
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
  c.uncertain_label = "uncertain: defined in fewer replications (few successful requests)";
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
      if (m.ends_with(".latency_ms." + p)) {
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
        Series s = sweep_series(doc, l, g, index, DisplayUnit{1.0, "ms"});
        s.name = l.group_names[g].empty() ? p : p + ", " + l.group_names[g];
        s.color = l.group_names.size() > 1 ? palette(g)
                  : p == "p50"             ? palette(0)
                  : p == "p95"             ? palette(1)
                                           : palette(2);
        for (const auto& [q, dash] : percentiles) {
          if (q == p) s.dash = dash;
        }
        c.series.push_back(std::move(s));
      }
      for (const auto& [index, p] : found) drawn[index] = true;
    }
    std::vector<std::string> names_drawn;
    for (const auto& [index, p] : found) names_drawn.push_back(doc.metrics[index]);
    c.y_references = slo_lines(doc.slo, names_drawn, 1.0);
    curves += figure(render_line_chart(c));
  }
  // Every other metric, one chart each.
  for (std::size_t m = 0; m < doc.metrics.size(); ++m) {
    if (drawn[m]) continue;
    const DisplayUnit u = display_unit(doc.metrics[m]);
    LineChart c = sweep_chart(ids, doc, l, doc.metrics[m] + " vs " + x,
                              label_with_unit(split(doc.metrics[m], '.').back(), u));
    if (u.unit == "%") c.y_cap = 100.0;
    c.y_references = slo_lines(doc.slo, {doc.metrics[m]}, u.factor);
    for (std::size_t g = 0; g < l.group_names.size(); ++g) {
      Series s = sweep_series(doc, l, g, m, u);
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
  // The SLO verdict right after the parameters: visible without scrolling a wide table.
  t.header = doc.parameters;
  const bool slo = std::any_of(doc.points.begin(), doc.points.end(),
                               [](const SweepDoc::Point& p) { return p.slo_met.has_value(); });
  const bool notices = std::any_of(doc.points.begin(), doc.points.end(),
                                   [](const SweepDoc::Point& p) { return !p.notices.empty(); });
  if (slo) t.header.push_back("SLO met");
  for (const std::string& m : doc.metrics) t.header.push_back(label_with_unit(m, display_unit(m)));
  if (notices) t.header.push_back("notices");
  for (const auto& p : doc.points) {
    std::vector<Cell> row;
    for (const auto& v : p.parameters) row.push_back({v.text, v.number ? "num" : ""});
    if (slo) {
      row.push_back({p.slo_met ? (*p.slo_met ? "yes" : "no") : "",
                     p.slo_met ? (*p.slo_met ? "good" : "bad") : ""});
    }
    for (std::size_t m = 0; m < doc.metrics.size(); ++m) {
      row.push_back({estimate_text(p.metrics[m], display_unit(doc.metrics[m])), "num"});
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

}  // namespace capsim::report
