#pragma once
/// \file The coordinator of one replication: it owns the clock, the pools of jobs and calls,
/// and the components; it holds the one dispatch switch over events and routes what the
/// components return (a call's attempt to deliver, a job's next step, an answer to a caller, a
/// scale change), in a fixed order, so that components never call each other.
/// docs/engine.md draws the picture.

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "../scale/cluster_autoscaler.hpp"
#include "calls.hpp"
#include "capsim/model/spec.hpp"
#include "capsim/net/network.hpp"
#include "clock.hpp"
#include "connection_pool.hpp"
#include "cpu.hpp"
#include "job.hpp"
#include "message_queue.hpp"
#include "node_pool.hpp"
#include "service.hpp"
#include "shared_cores.hpp"
#include "station.hpp"
#include "statistics.hpp"
#include "workloads.hpp"

namespace capsim::net {

class Replication {
 public:
  Replication(const model::Spec& spec, const ReplicationOptions& options);
  Replication(const Replication&) = delete;
  Replication& operator=(const Replication&) = delete;

  stats::Summary run();
  /// The dispatch switch (called by the clock).
  void on_event(Event event, std::uint64_t data);

 private:
  // The request path (replication.cpp).
  void send_request(const CallRequest& request);
  /// The job `job` calls `site` (a call step, or a cache's backend on a miss), keyed `key`;
  /// `origin` is key's counterpart from the job's origin (Job::origin).
  void call_from(Ref job, const CallSite& site, std::uint64_t key, std::uint64_t origin);
  void send_attempt(Ref call);
  /// `degraded`: a success that a fallback answered somewhere on the attempt's path.
  void attempt_returned(Ref call, std::uint32_t attempt, Outcome outcome, bool degraded = false);
  void attempt_done(Ref call, Outcome outcome, bool degraded = false);
  void call_complete(Ref call, Outcome outcome, bool degraded = false);
  // Fallbacks and degraded answers (replication_path.cpp).
  /// The caller's answer in place of a call that ended with `outcome`: true when the call's
  /// fallback covers it and was started (the caller then waits for it, as for the call).
  bool start_fallback(const CallState& call, Outcome outcome);
  void mark_degraded(ParentKind kind, Ref parent);
  /// A cache-aside lookup missed: the caller runs the call's on_miss steps (on its worker and
  /// cores) and waits for them as for the call; false when the caller is gone.
  bool start_on_miss(const CallState& call);
  /// A database's capacity units (docs/capacity-units.md): consumes the units of job `j`
  /// arriving at `s`, or counts it throttled and returns false.
  bool consume_units(Service& s, const Job& j, double now);
  Ref new_job(const Steps* steps, std::uint32_t service, ParentKind kind, Ref parent,
              std::uint32_t parent_attempt);
  void arrive(Ref job);
  void admit(Ref job, Job& j, Service& s, std::uint32_t ri);
  /// The first up replica of `s` after `ri` (cyclically) that is not on a lost node; kNone when
  /// there is none.
  std::uint32_t reachable_after(const Service& s, std::uint32_t ri) const;
  void advance(Ref job);
  void cache_step(Ref job, Job& j);
  void cache_fetched(Ref job, Job& j);
  /// The cache lookup `j` waits for another's fetch or write-back of its key (stampede
  /// coalesce): it gives its worker back and waits parked until it is answered (Job::parked).
  void park(Job& j);
  // Cache-aside locks (replication_cache.cpp) and periodic refresh (replication_refresh.cpp).
  /// The cache-aside lookup `job` missed: its caller runs the on_miss steps (in this event),
  /// whose job claims the key's lock if the lookup took one; unclaimed, the lock is handed over.
  void aside_missed(Ref job, Job& j);
  /// `key`'s aside lock at cache `service` is free: its first waiter whose caller still waits
  /// takes it and runs its on_miss; with none left, the lock ends.
  void aside_handover(std::uint32_t service, std::uint32_t key);
  /// The on_miss job `job` (aside_cache set) ended with `outcome`: it fills its key (when it
  /// writes back and succeeded) and frees the key's lock if it held it.
  void aside_done(Ref job, const Job& j, Outcome outcome);
  /// Answers the cache-aside lookups of `c` that waited for keys filled since.
  void answer_aside(Cache& c);
  /// Event::cache_refresh: cache `service` queries its backend for its hottest keys.
  void cache_refresh(std::uint32_t service);
  /// A refresh query (CallerKind::refresh) ended: its key is rewritten unless it failed.
  void refresh_done(const CallState& call, Outcome outcome);
  void start_work(Ref job, Job& j, double demand_s);
  void work_done(Ref job);
  void ps_done(Pair where);
  void child_done(Ref parent, Outcome outcome);
  void finish(Ref job, Outcome outcome);
  void release_worker(Service& s, std::uint32_t replica);
  /// Job `j`, which held a worker of `r` and has left the station, gives it back: its memory
  /// goes, the worker goes to the next queued job, and a draining replica left empty is gone.
  void give_back_worker(Service& s, Replica& r, Job& j);
  void record_health(Service& s, Replica& r, std::uint32_t replica);
  /// Whether nobody will use `j`'s answer: some call on the chain of its callers no longer
  /// waits for the attempt that leads to it (docs/engine.md). Walks the chain unless the job
  /// was known to be no orphan in the current orphan epoch.
  bool is_orphan(const Job& j) const { return j.live_epoch != orphan_epoch_ && orphan_walk(j); }
  bool orphan_walk(const Job& j) const;
  /// Whether a job made now with this parent is no orphan, known without a walk: its parent
  /// call waits for this attempt and the caller above (if a job) is known no orphan now.
  bool parent_known_live(ParentKind kind, Ref parent, std::uint32_t attempt) const;
  /// The endpoint of `s` whose request `j` is (a job that arrived at `s`).
  static std::uint32_t endpoint_of(const Service& s, const Job& j) {
    return static_cast<std::uint32_t>(j.steps - s.endpoints.data());
  }
  /// drop_expired: a job taken from a queue whose caller has given up is discarded.
  bool expired(const Service& s, const Job& j) const;
  void timeouts(std::uint32_t queue);
  void drain();
  // Capacity: faults, restarts, autoscaling (replication_capacity.cpp).
  void fault(std::uint32_t index);
  void fault_end(std::uint32_t index);
  /// `hang`: the replica is unreachable (Kubernetes' detection of a lost node): its requests hang
  /// (hang()) instead of failing, and it stays in the balancer.
  void crash(std::uint32_t service, std::uint32_t replica, bool hang = false);
  void restart(Pair where);
  // Memory: requests' memory, OOM kills (replication_memory.cpp).
  void memory_admit(Service& s, std::uint32_t replica, Job& j);
  void memory_release(Service& s, Replica& r, Job& j);
  void oom_kill(Pair where);
  void start_autoscaler(std::uint32_t service);
  scale::Snapshot snapshot(std::uint32_t service, double t) const;
  /// Replica `ri` of service `si` begins to run (its start-up begins): its pod's StartTime.
  void pod_started(std::uint32_t si, std::uint32_t ri);
  /// The cpu metric's pods at an HPA sync over [base, cur] (Kubernetes' groupPods): ready pods
  /// whose samples count, with their busy and serving core-seconds, and those set aside.
  scale::CpuSample cpu_sample(std::uint32_t service, const scale::Snapshot& base,
                              const scale::Snapshot& cur, int desired, double window_s) const;
  void take_mark(Pair which);
  /// The one "read the metric window" step of HPA syncs and KEDA polls: the snapshots at the
  /// start of the window of a read now and at now; schedules the meter's next read.
  std::pair<scale::Snapshot, scale::Snapshot> read_window(std::uint32_t service,
                                                          scale::WindowMeter& meter, Event read);
  void autoscale_sync(std::uint32_t service);
  void keda_poll(std::uint32_t service);
  void schedule_step(Pair which);
  void scale_to(std::uint32_t service, const scale::ScaleChange& change);
  /// A new replica of `service` (its pod placed, with nodes); returns its index.
  std::uint32_t start_replica(std::uint32_t service);
  void remove_replica(std::uint32_t service);
  /// What a removal leaves to do: cancel a start-up, end a drained replica, free its pod.
  void finish_removal(std::uint32_t service, const ReplicaSet::Removal& removal);
  // Rolling updates (replication_rollout.cpp).
  void rollout_begin(std::uint32_t fault);
  /// One reconcile of the rollout in progress: new replicas up, old ones down, or its end.
  void rollout_step(std::uint32_t service);
  void replica_ready(Pair where);
  void drained(std::uint32_t service, std::uint32_t replica);
  void wait_at_balancer(Ref job, Service& s);
  void dispatch_waiting(std::uint32_t service);
  // Nodes: pods on node pools, the cluster autoscaler (replication_nodes.cpp).
  void start_nodes();
  /// A new replica's pod: bound to a node (its start-up begins) or Pending.
  void place_pod(std::uint32_t service, std::uint32_t replica);
  void pod_bound(PodId pod, std::uint32_t node);
  /// A pod bound to `node`: with shared cores, its work goes to the node's cores from now on.
  void join_cores(PodId pod, std::uint32_t node);
  /// Shared cores: the next job of `node` finishes.
  void cores_done(std::uint32_t node);
  /// A pod's replica is off: its node's room is free (or it leaves the pending queue).
  void pod_gone(std::uint32_t service, std::uint32_t replica);
  void bind_pending();
  void node_ready(std::uint32_t node);
  void cluster_scan();
  /// At the end of the run: a notice per service whose pods the last scan left without a node
  /// (their pool at its max) and that are Pending still.
  void stranded_notices(std::vector<std::string>& notices) const;
  void delete_node(std::uint32_t node);
  // PodDisruptionBudgets (replication_disruption.cpp).
  /// The budget of service `si` (it has one): its ready pods less those it must keep.
  int disruptions_allowed(std::uint32_t si) const;
  /// Why draining `node` would break a PodDisruptionBudget, or empty when it would not.
  std::string disruption_blocker(std::uint32_t node) const;
  // Node and zone loss (replication_node_loss.cpp).
  void node_loss(std::uint32_t fault);
  /// The pods of fault `fault`'s lost nodes die and their ReplicaSets replace them (at the loss,
  /// or at their eviction with Kubernetes' detection).
  void replace_lost(std::uint32_t fault, const std::vector<PodId>& pods);
  // Kubernetes' detection of a lost node (replication_node_detection.cpp).
  /// The pods of fault `fault`'s nodes are unreachable: still in the balancer until NotReady,
  /// what they hold and what is sent to them hangs; NotReady and eviction are scheduled.
  void node_unreachable(std::uint32_t fault, const std::vector<PodId>& pods);
  /// Event::node_detection: 2 x fault: the nodes are NotReady; + 1: their pods are evicted.
  void node_detection(std::uint32_t data);
  /// Job `job` on an unreachable replica `replica` gets no answer: it is gone, and its caller is
  /// answered (with `error`) only when the pod is evicted, unless its timeout comes first.
  void hang(Ref job, std::uint32_t replica);
  /// The nodes fault `fault` lost come back (its restore_after has passed).
  void node_restore(std::uint32_t fault);
  /// A pod became ready, or is gone before it was: the losses waiting for it may be recovered.
  void loss_pod_ready(PodId pod);
  void loss_pod_gone(PodId pod);
  void loss_check(std::uint32_t fault);
  // Measurement.
  void close_window();
  /// --traces: tells the recorder about a new call (replication_traces.cpp).
  void trace_call(Ref call, const CallRequest& request);
  // Connection pools (replication_pools.cpp).
  /// Before attempt `d` of `call` is sent: true when it may go (then `connection` is the pool
  /// whose connection it holds, or kNone); false when it waits for a connection or has failed
  /// (routed already).
  bool acquire_connection(Ref call, const Delivery& d, std::uint32_t& connection);
  void deliver(Ref call, const Delivery& d, std::uint32_t connection);
  void pool_handover();
  void pool_timeouts(std::uint32_t pool);
  // Queue services' brokers (replication_queue.cpp).
  /// Attempt `d` of `call` reaches a queue service: the message is stored or rejected, and the
  /// producer answered at once.
  void enqueue(Ref call, const Delivery& d, std::uint32_t connection);
  /// Hands broker `queue`'s waiting messages to its consumer while it has free worker slots.
  /// Called again while it runs (a message whose job fails at once, inside arrive), it only
  /// records the queue: the outermost call pumps it, so a backlog never nests calls.
  void pump(std::uint32_t queue);
  void pump_now(std::uint32_t queue);
  /// Service `service` has more worker slots: the brokers it consumes from hand it messages.
  void pump_consumer(std::uint32_t service);
  void message_processed(Ref batch, Outcome outcome);
  /// A consumer's job `j` has run its steps for one message of its batch: true when it goes on
  /// with the batch's next message (its steps from the top).
  bool next_in_batch(Job& j);
  [[noreturn]] void fail(const std::string& what) const;

  const model::Spec& spec_;
  ReplicationOptions options_;
  Clock clock_;
  Statistics stats_;
  Pool<Job> jobs_;
  Calls calls_;
  Cpu cpu_;
  Station station_;
  std::vector<Service> services_;
  Workloads workloads_;
  ConnectionPools pools_;
  /// Jobs made ready by the current event, run in order at its end.
  std::vector<Ref> ready_;
  double window_start_s_ = 0.0;
  std::uint64_t same_time_events_ = 0;
  double last_event_s_ = -1.0;
  std::unique_ptr<NodePools> nodes_;  ///< models with `nodes`
  std::unique_ptr<scale::ClusterAutoscaler> cluster_autoscaler_;
  std::unique_ptr<SharedCores> shared_cores_;  ///< models whose pools share cores
  bool budgets_ = false;                       ///< some pod has a PodDisruptionBudget
  /// A node_loss fault's nodes and the replacement pods it still waits for.
  struct NodeLoss {
    std::uint32_t pool = 0;
    std::vector<std::uint32_t> nodes;
    std::vector<PodId> waiting;
    bool recovered = false;
    /// Kubernetes' detection: the pods that are unreachable until their eviction.
    std::vector<PodId> unreachable;
    bool detecting = false;  ///< not evicted yet: not recovered either
  };
  std::vector<NodeLoss> losses_;  ///< by fault index; empty until the first node loss
  MessageQueues queues_;
  bool pumping_ = false;                 ///< a pump is running (replication_queue.cpp)
  std::vector<std::uint32_t> pump_due_;  ///< queues to pump when it returns, in order
  /// Some cache refreshes: a backend job's work may be a refresh's (counted for its cache).
  bool refreshing_ = false;
  /// Moves whenever a live job may have become an orphan (an attempt timed out, a job ended
  /// with calls out): a job whose Job::live_epoch equals it is no orphan, with no walk.
  std::uint64_t orphan_epoch_ = 1;
};

}  // namespace capsim::net
