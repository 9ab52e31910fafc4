// Autoscaling end to end through the network: HPA, KEDA from zero, schedules, start-up delay,
// draining, cost (the algorithm on its own: hpa_algorithm_test.cpp).

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "capsim/model/load.hpp"
#include "capsim/net/network.hpp"
#include "capsim/run/replications.hpp"
#include "net_test_support.hpp"

namespace capsim::net {
namespace {

using test_support::mean;

// ---- End to end ------------------------------------------------------------------------------

model::Spec load(const std::string& text,
                 const std::vector<std::pair<std::string, std::string>>& sets = {}) {
  model::Json doc = model::Json::parse(text);
  for (const auto& [pointer, value] : sets) model::apply_override(doc, pointer + "=" + value);
  return model::load(doc, ".");
}

/// Replication 0 with its time series and scale events.
stats::Summary run0(const model::Spec& spec) {
  ReplicationOptions options;
  options.timeseries = true;
  return simulate(spec, options);
}

using test_support::metric;

struct Change {
  double t;
  int from, to;
  bool operator==(const Change&) const = default;
};

std::vector<Change> changes(const stats::Summary& s) {
  std::vector<Change> out;
  for (const stats::ScaleEventRow& e : s.scale_events) out.push_back({e.t_s, e.from, e.to});
  return out;
}

std::ostream& operator<<(std::ostream& out, const Change& c) {
  return out << "{" << c.t << " s: " << c.from << " -> " << c.to << "}";
}

TEST(Autoscaling, AStepToVeryHighLoadScalesAsFastAsTheDefaultPoliciesAllow) {
  // 10 requests/s, then 3000/s from t = 60 s; rps target 50 per replica. From the first sync that
  // sees the step, the count grows by max(100 %, 4 pods) per 15 s up to max.
  const model::Spec spec = load(R"({
    "simulation": {"duration": "150s", "replications": 1, "seed": 5},
    "workloads": [{"name": "w", "target": "api",
                   "rate": {"start": 10, "stages": [{"duration": "60s", "target": 10},
                                                    {"duration": "0s", "target": 3000}]}}],
    "services": {"api": {"cores": 1, "workers": 1000, "steps": [{"work": "5ms"}],
                         "autoscaling": {"kind": "hpa", "min": 1, "max": 40, "metric": "rps",
                                         "target": 50}}}
  })");
  const stats::Summary s = run0(spec);
  EXPECT_EQ(changes(s),
            (std::vector<Change>{{75, 1, 5}, {90, 5, 10}, {105, 10, 20}, {120, 20, 40}}));
  ASSERT_EQ(s.scale_events.size(), 4u);
  EXPECT_EQ(s.scale_events[0].metric, "rps");
  EXPECT_EQ(s.scale_events[0].policy, "scale_up policy pods 4 per 15 s");
  EXPECT_EQ(s.scale_events[1].policy, "scale_up policy percent 100 per 15 s");
  EXPECT_EQ(s.scale_events[3].policy, "scale_up policy percent 100 per 15 s");
  EXPECT_DOUBLE_EQ(metric(s, "services.api.replicas.max"), 40.0);
}

TEST(Autoscaling, AfterTheLoadDropsReplicasHoldForTheStabilizationWindow) {
  // 500/s on 10 replicas (rps target 50: ratio 1), then 40/s from t = 200 s. The sync at 195 s
  // still asks for 10; later ones ask for fewer. The count holds until that recommendation is
  // 300 s old: the first scale-down is at 495 s.
  const model::Spec spec = load(R"({
    "simulation": {"duration": "600s", "replications": 1, "seed": 9},
    "workloads": [{"name": "w", "target": "api",
                   "rate": {"start": 500, "stages": [{"duration": "200s", "target": 500},
                                                     {"duration": "0s", "target": 40}]}}],
    "services": {"api": {"replicas": 10, "cores": 1, "workers": 100, "steps": [{"work": "1ms"}],
                         "autoscaling": {"kind": "hpa", "min": 1, "max": 20, "metric": "rps",
                                         "target": 50}}}
  })");
  const stats::Summary s = run0(spec);
  ASSERT_FALSE(s.scale_events.empty());
  EXPECT_DOUBLE_EQ(s.scale_events.front().t_s, 495.0);
  EXPECT_EQ(s.scale_events.front().from, 10);
  EXPECT_LT(s.scale_events.front().to, 10);
  // The time series shows 10 ready replicas from the drop until then.
  for (const stats::TimeSeriesRow& row : s.timeseries) {
    if (row.service != "api" || row.t_s + 10.0 > 495.0) continue;
    EXPECT_DOUBLE_EQ(*row.replicas, 10.0) << "t = " << row.t_s;
    EXPECT_DOUBLE_EQ(*row.desired_replicas, 10.0) << "t = " << row.t_s;
  }
  // By the end it is down to one replica (the default policy removes up to 100 % per 15 s).
  EXPECT_EQ(s.scale_events.back().to, 1);
}

/// A service of 10 replicas under a constant, deterministic load: rps per replica = rate / 10.
/// No scale-down stabilization, so that a move either way shows at the first sync.
std::string steady(double rate) {
  return R"({
    "simulation": {"duration": "900s", "replications": 1, "seed": 3},
    "workloads": [{"name": "w", "target": "api", "rate": )" +
         std::to_string(rate) + R"(, "interarrival": {"dist": "constant", "value": 1}}],
    "services": {"api": {"replicas": 10, "cores": 1, "workers": 100, "steps": [{"work": "1ms"}],
                         "autoscaling": {"kind": "hpa", "min": 1, "max": 20, "metric": "rps",
                                         "target": 50, "behavior": {"scale_down":
                                           {"stabilization_window": 0}}}}}
  })";
}

TEST(Autoscaling, ARatioInsideTheToleranceNeverMovesTheCount) {
  for (double rate : {455.0, 500.0, 545.0}) {  // ratios 0.91, 1, 1.09
    const stats::Summary s = run0(load(steady(rate)));
    EXPECT_TRUE(s.scale_events.empty()) << "rate " << rate;
    EXPECT_DOUBLE_EQ(metric(s, "services.api.replicas.min"), 10.0);
    EXPECT_DOUBLE_EQ(metric(s, "services.api.replicas.max"), 10.0);
  }
}

TEST(Autoscaling, ARatioJustOutsideMovesItToCeilOfCurrentTimesRatio) {
  // 575/s: ratio 1.15 -> ceil(11.5) = 12 at the first sync; then 575 / 12 = 47.9 per replica,
  // ratio 0.96: it stays.
  stats::Summary s = run0(load(steady(575)));
  EXPECT_EQ(changes(s), (std::vector<Change>{{15, 10, 12}}));
  EXPECT_EQ(s.scale_events[0].metric, "rps");
  EXPECT_EQ(s.scale_events[0].reason, "rps 57.5 (target 50) asks for 12 with 10 ready");
  // 440/s: ratio 0.88 -> ceil(8.8) = 9 (no stabilization window here).
  s = run0(load(steady(440)));
  EXPECT_EQ(changes(s), (std::vector<Change>{{15, 10, 9}}));
}

/// 600 requests/s of 5 ms on 4 one-core pods (75 % busy) under an HPA on cpu at 50 %, pods
/// ready 20 s after they are asked for.
const char* kCpuStep = R"({
  "simulation": {"duration": "480s", "replications": 1, "seed": 3},
  "workloads": [{"name": "w", "target": "api", "rate": 600, "interarrival": "1s"}],
  "services": {"api": {"replicas": 4, "cores": 1, "startup_time": "20s",
                       "steps": [{"work": "5ms"}],
                       "autoscaling": {"kind": "hpa", "min": 1, "max": 40, "metric": "cpu",
                                       "target": 0.5}}}
})";

TEST(Autoscaling, OnCpuPodsReadyLessThanAMetricWindowAgoAreSetAside) {
  // 600/s of 5 ms on 4 one-core pods: 3 busy cores, 75 % against a target of 50 %. The sync at
  // 15 s asks for ceil(4 x 1.5) = 6; the two new pods are ready at 35 s (20 s start-up). At the
  // sync at 45 s the old pods read (20 x 75 % + 10 x 50 %) / 30 s = 66 % over the window
  // [15 s, 45 s]; the new pods became ready 10 s ago, less than the 30 s metric window, so
  // Kubernetes' groupPods sets their samples aside as not ready. Ratio 66 / 50 > 1 with pods not
  // ready: they count at 0, 4 x 66 / 6 = 44 %, ratio 0.88 < 1, the direction reverses: the
  // count stays 6. At 60 s the same (old pods 54 %: 4 x 54 / 6 = 36 %), from 75 s every pod
  // reads 50 %. The service's average over the window, 90 core-s / (4 x 20 + 6 x 10) = 64 %,
  // would have asked for ceil(6 x 64 / 50) = 8 and held them for the 300 s stabilization.
  const stats::Summary s = run0(load(kCpuStep));
  EXPECT_EQ(changes(s), (std::vector<Change>{{15, 4, 6}}));
  // 4 replicas until 35 s, then 6: (4 x 35 + 6 x 445) / 480.
  EXPECT_NEAR(metric(s, "services.api.replicas.mean"), (4.0 * 35 + 6.0 * 445) / 480, 1e-9);
}

TEST(Autoscaling, OnCpuANewPodsSampleCountsOnceItHasBeenReadyAWindow) {
  // The same service at 600/s from the start but with a start-up of 0 s: the pods asked for at
  // 15 s are ready at 15 s and read 50 % from then; at the sync at 45 s they have been ready
  // 30 s, a whole window, and count: every pod reads 50 %, nothing moves.
  const stats::Summary s = run0(load(
      kCpuStep, {{"/services/api/startup_time", "\"0s\""}, {"/simulation/duration", "\"200s\""}}));
  EXPECT_EQ(changes(s), (std::vector<Change>{{15, 4, 6}}));
}

TEST(Autoscaling, OnCpuAPodsInitializationPeriodStartsWhenANodeTakesIt) {
  // As above, on a node pool: the one 4-core node holds the 4 pods; the 2 asked for at 15 s are
  // Pending until a node added at the scan at 20 s is Ready at 310 s (290 s of provisioning),
  // and ready at once (no start-up). Kubernetes' StartTime is when a node runs the pod (310 s),
  // not its creation (15 s): at the sync at 315 s the two, ready 5 s ago, are set aside. The old
  // pods read (25 x 75 % + 5 x 50 %) / 30 = 70 %: with the two at 0 it is 47 %, the direction
  // reverses, the count stays 6. (Counted from their creation, past 300 s, their 5 s at 50 %
  // would have made it 90 core-s / 130 = 69 %: ceil(6 x 1.38) = 9.)
  const model::Spec spec = load(R"({
    "simulation": {"duration": "400s", "replications": 1, "seed": 3},
    "workloads": [{"name": "w", "target": "api", "rate": 600, "interarrival": "1s"}],
    "nodes": {"pools": {"p": {"cores": 4, "memory_mib": 8192, "min": 1, "max": 3,
                              "provisioning_time": "290s"}}},
    "services": {"api": {"replicas": 4, "cores": 1, "steps": [{"work": "5ms"}],
                         "pod": {"pool": "p", "cores": 1, "memory_mib": 512},
                         "autoscaling": {"kind": "hpa", "min": 1, "max": 40, "metric": "cpu",
                                         "target": 0.5}}}
  })");
  const stats::Summary s = run0(spec);
  EXPECT_EQ(changes(s), (std::vector<Change>{{15, 4, 6}}));
}

TEST(Autoscaling, ALongerStartupMakesLatencyWorseByTheHandCalculatedAmount) {
  // One replica (1 worker, 10 ms per request: 100/s) under 30/s; at 100 s the load steps to
  // 150/s. The HPA (cpu, target 0.75, max 2) asks for a second replica at the sync t_d; it serves
  // from t_d + S. Until then the backlog grows at 50/s for D = t_d + S - 100 s, to 50 D; then,
  // with round robin, the first replica gets 75/s and drains at 25/s, for 2 D. The waiting
  // summed over requests is the area of that triangle, 75 D^2, spread over all N requests.
  const std::string model = R"({
    "simulation": {"duration": "600s", "replications": 8, "seed": 11},
    "workloads": [{"name": "w", "target": "api",
                   "rate": {"start": 30, "stages": [{"duration": "100s", "target": 30},
                                                    {"duration": "0s", "target": 150}]}}],
    "services": {"api": {"cores": 1, "workers": 1, "steps": [{"work": "10ms"}],
                         "autoscaling": {"kind": "hpa", "min": 1, "max": 2, "metric": "cpu",
                                         "target": 0.75}}}
  })";
  const model::Spec fast = load(model, {{"/services/api/startup_time", "\"5s\""}});
  const model::Spec slow = load(model, {{"/services/api/startup_time", "\"35s\""}});
  const stats::Summary fast0 = run0(fast);
  const stats::Summary slow0 = run0(slow);
  ASSERT_EQ(fast0.scale_events.size(), 1u);
  ASSERT_EQ(slow0.scale_events.size(), 1u);
  const double t_d = fast0.scale_events[0].t_s;
  EXPECT_DOUBLE_EQ(slow0.scale_events[0].t_s, t_d);  // the same decision, at the same sync
  const double d_fast = t_d + 5 - 100, d_slow = t_d + 35 - 100;
  const double n = 30 * 100 + 150 * 500;
  const double predicted_ms = 75 * (d_slow * d_slow - d_fast * d_fast) / n * 1e3;
  const run::Results rf = run::run_replications(fast);
  const run::Results rs = run::run_replications(slow);
  const double measured_ms =
      mean(rs, "workloads.w.latency_ms.mean") - mean(rf, "workloads.w.latency_ms.mean");
  EXPECT_GT(measured_ms, 1000.0);
  EXPECT_NEAR(measured_ms, predicted_ms, 0.06 * predicted_ms);
}

TEST(Autoscaling, KedaScalesFromZeroAndTheFirstRequestWaitsForTheStartup) {
  // One request every 30 s, the first at t = 30 s, exactly at KEDA's first poll: it activates
  // the service, whose replica serves from 30 + 20 s. The first request waits those 20 s at the
  // balancer; the next ones find the replica ready.
  const model::Spec spec = load(R"({
    "simulation": {"duration": "100s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "fn", "rate": 0.0333333333333333333,
                   "interarrival": {"dist": "constant", "value": 30}}],
    "services": {"fn": {"cores": 1, "workers": 10, "startup_time": "20s",
                        "steps": [{"work": "5ms"}],
                        "autoscaling": {"kind": "keda", "max": 5, "metric": "rps",
                                        "target": 10}}}
  })");
  EXPECT_EQ(spec.services[0].replicas, 0);
  const stats::Summary s = run0(spec);
  ASSERT_GE(s.scale_events.size(), 1u);
  EXPECT_DOUBLE_EQ(s.scale_events[0].t_s, 30.0);
  EXPECT_EQ(s.scale_events[0].from, 0);
  EXPECT_EQ(s.scale_events[0].to, 1);
  EXPECT_EQ(s.scale_events[0].metric, "keda_activation");
  EXPECT_DOUBLE_EQ(metric(s, "workloads.w.throughput_rps") * 100, 3.0);
  EXPECT_NEAR(metric(s, "workloads.w.latency_ms.max"), 20005.0, 20005.0 * 0.005);
  EXPECT_NEAR(metric(s, "workloads.w.latency_ms.p50"), 5.0, 0.05);
  EXPECT_DOUBLE_EQ(metric(s, "services.fn.replicas.min"), 0.0);
}

TEST(Autoscaling, KedaScalesToZeroAfterTheCooldown) {
  // Requests for the first 60 s only. The last poll to see any is at 60 s; 300 s later (the
  // default cooldown) KEDA scales to zero. Requests that come while at zero would wait.
  const model::Spec spec = load(R"({
    "simulation": {"duration": "500s", "replications": 1, "seed": 2},
    "workloads": [{"name": "w", "target": "fn",
                   "rate": {"start": 5, "stages": [{"duration": "60s", "target": 5},
                                                   {"duration": "0s", "target": 0}]}}],
    "services": {"fn": {"replicas": 1, "cores": 1, "steps": [{"work": "5ms"}],
                        "price_per_replica_hour": 0.36,
                        "autoscaling": {"kind": "keda", "max": 5, "metric": "rps",
                                        "target": 10}}}
  })");
  const stats::Summary s = run0(spec);
  ASSERT_EQ(s.scale_events.size(), 1u);
  EXPECT_DOUBLE_EQ(s.scale_events[0].t_s, 360.0);
  EXPECT_EQ(s.scale_events[0].to, 0);
  EXPECT_EQ(s.scale_events[0].metric, "keda_cooldown");
  EXPECT_DOUBLE_EQ(metric(s, "services.fn.replica_seconds"), 360.0);
  EXPECT_NEAR(metric(s, "services.fn.cost"), 0.036, 1e-12);
}

TEST(Autoscaling, ScheduleSetsTheCountAtItsSteps) {
  const model::Spec spec = load(R"({
    "simulation": {"duration": "180s", "replications": 1, "seed": 1, "window": "10s"},
    "workloads": [{"name": "w", "target": "api", "rate": 20}],
    "services": {"api": {"cores": 1, "steps": [{"work": "1ms"}], "price_per_replica_hour": 1,
                         "autoscaling": {"kind": "schedule", "steps": [
                           {"at": "60s", "replicas": 4}, {"at": "2m", "replicas": 2}]}}}
  })");
  EXPECT_EQ(spec.services[0].replicas, 1);
  const stats::Summary s = run0(spec);
  EXPECT_EQ(changes(s), (std::vector<Change>{{60, 1, 4}, {120, 4, 2}}));
  EXPECT_EQ(s.scale_events[0].metric, "schedule");
  // 1 x 60 + 4 x 60 + 2 x 60 replica-seconds (an idle replica drains at once).
  EXPECT_NEAR(metric(s, "services.api.replica_seconds"), 420.0, 0.01);
  EXPECT_NEAR(metric(s, "services.api.cost"), 420.0 / 3600.0, 1e-6);
  EXPECT_NEAR(metric(s, "services.api.replicas.mean"), 420.0 / 180.0, 1e-6);
  EXPECT_DOUBLE_EQ(metric(s, "services.api.replicas.max"), 4.0);
}

TEST(Autoscaling, ScheduleIsTheMinimumOfAnHpa) {
  // A pre-scale to 5 at 60 s under a load one replica handles. The sync at 60 s sees four
  // replicas ready at that very instant, without metrics: on a scale-down they count as using
  // 100 % of the target, so it recommends (0.02 + 4 x 0.5) / 5 / 0.5 x 5 -> 5. When the schedule
  // falls back to 1 at 120 s, that recommendation holds the count until it is 300 s old.
  const model::Spec spec = load(R"({
    "simulation": {"duration": "400s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 20}],
    "services": {"api": {"cores": 1, "steps": [{"work": "1ms"}],
                         "autoscaling": {"kind": "hpa", "min": 1, "max": 10, "metric": "cpu",
                                         "target": 0.5, "schedule": [
                           {"at": "60s", "replicas": 5}, {"at": "120s", "replicas": 1}]}}}
  })");
  const stats::Summary s = run0(spec);
  EXPECT_EQ(changes(s), (std::vector<Change>{{60, 1, 5}, {360, 5, 1}}));
  ASSERT_EQ(s.scale_events.size(), 2u);
  EXPECT_EQ(s.scale_events[0].metric, "schedule");
  EXPECT_EQ(s.scale_events[1].metric, "cpu");
}

TEST(Autoscaling, RemovedReplicasFinishTheirRequests) {
  // Requests take 2 s; the schedule goes from 4 replicas to 1 while each holds work. None fails,
  // and the removed replicas are paid for until they have finished.
  const model::Spec spec = load(R"({
    "simulation": {"duration": "120s", "replications": 1, "seed": 4},
    "workloads": [{"name": "w", "target": "api", "rate": 1.5,
                   "interarrival": {"dist": "constant", "value": 1}}],
    "services": {"api": {"replicas": 4, "cores": 4, "workers": 8, "steps": [{"work": "2s"}],
                         "autoscaling": {"kind": "schedule", "steps": [
                           {"at": "60.1s", "replicas": 1}]}}}
  })");
  const stats::Summary s = run0(spec);
  EXPECT_DOUBLE_EQ(metric(s, "workloads.w.error_rate"), 0.0);
  const double seconds = metric(s, "services.api.replica_seconds");
  // Ready: 4 x 60.1 + 1 x 59.9; draining replicas add at most 2 s each.
  EXPECT_GT(seconds, 4 * 60.1 + 59.9 + 0.5);
  EXPECT_LT(seconds, 4 * 60.1 + 59.9 + 3 * 2.0 + 1e-9);
  EXPECT_NEAR(metric(s, "services.api.replicas.mean"), (4 * 60.1 + 59.9) / 120.0, 1e-9);
}

TEST(Autoscaling, SeveralMetricsTheLargestCountWins) {
  // cpu asks for little (1 ms per request); in_flight (2 s of waiting downstream) asks for more.
  const model::Spec spec = load(R"({
    "simulation": {"duration": "20s", "replications": 1, "seed": 4},
    "workloads": [{"name": "w", "target": "api", "rate": 20,
                   "interarrival": {"dist": "constant", "value": 1}}],
    "services": {
      "api": {"replicas": 2, "cores": 1, "workers": 100,
              "steps": [{"work": "1ms"}, {"call": "slow"}],
              "autoscaling": {"kind": "hpa", "max": 50, "metric": [
                {"metric": "cpu", "target": 0.5}, {"metric": "in_flight", "target": 5}]}},
      "slow": {"cores": 1000, "workers": 1000, "steps": [{"work": "2s"}]}}
  })");
  const stats::Summary s = run0(spec);
  ASSERT_FALSE(s.scale_events.empty());
  EXPECT_EQ(s.scale_events[0].metric, "in_flight");
  EXPECT_EQ(s.scale_events[0].from, 2);
  EXPECT_GT(s.scale_events[0].to, 2);
}

TEST(Autoscaling, LatencyP95IsAMetricOfTheWholeService) {
  // Deterministic arrivals every 11.1 ms on one worker busy 10 ms each: every latency is 10 ms.
  // Target 4 ms: ratio 2.5 -> ceil(2.5 x 1) = 3 at the first sync; max 3 keeps it there.
  const model::Spec spec = load(R"({
    "simulation": {"duration": "60s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 90,
                   "interarrival": {"dist": "constant", "value": 1}}],
    "services": {"api": {"cores": 1, "workers": 1, "steps": [{"work": "10ms"}],
                         "autoscaling": {"kind": "hpa", "max": 3, "metric": "latency_p95",
                                         "target": "4ms"}}}
  })");
  const stats::Summary s = run0(spec);
  EXPECT_EQ(changes(s), (std::vector<Change>{{15, 1, 3}}));
  ASSERT_EQ(s.scale_events.size(), 1u);
  EXPECT_EQ(s.scale_events[0].metric, "latency_p95");
}

TEST(Autoscaling, ACrashedReplicaIsNotReady) {
  // Two replicas at the target (cpu 0.25 each); one crashes at 60 s and stays down past the end.
  // The survivor's utilisation doubles, but the HPA counts the crashed replica as not ready
  // (0 % on a scale-up): (0.5 x 1 + 0 x 1) / 2 = 0.25, ratio 1: no change.
  const model::Spec spec = load(R"({
    "simulation": {"duration": "119s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 50,
                   "interarrival": {"dist": "constant", "value": 1}}],
    "services": {"api": {"replicas": 2, "cores": 1, "workers": 10, "steps": [{"work": "10ms"}],
                         "autoscaling": {"kind": "hpa", "max": 10, "metric": "cpu",
                                         "target": 0.25}}},
    "faults": [{"at": "60s", "kind": "crash", "service": "api", "restart_after": "60s"}]
  })");
  const stats::Summary s = run0(spec);
  EXPECT_TRUE(s.scale_events.empty());
  EXPECT_DOUBLE_EQ(metric(s, "services.api.replicas.min"), 1.0);
  EXPECT_DOUBLE_EQ(metric(s, "services.api.replica_seconds"), 2 * 119.0 - 59.0);
  for (const stats::TimeSeriesRow& row : s.timeseries) {
    if (row.service == "api") {
      EXPECT_DOUBLE_EQ(*row.desired_replicas, 2.0);
    }
  }
}

TEST(Autoscaling, ModelsWithoutAutoscalingReportPaidReplicasAsBefore) {
  const model::Spec spec = load(R"({
    "simulation": {"duration": "100s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "target": "api", "rate": 10}],
    "services": {"api": {"replicas": 3, "steps": [{"work": "1ms"}],
                         "price_per_replica_hour": 2}}
  })");
  const stats::Summary s = run0(spec);
  EXPECT_TRUE(s.scale_events.empty());
  EXPECT_DOUBLE_EQ(metric(s, "services.api.replica_seconds"), 300.0);
  EXPECT_NEAR(metric(s, "services.api.cost"), 300.0 / 3600.0 * 2, 1e-12);
  for (const stats::TimeSeriesRow& row : s.timeseries) {
    if (row.service == "api") {
      EXPECT_DOUBLE_EQ(*row.desired_replicas, 3.0);
    }
  }
}

}  // namespace
}  // namespace capsim::net
