// The rule of thumb of `capsim size` and the breaking point of `capsim analyze` account for
// every station on the path (issue 15), here a worker held through a delay.
//
// Hand calculation: one api replica has 2 cores and 4 workers; a request works 10 ms and then
// waits 90 ms (a `delay`: it holds its worker, not a core). Its cores carry 2 / 0.010 = 200/s,
// its workers 4 / 0.100 = 40/s: the workers bind, and the rule of thumb for a peak of 100/s is
// ceil(100 / 40) + 2 = 5 (the cores alone would say ceil(100 / 200) + 2 = 3, and 3 replicas'
// 12 workers cannot hold 100/s x 100 ms = 10 busy workers without queueing).

#include <regex>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

const char* kModel = R"({
  "name": "held",
  "simulation": { "duration": "30s", "warmup": "5s", "replications": 2, "seed": 7 },
  "workloads": [ { "name": "browse", "target": "api", "rate": 100, "timeout": "2s" } ],
  "services": {
    "api": { "replicas": 1, "cores": 2, "workers": 4,
             "steps": [ { "work": "10ms" }, { "delay": "90ms" } ] }
  },
  "slo": { "latency": { "p99": "500ms" }, "error_rate": 0.01 }
})";

TEST(SizePath, WorkersHeldThroughADelaySetTheRuleOfThumb) {
  Sandbox box;
  write_text(box / "held.json", kModel);
  write_text(box / "size.json", R"({
    "kind": "size", "model": "held.json", "services": [ "api" ],
    "replications": 2, "max_replications": 2, "max_replicas": 16
  })");
  const RunResult r = box.run({"size", "size.json", "-o", "out.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  const Json out = read_json(box / "out.json");
  const Json& api = out["services"]["api"];
  EXPECT_NEAR(api["breaking_point_rps"].get<double>(), 40.0, 1e-9);
  EXPECT_EQ(api["breaking_point_bound_by"], "api");
  EXPECT_EQ(api["breaking_point_resource"], "workers");
  EXPECT_EQ(api["rule_of_thumb"], 5);
  EXPECT_NE(r.out.find("one replica's breaking point"), std::string::npos) << r;
  EXPECT_NE(r.out.find("api's workers"), std::string::npos) << r;
  // The api binds, not another station: sizing goes on to an answer.
  EXPECT_TRUE(api["bound_by"].is_null());
  EXPECT_TRUE(api["replicas"].is_number()) << api.dump(2);
  EXPECT_GE(api["replicas"].get<int>(), 3);  // 10 busy workers need more than 2 replicas' 8
  // The report's size page says what sets the breaking point; its replicas axes have whole
  // ticks only.
  const RunResult report = box.run({"report", "out.json", "-o", "size.html"});
  ASSERT_EQ(report.status, 0) << report;
  const std::string page = read_text(box / "size.html");
  EXPECT_NE(page.find("<th>set by</th>"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"num\">40</td><td>api&#39;s workers</td>"), std::string::npos);
  EXPECT_FALSE(
      std::regex_search(page, std::regex(R"(text-anchor="middle">-?[0-9]+\.[0-9]+</text>)")));
}

TEST(SizePath, AnAnswerAtTheEdgeOfSaturationSaysItHasNoHeadroom) {
  // 950 requests/s exactly, 10 ms each on one core: 9.5 busy cores. 9 replicas cannot hold it
  // (105.6%), 10 serve every request in 10 ms at 95% CPU: the SLO holds, with no room for a
  // 5.26% surge or a lost replica; 11 replicas would leave 1 - 9.5 / 11 = 13.6% free.
  Sandbox box;
  write_text(box / "edge.json", R"({
    "name": "edge",
    "simulation": { "duration": "20s", "warmup": "5s", "replications": 2, "seed": 7 },
    "workloads": [ { "name": "w", "target": "api", "rate": 950, "interarrival": "1s",
                     "timeout": "2s" } ],
    "services": { "api": { "replicas": 1, "cores": 1, "workers": 64,
                           "load_balancer": { "policy": "round_robin" },
                           "steps": [ { "work": "10ms" } ] } },
    "slo": { "latency": { "p99": "100ms" }, "error_rate": 0.001 }
  })");
  write_text(box / "size.json", R"({
    "kind": "size", "model": "edge.json", "services": [ "api" ],
    "replications": 2, "max_replications": 2, "max_replicas": 16
  })");
  const RunResult r = box.run({"size", "size.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("service api: 10 replicas"), std::string::npos) << r;
  EXPECT_NE(r.out.find("note: no headroom: at 10 replicas api's CPU is 95% busy at the peak; a "
                       "surge of 5.26% or one replica lost saturates it (11 replicas leave 13.6% "
                       "of the CPU free)"),
            std::string::npos)
      << r;
}

TEST(SizePath, AModelAnalyzeRefusesIsSizedBySimulationAlone) {
  // Every message of `jobs` comes back (a loop analyze refuses): no analytic estimate, but the
  // simulation still decides (the api only publishes: 1 replica of worker meets its SLO).
  Sandbox box;
  write_text(box / "loop.json", R"({
    "name": "loop",
    "simulation": { "duration": "20s", "warmup": "2s", "replications": 2, "seed": 7 },
    "workloads": [ { "name": "w", "target": "api", "rate": 20 } ],
    "services": {
      "api": { "steps": [ { "work": "1ms" }, { "call": "jobs" } ] },
      "jobs": { "kind": "queue", "consumer": "worker" },
      "worker": { "workers": 4, "steps": [ { "work": "10ms" }, { "call": "jobs" } ] } },
    "slo": { "latency": { "p99": "100ms" }, "error_rate": 0.01 }
  })");
  write_text(box / "size.json", R"({
    "kind": "size", "model": "loop.json", "services": [ "worker" ],
    "replications": 2, "max_replications": 2, "max_replicas": 4
  })");
  const RunResult r = box.run({"size", "size.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("service worker: 1 replica"), std::string::npos) << r;
  EXPECT_NE(r.out.find("note: no analytic estimate (analyze refuses the model: "),
            std::string::npos)
      << r;
}

TEST(SizePath, AnalyzeReportsEachCapacityAndTheBreakingPoint) {
  Sandbox box;
  write_text(box / "held.json", kModel);
  const RunResult r = box.run({"analyze", "held.json", "-o", "a.json"});
  ASSERT_EQ(r.status, 0) << r;
  const Json a = read_json(box / "a.json");
  const Json& api = a["services"]["api"];
  EXPECT_NEAR(api["core_capacity_rps"].get<double>(), 200.0, 1e-9);
  EXPECT_NEAR(api["worker_capacity_rps"].get<double>(), 40.0, 1e-9);
  EXPECT_NEAR(api["replica_capacity_rps"].get<double>(), 40.0, 1e-9);
  EXPECT_EQ(api["capacity_bound"], "workers");
  EXPECT_NEAR(a["breaking_point"]["rps"].get<double>(), 40.0, 1e-9);
  EXPECT_EQ(a["breaking_point"]["bound_by"], "api");
  EXPECT_EQ(a["breaking_point"]["resource"], "workers");
  // On the terminal too, beside the peak.
  EXPECT_NE(r.out.find("breaking point: 40 requests/s (the peak: 100/s), set by api's workers"),
            std::string::npos)
      << r;
}

}  // namespace
}  // namespace capsim::cli_test
