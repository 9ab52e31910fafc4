// Queue batches (docs/request-path.md#queues): a receive takes up to batch_size messages, one
// processing on one worker that runs the endpoint's steps once per message; a short batch waits
// for its window; a failed batch leaves all its messages to their visibility timeout. Counted
// by hand on deterministic models.

#include <gtest/gtest.h>

#include <string>

#include "net_test_support.hpp"

namespace capsim::net {
namespace {

using test_support::mean;
using test_support::run_json;

/// One message a second (the first at 1 s) to q, consumed by c (`workers` workers, each message
/// `steps`); `queue_keys` go on q, `services` after c, `extra` after the services (faults).
std::string batched(const std::string& duration, int workers, const std::string& steps,
                    const std::string& queue_keys, const std::string& services = "",
                    const std::string& extra = "") {
  return R"({
    "simulation": {"duration": ")" +
         duration + R"(", "replications": 2, "seed": 5},
    "workloads": [{"name": "p", "target": "q", "rate": 1,
                   "interarrival": {"dist": "constant", "value": "1s"}}],
    "services": {
      "q": {"kind": "queue", "consumer": "c")" +
         queue_keys + R"(},
      "c": {"workers": )" +
         std::to_string(workers) + R"(, "cores": 100, "steps": )" + steps + "}" + services + "}" +
         extra + "}";
}

const char* const kWork100ms = R"([{"work": "100ms"}])";

TEST(QueueBatch, AFullBatchIsReceivedAtOnceAndItsMessagesEndTogether) {
  // batch_size 5 and a window (7.5 s) longer than it takes 5 messages to arrive: the messages
  // at 1..5 s wait until the 5th, are received together at 5 s and processed one after the
  // other (0.1 s each) on one worker: the batch ends at 5.5 s, deleting them all. Every 5 s the
  // same: 20 batches of 5 in 100.75 s, end-to-end latencies 4.5, 3.5, 2.5, 1.5 and 0.5 s (mean
  // 2.5 s, max 4.5 s), the oldest message received 4 s old.
  const run::Results r =
      run_json(batched("100.75s", 1, kWork100ms, R"(, "batch_size": 5, "batch_window": "7.5s")"));
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.delivered"), 100.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.batches"), 20.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.batch_size.mean"), 5.0);
  EXPECT_NEAR(mean(r, "services.q.queue.latency_ms.mean"), 2500.0, 1e-6);
  EXPECT_NEAR(mean(r, "services.q.queue.latency_ms.max"), 4500.0, 1e-6);
  EXPECT_NEAR(mean(r, "services.q.queue.oldest_age_s.max"), 4.0, 1e-9);
  // One processing per batch at the consumer, each 0.5 s: 20 arrivals, the worker busy 10 s.
  EXPECT_NEAR(mean(r, "services.c.arrival_rps") * 100.75, 20.0, 1e-9);
  EXPECT_NEAR(mean(r, "services.c.latency_ms.mean"), 500.0, 1e-6);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.redeliveries"), 0.0);
}

TEST(QueueBatch, AShortBatchIsReceivedWhenItsOldestMessageHasWaitedTheWindow) {
  // batch_size 10, window 3.5 s: the message sent at 1 s opens the window, which ends at 4.5 s
  // with the messages of 1, 2, 3 and 4 s: a batch of 4, ended at 4.9 s. Then 5..8 s at 8.5 s,
  // and so on every 4 s: in 102.5 s, 25 batches (the last received at 100.5 s) deliver 100
  // messages; those of 101 and 102 s still wait. Latencies 3.9, 2.9, 1.9, 0.9 s (mean 2.4 s).
  const run::Results r =
      run_json(batched("102.5s", 1, kWork100ms, R"(, "batch_size": 10, "batch_window": "3.5s")"));
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.delivered"), 100.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.batches"), 25.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.batch_size.mean"), 4.0);
  EXPECT_NEAR(mean(r, "services.q.queue.latency_ms.mean"), 2400.0, 1e-6);
  EXPECT_NEAR(mean(r, "services.q.queue.latency_ms.max"), 3900.0, 1e-6);
  EXPECT_NEAR(mean(r, "services.q.queue.oldest_age_s.max"), 3.5, 1e-9);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.backlog.end"), 2.0);
}

TEST(QueueBatch, WithoutAWindowAFreeWorkerTakesWhatIsThere) {
  // batch_size 10 and no window: a free worker receives at once whatever waits. Each message
  // (1 s apart) finds the one worker free (0.1 s per message), so every batch holds one
  // message and the latency is the 0.1 s of work: batches only fill while workers are busy.
  const run::Results r = run_json(batched("50.5s", 1, kWork100ms, R"(, "batch_size": 10)"));
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.delivered"), 50.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.batch_size.mean"), 1.0);
  EXPECT_NEAR(mean(r, "services.q.queue.latency_ms.mean"), 100.0, 1e-6);

  // Work of 3.5 s per message on one worker: the batch received at 1 s (1 message) ends at
  // 4.5 s; the messages of 2, 3 and 4 s then make a batch of 3 (10.5 s of work) that ends at
  // 15 s. So the consumer keeps up with 1 message a second only as batches grow; here the
  // worker runs at 1 / 3.5 messages a second and the backlog grows: delivered in 15.5 s: 4.
  const run::Results slow =
      run_json(batched("15.5s", 1, R"([{"work": "3.5s"}])", R"(, "batch_size": 10)"));
  EXPECT_DOUBLE_EQ(mean(slow, "services.q.queue.delivered"), 4.0);
  EXPECT_DOUBLE_EQ(mean(slow, "services.q.queue.batches"), 3.0);  // 1 s, 4.5 s, 15 s
  // Latencies: 3.5 s (sent at 1 s), then 13, 12 and 11 s (sent at 2, 3, 4 s, ended at 15 s).
  EXPECT_NEAR(mean(slow, "services.q.queue.latency_ms.mean"), (3.5 + 13 + 12 + 11) / 4 * 1e3, 1e-6);
}

TEST(QueueBatch, AFailedBatchLeavesAllItsMessagesToTheVisibilityTimeout) {
  // Each message: 0.1 s of work, then a call to d (0.1 s). d is out from 0.5 s to 5.5 s. The
  // batch of 1..5 s (received at 5 s) fails at 5.1 s on its first message's call: none of its
  // messages is deleted, all five are visible again at 5 + 10.5 = 15.5 s (5 redeliveries) and,
  // with a second worker free, received at once as a batch that ends at 16.5 s. Meanwhile the
  // batches of 6..10 s (at 10 s) and 11..15 s (at 15 s) succeed, as does 16..20 s (at 20 s). In
  // 22.5 s: 20 delivered; the first five 15.5 .. 11.5 s after their send.
  const run::Results r = run_json(batched(
      "22.5s", 2, R"([{"work": "100ms"}, {"call": "d"}])",
      R"(, "batch_size": 5, "batch_window": "7.5s", "visibility_timeout": "10.5s")",
      R"(, "d": {"workers": 10, "cores": 10, "steps": [{"work": "100ms"}]})",
      R"(, "faults": [{"at": "0.5s", "kind": "outage", "service": "d", "duration": "5s"}])"));
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.redeliveries"), 5.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.delivered"), 20.0);
  EXPECT_DOUBLE_EQ(mean(r, "services.q.queue.batches"), 5.0);
  EXPECT_NEAR(mean(r, "services.q.queue.latency_ms.max"), 15500.0, 1e-6);
  // Latencies: 15.5, 14.5, 13.5, 12.5, 11.5 s for the redelivered five; 5 .. 1 s (the batch ends 1
  // s after its receive, 0.2 s a message) for the others: 5 x 13.5 + 15 x 3.0 = 112.5 s over 20.
  EXPECT_NEAR(mean(r, "services.q.queue.latency_ms.mean"), 112.5 / 20 * 1e3, 1e-6);
  // The consumer: 5 processings, the first failed.
  EXPECT_NEAR(mean(r, "services.c.arrival_rps") * 22.5, 5.0, 1e-9);
}

TEST(QueueBatch, BatchSizeOneIsTheUnbatchedQueue) {
  // Poisson sends and exponential work: batch_size 1 (explicit) draws and measures exactly what
  // the queue without the key does, and reports no batch metrics.
  const std::string base = R"({
    "simulation": {"duration": "200s", "replications": 2, "seed": 9},
    "workloads": [{"name": "p", "target": "q", "rate": 30}],
    "services": {
      "q": {"kind": "queue", "consumer": "c"KEYS},
      "c": {"workers": 4, "steps": [{"work": {"dist": "exponential", "mean": "100ms"}}]}
    }
  })";
  auto with = [&](const std::string& keys) {
    std::string m = base;
    m.replace(m.find("KEYS"), 4, keys);
    return m;
  };
  const run::Results plain = run_json(with(""));
  const run::Results one = run_json(with(R"(, "batch_size": 1, "batch_window": "1s")"));
  for (const char* metric : {"services.q.queue.delivered", "services.q.queue.latency_ms.mean",
                             "services.q.queue.latency_ms.p99", "services.q.queue.backlog.mean",
                             "services.c.latency_ms.p95"}) {
    EXPECT_DOUBLE_EQ(mean(plain, metric), mean(one, metric)) << metric;
  }
  EXPECT_GT(mean(plain, "services.q.queue.delivered"), 1000.0);
}

}  // namespace
}  // namespace capsim::net
