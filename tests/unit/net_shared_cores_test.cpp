// Shared cores (docs/nodes.md#shared-cores): pods on one node share its cores in proportion to
// their requests, each capped at its limit and at one core per job, the rest going to the busy
// ones. Closed users with no think time and constant work make every rate constant, so the
// latencies are exact; an open Poisson stream beside a saturated neighbour is an M/M/1-PS queue
// at the pod's request.

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "capsim/model/load.hpp"
#include "capsim/net/network.hpp"
#include "model_test_support.hpp"
#include "net_test_support.hpp"

namespace capsim::net {
namespace {

using model::Json;

using test_support::metric;

/// One node of 2 cores; services a and b, one pod each with `a_pod` and `b_pod` (their "pod"
/// objects, the pool added), each job 1 s of work; `a_users` and `b_users` closed users with no
/// think time.
stats::Summary two_pods(const std::string& a_pod, int a_users, const std::string& b_pod,
                        int b_users) {
  Json doc = Json::parse(R"({
    "simulation": {"duration": "100s", "warmup": "10s", "replications": 1, "seed": 1},
    "workloads": [{"name": "wa", "kind": "closed", "target": "a", "users": 1},
                  {"name": "wb", "kind": "closed", "target": "b", "users": 1}],
    "nodes": {"pools": {"p": {"cores": 2, "memory_mib": 8192, "min": 1, "max": 1}}},
    "services": {"a": {"cores": 1, "workers": 16, "steps": [{"work": "1s"}]},
                 "b": {"cores": 1, "workers": 16, "steps": [{"work": "1s"}]}}
  })");
  doc["workloads"][0]["users"] = a_users;
  doc["workloads"][1]["users"] = b_users;
  doc["services"]["a"]["pod"] = Json::parse(a_pod);
  doc["services"]["a"]["pod"]["pool"] = "p";
  doc["services"]["b"]["pod"] = Json::parse(b_pod);
  doc["services"]["b"]["pod"]["pool"] = "p";
  return simulate(model::load(doc, "."), ReplicationOptions{});
}

double latency_s(const stats::Summary& s, const char* workload) {
  return metric(s, std::string("workloads.") + workload + ".latency_ms.mean") / 1000.0;
}

TEST(SharedCores, TheLimitDefaultsToTheRequestAndALimitMakesThePoolShare) {
  Json doc = model_test::minimal_model();
  doc["nodes"] =
      Json::parse(R"({"pools": {"p": {"cores": 2, "memory_mib": 8192, "min": 1, "max": 1}}})");
  doc["services"]["api"]["pod"] = Json::parse(R"({"pool": "p", "cores": 0.5})");
  model::Spec spec = model::load(doc, ".");
  EXPECT_DOUBLE_EQ(spec.services[0].pod->cpu_limit, 0.5);
  EXPECT_FALSE(spec.nodes->pools[0].shared_cores);  // no limit: nothing shared, as before
  doc["services"]["api"]["pod"]["cpu_limit"] = 1.5;
  spec = model::load(doc, ".");
  EXPECT_DOUBLE_EQ(spec.services[0].pod->cpu_limit, 1.5);
  EXPECT_TRUE(spec.nodes->pools[0].shared_cores);
}

TEST(SharedCores, APodThatRequestsNoCoresIsBestEffortAndRunsOnWhatIsLeft) {
  // a requests 0 cores and sets no limit (BestEffort); b requests 1 and may burst to 2. One job
  // each on 2 cores: b takes its one core (a job runs on one thread), a the other: both jobs
  // take exactly 1 s. a's limit used to default to its request, 0: its jobs never finished.
  const stats::Summary s = two_pods(R"({"cores": 0})", 1, R"({"cores": 1, "cpu_limit": 2})", 1);
  EXPECT_NEAR(latency_s(s, "wa"), 1.0, 1e-9);
  EXPECT_NEAR(latency_s(s, "wb"), 1.0, 1e-9);
  Json doc = model_test::minimal_model();
  doc["nodes"] =
      Json::parse(R"({"pools": {"p": {"cores": 4, "memory_mib": 8192, "min": 1, "max": 1}}})");
  doc["services"]["api"]["pod"] = Json::parse(R"({"pool": "p", "cores": 0})");
  EXPECT_DOUBLE_EQ(model::load(doc, ".").services[0].pod->cpu_limit, 4.0);  // the node's cores
}

TEST(SharedCores, BadLimitsAreRefusedWithTheirPointer) {
  Json doc = model_test::minimal_model();
  doc["nodes"] =
      Json::parse(R"({"pools": {"p": {"cores": 2, "memory_mib": 8192, "min": 1, "max": 1}}})");
  doc["services"]["api"]["pod"] = Json::parse(R"({"pool": "p", "cores": 1, "cpu_limit": 0.5})");
  EXPECT_EQ(model_test::error(doc),
            "/services/api/pod/cpu_limit: expected a CPU limit at least the pod's request (1 "
            "cores), found 0.5");
  doc["services"]["api"]["pod"]["cpu_limit"] = 0;
  EXPECT_EQ(model_test::error(doc), "/services/api/pod/cpu_limit: expected a number > 0, found 0");
  doc["services"]["api"]["pod"]["cpu_limit"] = "2";
  EXPECT_EQ(model_test::error(doc).substr(0, 41), "/services/api/pod/cpu_limit: expected a n");
  // An HPA on cpu over a pod that requests no cores: Kubernetes computes no utilisation
  // ("missing request for cpu") and does not scale, so the model is refused.
  doc["services"]["api"]["pod"] = Json::parse(R"({"pool": "p", "cores": 0})");
  doc["services"]["api"]["autoscaling"] =
      Json::parse(R"({"kind": "hpa", "min": 1, "max": 4, "metric": "cpu", "target": 0.6})");
  EXPECT_EQ(model_test::error(doc),
            "/services/api/pod/cores: expected a CPU request above 0 for the autoscaler's cpu "
            "metric (the HPA computes utilisation over the pod's request; Kubernetes does not "
            "scale on cpu without one), found 0");
  doc["services"]["api"]["autoscaling"]["metric"] = "workers";  // another metric is fine
  EXPECT_NO_THROW(model::load(doc, "."));
}

TEST(SharedCores, APodAloneBurstsToItsLimit) {
  // a: request 1, limit 2, two jobs at a time; b idle. a gets min(limit 2, 2 jobs) = 2 cores:
  // each job runs at one core and takes 1 s (its own single core would have taken 2 s).
  const stats::Summary s =
      two_pods(R"({"cores": 1, "cpu_limit": 2})", 2, R"({"cores": 1, "cpu_limit": 2})", 0);
  EXPECT_NEAR(latency_s(s, "wa"), 1.0, 1e-9);
  EXPECT_NEAR(metric(s, "services.a.cpu_utilization"), 2.0, 1e-9);  // of its 1-core request
}

TEST(SharedCores, ALimitAtTheRequestDoesNotBurst) {
  // The same with a's limit at its request: 1 core for two jobs, 2 s each.
  const stats::Summary s =
      two_pods(R"({"cores": 1, "cpu_limit": 1})", 2, R"({"cores": 1, "cpu_limit": 2})", 0);
  EXPECT_NEAR(latency_s(s, "wa"), 2.0, 1e-9);
  EXPECT_NEAR(metric(s, "services.a.cpu_utilization"), 1.0, 1e-9);
}

TEST(SharedCores, BusyNeighboursShareInProportionToTheirRequests) {
  // Both busy with two jobs each, requests 1 and 1: a core each, 2 s per job.
  const stats::Summary even =
      two_pods(R"({"cores": 1, "cpu_limit": 2})", 2, R"({"cores": 1, "cpu_limit": 2})", 2);
  EXPECT_NEAR(latency_s(even, "wa"), 2.0, 1e-9);
  EXPECT_NEAR(latency_s(even, "wb"), 2.0, 1e-9);
  // Requests 1.5 and 0.5: a gets 1.5 cores (0.75 per job: 4/3 s), b 0.5 (0.25 per job: 4 s).
  const stats::Summary skew =
      two_pods(R"({"cores": 1.5, "cpu_limit": 2})", 2, R"({"cores": 0.5, "cpu_limit": 2})", 2);
  EXPECT_NEAR(latency_s(skew, "wa"), 4.0 / 3.0, 1e-9);
  EXPECT_NEAR(latency_s(skew, "wb"), 4.0, 1e-9);
  EXPECT_NEAR(metric(skew, "services.a.cpu_utilization"), 1.5, 1e-9);
  EXPECT_NEAR(metric(skew, "services.b.cpu_utilization"), 0.5, 1e-9);
}

TEST(SharedCores, WhatAPodCannotUseGoesToItsNeighbour) {
  // a (request 1.5) has one job: it can use one core only; b (request 0.5, limit 2) has three
  // jobs and gets the other core, twice its request: 1/3 core per job, 3 s; a's job 1 s.
  const stats::Summary s =
      two_pods(R"({"cores": 1.5, "cpu_limit": 2})", 1, R"({"cores": 0.5, "cpu_limit": 2})", 3);
  EXPECT_NEAR(latency_s(s, "wa"), 1.0, 1e-9);
  EXPECT_NEAR(latency_s(s, "wb"), 3.0, 1e-9);
  // b's limit caps it: at 0.75 it gets 0.75 of the core a leaves, 0.25 per job, 4 s.
  const stats::Summary capped =
      two_pods(R"({"cores": 1.5, "cpu_limit": 2})", 1, R"({"cores": 0.5, "cpu_limit": 0.75})", 3);
  EXPECT_NEAR(latency_s(capped, "wb"), 4.0, 1e-9);
  EXPECT_NEAR(metric(capped, "services.b.cpu_utilization"), 0.75, 1e-9);  // of its 1 core
}

TEST(SharedCores, ACrashedNeighboursCoresGoToThePodsLeft) {
  // Both pods busy with two jobs each (a core each) until b crashes at 51.5 s with two jobs
  // half done and stays down (its users stop at 51 s once their request ends, here failed by the
  // crash, so that none sends to a service that is down): a then gets 2 cores. a's busy cores
  // over the measured [11, 100]: 40.5 x 1 + 48.5 x 2 = 137.5 core-seconds over 89 s.
  Json doc = Json::parse(R"({
    "simulation": {"duration": "100s", "warmup": "11s", "replications": 1, "seed": 1},
    "workloads": [{"name": "wa", "kind": "closed", "target": "a", "users": 2},
                  {"name": "wb", "kind": "closed", "target": "b",
                   "users": {"start": 2, "stages": [{"duration": "51s", "target": 2},
                                                    {"duration": "0s", "target": 0}]}}],
    "nodes": {"pools": {"p": {"cores": 2, "memory_mib": 8192, "min": 1, "max": 1}}},
    "services": {"a": {"cores": 1, "workers": 16, "steps": [{"work": "1s"}],
                       "pod": {"pool": "p", "cores": 1, "cpu_limit": 2}},
                 "b": {"cores": 1, "workers": 16, "steps": [{"work": "1s"}],
                       "pod": {"pool": "p", "cores": 1, "cpu_limit": 2}}},
    "faults": [{"at": "51.5s", "kind": "crash", "service": "b"}]
  })");
  const stats::Summary s = simulate(model::load(doc, "."), ReplicationOptions{});
  EXPECT_NEAR(metric(s, "services.a.cpu_utilization"), 137.5 / 89.0, 1e-9);
  // b: its 1 core busy for the 40.5 s it was up (a replica down has no capacity).
  EXPECT_NEAR(metric(s, "services.b.cpu_utilization"), 1.0, 1e-9);
}

TEST(SharedCores, BesideASaturatedNeighbourAPodIsAnMM1PSQueueAtItsRequest) {
  // a: Poisson arrivals at 50/s, exponential work of mean 10 ms, request 1, limit 2. b: four
  // jobs of 1 s at all times (closed users, no think time), request 1, limit 2. Whenever a has
  // work both are busy and a gets exactly its 1-core share, split among its jobs: M/M/1-PS with
  // rho = 0.5, mean sojourn 10 ms / (1 - 0.5) = 20 ms. Alone it would burst to 2 cores.
  Json doc = Json::parse(R"({
    "simulation": {"duration": "4000s", "warmup": "20s", "replications": 1, "seed": 7},
    "workloads": [{"name": "wa", "target": "a", "rate": 50},
                  {"name": "wb", "kind": "closed", "target": "b", "users": 4}],
    "nodes": {"pools": {"p": {"cores": 2, "memory_mib": 8192, "min": 1, "max": 1}}},
    "services": {
      "a": {"cores": 1, "workers": 1000, "steps": [{"work": {"dist": "exponential", "mean": "10ms"}}],
            "pod": {"pool": "p", "cores": 1, "cpu_limit": 2}},
      "b": {"cores": 1, "workers": 16, "steps": [{"work": "1s"}],
            "pod": {"pool": "p", "cores": 1, "cpu_limit": 2}}}
  })");
  const stats::Summary s = simulate(model::load(doc, "."), ReplicationOptions{});
  // About 200,000 requests: the mean's standard error is under 1 %; allow 4 %.
  const double mean_ms = metric(s, "workloads.wa.latency_ms.mean");
  EXPECT_NEAR(mean_ms, 20.0, 0.8);
  RecordProperty("mean_ms", std::to_string(mean_ms));
  // b takes the rest: 2 cores - a's 0.5 core-seconds per second.
  EXPECT_NEAR(metric(s, "services.b.cpu_utilization"), 1.5, 0.02);
}

TEST(SharedCores, LimitsAtTheRequestsServeAsTheReplicasOwnCores) {
  // Processor sharing on a replica's own 2 cores, and the same pods sharing a 4-core node with
  // limits at their requests: the same rates, so the same latencies (same draws).
  Json doc = Json::parse(R"({
    "simulation": {"duration": "300s", "replications": 1, "seed": 5},
    "workloads": [{"name": "w", "target": "api", "rate": 150}],
    "nodes": {"pools": {"p": {"cores": 4, "memory_mib": 8192, "min": 1, "max": 1}}},
    "services": {"api": {"replicas": 2, "cores": 2, "cpu": "ps", "workers": 1000,
                         "steps": [{"work": {"dist": "exponential", "mean": "10ms"}}],
                         "pod": {"pool": "p"}}}
  })");
  const stats::Summary own = simulate(model::load(doc, "."), ReplicationOptions{});
  doc["services"]["api"]["pod"]["cpu_limit"] = 2;
  const stats::Summary shared = simulate(model::load(doc, "."), ReplicationOptions{});
  for (const char* name : {"workloads.w.latency_ms.mean", "workloads.w.latency_ms.p99",
                           "services.api.cpu_utilization"}) {
    EXPECT_NEAR(metric(shared, name), metric(own, name), 1e-9 * metric(own, name)) << name;
  }
}

TEST(SharedCores, TheHpaReadsCpuUtilisationOfThePodsRequest) {
  // Kubernetes' HPA divides the pods' CPU usage by the sum of their requests
  // (replica_calculator.go, GetResourceReplicas), so a pod bursting above its request reads
  // above 100 %. Two pods requesting 0.5 core (limit 2) on a 4-core node each run one job of
  // 1 s at a time (two closed users, no think time): each uses 1 core, 200 % of its request
  // (capsim read 100 % of the service's 1 core before). At the first sync (15 s), against a
  // target of 80 %: ratio 200 / 80 = 2.5, desired ceil(2 x 2.5) = 5 (within the default
  // scale-up limit of max(2 x 2, 2 + 4) = 6); of the service's cores it would have been
  // ceil(2 x 100 / 80) = 3.
  const model::Spec spec = model::load(Json::parse(R"({
    "simulation": {"duration": "20s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "kind": "closed", "target": "api", "users": 2}],
    "nodes": {"pools": {"p": {"cores": 4, "memory_mib": 8192, "min": 1, "max": 1}}},
    "services": {"api": {"replicas": 2, "cores": 1, "workers": 16, "steps": [{"work": "1s"}],
                         "pod": {"pool": "p", "cores": 0.5, "cpu_limit": 2},
                         "autoscaling": {"kind": "hpa", "min": 2, "max": 10, "metric": "cpu",
                                         "target": 0.8}}}
  })"),
                                       ".");
  ReplicationOptions events;
  events.timeseries = true;  // replication 0 keeps its scale events
  const stats::Summary s = simulate(spec, events);
  ASSERT_GE(s.scale_events.size(), 1u);
  EXPECT_DOUBLE_EQ(s.scale_events[0].t_s, 15.0);
  EXPECT_EQ(s.scale_events[0].from, 2);
  EXPECT_EQ(s.scale_events[0].to, 5);
  EXPECT_EQ(s.scale_events[0].reason.substr(0, 37), "cpu 2 (target 0.8) asks for 5 with 2 ");
  // Without a pod the same service reads 100 % of its own core: 3.
  Json plain = Json::parse(R"({
    "simulation": {"duration": "20s", "replications": 1, "seed": 1},
    "workloads": [{"name": "w", "kind": "closed", "target": "api", "users": 2}],
    "services": {"api": {"replicas": 2, "cores": 1, "workers": 16, "steps": [{"work": "1s"}],
                         "autoscaling": {"kind": "hpa", "min": 2, "max": 10, "metric": "cpu",
                                         "target": 0.8}}}
  })");
  const stats::Summary p = simulate(model::load(plain, "."), events);
  ASSERT_GE(p.scale_events.size(), 1u);
  EXPECT_EQ(p.scale_events[0].to, 3);
}

}  // namespace
}  // namespace capsim::net
