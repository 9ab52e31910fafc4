#include "replication.hpp"

// Queue services (docs/request-path.md#queues): the coordinator's side of the brokers. A send
// is answered at once; a receive becomes a job at the consumer whose parent is the message.

namespace capsim::net {

void Replication::enqueue(Ref call, const Delivery& d, std::uint32_t connection) {
  // The broker answers the send itself: a pooled connection is back at once.
  if (connection != kNone) pools_.release(connection);
  const std::uint32_t queue = queues_.of_service(d.service);
  const bool stored = queues_.send(queue, d.key);
  attempt_returned(call, d.attempt, stored ? Outcome::success : Outcome::rejected);
  if (stored) pump(queue);
}

void Replication::pump(std::uint32_t queue) {
  const std::uint32_t consumer = queues_.consumer(queue);
  Service& c = services_[consumer];
  const std::int64_t slots =
      static_cast<std::int64_t>(c.replicas.up_count()) * static_cast<std::int64_t>(c.spec->workers);
  while (const std::optional<Receive> r = queues_.receive(queue, slots)) {
    const Ref job = new_job(&c.endpoints[queues_.endpoint(queue)], consumer, ParentKind::message,
                            r->message, r->receive);
    jobs_[job.index].key = r->key;
    arrive(job);
  }
}

void Replication::pump_consumer(std::uint32_t service) {
  for (std::uint32_t q = 0; q < queues_.count(); ++q) {
    if (queues_.consumer(q) == service) pump(q);
  }
}

void Replication::message_processed(Ref message, std::uint32_t receive, Outcome outcome) {
  pump(queues_.processed(message, receive, outcome == Outcome::success));
}

}  // namespace capsim::net
