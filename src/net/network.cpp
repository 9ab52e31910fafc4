#include "capsim/net/network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "capsim/dist/distribution.hpp"
#include "capsim/model/error.hpp"
#include "capsim/net/profile.hpp"
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
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

struct Call {
  std::uint32_t service = kNone;
  std::uint32_t endpoint = kNone;
  std::optional<dist::Distribution> count;
  double probability = 1.0;
};

struct Step {
  model::StepKind kind = model::StepKind::work;
  dist::Distribution work;
  Call call;
  /// parallel: one single-call step list per branch, run as a branch job.
  std::vector<Steps> branches;
};

// ---------------------------------------------------------------------------------------------
// Runtime objects.

enum class ParentKind : std::uint8_t { client, job };

struct Job {
  std::uint32_t generation = 1;
  std::uint32_t next_free = kNone;
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
  ParentKind parent_kind = ParentKind::client;
  Ref parent;
  Ref client;  // the client request at the root of the call tree
  double arrived_s = 0.0;
  double work_s = 0.0;          // CPU demand this job has started, for wasted-work accounting
  double work_pending_s = 0.0;  // FCFS: demand waiting for a core
};

struct Client {
  std::uint32_t generation = 1;
  std::uint32_t next_free = kNone;
  std::uint32_t workload = kNone;
  std::uint32_t user = kNone;
  double sent_s = 0.0;
  std::uint32_t attempts = 0;
  sim::EventId timeout_event;
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

struct Replica {
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
  double replicas = 0.0;
  double core_capacity = 0.0;
  double worker_capacity = 0.0;
};

struct Service {
  const model::ServiceSpec* spec = nullptr;
  std::vector<Steps> endpoints;
  std::vector<Replica> replicas;
  std::vector<double> weights;
  std::uint64_t rr_next = 0;
  sim::RandomStream lb_rng, work_rng, route_rng;
  std::int64_t queued = 0;
  std::optional<double> saturated_at_s;
  // Statistics (after warm-up).
  std::uint64_t arrivals = 0, completions = 0, rejected = 0;
  stats::Histogram latency;
  double work_total_s = 0.0, work_wasted_s = 0.0;
  // Levels integrated from t = 0; `warm` marks the end of warm-up, `window` the window start.
  stats::TimeWeighted busy_cores, busy_workers, queued_tw, in_flight, replica_count, core_capacity,
      worker_capacity;
  double replicas_min = 0.0, replicas_max = 0.0;  // since the end of warm-up
  Marks warm;
  // Time series window.
  std::uint64_t w_arrivals = 0;
  stats::Histogram w_latency;
  Marks window;

  Marks marks(double t) const {
    return Marks{busy_cores.integral(t),     busy_workers.integral(t),  queued_tw.integral(t),
                 in_flight.integral(t),      replica_count.integral(t), core_capacity.integral(t),
                 worker_capacity.integral(t)};
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
  std::optional<dist::Distribution> interarrival;
  double interarrival_scale = 1.0;
  dist::Distribution think;
  std::vector<User> users;
  long user_level = 0;
  // Statistics (after warm-up).
  std::uint64_t offered = 0, finished = 0, attempts = 0;
  std::uint64_t outcomes[kOutcomeCount] = {};
  stats::Histogram latency;
  stats::TimeWeighted users_tw;  // integrated from t = 0
  double users_warm = 0.0;       // its integral at the end of warm-up
  // Time series window.
  std::uint64_t w_finished = 0, w_failed = 0;
  stats::Histogram w_latency;
};

enum Tag : std::uint32_t {
  kArrival,
  kUserSend,
  kUsersChange,
  kClientTimeout,
  kWorkDone,
  kPsDone,
  kWindow,
  kWarmupEnd,
};

// ---------------------------------------------------------------------------------------------

class Network final : public sim::EventHandler {
 public:
  Network(const model::Spec& spec, const ReplicationOptions& options);
  stats::Summary run();
  void on_event(std::uint32_t tag, std::uint64_t data) override;

 private:
  // Building.
  Steps compile_steps(const std::vector<model::StepSpec>& steps);
  Call compile_call(const model::CallSpec& c);
  // Workloads.
  void schedule_next_arrival(std::uint32_t w);
  void send(std::uint32_t w, std::uint32_t user);
  void client_done(Ref client, Outcome outcome);
  void set_user_level(std::uint32_t w, long level);
  void user_finished(Workload& wl, std::uint32_t user);
  // Services.
  Ref new_job(const Steps* steps, std::uint32_t service, ParentKind kind, Ref parent, Ref client,
              std::uint32_t rng_service);
  void arrive(Ref job);
  std::uint32_t pick_replica(Service& s);
  void start(Ref job, Job& j);
  void advance(Ref job);
  void start_work(Ref job, Job& j, double demand_s);
  void work_done(Ref job);
  void ps_advance(const Service& s, Replica& r);
  void ps_reschedule(const Service& s, Replica& r, std::uint32_t service, std::uint32_t replica);
  void ps_done(std::uint32_t service, std::uint32_t replica);
  void child_done(Ref parent, Outcome outcome);
  void finish(Ref job, Outcome outcome);
  void drain();
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
  Pool<Client> clients_;
  std::vector<Service> services_;
  std::vector<Workload> workloads_;
  std::vector<Ref> ready_;
  bool measuring_ = false;
  double window_start_s_ = 0.0;
  std::uint64_t same_time_events_ = 0;
  double last_event_s_ = -1.0;
  std::vector<stats::TimeSeriesRow> rows_;
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

std::uint64_t pack2(std::uint32_t hi, std::uint32_t lo) {
  return (static_cast<std::uint64_t>(hi) << 32) | lo;
}

Network::Network(const model::Spec& spec, const ReplicationOptions& options)
    : spec_(spec), options_(options) {
  const std::uint64_t seed = spec.simulation.seed;
  const std::uint64_t rep = options.replication;
  services_.resize(spec.services.size());
  for (std::size_t i = 0; i < spec.services.size(); ++i) {
    Service& s = services_[i];
    s.spec = &spec.services[i];
    const std::string base = "service/" + s.spec->name;
    s.lb_rng = sim::RandomStream(seed, rep, base + "/balancer");
    s.work_rng = sim::RandomStream(seed, rep, base + "/work");
    s.route_rng = sim::RandomStream(seed, rep, base + "/route");
    s.replicas.resize(static_cast<std::size_t>(s.spec->replicas));
    s.weights.assign(s.replicas.size(), 1.0);
    for (std::size_t k = 0; k < s.weights.size() && k < s.spec->load_balancer.weights.size(); ++k) {
      s.weights[k] = s.spec->load_balancer.weights[k];
    }
  }
  // Compile after every service exists so calls can be resolved.
  for (std::size_t i = 0; i < spec.services.size(); ++i) {
    Service& s = services_[i];
    for (const model::EndpointSpec& e : s.spec->endpoints)
      s.endpoints.push_back(compile_steps(e.steps));
    const double n = static_cast<double>(s.replicas.size());
    s.replica_count = stats::TimeWeighted(n);
    s.core_capacity = stats::TimeWeighted(n * s.spec->cores);
    s.worker_capacity = stats::TimeWeighted(n * s.spec->workers);
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
    const auto target = spec.service_index(ws.target);
    if (!target)
      throw model::ModelError(ws.pointer + "/target", "unknown service '" + ws.target + "'");
    w.target = static_cast<std::uint32_t>(*target);
    const model::ServiceSpec& ts = spec.services[*target];
    double cumulative = 0.0;
    for (const model::MixEntry& m : ws.mix) {
      std::uint32_t e = 0;
      if (!m.endpoint.empty()) {
        auto it = std::find_if(ts.endpoints.begin(), ts.endpoints.end(),
                               [&](const model::EndpointSpec& x) { return x.name == m.endpoint; });
        if (it == ts.endpoints.end()) {
          throw model::ModelError(ws.pointer, "unknown endpoint '" + m.endpoint + "'");
        }
        e = static_cast<std::uint32_t>(it - ts.endpoints.begin());
      }
      w.endpoints.push_back(e);
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
      if (ws.rate.constant > 0.0 && mean > 0.0)
        w.interarrival_scale = 1.0 / (ws.rate.constant * mean);
    }
    w.think = dist::Distribution(ws.think_time);
  }
}

Call Network::compile_call(const model::CallSpec& c) {
  Call call;
  const auto service = spec_.service_index(c.service);
  if (!service) throw model::ModelError(c.pointer, "unknown service '" + c.service + "'");
  call.service = static_cast<std::uint32_t>(*service);
  const model::ServiceSpec& callee = spec_.services[*service];
  call.endpoint = 0;
  if (!c.endpoint.empty()) {
    auto it = std::find_if(callee.endpoints.begin(), callee.endpoints.end(),
                           [&](const model::EndpointSpec& x) { return x.name == c.endpoint; });
    if (it == callee.endpoints.end()) {
      throw model::ModelError(c.pointer, "unknown endpoint '" + c.endpoint + "'");
    }
    call.endpoint = static_cast<std::uint32_t>(it - callee.endpoints.begin());
  }
  if (c.count) call.count.emplace(*c.count);
  call.probability = c.probability;
  return call;
}

Steps Network::compile_steps(const std::vector<model::StepSpec>& steps) {
  Steps out;
  for (const model::StepSpec& s : steps) {
    Step step;
    step.kind = s.kind;
    switch (s.kind) {
      case model::StepKind::work:
        step.work = dist::Distribution(s.work);
        break;
      case model::StepKind::call:
        step.call = compile_call(s.call);
        break;
      case model::StepKind::parallel:
        for (const model::CallSpec& c : s.parallel) {
          Step branch;
          branch.kind = model::StepKind::call;
          branch.call = compile_call(c);
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
  const Ref client = clients_.acquire();
  Client& c = clients_[client.index];
  c.workload = w;
  c.user = user;
  c.sent_s = sim_.now();
  c.attempts = 1;
  if (wl.spec->timeout_s) {
    c.timeout_event = sim_.after(*wl.spec->timeout_s, this, kClientTimeout, client.pack());
  }
  if (measuring()) {
    ++wl.offered;
    ++wl.attempts;
  }
  std::uint32_t e = wl.endpoints.front();
  if (wl.endpoints.size() > 1) {
    const double u = wl.mix_rng.uniform01() * wl.mix_cumulative.back();
    std::size_t k = 0;
    while (k + 1 < wl.endpoints.size() && u >= wl.mix_cumulative[k]) ++k;
    e = wl.endpoints[k];
  }
  Service& s = services_[wl.target];
  const Ref job =
      new_job(&s.endpoints[e], wl.target, ParentKind::client, client, client, wl.target);
  arrive(job);
}

void Network::client_done(Ref client, Outcome outcome) {
  Client* c = clients_.get(client);
  if (c == nullptr) return;  // the client already gave up (timeout) and moved on
  Workload& wl = workloads_[c->workload];
  if (outcome != Outcome::timeout) sim_.cancel(c->timeout_event);
  const double latency = sim_.now() - c->sent_s;
  if (measuring()) {
    ++wl.finished;
    ++wl.outcomes[static_cast<int>(outcome)];
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
  const std::uint32_t user = c->user;
  clients_.release(client.index);
  if (user != kNone) user_finished(wl, user);
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
// Services.

Ref Network::new_job(const Steps* steps, std::uint32_t service, ParentKind kind, Ref parent,
                     Ref client, std::uint32_t rng_service) {
  const Ref r = jobs_.acquire();
  Job& j = jobs_[r.index];
  j.steps = steps;
  j.service = service;
  j.rng_service = rng_service;
  j.parent_kind = kind;
  j.parent = parent;
  j.client = client;
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

std::uint32_t Network::pick_replica(Service& s) {
  const auto n = static_cast<std::uint32_t>(s.replicas.size());
  if (n == 1) return 0;
  switch (s.spec->load_balancer.policy) {
    case model::LbPolicy::round_robin:
      return static_cast<std::uint32_t>(s.rr_next++ % n);
    case model::LbPolicy::random:
      return static_cast<std::uint32_t>(s.lb_rng.below(n));
    case model::LbPolicy::least_outstanding: {
      // Fewest outstanding requests; ties go to the first in a rotating order so that idle
      // replicas share the load evenly.
      const auto first = static_cast<std::uint32_t>(s.rr_next++ % n);
      std::uint32_t best = first;
      for (std::uint32_t k = 1; k < n; ++k) {
        const std::uint32_t i = (first + k) % n;
        if (s.replicas[i].outstanding < s.replicas[best].outstanding) best = i;
      }
      return best;
    }
    case model::LbPolicy::power_of_two: {
      const auto a = static_cast<std::uint32_t>(s.lb_rng.below(n));
      auto b = static_cast<std::uint32_t>(s.lb_rng.below(n - 1));
      if (b >= a) ++b;
      return s.replicas[b].outstanding < s.replicas[a].outstanding ? b : a;
    }
    case model::LbPolicy::weighted_round_robin: {
      // Smooth weighted round robin: every replica gains its weight, the richest is chosen and
      // pays the total. Spreads picks evenly in proportion to the weights.
      double total = 0.0;
      std::uint32_t best = 0;
      for (std::uint32_t i = 0; i < n; ++i) {
        s.replicas[i].wrr_current += s.weights[i];
        total += s.weights[i];
        if (s.replicas[i].wrr_current > s.replicas[best].wrr_current) best = i;
      }
      s.replicas[best].wrr_current -= total;
      return best;
    }
  }
  return 0;
}

void Network::arrive(Ref job) {
  Job& j = jobs_[job.index];
  const std::uint32_t si = j.service;
  Service& s = services_[si];
  if (measuring()) ++s.arrivals;
  if (options_.timeseries) ++s.w_arrivals;
  const std::uint32_t ri = pick_replica(s);
  Replica& r = s.replicas[ri];
  j.replica = ri;
  if (r.busy_workers < static_cast<std::uint32_t>(s.spec->workers)) {
    ++r.outstanding;
    s.in_flight.add(sim_.now(), 1.0);
    start(job, j);
    return;
  }
  const bool full = s.spec->queue_capacity && r.queue.size >= *s.spec->queue_capacity;
  const bool saturated = s.queued >= spec_.simulation.max_queue;
  if (full || saturated) {
    if (saturated && !s.saturated_at_s) s.saturated_at_s = sim_.now();
    if (measuring()) ++s.rejected;
    finish(job, Outcome::rejected);
    return;
  }
  ++r.outstanding;
  s.in_flight.add(sim_.now(), 1.0);
  push(r.queue, jobs_, job.index);
  ++s.queued;
  s.queued_tw.add(sim_.now(), 1.0);
}

void Network::start(Ref job, Job& j) {
  Service& s = services_[j.service];
  Replica& r = s.replicas[j.replica];
  ++r.busy_workers;
  s.busy_workers.add(sim_.now(), 1.0);
  j.holds_worker = true;
  ready_.push_back(job);
}

void Network::advance(Ref job) {
  Job& j = jobs_[job.index];
  const Steps& steps = *j.steps;
  while (j.step < steps.size()) {
    const Step& step = steps[j.step];
    switch (step.kind) {
      case model::StepKind::work: {
        Service& s = services_[j.service];
        start_work(job, j, step.work.sample(s.work_rng));
        return;
      }
      case model::StepKind::call: {
        sim::RandomStream& rng = services_[j.rng_service].route_rng;
        if (j.calls_left < 0) {
          const Call& c = step.call;
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
        const Call& c = step.call;
        const Ref child = new_job(&services_[c.service].endpoints[c.endpoint], c.service,
                                  ParentKind::job, job, j.client, c.service);
        arrive(child);
        return;
      }
      case model::StepKind::parallel: {
        j.pending = static_cast<std::uint32_t>(step.branches.size());
        for (const Steps& branch : step.branches) {
          const Ref child = new_job(&branch, kNone, ParentKind::job, job, j.client, j.rng_service);
          ready_.push_back(child);
        }
        return;
      }
    }
  }
  finish(job, Outcome::success);
}

void Network::start_work(Ref job, Job& j, double demand_s) {
  Service& s = services_[j.service];
  Replica& r = s.replicas[j.replica];
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
  Job& j = jobs_[job.index];
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
  Job& j = jobs_[job.index];
  ++j.step;
  ready_.push_back(job);
}

void Network::child_done(Ref parent, Outcome outcome) {
  Job* p = jobs_.get(parent);
  if (p == nullptr) fail("a call returned to a request that no longer exists");
  // A failed call fails the caller's request with `error` (a 5xx upstream), once every call it
  // has in flight has returned.
  if (outcome != Outcome::success) p->failed = true;
  if (--p->pending > 0) return;
  if (!p->failed && (*p->steps)[p->step].kind == model::StepKind::parallel) ++p->step;
  ready_.push_back(parent);
}

void Network::finish(Ref job, Outcome outcome) {
  Job& j = jobs_[job.index];
  if (j.service != kNone) {
    Service& s = services_[j.service];
    Replica& r = s.replicas[j.replica];
    s.work_total_s += j.work_s;
    if (clients_.get(j.client) == nullptr) s.work_wasted_s += j.work_s;
    if (j.holds_worker) {
      --r.outstanding;
      s.in_flight.add(sim_.now(), -1.0);
      if (measuring()) {
        ++s.completions;
        if (outcome == Outcome::success) s.latency.record(sim_.now() - j.arrived_s);
      }
      if (options_.timeseries && outcome == Outcome::success) {
        s.w_latency.record(sim_.now() - j.arrived_s);
      }
      if (r.queue.size > 0) {
        const std::uint32_t next = pop(r.queue, jobs_);
        --s.queued;
        s.queued_tw.add(sim_.now(), -1.0);
        Job& n = jobs_[next];
        n.holds_worker = true;
        ready_.push_back(Ref{next, n.generation});
      } else {
        --r.busy_workers;
        s.busy_workers.add(sim_.now(), -1.0);
      }
    }
  }
  const ParentKind kind = j.parent_kind;
  const Ref parent = j.parent;
  jobs_.release(job.index);
  if (kind == ParentKind::job) {
    child_done(parent, outcome);
  } else {
    client_done(parent, outcome);
  }
}

void Network::drain() {
  // Jobs made ready by this event run in the order they became ready, at this instant.
  for (std::size_t i = 0; i < ready_.size(); ++i) {
    const Ref r = ready_[i];
    Job* j = jobs_.get(r);
    if (j == nullptr) continue;
    if (j->failed) {
      finish(r, Outcome::error);
    } else {
      advance(r);
    }
  }
  ready_.clear();
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
    case kClientTimeout: {
      const Ref client = Ref::unpack(data);
      if (Client* c = clients_.get(client)) {
        c->timeout_event = sim::EventId{};
        client_done(client, Outcome::timeout);
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
  for (std::uint32_t w = 0; w < workloads_.size(); ++w) {
    Workload& wl = workloads_[w];
    if (wl.spec->kind == model::WorkloadKind::open) {
      schedule_next_arrival(w);
    } else {
      set_user_level(w, level_at(wl.spec->users, 0.0));
    }
  }
  if (!sim_.run_until(duration, options_.max_events)) {
    fail("the event budget (" + std::to_string(options_.max_events) + " events) was spent");
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
        ratio(static_cast<double>(w.attempts), w.offered));
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
    add({"services", n, "replica_seconds"}, m.replicas - s.warm.replicas);
    add({"services", n, "rejected"}, ratio(static_cast<double>(s.rejected), s.arrivals));
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
  return out;
}

}  // namespace

stats::Summary simulate(const model::Spec& spec, const ReplicationOptions& options) {
  Network network(spec, options);
  return network.run();
}

}  // namespace capsim::net
