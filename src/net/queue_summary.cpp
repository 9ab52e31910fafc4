/// \file The queue services' part of a replication's summary (docs/results-format.md): per
/// broker, under services.QUEUE.queue.

#include "pool.hpp"
#include "statistics.hpp"
#include "summary_values.hpp"

namespace capsim::net {

void Statistics::summarize_queues(stats::Summary& out, double now) const {
  if (queues_.empty()) return;
  const double measured = spec_.simulation.duration_s - spec_.simulation.warmup_s;
  std::size_t k = 0;
  for (const model::ServiceSpec& ss : spec_.services) {
    if (!ss.queue) continue;
    const QueueStats& q = queues_[k++];
    auto add = [&](std::vector<std::string> path, double value,
                   stats::Merge merge = stats::Merge::estimate) {
      std::vector<std::string> full{"services", ss.name, "queue"};
      full.insert(full.end(), path.begin(), path.end());
      out.metrics.push_back(stats::Metric{std::move(full), value, merge});
    };
    add({"sent_rps"}, static_cast<double>(q.sent_) / measured);
    add({"delivered_rps"}, static_cast<double>(q.delivered_) / measured);
    add({"rejected"}, static_cast<double>(q.rejected_));
    add({"delivered"}, static_cast<double>(q.delivered_));
    add({"redeliveries"}, static_cast<double>(q.redeliveries_));
    add({"dead_lettered"}, static_cast<double>(q.dead_lettered_));
    add({"backlog", "mean"}, (q.backlog_.integral(now) - q.warm_backlog_) / measured);
    add({"backlog", "max"}, q.backlog_max_, stats::Merge::max);
    add({"backlog", "end"}, q.backlog_.value());
    add({"in_flight"}, (q.in_flight_.integral(now) - q.warm_in_flight_) / measured);
    add({"oldest_age_s", "max"}, q.oldest_age_max_s_, stats::Merge::max);
    if (ss.queue->batch_size > 1) {
      // Batches: receives (processings) and the messages each took on average.
      add({"batches"}, static_cast<double>(q.batches_));
      add({"batch_size", "mean"},
          q.batches_ > 0 ? static_cast<double>(q.batch_messages_) / static_cast<double>(q.batches_)
                         : kNaN);
    }
    const stats::Histogram& h = q.latency_;
    add({"latency_ms", "mean"}, h.count() > 0 ? h.mean() * 1e3 : kNaN);
    add({"latency_ms", "p50"}, quantile_ms(h, 0.50));
    add({"latency_ms", "p95"}, quantile_ms(h, 0.95));
    add({"latency_ms", "p99"}, quantile_ms(h, 0.99));
    add({"latency_ms", "max"}, h.count() > 0 ? h.max() * 1e3 : kNaN);
  }
}

}  // namespace capsim::net
