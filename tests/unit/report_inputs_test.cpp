// Reading capsim's outputs back for a report: detection by content, the structure each reader
// checks (with the exact message of each problem), and the pages made of them.

#include <gtest/gtest.h>

#include <string>

#include "capsim/model/error.hpp"
#include "capsim/report/inputs.hpp"
#include "capsim/report/report.hpp"

namespace capsim::report {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

/// The message of the ModelError `f` throws ("" if none).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const model::ModelError& e) {
    return e.what();
  }
  return "";
}

const char* kResults = R"({
  "capsim_version": "0.1.0", "model": "web <peak>", "seed": 42, "replications": 2,
  "simulated_seconds": 60, "warmup_seconds": 10, "confidence": 0.95,
  "workloads": { "browse": {
    "offered_rps": { "mean": 100, "ci": [99, 101], "n": 2 },
    "error_rate": { "mean": 0.01, "ci": [0.005, 0.015], "n": 2 },
    "latency_ms": { "p50": { "mean": 10, "ci": [9, 11], "n": 2 },
                    "p99": { "mean": null, "ci": null, "n": 0 } } } },
  "services": { "api": {
    "cpu_utilization": { "mean": 0.5, "ci": [0.45, 0.55], "n": 2 },
    "replicas": { "mean": { "mean": 3, "ci": [3, 3], "n": 2 }, "min": 2, "max": 4 },
    "saturated": 0 } },
  "notices": [ "replication 0: <b>bold</b>" ],
  "slo": { "met": false, "checks": [ { "metric": "workloads.browse.latency_ms.p99", "limit": 200,
           "value": { "mean": null, "ci": null, "n": 0 }, "met": false, "confident": true } ] },
  "scale_events": [ { "t": 45, "service": "api", "from": 3, "to": 4, "metric": "cpu",
                      "policy": "percent", "reason": "cpu 0.9 > 0.6" } ],
  "events": [ { "t": 20.5, "kind": "crash", "service": "api", "detail": "replica 1" } ],
  "timeseries": { "window_seconds": 10,
    "columns": ["t", "workload", "service", "rps", "error_rate", "p50_ms", "p95_ms", "p99_ms",
                "cpu_utilization", "queue_length", "replicas", "desired_replicas"],
    "rows": [ [0, "browse", "", 100, 0, 9, 15, 20, null, null, null, null],
              [0, "", "api", 100, null, 9, 15, 20, 0.5, 0, 3, 3],
              [10, "browse", "", 110, 0.02, 10, 16, 22, null, null, null, null],
              [10, "", "api", 110, null, 10, 16, 22, 0.6, 1.5, 3, 4],
              [20, "browse", "", 120, 0, null, null, null, null, null, null, null],
              [20, "", "api", 120, null, 11, 17, 23, 0.7, 0, 4, 4] ] }
})";

const char* kSweepCsv =
    "rate,api_replicas,workloads.browse.latency_ms.p50.mean,workloads.browse.latency_ms.p50.ci_lo,"
    "workloads.browse.latency_ms.p50.ci_hi,services.api.cpu_utilization.mean,"
    "services.api.cpu_utilization.ci_lo,services.api.cpu_utilization.ci_hi\n"
    "100,3,8.3,7.1,9.5,0.1,0.09,0.11\n"
    "100,4,8.2,7.0,9.4,0.08,0.07,0.09\n"
    "200,3,9.1,8.9,9.3,0.2,0.19,0.21\n"
    "200,4,,,,0.15,0.14,0.16\n";

const char* kCompare = R"({ "kind": "compare", "experiment": "lb", "model": "web-peak",
  "replications": 3, "confidence": 0.9, "baseline": "rr",
  "metrics": [ { "name": "workloads.browse.latency_ms.p99", "better": "lower" },
               { "name": "services.api.cpu_utilization", "better": "neither" } ],
  "variants": {
    "rr": { "workloads.browse.latency_ms.p99": { "mean": 48.8, "ci": [48.2, 49.5], "n": 3 },
            "services.api.cpu_utilization": { "mean": 0.78, "ci": [0.77, 0.79], "n": 3 } },
    "lo": { "workloads.browse.latency_ms.p99": { "mean": 35.1, "ci": [34.5, 35.7], "n": 3 },
            "services.api.cpu_utilization": { "mean": 0.78, "ci": [0.77, 0.79], "n": 3 } } },
  "differences": {
    "lo": { "workloads.browse.latency_ms.p99": { "mean": -13.7, "ci": [-14.2, -13.2], "n": 3,
                                                 "relative": -0.281, "verdict": "better" },
            "services.api.cpu_utilization": { "mean": 0, "ci": [0, 0], "n": 3, "relative": 0,
                                              "verdict": "no significant difference" } } },
  "slo_met": { "rr": true, "lo": true }, "notices": { "rr": [], "lo": ["saturated <x>"] } })";

TEST(ReportInput, DetectsEachKindByContent) {
  EXPECT_EQ(detect_input(kResults), InputKind::results);
  EXPECT_EQ(detect_input(kSweepCsv), InputKind::sweep_csv);
  EXPECT_EQ(detect_input(kCompare), InputKind::compare);
  EXPECT_EQ(detect_input("\xEF\xBB\xBF  { \"kind\": \"sweep\", \"points\": [] }"),
            InputKind::sweep_json);
}

TEST(ReportInput, SaysWhatItFoundInstead) {
  EXPECT_EQ(error_of([] { detect_input(" \n"); }),
            "the file is empty; expected the output of capsim run -o (results JSON), capsim sweep "
            "-o (CSV or JSON), capsim compare -o (JSON) or capsim size -o (JSON)");
  EXPECT_EQ(error_of([] { detect_input("{ \"workloads\": [ 1 ], \"services\": {} }"); }),
            "this is a model, not results: run capsim run MODEL -o results.json and make the "
            "report of results.json");
  EXPECT_EQ(error_of([] { detect_input("{ \"kind\": \"sweep\", \"model\": \"m.json\" }"); }),
            "this is a sweep experiment, not its output: run capsim sweep EXPERIMENT -o "
            "sweep.json (or .csv) and make the report of that");
  EXPECT_EQ(error_of([] { detect_input("{ \"kind\": \"size\", \"services\": [ \"api\" ] }"); }),
            "this is a size experiment, not its output: run capsim size EXPERIMENT -o size.json "
            "and make the report of that");
  EXPECT_EQ(detect_input("{ \"kind\": \"size\", \"services\": {} }"), InputKind::size);
  EXPECT_EQ(error_of([] { detect_input("name,mean,ci_lo,ci_hi\nx,1,,\n"); }),
            "this is capsim run's summary.csv; make the report of the results JSON instead "
            "(capsim run MODEL -o results.json)");
  EXPECT_EQ(error_of([] { detect_input("{ \"a\": 1,, }"); }),
            "invalid JSON at line 1, column 10: syntax error while parsing object key - "
            "unexpected ','; expected string literal");
  EXPECT_EQ(error_of([] { detect_input("[1, 2]"); }),
            "expected a JSON object, found an array; expected the output of capsim run -o "
            "(results JSON), capsim sweep -o (CSV or JSON), capsim compare -o (JSON) or capsim "
            "size -o (JSON)");
  EXPECT_NE(
      error_of([] { detect_input("hello world\n"); }).find("found neither JSON nor a sweep CSV"),
      std::string::npos);
}

TEST(ReportInput, ReadsResults) {
  const ResultsDoc doc = parse_results(kResults);
  EXPECT_EQ(doc.header.model, "web <peak>");
  EXPECT_EQ(doc.header.seed, 42u);
  ASSERT_EQ(doc.workloads.size(), 1u);
  ASSERT_EQ(doc.workloads[0].metrics.size(), 4u);
  EXPECT_EQ(doc.workloads[0].metrics[2].name, "latency_ms.p50");
  EXPECT_FALSE(doc.workloads[0].metrics[3].value.mean.has_value());  // undefined p99
  ASSERT_EQ(doc.services[0].metrics.size(), 5u);
  EXPECT_EQ(doc.services[0].metrics[1].name, "replicas.mean");
  EXPECT_EQ(doc.services[0].metrics[2].name, "replicas.min");
  EXPECT_EQ(doc.services[0].metrics[2].value.mean, 2.0);
  EXPECT_FALSE(doc.services[0].metrics[2].value.lo.has_value());
  EXPECT_EQ(doc.slo_met, false);
  ASSERT_EQ(doc.slo_checks.size(), 1u);
  EXPECT_EQ(doc.scale_events.size(), 1u);
  EXPECT_EQ(doc.events.size(), 1u);
  ASSERT_TRUE(doc.timeseries.has_value());
  EXPECT_EQ(doc.timeseries->rows.size(), 6u);
  EXPECT_EQ(doc.timeseries->column("desired_replicas"), 8u);
  EXPECT_FALSE(doc.timeseries->rows[4].values[2].has_value());
}

TEST(ReportInput, PointsAtTheFirstProblemOfResults) {
  std::string bad = kResults;
  const std::string estimate = "{ \"mean\": 10, \"ci\": [9, 11], \"n\": 2 }";
  bad.replace(bad.find(estimate), estimate.size(), "{ \"mean\": \"fast\", \"ci\": null }");
  EXPECT_EQ(error_of([&] { parse_results(bad); }),
            "/workloads/browse/latency_ms/p50/mean: expected a number, found \"fast\"");
  std::string ci = kResults;
  ci.replace(ci.find(estimate), estimate.size(), "{ \"mean\": 10, \"ci\": [9] }");
  EXPECT_EQ(error_of([&] { parse_results(ci); }),
            "/workloads/browse/latency_ms/p50/ci: expected [lo, hi] or null, found an array");
  std::string row = kResults;
  const std::string start = "[10, \"\", \"api\", 110, ";
  row.replace(row.find(start), start.size(), "[10, \"\", \"api\", ");
  EXPECT_EQ(error_of([&] { parse_results(row); }).substr(0, 60),
            "/timeseries/rows/3: expected an array of 12 values, found an");
  EXPECT_EQ(error_of([] { parse_results(R"({ "workloads": {}, "services": { "a/b": 3 } })"); }),
            "/services/a~1b: expected an object of metrics, found 3");
}

TEST(ReportInput, ReadsSweepCsvWithQuotesAndEmptyCells) {
  const SweepDoc doc = parse_sweep_csv(kSweepCsv);
  EXPECT_EQ(doc.parameters, (std::vector<std::string>{"rate", "api_replicas"}));
  EXPECT_EQ(doc.metrics, (std::vector<std::string>{"workloads.browse.latency_ms.p50",
                                                   "services.api.cpu_utilization"}));
  ASSERT_EQ(doc.points.size(), 4u);
  EXPECT_EQ(doc.points[2].parameters[0].number, 200.0);
  EXPECT_EQ(doc.points[2].metrics[0].lo, 8.9);
  EXPECT_FALSE(doc.points[3].metrics[0].mean.has_value());

  const SweepDoc quoted = parse_sweep_csv(
      "policy,\"a,b\",m.mean,m.ci_lo,m.ci_hi\r\n\"say \"\"hi\"\"\",\"{\"\"x\"\": "
      "1}\",1,0.5,1.5\r\n");
  EXPECT_EQ(quoted.parameters[1], "a,b");
  EXPECT_EQ(quoted.points[0].parameters[0].text, "say \"hi\"");
  EXPECT_FALSE(quoted.points[0].parameters[0].number.has_value());
  EXPECT_EQ(quoted.points[0].parameters[1].text, "{\"x\": 1}");
}

TEST(ReportInput, PointsAtTheFirstProblemOfASweepCsv) {
  EXPECT_EQ(error_of([] { parse_sweep_csv("r,m.mean,m.ci_lo\n1,2,3\n"); }),
            "line 1: column 2 (\"m.mean\"): expected three columns NAME.mean, NAME.ci_lo, "
            "NAME.ci_hi");
  EXPECT_EQ(error_of([] { parse_sweep_csv("r,m.mean,m.ci_lo,m.ci_hi\n1,2,3\n"); }),
            "line 2: expected 4 fields, found 3");
  EXPECT_EQ(error_of([] { parse_sweep_csv("r,m.mean,m.ci_lo,m.ci_hi\n1,2,3,4\n5,six,,\n"); }),
            "line 3, column 2 (m.mean): expected a number or an empty cell, found \"six\"");
  EXPECT_EQ(error_of([] { parse_sweep_csv("m.mean,m.ci_lo,m.ci_hi\n1,2,3\n"); }),
            "line 1: expected the parameters' columns before the metrics', found none");
  EXPECT_EQ(error_of([] { parse_sweep_csv("r,m.mean,m.ci_lo,m.ci_hi\n"); }),
            "expected at least one row after the header, found none");
}

TEST(ReportInput, ReadsSweepJson) {
  const SweepDoc doc = parse_sweep_json(R"({ "kind": "sweep", "experiment": "e",
    "parameters": [ { "name": "rate", "pointer": "/workloads/0/rate", "values": [1, 2] },
                    { "pointer": "/services/api/load_balancer/policy", "values": ["random"] } ],
    "metrics": [ "m" ],
    "points": [ { "parameters": { "rate": 1, "/services/api/load_balancer/policy": "random" },
                  "metrics": { "m": { "mean": 1, "ci": [0, 2], "n": 2 } }, "slo_met": null,
                  "notices": [] },
                { "parameters": { "rate": 2, "/services/api/load_balancer/policy": "random" },
                  "metrics": { "m": { "mean": null, "ci": null, "n": 0 } }, "slo_met": false,
                  "notices": [ "saturated" ] } ] })");
  EXPECT_EQ(doc.header.experiment, "e");
  EXPECT_EQ(doc.parameters[1], "/services/api/load_balancer/policy");
  EXPECT_EQ(doc.points[1].parameters[1].text, "random");
  EXPECT_FALSE(doc.points[1].metrics[0].mean.has_value());
  EXPECT_EQ(doc.points[1].slo_met, false);
  EXPECT_EQ(error_of([] {
              parse_sweep_json(R"({ "kind": "sweep", "parameters": [ { "name": "r" } ],
                "metrics": [], "points": [ { "parameters": {}, "metrics": {} } ] })");
            }),
            "/points/0/parameters: expected a value for parameter \"r\", found none");
}

TEST(ReportInput, ReadsCompare) {
  const CompareDoc doc = parse_compare(kCompare);
  EXPECT_EQ(doc.baseline, "rr");
  EXPECT_EQ(doc.variants, (std::vector<std::string>{"rr", "lo"}));
  EXPECT_FALSE(doc.differences[0][0].has_value());
  ASSERT_TRUE(doc.differences[1][0].has_value());
  EXPECT_EQ(doc.differences[1][0]->verdict, "better");
  EXPECT_EQ(doc.differences[1][0]->relative, -0.281);
  EXPECT_EQ(doc.metrics[1].better, "neither");
  EXPECT_EQ(doc.notices[1], (std::vector<std::string>{"saturated <x>"}));
  std::string bad = kCompare;
  bad.replace(bad.find("\"baseline\": \"rr\""), 16, "\"baseline\": \"xx\"");
  EXPECT_EQ(error_of([&] { parse_compare(bad); }),
            "/baseline: expected one of the variants, found \"xx\"");
}

TEST(DisplayUnit, ByMetricName) {
  EXPECT_EQ(display_unit("workloads.browse.latency_ms.p99").unit, "ms");
  EXPECT_EQ(display_unit("services.api.wait_ms.mean").unit, "ms");
  EXPECT_EQ(display_unit("workloads.browse.goodput_rps").unit, "/s");
  EXPECT_EQ(display_unit("workloads.browse.error_rate").unit, "%");
  EXPECT_EQ(display_unit("workloads.browse.errors.timeout").factor, 100.0);
  EXPECT_EQ(display_unit("services.api.cpu_utilization").unit, "%");
  EXPECT_EQ(display_unit("services.api.queue_length").unit, "");
  EXPECT_EQ(display_unit("replica_seconds").unit, "");
}

TEST(ResultsReport, ADatabaseWithReadReplicasIsChartedBySide) {
  // The primary 90% busy, the read replicas 10%: their mean (the service's 36.7% over three
  // nodes) hid the saturated primary. The chart draws both sides in place of the mean.
  std::string results = kResults;
  const std::string columns =
      R"("cpu_utilization", "queue_length", "replicas", "desired_replicas"])";
  results.replace(results.find(columns), columns.size(),
                  R"("cpu_utilization", "queue_length", "replicas", "desired_replicas",
                     "primary_cpu_utilization", "read_replicas_cpu_utilization"])");
  const std::string rows = results.substr(results.find("\"rows\""));
  std::string with_sides =
      R"("rows": [ [0, "browse", "", 100, 0, 9, 15, 20, null, null, null, null, null, null],
      [0, "", "api", 100, null, 9, 15, 20, 0.5, 0, 3, 3, null, null],
      [0, "", "db", 100, null, 1, 2, 3, 0.367, 0, 3, 3, 0.9, 0.1] ] }
})";
  results.replace(results.find("\"rows\""), rows.size(), with_sides);
  const std::string page = build_report(results, {"run.json"});
  EXPECT_NE(page.find("db primary"), std::string::npos);
  EXPECT_NE(page.find("db read replicas"), std::string::npos);
  EXPECT_NE(page.find(">api<"), std::string::npos) << "a service without sides keeps its line";
  EXPECT_EQ(page.find(">db<"), std::string::npos) << "the mean is not drawn beside its sides";
}

TEST(ResultsReport, AnIntervalBelowZeroIsShownFromZero) {
  // Two replications of a latency p99 of 20 and 100 ms: t(0.975, 1) x 40 = 508 ms wide, the
  // interval [-448, 568]. A latency cannot be negative: the table shows [0, 568]; an error rate's
  // interval stops at 100 %.
  std::string results = kResults;
  const std::string p50 = R"("p50": { "mean": 10, "ci": [9, 11], "n": 2 })";
  results.replace(results.find(p50), p50.size(),
                  R"("p50": { "mean": 60, "ci": [-448.2, 568.2], "n": 2 })");
  const std::string errors = R"("error_rate": { "mean": 0.01, "ci": [0.005, 0.015], "n": 2 })";
  results.replace(results.find(errors), errors.size(),
                  R"("error_rate": { "mean": 0.6, "ci": [-0.2, 1.4], "n": 2 })");
  const std::string page = build_report(results, {"run.json"});
  EXPECT_NE(page.find("<td>latency_ms.p50</td><td>ms</td><td class=\"num\">60</td><td "
                      "class=\"num\">[0, 568.2]</td>"),
            std::string::npos);
  EXPECT_NE(page.find("<td>error_rate</td><td>%</td><td class=\"num\">60</td><td "
                      "class=\"num\">[0, 100]</td>"),
            std::string::npos);
}

TEST(ResultsReport, GoldenSignalsAndTables) {
  const std::string page = build_report(kResults, {"run <1>.json"});
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("<title>capsim report: web &lt;peak&gt;</title>"), std::string::npos);
  EXPECT_NE(page.find("results run &lt;1&gt;.json"), std::string::npos);
  // Traffic, errors, latency of browse, CPU, queue length, replicas.
  EXPECT_EQ(count(page, "<svg class=\"chart\""), 6u);
  EXPECT_EQ(count(page, "<rect class=\"plot\""), 6u);
  for (const char* title :
       {"Traffic: requests finished per second", "Errors: failed requests", "Latency of browse",
        "Saturation: CPU utilisation", "Saturation: requests waiting", "Replicas: ready"}) {
    EXPECT_NE(page.find(title), std::string::npos) << title;
  }
  EXPECT_NE(page.find(">api desired</text>"), std::string::npos);
  EXPECT_NE(page.find(">warm-up</text>"), std::string::npos);
  // Tables: SLO checks, one per workload and service, scale events, events.
  EXPECT_EQ(count(page, "<table>"), 5u);
  EXPECT_NE(page.find("<caption>Workload browse</caption>"), std::string::npos);
  EXPECT_NE(page.find("<caption>Service api</caption>"), std::string::npos);
  EXPECT_NE(page.find("<td>latency_ms.p50</td><td>ms</td><td class=\"num\">10</td><td "
                      "class=\"num\">[9, 11]</td>"),
            std::string::npos);
  EXPECT_NE(page.find("<td>error_rate</td><td>%</td><td class=\"num\">1</td><td "
                      "class=\"num\">[0.5, 1.5]</td>"),
            std::string::npos);
  EXPECT_NE(page.find("<td class=\"num\">undefined</td>"), std::string::npos);
  EXPECT_NE(page.find("<span class=\"badge bad\">not met</span>"), std::string::npos);
  EXPECT_NE(page.find("<li>replication 0: &lt;b&gt;bold&lt;/b&gt;</li>"), std::string::npos);
  EXPECT_EQ(page.find("<b>bold"), std::string::npos);
  for (const char* outside : {"http:", "https:", "<script", "<link", "src=", "@import"}) {
    EXPECT_EQ(page.find(outside), std::string::npos) << outside;
  }
}

TEST(SweepReport, OneLinePerValueOfTheSecondParameter) {
  const std::string page = build_report(kSweepCsv, {"sweep.csv"});
  // p50 latency (with bands) and CPU, each with a line for api_replicas=3 and =4.
  EXPECT_EQ(count(page, "<svg class=\"chart\""), 2u);
  EXPECT_NE(page.find(">p50, api_replicas=3</text>"), std::string::npos);
  EXPECT_NE(page.find(">p50, api_replicas=4</text>"), std::string::npos);
  EXPECT_NE(page.find(">api_replicas=4</text>"), std::string::npos);
  EXPECT_EQ(count(page, "<polygon class=\"band\""), 3u);  // replicas=4's p50 has one defined point
  EXPECT_NE(page.find(">rate</text>"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"num\">9.1 [8.9, 9.3]</td>"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"num\">undefined</td>"), std::string::npos);
  EXPECT_EQ(count(page, "<table>"), 1u);
}

TEST(SweepReport, NamesOnTheAxisAndParametersThatMoveTogether) {
  // A policy name as the first parameter: a categorical axis. Two parameters zipped (each
  // policy with its own replica count): one line, not one line per point.
  const std::string page = build_report(
      "policy,replicas,workloads.w.latency_ms.p99.mean,workloads.w.latency_ms.p99.ci_lo,"
      "workloads.w.latency_ms.p99.ci_hi\n"
      "round_robin,3,40,38,42\nrandom,4,60,55,65\n<least>,5,30,29,31\n",
      {});
  EXPECT_EQ(count(page, "<svg class=\"chart\""), 1u);
  EXPECT_EQ(count(page, "<polyline class=\"series\""), 1u);
  EXPECT_NE(page.find(">round_robin</text>"), std::string::npos);
  EXPECT_NE(page.find(">&lt;least&gt;</text>"), std::string::npos);
  EXPECT_NE(page.find("Latency of w: p99 vs policy"), std::string::npos);
  EXPECT_EQ(page.find("<least>"), std::string::npos);
}

TEST(CompareReport, VariantsDifferencesAndVerdicts) {
  const std::string page = build_report(kCompare, {"compare.json"});
  // Per metric: the variants and the differences.
  EXPECT_EQ(count(page, "<svg class=\"chart\""), 4u);
  EXPECT_EQ(count(page, "<rect class=\"bar\""), 4u);
  EXPECT_NE(page.find(">rr (baseline)</text>"), std::string::npos);
  EXPECT_NE(page.find(">better</text>"), std::string::npos);
  EXPECT_NE(page.find(">n.s.</text>"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"good\">better</td>"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"num\">-13.7</td><td class=\"num\">[-14.2, -13.2]</td><td "
                      "class=\"num\">-28.1%</td>"),
            std::string::npos);
  EXPECT_NE(page.find("90% interval"), std::string::npos);
  EXPECT_NE(page.find("<li>lo: saturated &lt;x&gt;</li>"), std::string::npos);
  EXPECT_EQ(count(page, "<table>"), 2u);
}

}  // namespace
}  // namespace capsim::report
