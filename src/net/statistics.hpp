#pragma once
/// \file The statistics of one replication: a collector per service and per workload, the event
/// and scale logs, the time-series windows, and the summary they become. Nothing outside the
/// collectors touches a statistic; the summary is built here and nowhere else.

#include <optional>
#include <string>
#include <vector>

#include "capsim/model/spec.hpp"
#include "capsim/stats/summary.hpp"
#include "endpoint_stats.hpp"
#include "node_stats.hpp"
#include "phase_stats.hpp"
#include "pool_stats.hpp"
#include "queue_stats.hpp"
#include "service_stats.hpp"
#include "workload_stats.hpp"

namespace capsim::net {

class Statistics {
 public:
  /// One collector per service and workload of `spec`; `timeseries`: keep windows and logs.
  Statistics(const model::Spec& spec, bool timeseries);

  ServiceStats& service(std::uint32_t i) { return services_[i]; }
  const ServiceStats& service(std::uint32_t i) const { return services_[i]; }
  WorkloadStats& workload(std::uint32_t i) { return workloads_[i]; }
  /// The collector of endpoint `endpoint` of service `service`; only with
  /// simulation.per_endpoint.
  EndpointStats& endpoint(std::uint32_t service, std::uint32_t endpoint) {
    return endpoints_[first_endpoint_[service] + endpoint];
  }
  /// Node pools and pods (models with `nodes`).
  NodeStats& nodes() { return nodes_; }
  /// The collector of connection pool `i`: the services' pools numbered in order (service by
  /// service, each service's `connection_pools` in order).
  PoolStats& pool(std::uint32_t i) { return pools_[i]; }
  /// The collector of broker `i`: the queue services numbered in the model's order.
  QueueStats& queue(std::uint32_t i) { return queues_[i]; }

  /// Logs an event of replication 0 (a crash, a breaker's state change, ...).
  void log_event(double now, const std::string& kind, const std::string& service,
                 const std::string& detail) {
    if (kind.rfind("breaker_", 0) == 0) ++counts_.breaker_transitions;
    if (timeseries_) event_log_.push_back(stats::EventRow{now, kind, service, detail});
  }
  /// Logs a change of a service's replica count by its autoscaler.
  void log_scale(stats::ScaleEventRow row) {
    ++counts_.scale_changes;
    if (timeseries_) scale_log_.push_back(std::move(row));
  }
  /// A call between services is retried (a client's retries are its workload's).
  void call_retry() {
    if (measuring_) ++counts_.call_retries;
  }
  /// A call attempt timed out (a client's timeouts are its workload's errors).
  void call_timed_out() {
    if (measuring_) ++counts_.call_timeouts;
  }
  /// A call attempt was refused by the caller's open (or half-open, full) breaker.
  void call_refused_by_breaker() {
    if (measuring_) ++counts_.breaker_refusals;
  }

  /// The warm-up ends at `now`.
  void begin_measurement(double now);
  /// Named phase `phase` (simulation.phases) begins, or ends, at `now` (phase_stats.hpp).
  void phase_boundary(std::size_t phase, bool begins, double now) {
    if (begins) {
      phases_.begin(phase, now, {workloads_, services_, endpoints_});
    } else {
      phases_.end(phase, now, {workloads_, services_, endpoints_});
    }
  }
  /// Closes the time-series window that began at `start_s`, at `now` (timeseries.cpp).
  void close_window(double start_s, double now);
  /// The replication's results at its end, `now`, after `events` events (summary.cpp).
  stats::Summary summarize(double now, std::uint64_t events);

 private:
  const model::Spec& spec_;
  bool timeseries_;
  bool fallbacks_ = false;  ///< some call has a fallback: the results count degraded answers
  bool throttles_ = false;  ///< some database has capacity units: the results count throttling
  std::vector<ServiceStats> services_;
  std::vector<WorkloadStats> workloads_;
  std::vector<stats::TimeSeriesRow> rows_;
  std::vector<stats::EventRow> event_log_;
  std::vector<stats::ScaleEventRow> scale_log_;
  stats::MechanismCounts counts_;
  bool measuring_ = false;  // after the warm-up
  PhaseStats phases_;       // named phases and per-window peaks, in every replication
  NodeStats nodes_;
  // Connection pools (pool_summary.cpp).
  std::vector<PoolStats> pools_;
  std::vector<std::uint32_t> first_pool_;  ///< per service: the index of its first pool
  void summarize_pools(stats::Summary& out, double now) const;
  // Endpoints (endpoint_summary.cpp), with simulation.per_endpoint: service by service.
  std::vector<EndpointStats> endpoints_;
  std::vector<std::uint32_t> first_endpoint_;  ///< per service: the index of its first endpoint
  void summarize_endpoints(stats::Summary& out) const;
  // Queue services' brokers (queue_summary.cpp), in the model's order.
  std::vector<QueueStats> queues_;
  void summarize_queues(stats::Summary& out, double now) const;
  /// A cache's stampede locks (cache-aside) and periodic refresh (cache_summary.cpp).
  void summarize_cache(const std::string& name, const model::CacheSpec& cache,
                       const ServiceStats& s, stats::Summary& out) const;
  /// Service `i`'s connections in use, averaged over the window ending at `now`; absent when
  /// it has no pool.
  std::optional<double> window_pools_in_use(std::size_t i, double now, double width_s);
};

}  // namespace capsim::net
