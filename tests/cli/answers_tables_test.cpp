// Sweep and compare on the terminal (issue 15): fractions as percentages as `run` prints them,
// no rounding noise, sweep notices on the terminal and in the CSV (with slo_met), and per
// variant of a compare the SLO verdict, the cheapest variant meeting it and what each mechanism
// did.

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

/// One service, 100 ms exponential work, 2 replicas x 1 worker: capacity 20/s.
const char* kModel = R"({
  "name": "small",
  "simulation": { "duration": "120s", "warmup": "10s", "replications": 2, "seed": 4,
                  "max_queue": 200 },
  "workloads": [ { "name": "w", "target": "s", "rate": 10 } ],
  "services": { "s": { "replicas": 2, "workers": 1,
                       "steps": [ { "work": { "dist": "exponential", "mean": "100ms" } } ] } },
  "slo": { "latency": { "p99": "1s" } }
})";

TEST(Tables, SweepPrintsPercentagesAndItsNoticesOnTheTerminalAndInTheCsv) {
  Sandbox box;
  write_text(box / "model.json", kModel);
  // Rate 4/s: 10% busy; rate 60/s: three times the capacity, saturated.
  write_text(box / "sweep.json", R"({ "kind": "sweep", "model": "model.json",
    "parameters": [ { "name": "rate", "pointer": "/workloads/0/rate", "values": [4, 60] } ],
    "metrics": [ "services.s.cpu_utilization", "workloads.w.error_rate" ] })");
  const RunResult r = box.run({"sweep", "sweep.json", "-o", "out.csv", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  const std::vector<std::string> lines = lines_of(r.out);
  ASSERT_GE(lines.size(), 5u) << r;
  EXPECT_EQ(lines[2].substr(0, 4), "rate") << r;
  EXPECT_NE(lines[2].find("slo"), std::string::npos) << r;
  EXPECT_NE(lines[2].find("notices"), std::string::npos) << r;
  // The first point: cpu about 20% (4/s x 100 ms / 2 cores), printed as a percentage, no
  // errors printed as "0%", SLO met, no notice.
  EXPECT_NE(lines[3].find("%"), std::string::npos) << r;
  EXPECT_NE(lines[3].find(" 0 ±0%"), std::string::npos) << r;
  EXPECT_NE(lines[3].find("met"), std::string::npos) << r;
  EXPECT_EQ(lines[3].find("!"), std::string::npos) << r;
  // The second: NOT met, marked !2, and its notice printed below the table.
  EXPECT_NE(lines[4].find("NOT met"), std::string::npos) << r;
  EXPECT_NE(lines[4].find("!2"), std::string::npos) << r;
  EXPECT_NE(r.out.find("\n!2 rate=60: replication 0: service 's' saturated"), std::string::npos)
      << r;
  EXPECT_EQ(r.out.find("e-1"), std::string::npos) << r;  // no rounding noise
  const std::vector<std::string> csv = lines_of(read_text(box / "out.csv"));
  ASSERT_EQ(csv.size(), 3u);
  EXPECT_NE(csv[0].find(",slo_met,notices"), std::string::npos) << csv[0];
  EXPECT_NE(csv[1].find(",true,"), std::string::npos) << csv[1];
  EXPECT_NE(csv[2].find(",false,replication 0: service 's' saturated"), std::string::npos)
      << csv[2];
  // The report still reads the CSV.
  const RunResult page = box.run({"report", "out.csv", "-o", "r.html", "-q"});
  EXPECT_EQ(page.status, 0) << page;
}

TEST(Tables, SizeShowsTheStatisticItsSloIsDecidedOn) {
  Sandbox box;
  // An SLO on the mean (and a p95): the table showed p50 and p99 only, not what was decided on.
  std::string model = kModel;
  model.replace(model.find(R"("p99": "1s")"), 11, R"("mean": "250ms", "p95": "1s")");
  write_text(box / "model.json", model);
  write_text(box / "size.json", R"({ "kind": "size", "model": "model.json", "services": ["s"],
    "replications": 2, "max_replicas": 8 })");
  const RunResult r = box.run({"size", "size.json", "-o", "size-out.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("workloads.w.latency_ms.mean"), std::string::npos) << r;
  EXPECT_NE(r.out.find("workloads.w.latency_ms.p95"), std::string::npos) << r;
  const Json out = read_json(box / "size-out.json");
  EXPECT_TRUE(out["services"]["s"]["at_answer"]["metrics"].contains("workloads.w.latency_ms.mean"))
      << out["services"]["s"]["at_answer"];
}

TEST(Tables, SizeWithNoAnswerIsAsConfidentAsItsFailure) {
  Sandbox box;
  // 60/s on replicas of 10/s: 3 replicas (max_replicas) fail for certain. It said "no answer
  // (uncertain)" with every decision confident.
  std::string model = kModel;
  model.replace(model.find(R"("rate": 10)"), 10, R"("rate": 60)");
  write_text(box / "model.json", model);
  write_text(box / "size.json", R"({ "kind": "size", "model": "model.json", "services": ["s"],
    "replications": 2, "max_replicas": 3 })");
  const RunResult r = box.run({"size", "size.json", "-o", "size-out.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("service s: no answer (confident)"), std::string::npos) << r;
  EXPECT_EQ(read_json(box / "size-out.json")["services"]["s"]["confident"], true);
}

TEST(Tables, CompareShowsVerdictsTheCheapestVariantAndWhyNothingChanged) {
  Sandbox box;
  write_text(box / "model.json", kModel);
  // 15/s of 100 ms work: one replica (capacity 10/s) is saturated; two are 75% busy, with a
  // p99 near 1.8 s (M/M/1 per replica: 0.1 / (1 - 0.75) x ln 100), over the 1 s limit; four
  // (37.5% busy, p99 near 0.74 s) and eight meet it, four more cheaply. "same" sets workers to
  // the 1 it already is: it changes nothing, and the note says which mechanisms were idle.
  write_text(box / "compare.json", R"({ "kind": "compare", "model": "model.json",
    "overrides": [ { "pointer": "/workloads/0/rate", "value": 15 } ],
    "replications": 4,
    "variants": {
      "two": [],
      "one": [ { "pointer": "/services/s/replicas", "value": 1 } ],
      "four": [ { "pointer": "/services/s/replicas", "value": 4 } ],
      "eight": [ { "pointer": "/services/s/replicas", "value": 8 } ],
      "same": [ { "pointer": "/services/s/workers", "value": 1 } ]
    },
    "baseline": "two",
    "metrics": [ "workloads.w.latency_ms.p99", "services.s.cpu_utilization" ] })");
  const RunResult r = box.run({"compare", "compare.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("  SLO"), std::string::npos) << r;
  const std::size_t slo = r.out.find("  SLO");
  const std::string slo_line = r.out.substr(slo, r.out.find('\n', slo) - slo);
  std::string words;  // the line with single spaces
  for (char c : slo_line) {
    if (c != ' ' || (!words.empty() && words.back() != ' ')) words += c;
  }
  // two, one, four, eight, same.
  EXPECT_EQ(words, "SLO NOT met NOT met met met NOT met") << r;
  // 4 replicas x 110 measured seconds / 3600.
  EXPECT_NE(r.out.find("cheapest variant meeting the SLO: four (0.1222 replica-hours)"),
            std::string::npos)
      << r;
  EXPECT_NE(r.out.find("  rejected"), std::string::npos) << r;
  EXPECT_NE(r.out.find("  retries"), std::string::npos) << r;
  EXPECT_NE(r.out.find("  breaker transitions (rep. 0)"), std::string::npos) << r;
  EXPECT_NE(r.out.find("  scale events (rep. 0)"), std::string::npos) << r;
  // cpu as a percentage in the table, as `run` prints it.
  EXPECT_NE(r.out.find("services.s.cpu_utilization"), std::string::npos) << r;
  EXPECT_NE(r.out.find("%"), std::string::npos) << r;
  // "same" changes nothing (workers was already 1): explained, with zero differences, no noise.
  EXPECT_NE(r.out.find("note: same shows no significant difference from two on any metric; in "
                       "it: no retry, no timeout, no breaker transition"),
            std::string::npos)
      << r;
  EXPECT_EQ(r.out.find("e-1"), std::string::npos) << r;
}

TEST(Tables, CompareJsonCarriesEachVariantsMechanismActivity) {
  Sandbox box;
  // front calls back with a fallback; 20 requests/s. "outage": back answers every call with an
  // error, so every call falls back: fallback_rps = the arrival rate, 20/s (Poisson: a
  // replication's rate over 200 s has a standard deviation of 0.32/s). "limited": back's token
  // bucket lets 5/s through (plus its burst of 5 once), so about 15/s are rate limited, each
  // answered by the fallback. "plain" does nothing of the kind; "bigger" pays for a second back
  // replica, so "plain" is the cheapest meeting the SLO.
  write_text(box / "model.json", R"({
    "name": "fallbacks",
    "simulation": { "duration": "200s", "warmup": "0s", "replications": 2, "seed": 8 },
    "workloads": [ { "name": "w", "target": "front", "rate": 20 } ],
    "services": {
      "front": { "replicas": 1, "cores": 4, "workers": 64,
                 "steps": [ { "work": "1ms" },
                            { "call": "back", "fallback": { "steps": [] } } ] },
      "back": { "replicas": 1, "cores": 4, "workers": 64, "steps": [ { "work": "1ms" } ] } },
    "slo": { "latency": { "p99": "1s" } }
  })");
  write_text(box / "compare.json", R"({ "kind": "compare", "model": "model.json",
    "replications": 2,
    "variants": {
      "plain": [],
      "outage": [ { "pointer": "/faults", "value":
                    [ { "at": "0s", "kind": "outage", "service": "back", "duration": "1h" } ] } ],
      "limited": [ { "pointer": "/services/back/rate_limit", "value": { "rate": 5, "burst": 5 } } ],
      "bigger": [ { "pointer": "/services/back/replicas", "value": 2 } ]
    },
    "metrics": [ "workloads.w.error_rate" ] })");
  const RunResult r = box.run({"compare", "compare.json", "-o", "out.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("  fallbacks"), std::string::npos) << r;
  const Json doc = Json::parse(read_text(box / "out.json"));
  const Json& activity = doc.at("activity");
  ASSERT_EQ(activity.size(), 4u) << activity.dump(2);
  for (const char* key :
       {"retries_rps", "timeouts_rps", "breaker_transitions", "circuit_open_rps", "rejected_rps",
        "rate_limited_rps", "fallback_rps", "scale_events", "replica_hours", "cost", "idle"}) {
    EXPECT_TRUE(activity.at("plain").contains(key)) << key;
  }
  const Json& plain = activity.at("plain");
  EXPECT_EQ(plain.at("fallback_rps").get<double>(), 0.0);
  EXPECT_EQ(plain.at("rate_limited_rps").get<double>(), 0.0);
  EXPECT_TRUE(plain.at("cost").is_null());
  // 2 replicas x 200 s / 3600.
  EXPECT_NEAR(plain.at("replica_hours").get<double>(), 400.0 / 3600.0, 1e-9);
  EXPECT_NE(std::find(plain.at("idle").begin(), plain.at("idle").end(), Json("no fallback")),
            plain.at("idle").end())
      << plain.dump();
  const Json& outage = activity.at("outage");
  EXPECT_NEAR(outage.at("fallback_rps").get<double>(), 20.0, 1.5) << outage.dump();
  EXPECT_EQ(outage.at("rate_limited_rps").get<double>(), 0.0);
  const Json& limited = activity.at("limited");
  EXPECT_NEAR(limited.at("rate_limited_rps").get<double>(), 15.0, 1.5) << limited.dump();
  // Every rate-limited call fell back (the last ones may still be in flight at the end).
  EXPECT_NEAR(limited.at("fallback_rps").get<double>(),
              limited.at("rate_limited_rps").get<double>(), 0.05)
      << limited.dump();
  EXPECT_NEAR(activity.at("bigger").at("replica_hours").get<double>(), 600.0 / 3600.0, 1e-9);
  // Degraded answers are successes: every variant meets the SLO; "plain" is the cheapest.
  EXPECT_EQ(doc.at("cheapest_meeting_slo").at("variant"), "plain") << doc.dump(2);
  EXPECT_EQ(doc.at("cheapest_meeting_slo").at("by"), "replica_hours");
}

TEST(Tables, CompareActivityCountsScaleChangesCallRetriesAndNodeCostWithoutAnEventLog) {
  Sandbox box;
  // compare keeps no event log, yet its activity must see what the mechanisms did.
  // front calls back with one retry on error; in "outage" back fails every call, so every call
  // is retried once: call retries = front's arrivals, 20/s (Poisson over 200 s: sd 0.32/s).
  // "scheduled" gives back a schedule 1 -> 3 (at 50 s) -> 2 (at 100 s): 2 scale changes.
  // The services run on one node of a pool priced 0.36 per node-hour: 200 s cost 0.02, which
  // the activity's cost must include (docs/nodes.md: nodes are what is paid for).
  write_text(box / "model.json", R"({
    "name": "activity",
    "simulation": { "duration": "200s", "warmup": "0s", "replications": 2, "seed": 8 },
    "nodes": { "pools": { "general": { "cores": 16, "memory_mib": 65536, "price_per_hour": 0.36,
                                       "min": 1, "max": 1, "initial": 1 } } },
    "workloads": [ { "name": "w", "target": "front", "rate": 20 } ],
    "services": {
      "front": { "replicas": 1, "cores": 4, "workers": 64,
                 "pod": { "pool": "general", "cores": 4, "memory_mib": 1024 },
                 "steps": [ { "work": "1ms" },
                            { "call": "back", "retry": { "max_attempts": 2, "on": ["error"],
                                                         "backoff": { "base": "1ms" } } } ] },
      "back": { "replicas": 1, "cores": 1, "workers": 64,
                "pod": { "pool": "general", "cores": 1, "memory_mib": 1024 },
                "steps": [ { "work": "1ms" } ] } },
    "slo": { "latency": { "p99": "1s" }, "error_rate": 0.01 }
  })");
  write_text(box / "compare.json", R"({ "kind": "compare", "model": "model.json",
    "replications": 2,
    "variants": {
      "plain": [],
      "outage": [ { "pointer": "/faults", "value":
                    [ { "at": "0s", "kind": "outage", "service": "back", "duration": "1h" } ] } ],
      "scheduled": [ { "pointer": "/services/back/autoscaling", "value": { "kind": "schedule",
                       "steps": [ { "at": "0s", "replicas": 1 }, { "at": "50s", "replicas": 3 },
                                     { "at": "100s", "replicas": 2 } ] } } ]
    },
    "metrics": [ "workloads.w.error_rate" ] })");
  const RunResult r = box.run({"compare", "compare.json", "-o", "out.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  const Json doc = Json::parse(read_text(box / "out.json"));
  const Json& activity = doc.at("activity");
  EXPECT_EQ(activity.at("plain").at("retries_rps").get<double>(), 0.0);
  EXPECT_NEAR(activity.at("outage").at("retries_rps").get<double>(), 20.0, 1.5) << activity.dump(2);
  EXPECT_EQ(activity.at("plain").at("scale_events").get<int>(), 0);
  EXPECT_EQ(activity.at("scheduled").at("scale_events").get<int>(), 2) << activity.dump(2);
  for (const char* v : {"plain", "outage", "scheduled"}) {
    ASSERT_TRUE(activity.at(v).at("cost").is_number()) << v << activity.dump(2);
    EXPECT_NEAR(activity.at(v).at("cost").get<double>(), 0.36 * 200.0 / 3600.0, 1e-9) << v;
  }
  // Equal cost (one node either way): the first variant meeting the SLO wins; outage fails it.
  EXPECT_EQ(doc.at("cheapest_meeting_slo").at("variant"), "plain") << doc.dump(2);
  EXPECT_EQ(doc.at("cheapest_meeting_slo").at("by"), "cost") << doc.dump(2);
}

TEST(Tables, CompareActivityCountsCallTimeoutsAndBreakerRefusals) {
  Sandbox box;
  // Calls time out and meet breakers; their callers see errors, so the workloads' timeout and
  // circuit_open errors (all the activity read) stayed 0 while a breaker shed thousands of calls.
  // back takes 200 ms against a 100 ms call timeout: every call of "slow" times out, 20/s
  // (Poisson over 200 s: sd 0.32/s). "breaker" adds a breaker that opens after 10 failures and
  // stays open 1 h: it refuses nearly every call, 20/s less the first 10 calls (0.05/s).
  write_text(box / "model.json", R"({
    "name": "calls",
    "simulation": { "duration": "200s", "warmup": "0s", "replications": 2, "seed": 8 },
    "workloads": [ { "name": "w", "target": "front", "rate": 20 } ],
    "services": {
      "front": { "cores": 4, "steps": [ { "call": "back", "timeout": "100ms" } ] },
      "back": { "cores": 64, "workers": 1000, "steps": [ { "work": "200ms" } ] } }
  })");
  write_text(box / "compare.json", R"({ "kind": "compare", "model": "model.json",
    "replications": 2,
    "variants": {
      "slow": [],
      "breaker": [ { "pointer": "/services/front/steps/0/circuit_breaker", "value":
                     { "failure_rate": 0.5, "window": "10s", "min_requests": 10,
                       "open_for": "1h" } } ]
    },
    "metrics": [ "workloads.w.error_rate" ] })");
  const RunResult r = box.run({"compare", "compare.json", "-o", "out.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  const Json activity = Json::parse(read_text(box / "out.json")).at("activity");
  EXPECT_NEAR(activity.at("slow").at("timeouts_rps").get<double>(), 20.0, 1.5) << activity.dump(2);
  EXPECT_EQ(activity.at("slow").at("circuit_open_rps").get<double>(), 0.0);
  EXPECT_NEAR(activity.at("breaker").at("circuit_open_rps").get<double>(), 20.0, 1.5)
      << activity.dump(2);
  EXPECT_LT(activity.at("breaker").at("timeouts_rps").get<double>(), 0.2) << activity.dump(2);
  EXPECT_NE(r.out.find("refused by breaker"), std::string::npos) << r;
}

TEST(Tables, PercentileIntervalsAreNoNarrowerThanTheHistogramsResolution) {
  Sandbox box;
  // One request every 100 ms, 50 ms of constant work, never waiting: every replication's p99 is
  // the same bucket midpoint, an interval of 0; the table shows the histogram's resolution
  // instead, 1/256 of the value (about ±0.2 ms), while the error rate keeps its honest ±0.
  write_text(box / "model.json", R"({
    "name": "steady",
    "simulation": { "duration": "60s", "warmup": "10s", "replications": 3, "seed": 2 },
    "workloads": [ { "name": "w", "target": "s", "rate": 10, "interarrival": "100ms" } ],
    "services": { "s": { "cores": 1, "workers": 1, "steps": [ { "work": "50ms" } ] } } })");
  write_text(box / "sweep.json", R"({ "kind": "sweep", "model": "model.json",
    "parameters": [ { "name": "cores", "pointer": "/services/s/cores", "values": [1, 2] } ],
    "metrics": [ "workloads.w.latency_ms.p99", "workloads.w.error_rate" ] })");
  const RunResult r = box.run({"sweep", "sweep.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  const std::vector<std::string> lines = lines_of(r.out);
  ASSERT_GE(lines.size(), 5u) << r;
  for (std::size_t i = 3; i < 5; ++i) {
    EXPECT_NE(lines[i].find(" ±0.19"), std::string::npos) << lines[i];
    EXPECT_NE(lines[i].find(" 0 ±0%"), std::string::npos) << lines[i];
  }
}

}  // namespace
}  // namespace capsim::cli_test
