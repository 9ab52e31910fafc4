#pragma once
/// \file Queue services' brokers (a message broker such as SQS, docs/request-path.md#queues): a
/// call to a queue stores a message (or is rejected when the backlog is full); the consumer
/// service pulls messages, oldest visible first, while it has a free worker slot. A message
/// whose processing has not ended within the visibility timeout is visible again and
/// redelivered (the first processing goes on, wasted); after max_receives receives a message that
/// failed or expired is dead-lettered. A receive takes up to batch_size messages at once (a
/// batch): one processing, whose end deletes them all or fails them all. The component keeps the
/// messages and the backlogs; it never touches a job or a service: the coordinator turns each
/// receive into a job.

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "capsim/model/spec.hpp"
#include "clock.hpp"
#include "pool.hpp"
#include "queue_stats.hpp"
#include "statistics.hpp"

namespace capsim::net {

/// One message of a broker. It lives until it is deleted or dead-lettered and no processing of
/// it is still running (so that a late processing still finds it).
struct Message {
  enum class State : std::uint8_t { waiting, in_flight, done };
  std::uint32_t generation = 1;
  std::uint32_t next_free = kNone;
  std::uint32_t queue = kNone;  ///< the broker's index
  State state = State::waiting;
  std::uint32_t receives = 0;  ///< receives so far; the current one's number
  std::uint32_t jobs = 0;      ///< processings still running (the current and stale ones)
  double sent_s = 0.0;
  double visible_s = 0.0;  ///< when it last became visible (sent, or given back)
  std::uint64_t key = 0;   ///< the producer's random-number key
};

/// SQS's largest ReceiveMessage MaxNumberOfMessages.
inline constexpr std::uint32_t kMaxBatch = 10;

/// The messages of one receive, handed to one processing at the consumer: message i as its
/// receive receives[i]. It lives as long as that processing.
struct Batch {
  std::uint32_t generation = 1;
  std::uint32_t next_free = kNone;
  std::uint32_t queue = kNone;
  std::uint32_t size = 0;
  std::uint32_t started = 0;  ///< messages whose processing has begun
  /// Its consumer pod was lost (Kubernetes' detection): the batch hangs there, but it no longer
  /// holds one of the consumer's slots (a dead pod does not poll).
  bool slot_released = false;
  std::array<Ref, kMaxBatch> messages{};
  std::array<std::uint32_t, kMaxBatch> receives{};
};

class MessageQueues {
 public:
  MessageQueues(const model::Spec& spec, Clock& clock, Statistics& stats);

  bool any() const { return !queues_.empty(); }
  /// The broker of service `service`, or kNone when it is not a queue.
  std::uint32_t of_service(std::uint32_t service) const { return by_service_[service]; }
  std::uint32_t service(std::uint32_t queue) const { return queues_[queue].service; }
  std::uint32_t consumer(std::uint32_t queue) const { return queues_[queue].consumer; }
  /// Whether `queue`'s consumer consumes another queue too (its slots are shared).
  bool consumer_shared(std::uint32_t queue) const {
    for (std::uint32_t q = 0; q < queues_.size(); ++q) {
      if (q != queue && queues_[q].consumer == queues_[queue].consumer) return true;
    }
    return false;
  }
  std::uint32_t endpoint(std::uint32_t queue) const { return queues_[queue].endpoint; }
  std::uint32_t count() const { return static_cast<std::uint32_t>(queues_.size()); }

  /// A producer sends a message keyed `key` to broker `queue`: false when the backlog is full
  /// (the send is rejected).
  bool send(std::uint32_t queue, std::uint64_t key);
  /// The next batch for the consumer of `queue`, whose up replicas have `slots` worker slots
  /// in all: nothing when no message waits, every slot holds a processing of this broker, or a
  /// batch short of batch_size waits for its window (an Event::queue_window is then due).
  std::optional<Ref> receive(std::uint32_t queue, std::int64_t slots);
  /// The random-number key of batch `batch`'s next message, which its processing now begins;
  /// nothing when every message of the batch has begun.
  std::optional<std::uint64_t> next_message(Ref batch);
  /// The processing of `batch` has ended (all its messages succeeded, or it failed): returns the
  /// broker's index.
  std::uint32_t processed(Ref batch, bool success);
  /// `batch` hangs on a pod of a lost node: its consumer slot is free for the live pods (the
  /// batch's messages stay in flight until its end or their visibility timeout). Returns the
  /// broker's index.
  std::uint32_t release_slot(Ref batch);
  /// Event::queue_visibility of broker `queue`: in-flight messages past their visibility
  /// timeout are visible again, or dead-lettered.
  void visibility_due(std::uint32_t queue);
  /// Event::queue_window of broker `queue`: a short batch's window may be over.
  void window_due(std::uint32_t queue) { queues_[queue].window_scheduled = false; }
  /// Messages waiting and in flight in the brokers that service `consumer` consumes.
  double messages_for(std::uint32_t consumer) const {
    double n = 0.0;
    for (std::uint32_t q = 0; q < queues_.size(); ++q) {
      if (queues_[q].consumer != consumer) continue;
      const QueueStats& st = stats_.queue(q);
      n += st.backlog_now() + st.in_flight_now();
    }
    return n;
  }
  /// Whether some message of `batch` is still in flight as the batch's receive (its processing
  /// is not wasted).
  bool current_batch(Ref batch) const {
    const Batch& b = batches_[batch.index];
    for (std::uint32_t i = 0; i < b.size; ++i) {
      const Message& m = messages_[b.messages[i].index];
      if (m.state == Message::State::in_flight && m.receives == b.receives[i]) return true;
    }
    return false;
  }

 private:
  struct Deadline {
    double at_s;
    Ref message;
    std::uint32_t receive;
  };
  struct Broker {
    const model::QueueSpec* spec = nullptr;
    std::uint32_t service = kNone;
    std::uint32_t consumer = kNone;
    std::uint32_t endpoint = 0;
    std::deque<Ref> backlog;         ///< visible messages, oldest first
    std::int64_t jobs = 0;           ///< this broker's processings running at the consumer
    std::deque<Deadline> deadlines;  ///< visibility deadlines in receive order
    bool scheduled = false;
    bool window_scheduled = false;  ///< an Event::queue_window is due
  };
  /// A message that failed or expired: visible again, or dead-lettered past max_receives.
  void give_back(Broker& b, Ref message, Message& m);
  void make_visible(Broker& b, Ref message);
  /// Receives `message` into `batch` (its next place).
  void take(std::uint32_t queue, Broker& b, Batch& batch, Ref message);
  /// A processing of `message` (its receive `receive`) has ended.
  void processed(Broker& b, std::uint32_t queue, Ref message, std::uint32_t receive, bool success);
  void schedule(std::uint32_t queue);
  bool current(const Deadline& d) const;

  Clock& clock_;
  Statistics& stats_;
  Pool<Message> messages_;
  Pool<Batch> batches_;
  std::vector<Broker> queues_;
  std::vector<std::uint32_t> by_service_;
  /// By service: the batches its queues' brokers have handed it and that still run. A consumer
  /// of several queues has one set of worker slots for them all.
  std::vector<std::int64_t> consumer_jobs_;
};

}  // namespace capsim::net
