/// \file The time series: one row per window for each workload and each service.

#include "statistics.hpp"
#include "summary_values.hpp"

namespace capsim::net {

namespace {

void set_window_percentiles(stats::TimeSeriesRow& row, const stats::Histogram& h) {
  if (h.count() == 0) return;
  static constexpr double kQs[] = {0.50, 0.95, 0.99};
  double v[3];
  h.quantiles(kQs, v);
  row.p50_ms = v[0] * 1e3;
  row.p95_ms = v[1] * 1e3;
  row.p99_ms = v[2] * 1e3;
}

}  // namespace

void Statistics::close_window(double start_s, double now) {
  const double width = now - start_s;
  phases_.window(start_s, now, workloads_, services_);
  if (!timeseries_ || width <= 0.0) return;
  for (std::size_t i = 0; i < workloads_.size(); ++i) {
    WorkloadStats& w = workloads_[i];
    stats::TimeSeriesRow row;
    row.t_s = start_s;
    row.workload = spec_.workloads[i].name;
    row.rps = static_cast<double>(w.w_finished_) / width;
    if (w.w_finished_ > 0) row.error_rate = static_cast<double>(w.w_failed_) / w.w_finished_;
    set_window_percentiles(row, w.w_latency_);
    rows_.push_back(std::move(row));
    w.w_finished_ = w.w_failed_ = 0;
    w.w_latency_.reset();
  }
  for (std::size_t i = 0; i < services_.size(); ++i) {
    ServiceStats& s = services_[i];
    stats::TimeSeriesRow row;
    row.t_s = start_s;
    row.service = spec_.services[i].name;
    row.rps = static_cast<double>(s.w_arrivals_) / width;
    set_window_percentiles(row, s.w_latency_);
    const Marks mark = s.marks(now);
    const double cap = mark.core_capacity - s.window_.core_capacity;
    if (cap > 0.0) row.cpu_utilization = (mark.busy_cores - s.window_.busy_cores) / cap;
    if (const std::optional<Marks> primary = s.primary_marks(now)) {
      // A database with read replicas: its sides apart (the mean can hide a saturated one).
      const DatabaseSides d = database_sides(s.window_, mark, s.primary_window_, *primary);
      row.primary_cpu_utilization = d.primary_cpu;
      row.read_replicas_cpu_utilization = d.read_replicas_cpu;
      s.primary_window_ = *primary;
    }
    row.queue_length = (mark.queued - s.window_.queued) / width;
    row.replicas = (mark.replicas - s.window_.replicas) / width;
    row.desired_replicas = (mark.desired - s.window_.desired) / width;
    if (const auto& memory = spec_.services[i].memory; memory && cap > 0.0) {
      row.memory_mib = (mark.memory_mib - s.window_.memory_mib) / (cap / spec_.services[i].cores);
    }
    nodes_.window(static_cast<std::uint32_t>(i), now, width, row);
    row.pool_in_use = window_pools_in_use(i, now, width);
    s.window_ = mark;
    rows_.push_back(std::move(row));
    s.w_arrivals_ = 0;
    s.w_latency_.reset();
  }
}

}  // namespace capsim::net
