// The queue kind of service (docs/request-path.md#queues): its keys, their defaults, and each
// bad input refused with its JSON Pointer, what was expected and what was found.

#include <gtest/gtest.h>

#include <string>

#include "model_test_support.hpp"

namespace {

using capsim::model::Json;
using capsim::model::ServiceKind;
using capsim::model::Spec;
using model_test::error;
using model_test::load;

/// api -> orders (a queue, with these extra keys) consumed by worker.
Json with_queue_keys(const std::string& extra) {
  return Json::parse(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
    "services": {
      "api": { "steps": [ { "call": "orders", "async": true } ] },
      "orders": { "kind": "queue", "consumer": "worker")" +
                     extra + R"( },
      "worker": { "workers": 4, "steps": [ { "work": "20ms" } ] }
    }
  })");
}

TEST(ModelQueue, DefaultsAndKeys) {
  const Spec plain = load(with_queue_keys(""));
  const auto& s = plain.services[1];
  EXPECT_EQ(s.kind, ServiceKind::queue);
  ASSERT_TRUE(s.queue.has_value());
  EXPECT_EQ(s.queue->consumer, "worker");
  EXPECT_EQ(s.queue->consumer_endpoint, "default");
  EXPECT_FALSE(s.queue->max_backlog.has_value());
  EXPECT_DOUBLE_EQ(*s.queue->visibility_timeout_s, 30.0);  // SQS's default
  EXPECT_EQ(s.queue->max_receives, 0);
  EXPECT_EQ(s.queue->batch_size, 1);  // one message per receive, as before batches
  EXPECT_DOUBLE_EQ(s.queue->batch_window_s, 0.0);
  ASSERT_EQ(s.endpoints.size(), 1u);
  EXPECT_EQ(s.endpoints[0].name, "default");
  EXPECT_TRUE(s.endpoints[0].steps.empty());

  const Spec set = load(
      with_queue_keys(R"(, "max_backlog": 1000, "visibility_timeout": "2m", "max_receives": 5)"));
  const auto& q = *set.services[1].queue;
  EXPECT_EQ(*q.max_backlog, 1000);
  EXPECT_DOUBLE_EQ(*q.visibility_timeout_s, 120.0);
  EXPECT_EQ(q.max_receives, 5);

  const Spec batched = load(with_queue_keys(R"(, "batch_size": 10, "batch_window": "500ms")"));
  EXPECT_EQ(batched.services[1].queue->batch_size, 10);
  EXPECT_DOUBLE_EQ(batched.services[1].queue->batch_window_s, 0.5);
}

TEST(ModelQueue, BadInputs) {
  EXPECT_EQ(error(with_queue_keys(R"(, "max_backlog": -1)")),
            "/services/orders/max_backlog: expected an integer >= 0, found -1");
  EXPECT_EQ(error(with_queue_keys(R"(, "visibility_timeout": "0s")")),
            "/services/orders/visibility_timeout: expected a duration > 0, found \"0s\"");
  EXPECT_EQ(error(with_queue_keys(R"(, "max_receives": 0)")),
            "/services/orders/max_receives: expected an integer from 1 to 2147483647, found 0");
  EXPECT_EQ(error(with_queue_keys(R"(, "batch_size": 0)")),
            "/services/orders/batch_size: expected an integer from 1 to 10, found 0");
  EXPECT_EQ(error(with_queue_keys(R"(, "batch_size": 2.5)")),
            "/services/orders/batch_size: expected an integer from 1 to 10, found 2.5");
  EXPECT_EQ(error(with_queue_keys(R"(, "batch_window": "-2s")")),
            "/services/orders/batch_window: expected a duration >= 0, found \"-2s\"");
  EXPECT_EQ(error(with_queue_keys(R"(, "max_recieves": 3)")),
            "/services/orders/max_recieves: unknown key; did you mean 'max_receives'?");
  EXPECT_EQ(error(with_queue_keys(R"(, "workers": 3)")),
            "/services/orders/workers: only for services of kind generic or cache");
  EXPECT_EQ(error(with_queue_keys(R"(, "cores": 3)")),
            "/services/orders/cores: not for a queue: its consumer's replicas do the work (set "
            "it there)");
  EXPECT_EQ(error(with_queue_keys(R"(, "consumer_endpoint": "nope")")),
            "/services/orders/consumer_endpoint: expected an endpoint of service 'worker' "
            "(default), found \"nope\"");
}

TEST(ModelQueue, TheConsumerMustBeAGenericService) {
  Json doc = with_queue_keys("");
  doc["services"]["orders"].erase("consumer");
  EXPECT_EQ(error(doc),
            "/services/orders/consumer: missing; expected the name of the service whose workers "
            "process the messages");
  doc["services"]["orders"]["consumer"] = "orders";
  EXPECT_EQ(error(doc),
            "/services/orders/consumer: expected the name of a service of kind generic that "
            "processes the messages, found \"orders\"");
  doc["services"]["orders"]["consumer"] = "wroker";
  EXPECT_EQ(error(doc).substr(0, 40), "/services/orders/consumer: expected the ");
  // Queue keys on another kind are refused by name.
  Json other = with_queue_keys("");
  other["services"]["worker"]["consumer"] = "api";
  EXPECT_EQ(error(other), "/services/worker/consumer: only for services of kind queue");
}

TEST(ModelQueue, QueueMessagesScalingNeedsAConsumedQueue) {
  Json doc = with_queue_keys("");
  doc["services"]["worker"]["autoscaling"] =
      Json::parse(R"({"kind": "keda", "max": 10, "metric": "queue_messages", "target": 50})");
  const Spec spec = load(doc);
  EXPECT_EQ(spec.services[2].autoscaling->metrics[0].metric,
            capsim::model::ScaleMetric::queue_messages);
  EXPECT_DOUBLE_EQ(spec.services[2].autoscaling->metrics[0].target, 50.0);
  doc["services"]["api"]["autoscaling"] =
      Json::parse(R"({"kind": "hpa", "max": 10, "metric": "queue_messages", "target": 50})");
  EXPECT_EQ(error(doc),
            "/services/api/autoscaling: metric queue_messages needs a queue service whose "
            "consumer is 'api'");
  doc["services"]["api"]["autoscaling"]["target"] = 0;
  EXPECT_EQ(error(doc),
            "/services/api/autoscaling/target: expected a number > 0 of messages per replica "
            "(KEDA's queueLength), found 0");
}

TEST(ModelQueue, ClosedUsersPublishingToAQueueMustThink) {
  // A publish is answered at once: without think time the users' loop never lets time move (it
  // used to run 50,000,000 events at one instant before failing).
  Json doc = with_queue_keys("");
  doc["workloads"][0] = Json::parse(R"({"name": "u", "kind": "closed", "target": "orders",
                                        "users": 10})");
  EXPECT_EQ(error(doc),
            "/workloads/0/think_time: expected a think time above 0 for a closed workload aimed "
            "at queue 'orders' (a publish is answered at once, so users without think time "
            "would publish endlessly without simulated time passing), found none (0)");
  doc["workloads"][0]["think_time"] = "0s";
  EXPECT_NE(error(doc).find("found 0"), std::string::npos);
  doc["workloads"][0]["think_time"] = "100ms";
  EXPECT_EQ(load(doc).workloads[0].target, "orders");
  // Open arrivals at a queue, or closed users aimed at a service, are not affected.
  doc["workloads"][0]["target"] = "api";
  doc["workloads"][0].erase("think_time");
  EXPECT_EQ(load(doc).workloads[0].target, "api");
}

}  // namespace
