// capsim fit end to end: the table and the chosen `work` snippet, which a model accepts; bad
// input exit 2 with its place.

#include <cmath>
#include <string>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

TEST(FitCommand, PrometheusHistogramSnippetIsAValidWork) {
  Sandbox box;
  // Cumulative counts of a lognormal with median 120 ms, sigma 0.7 (100000 observations).
  write_text(box.work() / "latency.prom",
             "# TYPE http_server_duration_seconds histogram\n"
             "http_server_duration_seconds_bucket{le=\"0.025\"} 1252\n"
             "http_server_duration_seconds_bucket{le=\"0.05\"} 10553\n"
             "http_server_duration_seconds_bucket{le=\"0.1\"} 39725\n"
             "http_server_duration_seconds_bucket{le=\"0.25\"} 85280\n"
             "http_server_duration_seconds_bucket{le=\"0.5\"} 97926\n"
             "http_server_duration_seconds_bucket{le=\"1\"} 99877\n"
             "http_server_duration_seconds_bucket{le=\"+Inf\"} 100000\n");
  const RunResult r = box.run({"fit", "latency.prom"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("chosen: lognormal (lowest AIC)"), std::string::npos) << r;
  const auto at = r.out.find("\"work\": ");
  ASSERT_NE(at, std::string::npos) << r;
  const Json work = Json::parse(r.out.substr(at + 8));
  EXPECT_NEAR(work["mu"].get<double>(), std::log(0.12), 0.01) << r;
  EXPECT_NEAR(work["sigma"].get<double>(), 0.7, 0.01) << r;
  // The snippet is a model's `work`.
  Json model = Json::parse(R"({"workloads":[{"name":"w","target":"api","rate":5}],
      "services":{"api":{"replicas":2,"steps":[{"work":null}]}}})");
  model["services"]["api"]["steps"][0]["work"] = work;
  write_text(box.work() / "m.json", model.dump());
  const RunResult v = box.run({"validate", "m.json"});
  EXPECT_EQ(v.status, 0) << v;
}

TEST(FitCommand, AHistogramNamedInMillisecondsReadAsSecondsIsNoted) {
  Sandbox box;
  // Bounds in milliseconds (the name says so) read as seconds: a median of 10.7 s, silently.
  const std::string prom =
      "req_duration_milliseconds_bucket{le=\"5\"} 10\n"
      "req_duration_milliseconds_bucket{le=\"10\"} 45\n"
      "req_duration_milliseconds_bucket{le=\"25\"} 90\n"
      "req_duration_milliseconds_bucket{le=\"100\"} 99\n"
      "req_duration_milliseconds_bucket{le=\"+Inf\"} 100\n";
  write_text(box.work() / "ms.prom", prom);
  const RunResult r = box.run({"fit", "ms.prom"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("note: req_duration_milliseconds is named in milliseconds, but its "
                       "numbers were read as seconds: give --unit ms"),
            std::string::npos)
      << r;
  const RunResult ms = box.run({"fit", "ms.prom", "--unit", "ms"});
  ASSERT_EQ(ms.status, 0) << ms;
  EXPECT_EQ(ms.out.find("note: req_duration"), std::string::npos) << ms;
  // Samples in milliseconds written as seconds: a 40 s median is noted.
  std::string csv;
  for (int i = 0; i < 50; ++i) csv += std::to_string(30 + i % 20) + "\n";
  write_text(box.work() / "ms.csv", csv);
  const RunResult c = box.run({"fit", "ms.csv"});
  ASSERT_EQ(c.status, 0) << c;
  EXPECT_NE(c.out.find("s is long for one request's service time: if the numbers are "
                       "milliseconds, give --unit ms"),
            std::string::npos)
      << c;
  // A k6 summary is milliseconds whatever --unit says: a trend named ..._ms, with a median of
  // 12 s, gets no advice that would change nothing.
  write_text(box.work() / "k6.json", R"js({"metrics": {"db_query_ms": {"avg": 15000, "med": 12000,
      "p(90)": 30000, "p(95)": 40000, "p(99)": 70000, "max": 90000, "min": 1000}}})js");
  const RunResult k = box.run({"fit", "k6.json", "--metric", "db_query_ms"});
  ASSERT_EQ(k.status, 0) << k;
  EXPECT_EQ(k.out.find("--unit"), std::string::npos) << k;
}

TEST(FitCommand, DecreasingCountsExit2NamingLineAndColumn) {
  Sandbox box;
  write_text(box.work() / "bad.prom", "h_bucket{le=\"0.1\"} 10\nh_bucket{le=\"+Inf\"} 9\n");
  const RunResult r = box.run({"fit", "bad.prom"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_EQ(r.err,
            "capsim: bad.prom: line 2, column 21: expected cumulative counts that never "
            "decrease, found 9 after 10\n");
  EXPECT_TRUE(r.out.empty()) << r;
}

TEST(FitCommand, TruncatedK6SummaryExit2) {
  Sandbox box;
  write_text(box.work() / "summary.json", "{\"metrics\": {\"http_req_duration\": {\"med\": 12.5,");
  const RunResult r = box.run({"fit", "summary.json"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_NE(r.err.find("summary.json: invalid JSON at line 1, column"), std::string::npos) << r;
}

}  // namespace
}  // namespace capsim::cli_test
