#pragma once
/// \file Connection pools (docs/request-path.md#connection-pools): each replica of a service
/// with `connection_pools` keeps, towards each callee, a pool of connections (open, idle or lent
/// to a call) and a FIFO of calls waiting for one, as HikariCP and node-postgres' Pool do. A
/// call takes an idle connection, or opens one while the pool has fewer than `max` (the callee
/// refuses it beyond its `max_connections`), or waits up to `acquire_timeout`. The component
/// keeps the pools and the callees' connection counts; it never touches a call or a job: the
/// coordinator asks it for a connection before an attempt is sent, and gives the connection back
/// when the attempt's job at the callee ends.

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "capsim/model/spec.hpp"
#include "clock.hpp"
#include "pool.hpp"
#include "statistics.hpp"

namespace capsim::net {

/// A call's attempt waiting for a connection.
struct ConnectionWaiter {
  Ref call;
  std::uint32_t attempt = 0;
  double since_s = 0.0;
  double deadline_s = 0.0;
};

class ConnectionPools {
 public:
  /// The pools of the replicas up at t = 0 open their `min` connections.
  ConnectionPools(const model::Spec& spec, Clock& clock, Statistics& stats);

  /// Whether the model has a pool at all (else nothing here is ever asked).
  bool any() const { return !callee_of_.empty(); }

  /// The pool through which replica `replica` of `caller` calls `callee`; kNone when `caller`
  /// keeps none towards it.
  std::uint32_t find(std::uint32_t caller, std::uint32_t replica, std::uint32_t callee);

  enum class Acquire : std::uint8_t {
    granted,    ///< a connection is lent to the call
    queued,     ///< the call waits (Event::pool_timeouts or a handover ends the wait)
    refused,    ///< opening a connection was refused (the callee's max_connections)
    timed_out,  ///< none free and acquire_timeout is 0
  };
  /// The attempt `attempt` of `call` asks `pool` for a connection.
  Acquire acquire(std::uint32_t pool, Ref call, std::uint32_t attempt);
  /// A connection of `pool` comes back (its attempt's job ended): lent to the next waiting
  /// call (an Event::pool_handover at this instant) or idle.
  void release(std::uint32_t pool);

  /// Event::pool_handover: the next connection handed to a waiting call. When that call no
  /// longer waits for it, release() it again; else granted() it.
  struct Handover {
    std::uint32_t pool = kNone;
    ConnectionWaiter waiter;
  };
  Handover next_handover();
  /// The waiter got the connection handed over.
  void granted(const Handover& h);

  /// Event::pool_timeouts of `pool`: the calls whose acquire_timeout has passed leave the queue
  /// (into `out`); the coordinator fails those still waiting and reports them with timed_out().
  void expire(std::uint32_t pool, std::vector<ConnectionWaiter>& out);
  void timed_out(std::uint32_t pool) { stats_.pool(pools_[pool].stats).timed_out(); }

 private:
  struct PoolState {
    const model::ConnectionPoolSpec* spec = nullptr;
    std::uint32_t stats = kNone;   ///< the PoolStats of (caller service, pool)
    std::uint32_t callee = kNone;  ///< service index
    int open = 0;
    int in_use = 0;
    std::deque<ConnectionWaiter> waiting;  ///< FIFO; deadlines in the same order
    bool timer = false;                    ///< an Event::pool_timeouts is pending
  };
  /// Opens one connection of `p` if its callee accepts it.
  bool open_one(PoolState& p);
  std::uint32_t create(std::uint32_t caller, std::uint32_t k, std::uint32_t replica);

  const model::Spec& spec_;
  Clock& clock_;
  Statistics& stats_;
  std::vector<PoolState> pools_;
  std::vector<std::uint32_t> first_;      ///< per service: the index of its first (service, pool)
  std::vector<std::uint32_t> callee_of_;  ///< per (service, pool): the callee's index
  /// Per (service, pool), per replica: the index in pools_ (kNone: not created yet).
  std::vector<std::vector<std::uint32_t>> by_replica_;
  std::vector<std::int64_t> callee_open_;  ///< per service: connections open to it
  std::deque<Handover> handovers_;         ///< due at this instant, in order
};

}  // namespace capsim::net
