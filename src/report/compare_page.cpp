#include <algorithm>
#include <cmath>
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
    // A percentage of a whole (an error rate) stops at 100, whatever its interval says.
    const auto capped = [&u](double hi) { return u.unit == "%" ? std::min(hi, 100.0) : hi; };
    // The SLO's limit for this metric (a latency percentile, the error rate), when it has one.
    values.references = slo_lines(doc.slo, {name}, u.factor);
    for (std::size_t v = 0; v < doc.variants.size(); ++v) {
      const Value& x = doc.values[v][m];
      // Non-negative metrics: an interval reaching below 0 is drawn from 0.
      const double lo = x.mean ? scaled(x.lo, u.factor) : kNaN;
      values.rows.push_back(
          {doc.variants[v] + (doc.variants[v] == doc.baseline ? " (baseline)" : ""),
           scaled(x.mean, u.factor), std::isfinite(lo) && *x.mean >= 0.0 ? std::max(lo, 0.0) : lo,
           x.mean ? capped(scaled(x.hi, u.factor)) : kNaN, palette(v), ""});
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
  // The SLO verdict next to the variant's name: visible without scrolling a wide table.
  variants.header = {"variant"};
  const bool slo = std::any_of(doc.slo_met.begin(), doc.slo_met.end(),
                               [](const std::optional<bool>& b) { return b.has_value(); });
  if (slo) variants.header.push_back("SLO met");
  for (const auto& m : doc.metrics)
    variants.header.push_back(label_with_unit(m.name, display_unit(m.name)));
  for (std::size_t v = 0; v < doc.variants.size(); ++v) {
    std::vector<Cell> row{
        {doc.variants[v] + (doc.variants[v] == doc.baseline ? " (baseline)" : ""), ""}};
    if (slo) {
      const auto& s = doc.slo_met[v];
      row.push_back({s ? (*s ? "yes" : "no") : "", s ? (*s ? "good" : "bad") : ""});
    }
    for (std::size_t m = 0; m < doc.metrics.size(); ++m) {
      row.push_back({estimate_text(doc.values[v][m], display_unit(doc.metrics[m].name)), "num"});
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

}  // namespace capsim::report
