#pragma once
/// \file What is measured of the node pools and of the pods' scheduling (docs/nodes.md): nodes
/// per pool over time (what is paid: provisioning, Ready and draining nodes), the pods' requests
/// on them, scale-ups and scale-downs, pending pods per service and each new pod's time to
/// ready (its creation, the autoscaler's decision, to Ready). Empty for models without nodes.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "capsim/model/spec.hpp"
#include "capsim/stats/summary.hpp"
#include "capsim/stats/time_weighted.hpp"

namespace capsim::net {

class NodeStats {
 public:
  explicit NodeStats(const model::Spec& spec) : spec_(spec) {
    if (!spec.nodes) return;
    for (const model::NodePoolSpec& p : spec.nodes->pools) {
      PoolStats ps;
      ps.nodes = stats::TimeWeighted(p.initial_nodes);
      ps.nodes_max = p.initial_nodes;
      pools_.push_back(ps);
    }
    services_.resize(spec.services.size());
  }

  // Pools.
  /// `delta` nodes of `pool` at `now`; `scaled`: added or deleted by the cluster autoscaler
  /// (false: lost or restored by a node_loss fault, not counted in nodes_added/nodes_removed).
  void nodes(std::uint32_t pool, double now, double delta, bool scaled = true) {
    PoolStats& p = pools_[pool];
    p.nodes.add(now, delta);
    if (measuring_) p.nodes_max = std::max(p.nodes_max, p.nodes.value());
    if (measuring_ && scaled && delta > 0) p.added += delta;
    if (measuring_ && scaled && delta < 0) p.removed -= delta;
  }
  void requested(std::uint32_t pool, double now, double delta_cores) {
    pools_[pool].requested_cores.add(now, delta_cores);
  }
  /// A node_loss fault at `now` (docs/nodes.md#node-and-zone-loss): counted whether or not
  /// measuring, as rollouts are.
  void loss(std::uint32_t pool, double now, int nodes, int pods) {
    PoolStats& p = pools_[pool];
    if (p.losses++ == 0) p.loss_first_s = now;
    p.nodes_lost += nodes;
    p.pods_evicted += pods;
  }
  /// Pods that a loss of `pool` took were replaced (at the loss, or at their eviction).
  void pods_evicted(std::uint32_t pool, int pods) { pools_[pool].pods_evicted += pods; }
  /// Every pod a loss of `pool` took is ready again, `recovery_s` after the loss.
  void loss_recovered(std::uint32_t pool, double recovery_s) {
    PoolStats& p = pools_[pool];
    ++p.recovered;
    p.recovery_max_s = std::max(p.recovery_max_s, recovery_s);
  }
  // Pods.
  void pending(std::uint32_t service, double now, double delta) {
    ServicePods& s = services_[service];
    s.pending.add(now, delta);
    if (measuring_) s.pending_max = std::max(s.pending_max, s.pending.value());
  }
  void pod_ready(std::uint32_t service, double time_to_ready_s) {
    if (!measuring_) return;
    ServicePods& s = services_[service];
    ++s.ready;
    s.ttr_sum_s += time_to_ready_s;
    s.ttr_max_s = std::max(s.ttr_max_s, time_to_ready_s);
    s.ttr_min_s = std::min(s.ttr_min_s, time_to_ready_s);
  }

  void begin_measurement(double now) {
    measuring_ = true;
    for (PoolStats& p : pools_) {
      p.warm_nodes = p.nodes.integral(now);
      p.warm_requested = p.requested_cores.integral(now);
      p.nodes_max = p.nodes.value();
    }
    for (ServicePods& s : services_) {
      s.warm_pending = s.pending.integral(now);
      s.pending_max = s.pending.value();
    }
  }

  /// The node columns of service `service`'s time-series row for the window [now - width, now].
  void window(std::uint32_t service, double now, double width, stats::TimeSeriesRow& row) {
    if (pools_.empty() || !spec_.services[service].pod) return;
    ServicePods& s = services_[service];
    const double pending = s.pending.integral(now);
    row.pending_pods = (pending - s.w_pending) / width;
    s.w_pending = pending;
    const double nodes = pools_[spec_.services[service].pod->pool].nodes.integral(now);
    row.nodes = (nodes - s.w_nodes) / width;
    s.w_nodes = nodes;
  }

  /// The metrics at the end, `now`, of a run measured for `measured` seconds.
  void summarize(double now, double measured, std::vector<stats::Metric>& out) const {
    if (pools_.empty()) return;
    auto add = [&out](std::vector<std::string> path, double value,
                      stats::Merge merge = stats::Merge::estimate) {
      out.push_back(stats::Metric{std::move(path), value, merge});
    };
    for (std::size_t i = 0; i < services_.size(); ++i) {
      if (!spec_.services[i].pod) continue;
      const ServicePods& s = services_[i];
      const std::string& n = spec_.services[i].name;
      add({"services", n, "pods", "pending_mean"},
          (s.pending.integral(now) - s.warm_pending) / measured);
      add({"services", n, "pods", "pending_max"}, s.pending_max, stats::Merge::max);
      add({"services", n, "pods", "started"}, static_cast<double>(s.ready));
      add({"services", n, "pods", "time_to_ready_mean_s"},
          s.ready > 0 ? s.ttr_sum_s / static_cast<double>(s.ready) : kNaNValue);
      add({"services", n, "pods", "time_to_ready_min_s"}, s.ready > 0 ? s.ttr_min_s : kNaNValue,
          stats::Merge::min);
      add({"services", n, "pods", "time_to_ready_max_s"}, s.ready > 0 ? s.ttr_max_s : kNaNValue,
          stats::Merge::max);
    }
    for (std::size_t p = 0; p < pools_.size(); ++p) {
      const PoolStats& ps = pools_[p];
      const model::NodePoolSpec& spec = spec_.nodes->pools[p];
      const std::string& n = spec.name;
      const double node_s = ps.nodes.integral(now) - ps.warm_nodes;
      add({"node_pools", n, "nodes_mean"}, node_s / measured);
      add({"node_pools", n, "nodes_max"}, ps.nodes_max, stats::Merge::max);
      add({"node_pools", n, "node_hours"}, node_s / 3600.0);
      add({"node_pools", n, "nodes_added"}, ps.added);
      add({"node_pools", n, "nodes_removed"}, ps.removed);
      add({"node_pools", n, "cpu_requested"},
          node_s > 0.0
              ? (ps.requested_cores.integral(now) - ps.warm_requested) / (node_s * spec.cores)
              : kNaNValue);
      if (spec.price_per_hour) {
        add({"node_pools", n, "cost"}, node_s / 3600.0 * *spec.price_per_hour);
      }
      if (spec_.loses_nodes(n)) {
        // Node losses: absolute times, warm-up included; NaN when none happened (or recovered)
        // before the end.
        const bool lost = ps.losses > 0;
        add({"node_pools", n, "loss", "at_s"}, lost ? ps.loss_first_s : kNaNValue);
        add({"node_pools", n, "loss", "nodes_lost"}, static_cast<double>(ps.nodes_lost));
        add({"node_pools", n, "loss", "pods_evicted"}, static_cast<double>(ps.pods_evicted));
        add({"node_pools", n, "loss", "recovered"},
            lost ? static_cast<double>(ps.recovered) / static_cast<double>(ps.losses) : kNaNValue);
        add({"node_pools", n, "loss", "recovered_s"},
            ps.recovered > 0 ? ps.recovery_max_s : kNaNValue);
      }
    }
  }

 private:
  static constexpr double kNaNValue = std::numeric_limits<double>::quiet_NaN();
  struct PoolStats {
    stats::TimeWeighted nodes, requested_cores;
    double warm_nodes = 0.0, warm_requested = 0.0;
    double nodes_max = 0.0, added = 0.0, removed = 0.0;
    std::uint64_t losses = 0, recovered = 0;
    std::int64_t nodes_lost = 0, pods_evicted = 0;
    double loss_first_s = 0.0, recovery_max_s = 0.0;
  };
  struct ServicePods {
    stats::TimeWeighted pending;
    double warm_pending = 0.0, pending_max = 0.0;
    std::uint64_t ready = 0;
    double ttr_sum_s = 0.0, ttr_max_s = 0.0, ttr_min_s = std::numeric_limits<double>::infinity();
    double w_pending = 0.0, w_nodes = 0.0;
  };
  const model::Spec& spec_;
  bool measuring_ = false;
  std::vector<PoolStats> pools_;
  std::vector<ServicePods> services_;
};

}  // namespace capsim::net
