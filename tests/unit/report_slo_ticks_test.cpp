// Issue 15's report items: SLO limits drawn on the compare page's charts (the compare output
// carries them as "slo", as the sweep output does), and whole-number ticks on the axes of
// integer settings (replicas, cores) on the size page.

#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <string>

#include "capsim/report/inputs.hpp"
#include "capsim/report/report.hpp"
#include "capsim/report/svg.hpp"

namespace capsim::report {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

bool whole(const Ticks& t) {
  for (const double v : t.values) {
    if (std::fabs(v - std::round(v)) > 1e-12) return false;
  }
  return true;
}

// A compare output whose model has an SLO: p99 <= 50 ms, error rate <= 1%.
const char* kCompare = R"({ "kind": "compare", "experiment": "lb", "model": "web-peak",
  "replications": 3, "confidence": 0.9, "baseline": "rr",
  "metrics": [ { "name": "workloads.browse.latency_ms.p99", "better": "lower" },
               { "name": "workloads.browse.latency_ms.p50", "better": "lower" },
               { "name": "workloads.browse.error_rate", "better": "lower" },
               { "name": "services.api.cpu_utilization", "better": "neither" } ],
  "slo": { "latency": { "p99_ms": 50 }, "error_rate": 0.01 },
  "variants": {
    "rr": { "workloads.browse.latency_ms.p99": { "mean": 48.8, "ci": [48.2, 49.5], "n": 3 },
            "workloads.browse.latency_ms.p50": { "mean": 8, "ci": [7.9, 8.1], "n": 3 },
            "workloads.browse.error_rate": { "mean": 0.002, "ci": [0.001, 0.003], "n": 3 },
            "services.api.cpu_utilization": { "mean": 0.78, "ci": [0.77, 0.79], "n": 3 } },
    "lo": { "workloads.browse.latency_ms.p99": { "mean": 35.1, "ci": [34.5, 35.7], "n": 3 },
            "workloads.browse.latency_ms.p50": { "mean": 7, "ci": [6.9, 7.1], "n": 3 },
            "workloads.browse.error_rate": { "mean": 0.001, "ci": [0.0005, 0.0015], "n": 3 },
            "services.api.cpu_utilization": { "mean": 0.78, "ci": [0.77, 0.79], "n": 3 } } },
  "differences": {} })";

TEST(CompareSlo, TheLimitsAreReadBack) {
  const CompareDoc doc = parse_compare(kCompare);
  ASSERT_EQ(doc.slo.latency_ms.size(), 1u);
  EXPECT_EQ(doc.slo.latency_ms[0].first, "p99");
  EXPECT_DOUBLE_EQ(doc.slo.latency_ms[0].second, 50.0);
  EXPECT_EQ(doc.slo.error_rate, 0.01);
}

TEST(CompareSlo, EachLimitIsALineOnItsMetricsChartOnly) {
  const std::string page = build_report(kCompare, {"compare.json"});
  // The p99 chart and the error-rate chart: one line each; the p50 and cpu charts: none.
  EXPECT_EQ(count(page, "class=\"reference\""), 2u);
  EXPECT_EQ(count(page, ">SLO p99 50 ms</text>"), 1u);
  EXPECT_EQ(count(page, ">SLO 1%</text>"), 1u);
  // Without "slo" (an older output, or a model without an SLO): no line.
  std::string without = kCompare;
  const std::size_t at = without.find("\"slo\":");
  without.erase(at, without.find("\"variants\"") - at);
  EXPECT_EQ(count(build_report(without, {"compare.json"}), "class=\"reference\""), 0u);
}

TEST(IntervalChart, AReferenceLineIsInsideTheAxis) {
  IntervalChart c;
  c.id = "i";
  c.title = "p99";
  c.value_label = "p99 (ms)";
  c.rows = {{"a", 10.0, 9.0, 11.0, "#1f77b4", ""}};
  c.references = {{200.0, "SLO p99 200 ms"}};
  const std::string svg = render_interval_chart(c);
  EXPECT_EQ(count(svg, "class=\"reference\""), 1u);
  // The axis reaches the limit, far beyond the bar: its last tick is 200.
  EXPECT_NE(svg.find(">200</text>"), std::string::npos);
}

TEST(NiceTicks, IntegerTicksAreWholeNumbers) {
  // Without the option, 0.5 and 2.5 are nice steps.
  EXPECT_DOUBLE_EQ(nice_ticks(1.5, 4.5, 8).step, 0.5);
  EXPECT_DOUBLE_EQ(nice_ticks(0, 10, 4).step, 2.5);
  Ticks t = nice_ticks(1.5, 4.5, 8, true);
  EXPECT_DOUBLE_EQ(t.step, 1.0);
  EXPECT_TRUE(whole(t));
  EXPECT_LE(t.lo, 1.5);
  EXPECT_GE(t.hi, 4.5);
  t = nice_ticks(0, 10, 4, true);
  EXPECT_DOUBLE_EQ(t.step, 2.0);
  EXPECT_EQ(t.values, (std::vector<double>{0, 2, 4, 6, 8, 10}));
  t = nice_ticks(0, 1000, 5, true);  // large steps are whole already
  EXPECT_DOUBLE_EQ(t.step, 200.0);
  EXPECT_TRUE(whole(nice_ticks(-0.5, 0.5, 10, true)));
}

TEST(LineChart, IntegerAxesHaveNoHalfUnitTicks) {
  // As the size page draws two decisions, 2 and 3 replicas, with a unit of margin.
  LineChart c;
  c.id = "c";
  c.x_label = "replicas";
  c.y_label = "p99 (ms)";
  c.x_min = 1.0;
  c.x_max = 4.0;
  c.series = {{"api", "#1f77b4", {2, 3}, {40, 20}, {}, {}, "", true, false, {}}};
  const std::regex fraction(R"(text-anchor="middle">-?[0-9]+\.[0-9]+</text>)");
  EXPECT_TRUE(std::regex_search(render_line_chart(c), fraction));  // 1.5, 2.5, ... by default
  c.x_integer = true;
  const std::string svg = render_line_chart(c);
  EXPECT_FALSE(std::regex_search(svg, fraction));
  for (const char* tick : {">1</text>", ">2</text>", ">3</text>", ">4</text>"}) {
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  }
  // The y axis too (the size page's map of two settings).
  c.y_integer = true;
  c.series[0].y = {2, 3};
  c.y_from_zero = false;
  c.y_min = 1.5;
  c.y_max = 3.5;
  const std::regex y_fraction(R"(text-anchor="end">-?[0-9]+\.[0-9]+</text>)");
  EXPECT_FALSE(std::regex_search(render_line_chart(c), y_fraction));
}

}  // namespace
}  // namespace capsim::report
