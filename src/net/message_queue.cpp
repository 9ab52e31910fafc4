#include "message_queue.hpp"

#include "program.hpp"

namespace capsim::net {

MessageQueues::MessageQueues(const model::Spec& spec, Clock& clock, Statistics& stats)
    : clock_(clock),
      stats_(stats),
      by_service_(spec.services.size(), kNone),
      consumer_jobs_(spec.services.size(), 0) {
  for (std::size_t i = 0; i < spec.services.size(); ++i) {
    const model::ServiceSpec& s = spec.services[i];
    if (!s.queue) continue;
    Broker b;
    b.spec = &*s.queue;
    b.service = static_cast<std::uint32_t>(i);
    const auto consumer = spec.service_index(s.queue->consumer);
    if (!consumer) throw model::ModelError(s.pointer + "/consumer", "unknown service");
    b.consumer = static_cast<std::uint32_t>(*consumer);
    b.endpoint = endpoint_index(spec.services[*consumer], s.queue->consumer_endpoint,
                                s.pointer + "/consumer_endpoint");
    by_service_[i] = static_cast<std::uint32_t>(queues_.size());
    queues_.push_back(std::move(b));
  }
}

bool MessageQueues::send(std::uint32_t queue, std::uint64_t key) {
  Broker& b = queues_[queue];
  QueueStats& st = stats_.queue(queue);
  ServiceStats& service = stats_.service(b.service);
  service.arrival();
  if (b.spec->max_backlog && static_cast<std::int64_t>(b.backlog.size()) >= *b.spec->max_backlog) {
    st.rejected();
    service.rejected();
    return false;
  }
  st.sent();
  const Ref r = messages_.acquire();
  Message& m = messages_[r.index];
  m.queue = queue;
  m.sent_s = clock_.now();
  m.key = key;
  make_visible(b, r);
  return true;
}

void MessageQueues::make_visible(Broker& b, Ref message) {
  Message& m = messages_[message.index];
  m.state = Message::State::waiting;
  const double now = clock_.now();
  m.visible_s = now;
  b.backlog.push_back(message);
  stats_.queue(by_service_[b.service]).backlog(now, 1.0);
  // The queue service's own queue_length (summary and time series) is its backlog.
  stats_.service(b.service).queued(now, 1.0);
}

std::optional<Ref> MessageQueues::receive(std::uint32_t queue, std::int64_t slots) {
  Broker& b = queues_[queue];
  if (b.backlog.empty() || consumer_jobs_[b.consumer] >= slots) return std::nullopt;
  const auto size = static_cast<std::uint32_t>(b.spec->batch_size);
  if (b.backlog.size() < size && b.spec->batch_window_s > 0.0) {
    // A short batch waits for more messages until its oldest has been visible for the window.
    const double due = messages_[b.backlog.front().index].visible_s + b.spec->batch_window_s;
    if (clock_.now() < due) {
      if (!b.window_scheduled) {
        b.window_scheduled = true;
        clock_.at(due, Event::queue_window, queue);
      }
      return std::nullopt;
    }
  }
  const Ref r = batches_.acquire();
  Batch& batch = batches_[r.index];
  batch.queue = queue;
  while (batch.size < size && !b.backlog.empty()) {
    const Ref message = b.backlog.front();
    b.backlog.pop_front();
    take(queue, b, batch, message);
  }
  ++b.jobs;
  ++consumer_jobs_[b.consumer];
  stats_.queue(queue).received_batch(batch.size);
  return r;
}

void MessageQueues::take(std::uint32_t queue, Broker& b, Batch& batch, Ref message) {
  Message& m = messages_[message.index];
  const double now = clock_.now();
  QueueStats& st = stats_.queue(queue);
  st.backlog(now, -1.0);
  st.in_flight(now, 1.0);
  st.received_at_age(now - m.sent_s);
  stats_.service(b.service).queued(now, -1.0);
  m.state = Message::State::in_flight;
  ++m.receives;
  ++m.jobs;
  batch.messages[batch.size] = message;
  batch.receives[batch.size] = m.receives;
  ++batch.size;
  if (const auto& timeout = b.spec->visibility_timeout_s) {
    b.deadlines.push_back(Deadline{now + *timeout, message, m.receives});
    if (!b.scheduled) schedule(queue);
  }
}

std::optional<std::uint64_t> MessageQueues::next_message(Ref batch) {
  Batch& b = batches_[batch.index];
  if (b.started >= b.size) return std::nullopt;
  const std::uint32_t i = b.started++;
  return sim::derive_key(messages_[b.messages[i].index].key, b.receives[i]);
}

std::uint32_t MessageQueues::processed(Ref batch, bool success) {
  const Batch& done = batches_[batch.index];
  const std::uint32_t queue = done.queue;
  Broker& b = queues_[queue];
  --b.jobs;
  if (!done.slot_released) --consumer_jobs_[b.consumer];
  // The batch succeeds or fails as a whole (no partial batch responses): a failure leaves every
  // message of it, processed or not, to its visibility timeout.
  for (std::uint32_t i = 0; i < done.size; ++i) {
    processed(b, queue, done.messages[i], done.receives[i], success);
  }
  batches_.release(batch.index);
  return queue;
}

std::uint32_t MessageQueues::release_slot(Ref batch) {
  Batch& hung = batches_[batch.index];
  if (!hung.slot_released) {
    hung.slot_released = true;
    --consumer_jobs_[queues_[hung.queue].consumer];
  }
  return hung.queue;
}

void MessageQueues::processed(Broker& b, std::uint32_t queue, Ref message, std::uint32_t receive,
                              bool success) {
  Message& m = messages_[message.index];
  --m.jobs;
  if (m.state == Message::State::in_flight && m.receives == receive) {
    if (success) {
      stats_.queue(queue).in_flight(clock_.now(), -1.0);
      stats_.queue(queue).delivered(clock_.now() - m.sent_s);
      m.state = Message::State::done;
    } else if (!b.spec->visibility_timeout_s) {
      stats_.queue(queue).in_flight(clock_.now(), -1.0);
      give_back(b, message, m);
    }
    // A failed processing does not delete the message: as with SQS, it is visible again (or
    // dead-lettered) when its visibility timeout expires.
  }
  // A stale processing (the message was received again since) wastes its work: only the
  // latest receive may delete the message, as with SQS's receipt handles.
  if (m.state == Message::State::done && m.jobs == 0) messages_.release(message.index);
}

void MessageQueues::give_back(Broker& b, Ref message, Message& m) {
  const int max = b.spec->max_receives;
  if (max > 0 && m.receives >= static_cast<std::uint32_t>(max)) {
    stats_.queue(by_service_[b.service]).dead_lettered();
    m.state = Message::State::done;
    return;
  }
  stats_.queue(by_service_[b.service]).redelivered();
  make_visible(b, message);
}

bool MessageQueues::current(const Deadline& d) const {
  const Message& m = messages_[d.message.index];
  return m.generation == d.message.generation && m.state == Message::State::in_flight &&
         m.receives == d.receive;
}

void MessageQueues::visibility_due(std::uint32_t queue) {
  Broker& b = queues_[queue];
  b.scheduled = false;
  const double now = clock_.now();
  while (!b.deadlines.empty() && b.deadlines.front().at_s <= now) {
    const Deadline d = b.deadlines.front();
    b.deadlines.pop_front();
    if (!current(d)) continue;
    Message& m = messages_[d.message.index];
    stats_.queue(queue).in_flight(now, -1.0);
    give_back(b, d.message, m);
    // Dead-lettered with no processing left (it failed before its timeout): nothing else will
    // release it. jobs > 0: the expired processing still runs and releases it when it ends.
    if (m.state == Message::State::done && m.jobs == 0) messages_.release(d.message.index);
  }
  schedule(queue);
}

void MessageQueues::schedule(std::uint32_t queue) {
  // Every receive of a broker has the same timeout, so deadlines come in receive order: one
  // calendar event for the first deadline still current replaces a timer per receive.
  Broker& b = queues_[queue];
  while (!b.deadlines.empty() && !current(b.deadlines.front())) b.deadlines.pop_front();
  if (b.deadlines.empty()) return;
  b.scheduled = true;
  clock_.at(b.deadlines.front().at_s, Event::queue_visibility, queue);
}

}  // namespace capsim::net
