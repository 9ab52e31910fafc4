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

TEST(ImportTraces, CapsimsOwnTracesSayWhatIsNeitherCpuNorACallAndCountRequestsNotAttempts) {
  // 2 ms of CPU, then a 40 ms delay (no span of its own): the spans tell the delay from a wait
  // for a core no better than from the queue, so the import says so instead of dropping it
  // silently. And a client that retries (the server errs half the time, twice at most): one
  // request, one rate sample, however many attempts.
  const model::Spec known = model::load(Json::parse(R"({
    "simulation": { "duration": "400s", "warmup": "0s", "seed": 13 },
    "workloads": [ { "name": "w", "target": "api", "rate": 5, "retry": { "max_attempts": 2 } } ],
    "services": { "api": { "steps": [ { "work": "2ms" }, { "delay": "40ms" } ] } },
    "faults": [ { "at": "0s", "kind": "outage", "service": "api", "duration": "200s" } ] })"),
                                        ".");
  net::TraceRecorder recorder(1'000'000, 0.0);
  net::ReplicationOptions options;
  options.traces = &recorder;
  net::simulate(known, options);
  const Fragment f = import_traces(read_trace_spans(Json::parse(recorder.otlp(known).dump())));
  bool delay_note = false, retry_note = false;
  for (const std::string& w : f.warnings) {
    if (w.rfind("api/default: ", 0) == 0 && w.find("is neither CPU") != std::string::npos) {
      delay_note = true;
    }
    if (w.find("requests were sent again by their client") != std::string::npos) retry_note = true;
  }
  EXPECT_TRUE(delay_note);
  EXPECT_TRUE(retry_note);
  // About 2,000 requests in 400 s (the outage's failures retried once: about 3,000 attempts).
  EXPECT_NEAR(f.model["workloads"][0]["rate"].get<double>(), 5.0, 0.4);
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
    spans.push_back({trace, "w", "", "web", "GET /x", SpanKind::server, at, at + 0.020, "/w", -1});
    spans.push_back(
        {trace, "c", "w", "web", "db query", SpanKind::client, at + 0.005, at + 0.015, "/c", -1});
    spans.push_back(
        {trace, "d", "c", "db", "SELECT", SpanKind::server, at + 0.006, at + 0.014, "/d", -1});
  }
  const Fragment f = import_traces(spans);
  const Json& work = f.model["services"]["web"]["endpoints"]["GET__x"]["steps"][0]["work"];
  // Every sample is 10 ms: a lognormal whose median is 10 ms.
  ASSERT_EQ(work["dist"], "lognormal") << work;
  EXPECT_NEAR(std::exp(work["mu"].get<double>()), 0.010, 1e-6);  // 12 ms before
}

TEST(ImportTraces, ClientSpansWithNoInstrumentedCalleeAreADelayNotWork) {
  // checkout serves 100 ms: three database queries (CLIENT spans, 4 ms each, nothing below them:
  // auto-instrumentation records a database so), a payment API (60 ms), then a call to
  // inventory (15 ms). Its CPU is 100 - 12 - 60 - 15 = 13 ms; the 72 ms of the queries and the
  // API are waits on dependencies outside the traces. They were counted as work (85 ms).
  // In every other trace the request makes no query (a cached page): then it waits 0.
  std::vector<TraceSpan> spans;
  for (int t = 0; t < 24; ++t) {
    const std::string trace = "t" + std::to_string(t);
    const double at = t * 1.0;
    const bool queries = t % 2 == 0;
    const double end = queries ? 0.100 : 0.028;
    spans.push_back({trace, "c", "", "web", "checkout", SpanKind::server, at, at + end, "/c", -1});
    if (queries) {
      for (int q = 0; q < 3; ++q) {
        const double from = 0.005 + 0.005 * q;
        spans.push_back({trace, "q" + std::to_string(q), "c", "web", "SELECT orders",
                         SpanKind::client, at + from, at + from + 0.004, "/q", -1});
      }
      spans.push_back(
          {trace, "p", "c", "web", "POST", SpanKind::client, at + 0.020, at + 0.080, "/p", -1});
    }
    const double call = end - 0.020;
    spans.push_back(
        {trace, "i", "c", "web", "GET", SpanKind::client, at + call, at + call + 0.015, "/i", -1});
    spans.push_back({trace, "s", "i", "inventory", "GET", SpanKind::server, at + call + 0.001,
                     at + call + 0.014, "/s", -1});
  }
  const Fragment f = import_traces(spans);
  const Json& steps = f.model["services"]["web"]["endpoints"]["checkout"]["steps"];
  ASSERT_EQ(steps.size(), 3u) << steps;
  // Work 13 ms in every request.
  ASSERT_EQ(steps[0]["work"]["dist"], "lognormal") << steps;
  EXPECT_NEAR(std::exp(steps[0]["work"]["mu"].get<double>()), 0.013, 1e-6);
  // The wait: 72 ms in half the requests, 0 in the others; before the call (it starts first).
  const Json& delay = steps[1]["delay"];
  ASSERT_EQ(delay["dist"], "mixture") << steps;
  EXPECT_EQ(delay["components"][0], Json::parse(R"({"weight": 0.5, "dist": "constant",
                                                    "value": "0s"})"));
  EXPECT_EQ(delay["components"][1]["weight"], 0.5);
  EXPECT_NEAR(std::exp(delay["components"][1]["mu"].get<double>()), 0.072, 1e-6);
  EXPECT_EQ(steps[2], Json::parse(R"({"call": "inventory", "endpoint": "GET"})"));
  bool noted = false;
  for (const std::string& w : f.warnings) {
    noted = noted || w.find(
                         "web/checkout: client spans with no instrumented callee (\"POST\" "
                         "x0.5, \"SELECT orders\" x1.5 per request)") == 0;
  }
  EXPECT_TRUE(noted);
}

TEST(ImportTraces, AMessageToAConsumerIsAnAsyncCall) {
  // api publishes (a PRODUCER span, 1 ms) and answers in 5 ms; the worker consumes the message
  // (a CONSUMER span) 2 s later, after api's span has ended. It became a synchronous call, so
  // each order waited for the worker in the model.
  std::vector<TraceSpan> spans;
  for (int t = 0; t < 12; ++t) {
    const std::string trace = "t" + std::to_string(t);
    const double at = t * 10.0;
    spans.push_back({trace, "a", "", "api", "orders", SpanKind::server, at, at + 0.005, "/a", -1});
    spans.push_back(
        {trace, "p", "a", "api", "publish", SpanKind::producer, at + 0.002, at + 0.003, "/p", -1});
    spans.push_back(
        {trace, "w", "p", "worker", "process", SpanKind::consumer, at + 2, at + 2.05, "/w", -1});
  }
  const Fragment f = import_traces(spans);
  const Json& steps = f.model["services"]["api"]["endpoints"]["orders"]["steps"];
  // 4 ms of work, the publish (1 ms: the caller waits for the broker's ack, which the model's
  // async call takes no time for), then the async call: 5 ms in all, as observed.
  ASSERT_EQ(steps.size(), 3u) << steps;
  EXPECT_NEAR(std::exp(steps[0]["work"]["mu"].get<double>()), 0.004, 1e-6);
  EXPECT_NEAR(std::exp(steps[1]["delay"]["mu"].get<double>()), 0.001, 1e-6);
  EXPECT_EQ(steps[2], Json::parse(R"({"call": "worker", "endpoint": "process", "async": true})"));
}

TEST(ImportTraces, AWaitBesideParallelCallsLeavesTheirGroupWhole) {
  // web calls a (1-21 ms) and b (3-23 ms) in parallel and queries an uninstrumented database
  // from 2 to 30 ms: 7 ms of it uncovered by the calls (23-30). The wait went between a and b
  // and split their group (the model's latency 49.6 ms against 33 observed).
  std::vector<TraceSpan> spans;
  for (int t = 0; t < 12; ++t) {
    const std::string trace = "t" + std::to_string(t);
    const double at = t * 1.0;
    spans.push_back({trace, "w", "", "web", "page", SpanKind::server, at, at + 0.032, "/w", -1});
    spans.push_back(
        {trace, "a", "w", "a", "get", SpanKind::server, at + 0.001, at + 0.021, "/a", -1});
    spans.push_back(
        {trace, "b", "w", "b", "get", SpanKind::server, at + 0.003, at + 0.023, "/b", -1});
    spans.push_back(
        {trace, "q", "w", "web", "SELECT", SpanKind::client, at + 0.002, at + 0.030, "/q", -1});
  }
  const Fragment f = import_traces(spans);
  const Json& steps = f.model["services"]["web"]["endpoints"]["page"]["steps"];
  ASSERT_EQ(steps.size(), 3u) << steps;
  EXPECT_EQ(steps[1]["parallel"].size(), 2u) << steps;
  // The wait's uncovered part starts at 23 ms, after the group's start: it follows the group.
  EXPECT_NEAR(std::exp(steps[2]["delay"]["mu"].get<double>()), 0.007, 1e-6) << steps;
}

TEST(ImportTraces, ACallToItsOwnServerSpanIsNoExternalWaitAndARareCallKeepsItsRate) {
  // web's CLIENT span "GET /internal" has a web SERVER span below it (a call to itself): its
  // time is web's own, not a dependency's (it became a delay). And 1 request in 5,000 calls db:
  // its probability was rounded to 0, so db had no load.
  std::vector<TraceSpan> spans;
  for (int t = 0; t < 5000; ++t) {
    const std::string trace = "t" + std::to_string(t);
    const double at = t * 0.01;
    spans.push_back({trace, "w", "", "web", "page", SpanKind::server, at, at + 0.010, "/w", -1});
    spans.push_back({trace, "c", "w", "web", "GET /internal", SpanKind::client, at + 0.001,
                     at + 0.007, "/c", -1});
    spans.push_back(
        {trace, "s", "c", "web", "internal", SpanKind::server, at + 0.002, at + 0.006, "/s", -1});
    if (t == 7) {
      spans.push_back(
          {trace, "d", "w", "db", "SELECT", SpanKind::server, at + 0.008, at + 0.009, "/d", -1});
    }
  }
  const Fragment f = import_traces(spans);
  const Json& steps = f.model["services"]["web"]["endpoints"]["page"]["steps"];
  ASSERT_EQ(steps.size(), 2u) << steps;
  EXPECT_TRUE(steps[0].contains("work")) << steps;
  EXPECT_EQ(steps[1],
            Json::parse(R"({"call": "db", "endpoint": "SELECT", "probability": 0.0002})"));
}

TEST(ImportTraces, ACallCountThatVariesKeepsItsMean) {
  // web calls db once in 6 of 10 requests and twice in 4: 1.4 calls a request. It was one call
  // (db's load 29% low).
  std::vector<TraceSpan> spans;
  for (int t = 0; t < 10; ++t) {
    const std::string trace = "t" + std::to_string(t);
    const double at = t * 1.0;
    spans.push_back({trace, "w", "", "web", "page", SpanKind::server, at, at + 0.030, "/w", -1});
    for (int k = 0; k < (t < 6 ? 1 : 2); ++k) {
      const double from = at + 0.005 + 0.010 * k;
      spans.push_back({trace, "d" + std::to_string(k), "w", "db", "SELECT", SpanKind::server, from,
                       from + 0.004, "/d", -1});
    }
  }
  const Fragment f = import_traces(spans);
  const Json& steps = f.model["services"]["web"]["endpoints"]["page"]["steps"];
  ASSERT_EQ(steps.size(), 3u) << steps;
  EXPECT_EQ(steps[1], Json::parse(R"({"call": "db", "endpoint": "SELECT"})"));
  EXPECT_EQ(steps[2], Json::parse(R"({"call": "db", "endpoint": "SELECT", "probability": 0.4})"));
}

TEST(ImportTraces, KindsByNameUnnamedServicesAndTimesInTheWrongUnitAreNoted) {
  // A kind written as the enum's name is read (it was absent: the client span not seen); a
  // resource without service.name is noted; times of 1970 (microseconds written as
  // nanoseconds) are noted: every duration would be 1,000 times too short.
  const Json doc = Json::parse(R"({"resourceSpans": [
    {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "web"}}]},
     "scopeSpans": [{"spans": [
       {"traceId": "t", "spanId": "a", "name": "GET", "kind": "SPAN_KIND_SERVER",
        "startTimeUnixNano": "1700000000000000", "endTimeUnixNano": "1700000000020000"},
       {"traceId": "t", "spanId": "b", "parentSpanId": "a", "name": "q",
        "kind": "SPAN_KIND_CLIENT",
        "startTimeUnixNano": "1700000000005000", "endTimeUnixNano": "1700000000015000"}]}]},
    {"scopeSpans": [{"spans": [
       {"traceId": "t", "spanId": "c", "parentSpanId": "b", "name": "SELECT", "kind": 2,
        "startTimeUnixNano": "1700000000006000", "endTimeUnixNano": "1700000000014000"}]}]}]})");
  std::vector<std::string> notes;
  const std::vector<TraceSpan> spans = read_trace_spans(doc, &notes);
  EXPECT_EQ(spans[0].kind, SpanKind::server);
  EXPECT_EQ(spans[1].kind, SpanKind::client);
  EXPECT_EQ(spans[2].service, "unknown");
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].rfind("the spans' times are before 1973 if they are nanoseconds", 0), 0u);
  EXPECT_EQ(notes[1],
            "1 span(s) have no service name (resource attribute service.name): they "
            "are service \"unknown\"");
  std::vector<std::string> none;
  Json today = doc;
  for (Json& r : today["resourceSpans"]) {
    for (Json& span : r["scopeSpans"][0]["spans"]) {
      for (const char* key : {"startTimeUnixNano", "endTimeUnixNano"}) {
        span[key] = span[key].get<std::string>() + "000";
      }
    }
  }
  today["resourceSpans"][1]["resource"] = Json::parse(
      R"({"attributes": [{"key": "service.name", "value": {"stringValue": "unknown"}}]})");
  read_trace_spans(today, &none);
  EXPECT_TRUE(none.empty()) << none.front();  // a service really named "unknown" is not noted
}

TEST(ImportTraces, NamesThatBecomeTheSameModelNameStayApart) {
  // "cart/v1" and "cart v1" both read as cart_v1: the second is cart_v1_2, with a note (they
  // were merged into one service whose self time mixed 2 ms and 50 ms).
  std::vector<TraceSpan> spans;
  for (int t = 0; t < 12; ++t) {
    const double at = t * 1.0;
    spans.push_back({"a" + std::to_string(t), "x", "", "cart/v1", "GET", SpanKind::server, at,
                     at + 0.002, "/a", -1});
    spans.push_back({"b" + std::to_string(t), "y", "", "cart v1", "GET", SpanKind::server, at,
                     at + 0.050, "/b", -1});
  }
  const Fragment f = import_traces(spans);
  EXPECT_TRUE(f.model["services"].contains("cart_v1"));
  EXPECT_TRUE(f.model["services"].contains("cart_v1_2"));
  EXPECT_EQ(f.warnings.front(), "named \"cart v1\" cart_v1_2 (\"cart/v1\" is cart_v1)");
}

}  // namespace
}  // namespace capsim::import
