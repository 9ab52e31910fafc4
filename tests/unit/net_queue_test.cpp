// Queue services (docs/request-path.md#queues): a broker's backlog bound, its visibility
// timeout with redeliveries and dead letters, counted by hand on deterministic models.

#include <gtest/gtest.h>

#include <string>

#include "net_test_support.hpp"

namespace capsim::net {
namespace {

using test_support::mean;
using test_support::run_json;

/// A producer sending one message every `interval_s` (the first at `interval_s`) to queue q,
/// consumed by c (`workers` workers, constant `work`); `queue_keys` go on q.
std::string producer_queue_consumer(double interval_s, const std::string& duration, int workers,
                                    const std::string& work, const std::string& queue_keys) {
  const std::string interval = std::to_string(interval_s);
  return R"({
    "simulation": {"duration": ")" +
         duration + R"(", "replications": 2, "seed": 3},
    "workloads": [{"name": "p", "target": "q", "rate": )" +
         std::to_string(1.0 / interval_s) + R"(,
                   "interarrival": {"dist": "constant", "value": ")" +
         interval + R"(s"}}],
    "services": {
      "q": {"kind": "queue", "consumer": "c")" +
         queue_keys + R"(},
      "c": {"workers": )" +
         std::to_string(workers) + R"(, "cores": 100, "steps": [{"work": ")" + work + R"("}]}
    }
  })";
}

TEST(Queue, AMessageProcessedWithinItsVisibilityTimeoutIsDeliveredOnce) {
  // Messages at 100 s and 200 s, each processed in 2 s (< 3 s): two deliveries, no redelivery,
  // an end-to-end latency of exactly 2 s; the producer waits for nothing but the send.
  const run::Results r = run_json(producer_queue_consumer(
      100.0, "250s", 10, "2s", R"(, "visibility_timeout": "3s", "max_receives": 3)"));
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.delivered"), 2.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.redeliveries"), 0.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.dead_lettered"), 0.0);
  EXPECT_NEAR(mean(r, "services.q.queue.latency_ms.mean"), 2000.0, 1e-6);
  EXPECT_NEAR(mean(r, "workloads.p.latency_ms.mean"), 0.0, 1e-9);
  EXPECT_DOUBLE_EQ(mean(r, "services.c.wasted_work_fraction"), 0.0);
}

TEST(Queue, ProcessingLongerThanTheVisibilityTimeoutIsRedeliveredThenDeadLettered) {
  // Each message takes 10 s against a 3 s visibility timeout, max_receives 3: received at t0,
  // visible again and received at t0 + 3 s and t0 + 6 s (2 redeliveries), dead-lettered at
  // t0 + 9 s. Three processings run to their end at t0 + 10, 13 and 16 s, every one wasted.
  // Two messages (100 s and 200 s): 4 redeliveries, 2 dead letters, 6 jobs at c.
  const run::Results r = run_json(producer_queue_consumer(
      100.0, "250s", 10, "10s", R"(, "visibility_timeout": "3s", "max_receives": 3)"));
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.delivered"), 0.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.redeliveries"), 4.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.dead_lettered"), 2.0);
  EXPECT_NEAR(mean(r, "services.c.arrival_rps") * 250.0, 6.0, 1e-9);
  EXPECT_NEAR(mean(r, "services.c.throughput_rps") * 250.0, 6.0, 1e-9);
  EXPECT_DOUBLE_EQ(mean(r, "services.c.wasted_work_fraction"), 1.0);
  // Each message is received when 0, 3 and 6 s old.
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.oldest_age_s.max"), 6.0);
}

TEST(Queue, WithoutAReceiveLimitAMessageIsRedeliveredUntilAProcessingEndsInTime) {
  // 10 s of work against a 3 s timeout and no max_receives: one message (at 100 s) is
  // redelivered every 3 s until the end (150 s), never delivered: receives at 100, 103, ...,
  // 148 s (17), so 16 redeliveries and 17 jobs at c.
  const run::Results r = run_json(
      producer_queue_consumer(100.0, "150s", 100, "10s", R"(, "visibility_timeout": "3s")"));
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.redeliveries"), 16.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.dead_lettered"), 0.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.delivered"), 0.0);
  EXPECT_NEAR(mean(r, "services.c.arrival_rps") * 150.0, 17.0, 1e-9);
}

TEST(Queue, ABoundedBacklogRejectsSendsWhileFull) {
  // One send a second (1 s ... 100 s), one worker taking 10.5 s, max_backlog 2: the sends at 1,
  // 2 and 3 s are stored (one in flight, two waiting); from then on a send is stored only once
  // a completion (at 11.5, 22, ..., 95.5 s: 9 of them) has made room. Stored: 3 + 9 = 12;
  // rejected: 100 - 12 = 88; delivered: 9.
  const run::Results r = run_json(producer_queue_consumer(
      1.0, "100.5s", 1, "10.5s", R"(, "max_backlog": 2, "visibility_timeout": "1h")"));
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.rejected"), 88.0);
  EXPECT_NEAR(mean(r, "services.q.queue.sent_rps") * 100.5, 12.0, 1e-9);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.delivered"), 9.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.backlog.max"), 2.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.backlog.end"), 2.0);
  EXPECT_NEAR(mean(r, "services.q.rejected"), 0.88, 1e-12);
  // The producer sees the rejections as its requests' errors.
  EXPECT_NEAR(mean(r, "workloads.p.errors.rejected"), 0.88, 1e-12);
}

/// One message a second (from 1 s) to q, whose consumer c takes each for longer than the run
/// (one worker per replica): the queue's messages (waiting and in flight) at t are floor(t).
/// c scales on queue_messages with a target of 100 messages per replica.
std::string scaled_consumer(const std::string& autoscaling, int replicas,
                            const std::string& duration) {
  return R"({
    "simulation": {"duration": ")" +
         duration + R"(", "replications": 1, "seed": 4},
    "workloads": [{"name": "p", "target": "q", "rate": 1,
                   "interarrival": {"dist": "constant", "value": "1s"}}],
    "services": {
      "q": {"kind": "queue", "consumer": "c", "visibility_timeout": "1h"},
      "c": {"replicas": )" +
         std::to_string(replicas) + R"(, "workers": 1, "steps": [{"work": "1000s"}],
            "autoscaling": )" +
         autoscaling + R"(}
    }
  })";
}

TEST(Queue, AnHpaOnQueueMessagesAsksForCeilOfMessagesOverTheTarget) {
  // KEDA's aws-sqs-queue semantics: desired = ceil(messages / 100) once outside the 10%
  // tolerance. Syncs every 15 s: 1 -> 2 at 120 s (120 messages), 2 -> 3 at 225 s, 3 -> 4 at
  // 330 or 345 s, 4 -> 5 at 450 s, 5 -> 6 at 555 s (555 / 500 = 1.11): 6 replicas by 590 s.
  const run::Results r = run_json(scaled_consumer(
      R"({"kind": "hpa", "min": 1, "max": 20, "metric": "queue_messages", "target": 100})", 1,
      "590s"));
  EXPECT_DOUBLE_EQ(mean(r, "services.c.replicas.min"), 1.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.c.replicas.max"), 6.0);
}

TEST(Queue, KedaOnQueueMessagesScalesTheConsumerFromZero) {
  // No consumer at first: the messages wait until KEDA's poll (every 30 s) finds some and
  // activates the consumer (one replica); then ceil(120 / 100) = 2 replicas at 120 s.
  const run::Results r = run_json(scaled_consumer(
      R"({"kind": "keda", "min": 0, "max": 20, "metric": "queue_messages", "target": 100})", 0,
      "200s"));
  EXPECT_DOUBLE_EQ(mean(r, "services.c.replicas.min"), 0.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.c.replicas.max"), 2.0);
  // The one worker of the first replica keeps its message for the rest of the run: the message
  // sent at 2 s waits for the second replica, ready at 120 s (118 s old).
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.oldest_age_s.max"), 118.0);
}

TEST(Queue, AnHpaWithMinZeroScalesTheConsumerFromZeroAtItsFirstSync) {
  // minReplicas 0 with an External metric: no consumer at first; the sync at 15 s finds 15
  // messages, ceil(15 / 100) = 1 replica (an hpa, unlike keda, needs no activation poll).
  const run::Results r = run_json(scaled_consumer(
      R"({"kind": "hpa", "min": 0, "max": 20, "metric": "queue_messages", "target": 100})", 0,
      "100s"));
  EXPECT_DOUBLE_EQ(mean(r, "services.c.replicas.min"), 0.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.c.replicas.max"), 1.0);
  // One replica from 15 s to the end: 0.85 replicas on average over the 100 s.
  EXPECT_NEAR(mean(r, "services.c.replicas.mean"), 0.85, 1e-9);
}

TEST(Queue, AValueTargetScalesByTheRatioOfTheTotal) {
  // A total target of 50 messages (Kubernetes' Value): desired = ceil(messages / 50 x ready).
  // Syncs: 15, 30, 45 s: ratio 0.3, 0.6, 0.9 -> 1 (the minimum); 60 s: 1.2 -> 2; 75 s:
  // 1.5 x 2 -> 3; 90 s: 1.8 x 3 = 5.4 -> 6 (within the default policy: +max(4, 100 %)).
  const run::Results r = run_json(scaled_consumer(R"({"kind": "hpa", "min": 1, "max": 50,
      "metric": "queue_messages", "target": 50, "target_type": "value"})",
                                                  1, "100s"));
  EXPECT_DOUBLE_EQ(mean(r, "services.c.replicas.max"), 6.0);
}

TEST(Queue, AnHpaWithMinZeroScalesToZeroWhenTheQueueIsEmpty) {
  // A message every 7 s, processed in 0.5 s; syncs every 15 s with no stabilisation: an empty
  // queue asks for 0 replicas (15, 45, 75 s), a waiting message for ceil(n / 100) = 1 (30,
  // 60, 90 s). The messages sent while no replica runs wait for the next sync: the longest,
  // sent at 77 s, waits 13 s.
  const std::string model = R"({
    "simulation": {"duration": "100s", "replications": 1, "seed": 4},
    "workloads": [{"name": "p", "target": "q", "rate": 0.142857142857,
                   "interarrival": {"dist": "constant", "value": "7s"}}],
    "services": {
      "q": {"kind": "queue", "consumer": "c"},
      "c": {"replicas": 1, "workers": 10, "steps": [{"work": "500ms"}],
            "autoscaling": {"kind": "hpa", "min": 0, "max": 5, "metric": "queue_messages",
                            "target": 100,
                            "behavior": {"scale_down": {"stabilization_window": "0s"}}}}
    }
  })";
  const run::Results r = run_json(model);
  EXPECT_DOUBLE_EQ(mean(r, "services.c.replicas.min"), 0.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.c.replicas.max"), 1.0);
  EXPECT_NEAR(mean(r, "services.q.queue.oldest_age_s.max"), 13.0, 1e-6);
}

}  // namespace
}  // namespace capsim::net

namespace capsim::net {
namespace {

TEST(QueueRobustness, AnOutageOverALargeBacklogNeitherRecursesNorLosesMessages) {
  // 2,000 messages/s to a consumer that does 100/s (one worker, 10 ms): the backlog grows by
  // 1,900/s, about 190,000 at the 10 s outage at 100 s, during which every message it receives
  // fails at once and is visible again. Each failure used to pump the next message from inside
  // the failed one's end: a recursion one level per message that overflowed the stack
  // (exit 139). The consumer works 190 of the 200 s: 19,000 deliveries, 95/s.
  const run::Results r = test_support::run_json(R"({
    "simulation": {"duration": "200s", "replications": 1, "seed": 1},
    "workloads": [{"name": "p", "target": "orders", "rate": 2000}],
    "services": {"orders": {"kind": "queue", "consumer": "worker"},
                 "worker": {"replicas": 1, "workers": 1, "steps": [{"work": "10ms"}]}},
    "faults": [{"at": "100s", "kind": "outage", "service": "worker", "duration": "10s"}]
  })");
  EXPECT_NEAR(test_support::mean(r, "services.orders.queue.delivered_rps"), 95.0, 0.05);
  EXPECT_NEAR(test_support::mean(r, "services.orders.queue.sent_rps"), 2000.0, 10.0);
  EXPECT_GT(test_support::mean(r, "services.orders.queue.redeliveries"), 0.0);
}

TEST(QueueRobustness, EveryMessageOfAFailingConsumerIsDeadLetteredOnce) {
  // Every processing fails at once (the consumer's call meets an outage for the whole run) and
  // a message may be received once: each is dead-lettered at its visibility timeout, 1 s after
  // its receive. (Such messages also used to keep their slots for good, about 48 bytes each:
  // peak RSS 55.6 MB instead of 10 MB for a million of them, measured by hand.)
  const auto run = [](const char* duration) {
    return test_support::run_json(std::string(R"({
      "simulation": {"duration": ")") +
                                  duration + R"(", "replications": 1, "seed": 2},
      "workloads": [{"name": "p", "target": "q", "rate": 500}],
      "services": {"q": {"kind": "queue", "consumer": "c", "visibility_timeout": "1s",
                         "max_receives": 1},
                   "c": {"workers": 100, "cores": 100, "steps": [{"call": "down"}]},
                   "down": {"steps": [{"work": "1ms"}]}},
      "faults": [{"at": "0s", "kind": "outage", "service": "down", "duration": "1h"}]
    })");
  };
  const run::Results r = run("100s");
  // Sent at 500/s; all but the last second's are dead-lettered.
  EXPECT_NEAR(test_support::mean(r, "services.q.queue.dead_lettered"), 500.0 * 99.0, 600.0);
  EXPECT_DOUBLE_EQ(test_support::mean(r, "services.q.queue.delivered"), 0.0);
  EXPECT_LT(test_support::mean(r, "services.q.queue.in_flight"), 600.0);
}

TEST(QueueRobustness, AConsumerOfTwoQueuesSharesItsWorkersAndServesBothInTurn) {
  // Two queues of 40 messages/s each, one consumer with 2 workers of 10 ms (200/s) and no room
  // to queue: both are delivered in full and the consumer never refuses a message. Each broker
  // used to count only its own batches against the consumer's slots: the consumer took up to
  // twice its workers, refused the excess, and one queue starved.
  const run::Results r = test_support::run_json(R"({
    "simulation": {"duration": "300s", "replications": 2, "seed": 4},
    "workloads": [{"name": "a", "target": "qa", "rate": 40}, {"name": "b", "target": "qb", "rate": 40}],
    "services": {"qa": {"kind": "queue", "consumer": "worker"},
                 "qb": {"kind": "queue", "consumer": "worker"},
                 "worker": {"replicas": 1, "workers": 2, "cores": 2, "queue_capacity": 0,
                            "steps": [{"work": "10ms"}]}}
  })");
  EXPECT_NEAR(test_support::mean(r, "services.qa.queue.delivered_rps"), 40.0, 1.5);
  EXPECT_NEAR(test_support::mean(r, "services.qb.queue.delivered_rps"), 40.0, 1.5);
  EXPECT_DOUBLE_EQ(test_support::mean(r, "services.worker.rejected"), 0.0);
  EXPECT_DOUBLE_EQ(test_support::mean(r, "services.qa.queue.redeliveries"), 0.0);
  // Overloaded (150/s each against 200/s), the consumer takes its next batch from the other
  // queue in turn: each gets half of it.
  const run::Results over = test_support::run_json(R"({
    "simulation": {"duration": "300s", "replications": 2, "seed": 4},
    "workloads": [{"name": "a", "target": "qa", "rate": 150}, {"name": "b", "target": "qb", "rate": 150}],
    "services": {"qa": {"kind": "queue", "consumer": "worker"},
                 "qb": {"kind": "queue", "consumer": "worker"},
                 "worker": {"replicas": 1, "workers": 2, "cores": 2, "queue_capacity": 0,
                            "steps": [{"work": "10ms"}]}}
  })");
  EXPECT_NEAR(test_support::mean(over, "services.qa.queue.delivered_rps"), 100.0, 1.0);
  EXPECT_NEAR(test_support::mean(over, "services.qb.queue.delivered_rps"), 100.0, 1.0);
  EXPECT_DOUBLE_EQ(test_support::mean(over, "services.worker.rejected"), 0.0);
}

}  // namespace
}  // namespace capsim::net
