/// \file A queue service (a message broker such as SQS, docs/request-path.md#queues): its
/// consumer, backlog bound, visibility timeout, receive limit and batches.

#include "model_loader.hpp"

namespace capsim::model::detail {

void ModelLoader::read_queue(const Json& value, const std::string& pointer, ServiceSpec& spec) {
  QueueSpec queue;
  queue.visibility_timeout_s = 30.0;  // SQS's default
  // A broker has no replicas, workers or cores of its own: its consumer's do the work.
  for (const char* key : {"cores", "cpu", "queue_capacity", "load_balancer", "rate_limit",
                          "drop_expired", "price_per_replica_hour"}) {
    if (find(value, key) != nullptr) {
      reader_.error(child(pointer, key),
                    "not for a queue: its consumer's replicas do the work (set it there)");
    }
  }
  if (const Json* consumer = find(value, "consumer")) {
    const std::string at = child(pointer, "consumer");
    if (const ServiceOutline* s = resolve_service(*consumer, at)) {
      if (s->name == spec.name || (s->kind_known && s->kind != ServiceKind::generic)) {
        reader_.expected(at, "the name of a service of kind generic that processes the messages",
                         *consumer);
      } else {
        queue.consumer = s->name;
        const Json* endpoint = find(value, "consumer_endpoint");
        if (auto e = resolve_endpoint(*s, endpoint, child(pointer, "consumer_endpoint"))) {
          queue.consumer_endpoint = std::move(*e);
          // The queue's messages go to its consumer: an edge of the message loops' check.
          const auto from = node(spec.name, std::string(queue_endpoint));
          const auto to = node(s->name, queue.consumer_endpoint);
          if (from && to) message_edges_.push_back({*from, CallEdge{*to, at, true}});
        }
      }
    }
  } else {
    reader_.missing(child(pointer, "consumer"),
                    "the name of the service whose workers process the messages");
  }
  if (const Json* max_backlog = find(value, "max_backlog")) {
    queue.max_backlog = reader_.integer(*max_backlog, child(pointer, "max_backlog"), 0, max_int64);
  }
  if (const Json* timeout = find(value, "visibility_timeout")) {
    queue.visibility_timeout_s =
        reader_.duration(*timeout, child(pointer, "visibility_timeout"), Sign::positive);
  }
  if (const Json* receives = find(value, "max_receives")) {
    if (const auto n = reader_.integer(*receives, child(pointer, "max_receives"), 1, max_int)) {
      queue.max_receives = static_cast<int>(*n);
    }
  }
  if (const Json* size = find(value, "batch_size")) {
    // SQS's ReceiveMessage MaxNumberOfMessages: 1 to 10.
    if (const auto n = reader_.integer(*size, child(pointer, "batch_size"), 1, 10)) {
      queue.batch_size = static_cast<int>(*n);
    }
  }
  if (const Json* window = find(value, "batch_window")) {
    if (const auto w =
            reader_.duration(*window, child(pointer, "batch_window"), Sign::non_negative)) {
      queue.batch_window_s = *w;
    }
  }
  spec.queue = std::move(queue);
  // One endpoint, "default", that enqueues: it runs no steps of its own.
  spec.endpoints.push_back(EndpointSpec{std::string(queue_endpoint), {}, pointer});
}

}  // namespace capsim::model::detail
