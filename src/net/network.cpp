#include "capsim/net/network.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <iomanip>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <utility>
#include <vector>

#include "capsim/dist/distribution.hpp"
#include "capsim/dist/duration.hpp"
#include "capsim/model/error.hpp"
#include "capsim/net/autoscaler.hpp"
#include "capsim/net/cache_store.hpp"
#include "capsim/net/profile.hpp"
#include "capsim/net/resilience.hpp"
#include "capsim/sim/random.hpp"
#include "capsim/sim/simulator.hpp"
#include "capsim/stats/histogram.hpp"
#include "capsim/stats/tally.hpp"

namespace capsim::net {

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::success:
      return "success";
    case Outcome::timeout:
      return "timeout";
    case Outcome::rejected:
      return "rejected";
    case Outcome::rate_limited:
      return "rate_limited";
    case Outcome::circuit_open:
      return "circuit_open";
    case Outcome::error:
      return "error";
  }
  return "unknown";
}

SimulationError::SimulationError(double time_s, const std::string& what)
    : std::runtime_error("at t = " + std::to_string(time_s) + " s: " + what), time_s_(time_s) {}

namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
/// Labels of a job's keyed draws besides its steps' (2 step: work; 2 step + 1: calls).
constexpr std::uint64_t kCacheLabel = std::numeric_limits<std::uint64_t>::max() - 8;

/// A reference to a pooled object that detects reuse of its slot.
struct Ref {
  std::uint32_t index = kNone;
  std::uint32_t generation = 0;
  std::uint64_t pack() const { return (static_cast<std::uint64_t>(generation) << 32) | index; }
  static Ref unpack(std::uint64_t v) {
    return Ref{static_cast<std::uint32_t>(v & 0xffffffffu), static_cast<std::uint32_t>(v >> 32)};
  }
};

/// Objects recycled through a free list, stored in fixed-size chunks so that references stay
/// valid while the pool grows. Once warm, acquiring and releasing allocate nothing.
template <class T>
class Pool {
 public:
  Ref acquire() {
    std::uint32_t i;
    if (free_ != kNone) {
      i = free_;
      free_ = (*this)[i].next_free;
    } else {
      i = size_++;
      if ((i >> kChunkBits) >= chunks_.size()) chunks_.push_back(std::make_unique<T[]>(kChunk));
    }
    T& item = (*this)[i];
    const std::uint32_t generation = item.generation;
    item = T{};
    item.generation = generation;
    return Ref{i, generation};
  }
  void release(std::uint32_t i) {
    T& item = (*this)[i];
    if (++item.generation == 0) item.generation = 1;
    item.next_free = free_;
    free_ = i;
  }
  T* get(Ref r) {
    if (r.index >= size_) return nullptr;
    T& item = (*this)[r.index];
    return item.generation == r.generation ? &item : nullptr;
  }
  T& operator[](std::uint32_t i) { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
  /// One past the highest index ever acquired (for scans).
  std::uint32_t extent() const { return size_; }

 private:
  static constexpr std::uint32_t kChunkBits = 10;
  static constexpr std::uint32_t kChunk = 1u << kChunkBits;
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::uint32_t size_ = 0;
  std::uint32_t free_ = kNone;
};

// ---------------------------------------------------------------------------------------------
// Compiled model: names resolved to indices, distributions turned into samplers.

struct Step;
using Steps = std::vector<Step>;

/// What a caller does around one logical call: per-attempt timeout, retries, breaker.
struct Policy {
  std::optional<double> timeout_s;
  std::uint32_t timeouts = kNone;  // index into Network::timeout_queues_ when timeout_s is set
  const model::RetrySpec* retry = nullptr;
  std::uint32_t budget = kNone;   // index into Network::budgets_
  std::uint32_t breaker = kNone;  // index into Network::breakers_
};

struct CallSite {
  std::uint32_t service = kNone;
  std::uint32_t endpoint = kNone;
  std::optional<dist::Distribution> count;
  double probability = 1.0;
  model::DbOp op = model::DbOp::read;
  Policy policy;
};

struct Step {
  model::StepKind kind = model::StepKind::work;
  dist::Distribution work;
  CallSite call;
  /// parallel: one single-call step list per branch, run as a branch job.
  std::vector<Steps> branches;
};

// ---------------------------------------------------------------------------------------------
// Runtime objects.

/// A job's parent: the call whose attempt it serves, or (for a branch of a parallel step) the job
/// that forked it.
enum class ParentKind : std::uint8_t { call, job };

/// Where a cache job is after its lookup work.
enum class CacheStage : std::uint8_t { lookup, fetching, waiting };

struct Job {
  std::uint32_t generation = 1;
  std::uint32_t next_free = kNone;
  bool live = false;
  const Steps* steps = nullptr;
  std::uint32_t service = kNone;      // kNone: a branch of a parallel step (holds no worker)
  std::uint32_t rng_service = kNone;  // whose routing stream draws counts and probabilities
  std::uint32_t replica = kNone;
  std::uint32_t step = 0;
  std::int64_t calls_left = -1;  // -1: the current call step has not drawn its count yet
  std::uint32_t pending = 0;     // calls issued and not yet answered
  std::uint32_t next_in_queue = kNone;
  bool failed = false;
  bool holds_worker = false;
  ParentKind parent_kind = ParentKind::call;
  model::DbOp op = model::DbOp::read;
  CacheStage cache_stage = CacheStage::lookup;
  Ref parent;
  std::uint32_t parent_attempt = 0;
  std::uint32_t cache_key = 0;
  std::uint64_t key = 0;  // the request's random-number key (common random numbers)
  double arrived_s = 0.0;
  double started_s = 0.0;
  double work_s = 0.0;          // CPU demand this job has started, for wasted-work accounting
  double work_pending_s = 0.0;  // FCFS: demand waiting for a core
};

enum class CallerKind : std::uint8_t { client, job };

/// One logical call: a client request, or a job's call to another service. It sends attempts
/// (jobs at the callee), times them out, retries them, and answers its caller once.
struct CallState {
  std::uint32_t generation = 1;
  std::uint32_t next_free = kNone;
  CallerKind caller_kind = CallerKind::client;
  Ref caller;                      // the calling job (caller_kind == job)
  std::uint32_t workload = kNone;  // client calls
  std::uint32_t user = kNone;      // closed workloads
  const Policy* policy = nullptr;
  std::uint32_t service = kNone;
  std::uint32_t endpoint = kNone;
  model::DbOp op = model::DbOp::read;
  std::uint64_t key = 0;      // the request's random-number key; attempt n's job: derive(key, n)
  std::uint32_t attempt = 0;  // attempts sent so far; the current one's number
  bool in_flight = false;     // the current attempt is out and not yet answered or given up
  double first_sent_s = 0.0;
  double last_delay_s = 0.0;  // decorrelated jitter
  sim::EventId timer;         // the backoff before the next attempt
};

/// Intrusive FIFO of jobs linked through Job::next_in_queue.
struct JobQueue {
  std::uint32_t head = kNone;
  std::uint32_t tail = kNone;
  std::int64_t size = 0;
};

struct PsEntry {
  double finish_v;
  std::uint64_t seq;
  Ref job;
  bool operator>(const PsEntry& o) const {
    return finish_v > o.finish_v || (finish_v == o.finish_v && seq > o.seq);
  }
};

/// Where a replica slot is in its life. Services without an autoscaler have every replica
/// `ready` (up, or crashed and waiting to restart).
enum class Phase : std::uint8_t {
  off,       // no replica in this slot
  starting,  // created by an autoscaler, not ready before startup_time
  ready,     // serving (up), or crashed and waiting to restart (not up)
  draining,  // removed by an autoscaler: no new requests, finishing those it holds
};

struct Replica {
  bool up = true;  // receives requests: ready and not crashed
  Phase phase = Phase::ready;
  double ready_since_s = 0.0;      // when it last became up
  double started_s = 0.0;          // autoscaled: when the slot was last set starting
  sim::EventId ready_event;        // starting: the end of its startup
  double ejected_until_s = -kInf;  // passive health check
  std::vector<double> fail_times;  // health: the last max_fails failure times, a ring
  std::uint32_t fail_next = 0;
  std::uint32_t busy_workers = 0;
  std::uint32_t outstanding = 0;  // holding a worker or queued for one
  JobQueue queue;
  std::uint32_t busy_cores = 0;
  JobQueue cpu_queue;
  // Processor sharing: virtual time advances at each job's service rate min(1, cores / n).
  double ps_v = 0.0;
  double ps_last_s = 0.0;
  std::vector<PsEntry> ps_heap;
  std::uint64_t ps_seq = 0;
  sim::EventId ps_event;
  double wrr_current = 0.0;
};

/// Integrals of a service's levels at one instant; differences of two marks give averages
/// over the time between them (a window, or the measured period after warm-up).
struct Marks {
  double busy_cores = 0.0;
  double busy_workers = 0.0;
  double queued = 0.0;
  double in_flight = 0.0;
  double replicas = 0.0;  // ready replicas
  double core_capacity = 0.0;
  double worker_capacity = 0.0;
  double provisioned = 0.0;  // starting, ready and draining replicas (what is paid for)
  double desired = 0.0;      // the replica count asked for
};

/// A service's integrals at the start of a metric window, and the counts that go with them.
struct Snapshot {
  double t = 0.0;
  Marks marks;
  std::uint64_t arrivals = 0;
  double balancer_queued = 0.0;
};

/// Snapshots taken `window_s` before each read of a periodic reader (HPA syncs, KEDA polls), so
/// that a read at T averages over [T - window_s, T]. Read k is at first_s + k period_s.
struct WindowMeter {
  double first_s = 0.0;
  double period_s = 15.0;
  double window_s = 30.0;
  std::uint64_t reads = 0;  // reads done so far
  std::uint64_t marks = 0;  // snapshots taken so far (index k of the read they serve)
  std::deque<Snapshot> snapshots;
  double read_time(std::uint64_t k) const { return first_s + static_cast<double>(k) * period_s; }
  double mark_time(std::uint64_t k) const { return read_time(k) - window_s; }
};

/// The runtime of a service's `autoscaling`.
struct Autoscaler {
  const model::AutoscalingSpec* spec = nullptr;
  std::optional<HpaBehavior> behavior;  // hpa and keda
  int desired = 0;                      // replicas asked for: starting and ready (crashed included)
  int starting = 0;                     // replicas in their startup
  int floor = 0;                        // the schedule's current minimum (hpa, keda)
  WindowMeter sync_meter;               // hpa and keda: the HPA's syncs
  WindowMeter poll_meter;               // keda: its polls
  std::vector<stats::Histogram> latency_slices;  // latency_p95: one per sync period of the window
  std::size_t latency_current = 0;
  stats::Histogram latency_merged;
  std::deque<Ref> balancer_queue;  // requests waiting for a ready replica
  stats::TimeWeighted balancer_queued;
  double last_active_s = 0.0;  // keda: the last poll that found the trigger active
};

struct CacheRuntime {
  const model::CacheSpec* spec = nullptr;
  CallSite backend;
  std::optional<KeySampler> keys;
  std::optional<CacheStore> store;
  sim::RandomStream rng;
  /// stampede == coalesce: jobs waiting for a fetch in progress, by key.
  std::unordered_map<std::uint32_t, std::vector<Ref>> waiting;
  std::uint64_t lookups = 0, hits = 0;
};

struct Service {
  const model::ServiceSpec* spec = nullptr;
  std::vector<Steps> endpoints;
  std::vector<Replica> replicas;  // autoscaled: slots, up to the largest count (and more if needed)
  std::vector<double> weights;
  std::uint64_t rr_next = 0;
  sim::RandomStream lb_rng;
  std::int64_t queued = 0;
  std::optional<double> saturated_at_s;
  std::uint32_t replicas_up = 0;
  bool simple_balancing = true;  // every replica always eligible: the fast path
  std::unique_ptr<Autoscaler> autoscaler;
  std::vector<std::uint32_t> active;          // autoscaled: the up replicas, ascending
  stats::Histogram* latency_slice = nullptr;  // autoscaled on latency_p95: where latencies go
  std::uint64_t arrivals_total = 0;           // from t = 0, for the autoscaler's rps
  std::optional<TokenBucket> rate_limit;
  std::optional<CacheRuntime> cache;
  double slowdown = 1.0;
  double outage_until_s = -kInf;
  // Statistics (after warm-up).
  std::uint64_t arrivals = 0, completions = 0, rejected = 0, rate_limited = 0, dropped = 0;
  stats::Histogram latency;
  stats::Histogram wait;  // arrival to worker (databases: waiting for a connection)
  double work_total_s = 0.0, work_wasted_s = 0.0;
  // Levels integrated from t = 0; `warm` marks the end of warm-up, `window` the window start.
  stats::TimeWeighted busy_cores, busy_workers, queued_tw, in_flight, replica_count, core_capacity,
      worker_capacity, provisioned, desired;
  double replicas_min = 0.0, replicas_max = 0.0;  // since the end of warm-up
  Marks warm;
  // Time series window.
  std::uint64_t w_arrivals = 0;
  stats::Histogram w_latency;
  Marks window;

  Marks marks(double t) const {
    return Marks{busy_cores.integral(t),      busy_workers.integral(t),  queued_tw.integral(t),
                 in_flight.integral(t),       replica_count.integral(t), core_capacity.integral(t),
                 worker_capacity.integral(t), provisioned.integral(t),   desired.integral(t)};
  }
};

struct User {
  bool active = false;
  bool busy = false;
  sim::EventId think_event;
};

struct Workload {
  const model::WorkloadSpec* spec = nullptr;
  std::uint32_t target = kNone;
  std::vector<std::uint32_t> endpoints;
  std::vector<double> mix_cumulative;
  sim::RandomStream arrival_rng, mix_rng, think_rng;
  std::uint64_t request_keys = 0;  // the key of the workload's requests: derive(it, n) for the n-th
  std::uint64_t sent = 0;
  std::optional<dist::Distribution> interarrival;
  double interarrival_scale = 1.0;
  dist::Distribution think;
  Policy policy;
  std::vector<User> users;
  long user_level = 0;
  // Statistics (after warm-up).
  std::uint64_t offered = 0, finished = 0, attempts = 0, retries = 0;
  std::uint64_t outcomes[kOutcomeCount] = {};
  stats::Histogram latency;
  stats::TimeWeighted users_tw;  // integrated from t = 0
  double users_warm = 0.0;       // its integral at the end of warm-up
  // Time series window.
  std::uint64_t w_finished = 0, w_failed = 0;
  stats::Histogram w_latency;
};

/// Attempts of one policy all time out after the same delay, so their deadlines come in the
/// order the attempts were sent: a FIFO with one calendar event for its head replaces a timer per
/// attempt (and keeps answered attempts' timers out of the calendar). Entries of attempts that
/// were answered are skipped when they reach the head.
struct TimeoutQueue {
  struct Entry {
    double deadline_s;
    Ref call;
    std::uint32_t attempt;
  };
  std::deque<Entry> entries;
  bool scheduled = false;
};

struct BreakerSite {
  CircuitBreaker breaker;
  std::string edge;  // "caller->callee"
  std::uint32_t callee = kNone;
  BreakerState logged = BreakerState::closed;  // the last state written to the event log
};

enum Tag : std::uint32_t {
  kArrival,
  kUserSend,
  kUsersChange,
  kTimeouts,
  kRetry,
  kWorkDone,
  kPsDone,
  kWindow,
  kWarmupEnd,
  kFault,
  kFaultEnd,
  kRestart,
  kReplicaReady,
  kAutoscaleSync,
  kAutoscalePoll,
  kAutoscaleMark,
  kScheduleStep,
};

// ---------------------------------------------------------------------------------------------

class Network final : public sim::EventHandler {
 public:
  Network(const model::Spec& spec, const ReplicationOptions& options);
  stats::Summary run();
  void on_event(std::uint32_t tag, std::uint64_t data) override;

 private:
  // Building.
  Steps compile_steps(const std::vector<model::StepSpec>& steps, const std::string& caller);
  CallSite compile_call(const model::CallSpec& c, const std::string& caller);
  Policy compile_policy(const std::optional<double>& timeout_s,
                        const std::optional<model::RetrySpec>& retry,
                        const std::optional<model::CircuitBreakerSpec>& breaker,
                        const std::string& edge, std::uint32_t callee);
  // Workloads.
  void schedule_next_arrival(std::uint32_t w);
  void send(std::uint32_t w, std::uint32_t user);
  void client_done(CallState& c, Outcome outcome);
  void set_user_level(std::uint32_t w, long level);
  void user_finished(Workload& wl, std::uint32_t user);
  // Calls.
  void start_call(CallerKind kind, Ref caller_job, std::uint32_t workload, std::uint32_t user,
                  const Policy& policy, std::uint32_t service, std::uint32_t endpoint,
                  model::DbOp op, std::uint64_t key);
  void send_attempt(Ref call);
  void attempt_returned(Ref call, std::uint32_t attempt, Outcome outcome);
  void attempt_done(Ref call, Outcome outcome);
  void call_complete(Ref call, Outcome outcome);
  bool is_orphan(const Job& j);
  void note_breaker(BreakerSite& site);
  // Services.
  Ref new_job(const Steps* steps, std::uint32_t service, ParentKind kind, Ref parent,
              std::uint32_t parent_attempt, std::uint32_t rng_service);
  void arrive(Ref job);
  [[gnu::always_inline]] inline void admit(Ref job, Job& j, Service& s, std::uint32_t ri);
  bool eligible(const Service& s, const Replica& r, bool ignore_health) const;
  std::uint32_t pick_replica(Service& s, std::uint32_t lo, std::uint32_t hi);
  template <class Index>
  std::uint32_t pick_general(Service& s, std::uint32_t n, Index index, bool ignore_health);
  void start(Ref job, Job& j);
  void advance(Ref job);
  void cache_step(Ref job, Job& j);
  void cache_fetched(Ref job, Job& j);
  void start_work(Ref job, Job& j, double demand_s);
  void work_done(Ref job);
  void ps_advance(const Service& s, Replica& r);
  void ps_reschedule(const Service& s, Replica& r, std::uint32_t service, std::uint32_t replica);
  void ps_done(std::uint32_t service, std::uint32_t replica);
  void child_done(Ref parent, Outcome outcome);
  void finish(Ref job, Outcome outcome);
  void release_worker(Service& s, Replica& r);
  void record_health(Service& s, Replica& r, std::uint32_t replica_index);
  void drain();
  // Faults and capacity.
  void fault(std::uint32_t index);
  void fault_end(std::uint32_t index);
  void crash(std::uint32_t service, std::uint32_t replica);
  void set_replica_up(std::uint32_t service, std::uint32_t replica, bool up);
  void update_replica(std::uint32_t service, std::uint32_t replica, Phase phase, bool up);
  // Autoscaling.
  void build_autoscaler(std::uint32_t service);
  void start_autoscaler(std::uint32_t service);
  Snapshot snapshot(const Service& s, double t) const;
  void take_mark(std::uint32_t service, WindowMeter& meter, std::uint32_t which);
  Snapshot window_start(WindowMeter& meter, double now) const;
  void autoscale_sync(std::uint32_t service);
  void keda_poll(std::uint32_t service);
  void schedule_step(std::uint32_t service, std::uint32_t step);
  int effective_min(const Autoscaler& a) const;
  void scale_to(std::uint32_t service, int to, const std::string& metric, const std::string& policy,
                const std::string& reason);
  void start_replica(std::uint32_t service);
  void remove_replica(std::uint32_t service);
  void replica_ready(std::uint32_t service, std::uint32_t replica);
  void drained(std::uint32_t service, std::uint32_t replica);
  void wait_at_balancer(Ref job, Service& s);
  void dispatch_waiting(std::uint32_t service);
  void log_event(const std::string& kind, const std::string& service, const std::string& detail);
  // Statistics.
  bool measuring() const { return measuring_; }
  void begin_measurement();
  void close_window();
  stats::Summary summarize();
  [[noreturn]] void fail(const std::string& what) const;

  static void push(JobQueue& q, Pool<Job>& jobs, std::uint32_t index);
  static std::uint32_t pop(JobQueue& q, Pool<Job>& jobs);

  const model::Spec& spec_;
  ReplicationOptions options_;
  sim::Simulator sim_;
  Pool<Job> jobs_;
  Pool<CallState> calls_;
  std::vector<Service> services_;
  std::vector<Workload> workloads_;
  std::deque<BreakerSite> breakers_;  // deque: stable addresses while compiling
  std::vector<RetryBudget> budgets_;
  std::vector<TimeoutQueue> timeout_queues_;
  std::vector<Ref> ready_;
  bool measuring_ = false;
  double window_start_s_ = 0.0;
  std::uint64_t same_time_events_ = 0;
  double last_event_s_ = -1.0;
  std::vector<stats::TimeSeriesRow> rows_;
  std::vector<stats::EventRow> event_log_;
  std::vector<stats::ScaleEventRow> scale_log_;
  sim::RandomStream backoff_rng_;
};

void set_window_percentiles(stats::TimeSeriesRow& row, const stats::Histogram& h) {
  if (h.count() == 0) return;
  static constexpr double kQs[] = {0.50, 0.95, 0.99};
  double v[3];
  h.quantiles(kQs, v);
  row.p50_ms = v[0] * 1e3;
  row.p95_ms = v[1] * 1e3;
  row.p99_ms = v[2] * 1e3;
}

model::Failure failure_of(Outcome o) {
  switch (o) {
    case Outcome::timeout:
      return model::Failure::timeout;
    case Outcome::rejected:
      return model::Failure::rejected;
    case Outcome::rate_limited:
      return model::Failure::rate_limited;
    case Outcome::circuit_open:
      return model::Failure::circuit_open;
    case Outcome::success:
    case Outcome::error:
      break;
  }
  return model::Failure::error;
}

std::uint64_t pack2(std::uint32_t hi, std::uint32_t lo) {
  return (static_cast<std::uint64_t>(hi) << 32) | lo;
}

std::uint32_t endpoint_index(const model::ServiceSpec& s, const std::string& name,
                             const std::string& pointer) {
  if (name.empty()) return 0;
  auto it = std::find_if(s.endpoints.begin(), s.endpoints.end(),
                         [&](const model::EndpointSpec& x) { return x.name == name; });
  if (it == s.endpoints.end()) throw model::ModelError(pointer, "unknown endpoint '" + name + "'");
  return static_cast<std::uint32_t>(it - s.endpoints.begin());
}

Network::Network(const model::Spec& spec, const ReplicationOptions& options)
    : spec_(spec), options_(options) {
  const std::uint64_t seed = spec.simulation.seed;
  const std::uint64_t rep = options.replication;
  backoff_rng_ = sim::RandomStream(seed, rep, "retry/backoff");
  services_.resize(spec.services.size());
  for (std::size_t i = 0; i < spec.services.size(); ++i) {
    Service& s = services_[i];
    s.spec = &spec.services[i];
    const std::string base = "service/" + s.spec->name;
    s.lb_rng = sim::RandomStream(seed, rep, base + "/balancer");
    // An autoscaled service has a slot for every replica it may have; those beyond the initial
    // count start empty.
    const auto initial = static_cast<std::size_t>(s.spec->replicas);
    std::size_t slots = initial;
    if (s.spec->autoscaling) {
      slots = std::max(slots, static_cast<std::size_t>(s.spec->autoscaling->max));
    }
    s.replicas.resize(slots);
    for (std::size_t k = initial; k < slots; ++k) {
      s.replicas[k].up = false;
      s.replicas[k].phase = Phase::off;
    }
    s.replicas_up = static_cast<std::uint32_t>(initial);
    s.weights.assign(s.replicas.size(), 1.0);
    for (std::size_t k = 0; k < s.weights.size() && k < s.spec->load_balancer.weights.size(); ++k) {
      s.weights[k] = s.spec->load_balancer.weights[k];
    }
    if (const auto& h = s.spec->load_balancer.health) {
      for (Replica& r : s.replicas)
        r.fail_times.assign(static_cast<std::size_t>(h->max_fails), -kInf);
    }
    if (s.spec->rate_limit) s.rate_limit.emplace(*s.spec->rate_limit);
  }
  // Databases route reads and writes, and a crash can take replicas away: both leave the fast
  // path of the balancer.
  for (const model::FaultSpec& f : spec.faults) {
    if (f.kind == model::FaultKind::crash) {
      services_[*spec.service_index(f.service)].simple_balancing = false;
    }
  }
  for (Service& s : services_) {
    if (s.spec->database || s.spec->load_balancer.health || s.spec->autoscaling) {
      s.simple_balancing = false;
    }
  }
  // Compile after every service exists so calls can be resolved.
  for (std::size_t i = 0; i < spec.services.size(); ++i) {
    Service& s = services_[i];
    for (const model::EndpointSpec& e : s.spec->endpoints) {
      s.endpoints.push_back(compile_steps(e.steps, s.spec->name));
    }
    if (const auto& cs = s.spec->cache) {
      CacheRuntime& c = s.cache.emplace();
      c.spec = &*cs;
      c.rng = sim::RandomStream(seed, rep, "service/" + s.spec->name + "/cache");
      const auto backend = spec.service_index(cs->backend);
      if (!backend) throw model::ModelError(s.spec->pointer + "/backend", "unknown service");
      c.backend.service = static_cast<std::uint32_t>(*backend);
      c.backend.endpoint = endpoint_index(spec.services[*backend], cs->backend_endpoint,
                                          s.spec->pointer + "/backend");
      if (!cs->hit_ratio) {
        c.keys.emplace(cs->key_count, cs->popularity, cs->zipf_exponent);
        c.store.emplace(cs->key_count, cs->capacity, cs->eviction);
      }
    }
    const double n = static_cast<double>(s.replicas_up);
    s.replica_count = stats::TimeWeighted(n);
    s.core_capacity = stats::TimeWeighted(n * s.spec->cores);
    s.worker_capacity = stats::TimeWeighted(n * s.spec->workers);
    s.provisioned = stats::TimeWeighted(n);
    s.desired = stats::TimeWeighted(n);
    if (s.spec->autoscaling) build_autoscaler(static_cast<std::uint32_t>(i));
  }
  workloads_.resize(spec.workloads.size());
  for (std::size_t i = 0; i < spec.workloads.size(); ++i) {
    Workload& w = workloads_[i];
    const model::WorkloadSpec& ws = spec.workloads[i];
    w.spec = &ws;
    const std::string base = "workload/" + ws.name;
    w.arrival_rng = sim::RandomStream(seed, rep, base + "/arrivals");
    w.mix_rng = sim::RandomStream(seed, rep, base + "/mix");
    w.think_rng = sim::RandomStream(seed, rep, base + "/think");
    w.request_keys = sim::stream_seed(seed, rep, base + "/requests");
    const auto target = spec.service_index(ws.target);
    if (!target) {
      throw model::ModelError(ws.pointer + "/target", "unknown service '" + ws.target + "'");
    }
    w.target = static_cast<std::uint32_t>(*target);
    const model::ServiceSpec& ts = spec.services[*target];
    double cumulative = 0.0;
    for (const model::MixEntry& m : ws.mix) {
      w.endpoints.push_back(endpoint_index(ts, m.endpoint, ws.pointer));
      cumulative += m.weight;
      w.mix_cumulative.push_back(cumulative);
    }
    if (ws.kind == model::WorkloadKind::open && ws.interarrival) {
      w.interarrival.emplace(*ws.interarrival);
      if (ws.rate.kind != model::ProfileKind::constant) {
        throw model::ModelError(ws.pointer + "/interarrival",
                                "expected a constant rate with an interarrival distribution, found "
                                "a rate profile");
      }
      // With both, the distribution gives the shape and the rate the mean.
      const double mean = w.interarrival->mean();
      if (ws.rate.constant > 0.0 && mean > 0.0) {
        w.interarrival_scale = 1.0 / (ws.rate.constant * mean);
      }
    }
    w.think = dist::Distribution(ws.think_time);
    w.policy = compile_policy(ws.timeout_s, ws.retry, std::nullopt, "", w.target);
  }
}

Policy Network::compile_policy(const std::optional<double>& timeout_s,
                               const std::optional<model::RetrySpec>& retry,
                               const std::optional<model::CircuitBreakerSpec>& breaker,
                               const std::string& edge, std::uint32_t callee) {
  Policy p;
  p.timeout_s = timeout_s;
  if (timeout_s) {
    p.timeouts = static_cast<std::uint32_t>(timeout_queues_.size());
    timeout_queues_.emplace_back();
  }
  if (retry) {
    p.retry = &*retry;
    if (retry->budget) {
      p.budget = static_cast<std::uint32_t>(budgets_.size());
      budgets_.emplace_back(*retry->budget);
    }
  }
  if (breaker) {
    p.breaker = static_cast<std::uint32_t>(breakers_.size());
    breakers_.push_back(BreakerSite{CircuitBreaker(*breaker), edge, callee});
  }
  return p;
}

CallSite Network::compile_call(const model::CallSpec& c, const std::string& caller) {
  CallSite call;
  const auto service = spec_.service_index(c.service);
  if (!service) throw model::ModelError(c.pointer, "unknown service '" + c.service + "'");
  call.service = static_cast<std::uint32_t>(*service);
  call.endpoint = endpoint_index(spec_.services[*service], c.endpoint, c.pointer);
  if (c.count) call.count.emplace(*c.count);
  call.probability = c.probability;
  call.op = c.op;
  call.policy = compile_policy(c.timeout_s, c.retry, c.circuit_breaker, caller + "->" + c.service,
                               call.service);
  return call;
}

Steps Network::compile_steps(const std::vector<model::StepSpec>& steps, const std::string& caller) {
  Steps out;
  for (const model::StepSpec& s : steps) {
    Step step;
    step.kind = s.kind;
    switch (s.kind) {
      case model::StepKind::work:
        step.work = dist::Distribution(s.work);
        break;
      case model::StepKind::call:
        step.call = compile_call(s.call, caller);
        break;
      case model::StepKind::parallel:
        for (const model::CallSpec& c : s.parallel) {
          Step branch;
          branch.kind = model::StepKind::call;
          branch.call = compile_call(c, caller);
          step.branches.push_back(Steps{std::move(branch)});
        }
        break;
    }
    out.push_back(std::move(step));
  }
  return out;
}

void Network::fail(const std::string& what) const {
  throw SimulationError(sim_.now(), what);
}

void Network::log_event(const std::string& kind, const std::string& service,
                        const std::string& detail) {
  if (options_.timeseries) event_log_.push_back(stats::EventRow{sim_.now(), kind, service, detail});
}

// ---------------------------------------------------------------------------------------------
// Workloads.

void Network::schedule_next_arrival(std::uint32_t w) {
  Workload& wl = workloads_[w];
  const double horizon = spec_.simulation.duration_s;
  double t = sim_.now();
  if (wl.interarrival) {
    t += wl.interarrival_scale * wl.interarrival->sample(wl.arrival_rng);
    if (t <= horizon) sim_.at(t, this, kArrival, w);
    return;
  }
  const model::Profile& p = wl.spec->rate;
  if (p.kind == model::ProfileKind::constant) {
    if (p.constant > 0.0) {
      t -= std::log(wl.arrival_rng.uniform01()) / p.constant;
      if (t <= horizon) sim_.at(t, this, kArrival, w);
    }
    return;
  }
  // Non-homogeneous Poisson arrivals by thinning, piece by piece: within a piece the candidate
  // rate is the piece's maximum; memorylessness lets us restart at every piece boundary.
  while (t <= horizon) {
    const Segment seg = segment_at(p, t);
    if (seg.max_value <= 0.0) {
      t = seg.end;
      continue;
    }
    const double candidate = t - std::log(wl.arrival_rng.uniform01()) / seg.max_value;
    if (candidate >= seg.end) {
      t = seg.end;
      continue;
    }
    t = candidate;
    if (wl.arrival_rng.uniform01() * seg.max_value <= value_at(p, t)) {
      if (t <= horizon) sim_.at(t, this, kArrival, w);
      return;
    }
  }
}

void Network::send(std::uint32_t w, std::uint32_t user) {
  Workload& wl = workloads_[w];
  if (measuring()) ++wl.offered;
  std::uint32_t e = wl.endpoints.front();
  if (wl.endpoints.size() > 1) {
    const double u = wl.mix_rng.uniform01() * wl.mix_cumulative.back();
    std::size_t k = 0;
    while (k + 1 < wl.endpoints.size() && u >= wl.mix_cumulative[k]) ++k;
    e = wl.endpoints[k];
  }
  start_call(CallerKind::client, Ref{}, w, user, wl.policy, wl.target, e, model::DbOp::read,
             sim::derive_key(wl.request_keys, wl.sent++));
}

void Network::client_done(CallState& c, Outcome outcome) {
  Workload& wl = workloads_[c.workload];
  const double latency = sim_.now() - c.first_sent_s;
  if (measuring()) {
    ++wl.finished;
    ++wl.outcomes[static_cast<int>(outcome)];
    wl.attempts += c.attempt;
    if (outcome == Outcome::success) wl.latency.record(latency);
  }
  if (options_.timeseries) {
    ++wl.w_finished;
    if (outcome == Outcome::success) {
      wl.w_latency.record(latency);
    } else {
      ++wl.w_failed;
    }
  }
  if (c.user != kNone) user_finished(wl, c.user);
}

void Network::user_finished(Workload& wl, std::uint32_t user) {
  User& u = wl.users[user];
  u.busy = false;
  if (!u.active) return;
  const double think = wl.think.sample(wl.think_rng);
  const auto w = static_cast<std::uint32_t>(&wl - workloads_.data());
  u.think_event = sim_.after(think, this, kUserSend, pack2(w, user));
}

void Network::set_user_level(std::uint32_t w, long level) {
  Workload& wl = workloads_[w];
  const auto n = static_cast<std::size_t>(std::max(0L, level));
  if (wl.users.size() < n) wl.users.resize(n);
  // Users [0, n) are active; a user beyond n stops after its current request (k6 ramping-vus).
  for (std::size_t i = 0; i < wl.users.size(); ++i) {
    User& u = wl.users[i];
    const bool should = i < n;
    if (should && !u.active) {
      u.active = true;
      if (!u.busy && !sim_.pending(u.think_event)) {
        u.think_event = sim_.after(0.0, this, kUserSend, pack2(w, static_cast<std::uint32_t>(i)));
      }
    } else if (!should && u.active) {
      u.active = false;
      sim_.cancel(u.think_event);
    }
  }
  wl.user_level = static_cast<long>(n);
  wl.users_tw.update(sim_.now(), static_cast<double>(n));
  const LevelChange next = next_level_change(wl.spec->users, sim_.now(), wl.user_level);
  if (next.time <= spec_.simulation.duration_s) {
    sim_.at(next.time, this, kUsersChange,
            pack2(w, static_cast<std::uint32_t>(std::max(0L, next.level))), sim::Priority::urgent);
  }
}

// ---------------------------------------------------------------------------------------------
// Calls: attempts, timeouts, retries, breakers.

void Network::start_call(CallerKind kind, Ref caller_job, std::uint32_t workload,
                         std::uint32_t user, const Policy& policy, std::uint32_t service,
                         std::uint32_t endpoint, model::DbOp op, std::uint64_t key) {
  const Ref r = calls_.acquire();
  CallState& c = calls_[r.index];
  c.key = key;
  c.caller_kind = kind;
  c.caller = caller_job;
  c.workload = workload;
  c.user = user;
  c.policy = &policy;
  c.service = service;
  c.endpoint = endpoint;
  c.op = op;
  c.first_sent_s = sim_.now();
  if (policy.retry) c.last_delay_s = policy.retry->backoff.base_s;
  if (policy.budget != kNone) budgets_[policy.budget].request(sim_.now());
  send_attempt(r);
}

void Network::note_breaker(BreakerSite& site) {
  // Called around every use of the breaker, so that each state it passes through is logged.
  const BreakerState now = site.breaker.state(sim_.now());
  if (now != site.logged) {
    site.logged = now;
    log_event(std::string("breaker_") + breaker_state_name(now), services_[site.callee].spec->name,
              site.edge);
  }
}

void Network::send_attempt(Ref call) {
  CallState& c = calls_[call.index];
  ++c.attempt;
  c.in_flight = true;
  const Policy& p = *c.policy;
  if (p.breaker != kNone) {
    BreakerSite& site = breakers_[p.breaker];
    note_breaker(site);
    const bool allowed = site.breaker.allow(sim_.now());
    if (!allowed) {
      attempt_done(call, Outcome::circuit_open);
      return;
    }
  }
  if (p.timeouts != kNone) {
    TimeoutQueue& q = timeout_queues_[p.timeouts];
    const double deadline = sim_.now() + *p.timeout_s;
    q.entries.push_back(TimeoutQueue::Entry{deadline, call, c.attempt});
    if (!q.scheduled) {
      q.scheduled = true;
      sim_.at(deadline, this, kTimeouts, p.timeouts);
    }
  }
  Service& s = services_[c.service];
  const std::uint32_t rng_service = c.service;
  const Ref job =
      new_job(&s.endpoints[c.endpoint], c.service, ParentKind::call, call, c.attempt, rng_service);
  jobs_[job.index].op = c.op;
  jobs_[job.index].key = sim::derive_key(c.key, c.attempt);
  arrive(job);
}

void Network::attempt_returned(Ref call, std::uint32_t attempt, Outcome outcome) {
  CallState* c = calls_.get(call);
  // An attempt the caller gave up on (timeout) or a call already answered: the result is unused.
  if (c == nullptr || c->attempt != attempt || !c->in_flight) return;
  sim_.cancel(c->timer);
  c->timer = sim::EventId{};
  attempt_done(call, outcome);
}

void Network::attempt_done(Ref call, Outcome outcome) {
  CallState& c = calls_[call.index];
  c.in_flight = false;
  const Policy& p = *c.policy;
  if (p.breaker != kNone && outcome != Outcome::circuit_open) {
    BreakerSite& site = breakers_[p.breaker];
    note_breaker(site);
    site.breaker.record(sim_.now(), outcome == Outcome::success);
    note_breaker(site);
  }
  if (outcome != Outcome::success && p.retry != nullptr &&
      (p.retry->on & model::failure_bit(failure_of(outcome))) &&
      static_cast<int>(c.attempt) < p.retry->max_attempts &&
      (p.budget == kNone || budgets_[p.budget].try_retry(sim_.now()))) {
    if (c.caller_kind == CallerKind::client && measuring()) ++workloads_[c.workload].retries;
    const double delay =
        backoff_delay(p.retry->backoff, static_cast<int>(c.attempt), c.last_delay_s, backoff_rng_);
    c.last_delay_s = delay;
    if (delay <= 0.0) {
      send_attempt(call);
    } else {
      c.timer = sim_.after(delay, this, kRetry, call.pack());
    }
    return;
  }
  call_complete(call, outcome);
}

void Network::call_complete(Ref call, Outcome outcome) {
  CallState& c = calls_[call.index];
  if (c.caller_kind == CallerKind::client) {
    client_done(c, outcome);
    calls_.release(call.index);
    return;
  }
  const Ref caller = c.caller;
  calls_.release(call.index);
  child_done(caller, outcome);
}

bool Network::is_orphan(const Job& job) {
  // Walk up the chain of callers: the job's work is used only if every call on the way up is
  // still waiting for the very attempt that leads to it.
  ParentKind kind = job.parent_kind;
  Ref parent = job.parent;
  std::uint32_t attempt = job.parent_attempt;
  for (int depth = 0; depth < 10000; ++depth) {
    const Job* up = nullptr;
    if (kind == ParentKind::job) {
      up = jobs_.get(parent);
    } else {
      const CallState* c = calls_.get(parent);
      if (c == nullptr || c->attempt != attempt || !c->in_flight) return true;
      if (c->caller_kind == CallerKind::client) return false;
      up = jobs_.get(c->caller);
    }
    if (up == nullptr) return true;
    kind = up->parent_kind;
    parent = up->parent;
    attempt = up->parent_attempt;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Services.

Ref Network::new_job(const Steps* steps, std::uint32_t service, ParentKind kind, Ref parent,
                     std::uint32_t parent_attempt, std::uint32_t rng_service) {
  const Ref r = jobs_.acquire();
  Job& j = jobs_[r.index];
  j.live = true;
  j.steps = steps;
  j.service = service;
  j.rng_service = rng_service;
  j.parent_kind = kind;
  j.parent = parent;
  j.parent_attempt = parent_attempt;
  j.arrived_s = sim_.now();
  return r;
}

void Network::push(JobQueue& q, Pool<Job>& jobs, std::uint32_t index) {
  jobs[index].next_in_queue = kNone;
  if (q.tail == kNone) {
    q.head = index;
  } else {
    jobs[q.tail].next_in_queue = index;
  }
  q.tail = index;
  ++q.size;
}

std::uint32_t Network::pop(JobQueue& q, Pool<Job>& jobs) {
  const std::uint32_t index = q.head;
  q.head = jobs[index].next_in_queue;
  if (q.head == kNone) q.tail = kNone;
  --q.size;
  return index;
}

bool Network::eligible(const Service&, const Replica& r, bool ignore_health) const {
  return r.up && (ignore_health || r.ejected_until_s <= sim_.now());
}

template <class Index>
std::uint32_t Network::pick_general(Service& s, std::uint32_t n, Index index, bool ignore_health) {
  // The general path: replicas may be down (crash) or ejected (health checks), databases route
  // to a range of replicas, and autoscaled services choose among their up replicas. Same
  // policies as the fast path, over eligible candidates only; candidate k is replica index(k).
  std::uint32_t count = 0;
  for (std::uint32_t k = 0; k < n; ++k) count += eligible(s, s.replicas[index(k)], ignore_health);
  if (count == 0) return kNone;
  auto nth = [&](std::uint64_t m) {
    for (std::uint32_t k = 0; k < n; ++k) {
      if (eligible(s, s.replicas[index(k)], ignore_health) && m-- == 0) return index(k);
    }
    return index(0);
  };
  switch (s.spec->load_balancer.policy) {
    case model::LbPolicy::round_robin:
      for (std::uint32_t k = 0; k < n; ++k) {
        const std::uint32_t i = index(static_cast<std::uint32_t>(s.rr_next++ % n));
        if (eligible(s, s.replicas[i], ignore_health)) return i;
      }
      return kNone;
    case model::LbPolicy::random:
      return nth(s.lb_rng.below(count));
    case model::LbPolicy::least_outstanding: {
      const auto first = static_cast<std::uint32_t>(s.rr_next++ % n);
      std::uint32_t best = kNone;
      for (std::uint32_t k = 0; k < n; ++k) {
        const std::uint32_t i = index((first + k) % n);
        if (!eligible(s, s.replicas[i], ignore_health)) continue;
        if (best == kNone || s.replicas[i].outstanding < s.replicas[best].outstanding) best = i;
      }
      return best;
    }
    case model::LbPolicy::power_of_two: {
      if (count == 1) return nth(0);
      const std::uint64_t a = s.lb_rng.below(count);
      std::uint64_t b = s.lb_rng.below(count - 1);
      if (b >= a) ++b;
      const std::uint32_t ra = nth(a), rb = nth(b);
      return s.replicas[rb].outstanding < s.replicas[ra].outstanding ? rb : ra;
    }
    case model::LbPolicy::weighted_round_robin: {
      double total = 0.0;
      std::uint32_t best = kNone;
      for (std::uint32_t k = 0; k < n; ++k) {
        const std::uint32_t i = index(k);
        if (!eligible(s, s.replicas[i], ignore_health)) continue;
        s.replicas[i].wrr_current += s.weights[i];
        total += s.weights[i];
        if (best == kNone || s.replicas[i].wrr_current > s.replicas[best].wrr_current) best = i;
      }
      s.replicas[best].wrr_current -= total;
      return best;
    }
  }
  return kNone;
}

std::uint32_t Network::pick_replica(Service& s, std::uint32_t lo, std::uint32_t hi) {
  if (!s.simple_balancing) {
    std::uint32_t r;
    if (s.autoscaler) {
      const auto n = static_cast<std::uint32_t>(s.active.size());
      const auto index = [&s](std::uint32_t k) { return s.active[k]; };
      r = pick_general(s, n, index, false);
      // When health checks have ejected every live replica, nginx-like, try them all again.
      if (r == kNone) r = pick_general(s, n, index, true);
      return r;
    }
    const auto index = [lo](std::uint32_t k) { return lo + k; };
    r = pick_general(s, hi - lo, index, false);
    if (r == kNone) r = pick_general(s, hi - lo, index, true);
    return r;
  }
  const std::uint32_t n = hi - lo;
  if (n == 1) return lo;
  switch (s.spec->load_balancer.policy) {
    case model::LbPolicy::round_robin:
      return static_cast<std::uint32_t>(lo + s.rr_next++ % n);
    case model::LbPolicy::random:
      return static_cast<std::uint32_t>(lo + s.lb_rng.below(n));
    case model::LbPolicy::least_outstanding: {
      // Fewest outstanding requests; ties go to the first in a rotating order so that idle
      // replicas share the load evenly.
      const auto first = static_cast<std::uint32_t>(s.rr_next++ % n);
      std::uint32_t best = lo + first;
      for (std::uint32_t k = 1; k < n; ++k) {
        const std::uint32_t i = lo + (first + k) % n;
        if (s.replicas[i].outstanding < s.replicas[best].outstanding) best = i;
      }
      return best;
    }
    case model::LbPolicy::power_of_two: {
      const auto a = static_cast<std::uint32_t>(s.lb_rng.below(n));
      auto b = static_cast<std::uint32_t>(s.lb_rng.below(n - 1));
      if (b >= a) ++b;
      return s.replicas[lo + b].outstanding < s.replicas[lo + a].outstanding ? lo + b : lo + a;
    }
    case model::LbPolicy::weighted_round_robin: {
      // Smooth weighted round robin: every replica gains its weight, the richest is chosen and
      // pays the total. Spreads picks evenly in proportion to the weights.
      double total = 0.0;
      std::uint32_t best = lo;
      for (std::uint32_t i = lo; i < hi; ++i) {
        s.replicas[i].wrr_current += s.weights[i];
        total += s.weights[i];
        if (s.replicas[i].wrr_current > s.replicas[best].wrr_current) best = i;
      }
      s.replicas[best].wrr_current -= total;
      return best;
    }
  }
  return lo;
}

void Network::arrive(Ref job) {
  Job& j = jobs_[job.index];
  const std::uint32_t si = j.service;
  Service& s = services_[si];
  const double now = sim_.now();
  ++s.arrivals_total;
  if (measuring()) ++s.arrivals;
  if (options_.timeseries) ++s.w_arrivals;
  if (now < s.outage_until_s) {
    finish(job, Outcome::error);  // an outage answers every request at once
    return;
  }
  if (s.rate_limit && !s.rate_limit->try_take(now)) {
    if (measuring()) ++s.rate_limited;
    finish(job, Outcome::rate_limited);
    return;
  }
  std::uint32_t lo = 0;
  auto hi = static_cast<std::uint32_t>(s.replicas.size());
  if (s.spec->database && s.spec->database->read_replicas > 0) {
    // Writes go to the primary, reads to the read replicas.
    if (j.op == model::DbOp::write) {
      hi = 1;
    } else {
      lo = 1;
    }
  }
  const std::uint32_t ri = pick_replica(s, lo, hi);
  if (ri == kNone) {
    // No replica is up. An autoscaled service holds the request at the balancer while a replica
    // is on its way (or, scaling from zero, may be); otherwise it fails at once.
    if (s.autoscaler &&
        (s.autoscaler->starting > 0 || s.autoscaler->spec->kind == model::AutoscalerKind::keda)) {
      wait_at_balancer(job, s);
      return;
    }
    finish(job, Outcome::error);
    return;
  }
  admit(job, j, s, ri);
}

void Network::admit(Ref job, Job& j, Service& s, std::uint32_t ri) {
  // The balancer chose replica ri: a worker, a place in its queue, or a rejection.
  const double now = sim_.now();
  Replica& r = s.replicas[ri];
  j.replica = ri;
  if (r.busy_workers < static_cast<std::uint32_t>(s.spec->workers)) {
    ++r.outstanding;
    s.in_flight.add(now, 1.0);
    ++r.busy_workers;
    s.busy_workers.add(now, 1.0);
    start(job, j);
    return;
  }
  const bool full = s.spec->queue_capacity && r.queue.size >= *s.spec->queue_capacity;
  const bool saturated = s.queued >= spec_.simulation.max_queue;
  if (full || saturated) {
    if (saturated && !s.saturated_at_s) s.saturated_at_s = now;
    if (measuring()) ++s.rejected;
    record_health(s, r, ri);
    finish(job, Outcome::rejected);
    return;
  }
  ++r.outstanding;
  s.in_flight.add(now, 1.0);
  push(r.queue, jobs_, job.index);
  ++s.queued;
  s.queued_tw.add(now, 1.0);
}

void Network::start(Ref job, Job& j) {
  // The job has a worker (counted by the caller of start).
  Service& s = services_[j.service];
  j.holds_worker = true;
  j.started_s = sim_.now();
  if (measuring()) s.wait.record(j.started_s - j.arrived_s);
  ready_.push_back(job);
}

void Network::advance(Ref job) {
  Job& j = jobs_[job.index];
  const Steps& steps = *j.steps;
  while (j.step < steps.size()) {
    const Step& step = steps[j.step];
    switch (step.kind) {
      case model::StepKind::work: {
        // Keyed by the request and the step, not drawn in start order: common random numbers.
        sim::KeyedRandom rng(sim::derive_key(j.key, 2 * std::uint64_t{j.step}));
        start_work(job, j, step.work.sample(rng));
        return;
      }
      case model::StepKind::call: {
        const std::uint64_t step_key = sim::derive_key(j.key, 2 * std::uint64_t{j.step} + 1);
        sim::KeyedRandom rng(step_key);
        const CallSite& c = step.call;
        if (j.calls_left < 0) {
          std::int64_t n = 1;
          if (c.count) n = std::llround(c.count->sample(rng));
          if (c.probability < 1.0 && !(rng.uniform01() < c.probability)) n = 0;
          j.calls_left = std::max<std::int64_t>(0, n);
        }
        if (j.calls_left == 0) {
          j.calls_left = -1;
          ++j.step;
          continue;
        }
        --j.calls_left;
        j.pending = 1;
        start_call(CallerKind::job, job, kNone, kNone, c.policy, c.service, c.endpoint, c.op,
                   sim::derive_key(step_key, static_cast<std::uint64_t>(j.calls_left)));
        return;
      }
      case model::StepKind::parallel: {
        j.pending = static_cast<std::uint32_t>(step.branches.size());
        const std::uint64_t step_key = sim::derive_key(j.key, 2 * std::uint64_t{j.step} + 1);
        std::uint64_t b = 0;
        for (const Steps& branch : step.branches) {
          const Ref child = new_job(&branch, kNone, ParentKind::job, job, 0, j.rng_service);
          jobs_[child.index].key = sim::derive_key(step_key, b++);
          ready_.push_back(child);
        }
        return;
      }
    }
  }
  if (j.service != kNone && services_[j.service].cache) {
    cache_step(job, j);
    return;
  }
  finish(job, Outcome::success);
}

void Network::cache_step(Ref job, Job& j) {
  Service& s = services_[j.service];
  CacheRuntime& c = *s.cache;
  const double now = sim_.now();
  switch (j.cache_stage) {
    case CacheStage::lookup: {
      bool hit;
      // The request's own draws: the same request looks up the same key in every variant.
      sim::KeyedRandom rng(sim::derive_key(j.key, kCacheLabel));
      if (c.spec->hit_ratio) {
        hit = rng.uniform01() < *c.spec->hit_ratio;
      } else {
        j.cache_key = c.keys->from_uniform(rng.uniform01());
        const CacheStore::Entry* e = c.store->lookup(j.cache_key, now);
        hit = e != nullptr;
        if (hit && c.spec->stampede == model::Stampede::early_refresh) {
          // XFetch (Vattani et al.): refresh early with a probability that grows as the expiry
          // nears, scaled by how long a fetch takes.
          const double gap = -e->fetch_s * c.spec->early_refresh_beta * std::log(c.rng.uniform01());
          if (now + gap >= e->expires_s) hit = false;
        }
      }
      if (measuring()) {
        ++c.lookups;
        c.hits += hit;
      }
      if (hit) {
        finish(job, Outcome::success);
        return;
      }
      if (c.store && c.spec->stampede == model::Stampede::coalesce) {
        auto [it, fresh] = c.waiting.try_emplace(j.cache_key);
        if (!fresh) {
          // A fetch of this key is under way: wait for it instead of calling the backend.
          j.cache_stage = CacheStage::waiting;
          it->second.push_back(job);
          return;
        }
      }
      j.cache_stage = CacheStage::fetching;
      j.started_s = now;  // the fetch's start, for early refresh's delta
      j.pending = 1;
      start_call(CallerKind::job, job, kNone, kNone, c.backend.policy, c.backend.service,
                 c.backend.endpoint, model::DbOp::read, sim::derive_key(j.key, kCacheLabel + 1));
      return;
    }
    case CacheStage::fetching:
      cache_fetched(job, j);
      return;
    case CacheStage::waiting:
      finish(job, j.failed ? Outcome::error : Outcome::success);
      return;
  }
}

void Network::cache_fetched(Ref job, Job& j) {
  Service& s = services_[j.service];
  CacheRuntime& c = *s.cache;
  const double now = sim_.now();
  if (c.store) {
    if (!j.failed) {
      const double ttl = c.spec->ttl_s.value_or(kInf);
      c.store->fill(j.cache_key, now + ttl, now - j.started_s, c.rng);
    }
    if (c.spec->stampede == model::Stampede::coalesce) {
      auto it = c.waiting.find(j.cache_key);
      if (it != c.waiting.end()) {
        for (Ref w : it->second) {
          if (Job* waiter = jobs_.get(w)) {
            waiter->failed = j.failed;
            // Not through drain's failure path: a waiting job answers like a fetched one.
            ready_.push_back(w);
          }
        }
        c.waiting.erase(it);
      }
    }
  }
  finish(job, j.failed ? Outcome::error : Outcome::success);
}

void Network::start_work(Ref job, Job& j, double demand_s) {
  Service& s = services_[j.service];
  Replica& r = s.replicas[j.replica];
  demand_s *= s.slowdown;
  if (s.spec->database && s.spec->database->contention) {
    // Universal Scalability Law: each query slows down with the queries running beside it.
    const model::ContentionSpec& k = *s.spec->database->contention;
    const double n = r.busy_workers;
    demand_s *= 1.0 + k.alpha * (n - 1.0) + k.beta * n * (n - 1.0);
  }
  j.work_s += demand_s;
  if (s.spec->cpu == model::CpuDiscipline::ps) {
    ps_advance(s, r);
    r.ps_heap.push_back(PsEntry{r.ps_v + demand_s, r.ps_seq++, job});
    std::push_heap(r.ps_heap.begin(), r.ps_heap.end(), std::greater<>{});
    const double n = static_cast<double>(r.ps_heap.size());
    const double cores = s.spec->cores;
    s.busy_cores.add(sim_.now(), std::min(n, cores) - std::min(n - 1.0, cores));
    ps_reschedule(s, r, j.service, j.replica);
    return;
  }
  if (r.busy_cores < static_cast<std::uint32_t>(s.spec->cores)) {
    ++r.busy_cores;
    s.busy_cores.add(sim_.now(), 1.0);
    sim_.after(demand_s, this, kWorkDone, job.pack());
  } else {
    j.work_pending_s = demand_s;
    push(r.cpu_queue, jobs_, job.index);
  }
}

void Network::work_done(Ref job) {
  Job* jp = jobs_.get(job);
  if (jp == nullptr) return;  // its replica crashed meanwhile
  Job& j = *jp;
  Service& s = services_[j.service];
  Replica& r = s.replicas[j.replica];
  if (r.cpu_queue.size > 0) {
    const std::uint32_t next = pop(r.cpu_queue, jobs_);
    Job& n = jobs_[next];
    sim_.after(n.work_pending_s, this, kWorkDone, Ref{next, n.generation}.pack());
  } else {
    --r.busy_cores;
    s.busy_cores.add(sim_.now(), -1.0);
  }
  ++j.step;
  ready_.push_back(job);
}

void Network::ps_advance(const Service& s, Replica& r) {
  // Every job present has been served at rate min(1, cores / n) since the last change.
  const double now = sim_.now();
  if (!r.ps_heap.empty()) {
    const double n = static_cast<double>(r.ps_heap.size());
    r.ps_v += (now - r.ps_last_s) * std::min(1.0, s.spec->cores / n);
  }
  r.ps_last_s = now;
}

void Network::ps_reschedule(const Service& s, Replica& r, std::uint32_t service,
                            std::uint32_t replica) {
  sim_.cancel(r.ps_event);
  r.ps_event = sim::EventId{};
  if (r.ps_heap.empty()) return;
  const double n = static_cast<double>(r.ps_heap.size());
  const double rate = std::min(1.0, s.spec->cores / n);
  const double dt = std::max(0.0, (r.ps_heap.front().finish_v - r.ps_v) / rate);
  r.ps_event = sim_.after(dt, this, kPsDone, pack2(service, replica));
}

void Network::ps_done(std::uint32_t service, std::uint32_t replica) {
  Service& s = services_[service];
  Replica& r = s.replicas[replica];
  r.ps_event = sim::EventId{};
  if (r.ps_heap.empty()) return;
  ps_advance(s, r);
  const double n = static_cast<double>(r.ps_heap.size());
  std::pop_heap(r.ps_heap.begin(), r.ps_heap.end(), std::greater<>{});
  const Ref job = r.ps_heap.back().job;
  // The finishing job's virtual finish time is now; pin it against rounding drift.
  r.ps_v = std::max(r.ps_v, r.ps_heap.back().finish_v);
  r.ps_heap.pop_back();
  const double cores = s.spec->cores;
  s.busy_cores.add(sim_.now(), std::min(n - 1.0, cores) - std::min(n, cores));
  ps_reschedule(s, r, service, replica);
  if (Job* j = jobs_.get(job)) {
    ++j->step;
    ready_.push_back(job);
  }
}

void Network::child_done(Ref parent, Outcome outcome) {
  Job* p = jobs_.get(parent);
  if (p == nullptr) return;  // the caller's replica crashed: nobody is waiting
  // A failed call fails the caller's request with `error` (a 5xx upstream), once every call it
  // has in flight has returned.
  if (outcome != Outcome::success) p->failed = true;
  if (--p->pending > 0) return;
  if (p->cache_stage == CacheStage::fetching) {
    // The backend answered a cache miss: fill and answer, failed or not.
    ready_.push_back(parent);
    cache_fetched(parent, *p);
    return;
  }
  if (!p->failed && (*p->steps)[p->step].kind == model::StepKind::parallel) ++p->step;
  ready_.push_back(parent);
}

void Network::record_health(Service& s, Replica& r, std::uint32_t replica_index) {
  const auto& health = s.spec->load_balancer.health;
  if (!health) return;
  const double now = sim_.now();
  // The oldest of the last max_fails failures is within fail_timeout: eject (nginx max_fails).
  r.fail_times[r.fail_next] = now;
  r.fail_next = (r.fail_next + 1) % static_cast<std::uint32_t>(r.fail_times.size());
  const double oldest = r.fail_times[r.fail_next];
  if (now - oldest <= health->fail_timeout_s && r.ejected_until_s <= now) {
    r.ejected_until_s = now + health->fail_timeout_s;
    log_event("ejected", s.spec->name, "replica " + std::to_string(replica_index));
  }
}

void Network::release_worker(Service& s, Replica& r) {
  // The worker goes to the next queued job, skipping (with drop_expired) jobs whose caller has
  // already given up: they are discarded at no cost.
  const double now = sim_.now();
  while (r.queue.size > 0) {
    const std::uint32_t next = pop(r.queue, jobs_);
    --s.queued;
    s.queued_tw.add(now, -1.0);
    Job& n = jobs_[next];
    const Ref ref{next, n.generation};
    if (s.spec->drop_expired && is_orphan(n)) {
      --r.outstanding;
      s.in_flight.add(now, -1.0);
      if (measuring()) ++s.dropped;
      finish(ref, Outcome::error);
      continue;
    }
    start(ref, n);
    return;
  }
  --r.busy_workers;
  s.busy_workers.add(now, -1.0);
}

void Network::finish(Ref job, Outcome outcome) {
  Job& j = jobs_[job.index];
  if (j.service != kNone) {
    Service& s = services_[j.service];
    s.work_total_s += j.work_s;
    if (j.work_s > 0.0 && is_orphan(j)) s.work_wasted_s += j.work_s;
    if (j.holds_worker) {
      Replica& r = s.replicas[j.replica];
      --r.outstanding;
      s.in_flight.add(sim_.now(), -1.0);
      if (measuring()) {
        ++s.completions;
        if (outcome == Outcome::success) s.latency.record(sim_.now() - j.arrived_s);
      }
      if (options_.timeseries && outcome == Outcome::success) {
        s.w_latency.record(sim_.now() - j.arrived_s);
      }
      if (s.latency_slice != nullptr && outcome == Outcome::success) {
        s.latency_slice->record(sim_.now() - j.arrived_s);
      }
      if (outcome == Outcome::error) record_health(s, r, j.replica);
      j.holds_worker = false;
      release_worker(s, r);
      if (r.phase == Phase::draining && r.outstanding == 0) [[unlikely]] {
        drained(j.service, j.replica);
      }
    }
  }
  const ParentKind kind = j.parent_kind;
  const Ref parent = j.parent;
  const std::uint32_t attempt = j.parent_attempt;
  j.live = false;
  jobs_.release(job.index);
  if (kind == ParentKind::job) {
    child_done(parent, outcome);
  } else {
    attempt_returned(parent, attempt, outcome);
  }
}

void Network::drain() {
  // Jobs made ready by this event run in the order they became ready, at this instant.
  for (std::size_t i = 0; i < ready_.size(); ++i) {
    const Ref r = ready_[i];
    Job* j = jobs_.get(r);
    if (j == nullptr) continue;
    if (j->failed && j->cache_stage == CacheStage::lookup) {
      finish(r, Outcome::error);
    } else {
      advance(r);
    }
  }
  ready_.clear();
}

// ---------------------------------------------------------------------------------------------
// Faults and capacity.

void Network::set_replica_up(std::uint32_t service, std::uint32_t replica, bool up) {
  update_replica(service, replica, services_[service].replicas[replica].phase, up);
}

void Network::update_replica(std::uint32_t service, std::uint32_t replica, Phase phase, bool up) {
  // The one door through which capacity changes: levels and counts follow. A replica counts as
  // ready while up; its cores and workers count while up or draining; it is paid for while
  // starting, up or draining.
  Service& s = services_[service];
  Replica& r = s.replicas[replica];
  const auto serving = [](Phase p, bool u) { return u || p == Phase::draining; };
  const auto paid = [](Phase p, bool u) {
    return u || p == Phase::draining || p == Phase::starting;
  };
  const double d_ready = static_cast<double>(up) - static_cast<double>(r.up);
  const double d_serving = static_cast<double>(serving(phase, up)) - serving(r.phase, r.up);
  const double d_paid = static_cast<double>(paid(phase, up)) - paid(r.phase, r.up);
  r.phase = phase;
  r.up = up;
  const double now = sim_.now();
  if (d_ready != 0.0) {
    s.replicas_up += up ? 1 : -1;
    s.replica_count.add(now, d_ready);
    if (up) r.ready_since_s = now;
    if (s.autoscaler) {
      const auto at = std::lower_bound(s.active.begin(), s.active.end(), replica);
      if (up) {
        s.active.insert(at, replica);
      } else if (at != s.active.end() && *at == replica) {
        s.active.erase(at);
      }
    }
    if (measuring()) {
      s.replicas_min = std::min(s.replicas_min, s.replica_count.value());
      s.replicas_max = std::max(s.replicas_max, s.replica_count.value());
    }
  }
  if (d_serving != 0.0) {
    s.core_capacity.add(now, d_serving * s.spec->cores);
    s.worker_capacity.add(now, d_serving * s.spec->workers);
  }
  if (d_paid != 0.0) s.provisioned.add(now, d_paid);
}

void Network::crash(std::uint32_t service, std::uint32_t replica) {
  Service& s = services_[service];
  Replica& r = s.replicas[replica];
  const double now = sim_.now();
  // Every request on the replica (working, waiting for a core, a worker or a call) is lost.
  std::vector<Ref> lost;
  for (std::uint32_t i = 0; i < jobs_.extent(); ++i) {
    Job& j = jobs_[i];
    if (j.live && j.service == service && j.replica == replica)
      lost.push_back(Ref{i, j.generation});
  }
  s.busy_cores.add(now, -(s.spec->cpu == model::CpuDiscipline::ps
                              ? std::min<double>(r.ps_heap.size(), s.spec->cores)
                              : static_cast<double>(r.busy_cores)));
  s.busy_workers.add(now, -static_cast<double>(r.busy_workers));
  s.queued_tw.add(now, -static_cast<double>(r.queue.size));
  s.in_flight.add(now, -static_cast<double>(r.outstanding));
  s.queued -= r.queue.size;
  sim_.cancel(r.ps_event);
  r.ps_event = sim::EventId{};
  r.ps_heap.clear();
  r.busy_cores = r.busy_workers = r.outstanding = 0;
  r.queue = JobQueue{};
  r.cpu_queue = JobQueue{};
  set_replica_up(service, replica, false);
  for (Ref ref : lost) {
    Job& j = jobs_[ref.index];
    j.holds_worker = false;
    j.replica = kNone;
    finish(ref, Outcome::error);
  }
}

void Network::fault(std::uint32_t index) {
  const model::FaultSpec& f = spec_.faults[index];
  const auto si = static_cast<std::uint32_t>(*spec_.service_index(f.service));
  Service& s = services_[si];
  switch (f.kind) {
    case model::FaultKind::crash: {
      int left = f.replicas;
      for (auto i = static_cast<std::int64_t>(s.replicas.size()) - 1; i >= 0 && left > 0; --i) {
        const auto ri = static_cast<std::uint32_t>(i);
        if (!s.replicas[ri].up) continue;
        crash(si, ri);
        log_event("crash", s.spec->name, "replica " + std::to_string(ri));
        if (f.restart_after_s) {
          sim_.after(*f.restart_after_s, this, kRestart, pack2(si, ri), sim::Priority::urgent);
        }
        --left;
      }
      break;
    }
    case model::FaultKind::slowdown:
      s.slowdown *= f.factor;
      log_event("slowdown", s.spec->name, "x" + std::to_string(f.factor));
      sim_.after(f.duration_s, this, kFaultEnd, index, sim::Priority::urgent);
      break;
    case model::FaultKind::outage:
      s.outage_until_s = std::max(s.outage_until_s, sim_.now() + f.duration_s);
      log_event("outage", s.spec->name, "");
      sim_.after(f.duration_s, this, kFaultEnd, index, sim::Priority::urgent);
      break;
    case model::FaultKind::cache_flush:
      if (s.cache && s.cache->store) s.cache->store->clear();
      log_event("cache_flush", s.spec->name, "");
      break;
  }
}

void Network::fault_end(std::uint32_t index) {
  const model::FaultSpec& f = spec_.faults[index];
  Service& s = services_[*spec_.service_index(f.service)];
  if (f.kind == model::FaultKind::slowdown) {
    s.slowdown /= f.factor;
    log_event("slowdown_end", s.spec->name, "");
  } else if (f.kind == model::FaultKind::outage) {
    log_event("outage_end", s.spec->name, "");
  }
}

// ---------------------------------------------------------------------------------------------
// Autoscaling. Nothing here runs on the path of a request: the autoscaler acts only at its own
// events (syncs, polls, schedule steps, replicas becoming ready) and reads the service's
// integrals, so models without autoscaling run exactly as before.

namespace {

std::string number_text(double x) {
  std::ostringstream out;
  out << std::setprecision(4) << x;
  return out.str();
}

const char* metric_name(model::ScaleMetric m) {
  switch (m) {
    case model::ScaleMetric::cpu:
      return "cpu";
    case model::ScaleMetric::workers:
      return "workers";
    case model::ScaleMetric::in_flight:
      return "in_flight";
    case model::ScaleMetric::rps:
      return "rps";
    case model::ScaleMetric::queue_length:
      return "queue_length";
    case model::ScaleMetric::latency_p95:
      return "latency_p95";
  }
  return "metric";
}

}  // namespace

void Network::build_autoscaler(std::uint32_t si) {
  Service& s = services_[si];
  const model::AutoscalingSpec& as = *s.spec->autoscaling;
  auto a = std::make_unique<Autoscaler>();
  a->spec = &as;
  a->desired = s.spec->replicas;
  if (as.kind != model::AutoscalerKind::schedule) {
    a->behavior.emplace(as.scale_up, as.scale_down);
    a->sync_meter.first_s = as.sync_period_s;
    a->sync_meter.period_s = as.sync_period_s;
    a->sync_meter.window_s = as.metric_window_s;
    if (as.kind == model::AutoscalerKind::keda) {
      a->poll_meter.first_s = as.polling_interval_s;
      a->poll_meter.period_s = as.polling_interval_s;
      a->poll_meter.window_s = as.metric_window_s;
    }
    const bool latency = std::any_of(as.metrics.begin(), as.metrics.end(), [](const auto& m) {
      return m.metric == model::ScaleMetric::latency_p95;
    });
    if (latency) {
      // The latency window is a whole number of sync periods (at least one).
      const auto slices = static_cast<std::size_t>(
          std::max(1.0, std::ceil(as.metric_window_s / as.sync_period_s - 1e-9)));
      a->latency_slices.resize(slices);
      s.latency_slice = &a->latency_slices[0];
    }
  }
  for (std::uint32_t k = 0; k < s.replicas.size(); ++k) {
    if (s.replicas[k].up) s.active.push_back(k);
  }
  s.autoscaler = std::move(a);
}

void Network::start_autoscaler(std::uint32_t si) {
  Autoscaler& a = *services_[si].autoscaler;
  const model::AutoscalingSpec& as = *a.spec;
  const double end = spec_.simulation.duration_s;
  auto start_meter = [&](WindowMeter& meter, std::uint32_t which, Tag read_tag) {
    // Reads whose window begins before t = 0 average from t = 0; the first snapshot serves the
    // first read whose window begins at or after 0.
    while (meter.mark_time(meter.marks) < -1e-9) ++meter.marks;
    const double mark = std::max(0.0, meter.mark_time(meter.marks));
    if (mark <= end) {
      sim_.at(mark, this, kAutoscaleMark, pack2(si, which), sim::Priority::observe);
    }
    if (meter.read_time(0) <= end) {
      sim_.at(meter.read_time(0), this, read_tag, si, sim::Priority::observe);
    }
  };
  if (as.kind != model::AutoscalerKind::schedule) start_meter(a.sync_meter, 0, kAutoscaleSync);
  if (as.kind == model::AutoscalerKind::keda) start_meter(a.poll_meter, 1, kAutoscalePoll);
  for (std::uint32_t k = 0; k < as.schedule.size(); ++k) {
    if (as.schedule[k].at_s <= end) {
      sim_.at(as.schedule[k].at_s, this, kScheduleStep, pack2(si, k), sim::Priority::urgent);
    }
  }
}

Snapshot Network::snapshot(const Service& s, double t) const {
  Snapshot snap;
  snap.t = t;
  snap.marks = s.marks(t);
  snap.arrivals = s.arrivals_total;
  snap.balancer_queued = s.autoscaler->balancer_queued.integral(t);
  return snap;
}

void Network::take_mark(std::uint32_t si, WindowMeter& meter, std::uint32_t which) {
  meter.snapshots.push_back(snapshot(services_[si], sim_.now()));
  ++meter.marks;
  const double next = meter.mark_time(meter.marks);
  if (next <= spec_.simulation.duration_s) {
    sim_.at(next, this, kAutoscaleMark, pack2(si, which), sim::Priority::observe);
  }
}

Snapshot Network::window_start(WindowMeter& meter, double now) const {
  const double target = now - meter.window_s;
  // Integrals and counts are all zero at t = 0.
  if (target <= 1e-9) return Snapshot{};
  while (meter.snapshots.size() > 1 && meter.snapshots[1].t <= target + 1e-9) {
    meter.snapshots.pop_front();
  }
  if (meter.snapshots.empty()) return Snapshot{};
  Snapshot s = meter.snapshots.front();
  meter.snapshots.pop_front();
  return s;
}

int Network::effective_min(const Autoscaler& a) const {
  const int min = std::max(a.spec->min, a.floor);
  // Above zero, KEDA's HPA keeps at least one replica; KEDA alone goes to zero.
  return a.spec->kind == model::AutoscalerKind::keda ? std::max(1, min) : min;
}

void Network::autoscale_sync(std::uint32_t si) {
  Service& s = services_[si];
  Autoscaler& a = *s.autoscaler;
  const model::AutoscalingSpec& as = *a.spec;
  const double now = sim_.now();
  const Snapshot base = window_start(a.sync_meter, now);
  const Snapshot cur = snapshot(s, now);
  ++a.sync_meter.reads;
  const double next = a.sync_meter.read_time(a.sync_meter.reads);
  if (next <= spec_.simulation.duration_s) {
    sim_.at(next, this, kAutoscaleSync, si, sim::Priority::observe);
  }
  double latency_p95 = kNaN;
  if (!a.latency_slices.empty()) {
    a.latency_merged.reset();
    for (const stats::Histogram& h : a.latency_slices) a.latency_merged.merge(h);
    if (a.latency_merged.count() > 0) latency_p95 = a.latency_merged.quantile(0.95);
    a.latency_current = (a.latency_current + 1) % a.latency_slices.size();
    a.latency_slices[a.latency_current].reset();
    s.latency_slice = &a.latency_slices[a.latency_current];
  }
  // Kubernetes' HPA does nothing while the workload has no replicas (KEDA brings it back).
  if (a.desired == 0) return;
  const int min = effective_min(a);
  const int max = as.max;
  if (a.desired < min) {
    scale_to(si, min, "min", "", "below the minimum of " + std::to_string(min));
    return;
  }
  if (a.desired > max) {
    scale_to(si, max, "max", "", "above the maximum of " + std::to_string(max));
    return;
  }
  ReplicaGroups g;
  g.current = a.desired;
  for (const Replica& r : s.replicas) {
    if (r.up) {
      // A replica that became ready at this very instant has no metric yet.
      ++(r.ready_since_s < now ? g.ready : g.missing);
    } else if (r.phase == Phase::starting || r.phase == Phase::ready) {
      ++g.unready;
    }
  }
  const Marks& m0 = base.marks;
  const Marks& m1 = cur.marks;
  const double core_seconds = m1.core_capacity - m0.core_capacity;
  const double worker_seconds = m1.worker_capacity - m0.worker_capacity;
  const double serving_seconds = core_seconds / s.spec->cores;  // replica-seconds, draining too
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
  for (const model::ScaleMetricSpec& m : as.metrics) {
    double value = kNaN;
    switch (m.metric) {
      case model::ScaleMetric::cpu:
        if (core_seconds > 0.0) value = (m1.busy_cores - m0.busy_cores) / core_seconds;
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
    }
    const ReplicaGroups& groups = m.metric == model::ScaleMetric::rps ? balancer : g;
    if (!std::isfinite(value) || groups.ready == 0) {
      unavailable = true;
      continue;
    }
    const int wanted = m.metric == model::ScaleMetric::latency_p95
                           ? hpa_service_metric_replicas(value, m.target, as.tolerance, groups)
                           : hpa_replicas(value, m.target, as.tolerance, groups);
    if (wanted > best) {
      best = wanted;
      best_metric = m.metric;
      best_text = std::string(metric_name(m.metric)) + " " + number_text(value) + " (target " +
                  number_text(m.target) + ") asks for " + std::to_string(wanted);
    }
  }
  if (best < 0) return;  // no metric could be read: no change
  // A metric that cannot be read forbids scaling down (it might ask for more).
  if (unavailable && best < g.current) return;
  const HpaBehavior::Decision d = a.behavior->decide(now, g.current, best, min, max);
  if (d.replicas == a.desired) return;
  std::string reason = best_text + " with " + std::to_string(g.ready + g.missing) + " ready";
  if (g.unready > 0) reason += ", " + std::to_string(g.unready) + " not ready";
  if (g.missing > 0 && best_metric != model::ScaleMetric::rps) {
    reason += " (" + std::to_string(g.missing) + " without metrics yet)";
  }
  if (!d.limit.empty()) reason += "; limited by " + d.limit;
  scale_to(si, d.replicas, metric_name(best_metric), d.limit, reason);
}

void Network::keda_poll(std::uint32_t si) {
  Service& s = services_[si];
  Autoscaler& a = *s.autoscaler;
  const model::AutoscalingSpec& as = *a.spec;
  const double now = sim_.now();
  const Snapshot base = window_start(a.poll_meter, now);
  const Snapshot cur = snapshot(s, now);
  ++a.poll_meter.reads;
  const double next = a.poll_meter.read_time(a.poll_meter.reads);
  if (next <= spec_.simulation.duration_s) {
    sim_.at(next, this, kAutoscalePoll, si, sim::Priority::observe);
  }
  const double width = now - base.t;
  if (width <= 0.0) return;
  // The trigger: the metric's total for the service, balancer queue included.
  bool active = false;
  std::string what;
  for (const model::ScaleMetricSpec& m : as.metrics) {
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
      default:
        continue;
    }
    if (total > as.activation_threshold && !active) {
      active = true;
      what = std::string(metric_name(m.metric)) + " " + number_text(total) +
             " above the activation threshold " + number_text(as.activation_threshold);
    }
  }
  if (active) {
    a.last_active_s = now;
    if (a.desired == 0) {
      scale_to(si, effective_min(a), "keda_activation", "", what);
    }
    return;
  }
  const int floor = std::max(as.min, a.floor);
  if (a.desired > 0 && floor == 0 && now - a.last_active_s >= as.cooldown_period_s) {
    scale_to(si, 0, "keda_cooldown", "",
             "inactive since " + number_text(a.last_active_s) + " s, cooldown_period " +
                 number_text(as.cooldown_period_s) + " s");
  }
}

void Network::schedule_step(std::uint32_t si, std::uint32_t k) {
  Autoscaler& a = *services_[si].autoscaler;
  const model::ScheduleStepSpec& step = a.spec->schedule[k];
  const std::string reason = "schedule step at " + number_text(step.at_s) +
                             " s: " + std::to_string(step.replicas) + " replicas";
  if (a.spec->kind == model::AutoscalerKind::schedule) {
    scale_to(si, step.replicas, "schedule", "", reason);
    return;
  }
  // With an HPA or KEDA the schedule is a minimum: it raises the count at once; when it falls,
  // the HPA scales down as its metrics and behavior say.
  a.floor = step.replicas;
  if (a.floor == 0 && a.desired == 0) return;
  const int min = effective_min(a);
  if (a.desired < min) scale_to(si, min, "schedule", "", reason + " (minimum)");
}

void Network::scale_to(std::uint32_t si, int to, const std::string& metric,
                       const std::string& policy, const std::string& reason) {
  Service& s = services_[si];
  Autoscaler& a = *s.autoscaler;
  const int from = a.desired;
  if (to == from) return;
  const double now = sim_.now();
  a.desired = to;
  s.desired.update(now, static_cast<double>(to));
  if (a.behavior) a.behavior->record_change(now, from, to);
  if (options_.timeseries) {
    scale_log_.push_back(stats::ScaleEventRow{now, s.spec->name, from, to, metric, policy, reason});
  }
  for (int k = from; k < to; ++k) start_replica(si);
  for (int k = to; k < from; ++k) remove_replica(si);
}

void Network::start_replica(std::uint32_t si) {
  Service& s = services_[si];
  std::uint32_t ri = 0;
  while (ri < s.replicas.size() && s.replicas[ri].phase != Phase::off) ++ri;
  if (ri == s.replicas.size()) {
    // Every slot is busy (replicas still draining): one more.
    s.replicas.emplace_back();
    s.replicas.back().up = false;
    s.replicas.back().phase = Phase::off;
    const auto& weights = s.spec->load_balancer.weights;
    s.weights.push_back(ri < weights.size() ? weights[ri] : 1.0);
  }
  Replica& r = s.replicas[ri];
  // A fresh replica: no health history, no balancer credit.
  r.ejected_until_s = -kInf;
  if (const auto& h = s.spec->load_balancer.health) {
    r.fail_times.assign(static_cast<std::size_t>(h->max_fails), -kInf);
  }
  r.fail_next = 0;
  r.wrr_current = 0.0;
  r.started_s = sim_.now();
  update_replica(si, ri, Phase::starting, false);
  ++s.autoscaler->starting;
  if (s.spec->startup_time_s <= 0.0) {
    replica_ready(si, ri);
  } else {
    r.ready_event = sim_.after(s.spec->startup_time_s, this, kReplicaReady, pack2(si, ri),
                               sim::Priority::urgent);
  }
}

void Network::replica_ready(std::uint32_t si, std::uint32_t ri) {
  Service& s = services_[si];
  Replica& r = s.replicas[ri];
  if (r.phase != Phase::starting) return;
  r.ready_event = sim::EventId{};
  --s.autoscaler->starting;
  update_replica(si, ri, Phase::ready, true);
  dispatch_waiting(si);
}

void Network::remove_replica(std::uint32_t si) {
  // As a ReplicaSet does: replicas not ready go before ready ones, newer before older.
  Service& s = services_[si];
  std::uint32_t victim = kNone;
  int victim_rank = 3;
  double victim_time = -kInf;
  for (std::uint32_t k = 0; k < s.replicas.size(); ++k) {
    const Replica& r = s.replicas[k];
    int rank;
    double time;
    if (r.phase == Phase::starting) {
      rank = 0;
      time = r.started_s;
    } else if (r.phase == Phase::ready && !r.up) {
      rank = 1;  // crashed, waiting to restart
      time = r.ready_since_s;
    } else if (r.phase == Phase::ready) {
      rank = 2;
      time = r.ready_since_s;
    } else {
      continue;
    }
    if (rank < victim_rank || (rank == victim_rank && time >= victim_time)) {
      victim = k;
      victim_rank = rank;
      victim_time = time;
    }
  }
  if (victim == kNone) return;
  Replica& r = s.replicas[victim];
  switch (victim_rank) {
    case 0:
      sim_.cancel(r.ready_event);
      r.ready_event = sim::EventId{};
      --s.autoscaler->starting;
      update_replica(si, victim, Phase::off, false);
      break;
    case 1:
      update_replica(si, victim, Phase::off, false);  // its restart will find it gone
      break;
    default:
      // Out of the balancer at once; its capacity counts until it has finished its requests.
      update_replica(si, victim, Phase::draining, false);
      if (r.outstanding == 0) drained(si, victim);
      break;
  }
}

void Network::drained(std::uint32_t si, std::uint32_t ri) {
  update_replica(si, ri, Phase::off, false);
}

void Network::wait_at_balancer(Ref job, Service& s) {
  const double now = sim_.now();
  if (s.queued >= spec_.simulation.max_queue) {
    if (!s.saturated_at_s) s.saturated_at_s = now;
    if (measuring()) ++s.rejected;
    finish(job, Outcome::rejected);
    return;
  }
  jobs_[job.index].replica = kNone;
  Autoscaler& a = *s.autoscaler;
  a.balancer_queue.push_back(job);
  ++s.queued;
  s.queued_tw.add(now, 1.0);
  a.balancer_queued.add(now, 1.0);
}

void Network::dispatch_waiting(std::uint32_t si) {
  Service& s = services_[si];
  if (!s.autoscaler) return;
  Autoscaler& a = *s.autoscaler;
  const double now = sim_.now();
  while (!a.balancer_queue.empty() && !s.active.empty()) {
    const Ref job = a.balancer_queue.front();
    a.balancer_queue.pop_front();
    --s.queued;
    s.queued_tw.add(now, -1.0);
    a.balancer_queued.add(now, -1.0);
    Job* j = jobs_.get(job);
    if (j == nullptr) continue;
    if (s.spec->drop_expired && is_orphan(*j)) {
      if (measuring()) ++s.dropped;
      finish(job, Outcome::error);
      continue;
    }
    const std::uint32_t ri = pick_replica(s, 0, static_cast<std::uint32_t>(s.replicas.size()));
    admit(job, *j, s, ri);
  }
}

// ---------------------------------------------------------------------------------------------
// Events.

void Network::on_event(std::uint32_t tag, std::uint64_t data) {
  const double now = sim_.now();
  if (now == last_event_s_) {
    // A model whose requests fail instantly and are re-sent at once (zero think time) would spin
    // forever without time moving; stop it with an explanation.
    if (++same_time_events_ > 50'000'000) {
      fail(
          "50,000,000 events without simulated time advancing (a closed workload with zero "
          "think time whose requests fail at once?)");
    }
  } else {
    last_event_s_ = now;
    same_time_events_ = 0;
  }
  switch (static_cast<Tag>(tag)) {
    case kArrival: {
      const auto w = static_cast<std::uint32_t>(data);
      send(w, kNone);
      schedule_next_arrival(w);
      break;
    }
    case kUserSend: {
      const auto w = static_cast<std::uint32_t>(data >> 32);
      const auto u = static_cast<std::uint32_t>(data & 0xffffffffu);
      User& user = workloads_[w].users[u];
      user.think_event = sim::EventId{};
      if (user.active && !user.busy) {
        user.busy = true;
        send(w, u);
      }
      break;
    }
    case kUsersChange:
      set_user_level(static_cast<std::uint32_t>(data >> 32), static_cast<long>(data & 0xffffffffu));
      break;
    case kTimeouts: {
      TimeoutQueue& q = timeout_queues_[static_cast<std::uint32_t>(data)];
      q.scheduled = false;
      while (!q.entries.empty() && q.entries.front().deadline_s <= now) {
        const TimeoutQueue::Entry e = q.entries.front();
        q.entries.pop_front();
        const CallState* c = calls_.get(e.call);
        if (c != nullptr && c->attempt == e.attempt && c->in_flight) {
          attempt_done(e.call, Outcome::timeout);
        }
      }
      // A retry sent above may already have scheduled the queue's next event.
      if (!q.entries.empty() && !q.scheduled) {
        q.scheduled = true;
        sim_.at(q.entries.front().deadline_s, this, kTimeouts, data);
      }
      break;
    }
    case kRetry: {
      const Ref call = Ref::unpack(data);
      if (CallState* c = calls_.get(call)) {
        c->timer = sim::EventId{};
        send_attempt(call);
      }
      break;
    }
    case kWorkDone:
      work_done(Ref::unpack(data));
      break;
    case kPsDone:
      ps_done(static_cast<std::uint32_t>(data >> 32), static_cast<std::uint32_t>(data));
      break;
    case kWindow:
      close_window();
      break;
    case kWarmupEnd:
      begin_measurement();
      break;
    case kFault:
      fault(static_cast<std::uint32_t>(data));
      break;
    case kFaultEnd:
      fault_end(static_cast<std::uint32_t>(data));
      break;
    case kRestart: {
      const auto si = static_cast<std::uint32_t>(data >> 32);
      const auto ri = static_cast<std::uint32_t>(data);
      // An autoscaler may have removed the crashed replica meanwhile.
      if (services_[si].replicas[ri].phase != Phase::ready || services_[si].replicas[ri].up) break;
      set_replica_up(si, ri, true);
      log_event("restart", services_[si].spec->name, "replica " + std::to_string(ri));
      dispatch_waiting(si);
      break;
    }
    case kReplicaReady:
      replica_ready(static_cast<std::uint32_t>(data >> 32), static_cast<std::uint32_t>(data));
      break;
    case kAutoscaleSync:
      autoscale_sync(static_cast<std::uint32_t>(data));
      break;
    case kAutoscalePoll:
      keda_poll(static_cast<std::uint32_t>(data));
      break;
    case kAutoscaleMark: {
      const auto si = static_cast<std::uint32_t>(data >> 32);
      const auto which = static_cast<std::uint32_t>(data);
      Autoscaler& a = *services_[si].autoscaler;
      take_mark(si, which == 0 ? a.sync_meter : a.poll_meter, which);
      break;
    }
    case kScheduleStep:
      schedule_step(static_cast<std::uint32_t>(data >> 32), static_cast<std::uint32_t>(data));
      break;
  }
  drain();
}

// ---------------------------------------------------------------------------------------------
// Statistics.

void Network::begin_measurement() {
  measuring_ = true;
  const double now = sim_.now();
  for (Service& s : services_) {
    s.warm = s.marks(now);
    s.replicas_min = s.replicas_max = s.replica_count.value();
  }
  for (Workload& w : workloads_) w.users_warm = w.users_tw.integral(now);
}

void Network::close_window() {
  const double now = sim_.now();
  const double width = now - window_start_s_;
  if (options_.progress_s) options_.progress_s->store(now, std::memory_order_relaxed);
  if (options_.timeseries && width > 0.0) {
    for (Workload& w : workloads_) {
      stats::TimeSeriesRow row;
      row.t_s = window_start_s_;
      row.workload = w.spec->name;
      row.rps = static_cast<double>(w.w_finished) / width;
      if (w.w_finished > 0) row.error_rate = static_cast<double>(w.w_failed) / w.w_finished;
      set_window_percentiles(row, w.w_latency);
      rows_.push_back(std::move(row));
      w.w_finished = w.w_failed = 0;
      w.w_latency.reset();
    }
    for (Service& s : services_) {
      stats::TimeSeriesRow row;
      row.t_s = window_start_s_;
      row.service = s.spec->name;
      row.rps = static_cast<double>(s.w_arrivals) / width;
      set_window_percentiles(row, s.w_latency);
      const Marks mark = s.marks(now);
      const double cap = mark.core_capacity - s.window.core_capacity;
      if (cap > 0.0) row.cpu_utilization = (mark.busy_cores - s.window.busy_cores) / cap;
      row.queue_length = (mark.queued - s.window.queued) / width;
      row.replicas = (mark.replicas - s.window.replicas) / width;
      row.desired_replicas = (mark.desired - s.window.desired) / width;
      s.window = mark;
      rows_.push_back(std::move(row));
      s.w_arrivals = 0;
      s.w_latency.reset();
    }
  }
  window_start_s_ = now;
  const double next = now + spec_.simulation.effective_window_s();
  const double end = spec_.simulation.duration_s;
  if (now < end) sim_.at(std::min(next, end), this, kWindow, 0, sim::Priority::observe);
}

stats::Summary Network::run() {
  const double duration = spec_.simulation.duration_s;
  const double warmup = spec_.simulation.warmup_s;
  if (warmup > 0.0) {
    sim_.at(warmup, this, kWarmupEnd, 0, sim::Priority::urgent);
  } else {
    begin_measurement();
  }
  sim_.at(std::min(spec_.simulation.effective_window_s(), duration), this, kWindow, 0,
          sim::Priority::observe);
  for (std::uint32_t f = 0; f < spec_.faults.size(); ++f) {
    sim_.at(spec_.faults[f].at_s, this, kFault, f, sim::Priority::urgent);
  }
  for (std::uint32_t i = 0; i < services_.size(); ++i) {
    if (services_[i].autoscaler) start_autoscaler(i);
  }
  for (std::uint32_t w = 0; w < workloads_.size(); ++w) {
    Workload& wl = workloads_[w];
    if (wl.spec->kind == model::WorkloadKind::open) {
      schedule_next_arrival(w);
    } else {
      set_user_level(w, level_at(wl.spec->users, 0.0));
    }
  }
  // Events run in chunks so that a cancellation (Ctrl-C, --max-wall) is seen within about a
  // million events without a check per event.
  constexpr std::uint64_t kChunk = std::uint64_t{1} << 20;
  for (;;) {
    const std::uint64_t fired = sim_.events_fired();
    const std::uint64_t budget =
        options_.max_events - fired > kChunk ? fired + kChunk : options_.max_events;
    if (sim_.run_until(duration, budget)) break;
    if (sim_.events_fired() >= options_.max_events) {
      fail("the event budget (" + std::to_string(options_.max_events) +
           " events, --max-events) was spent at simulated time " +
           dist::format_duration(sim_.now()) + " of " + dist::format_duration(duration));
    }
    if (options_.cancel && options_.cancel->load(std::memory_order_relaxed)) {
      throw Cancelled(sim_.now());
    }
  }
  return summarize();
}

stats::Summary Network::summarize() {
  stats::Summary out;
  const double now = sim_.now();
  const double measured = spec_.simulation.duration_s - spec_.simulation.warmup_s;
  out.measured_s = measured;
  out.events = sim_.events_fired();
  auto add = [&out](std::vector<std::string> path, double value,
                    stats::Merge merge = stats::Merge::estimate) {
    out.metrics.push_back(stats::Metric{std::move(path), value, merge});
  };
  auto ratio = [](double a, double b) { return b > 0.0 ? a / b : kNaN; };
  auto q = [](const stats::Histogram& h, double p) {
    return h.count() > 0 ? h.quantile(p) * 1e3 : kNaN;
  };
  for (Workload& w : workloads_) {
    const std::string& n = w.spec->name;
    add({"workloads", n, "offered_rps"}, w.offered / measured);
    add({"workloads", n, "throughput_rps"}, w.finished / measured);
    const auto ok = w.outcomes[static_cast<int>(Outcome::success)];
    add({"workloads", n, "goodput_rps"}, ok / measured);
    add({"workloads", n, "error_rate"}, ratio(static_cast<double>(w.finished - ok), w.finished));
    for (Outcome o : {Outcome::timeout, Outcome::rejected, Outcome::rate_limited,
                      Outcome::circuit_open, Outcome::error}) {
      add({"workloads", n, "errors", outcome_name(o)},
          ratio(static_cast<double>(w.outcomes[static_cast<int>(o)]), w.finished));
    }
    add({"workloads", n, "attempts_per_request"},
        ratio(static_cast<double>(w.attempts), w.finished));
    add({"workloads", n, "retries_rps"}, w.retries / measured);
    const stats::Histogram& h = w.latency;
    add({"workloads", n, "latency_ms", "mean"}, h.count() > 0 ? h.mean() * 1e3 : kNaN);
    add({"workloads", n, "latency_ms", "p50"}, q(h, 0.50));
    add({"workloads", n, "latency_ms", "p90"}, q(h, 0.90));
    add({"workloads", n, "latency_ms", "p95"}, q(h, 0.95));
    add({"workloads", n, "latency_ms", "p99"}, q(h, 0.99));
    add({"workloads", n, "latency_ms", "p999"}, q(h, 0.999));
    add({"workloads", n, "latency_ms", "max"}, h.count() > 0 ? h.max() * 1e3 : kNaN);
    if (w.spec->kind == model::WorkloadKind::closed) {
      add({"workloads", n, "users"}, (w.users_tw.integral(now) - w.users_warm) / measured);
    }
  }
  for (Service& s : services_) {
    const std::string& n = s.spec->name;
    add({"services", n, "arrival_rps"}, s.arrivals / measured);
    add({"services", n, "throughput_rps"}, s.completions / measured);
    const Marks m = s.marks(now);
    add({"services", n, "cpu_utilization"},
        ratio(m.busy_cores - s.warm.busy_cores, m.core_capacity - s.warm.core_capacity));
    add({"services", n, "worker_utilization"},
        ratio(m.busy_workers - s.warm.busy_workers, m.worker_capacity - s.warm.worker_capacity));
    add({"services", n, "queue_length"}, (m.queued - s.warm.queued) / measured);
    add({"services", n, "in_flight"}, (m.in_flight - s.warm.in_flight) / measured);
    add({"services", n, "replicas", "mean"}, (m.replicas - s.warm.replicas) / measured);
    add({"services", n, "replicas", "min"}, s.replicas_min, stats::Merge::min);
    add({"services", n, "replicas", "max"}, s.replicas_max, stats::Merge::max);
    // What is paid for: replicas starting, ready or draining.
    const double replica_seconds = m.provisioned - s.warm.provisioned;
    add({"services", n, "replica_seconds"}, replica_seconds);
    if (s.spec->price_per_replica_hour) {
      add({"services", n, "cost"}, replica_seconds / 3600.0 * *s.spec->price_per_replica_hour);
    }
    add({"services", n, "rejected"}, ratio(static_cast<double>(s.rejected), s.arrivals));
    add({"services", n, "rate_limited"}, ratio(static_cast<double>(s.rate_limited), s.arrivals));
    if (s.spec->drop_expired) {
      add({"services", n, "dropped"}, ratio(static_cast<double>(s.dropped), s.arrivals));
    }
    add({"services", n, "wait_ms", "mean"}, s.wait.count() > 0 ? s.wait.mean() * 1e3 : kNaN);
    add({"services", n, "wait_ms", "p99"}, q(s.wait, 0.99));
    if (s.cache) {
      add({"services", n, "hit_ratio"},
          ratio(static_cast<double>(s.cache->hits), s.cache->lookups));
    }
    if (s.spec->database) {
      double requests = 0.0;
      for (const Workload& w : workloads_) requests += w.offered;
      add({"services", n, "queries_per_request"}, ratio(s.arrivals, requests));
    }
    add({"services", n, "wasted_work_fraction"}, ratio(s.work_wasted_s, s.work_total_s));
    const stats::Histogram& h = s.latency;
    add({"services", n, "latency_ms", "mean"}, h.count() > 0 ? h.mean() * 1e3 : kNaN);
    add({"services", n, "latency_ms", "p50"}, q(h, 0.50));
    add({"services", n, "latency_ms", "p95"}, q(h, 0.95));
    add({"services", n, "latency_ms", "p99"}, q(h, 0.99));
    add({"services", n, "saturated"}, s.saturated_at_s ? 1.0 : 0.0, stats::Merge::max);
    if (s.saturated_at_s) {
      std::ostringstream msg;
      msg << "service '" << n << "' saturated at t = " << *s.saturated_at_s << " s: more than "
          << spec_.simulation.max_queue
          << " requests queued (simulation.max_queue); later arrivals were rejected";
      out.notices.push_back(msg.str());
    }
  }
  out.timeseries = std::move(rows_);
  out.event_log = std::move(event_log_);
  out.scale_events = std::move(scale_log_);
  return out;
}

}  // namespace

stats::Summary simulate(const model::Spec& spec, const ReplicationOptions& options) {
  Network network(spec, options);
  return network.run();
}

}  // namespace capsim::net
