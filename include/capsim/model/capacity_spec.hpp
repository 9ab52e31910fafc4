#pragma once
/// \file The capacity part of the model's spec: memory (docs/memory.md), node pools and the cluster
/// autoscaler (docs/nodes.md), and what a pod requests of a node.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capsim/dist/distribution_spec.hpp"

namespace capsim::model {

/// `memory` of a service's replicas (docs/memory.md): a baseline plus what each request in
/// flight (holding or waiting for a worker) holds, against the pod's memory request (what the
/// HPA's `memory` metric divides by) and its limit (above it the replica is OOM-killed).
struct MemorySpec {
  double baseline_mib = 0.0;
  dist::DistSpec per_request_mib;   ///< drawn per request when it enters a replica
  double request_mib = 0.0;         ///< default: the limit, else the baseline
  std::optional<double> limit_mib;  ///< absent: never killed
  std::string pointer;
};

/// One node pool (docs/nodes.md): nodes of one instance type, what one node can allocate to
/// pods, and the bounds the cluster autoscaler keeps its size in.
struct NodePoolSpec {
  std::string name;
  double cores = 0.0;       ///< allocatable cores per node
  double memory_mib = 0.0;  ///< allocatable memory per node
  std::optional<double> price_per_hour;
  int min_nodes = 0;
  int max_nodes = 0;
  int initial_nodes = 0;             ///< ready at t = 0
  double provisioning_time_s = 0.0;  ///< the autoscaler's request to the node being Ready
  /// Zones the pool's nodes spread over (docs/nodes.md#node-and-zone-loss): each new node goes
  /// to the zone with the fewest nodes, the first such zone on a tie. Empty: one unnamed zone.
  std::vector<std::string> zones;
  /// Whether the pods on a node share its cores (docs/nodes.md#shared-cores): set when a pod of
  /// the pool has a `cpu_limit`.
  bool shared_cores = false;
  std::string pointer;
};

/// The cluster autoscaler's settings, with its documented defaults.
struct ClusterAutoscalerSpec {
  double scan_interval_s = 10.0;
  double scale_down_unneeded_time_s = 600.0;
  double scale_down_delay_after_add_s = 600.0;
  double scale_down_utilization_threshold = 0.5;
  int max_empty_bulk_delete = 10;
};

/// How the scheduler picks a node among those with room for a pod (docs/nodes.md#placement).
enum class Placement : std::uint8_t {
  first_fit,        ///< the oldest Ready node with room (capsim's default)
  least_allocated,  ///< Kubernetes' default NodeResourcesFit scoring: the emptiest node (spread)
  most_allocated,   ///< NodeResourcesFit MostAllocated: the fullest node (bin-packing)
};

/// `nodes` of the model: its node pools and the cluster autoscaler that sizes them.
struct NodesSpec {
  std::vector<NodePoolSpec> pools;  ///< in the model file's order
  ClusterAutoscalerSpec cluster_autoscaler;
  Placement placement = Placement::first_fit;
  std::string pointer;
};

/// A PodDisruptionBudget over a service's pods (docs/nodes.md#poddisruptionbudgets): at least
/// `min_available` ready, or at most `max_unavailable` not ready, each a count or a percentage
/// of the desired pods.
struct DisruptionBudgetSpec {
  bool min_available = true;  ///< false: max_unavailable
  double value = 0.0;         ///< a count, or a percentage when `percent`
  bool percent = false;
};

/// One of a pod's `topology_spread` constraints (docs/nodes.md#topology-spread), Kubernetes'
/// topologySpreadConstraints with the service's own pods as the label selector: placing a pod
/// in a domain (a zone of the pool, or a node) may raise the domain's count of the service's
/// pods above the fewest of any domain by at most `max_skew`.
struct SpreadConstraint {
  enum class Topology : std::uint8_t { zone, node };
  Topology topology = Topology::zone;
  int max_skew = 1;
  /// whenUnsatisfiable DoNotSchedule (a filter: the pod stays Pending); false: ScheduleAnyway
  /// (a preference for the domains with fewer of the service's pods).
  bool hard = true;
};

/// `pod` of a service: the node pool its replicas run on and what each requests of a node.
struct PodSpec {
  std::uint32_t pool = 0;  ///< index in NodesSpec::pools
  double cores = 0.0;
  double memory_mib = 0.0;
  /// The most cores the pod may use on a node whose cores are shared (docs/nodes.md#shared-cores):
  /// `cpu_limit`, default its request `cores`.
  double cpu_limit = 0.0;
  std::optional<DisruptionBudgetSpec> disruption_budget;
  std::vector<SpreadConstraint> spread;  ///< `topology_spread`, in the model's order
  std::string pointer;
};

}  // namespace capsim::model
