// Queue services against queueing theory: Poisson producers sending to a broker whose consumer
// has c workers with exponential service form an M/M/c queue, the backlog its waiting line.

#include <gtest/gtest.h>

#include "capsim/analytic/queueing.hpp"
#include "validation_support.hpp"

namespace capsim::validation {
namespace {

TEST(Validation, QueueEndToEndLatencyIsTheMMcSojournTime) {
  // lambda 4/s, mu 1/s, c = 5 (utilisation 0.8). The consumer pulls a message whenever one of
  // its 5 workers is free, oldest first: the broker's backlog is M/M/5's queue and a message's
  // time from send to done is its sojourn time (Erlang C).
  const run::Results r = run_model(R"({
    "simulation": {"duration": "160000s", "warmup": "1000s", "replications": 10, "seed": 5,
                   "confidence": 0.99},
    "workloads": [{"name": "p", "target": "q", "rate": 4}],
    "services": {
      "q": {"kind": "queue", "consumer": "c", "visibility_timeout": "1h"},
      "c": {"workers": 5, "cores": 5, "steps": [{"work": {"dist": "exponential", "mean": "1s"}}]}
    }
  })");
  const analytic::MMc q{4.0, 1.0, 5};
  EXPECT_TRUE(covers(metric(r, "services.q.queue.latency_ms.mean"), q.mean_sojourn() * 1e3));
  EXPECT_TRUE(covers(metric(r, "services.q.queue.latency_ms.p95"), q.sojourn_quantile(0.95) * 1e3,
                     kHistogramBias));
  EXPECT_TRUE(covers(metric(r, "services.q.queue.backlog.mean"), q.mean_queue_length()));
  EXPECT_TRUE(covers(metric(r, "services.q.queue_length"), q.mean_queue_length()));
  EXPECT_TRUE(covers(metric(r, "services.c.worker_utilization"), 0.8));
  EXPECT_TRUE(covers(metric(r, "services.q.queue.delivered_rps"), 4.0));
  // A tight interval: its half-width is under 1.5% of the exact mean.
  const stats::Estimate& e = metric(r, "services.q.queue.latency_ms.mean");
  EXPECT_LT(e.ci->second - e.ci->first, 0.03 * q.mean_sojourn() * 1e3);
}

TEST(Validation, AConsumerSplitOverPodsIsStillOneMMcQueue) {
  // The same M/M/5 queue with the consumer's 5 workers on 5 pods of one worker each: the pods
  // poll, so an idle one takes the next message. Round robin (the default policy) sent each
  // message to the next pod in turn, busy or not: at utilisation 0.8 the backlog grew without
  // bound while pods idled (65 of 80 messages a second processed in a reported case).
  const run::Results r = run_model(R"({
    "simulation": {"duration": "160000s", "warmup": "1000s", "replications": 10, "seed": 5,
                   "confidence": 0.99},
    "workloads": [{"name": "p", "target": "q", "rate": 4}],
    "services": {
      "q": {"kind": "queue", "consumer": "c", "visibility_timeout": "1h"},
      "c": {"replicas": 5, "workers": 1, "cores": 1,
            "steps": [{"work": {"dist": "exponential", "mean": "1s"}}]}
    }
  })");
  const analytic::MMc q{4.0, 1.0, 5};
  EXPECT_TRUE(covers(metric(r, "services.q.queue.latency_ms.mean"), q.mean_sojourn() * 1e3));
  EXPECT_TRUE(covers(metric(r, "services.q.queue.backlog.mean"), q.mean_queue_length()));
  EXPECT_TRUE(covers(metric(r, "services.c.worker_utilization"), 0.8));
  EXPECT_TRUE(covers(metric(r, "services.q.queue.delivered_rps"), 4.0));
}

TEST(Validation, PulledMessagesSkipThePodsOfALostNode) {
  // 6 consumer pods of one worker over zones a, b, c; zone a is lost at 2 min and Kubernetes
  // takes a while to mark its pods NotReady. Only the live pods poll: a message never waits
  // behind a busy pod (each has one worker, so any wait at the consumer would be that). A dead
  // pod, the least active, was picked and the message redirected to the next pod by index.
  const run::Results r = run_model(R"({
    "simulation": { "duration": "10m", "warmup": "0s", "replications": 6, "seed": 11 },
    "workloads": [ { "name": "p", "target": "q", "rate": 3 } ],
    "nodes": { "pools": { "general": { "cores": 4, "memory_mib": 16384, "min": 3, "max": 3,
                                        "initial": 3, "zones": [ "a", "b", "c" ] } } },
    "services": {
      "q": { "kind": "queue", "consumer": "c" },
      "c": { "replicas": 6, "cores": 1, "workers": 1,
             "pod": { "pool": "general", "cores": 1, "memory_mib": 1024,
                      "topology_spread": [ { "topology": "zone", "max_skew": 1 } ] },
             "steps": [ { "work": { "dist": "exponential", "mean": "1s" } } ] } },
    "faults": [ { "at": "2m", "kind": "node_loss", "pool": "general", "zone": "a",
                  "detection": "kubernetes" } ]
  })");
  EXPECT_EQ(metric(r, "services.c.queue_length").mean, 0.0);
}

}  // namespace
}  // namespace capsim::validation
