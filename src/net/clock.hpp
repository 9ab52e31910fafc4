#pragma once
/// \file The kinds of events of a replication and the simulator that carries them.
///
/// Every event goes to the replication's coordinator (net::Replication), which holds the one
/// dispatch switch over `Event` and routes it to the component that scheduled it. Components
/// schedule through `Clock` (a sim::Simulator bound to the coordinator at compile time).

#include <cstdint>

#include "capsim/sim/simulator.hpp"

namespace capsim::net {

/// What an event means; its data word is said on each (see Ref and Pair in pool.hpp).
enum class Event : std::uint32_t {
  arrival,           ///< an open workload's next request          data: workload
  user_send,         ///< a closed workload's user sends            data: Pair{workload, user}
  users_change,      ///< a closed workload's user level changes    data: Pair{workload, level}
  timeouts,          ///< the head of a timeout queue is due        data: queue
  retry,             ///< a call's backoff is over                  data: Ref of the call
  work_done,         ///< FCFS: a job's CPU demand is served        data: Ref of the job
  ps_done,           ///< processor sharing: the next job finishes  data: Pair{service, replica}
  window,            ///< a time-series window closes               data: 0
  warmup_end,        ///< measurement begins                        data: 0
  fault,             ///< a fault starts                            data: fault index
  fault_end,         ///< a slowdown or outage ends                  data: fault index
  restart,           ///< a crashed replica restarts                data: Pair{service, replica}
  replica_ready,     ///< a new replica ends its start-up           data: Pair{service, replica}
  autoscale_sync,    ///< an HPA sync                               data: service
  autoscale_poll,    ///< a KEDA poll                               data: service
  autoscale_mark,    ///< a metric window's start is recorded       data: Pair{service, meter}
  schedule_step,     ///< a scaling schedule's step                 data: Pair{service, step}
  oom_kill,          ///< a replica over its memory limit is killed data: Pair{service, replica}
  delay_done,        ///< a job's delay step is over                data: Ref of the job
  phase,             ///< a named phase begins or ends              data: 2 x phase (+ 1: ends)
  node_ready,        ///< a node ends its provisioning              data: node
  cluster_scan,      ///< the cluster autoscaler's scan             data: 0
  pool_handover,     ///< a returned connection goes to a waiting call  data: 0 (in order)
  pool_timeouts,     ///< a connection pool's first waiter is due   data: pool
  queue_visibility,  ///< a broker's first visibility deadline    data: broker
  queue_window,      ///< a broker's short batch may be received data: broker
  cores_done,        ///< shared cores: a node's next job finishes  data: node
  cache_refresh,     ///< a cache's periodic refresh runs          data: service
  cache_lock,        ///< a cache-aside lock's lock_ttl is over    data: Pair{service, key}
  node_detection,    ///< a lost node is NotReady, or its pods evicted  data: 2 x fault (+ 1)
};

class Replication;
using Clock = sim::Simulator<Replication, Event>;

}  // namespace capsim::net
