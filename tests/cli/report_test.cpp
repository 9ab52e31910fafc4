// capsim report end to end: each kind of input (a run's results, a sweep as CSV and as JSON, a
// comparison) gives one self-contained HTML page with its tables and charts; bad input exits
// with status 2 and writes nothing.

#include <string>
#include <vector>

#include <regex>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

constexpr int kBadInput = 2;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Short settings for the experiments shipped in experiments/.
std::vector<std::string> quick_experiment(const std::string& kind, const std::string& file,
                                          const std::string& output) {
  return {kind,
          (source_dir() / "experiments" / file).string(),
          "-o",
          output,
          "--duration",
          "20s",
          "--set",
          "/simulation/warmup=5s",
          "--replications",
          "2",
          "--threads",
          "2",
          "-q"};
}

/// The page is one file with nothing from elsewhere: no script, stylesheet link, image, frame
/// or address.
void expect_self_contained(const std::string& page) {
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_TRUE(contains(page, "</html>\n"));
  for (const char* outside : {"http:", "https:", "//www", "<script", "<link", "<img", "<iframe",
                              "src=", "href=", "@import"}) {
    EXPECT_FALSE(contains(page, outside)) << outside;
  }
  EXPECT_EQ(count(page, "<svg"), count(page, "</svg>"));
  EXPECT_EQ(count(page, "<table>"), count(page, "</table>"));
  EXPECT_EQ(count(page, "<svg class=\"chart\""), count(page, "<rect class=\"plot\""));
}

TEST(ReportCommand, ResultsGiveGoldenSignalsAndSummaryTables) {
  Sandbox box;
  // The HPA model over its ramp: the autoscaler acts, so the replicas chart is drawn too.
  ASSERT_EQ(box.run({"run", example_model("morning-ramp-hpa-cpu.json").string(), "--duration",
                     "16m", "--replications", "2", "--threads", "2", "-q", "-o", "results.json"})
                .status,
            0);
  const RunResult r = box.run({"report", "results.json", "-o", "report.html"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_EQ(r.out, "report of results.json (results, 5 charts) written to report.html\n") << r;
  EXPECT_EQ(box.entries(), (std::vector<std::string>{"report.html", "results.json"}));
  const std::string page = read_text(box / "report.html");
  expect_self_contained(page);
  EXPECT_TRUE(contains(page, "<title>capsim report: morning-ramp-hpa-cpu</title>"));
  EXPECT_EQ(count(page, "<svg class=\"chart\""), 5u);
  for (const char* title : {"Traffic: requests finished per second, by workload",
                            "Errors: failed requests, % of those finished, by workload",
                            "Latency of shoppers: p50, p95 and p99 of successful requests",
                            "Saturation: CPU utilisation, by service",
                            "Replicas: ready (solid) and desired by the autoscaler (dashed)"}) {
    EXPECT_TRUE(contains(page, std::string("-title\">") + title + "</title>")) << title;
  }
  EXPECT_TRUE(contains(page, ">api desired</text>"));
  EXPECT_TRUE(contains(page, ">time (s)</text>"));
  EXPECT_TRUE(contains(page, ">SLO p99 200 ms</text>"));
  for (const char* caption : {"SLO checks", "Workload shoppers", "Service api", "Service db",
                              "Scale events (replication 0)"}) {
    EXPECT_TRUE(contains(page, std::string("<caption>") + caption + "</caption>")) << caption;
  }
  EXPECT_TRUE(contains(page, "<th>95% interval</th>"));
  EXPECT_TRUE(contains(page, "<td>latency_ms.p99</td><td>ms</td>"));
  // Quiet, and the same page again (byte for byte) over the old one.
  const RunResult again = box.run({"report", "results.json", "-o", "report.html", "-q"});
  ASSERT_EQ(again.status, 0) << again;
  EXPECT_EQ(again.out, "");
  EXPECT_EQ(read_text(box / "report.html"), page);
}

TEST(ReportCommand, WindowsWithFewSuccessfulRequestsAreUncertain) {
  // 10 s windows: 100/s (1000 successes), 1/s (10: too few for p95 and p99), 5/s (50: too few
  // for p99). Hand count: three open circles, none for p50.
  Sandbox box;
  write_text(box / "r.json", R"({ "model": "m", "workloads": { "w": {} }, "services": {},
    "timeseries": { "window_seconds": 10,
      "columns": ["t", "workload", "service", "rps", "error_rate", "p50_ms", "p95_ms", "p99_ms"],
      "rows": [ [0, "w", "", 100, 0, 10, 20, 30], [10, "w", "", 1, 0, 10, 20, 300],
                [20, "w", "", 5, 0, 10, 20, 90], [30, "w", "", 100, 0, 10, 20, 30] ] } })");
  const RunResult r = box.run({"report", "r.json", "-o", "r.html", "-q"});
  ASSERT_EQ(r.status, 0) << r;
  const std::string page = read_text(box / "r.html");
  EXPECT_EQ(count(page, "<circle class=\"uncertain\""), 3u);
  EXPECT_TRUE(contains(page, ">uncertain: few successful requests in the window</text>"));
  EXPECT_TRUE(contains(page, "Open circles: windows with too few successful requests"));
  // The y axis covers the 300 ms of the uncertain window.
  EXPECT_TRUE(contains(page, ">300</text>"));
}

TEST(ReportCommand, SweepCsvAndJsonGiveTheSameCurves) {
  Sandbox box;
  for (const char* out : {"sweep.csv", "sweep.json"}) {
    const RunResult r = box.run(quick_experiment("sweep", "web-peak-latency-vs-load.json", out));
    ASSERT_EQ(r.status, 0) << r;
  }
  for (const char* in : {"sweep.csv", "sweep.json"}) {
    const RunResult r = box.run({"report", in, "-o", std::string(in) + ".html"});
    ASSERT_EQ(r.status, 0) << r;
    EXPECT_TRUE(contains(r.out, "sweep (")) << r;
    const std::string page = read_text(box / (std::string(in) + ".html"));
    expect_self_contained(page);
    // p50 and p99 together (one line each per api_replicas value, with bands), then the error
    // rate and both CPU utilisations.
    EXPECT_EQ(count(page, "<svg class=\"chart\""), 4u) << in;
    EXPECT_TRUE(contains(page, "Latency of browse: p50 and p99 vs rate</title>")) << in;
    for (const char* legend : {">p50, api_replicas=3</text>", ">p99, api_replicas=3</text>",
                               ">p50, api_replicas=4</text>", ">p99, api_replicas=4</text>"}) {
      EXPECT_TRUE(contains(page, legend)) << in << legend;
    }
    EXPECT_GE(count(page, "<polygon class=\"band\""), 4u) << in;
    EXPECT_EQ(count(page, "<polyline class=\"series\""), 10u) << in;  // 4 + 3 x 2
    EXPECT_TRUE(contains(page, ">rate</text>")) << in;
    EXPECT_TRUE(contains(page, "<h2>Points</h2>")) << in;
    EXPECT_EQ(count(page, "<tr><td class=\"num\">"), 22u) << in;  // 11 rates x 2 replica counts
  }
  // The JSON has the experiment's header and the SLO's limits, drawn on the latency and error
  // charts; the CSV has only its columns.
  const std::string json_page = read_text(box / "sweep.json.html");
  EXPECT_EQ(count(json_page, ">SLO p99 200 ms</text>"), 1u);
  EXPECT_EQ(count(json_page, ">SLO 0.1%</text>"), 1u);
  const std::string csv_page = read_text(box / "sweep.csv.html");
  EXPECT_EQ(count(csv_page, ">SLO p99"), 0u);
  EXPECT_EQ(count(csv_page, ">SLO 0.1%"), 0u);
  for (const char* page : {"sweep.json.html", "sweep.csv.html"}) {
    const std::string text = read_text(box / page);
    // The verdict right after the parameters, before the metrics (no scrolling to see it).
    EXPECT_TRUE(contains(text, "<th>rate</th><th>api_replicas</th><th>SLO met</th><th>")) << page;
    EXPECT_TRUE(contains(text, "<td class=\"num\">3</td><td class=\"good\">yes</td>")) << page;
    // Variant colours are never the verdicts' green and red.
    EXPECT_FALSE(contains(text, "stroke=\"#2ca02c\"")) << page;
    EXPECT_FALSE(contains(text, "stroke=\"#d62728\"")) << page;
  }
  EXPECT_TRUE(contains(json_page, "<title>capsim report: sweep web-peak-latency-vs-load</title>"));
  EXPECT_TRUE(contains(json_page, "seed 42"));
  EXPECT_TRUE(contains(read_text(box / "sweep.csv.html"), "<title>capsim report: sweep</title>"));
}

TEST(ReportCommand, ASweepCsvWithAQuotedLineEndInItsHeaderAndATinyNumberIsRead) {
  Sandbox box;
  // A parameter named with a comma, a quote and a line end, written quoted by capsim sweep: the
  // header was cut at the line end ("a quoted field is not closed"). 5e-320 (a subnormal, strtod's
  // ERANGE) was refused as "expected a number".
  write_text(box / "s.csv",
             "\"a,b\"\"c\nd\",m.mean,m.ci_lo,m.ci_hi\n1,5e-320,0,1e-300\n2,2,1.5,2.5\n");
  const RunResult r = box.run({"report", "s.csv", "-o", "s.html"});
  EXPECT_EQ(r.status, 0) << r;
  EXPECT_TRUE(contains(r.out, "sweep (CSV)")) << r;
}

TEST(ReportCommand, CompareGivesVariantsDifferencesAndVerdicts) {
  Sandbox box;
  ASSERT_EQ(
      box.run(quick_experiment("compare", "web-peak-lb-policies.json", "compare.json")).status, 0);
  const RunResult r = box.run({"report", "compare.json", "-o", "compare.html"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_EQ(r.out, "report of compare.json (compare, 12 charts) written to compare.html\n");
  const std::string page = read_text(box / "compare.html");
  expect_self_contained(page);
  // Six metrics: each variant's interval, and the differences from the baseline.
  EXPECT_EQ(count(page, "<svg class=\"chart\""), 12u);
  EXPECT_EQ(count(page, "<title id=\"chart-1-title\">Each variant</title>"), 1u);
  EXPECT_EQ(count(page, "-title\">Difference from round-robin</title>"), 6u);
  EXPECT_EQ(count(page, "<rect class=\"bar\""), 6u * 4u);
  EXPECT_EQ(count(page, ">round-robin (baseline)</text>"), 6u);
  EXPECT_TRUE(contains(page, "<h2>Verdicts</h2>"));
  EXPECT_TRUE(
      contains(page, "<caption>Differences from round-robin, paired by replication</caption>"));
  EXPECT_EQ(count(page, "<tr><td>random</td><td>"), 6u);  // one verdict per metric
  EXPECT_TRUE(contains(page, "<caption>Variants: mean [95% confidence interval]</caption>"));
  EXPECT_TRUE(contains(page, "<thead><tr><th>variant</th><th>SLO met</th><th>"));
  // The bars (variants) are never the green and red of the verdicts.
  for (const char* verdict : {"#2ca02c", "#d62728"}) {
    EXPECT_FALSE(contains(page, std::string("height=\"16\" fill=\"") + verdict)) << verdict;
  }
}

TEST(ReportCommand, SizeGivesTheCheapestConfigurationAndEachSetting) {
  Sandbox box;
  ASSERT_EQ(
      box.run({"size", (source_dir() / "experiments" / "two-tiers-size-cheapest.json").string(),
               "-o", "size.json", "--threads", "2", "-q"})
          .status,
      0);
  const RunResult r = box.run({"report", "size.json", "-o", "size.html"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_EQ(r.out, "report of size.json (size, 3 charts) written to size.html\n");
  const std::string page = read_text(box / "size.html");
  expect_self_contained(page);
  EXPECT_TRUE(contains(page, "<title>capsim report: size two-tiers-size-cheapest</title>"));
  EXPECT_TRUE(contains(page, "SLO at the peak, browse 500/s: latency mean \xE2\x89\xA4 21 ms"));
  // The hand calculation's answer (docs/experiments.md): 2 replicas and 4 connections, cost 10.
  EXPECT_TRUE(contains(page,
                       "<h2>Cheapest configuration meeting the SLO</h2>\n<p class=\"meta\">"
                       "api = 2, /services/db/connections = 4; cost 10 "));
  EXPECT_TRUE(contains(page,
                       "<tr><td>cheapest</td><td class=\"good\">met</td><td class=\"num\">2"
                       "</td><td class=\"num\">4</td><td class=\"num\">10</td>"));
  EXPECT_TRUE(contains(page, "<tr><td>cheaper</td><td class=\"bad\">not met</td>"));
  // The map of the configurations run, with the answer's cost line; each setting's minimum
  // against the SLO line.
  EXPECT_TRUE(
      contains(page, "-title\">Configurations run: api and /services/db/connections</title>"));
  EXPECT_TRUE(contains(page, ">cost 10</text>"));
  EXPECT_EQ(count(page, ">SLO mean 21 ms</text>"), 2u);
  EXPECT_TRUE(contains(page, "<caption>Every configuration run, in the order decided</caption>"));
  EXPECT_TRUE(contains(page, "<h2>Each setting's minimum</h2>"));
  EXPECT_EQ(count(page, "<caption>Decisions, in order</caption>"), 2u);
  // Replicas, connections and the decisions' order are whole numbers: no tick between them.
  EXPECT_FALSE(
      std::regex_search(page, std::regex(R"(text-anchor="middle">-?[0-9]+\.[0-9]+</text>)")));
}

// Every example model's results make a page with the golden signals and a table per workload
// and per service.
class ReportOfExampleModel : public ::testing::TestWithParam<std::string> {};

TEST_P(ReportOfExampleModel, HasTheGoldenSignalsAndEveryTable) {
  Sandbox box;
  const fs::path model = example_model(GetParam());
  const RunResult run = box.run(quick_run_model(model, {"-q", "-o", "results.json"}));
  ASSERT_EQ(run.status, 0) << run;
  const RunResult r = box.run({"report", "results.json", "-o", "report.html", "-q"});
  ASSERT_EQ(r.status, 0) << r;
  const std::string page = read_text(box / "report.html");
  expect_self_contained(page);
  // Traffic, errors, latency and saturation at least.
  EXPECT_GE(count(page, "<svg class=\"chart\""), 4u);
  EXPECT_TRUE(contains(page, "Traffic: requests finished per second"));
  EXPECT_TRUE(contains(page, "Saturation: CPU utilisation"));
  const Json m = read_json(model);
  for (const std::string& w : workload_names(m)) {
    EXPECT_TRUE(contains(page, "<caption>Workload " + w + "</caption>")) << w;
  }
  for (const std::string& s : service_names(m)) {
    EXPECT_TRUE(contains(page, "<caption>Service " + s + "</caption>")) << s;
  }
}

INSTANTIATE_TEST_SUITE_P(Models, ReportOfExampleModel, ::testing::ValuesIn(example_models()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return test_name_of(info.param);
                         });

/// `capsim report ARGS...` in a sandbox holding `files`; checks status 2, the message and that
/// nothing was written.
void expect_refused(const std::vector<std::pair<std::string, std::string>>& files,
                    const std::vector<std::string>& args, const std::string& message) {
  Sandbox box;
  std::vector<std::string> before;
  for (const auto& [name, text] : files) {
    write_text(box / name, text);
    before.push_back(name);
  }
  std::sort(before.begin(), before.end());
  std::vector<std::string> all{"report"};
  all.insert(all.end(), args.begin(), args.end());
  const RunResult r = box.run(all);
  EXPECT_EQ(r.status, kBadInput) << r;
  EXPECT_EQ(r.out, "") << r;
  EXPECT_EQ(r.err, message) << r;
  EXPECT_EQ(box.entries(), before) << "files written on bad input" << r;
}

TEST(ReportCommand, BadInputExitsTwoAndWritesNothing) {
  const std::string expected =
      "expected the output of capsim run -o (results JSON), capsim sweep -o (CSV or JSON), "
      "capsim compare -o (JSON) or capsim size -o (JSON)";
  expect_refused({}, {"missing.json", "-o", "r.html"},
                 "capsim: cannot read 'missing.json': No such file or directory\n");
  expect_refused({{"empty.json", ""}}, {"empty.json", "-o", "r.html"},
                 "capsim: empty.json: the file is empty; " + expected + "\n");
  expect_refused({{"model.json", read_text(example_model("web-peak.json"))}},
                 {"model.json", "-o", "r.html"},
                 "capsim: model.json: this is a model, not results: run capsim run MODEL -o "
                 "results.json and make the report of results.json\n");
  expect_refused(
      {{"exp.json", read_text(source_dir() / "experiments" / "web-peak-lb-policies.json")}},
      {"exp.json", "-o", "r.html"},
      "capsim: exp.json: this is a compare experiment, not its output: run capsim "
      "compare EXPERIMENT -o compare.json and make the report of that\n");
  expect_refused({{"summary.csv", "name,mean,ci_lo,ci_hi\nworkloads.w.error_rate,0,0,0\n"}},
                 {"summary.csv", "-o", "r.html"},
                 "capsim: summary.csv: this is capsim run's summary.csv; make the report of the "
                 "results JSON instead (capsim run MODEL -o results.json)\n");
  expect_refused({{"cut.json", "{ \"workloads\": { \"w\": {"}}, {"cut.json", "-o", "r.html"},
                 "capsim: cut.json: invalid JSON at line 1, column 24: syntax error while "
                 "parsing object key - unexpected end of input; expected string literal\n");
  expect_refused(
      {{"r.json", R"({ "workloads": { "w": { "error_rate": { "mean": "0", "ci": null } } },
                                  "services": {} })"}},
      {"r.json", "-o", "r.html"},
      "capsim: r.json: /workloads/w/error_rate/mean: expected a number, found \"0\" (r.json: "
      "line 1, column 49)\n");
  expect_refused({{"s.csv", "rate,m.mean,m.ci_lo,m.ci_hi\n100,1,0.5\n"}}, {"s.csv", "-o", "r.html"},
                 "capsim: s.csv: line 2: expected 4 fields, found 3\n");
  expect_refused(
      {{"size.json", read_text(source_dir() / "experiments" / "two-tiers-size-cheapest.json")}},
      {"size.json", "-o", "r.html"},
      "capsim: size.json: this is a size experiment, not its output: run capsim size EXPERIMENT "
      "-o size.json and make the report of that\n");
  expect_refused(
      {{"size.json", R"({ "kind": "size", "services": { "api": { "replicas": "3" } } })"}},
      {"size.json", "-o", "r.html"},
      "capsim: size.json: /services/api/replicas: expected a number, found \"3\" (size.json: "
      "line 1, column 54)\n");
  // The limits of every JSON input: nesting (it overflowed the stack: exit 139), duplicate keys
  // (the last one won), and what is not a regular file (/dev/zero read until memory ran out).
  std::string deep = "{\"services\": {}, \"workloads\": {\"a\": ";
  for (int i = 0; i < 30000; ++i) deep += "{\"\": ";
  deep += "1";
  deep += std::string(30000, '}') + "}}";
  expect_refused({{"deep.json", deep}}, {"deep.json", "-o", "r.html"},
                 "capsim: deep.json: invalid JSON at line 1, column 1307: expected at most 256 "
                 "levels of nested arrays and objects, found more\n");
  expect_refused({{"dup.json", R"({"kind": "sweep", "kind": "compare", "points": []})"}},
                 {"dup.json", "-o", "r.html"},
                 "capsim: dup.json: /kind: duplicate key; expected each key once in an object "
                 "(line 1, column 19)\n");
  expect_refused({}, {"/dev/zero", "-o", "r.html"},
                 "capsim: cannot read '/dev/zero': expected a regular file, found a character "
                 "device\n");
  // The output must be another file than the input.
  expect_refused({{"s.csv", "rate,m.mean,m.ci_lo,m.ci_hi\n100,1,0.5,1.5\n"}},
                 {"s.csv", "-o", "./s.csv"},
                 "capsim: -o ./s.csv: expected another file than the input\n");
}

TEST(ReportCommand, OptionsAreRequired) {
  Sandbox box;
  write_text(box / "s.csv", "rate,m.mean,m.ci_lo,m.ci_hi\n100,1,0.5,1.5\n");
  const RunResult no_output = box.run({"report", "s.csv"});
  EXPECT_EQ(no_output.status, kBadInput) << no_output;
  EXPECT_TRUE(contains(no_output.err, "--output is required")) << no_output;
  const RunResult nothing = box.run({"report"});
  EXPECT_EQ(nothing.status, kBadInput) << nothing;
  EXPECT_EQ(box.entries(), std::vector<std::string>{"s.csv"});
}

TEST(ReportCommand, UnwritableOutputFailsWithoutLeavingFiles) {
  Sandbox box;
  write_text(box / "s.csv", "rate,m.mean,m.ci_lo,m.ci_hi\n100,1,0.5,1.5\n");
  const RunResult r = box.run({"report", "s.csv", "-o", "no/such/dir/r.html"});
  EXPECT_EQ(r.status, 2) << r;  // refused before anything is read (issue 15)
  EXPECT_TRUE(contains(r.err, "no/such/dir/r.html")) << r;
  EXPECT_EQ(box.entries(), std::vector<std::string>{"s.csv"});
}

}  // namespace
}  // namespace capsim::cli_test
