/// \file The summary of a replication: every metric of the results format, from the collectors.

#include <algorithm>
#include <sstream>

#include "capsim/model/request_path.hpp"
#include "pool.hpp"
#include "statistics.hpp"
#include "summary_values.hpp"

namespace capsim::net {

namespace {

/// An HPA (or KEDA's) that scales `s` on cpu: it reads each replica's CPU apart.
bool reads_cpu(const model::ServiceSpec& s) {
  if (!s.autoscaling || s.autoscaling->kind == model::AutoscalerKind::schedule) return false;
  const auto& metrics = s.autoscaling->metrics;
  return std::any_of(metrics.begin(), metrics.end(),
                     [](const auto& m) { return m.metric == model::ScaleMetric::cpu; });
}

}  // namespace

Statistics::Statistics(const model::Spec& spec, bool timeseries)
    : spec_(spec), timeseries_(timeseries), phases_(spec), nodes_(spec) {
  services_.reserve(spec.services.size());
  for (const model::ServiceSpec& s : spec.services) {
    ServiceStats& st =
        services_.emplace_back(static_cast<double>(s.replicas), s.cores, s.workers, timeseries);
    if (s.database && s.database->read_replicas > 0) st.keep_primary_apart(s.cores, s.workers);
    if (reads_cpu(s)) st.keep_replicas_apart(static_cast<std::size_t>(s.replicas), s.cores);
  }
  workloads_.assign(spec.workloads.size(), WorkloadStats(timeseries));
  fallbacks_ = model::uses_fallbacks(spec);
  throttles_ = model::uses_capacity_units(spec);
  for (std::size_t i = 0; i < spec.services.size(); ++i) {
    const model::ServiceSpec& s = spec.services[i];
    first_pool_.push_back(static_cast<std::uint32_t>(pools_.size()));
    pools_.resize(pools_.size() + s.connection_pools.size());
    if (s.queue) queues_.emplace_back();
    // Refusals per limit only when limits are stacked (a single limit is rate_limited itself).
    if (s.rate_limits.size() > 1) services_[i].rate_limited_by_.resize(s.rate_limits.size());
  }
  if (spec.simulation.per_endpoint) {
    for (const model::ServiceSpec& s : spec.services) {
      first_endpoint_.push_back(static_cast<std::uint32_t>(endpoints_.size()));
      // A queue service's sends are answered by its broker: no requests of an endpoint.
      if (!s.queue) endpoints_.resize(endpoints_.size() + s.endpoints.size());
    }
  }
}

void Statistics::begin_measurement(double now) {
  measuring_ = true;
  for (ServiceStats& s : services_) s.begin_measurement(now);
  for (WorkloadStats& w : workloads_) w.begin_measurement(now);
  nodes_.begin_measurement(now);
  for (PoolStats& p : pools_) p.begin_measurement(now);
  for (QueueStats& q : queues_) q.begin_measurement(now);
  for (EndpointStats& e : endpoints_) e.begin_measurement();
}

stats::Summary Statistics::summarize(double now, std::uint64_t events) {
  stats::Summary out;
  const double measured = spec_.simulation.duration_s - spec_.simulation.warmup_s;
  out.measured_s = measured;
  out.events = events;
  auto add = [&out](std::vector<std::string> path, double value,
                    stats::Merge merge = stats::Merge::estimate) {
    out.metrics.push_back(stats::Metric{std::move(path), value, merge});
  };
  for (std::size_t i = 0; i < workloads_.size(); ++i) {
    const WorkloadStats& w = workloads_[i];
    const model::WorkloadSpec& ws = spec_.workloads[i];
    const std::string& n = ws.name;
    add({"workloads", n, "offered_rps"}, w.offered_ / measured);
    add({"workloads", n, "throughput_rps"}, w.finished_ / measured);
    const auto ok = w.outcomes_[static_cast<int>(Outcome::success)];
    add({"workloads", n, "goodput_rps"}, ok / measured);
    add({"workloads", n, "error_rate"}, ratio(static_cast<double>(w.finished_ - ok), w.finished_));
    for (Outcome o : {Outcome::timeout, Outcome::rejected, Outcome::rate_limited,
                      Outcome::circuit_open, Outcome::error}) {
      add({"workloads", n, "errors", outcome_name(o)},
          ratio(static_cast<double>(w.outcomes_[static_cast<int>(o)]), w.finished_));
    }
    if (throttles_) {
      const auto throttled = w.outcomes_[static_cast<int>(Outcome::throttled)];
      add({"workloads", n, "errors", "throttled"},
          ratio(static_cast<double>(throttled), w.finished_));
    }
    if (fallbacks_) {
      add({"workloads", n, "degraded_rate"}, ratio(static_cast<double>(w.degraded_), w.finished_));
    }
    add({"workloads", n, "attempts_per_request"},
        ratio(static_cast<double>(w.attempts_), w.finished_));
    add({"workloads", n, "retries_rps"}, w.retries_ / measured);
    const stats::Histogram& h = w.latency_;
    add({"workloads", n, "latency_ms", "mean"}, h.count() > 0 ? h.mean() * 1e3 : kNaN);
    add({"workloads", n, "latency_ms", "p50"}, quantile_ms(h, 0.50));
    add({"workloads", n, "latency_ms", "p90"}, quantile_ms(h, 0.90));
    add({"workloads", n, "latency_ms", "p95"}, quantile_ms(h, 0.95));
    add({"workloads", n, "latency_ms", "p99"}, quantile_ms(h, 0.99));
    add({"workloads", n, "latency_ms", "p999"}, quantile_ms(h, 0.999));
    add({"workloads", n, "latency_ms", "max"}, h.count() > 0 ? h.max() * 1e3 : kNaN);
    if (ws.kind == model::WorkloadKind::closed) {
      add({"workloads", n, "users"}, (w.users_.integral(now) - w.users_warm_) / measured);
    }
  }
  for (std::size_t i = 0; i < services_.size(); ++i) {
    const ServiceStats& s = services_[i];
    const model::ServiceSpec& ss = spec_.services[i];
    const std::string& n = ss.name;
    add({"services", n, "arrival_rps"}, s.arrivals_ / measured);
    add({"services", n, "throughput_rps"}, s.completions_ / measured);
    const Marks m = s.marks(now);
    const Marks& warm = s.warm_;
    add({"services", n, "cpu_utilization"},
        ratio(m.busy_cores - warm.busy_cores, m.core_capacity - warm.core_capacity));
    add({"services", n, "worker_utilization"},
        ratio(m.busy_workers - warm.busy_workers, m.worker_capacity - warm.worker_capacity));
    if (const std::optional<Marks> primary = s.primary_marks(now)) {
      // A database with read replicas: writes on the primary, reads on the read replicas, so the
      // service's mean can hide a saturated side (docs/results-format.md).
      const DatabaseSides d = database_sides(warm, m, s.primary_warm_, *primary);
      add({"services", n, "primary", "cpu_utilization"}, d.primary_cpu);
      add({"services", n, "primary", "worker_utilization"}, d.primary_workers);
      add({"services", n, "read_replicas", "cpu_utilization"}, d.read_replicas_cpu);
      add({"services", n, "read_replicas", "worker_utilization"}, d.read_replicas_workers);
    }
    add({"services", n, "queue_length"}, (m.queued - warm.queued) / measured);
    add({"services", n, "in_flight"}, (m.in_flight - warm.in_flight) / measured);
    add({"services", n, "replicas", "mean"}, (m.replicas - warm.replicas) / measured);
    add({"services", n, "replicas", "min"}, s.replicas_min_, stats::Merge::min);
    add({"services", n, "replicas", "max"}, s.replicas_max_, stats::Merge::max);
    // What is paid for: replicas starting, ready or draining.
    const double replica_seconds = m.provisioned - warm.provisioned;
    add({"services", n, "replica_seconds"}, replica_seconds);
    // Replicas and capacity units (docs/capacity-units.md), each when it has a price.
    const std::optional<double> units_cost =
        model::capacity_units_cost(ss, measured, s.read_units_, s.write_units_);
    if (ss.price_per_replica_hour || units_cost) {
      double cost = units_cost.value_or(0.0);
      if (ss.price_per_replica_hour) cost += replica_seconds / 3600.0 * *ss.price_per_replica_hour;
      add({"services", n, "cost"}, cost);
    }
    if (ss.memory) {
      // Per serving replica (ready or draining), time-averaged; the peak of any one replica.
      const double serving_s = (m.core_capacity - warm.core_capacity) / ss.cores;
      const double mean_mib = ratio(m.memory_mib - warm.memory_mib, serving_s);
      add({"services", n, "memory", "mean_mib"}, mean_mib);
      add({"services", n, "memory", "max_mib"}, s.memory_max_mib_, stats::Merge::max);
      add({"services", n, "memory", "utilization"}, mean_mib / ss.memory->request_mib);
      add({"services", n, "memory", "oom_kills"}, static_cast<double>(s.oom_kills_));
    }
    if (spec_.rolls_out(n)) {
      // Rollouts (docs/rollouts.md): absolute times, warm-up included; NaN when none started
      // (or completed) before the end.
      const bool started = s.rollouts_started_ > 0;
      const bool done = s.rollouts_completed_ > 0;
      add({"services", n, "rollout", "started_s"}, started ? s.rollout_first_started_s_ : kNaN);
      add({"services", n, "rollout", "ended_s"}, done ? s.rollout_last_ended_s_ : kNaN);
      add({"services", n, "rollout", "duration_s"}, done ? s.rollout_max_duration_s_ : kNaN);
      add({"services", n, "rollout", "completed"},
          ratio(static_cast<double>(s.rollouts_completed_), s.rollouts_started_));
      add({"services", n, "rollout", "min_ready"}, started ? s.rollout_min_ready_ : kNaN,
          stats::Merge::min);
    }
    add({"services", n, "rejected"}, ratio(static_cast<double>(s.rejected_), s.arrivals_));
    add({"services", n, "rate_limited"}, ratio(static_cast<double>(s.rate_limited_), s.arrivals_));
    for (std::size_t k = 0; k < s.rate_limited_by_.size(); ++k) {
      // Stacked limits: the fraction of arrivals each refused (the first that refused them).
      add({"services", n, "rate_limited_by", std::to_string(k)},
          ratio(static_cast<double>(s.rate_limited_by_[k]), s.arrivals_));
    }
    if (std::any_of(ss.rate_limits.begin(), ss.rate_limits.end(),
                    [](const model::RateLimitSpec& l) { return l.per_client; })) {
      // Distinct clients refused at least once after the warm-up.
      add({"services", n, "rate_limited_clients"}, static_cast<double>(s.clients_limited_));
    }
    if (ss.database && ss.database->capacity_units) {
      const auto throttled = static_cast<double>(s.throttled_);
      add({"services", n, "capacity_units", "throttled"}, ratio(throttled, s.arrivals_));
      add({"services", n, "capacity_units", "throttled_rps"}, throttled / measured);
      add({"services", n, "capacity_units", "read_units_per_s"}, s.read_units_ / measured);
      add({"services", n, "capacity_units", "write_units_per_s"}, s.write_units_ / measured);
      if (units_cost) add({"services", n, "capacity_units", "cost"}, *units_cost);
    }
    if (ss.drop_expired) {
      add({"services", n, "dropped"}, ratio(static_cast<double>(s.dropped_), s.arrivals_));
    }
    add({"services", n, "wait_ms", "mean"}, s.wait_.count() > 0 ? s.wait_.mean() * 1e3 : kNaN);
    add({"services", n, "wait_ms", "p99"}, quantile_ms(s.wait_, 0.99));
    if (ss.cache) {
      add({"services", n, "hit_ratio"},
          ratio(static_cast<double>(s.cache_hits_), s.cache_lookups_));
      summarize_cache(n, *ss.cache, s, out);
    }
    if (ss.database) {
      double requests = 0.0;
      for (const WorkloadStats& w : workloads_) requests += w.offered_;
      add({"services", n, "queries_per_request"}, ratio(s.arrivals_, requests));
    }
    if (fallbacks_) {
      add({"services", n, "degraded_rate"},
          ratio(static_cast<double>(s.degraded_), s.completions_));
      add({"services", n, "fallback_rps"}, s.fallbacks_ / measured);
    }
    add({"services", n, "wasted_work_fraction"}, ratio(s.work_wasted_s_, s.work_total_s_));
    const stats::Histogram& h = s.latency_;
    add({"services", n, "latency_ms", "mean"}, h.count() > 0 ? h.mean() * 1e3 : kNaN);
    add({"services", n, "latency_ms", "p50"}, quantile_ms(h, 0.50));
    add({"services", n, "latency_ms", "p95"}, quantile_ms(h, 0.95));
    add({"services", n, "latency_ms", "p99"}, quantile_ms(h, 0.99));
    add({"services", n, "saturated"}, s.saturated_at_s_ ? 1.0 : 0.0, stats::Merge::max);
    if (s.saturated_at_s_) {
      std::ostringstream msg;
      msg << "service '" << n << "' saturated at t = " << *s.saturated_at_s_ << " s: more than "
          << spec_.simulation.max_queue
          << " requests queued (simulation.max_queue); later arrivals were rejected";
      out.notices.push_back(msg.str());
    }
  }
  phases_.summarize(
      now, {workloads_, services_, endpoints_},
      [&add](std::vector<std::string> path, double value) { add(std::move(path), value); });
  nodes_.summarize(now, measured, out.metrics);
  summarize_pools(out, now);
  summarize_queues(out, now);
  summarize_endpoints(out);
  out.timeseries = std::move(rows_);
  out.event_log = std::move(event_log_);
  out.scale_events = std::move(scale_log_);
  out.counts = counts_;
  return out;
}

}  // namespace capsim::net
