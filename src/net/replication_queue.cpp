#include "replication.hpp"

// Queue services (docs/request-path.md#queues): the coordinator's side of the brokers. A send
// is answered at once; a receive (a batch of messages) becomes one job at the consumer whose
// parent is the batch: it runs the endpoint's steps once per message (Replication::advance).

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
  // A consumer job that fails at once (an outage, its rate limit) ends inside arrive() and asks
  // for the next message: a recursion one level per message of the backlog, which overflowed
  // the stack with a few hundred thousand waiting. The outermost call pumps instead, in the
  // order the calls came.
  pump_due_.push_back(queue);
  if (pumping_) return;
  pumping_ = true;
  for (std::size_t i = 0; i < pump_due_.size(); ++i) pump_now(pump_due_[i]);
  pump_due_.clear();
  pumping_ = false;
}

void Replication::pump_now(std::uint32_t queue) {
  const std::uint32_t consumer = queues_.consumer(queue);
  Service& c = services_[consumer];
  // The consumer's polling workers: those of its up pods, less the pods of a lost node that
  // Kubernetes has not yet marked NotReady (they are dead: they poll nothing).
  std::int64_t pollers = c.replicas.up_count();
  if (!losses_.empty()) [[unlikely]] {
    for (std::uint32_t r = 0; r < c.replicas.size(); ++r) {
      if (c.replicas[r].up && c.replicas[r].unreachable) --pollers;
    }
  }
  const std::int64_t slots = pollers * static_cast<std::int64_t>(c.spec->workers);
  while (const std::optional<Ref> batch = queues_.receive(queue, slots)) {
    const Ref job =
        new_job(&c.endpoints[queues_.endpoint(queue)], consumer, ParentKind::message, *batch, 0);
    // A message's key (its send's attempt's) is its job's origin too: a redelivery has it.
    jobs_[job.index].key = *queues_.next_message(*batch);
    jobs_[job.index].origin = jobs_[job.index].key;
    arrive(job);
  }
}

void Replication::pump_consumer(std::uint32_t service) {
  for (std::uint32_t q = 0; q < queues_.count(); ++q) {
    if (queues_.consumer(q) == service) pump(q);
  }
}

void Replication::message_processed(Ref batch, Outcome outcome) {
  const std::uint32_t queue = queues_.processed(batch, outcome == Outcome::success);
  if (!queues_.consumer_shared(queue)) {
    pump(queue);
    return;
  }
  // A consumer of several queues takes its next batch from the next of them in turn (round
  // robin), so that a queue with a backlog does not starve the others.
  const std::uint32_t n = queues_.count();
  for (std::uint32_t k = 1; k <= n; ++k) {
    const std::uint32_t q = (queue + k) % n;
    if (queues_.consumer(q) == queues_.consumer(queue)) pump(q);
  }
}

bool Replication::next_in_batch(Job& j) {
  const std::optional<std::uint64_t> key = queues_.next_message(j.parent);
  if (!key) return false;
  // The handler's loop over the batch's records: the next message runs the steps from the top.
  j.key = *key;
  j.origin = *key;
  j.step = 0;
  j.calls_drawn = false;
  j.calls_left = 0;
  j.cache_key_drawn = false;  // a cache consumer looks up this message's key, not the first's
  return true;
}

}  // namespace capsim::net
