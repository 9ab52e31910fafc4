// capsim run --traces (capsim/net/traces.hpp): the spans of a recorded request follow the
// model's call graph (a client span per call, a server span per attempt, parallel calls side
// by side), their times are the hand-computed ones for fixed service times, and the root
// spans' durations are the latencies the results record.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "capsim/model/load.hpp"
#include "capsim/net/network.hpp"
#include "capsim/net/traces.hpp"

namespace capsim::net {
namespace {

using Json = nlohmann::ordered_json;

struct FlatSpan {
  std::string resource, name, id, parent;
  int kind = 0;
  double start_s = 0, end_s = 0;
  Json span;
};

double seconds(const Json& nanos) {
  return static_cast<double>(std::stoull(nanos.get<std::string>()) - kTraceEpochUnixNano) / 1e9;
}

/// trace id -> its spans.
std::map<std::string, std::vector<FlatSpan>> traces_of(const Json& otlp) {
  std::map<std::string, std::vector<FlatSpan>> out;
  for (const Json& rs : otlp.at("resourceSpans")) {
    const std::string resource = rs["resource"]["attributes"][0]["value"]["stringValue"];
    for (const Json& ss : rs.at("scopeSpans")) {
      for (const Json& s : ss.at("spans")) {
        FlatSpan f{resource,
                   s["name"],
                   s["spanId"],
                   s.value("parentSpanId", ""),
                   s["kind"],
                   seconds(s["startTimeUnixNano"]),
                   seconds(s["endTimeUnixNano"]),
                   s};
        out[s["traceId"]].push_back(std::move(f));
      }
    }
  }
  return out;
}

Json record(const Json& doc, std::size_t sample, stats::Summary* summary = nullptr) {
  const model::Spec spec = model::load(doc, ".");
  TraceRecorder recorder(sample, spec.simulation.warmup_s);
  ReplicationOptions options;
  options.traces = &recorder;
  const stats::Summary s = simulate(spec, options);
  if (summary != nullptr) *summary = s;
  return recorder.otlp(spec);
}

// api: 10 ms of work, db twice (5 ms each), search (3 ms) and profile (7 ms) in parallel, 1 ms:
// 28 ms end to end with enough cores that nothing waits.
const char* kCallGraph = R"({
  "simulation": { "duration": "60s", "warmup": "0s", "seed": 7 },
  "workloads": [ { "name": "browse", "target": "api", "rate": 2 } ],
  "services": {
    "api": { "cores": 32, "steps": [ { "work": "10ms" }, { "call": "db", "count": 2 },
             { "parallel": [ { "call": "search" }, { "call": "profile" } ] }, { "work": "1ms" } ] },
    "db": { "cores": 32, "steps": [ { "work": "5ms" } ] },
    "search": { "cores": 32, "steps": [ { "work": "3ms" } ] },
    "profile": { "cores": 32, "steps": [ { "work": "7ms" } ] } } })";

TEST(Traces, SpansFollowTheCallGraphWithHandComputedTimes) {
  const Json otlp = record(Json::parse(kCallGraph), 20);
  const auto traces = traces_of(otlp);
  ASSERT_EQ(traces.size(), 20u);
  for (const auto& [trace_id, spans] : traces) {
    ASSERT_EQ(trace_id.size(), 32u);
    ASSERT_EQ(spans.size(), 10u) << trace_id;  // root call, api, 2 db, search, profile: x2
    std::map<std::string, const FlatSpan*> by_id;
    for (const FlatSpan& s : spans) by_id[s.id] = &s;
    std::map<std::string, int> children_names;  // under api's server span
    const FlatSpan* root = nullptr;
    const FlatSpan* api = nullptr;
    for (const FlatSpan& s : spans) {
      if (s.parent.empty()) root = &s;
      if (s.kind == 2 && s.resource == "api") api = &s;
    }
    ASSERT_NE(root, nullptr);
    ASSERT_NE(api, nullptr);
    EXPECT_EQ(root->resource, "capsim-client");
    EXPECT_EQ(root->name, "call api/default");
    EXPECT_EQ(root->kind, 3);
    EXPECT_EQ(api->parent, root->id);
    EXPECT_NEAR(root->end_s - root->start_s, 0.028, 1e-9);
    EXPECT_NEAR(api->end_s - api->start_s, 0.028, 1e-9);
    for (const FlatSpan& s : spans) {
      if (!s.parent.empty()) {
        const FlatSpan& p = *by_id.at(s.parent);
        EXPECT_GE(s.start_s, p.start_s - 1e-12);
        EXPECT_LE(s.end_s, p.end_s + 1e-12);
        // A client span's child is its attempt at the callee, in the callee's resource.
        if (s.kind == 2) {
          EXPECT_EQ(p.kind, 3);
          EXPECT_EQ("call " + s.name, p.name);
          EXPECT_EQ(s.resource, s.name.substr(0, s.name.find('/')));
        }
      }
      if (s.kind == 3 && s.parent == api->id) ++children_names[s.name];
    }
    EXPECT_EQ(children_names, (std::map<std::string, int>{{"call db/default", 2},
                                                          {"call profile/default", 1},
                                                          {"call search/default", 1}}));
    // Sequential db calls: the second starts when the first ends, 10 ms after the request.
    std::vector<const FlatSpan*> db;
    for (const FlatSpan& s : spans) {
      if (s.name == "call db/default") db.push_back(&s);
    }
    std::sort(db.begin(), db.end(), [](auto* a, auto* b) { return a->start_s < b->start_s; });
    EXPECT_NEAR(db[0]->start_s - root->start_s, 0.010, 1e-9);
    EXPECT_NEAR(db[1]->start_s - db[0]->end_s, 0.0, 1e-9);
    // Queueing and service time as events: no wait, 11 ms of CPU in 28 ms of service.
    const Json& events = api->span["events"];
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0]["name"], "enqueued");
    EXPECT_EQ(events[1]["name"], "dequeued");
    EXPECT_NEAR(events[1]["attributes"][0]["value"]["doubleValue"].get<double>(), 0.0, 1e-12);
    EXPECT_EQ(events[2]["name"], "completed");
    EXPECT_NEAR(events[2]["attributes"][0]["value"]["doubleValue"].get<double>(), 0.028, 1e-9);
    EXPECT_NEAR(events[2]["attributes"][1]["value"]["doubleValue"].get<double>(), 0.011, 1e-9);
  }
}

TEST(Traces, RootDurationsAreTheRecordedLatencies) {
  // M/M/1 at 80 %: with no warm-up, every completed request is traced, so the root spans'
  // mean duration is the results' mean latency of the same replication.
  const Json doc = Json::parse(R"({
    "simulation": { "duration": "1000s", "warmup": "0s", "seed": 3 },
    "workloads": [ { "name": "w", "target": "api", "rate": 8 } ],
    "services": { "api": { "steps": [ { "work": { "dist": "exponential", "mean": "100ms" } } ] } } })");
  stats::Summary summary;
  const Json otlp = record(doc, 1'000'000, &summary);
  const auto traces = traces_of(otlp);
  double sum_s = 0;
  for (const auto& [id, spans] : traces) {
    ASSERT_EQ(spans.size(), 2u);
    for (const FlatSpan& s : spans) {
      if (s.parent.empty()) sum_s += s.end_s - s.start_s;
    }
  }
  double mean_ms = -1;
  double completed = -1;
  for (const stats::Metric& m : summary.metrics) {
    if (m.dotted() == "workloads.w.latency_ms.mean") mean_ms = m.value;
    if (m.dotted() == "workloads.w.completed") completed = m.value;
  }
  ASSERT_GT(mean_ms, 0);
  EXPECT_GT(traces.size(), 7500u);
  if (completed > 0) {
    EXPECT_EQ(static_cast<double>(traces.size()), completed);
  }
  EXPECT_NEAR(sum_s / static_cast<double>(traces.size()) * 1000.0, mean_ms, 1e-6 * mean_ms);
  // And the traces do not change the run: the same summary without a recorder.
  const model::Spec spec = model::load(doc, ".");
  const stats::Summary plain = simulate(spec, ReplicationOptions{});
  ASSERT_EQ(plain.metrics.size(), summary.metrics.size());
  for (std::size_t i = 0; i < plain.metrics.size(); ++i) {
    EXPECT_EQ(plain.metrics[i].value, summary.metrics[i].value) << plain.metrics[i].dotted();
  }
}

TEST(Traces, SampleIsTheFirstRequestsAfterTheWarmUp) {
  Json doc = Json::parse(kCallGraph);
  doc["simulation"]["warmup"] = "30s";
  const auto traces = traces_of(record(doc, 5));
  ASSERT_EQ(traces.size(), 5u);
  for (const auto& [id, spans] : traces) {
    for (const FlatSpan& s : spans) EXPECT_GE(s.start_s, 30.0);
  }
}

}  // namespace
}  // namespace capsim::net
