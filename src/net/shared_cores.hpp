#pragma once
/// \file The cores of a node shared by the pods bound to it (docs/nodes.md#shared-cores), as the
/// kernel's CFS shares them among containers with CPU requests and limits: the node's cores go to
/// the pods that have work, in proportion to their requests, each pod capped at its limit and at
/// one core per job it runs; what a capped pod leaves goes to the others (work-conserving). Inside
/// a pod its jobs share its cores equally (processor sharing). So a pod alone on a node bursts up
/// to its limit, and a busy neighbour slows it down to no less than its request.
///
/// Exact for a fluid model: between two changes on a node (a job starting or finishing) every
/// rate is constant; each pod tracks the virtual time of its jobs (the work a job present since
/// the start would have received) and only the node's next finisher has an event. A change costs
/// O(pods on the node). Only models whose pools share cores (a pod with `cpu_limit`) come here.

#include <cstdint>
#include <vector>

#include "capsim/model/spec.hpp"
#include "clock.hpp"
#include "cpu.hpp"
#include "service_stats.hpp"

namespace capsim::net {

class SharedCores {
 public:
  explicit SharedCores(Clock& clock) : clock_(clock) {}

  /// The pod `pod` = {service, replica}, requesting `p`, is bound to `node` of `node_cores`
  /// cores; returns its slot on the node. Its busy cores are reported to `stats`.
  std::uint32_t join(std::uint32_t node, double node_cores, Pair pod, const model::PodSpec& p,
                     ServiceStats& stats);
  /// The pod in `slot` leaves `node` (unbound); it holds no job by then.
  void leave(std::uint32_t node, std::uint32_t slot);
  /// Starts `demand_s` of work (core-seconds) for `job` on the pod in `slot` of `node`.
  void start(std::uint32_t node, std::uint32_t slot, Ref job, double demand_s);
  /// The node's next job finishes now (Event::cores_done); returns it, or a Ref to nothing.
  Ref done(std::uint32_t node);
  /// The pod in `slot` crashed: its jobs are gone, the others get its cores.
  void crash(std::uint32_t node, std::uint32_t slot);

  /// The cores the pod in `slot` of `node` gets now, and each of its jobs (tests).
  double cores_of(std::uint32_t node, std::uint32_t slot) const;
  double job_rate(std::uint32_t node, std::uint32_t slot) const;

 private:
  struct Slot {
    bool used = false;
    Pair pod;
    double weight = 0.0;  ///< its request: its share of the node when all pods are busy
    double limit = 0.0;
    double v = 0.0;      ///< virtual time of its jobs
    double rate = 0.0;   ///< each job's rate (cores), constant until the next change
    double cores = 0.0;  ///< the cores it gets: rate x jobs
    std::vector<PsEntry> heap;
    std::uint64_t seq = 0;
    ServiceStats* stats = nullptr;
  };
  struct NodeCores {
    double cores = 0.0;
    double last_s = 0.0;
    std::vector<Slot> slots;
    sim::EventId event;
  };

  /// Brings every pod's virtual time to now at the rates in force.
  void advance(NodeCores& n);
  /// Shares the node's cores among the busy pods and schedules the next finisher.
  void reshare(NodeCores& n, std::uint32_t node);

  Clock& clock_;
  std::vector<NodeCores> nodes_;  ///< by node index (NodePools)
};

}  // namespace capsim::net
