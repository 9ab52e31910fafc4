#pragma once
/// \file The validated model: plain structs, defaults filled, names not yet resolved to indices.
/// Nothing downstream of model::load sees JSON. Times are seconds, rates per second.
/// `pointer` members hold the JSON Pointer the element came from, for messages at run time.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capsim/dist/distribution_spec.hpp"
#include "capsim/model/autoscaling_spec.hpp"
#include "capsim/model/capacity_spec.hpp"
#include "capsim/model/error.hpp"

namespace capsim::model {

using dist::DistSpec;

/// A named interval of the run summarised on its own (simulation.phases, docs/phases.md), e.g.
/// "spike" from 300 s to 420 s. Phases may overlap and ignore the warm-up.
struct PhaseSpec {
  std::string name;
  double from_s = 0.0;
  double to_s = 0.0;
};

struct SimulationSpec {
  double duration_s = 600.0;
  double warmup_s = 0.0;
  int replications = 10;
  std::uint64_t seed = 1;
  double confidence = 0.95;
  double window_s = 10.0;
  /// Requests waiting in one service's queues beyond which the service is declared saturated:
  /// further arrivals are rejected and the results say so (keeps unstable models bounded).
  std::int64_t max_queue = 100000;

  /// Time series never hold more windows than this: memory must not grow with simulated time.
  static constexpr double kMaxWindows = 2000;
  /// The window the time series uses: `window_s`, or, when that would give more than kMaxWindows
  /// windows, the smallest of 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h,
  /// 1 d (then whole days) that gives at most kMaxWindows.
  double effective_window_s() const;
  /// Named phases of the run, in the model's order (results: phases.NAME.*).
  std::vector<PhaseSpec> phases;
  /// Results per endpoint of each service as well (services.S.endpoints.E.*); off by default.
  bool per_endpoint = false;
};

/// One stage of a k6-style ramp: linear from the previous target to `target` over `duration_s`
/// (0 s: a jump).
struct Stage {
  double duration_s = 0.0;
  double target = 0.0;
};
struct Diurnal {
  double mean = 0.0;
  double amplitude = 0.0;
  double period_s = 86400.0;
  double phase_s = 0.0;
};
struct TracePoint {
  double time_s = 0.0;
  double value = 0.0;
};

enum class ProfileKind { constant, stages, diurnal, trace };

/// A value over time: requests per second for open workloads, virtual users for closed ones.
struct Profile {
  ProfileKind kind = ProfileKind::constant;
  double constant = 0.0;
  std::vector<Stage> stages;  ///< kind == stages
  double start = 0.0;         ///< kind == stages: the value at t = 0
  Diurnal diurnal;            ///< kind == diurnal: mean + amplitude sin(2 pi (t + phase) / period)
  std::vector<TracePoint> trace;  ///< kind == trace: piecewise constant, sorted by time, t0 = 0
};

/// How a request or call can fail, as the results and `retry.on` name it.
/// `throttled`: a database's `capacity_units` refused the request (docs/capacity-units.md).
enum class Failure : std::uint8_t {
  timeout,
  rejected,
  error,
  rate_limited,
  circuit_open,
  throttled
};
/// A set of failures (bit i = Failure i).
using FailureSet = std::uint8_t;
constexpr FailureSet failure_bit(Failure f) {
  return static_cast<FailureSet>(1u << static_cast<unsigned>(f));
}

enum class BackoffKind { constant, linear, exponential };
/// Jitter of the AWS Architecture Blog's "Exponential Backoff And Jitter": none (the backoff
/// itself), full (uniform in [0, backoff]), equal (backoff/2 + uniform in [0, backoff/2]),
/// decorrelated (min(cap, uniform in [base, 3 x previous delay])).
enum class Jitter { none, full, equal, decorrelated };

struct BackoffSpec {
  BackoffKind kind = BackoffKind::exponential;
  double base_s = 0.1;
  double multiplier = 2.0;  ///< exponential: base x multiplier^(retry - 1)
  double cap_s = 5.0;
  Jitter jitter = Jitter::none;
};

/// Retries allowed within the last `window_s`: ratio x requests + min_per_second x window_s
/// (Finagle's and Envoy's retry budgets).
struct RetryBudgetSpec {
  double ratio = 0.2;
  double min_per_second = 10.0;
  double window_s = 10.0;
};

struct RetrySpec {
  int max_attempts = 3;  ///< attempts in all, the first included
  FailureSet on = failure_bit(Failure::timeout) | failure_bit(Failure::rejected) |
                  failure_bit(Failure::error) | failure_bit(Failure::rate_limited) |
                  failure_bit(Failure::throttled);
  BackoffSpec backoff;
  std::optional<RetryBudgetSpec> budget;
};

/// Closed -> open when, over the last `window_s`, at least `min_requests` calls finished and the
/// failed fraction reached `failure_rate`; open -> half-open after `open_for_s`; half-open lets
/// `half_open_requests` probes through: all succeed -> closed, one fails -> open again.
struct CircuitBreakerSpec {
  double failure_rate = 0.5;
  double window_s = 10.0;
  int min_requests = 20;
  double open_for_s = 30.0;
  int half_open_requests = 5;
};

struct MixEntry {
  std::string endpoint;  ///< empty: the target service's only endpoint
  double weight = 1.0;   ///< normalised to sum 1 by the loader
};

enum class WorkloadKind { open, closed };

enum class Popularity { zipf, uniform };

/// Who sends a workload's requests (docs/request-path.md#clients): each request carries one
/// client of `count`, drawn by `popularity`. The workload's clients are its own: client k of one
/// workload is not client k of another.
struct ClientsSpec {
  std::int64_t count = 1;
  Popularity popularity = Popularity::uniform;
  double zipf_exponent = 0.9;
};

struct WorkloadSpec {
  std::string name;
  WorkloadKind kind = WorkloadKind::open;
  std::string target;                    ///< entry service
  std::vector<MixEntry> mix;             ///< at least one entry
  Profile rate;                          ///< open: requests per second
  std::optional<DistSpec> interarrival;  ///< open: renewal arrivals instead of Poisson
  Profile users;                         ///< closed: virtual users (constant or stages)
  DistSpec think_time;                   ///< closed
  std::optional<double> timeout_s;       ///< client gives up on an attempt after this long
  std::optional<RetrySpec> retry;
  std::optional<ClientsSpec> clients;  ///< absent: requests carry no client
  std::string pointer;
};

/// One synchronous call to another service's endpoint.
enum class DbOp { read, write };

struct StepSpec;

/// What a caller answers in place of a call that failed with one of `on` (after its retries),
/// or that an open breaker refused: the caller runs `steps` (on its own worker and cores) and
/// the request counts as a degraded success (docs/request-path.md).
struct FallbackSpec {
  FailureSet on = failure_bit(Failure::timeout) | failure_bit(Failure::rejected) |
                  failure_bit(Failure::error) | failure_bit(Failure::rate_limited) |
                  failure_bit(Failure::circuit_open) | failure_bit(Failure::throttled);
  std::vector<StepSpec> steps;  ///< may be empty: an answer at no cost
  std::string pointer;
};

/// Cache-aside (docs/request-path.md#cache-aside): what a caller does when its lookup in a cache
/// missed. The steps run at the caller (its worker and cores); the cache does not call its
/// backend for such a lookup. When `steps` hold a `write` call to the same cache, the key is
/// filled once they complete successfully.
struct OnMissSpec {
  std::vector<StepSpec> steps;
  bool writes_back = false;  ///< some call in `steps` (a parallel's included) writes to the cache
  std::string pointer;
};

struct CallSpec {
  std::string service;
  std::string endpoint;             ///< empty: the callee's only endpoint
  std::optional<DistSpec> count;    ///< repetitions in sequence (rounded, >= 0); absent: 1
  double probability = 1.0;         ///< the call happens with this probability
  std::optional<double> timeout_s;  ///< the caller gives up on an attempt after this long
  std::optional<RetrySpec> retry;
  std::optional<CircuitBreakerSpec> circuit_breaker;
  DbOp op = DbOp::read;  ///< calls to databases: reads go to read replicas, writes to the primary
  std::string pointer;
  std::optional<FallbackSpec> fallback;
  /// Fire-and-forget: the caller goes on at once; the callee's work still happens (with the
  /// call's timeout and retries, as the sender's client library would retry).
  bool async = false;
  /// Calls to a cache: the lookup is cache-aside, and these run at the caller when it missed.
  std::optional<OnMissSpec> on_miss;
  /// Calls to a cache: a write (SET) that costs the cache its `work` and is no lookup.
  bool cache_write = false;
};

enum class StepKind { work, call, parallel, delay };

struct StepSpec {
  StepKind kind = StepKind::work;
  DistSpec work;                   ///< kind == work: CPU demand
  CallSpec call;                   ///< kind == call
  std::vector<CallSpec> parallel;  ///< kind == parallel: all issued at once, joined
  std::string pointer;
  DistSpec delay;  ///< kind == delay: time holding the worker (and its calls) but no core
};

struct EndpointSpec {
  std::string name;  ///< "default" when the service gives `steps` directly
  std::vector<StepSpec> steps;
  std::string pointer;
};

enum class ServiceKind { generic, cache, database, queue };
enum class CpuDiscipline { fcfs, ps };
/// client_hash: the request's client picks the replica by rendezvous hashing (sticky sessions).
enum class LbPolicy {
  round_robin,
  random,
  least_outstanding,
  power_of_two,
  weighted_round_robin,
  client_hash
};

/// nginx's passive health check: `max_fails` failures within `fail_timeout_s` eject a replica
/// for `fail_timeout_s`.
struct HealthSpec {
  int max_fails = 1;
  double fail_timeout_s = 10.0;
};

struct LoadBalancerSpec {
  LbPolicy policy = LbPolicy::round_robin;
  std::optional<HealthSpec> health;
  /// weighted_round_robin: one weight per replica index; replicas beyond the list weigh 1.
  std::vector<double> weights;
};

enum class RateLimitKind { token_bucket, fixed_window };

/// A token bucket (`rate` tokens per second, at most `burst`, starting full) or a fixed window
/// (`limit` requests per `window_s`, the window starting at the key's first request after the
/// previous one ended: express-rate-limit's MemoryStore), for the whole service or per client.
struct RateLimitSpec {
  RateLimitKind kind = RateLimitKind::token_bucket;
  double rate = 0.0;
  double burst = 1.0;
  double window_s = 0.0;
  std::int64_t limit = 0;
  bool per_client = false;  ///< one limit per client; requests without a client pass
  std::string pointer;      ///< where the model gives it, for messages
};
enum class Eviction { lru, lfu, fifo, random };
enum class Stampede { none, coalesce, early_refresh, reject };

/// A cron job that rewrites a cache's hottest keys (docs/request-path.md#periodic-refresh): at
/// t = 0, every_s, 2 every_s, ... it queries the cache's backend once for each of the `keys`
/// hottest keys and writes each answer back.
struct CacheRefreshSpec {
  double every_s = 0.0;
  std::int64_t keys = 0;        ///< the hottest first; at most the cache's capacity
  std::optional<double> ttl_s;  ///< the expiry a refresh sets; absent: its entries never expire
};

struct CacheSpec {
  std::string backend;           ///< the service a miss calls; empty: none (cache-aside only)
  std::string backend_endpoint;  ///< empty: its only endpoint
  DistSpec work;                 ///< lookup work (default constant 0.3 ms)
  /// Fixed hit ratio; absent: emergent from keys, capacity, eviction and ttl.
  std::optional<double> hit_ratio;
  std::int64_t key_count = 0;
  Popularity popularity = Popularity::zipf;
  double zipf_exponent = 0.9;
  /// `"keys": "client"`: a lookup's key is the request's client (a session or per-user cache,
  /// docs/request-path.md#clients); the loader sets key_count to the workloads' clients.
  bool keyed_by_client = false;
  std::int64_t capacity = 0;    ///< entries; 0 with keys: unlimited
  std::optional<double> ttl_s;  ///< set on fill
  Eviction eviction = Eviction::lru;
  Stampede stampede = Stampede::none;
  double early_refresh_beta = 1.0;  ///< XFetch's beta (Vattani et al., VLDB 2015)
  /// Keys filled at t = 0, the hottest first (docs/request-path.md); key_count: all.
  std::int64_t preload_keys = 0;
  /// coalesce, reject: a key's miss lock (its fetch under way) lapses after this long.
  std::optional<double> lock_ttl_s;
  std::optional<CacheRefreshSpec> refresh;
  /// Set by the loader: some call looks the cache up cache-aside (`on_miss`).
  bool called_aside = false;
};

/// Universal Scalability Law slowdown of a query: 1 + alpha (n - 1) + beta n (n - 1) with n
/// queries running on the node.
struct ContentionSpec {
  double alpha = 0.0;
  double beta = 0.0;
};

/// A message broker such as SQS (docs/request-path.md#queues): a call to it enqueues a message;
/// the `consumer` service's workers pull messages (one job per batch of up to batch_size) while
/// they have a free worker slot; the others wait in the backlog, oldest first.
struct QueueSpec {
  std::string consumer;           ///< the service whose workers process the messages
  std::string consumer_endpoint;  ///< empty: the consumer's only endpoint
  /// Messages waiting (not in flight) beyond which a send is rejected; absent: unbounded.
  std::optional<std::int64_t> max_backlog;
  /// A message whose processing has not ended this long after its receive is visible again
  /// (and redelivered); the first processing goes on, wasted. Absent: never.
  std::optional<double> visibility_timeout_s;
  /// Receives after which a message that failed or expired goes to the dead letters instead of
  /// being redelivered; 0: unlimited.
  int max_receives = 0;
  /// Messages one receive hands to one consumer worker (1 to 10, SQS's MaxNumberOfMessages):
  /// one processing, the endpoint's steps once per message in turn; a failure fails them all.
  int batch_size = 1;
  /// A free worker receives a batch short of batch_size only once its oldest message has been
  /// visible this long (Lambda's MaximumBatchingWindowInSeconds); 0: at once.
  double batch_window_s = 0.0;
};

enum class CapacityMode { provisioned, on_demand };

/// One dimension (reads or writes) of a database's `capacity_units` (docs/capacity-units.md).
struct CapacityDimensionSpec {
  /// provisioned: units per second (the bucket's refill rate); absent: the dimension is not
  /// limited.
  std::optional<double> units_per_s;
  double units_per_request = 1.0;  ///< units one request of this kind consumes
  /// on_demand: the previous peak, units per second (2 x it is served at once); DynamoDB's new
  /// table: 6000 reads, 2000 writes.
  double peak_units_per_s = 0.0;
  std::optional<double> max_units_per_s;          ///< on_demand: the table's maximum throughput
  std::optional<double> price_per_unit_hour;      ///< provisioned: per provisioned unit-hour
  std::optional<double> price_per_million_units;  ///< on_demand: per million consumed units
};

/// DynamoDB-like capacity units of a database: requests beyond them fail at once with
/// `throttled`. provisioned: a token bucket per dimension, refilled at units_per_s and holding
/// units_per_s x (1 s + burst_s), full at t = 0. on_demand: within each whole second, consumed
/// units up to 2 x the peak; a second's consumption becomes the peak adaptation_s after it ends.
struct CapacityUnitsSpec {
  CapacityMode mode = CapacityMode::provisioned;
  double burst_s = 300.0;        ///< provisioned: unused capacity kept (DynamoDB: 300 s)
  double adaptation_s = 1800.0;  ///< on_demand: DynamoDB's 30 minutes
  CapacityDimensionSpec read;
  CapacityDimensionSpec write;
  std::string pointer;
};

struct DatabaseSpec {
  int read_replicas = 0;  ///< the service's replicas are the primary (index 0) and these
  std::optional<ContentionSpec> contention;
  std::optional<CapacityUnitsSpec> capacity_units;  ///< absent: never throttled
};

/// A pool of connections that each replica of a service keeps towards one service it calls, as
/// HikariCP or node-postgres' Pool do (docs/request-path.md#connection-pools).
struct ConnectionPoolSpec {
  std::string service;              ///< the callee: every call of the replica to it uses the pool
  int min = 0;                      ///< connections opened when the replica starts
  int max = 10;                     ///< connections open at most
  double acquire_timeout_s = 30.0;  ///< a call waiting longer for a connection fails with error
  std::string pointer;
};

struct ServiceSpec {
  std::string name;
  ServiceKind kind = ServiceKind::generic;
  int replicas = 1;
  int cores = 1;
  CpuDiscipline cpu = CpuDiscipline::fcfs;
  int workers = 64;
  std::optional<std::int64_t> queue_capacity;  ///< per replica; absent: unlimited
  LoadBalancerSpec load_balancer;
  /// `rate_limit`: one limit, or several applied in order (express-rate-limit middlewares in
  /// sequence: a request refused by one never reaches the next). Empty: none.
  std::vector<RateLimitSpec> rate_limits;
  /// A queued request whose caller has already given up is discarded at no cost when it reaches
  /// the head of the queue.
  bool drop_expired = false;
  /// Caches: what they cache. Their endpoint "default" is a lookup `work` step.
  std::optional<CacheSpec> cache;
  /// Databases: `connections` is `workers` (and, unless given, `cores`); `work` is the query;
  /// their endpoint "query" runs it.
  std::optional<DatabaseSpec> database;
  /// Queues (kind queue): the broker's settings; they have no endpoints of their own.
  std::optional<QueueSpec> queue;
  std::vector<EndpointSpec> endpoints;  ///< at least one
  /// Replicas added by an autoscaler receive traffic only this long after they are created.
  double startup_time_s = 0.0;
  /// When set, the results estimate the cost of the replica-seconds used.
  std::optional<double> price_per_replica_hour;
  /// With an autoscaler, `replicas` is the initial count (hpa and keda: within [min, max]).
  std::optional<AutoscalingSpec> autoscaling;
  std::string pointer;
  std::optional<MemorySpec> memory;  ///< absent: memory is not modelled
  std::optional<PodSpec> pod;        ///< absent: the replicas need no node (docs/nodes.md)
  /// Connection pools of each replica towards the services it calls (at most one per callee).
  std::vector<ConnectionPoolSpec> connection_pools;
  /// Connections this service accepts from its callers' pools, all its replicas together (a
  /// database's max_connections); absent: no limit.
  std::optional<std::int64_t> max_connections;
};

enum class FaultKind { crash, slowdown, outage, cache_flush, rollout, node_loss };

/// A Deployment's maxSurge or maxUnavailable: a count, or a percentage of the desired replicas
/// (docs/rollouts.md).
struct IntOrPercent {
  double value = 25.0;
  bool percent = true;
};

struct FaultSpec {
  double at_s = 0.0;
  FaultKind kind = FaultKind::crash;
  std::string service;
  int replicas = 1;                       ///< crash: how many replicas (the highest indices)
  std::optional<double> restart_after_s;  ///< crash: back (empty, ready) after this long
  double factor = 1.0;                    ///< slowdown: work multiplied by this
  double duration_s = 0.0;                ///< slowdown, outage
  IntOrPercent max_surge;                 ///< rollout: default 25 %, rounded up
  IntOrPercent max_unavailable;           ///< rollout: default 25 %, rounded down
  // node_loss (docs/nodes.md#node-and-zone-loss): `service` is empty.
  std::string pool;                       ///< node_loss: the node pool that loses nodes
  std::optional<int> nodes;               ///< node_loss: how many (absent: every node of `zone`)
  std::optional<std::string> zone;        ///< node_loss: only nodes of this zone
  std::optional<double> restore_after_s;  ///< node_loss: the nodes are back after this long
  /// node_loss with Kubernetes' detection (docs/nodes.md#notready-and-eviction): the nodes are
  /// unreachable; NotReady this long after the loss (node-monitor-grace-period), their pods out
  /// of the endpoints then; absent: the loss is known at once.
  std::optional<double> not_ready_after_s;
  /// node_loss with detection: the pods are evicted (and replaced) this long after NotReady
  /// (the not-ready/unreachable toleration's tolerationSeconds).
  std::optional<double> evict_after_s;
  std::string pointer;
};

struct SloSpec {
  /// (percentile name, limit in seconds), e.g. ("p99", 0.2); names among p50 p90 p95 p99 p999
  /// mean max.
  std::vector<std::pair<std::string, double>> latency_s;
  std::optional<double> error_rate;
};

struct Spec {
  std::string name;
  std::string description;
  SimulationSpec simulation;
  std::vector<WorkloadSpec> workloads;
  std::vector<ServiceSpec> services;  ///< in the model file's order
  std::vector<FaultSpec> faults;      ///< sorted by time
  std::optional<SloSpec> slo;
  /// Problems that do not stop the model from running (e.g. "pareto shape <= 2: infinite
  /// variance"), in document order.
  std::vector<Diagnostic> warnings;

  /// Index of the service named `name`, if any.
  std::optional<std::size_t> service_index(const std::string& name) const;
  /// Whether some rollout fault targets the service `name` (docs/rollouts.md).
  bool rolls_out(const std::string& name) const;
  /// Whether some node_loss fault targets the node pool `name` (docs/nodes.md).
  bool loses_nodes(const std::string& pool) const;
  std::optional<NodesSpec> nodes;  ///< absent: replicas need no nodes (docs/nodes.md)
};

}  // namespace capsim::model
