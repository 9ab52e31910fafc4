// The report's building blocks: escaping, number formatting, scales and ticks, and the structure
// of the SVG charts (plot area, lines broken at gaps, bands, legends, axes).

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "capsim/report/html.hpp"
#include "capsim/report/svg.hpp"

namespace capsim::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

/// The value of attribute `name` in the first element that starts with `element_start`.
double attribute(const std::string& svg, const std::string& element_start,
                 const std::string& name) {
  const auto at = svg.find(element_start);
  EXPECT_NE(at, std::string::npos) << element_start;
  const auto end = svg.find('>', at);
  const std::string element = svg.substr(at, end - at);
  const std::regex re(" " + name + "=\"([-0-9.]+)\"");
  std::smatch m;
  EXPECT_TRUE(std::regex_search(element, m, re)) << element;
  return std::atof(m[1].str().c_str());
}

/// Every (x, y) of every points="..." attribute of the elements named `tag`.
std::vector<std::pair<double, double>> points_of(const std::string& svg, const std::string& tag) {
  std::vector<std::pair<double, double>> out;
  const std::regex re("<" + tag + "[^>]* points=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), re); it != std::sregex_iterator();
       ++it) {
    std::istringstream in((*it)[1].str());
    std::string pair;
    while (in >> pair) {
      const auto comma = pair.find(',');
      out.emplace_back(std::atof(pair.substr(0, comma).c_str()),
                       std::atof(pair.substr(comma + 1).c_str()));
    }
  }
  return out;
}

TEST(EscapeHtml, EscapesMarkupQuotesAndControlCharacters) {
  EXPECT_EQ(escape_html("a < b && c > \"d\" 'e'"),
            "a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#39;");
  EXPECT_EQ(escape_html("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(escape_html(std::string("a\x01"
                                    "b\x7f",
                                    4)),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
  EXPECT_EQ(escape_html("tab\tnew\nline"), "tab\tnew\nline");
  EXPECT_EQ(escape_html("\xC2\xB5s caf\xC3\xA9"), "\xC2\xB5s caf\xC3\xA9");  // UTF-8 kept
  EXPECT_EQ(escape_html(""), "");
}

TEST(FormatNumber, ShortAndReadable) {
  EXPECT_EQ(format_number(0.0), "0");
  EXPECT_EQ(format_number(-0.0), "0");
  EXPECT_EQ(format_number(35.1), "35.1");
  EXPECT_EQ(format_number(35.123456), "35.12");
  EXPECT_EQ(format_number(0.0123456), "0.01235");
  EXPECT_EQ(format_number(1234.4), "1234");
  EXPECT_EQ(format_number(12345.6), "12346");
  EXPECT_EQ(format_number(-250.0), "-250");
  EXPECT_EQ(format_number(1.5e-5), "1.5e-05");
  EXPECT_EQ(format_number(kNaN), "");
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "");
}

TEST(NiceTicks, CoverTheRangeAtNiceSteps) {
  Ticks t = nice_ticks(0, 95, 5);
  EXPECT_DOUBLE_EQ(t.step, 20);
  EXPECT_DOUBLE_EQ(t.lo, 0);
  EXPECT_DOUBLE_EQ(t.hi, 100);
  EXPECT_EQ(t.values, (std::vector<double>{0, 20, 40, 60, 80, 100}));

  t = nice_ticks(-7, 13, 4);
  EXPECT_DOUBLE_EQ(t.step, 5);
  EXPECT_EQ(t.values, (std::vector<double>{-10, -5, 0, 5, 10, 15}));

  t = nice_ticks(0.0012, 0.0049, 5);
  EXPECT_NEAR(t.step, 0.001, 1e-15);
  EXPECT_NEAR(t.lo, 0.001, 1e-15);
  EXPECT_NEAR(t.hi, 0.005, 1e-15);

  t = nice_ticks(0, 10, 4);  // 2.5 is nice
  EXPECT_DOUBLE_EQ(t.step, 2.5);
  EXPECT_EQ(t.values.size(), 5u);

  t = nice_ticks(3, 3, 5);  // a constant gets a unit-wide range
  EXPECT_LE(t.lo, 2.5);
  EXPECT_GE(t.hi, 3.5);
  t = nice_ticks(0, 0, 5);
  EXPECT_DOUBLE_EQ(t.lo, 0);
  EXPECT_DOUBLE_EQ(t.hi, 1);
  t = nice_ticks(kNaN, 5, 5);
  EXPECT_DOUBLE_EQ(t.lo, 0);
  EXPECT_DOUBLE_EQ(t.hi, 1);
  t = nice_ticks(10, 2, 4);  // reversed bounds
  EXPECT_LE(t.lo, 2);
  EXPECT_GE(t.hi, 10);
  // Zero is exactly zero, not -1e-17.
  t = nice_ticks(-0.3, 0.3, 6);
  bool zero = false;
  for (const double v : t.values) zero = zero || v == 0.0;
  EXPECT_TRUE(zero);
}

TEST(LinearScale, MapsDomainOntoRange) {
  const LinearScale x(0, 10, 100, 200);
  EXPECT_DOUBLE_EQ(x(0), 100);
  EXPECT_DOUBLE_EQ(x(10), 200);
  EXPECT_DOUBLE_EQ(x(2.5), 125);
  const LinearScale y(0, 100, 300, 50);  // reversed: larger values higher up
  EXPECT_DOUBLE_EQ(y(0), 300);
  EXPECT_DOUBLE_EQ(y(100), 50);
  EXPECT_DOUBLE_EQ(y(50), 175);
  const LinearScale flat(5, 5, 0, 10);
  EXPECT_DOUBLE_EQ(flat(5), 5);
}

TEST(Palette, SaturatedColoursOnly) {
  for (std::size_t i = 0; i < 12; ++i) {
    const std::string& c = palette(i);
    ASSERT_EQ(c.size(), 7u);
    const int r = std::stoi(c.substr(1, 2), nullptr, 16);
    const int g = std::stoi(c.substr(3, 2), nullptr, 16);
    const int b = std::stoi(c.substr(5, 2), nullptr, 16);
    EXPECT_GE(std::max({r, g, b}) - std::min({r, g, b}), 60) << c;  // never a grey
    // Never the green and red of better/met and worse/not met.
    EXPECT_NE(c, "#2ca02c");
    EXPECT_NE(c, "#d62728");
  }
}

LineChart two_series_chart() {
  LineChart c;
  c.id = "c1";
  c.title = "Latency <p99> & friends";
  c.x_label = "time (s)";
  c.y_label = "latency (ms)";
  Series a;
  a.name = "p50";
  a.color = "#2ca02c";
  a.x = {0, 10, 20, 30, 40};
  a.y = {1, 2, kNaN, 4, 5};  // a gap: two polylines
  Series b;
  b.name = "p99 \"tail\"";
  b.color = "#d62728";
  b.x = {0, 10, 20, 30, 40};
  b.y = {10, 20, 30, 40, 50};
  b.lo = {8, 18, 28, 38, 48};
  b.hi = {12, 22, 32, 42, 52};
  b.dash = "6 3";
  c.series = {a, b};
  c.y_references = {{45, "SLO 45 ms"}};
  c.shaded = std::make_pair(0.0, 10.0);
  c.shaded_label = "warm-up";
  return c;
}

TEST(LineChart, HasPlotAreaLinesBandLegendAndAxes) {
  const std::string svg = render_line_chart(two_series_chart());
  EXPECT_EQ(svg.rfind("<svg class=\"chart\" id=\"c1\"", 0), 0u) << svg.substr(0, 80);
  EXPECT_EQ(count(svg, "<svg"), 1u);
  EXPECT_EQ(count(svg, "</svg>"), 1u);
  EXPECT_EQ(count(svg, "<rect class=\"plot\""), 1u);
  EXPECT_NE(svg.find(std::string("fill=\"") + kPlotBackground + "\""), std::string::npos);
  EXPECT_EQ(count(svg, "<polyline class=\"series\""), 3u);  // p50 broken in two, p99 whole
  EXPECT_EQ(count(svg, "<polygon class=\"band\""), 1u);
  EXPECT_EQ(count(svg, "stroke-dasharray=\"6 3\""), 2u);  // the p99 line and its legend sample
  EXPECT_EQ(count(svg, "<rect class=\"shade\""), 1u);
  EXPECT_NE(svg.find(">warm-up</text>"), std::string::npos);
  EXPECT_NE(svg.find(">SLO 45 ms</text>"), std::string::npos);
  // Legend, title and labels, escaped.
  EXPECT_NE(svg.find("<g class=\"legend\">"), std::string::npos);
  EXPECT_NE(svg.find(">p50</text>"), std::string::npos);
  EXPECT_NE(svg.find(">p99 &quot;tail&quot;</text>"), std::string::npos);
  EXPECT_NE(svg.find("<title id=\"c1-title\">Latency &lt;p99&gt; &amp; friends</title>"),
            std::string::npos);
  EXPECT_EQ(svg.find("<p99>"), std::string::npos);
  EXPECT_NE(svg.find(">time (s)</text>"), std::string::npos);
  EXPECT_NE(svg.find(">latency (ms)</text>"), std::string::npos);
  // Ticks: y covers 0..55 (bands and the reference included), x 0..40.
  EXPECT_NE(svg.find(">60</text>"), std::string::npos);
  EXPECT_NE(svg.find(">40</text>"), std::string::npos);
}

TEST(LineChart, EveryPointLiesInsideThePlotArea) {
  const std::string svg = render_line_chart(two_series_chart());
  const double x = attribute(svg, "<rect class=\"plot\"", "x");
  const double y = attribute(svg, "<rect class=\"plot\"", "y");
  const double w = attribute(svg, "<rect class=\"plot\"", "width");
  const double h = attribute(svg, "<rect class=\"plot\"", "height");
  auto points = points_of(svg, "polyline");
  const auto band = points_of(svg, "polygon");
  points.insert(points.end(), band.begin(), band.end());
  ASSERT_EQ(points.size(), 4u + 5u + 10u);
  for (const auto& [px, py] : points) {
    EXPECT_GE(px, x - 1e-9);
    EXPECT_LE(px, x + w + 1e-9);
    // Lines keep 6 px off the plot's top and bottom edges.
    EXPECT_GE(py, y + 6 - 0.05);
    EXPECT_LE(py, y + h - 6 + 0.05);
  }
  // Larger values are drawn higher: the p50 line (1, 2 | 4, 5) rises up the page.
  const auto p50 = points_of(svg, "polyline");
  EXPECT_GT(p50[0].second, p50[1].second);
  EXPECT_GT(p50[2].second, p50[3].second);
}

TEST(LineChart, EmptyAndSinglePointSeriesStillRender) {
  LineChart c;
  c.id = "e";
  c.title = "nothing";
  const std::string empty = render_line_chart(c);
  EXPECT_EQ(count(empty, "<rect class=\"plot\""), 1u);
  EXPECT_EQ(count(empty, "<polyline"), 0u);
  EXPECT_EQ(empty.find("nan"), std::string::npos);
  EXPECT_EQ(empty.find("inf"), std::string::npos);

  Series s;
  s.color = "#1f77b4";
  s.x = {5};
  s.y = {7};
  c.series = {s};
  const std::string one = render_line_chart(c);
  EXPECT_EQ(count(one, "<circle"), 1u);
  EXPECT_EQ(one.find("<g class=\"legend\">"), std::string::npos);  // no name: no legend
}

TEST(LineChart, UncertainValuesAreOpenCirclesInsideTheAxes) {
  LineChart c;
  c.id = "u";
  c.title = "p99";
  Series s;
  s.name = "p99";
  s.color = "#1f77b4";
  s.x = {0, 10, 20, 30, 40};
  s.y = {10, 11, 250, 12, 13};  // a window of three requests: its p99 is their maximum
  s.lo = {9, 10, 200, 11, 12};
  s.hi = {11, 12, 300, 13, 14};
  s.uncertain = {false, false, true, false, false};
  c.series = {s};
  c.uncertain_label = "uncertain: few requests";
  const std::string svg = render_line_chart(c);
  // Not joined: two polylines either side; one open circle; its band left out.
  EXPECT_EQ(count(svg, "<polyline class=\"series\""), 2u);
  EXPECT_EQ(count(svg, "<circle class=\"uncertain\""), 1u);
  EXPECT_EQ(count(svg, "<polygon class=\"band\""), 2u);
  EXPECT_NE(svg.find(">uncertain: few requests</text>"), std::string::npos);
  // The axis covers it: the circle lies inside the plot area, 6 px off its top at least.
  const double top = attribute(svg, "<rect class=\"plot\"", "y");
  const double height = attribute(svg, "<rect class=\"plot\"", "height");
  const double cy = attribute(svg, "<circle class=\"uncertain\"", "cy");
  EXPECT_GE(cy, top + 6 - 0.05);
  EXPECT_LE(cy, top + height);
}

TEST(LineChart, APercentageAxisStopsAt100) {
  LineChart c;
  c.id = "p";
  c.title = "error rate";
  Series s;
  s.color = "#1f77b4";
  s.x = {0, 1, 2};
  s.y = {80, 95, 99};
  s.lo = {60, 90, 97};
  s.hi = {100, 100, 140};  // an interval past 100% (few replications)
  c.series = {s};
  c.y_cap = 100.0;
  const std::string svg = render_line_chart(c);
  EXPECT_NE(svg.find(">100</text>"), std::string::npos);
  EXPECT_EQ(svg.find(">120</text>"), std::string::npos);
  EXPECT_EQ(svg.find(">140</text>"), std::string::npos);
  EXPECT_NE(svg.find(">intervals cut at the edge</text>"), std::string::npos);
}

TEST(LineChart, ScatterSeriesAreDotsOnly) {
  LineChart c;
  c.id = "s";
  c.title = "map";
  Series s;
  s.name = "met";
  s.color = "#2ca02c";
  s.line = false;
  s.x = {1, 2, 3};
  s.y = {3, 2, 1};
  c.series = {s};
  const std::string svg = render_line_chart(c);
  EXPECT_EQ(count(svg, "<polyline"), 0u);
  EXPECT_EQ(count(svg, "<circle"), 4u);  // three dots and the legend's
}

TEST(LineChart, CategoricalAxisLabelsEachCategory) {
  LineChart c;
  c.id = "cat";
  c.title = "by policy";
  c.categories = {"round_robin", "random", "<least>"};
  Series s;
  s.name = "p99";
  s.color = "#1f77b4";
  s.x = {0, 1, 2};
  s.y = {3, 2, 1};
  s.markers = true;
  c.series = {s};
  const std::string svg = render_line_chart(c);
  EXPECT_NE(svg.find(">round_robin</text>"), std::string::npos);
  EXPECT_NE(svg.find(">&lt;least&gt;</text>"), std::string::npos);
  EXPECT_EQ(count(svg, "<circle"), 3u);
}

TEST(IntervalChart, BarsWhiskersNotesAndMissingValues) {
  IntervalChart c;
  c.id = "i";
  c.title = "p99 <ms>";
  c.value_label = "p99 (ms)";
  c.rows = {{"round-robin (baseline)", 48.8, 48.2, 49.5, "#1f77b4", ""},
            {"random", 69.4, 67.0, 71.8, "#d62728", ""},
            {"empty", kNaN, kNaN, kNaN, "#2ca02c", ""}};
  const std::string bars = render_interval_chart(c);
  EXPECT_EQ(count(bars, "<rect class=\"plot\""), 1u);
  EXPECT_EQ(count(bars, "<rect class=\"bar\""), 2u);
  EXPECT_EQ(count(bars, "<circle"), 2u);  // the means, on the bars
  EXPECT_NE(bars.find(">no value</text>"), std::string::npos);
  EXPECT_NE(bars.find(">round-robin (baseline)</text>"), std::string::npos);
  EXPECT_NE(bars.find("p99 &lt;ms&gt;"), std::string::npos);

  IntervalChart d;
  d.id = "d";
  d.title = "difference";
  d.bars = false;
  d.rows = {{"least-outstanding", -13.7, -14.2, -13.2, "#2ca02c", "better"},
            {"random", 20.6, 19.0, 22.2, "#d62728", "worse"}};
  d.legend = {{"#2ca02c", "better"}, {"#d62728", "worse"}};
  const std::string dots = render_interval_chart(d);
  EXPECT_EQ(count(dots, "<rect class=\"bar\""), 0u);
  EXPECT_EQ(count(dots, "<circle"), 4u);  // two rows, two legend entries
  EXPECT_NE(dots.find(">better</text>"), std::string::npos);
  EXPECT_NE(dots.find(">worse</text>"), std::string::npos);
  // The axis covers both signs (0 inside): a negative tick is labelled.
  EXPECT_NE(dots.find(">-20</text>"), std::string::npos);
}

TEST(Table, EscapesCellsAndMarksClasses) {
  Table t;
  t.caption = "a & b";
  t.header = {"metric", "<mean>"};
  t.rows = {{{"x<y", ""}, {"1.5", "num"}}};
  const std::string html = render_table(t);
  EXPECT_NE(html.find("<caption>a &amp; b</caption>"), std::string::npos);
  EXPECT_NE(html.find("<th>&lt;mean&gt;</th>"), std::string::npos);
  EXPECT_NE(html.find("<td>x&lt;y</td><td class=\"num\">1.5</td>"), std::string::npos);
}

TEST(Page, SelfContained) {
  const std::string page = render_page("t <1>", "<p>x</p>\n");
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("<title>t &lt;1&gt;</title>"), std::string::npos);
  EXPECT_NE(page.find("<style>"), std::string::npos);
  for (const char* outside : {"http:", "https:", "<script", "<link", "src=", "@import", "url("}) {
    EXPECT_EQ(page.find(outside), std::string::npos) << outside;
  }
}

}  // namespace
}  // namespace capsim::report
