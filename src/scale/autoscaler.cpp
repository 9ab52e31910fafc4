#include "autoscaler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "capsim/stats/format.hpp"

namespace capsim::scale {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string number_text(double x) {
  return stats::significant(x);
}

std::string metric_name(model::ScaleMetric m) {
  return std::string(model::scale_metric_name(m));
}

}  // namespace

Autoscaler::Autoscaler(const model::AutoscalingSpec& spec, int initial_replicas)
    : spec_(spec), desired_(initial_replicas) {
  if (spec.kind == model::AutoscalerKind::schedule) return;
  behavior_.emplace(spec.scale_up, spec.scale_down);
  // The controller records the count it first sees as a recommendation (t = 0 here).
  behavior_->first_seen(0.0, initial_replicas);
  tolerances_.scale_up = spec.scale_up.tolerance.value_or(spec.tolerance);
  tolerances_.scale_down = spec.scale_down.tolerance.value_or(spec.tolerance);
  sync_meter_.first_s = spec.sync_period_s;
  sync_meter_.period_s = spec.sync_period_s;
  sync_meter_.window_s = spec.metric_window_s;
  if (spec.kind == model::AutoscalerKind::keda) {
    poll_meter_.first_s = spec.polling_interval_s;
    poll_meter_.period_s = spec.polling_interval_s;
    poll_meter_.window_s = spec.metric_window_s;
  }
  const bool latency = std::any_of(spec.metrics.begin(), spec.metrics.end(), [](const auto& m) {
    return m.metric == model::ScaleMetric::latency_p95;
  });
  if (latency) {
    // The latency window is a whole number of sync periods (at least one).
    const auto slices = static_cast<std::size_t>(
        std::max(1.0, std::ceil(spec.metric_window_s / spec.sync_period_s - 1e-9)));
    latency_slices_.resize(slices);
  }
}

int Autoscaler::effective_min() const {
  const int min = std::max(spec_.min, floor_);
  // Above zero, KEDA's HPA keeps at least one replica; KEDA alone goes to zero.
  return spec_.kind == model::AutoscalerKind::keda ? std::max(1, min) : min;
}

std::optional<ScaleChange> Autoscaler::change(int to, std::string metric, std::string policy,
                                              std::string reason) const {
  if (to == desired_) return std::nullopt;
  return ScaleChange{to, std::move(metric), std::move(policy), std::move(reason)};
}

void Autoscaler::apply(const ScaleChange& c, double now) {
  const int from = desired_;
  desired_ = c.to;
  if (behavior_) behavior_->record_change(now, from, c.to);
}

std::optional<ScaleChange> Autoscaler::sync(const Snapshot& base, const Snapshot& cur,
                                            const ReplicaGroups& g, double cores, double now,
                                            const CpuSample* cpu) {
  double latency_p95 = kNaN;
  if (!latency_slices_.empty()) {
    latency_merged_.reset();
    for (const stats::Histogram& h : latency_slices_) latency_merged_.merge(h);
    if (latency_merged_.count() > 0) latency_p95 = latency_merged_.quantile(0.95);
    latency_current_ = (latency_current_ + 1) % latency_slices_.size();
    latency_slices_[latency_current_].reset();
  }
  const int min = effective_min();
  // Kubernetes' HPA does nothing while the workload has no replicas and its minimum is above 0
  // (KEDA brings it back); with minReplicas 0 (an External metric) it scales from zero.
  if (desired_ == 0 && min > 0) return std::nullopt;
  const int max = spec_.max;
  if (desired_ < min) {
    return change(min, "min", "", "below the minimum of " + std::to_string(min));
  }
  if (desired_ > max) {
    return change(max, "max", "", "above the maximum of " + std::to_string(max));
  }
  const stats::Marks& m0 = base.marks;
  const stats::Marks& m1 = cur.marks;
  const double core_seconds = m1.core_capacity - m0.core_capacity;
  const double worker_seconds = m1.worker_capacity - m0.worker_capacity;
  const double serving_seconds = core_seconds / cores;  // replica-seconds, draining too
  const double width = now - base.t;
  // rps is the balancer's: arrivals per second over the window, shared by the replicas ready
  // now (each of which has it, whenever it became ready).
  ReplicaGroups balancer = g;
  balancer.ready = g.ready + g.missing;
  balancer.missing = 0;
  bool unavailable = false;
  int best = -1;
  std::string best_text;
  model::ScaleMetric best_metric = model::ScaleMetric::cpu;
  for (const model::ScaleMetricSpec& m : spec_.metrics) {
    if (m.metric == model::ScaleMetric::queue_messages) {
      // An External metric (KEDA's aws-sqs-queue): the total, read at the sync, is valid at any
      // replica count; AverageValue (queueLength per replica, against the pods that exist:
      // the Deployment's status.replicas) or Value targets.
      const double total = cur.queue_messages;
      const int wanted = m.total_target
                             ? hpa_external_value_replicas(total, m.target, desired_,
                                                           g.ready + g.missing, tolerances_)
                             : hpa_external_average_replicas(
                                   total, m.target, g.ready + g.missing + g.unready, tolerances_);
      if (wanted > best) {
        best = wanted;
        best_metric = m.metric;
        best_text = metric_name(m.metric) + " " + number_text(total) +
                    (m.total_target ? " (target value " : " (target average value ") +
                    number_text(m.target) + ") asks for " + std::to_string(wanted);
      }
      continue;
    }
    double value = kNaN;
    switch (m.metric) {
      case model::ScaleMetric::cpu:
        if (cpu != nullptr) {
          // The pods whose samples count, each over its own serving time in the window.
          if (cpu->core_s > 0.0) value = cpu->busy_core_s / cpu->core_s;
        } else if (core_seconds > 0.0) {
          value = (m1.busy_cores - m0.busy_cores) / core_seconds;
        }
        // With a pod, of its CPU request (a pod bursting above it reads above 100 %); a request
        // equal to the cores leaves the value as it was, to the bit.
        if (cpu_request_ > 0.0 && cpu_request_ != cores) value *= cores / cpu_request_;
        break;
      case model::ScaleMetric::workers:
        if (worker_seconds > 0.0) value = (m1.busy_workers - m0.busy_workers) / worker_seconds;
        break;
      case model::ScaleMetric::in_flight:
        if (serving_seconds > 0.0) value = (m1.in_flight - m0.in_flight) / serving_seconds;
        break;
      case model::ScaleMetric::queue_length:
        if (serving_seconds > 0.0) value = (m1.queued - m0.queued) / serving_seconds;
        break;
      case model::ScaleMetric::rps:
        if (width > 0.0 && balancer.ready > 0) {
          value = static_cast<double>(cur.arrivals - base.arrivals) / width / balancer.ready;
        }
        break;
      case model::ScaleMetric::latency_p95:
        value = latency_p95;
        break;
      case model::ScaleMetric::queue_messages:  // above
        break;
      case model::ScaleMetric::memory:
        // Memory held per serving replica over the window, as a fraction of its request.
        if (serving_seconds > 0.0 && memory_request_mib_ > 0.0) {
          value = (m1.memory_mib - m0.memory_mib) / serving_seconds / memory_request_mib_;
        }
        break;
    }
    const ReplicaGroups& groups = m.metric == model::ScaleMetric::rps ? balancer
                                  : m.metric == model::ScaleMetric::cpu && cpu != nullptr
                                      ? cpu->groups
                                      : g;
    if (!std::isfinite(value) || groups.ready == 0) {
      unavailable = true;
      continue;
    }
    MetricRule rule;
    rule.target = m.target;
    rule.utilization =
        m.metric == model::ScaleMetric::cpu || m.metric == model::ScaleMetric::memory;
    rule.tolerances = tolerances_;
    const int wanted = m.metric == model::ScaleMetric::latency_p95
                           ? hpa_service_metric_replicas(value, m.target, tolerances_, groups)
                           : hpa_replicas(value, rule, groups);
    if (wanted > best) {
      best = wanted;
      best_metric = m.metric;
      best_text = metric_name(m.metric) + " " + number_text(value) + " (target " +
                  number_text(m.target) + ") asks for " + std::to_string(wanted);
    }
  }
  if (best < 0) return std::nullopt;  // no metric could be read: no change
  // A metric that cannot be read forbids scaling down (it might ask for more).
  if (unavailable && best < g.current) return std::nullopt;
  const HpaBehavior::Decision d = behavior_->decide(now, g.current, best, min, max);
  if (d.replicas == desired_) return std::nullopt;
  std::string reason = best_text + " with " + std::to_string(g.ready + g.missing) + " ready";
  if (g.unready > 0) reason += ", " + std::to_string(g.unready) + " not ready";
  if (best_metric == model::ScaleMetric::cpu && cpu != nullptr && cpu->groups.unready > g.unready) {
    // Kubernetes' groupPods: their readiness is younger than a metric window.
    reason += " (cpu of " + std::to_string(cpu->groups.unready - g.unready) +
              " left out: ready less than a metric window ago)";
  }
  if (g.missing > 0 && best_metric != model::ScaleMetric::rps) {
    reason += " (" + std::to_string(g.missing) + " without metrics yet)";
  }
  if (!d.limit.empty()) reason += "; limited by " + d.limit;
  return change(d.replicas, metric_name(best_metric), d.limit, reason);
}

std::optional<ScaleChange> Autoscaler::poll(const Snapshot& base, const Snapshot& cur, double now) {
  const double width = now - base.t;
  if (width <= 0.0) return std::nullopt;
  // The trigger: the metric's total for the service, balancer queue included.
  bool active = false;
  std::string what;
  for (const model::ScaleMetricSpec& m : spec_.metrics) {
    double total = 0.0;
    switch (m.metric) {
      case model::ScaleMetric::rps:
        total = static_cast<double>(cur.arrivals - base.arrivals) / width;
        break;
      case model::ScaleMetric::queue_length:
        total = (cur.marks.queued - base.marks.queued) / width;
        break;
      case model::ScaleMetric::in_flight:
        total = (cur.marks.in_flight - base.marks.in_flight + cur.balancer_queued -
                 base.balancer_queued) /
                width;
        break;
      case model::ScaleMetric::queue_messages:
        total = cur.queue_messages;
        break;
      default:
        continue;
    }
    if (total > spec_.activation_threshold && !active) {
      active = true;
      what = metric_name(m.metric) + " " + number_text(total) + " above the activation threshold " +
             number_text(spec_.activation_threshold);
    }
  }
  if (active) {
    last_active_s_ = now;
    if (desired_ == 0) return change(effective_min(), "keda_activation", "", what);
    return std::nullopt;
  }
  const int floor = std::max(spec_.min, floor_);
  if (desired_ > 0 && floor == 0 && now - last_active_s_ >= spec_.cooldown_period_s) {
    return change(0, "keda_cooldown", "",
                  "inactive since " + number_text(last_active_s_) + " s, cooldown_period " +
                      number_text(spec_.cooldown_period_s) + " s");
  }
  return std::nullopt;
}

std::optional<ScaleChange> Autoscaler::schedule_step(std::size_t k) {
  const model::ScheduleStepSpec& step = spec_.schedule[k];
  const std::string reason = "schedule step at " + number_text(step.at_s) +
                             " s: " + std::to_string(step.replicas) + " replicas";
  if (spec_.kind == model::AutoscalerKind::schedule) {
    return change(step.replicas, "schedule", "", reason);
  }
  // With an HPA or KEDA the schedule is a minimum: it raises the count at once; when it falls,
  // the HPA scales down as its metrics and behavior say.
  floor_ = step.replicas;
  if (floor_ == 0 && desired_ == 0) return std::nullopt;
  const int min = effective_min();
  if (desired_ < min) return change(min, "schedule", "", reason + " (minimum)");
  return std::nullopt;
}

}  // namespace capsim::scale
