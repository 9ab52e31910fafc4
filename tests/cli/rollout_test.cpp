// Rolling updates (docs/rollouts.md), end to end through `capsim run`, against timelines computed
// by hand from the Kubernetes Deployment controller's rolling-update rules: at most replicas +
// maxSurge pods, at least replicas - maxUnavailable available, new pods ready after the
// start-up time. And the bad input: exit 2, the JSON Pointer, nothing written.

#include <cmath>
#include <string>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

/// Runs `model` (JSON text) with one replication and returns its results.
Json run_model(const std::string& model) {
  Sandbox box;
  write_text(box / "m.json", model);
  const RunResult r = box.run({"run", "m.json", "--quiet", "-o", "out.json"});
  EXPECT_EQ(r.status, 0) << r;
  // No warning: startup_time has an effect on a service that a rollout targets.
  EXPECT_EQ(r.err, "") << r;
  return read_json(box / "out.json");
}

/// `replicas` replicas of api with a 30 s start-up, a rollout at 100 s with `extra` keys, and
/// light load (so a replica that goes drains at once): the service's results.
Json rollout(int replicas, const std::string& extra) {
  const Json j = run_model(R"({
    "simulation": {"duration": "600s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 5}],
    "services": {"api": {"replicas": )" +
                           std::to_string(replicas) +
                           R"(, "startup_time": "30s", "steps": [{"work": "1ms"}]}},
    "faults": [{"at": "100s", "kind": "rollout", "service": "api")" +
                           extra + R"(}]
  })");
  return j["services"]["api"];
}

double mean_of(const Json& estimate) {
  return estimate["mean"].get<double>();
}

TEST(Rollout, SurgeOneUnavailableZeroReplacesOneReplicaPerStartup) {
  // 4 replicas, surge 1, unavailable 0: one new pod at a time, an old one removed as it is
  // ready; 4 x 30 s, never fewer than 4 ready.
  const Json s = rollout(4, R"(, "max_surge": 1, "max_unavailable": 0)");
  EXPECT_DOUBLE_EQ(mean_of(s["rollout"]["started_s"]), 100.0) << s;
  EXPECT_DOUBLE_EQ(mean_of(s["rollout"]["ended_s"]), 220.0) << s;
  EXPECT_DOUBLE_EQ(mean_of(s["rollout"]["duration_s"]), 120.0) << s;
  EXPECT_DOUBLE_EQ(s["rollout"]["min_ready"].get<double>(), 4.0) << s;
  EXPECT_DOUBLE_EQ(mean_of(s["rollout"]["completed"]), 1.0) << s;
  // The surge pod is ready the instant before the old one goes: 5 ready at most.
  EXPECT_DOUBLE_EQ(s["replicas"]["max"].get<double>(), 5.0) << s;
  EXPECT_DOUBLE_EQ(mean_of(s["rejected"]), 0.0) << s;
}

TEST(Rollout, SurgeZeroUnavailableOneTakesOneDownAtATime) {
  // One old pod goes, its replacement starts; 4 x 30 s with 3 ready meanwhile.
  const Json s = rollout(4, R"(, "max_surge": 0, "max_unavailable": 1)");
  EXPECT_DOUBLE_EQ(mean_of(s["rollout"]["duration_s"]), 120.0) << s;
  EXPECT_DOUBLE_EQ(s["rollout"]["min_ready"].get<double>(), 3.0) << s;
  EXPECT_DOUBLE_EQ(s["replicas"]["max"].get<double>(), 4.0) << s;
}

TEST(Rollout, SurgeOneUnavailableOneReplacesTwoPerStartup) {
  // 0 s: a surge pod starts, an old pod goes (3 ready), so a second new pod starts; 30 s: as
  // each is ready an old one goes and a new one starts; 60 s: the last old goes.
  const Json s = rollout(4, R"(, "max_surge": 1, "max_unavailable": 1)");
  EXPECT_DOUBLE_EQ(mean_of(s["rollout"]["duration_s"]), 60.0) << s;
  EXPECT_DOUBLE_EQ(s["rollout"]["min_ready"].get<double>(), 3.0) << s;
}

TEST(Rollout, DefaultPercentagesRoundSurgeUpAndUnavailableDown) {
  // 10 replicas, 25 % / 25 %: surge ceil(2.5) = 3, unavailable floor(2.5) = 2. 0 s: 3 new
  // start, 2 old go (8 ready), 2 more new start; 30 s: each new one ready lets an old one go
  // and one more new start (5 more); 60 s: the last 3 old go. Never fewer than 8 ready.
  const Json s = rollout(10, "");
  EXPECT_DOUBLE_EQ(mean_of(s["rollout"]["duration_s"]), 60.0) << s;
  EXPECT_DOUBLE_EQ(s["rollout"]["min_ready"].get<double>(), 8.0) << s;
}

TEST(Rollout, OneReplicaWithDefaultsSurgesOneAndKeepsItAvailable) {
  // 1 replica, 25 %: surge ceil(0.25) = 1, unavailable floor(0.25) = 0.
  const Json s = rollout(1, "");
  EXPECT_DOUBLE_EQ(mean_of(s["rollout"]["duration_s"]), 30.0) << s;
  EXPECT_DOUBLE_EQ(s["rollout"]["min_ready"].get<double>(), 1.0) << s;
}

TEST(Rollout, PercentagesThatBothRoundToZeroMakeOneUnavailable) {
  // 1 replica, surge 0 %, unavailable 50 %: both round to 0, so unavailable is 1 (Kubernetes'
  // ResolveFenceposts): the replica goes and its successor is ready 30 s later. Meanwhile no
  // replica is ready and, without an autoscaler, requests fail at once (as when every replica
  // has crashed): 30 s of 600 s.
  const Json j = run_model(R"({
    "simulation": {"duration": "600s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 5}],
    "services": {"api": {"replicas": 1, "startup_time": "30s", "steps": [{"work": "1ms"}]}},
    "faults": [{"at": "100s", "kind": "rollout", "service": "api", "max_surge": "0%",
                "max_unavailable": "50%"}]
  })");
  const Json& s = j["services"]["api"];
  EXPECT_DOUBLE_EQ(mean_of(s["rollout"]["duration_s"]), 30.0) << s;
  EXPECT_DOUBLE_EQ(s["rollout"]["min_ready"].get<double>(), 0.0) << s;
  EXPECT_NEAR(mean_of(j["workloads"]["w"]["error_rate"]), 30.0 / 600.0, 0.01) << j["workloads"];
}

TEST(Rollout, WithoutAStartUpItCompletesOnceAtItsStart) {
  // startup_time 0 (the default): every new pod is ready the instant it starts, and the rollout
  // is over at 100 s. It completes once (it counted 5 completions and logged 5 rollout_end:
  // each nested readiness re-ended it).
  Sandbox box;
  write_text(box / "m.json", R"({
    "simulation": {"duration": "200s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 5}],
    "services": {"api": {"replicas": 4, "steps": [{"work": "1ms"}]}},
    "faults": [{"at": "100s", "kind": "rollout", "service": "api"}]
  })");
  const RunResult r = box.run({"run", "m.json", "--quiet", "-o", "out.json"});
  ASSERT_EQ(r.status, 0) << r;
  // Seldom what is asked: warned.
  EXPECT_NE(r.err.find("warning: /faults/0/service: the service's startup_time is 0"),
            std::string::npos)
      << r;
  const Json j = read_json(box / "out.json");
  const Json& s = j["services"]["api"];
  EXPECT_DOUBLE_EQ(mean_of(s["rollout"]["completed"]), 1.0) << s;
  EXPECT_DOUBLE_EQ(mean_of(s["rollout"]["duration_s"]), 0.0) << s;
  int ends = 0;
  for (const Json& e : j["events"]) ends += e["kind"] == "rollout_end" ? 1 : 0;
  EXPECT_EQ(ends, 1);
}

TEST(Rollout, BusyOldReplicasFinishTheirRequests) {
  // Requests that take 20 s are in flight when their replica is replaced: the replica drains
  // (finishes them) instead of failing them, and the rollout's pace is unchanged.
  const Json j = run_model(R"({
    "simulation": {"duration": "600s", "replications": 1, "seed": 4},
    "workloads": [{"name": "w", "target": "api", "rate": 0.5}],
    "services": {"api": {"replicas": 4, "workers": 100, "startup_time": "30s",
                         "steps": [{"delay": "20s"}]}},
    "faults": [{"at": "100s", "kind": "rollout", "service": "api", "max_unavailable": 0,
                "max_surge": 1}]
  })");
  EXPECT_DOUBLE_EQ(mean_of(j["services"]["api"]["rollout"]["duration_s"]), 120.0);
  EXPECT_DOUBLE_EQ(mean_of(j["workloads"]["w"]["error_rate"]), 0.0) << j["workloads"];
}

TEST(Rollout, CutShortByTheEndItIsNotCompleted) {
  // A rollout at 580 s of a 600 s run (25 % of 4: 60 s): begun, never completed.
  const Json j = run_model(R"({
    "simulation": {"duration": "600s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 5}],
    "services": {"api": {"replicas": 4, "startup_time": "30s", "steps": [{"work": "1ms"}]}},
    "faults": [{"at": "580s", "kind": "rollout", "service": "api"}]
  })");
  const Json& r = j["services"]["api"]["rollout"];
  EXPECT_DOUBLE_EQ(mean_of(r["started_s"]), 580.0) << r;
  EXPECT_DOUBLE_EQ(mean_of(r["completed"]), 0.0) << r;
  EXPECT_TRUE(r["duration_s"]["mean"].is_null()) << r;
}

TEST(Rollout, ModelsWithoutOneReportNoRollout) {
  const Json j = run_model(R"({
    "simulation": {"duration": "60s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 5}],
    "services": {"api": {"replicas": 2, "steps": [{"work": "1ms"}]}}
  })");
  EXPECT_FALSE(j["services"]["api"].contains("rollout"));
}

// --- Bad input ---------------------------------------------------------------------------------

/// `capsim run FIXTURE`: exit 2, nothing written; returns stderr.
std::string refused(const std::string& file) {
  Sandbox box;
  const RunResult r = box.run({"run", fixture(file).string(), "-o", "out.json"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_EQ(r.out, "") << r;
  EXPECT_TRUE(box.entries().empty()) << r;
  return r.err;
}

TEST(RolloutBadInput, SurgeAndUnavailableBothZero) {
  EXPECT_NE(refused("rollout_both_zero.json")
                .find("/faults/0/max_unavailable: max_surge and max_unavailable may not both "
                      "be 0"),
            std::string::npos);
}

TEST(RolloutBadInput, UnavailableOverAHundredPercent) {
  const std::string err = refused("rollout_unavailable_over_100.json");
  EXPECT_NE(err.find("/faults/0/max_unavailable: expected a number of replicas >= 0 or a "
                     "percentage up to 100%"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find(R"(found "150%")"), std::string::npos) << err;
}

TEST(RolloutBadInput, UnknownService) {
  const std::string err = refused("rollout_unknown_service.json");
  EXPECT_NE(err.find("/faults/0/service"), std::string::npos) << err;
  EXPECT_NE(err.find("apx"), std::string::npos) << err;
}

}  // namespace
}  // namespace capsim::cli_test
