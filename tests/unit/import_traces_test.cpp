// capsim import traces: the round trip (traces exported from a known model, imported, give its
// call graph, rates and latencies back), Jaeger JSON read as the Jaeger UI exports it, and
// spans whose parent is missing refused with their pointer.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "capsim/import/traces.hpp"
#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "capsim/net/network.hpp"
#include "capsim/net/traces.hpp"

namespace capsim::import {
namespace {

double metric(const stats::Summary& s, const std::string& name) {
  for (const stats::Metric& m : s.metrics) {
    if (m.dotted() == name) return m.value;
  }
  ADD_FAILURE() << "no metric " << name;
  return 0;
}

const char* kKnown = R"({
  "simulation": { "duration": "1000s", "warmup": "0s", "seed": 11 },
  "workloads": [ { "name": "browse", "target": "api", "rate": 5 } ],
  "services": {
    "api": { "steps": [ { "work": { "dist": "exponential", "mean": "10ms" } },
             { "call": "db", "count": 2 },
             { "parallel": [ { "call": "search" }, { "call": "profile" } ] } ] },
    "db": { "steps": [ { "work": { "dist": "lognormal", "p50": "4ms", "p99": "20ms" } } ] },
    "search": { "steps": [ { "work": { "dist": "exponential", "mean": "3ms" } } ] },
    "profile": { "steps": [ { "work": { "dist": "exponential", "mean": "7ms" } } ] } } })";

TEST(ImportTraces, RoundTripGivesTheCallGraphRatesAndLatenciesBack) {
  const model::Spec known = model::load(Json::parse(kKnown), ".");
  net::TraceRecorder recorder(1'000'000, 0.0);
  net::ReplicationOptions options;
  options.traces = &recorder;
  const stats::Summary original = net::simulate(known, options);
  const Json otlp = recorder.otlp(known);

  const Fragment f = import_traces(read_trace_spans(Json::parse(otlp.dump())));
  const Json& m = f.model;
  ASSERT_EQ(m["workloads"].size(), 1u);
  EXPECT_EQ(m["workloads"][0]["target"], "api");
  EXPECT_NEAR(m["workloads"][0]["rate"].get<double>(), 5.0, 0.2);  // ~5,000 arrivals
  const Json& api = m["services"]["api"]["endpoints"]["default"]["steps"];
  ASSERT_EQ(api.size(), 3u) << api.dump();
  EXPECT_TRUE(api[0].contains("work"));
  EXPECT_EQ(api[1], Json::parse(R"({"call": "db", "endpoint": "default", "count": 2})"));
  EXPECT_EQ(api[2], Json::parse(R"({"parallel": [{"call": "profile", "endpoint": "default"},
                                                  {"call": "search", "endpoint": "default"}]})"));
  EXPECT_EQ(m["services"].size(), 4u);

  // The imported model, run with another seed, has the original's latencies.
  Json imported = m;
  imported["simulation"] = Json::parse(R"({"duration": "1000s", "warmup": "0s", "seed": 12})");
  const stats::Summary again = net::simulate(model::load(imported, "."), net::ReplicationOptions{});
  // Two runs of ~5,000 requests each: the means differ by well under 1 % from noise, the p99s
  // by a few per cent; the fits add their own error.
  for (const auto& [p, tolerance] :
       {std::pair<const char*, double>{"mean", 0.05}, {"p50", 0.05}, {"p99", 0.10}}) {
    const double a = metric(original, std::string("workloads.browse.latency_ms.") + p);
    const double b = metric(again, std::string("workloads.api_default.latency_ms.") + p);
    EXPECT_NEAR(b, a, tolerance * a) << p;
  }
  const double db_a = metric(original, "services.db.latency_ms.mean");
  const double db_b = metric(again, "services.db.latency_ms.mean");
  EXPECT_NEAR(db_b, db_a, 0.05 * db_a);
}

// As the Jaeger UI's "Download JSON" (and /api/traces) writes it: microseconds, processes.
const char* kJaeger = R"({"data": [
  {"traceID": "t1", "spans": [
     {"traceID": "t1", "spanID": "a", "operationName": "GET /cart", "references": [],
      "startTime": 1000000, "duration": 30000, "processID": "p1", "tags": []},
     {"traceID": "t1", "spanID": "b", "operationName": "SELECT",
      "references": [{"refType": "CHILD_OF", "traceID": "t1", "spanID": "a"}],
      "startTime": 1005000, "duration": 10000, "processID": "p2", "tags": []}],
   "processes": {"p1": {"serviceName": "cart"}, "p2": {"serviceName": "postgres"}}},
  {"traceID": "t2", "spans": [
     {"traceID": "t2", "spanID": "c", "operationName": "GET /cart", "references": [],
      "startTime": 3000000, "duration": 20000, "processID": "p1", "tags": []}],
   "processes": {"p1": {"serviceName": "cart"}}}]})";

TEST(ImportTraces, JaegerJson) {
  const std::vector<TraceSpan> spans = read_trace_spans(Json::parse(kJaeger));
  ASSERT_EQ(spans.size(), 3u);
  // Times count from the file's earliest start (1 s after the epoch here).
  EXPECT_DOUBLE_EQ(spans[0].start_s, 0.0);
  EXPECT_DOUBLE_EQ(spans[1].start_s, 0.005);
  EXPECT_DOUBLE_EQ(spans[1].end_s, 0.015);
  const Fragment f = import_traces(spans);
  const Json& cart = f.model["services"]["cart"]["endpoints"]["GET__cart"]["steps"];
  // Self time: 30 - 10 ms and 20 ms (two samples: an exponential with their mean, 20 ms).
  EXPECT_EQ(cart[0]["work"], Json::parse(R"({"dist": "exponential", "mean": "0.02s"})"));
  EXPECT_EQ(cart[1],
            Json::parse(R"({"call": "postgres", "endpoint": "SELECT", "probability": 0.5})"));
  EXPECT_EQ(f.model["workloads"][0]["rate"], 0.5);  // 2 arrivals 2 s apart
}

TEST(ImportTraces, OtlpNanosecondsKeepTheirResolutionAtTodaysEpoch) {
  // 2023-11-14 (1.7e18 ns): a double holds such a time to 256 ns. A span of 1,234 ns read as
  // two doubles and subtracted came out as 1,280 or 1,024 ns.
  const Json doc = Json::parse(R"({"resourceSpans": [{"scopeSpans": [{"spans": [
    {"traceId": "t", "spanId": "a", "name": "GET /", "kind": 2,
     "startTimeUnixNano": "1700000000000000001", "endTimeUnixNano": "1700000000000001235"},
    {"traceId": "t", "spanId": "b", "parentSpanId": "a", "name": "q", "kind": 3,
     "startTimeUnixNano": "1700000000000000101", "endTimeUnixNano": "1700000000000000102"}
  ]}]}]})");
  const std::vector<TraceSpan> spans = read_trace_spans(doc);
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].start_s, 0.0);
  EXPECT_DOUBLE_EQ(spans[0].end_s, 1234e-9);
  EXPECT_DOUBLE_EQ(spans[1].start_s, 100e-9);
  EXPECT_DOUBLE_EQ(spans[1].end_s, 101e-9);
}

TEST(ImportTraces, MissingParentsAndOtherFormatsAreRefused) {
  Json bad = Json::parse(kJaeger);
  bad["data"][0]["spans"][1]["references"][0]["spanID"] = "zz";
  try {
    read_trace_spans(bad);
    FAIL() << "accepted";
  } catch (const model::ModelError& e) {
    EXPECT_EQ(std::string(e.what()),
              "/data/0/spans/1: expected the parent span zz in trace t1, found none (a truncated "
              "export?)");
  }
  EXPECT_THROW(read_trace_spans(Json::parse(R"({"spans": []})")), model::ModelError);
  // Wrong types where strings belong are read as absent, not a crash.
  Json odd = Json::parse(kJaeger);
  odd["data"][0]["spans"][1]["references"][0]["refType"] = 7;
  odd["data"][0]["processes"]["p2"]["serviceName"] = 3;
  const std::vector<TraceSpan> spans = read_trace_spans(odd);
  EXPECT_EQ(spans[1].parent, "");
  EXPECT_EQ(spans[1].service, "unknown");
  // A chain deeper than any real one is refused, not a stack overflow.
  Json deep = Json::parse(R"({"data": [{"traceID": "t", "spans": [],
                                         "processes": {"a": {"serviceName": "a"},
                                                       "b": {"serviceName": "b"}}}]})");
  for (int i = 0; i < 3000; ++i) {
    Json s = Json::parse(R"({"traceID": "t", "operationName": "op", "startTime": 1,
                             "duration": 1, "references": []})");
    s["spanID"] = std::to_string(i);
    s["processID"] = i % 2 == 0 ? "a" : "b";
    if (i > 0) {
      s["references"].push_back(
          Json{{"refType", "CHILD_OF"}, {"traceID", "t"}, {"spanID", std::to_string(i - 1)}});
    }
    deep["data"][0]["spans"].push_back(s);
  }
  EXPECT_THROW(import_traces(read_trace_spans(deep)), model::ModelError);
  // Parents that form a loop (a span its own parent, or two each other's) reach no root: refused
  // with the span's pointer (they gave an empty model and exit 0).
  Json loop = Json::parse(kJaeger);
  loop["data"][0]["spans"][0]["references"] =
      Json::parse(R"([{"refType": "CHILD_OF", "traceID": "t1", "spanID": "a"}])");
  loop["data"][0]["spans"][0]["spanID"] = "a";
  loop["data"][0]["spans"][1]["references"][0]["spanID"] = "a";
  try {
    import_traces(read_trace_spans(loop));
    FAIL() << "accepted";
  } catch (const model::ModelError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("/data/0/spans/0: expected a span whose chain of "
                                          "parents reaches a root span",
                                          0),
              0u)
        << e.what();
  }
}

TEST(ImportTraces, SelfTimeLeavesOutTheWholeCallAsTheCallerSawIt) {
  // web serves 20 ms; its CLIENT span to db runs 5-15 ms; db's server span 6-14 ms. web's own
  // time is 20 - 10 = 10 ms: the 2 ms between the client and server spans (network, db's accept
  // queue) is waiting, not web's work (it was counted as 12 ms).
  std::vector<TraceSpan> spans;
  for (int t = 0; t < 12; ++t) {
    const std::string trace = "t" + std::to_string(t);
    const double at = t * 1.0;
    spans.push_back({trace, "w", "", "web", "GET /x", false, at, at + 0.020, "/w", -1});
    spans.push_back({trace, "c", "w", "web", "db query", true, at + 0.005, at + 0.015, "/c", -1});
    spans.push_back({trace, "d", "c", "db", "SELECT", false, at + 0.006, at + 0.014, "/d", -1});
  }
  const Fragment f = import_traces(spans);
  const Json& work = f.model["services"]["web"]["endpoints"]["GET__x"]["steps"][0]["work"];
  // Every sample is 10 ms: a lognormal whose median is 10 ms.
  ASSERT_EQ(work["dist"], "lognormal") << work;
  EXPECT_NEAR(std::exp(work["mu"].get<double>()), 0.010, 1e-6);  // 12 ms before
}

TEST(ImportTraces, NamesThatBecomeTheSameModelNameStayApart) {
  // "cart/v1" and "cart v1" both read as cart_v1: the second is cart_v1_2, with a note (they
  // were merged into one service whose self time mixed 2 ms and 50 ms).
  std::vector<TraceSpan> spans;
  for (int t = 0; t < 12; ++t) {
    const double at = t * 1.0;
    spans.push_back(
        {"a" + std::to_string(t), "x", "", "cart/v1", "GET", false, at, at + 0.002, "/a", -1});
    spans.push_back(
        {"b" + std::to_string(t), "y", "", "cart v1", "GET", false, at, at + 0.050, "/b", -1});
  }
  const Fragment f = import_traces(spans);
  EXPECT_TRUE(f.model["services"].contains("cart_v1"));
  EXPECT_TRUE(f.model["services"].contains("cart_v1_2"));
  EXPECT_EQ(f.warnings.front(), "named \"cart v1\" cart_v1_2 (\"cart/v1\" is cart_v1)");
}

}  // namespace
}  // namespace capsim::import
