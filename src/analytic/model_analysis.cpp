#include "capsim/analytic/model_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include <Eigen/Dense>

#include "analysis_graph.hpp"
#include "capsim/analytic/queueing.hpp"
#include "capsim/dist/distribution.hpp"
#include "data_stations.hpp"
#include "latency_quantiles.hpp"
#include "pool_capacity.hpp"
#include "response_times.hpp"
#include "station_capacity.hpp"
#include "station_queue.hpp"

namespace capsim::analytic {

using detail::build_graph;
using detail::endpoint_rates;
using detail::expected_calls;
using detail::Graph;
using detail::make_queue;
using detail::num;
using detail::Queue;
using detail::replicas_of;
using detail::split_database;

namespace {

/// Whether any call of the model (in parallel, on_miss and fallback steps too) has a timeout,
/// retries, a circuit breaker or a fallback: the analysis has none of them.
bool has_call_resilience(const std::vector<model::StepSpec>& steps) {
  const auto of_call = [](const model::CallSpec& c) {
    return c.timeout_s || c.retry || c.circuit_breaker || c.fallback ||
           (c.on_miss && has_call_resilience(c.on_miss->steps));
  };
  for (const model::StepSpec& step : steps) {
    if (step.kind == model::StepKind::call && of_call(step.call)) return true;
    for (const model::CallSpec& c : step.parallel) {
      if (of_call(c)) return true;
    }
  }
  return false;
}

bool has_call_resilience(const model::Spec& spec) {
  for (const model::ServiceSpec& s : spec.services) {
    for (const model::EndpointSpec& e : s.endpoints) {
      if (has_call_resilience(e.steps)) return true;
    }
  }
  return false;
}

/// Whether a call of `steps` (a parallel's included) is a cache-aside lookup (has `on_miss`).
bool has_on_miss(const std::vector<model::StepSpec>& steps) {
  return std::any_of(steps.begin(), steps.end(), [](const model::StepSpec& s) {
    return (s.kind == model::StepKind::call && s.call.on_miss) ||
           std::any_of(s.parallel.begin(), s.parallel.end(),
                       [](const model::CallSpec& c) { return c.on_miss.has_value(); });
  });
}

}  // namespace

double profile_peak(const model::Profile& p) {
  switch (p.kind) {
    case model::ProfileKind::constant:
      return p.constant;
    case model::ProfileKind::stages: {
      double peak = p.start;
      for (const model::Stage& s : p.stages) peak = std::max(peak, s.target);
      return peak;
    }
    case model::ProfileKind::diurnal:
      return p.diurnal.mean + p.diurnal.amplitude;
    case model::ProfileKind::trace: {
      double peak = 0.0;
      for (const model::TracePoint& t : p.trace) peak = std::max(peak, t.value);
      return peak;
    }
  }
  return p.constant;
}

std::vector<double> visits_per_request(const model::Spec& spec,
                                       const model::WorkloadSpec& workload) {
  const Graph g = build_graph(spec);
  const Eigen::VectorXd rates = endpoint_rates(spec, g, workload, 1.0);
  std::vector<double> visits(spec.services.size(), 0.0);
  for (std::size_t e = 0; e < g.endpoint.size(); ++e) {
    visits[g.service_of[e]] += rates(static_cast<Eigen::Index>(e));
  }
  return visits;
}

ModelAnalysis analyze(const model::Spec& spec, const AnalysisOptions& options) {
  ModelAnalysis out;
  Graph g = build_graph(spec);
  // A cache's misses are calls to its backend, at the estimated miss ratio.
  const std::vector<std::optional<CacheHitEstimate>> cache_hits = detail::add_cache_misses(spec, g);
  const auto n_endpoints = static_cast<Eigen::Index>(g.endpoint.size());
  const std::size_t n_services = spec.services.size();

  // ---- Closed workloads: exact MVA, one workload at a time. -------------------------------
  // Their throughput then joins the open arrivals at the stations.
  Eigen::VectorXd closed_rates = Eigen::VectorXd::Zero(n_endpoints);
  std::vector<std::optional<double>> mva_wait(n_services);
  std::vector<WorkloadEstimate> closed_estimates;
  const bool has_closed =
      std::any_of(spec.workloads.begin(), spec.workloads.end(),
                  [](const auto& w) { return w.kind == model::WorkloadKind::closed; });
  const bool mixed =
      std::any_of(spec.workloads.begin(), spec.workloads.end(),
                  [](const auto& w) { return w.kind == model::WorkloadKind::open; }) &&
      std::any_of(spec.workloads.begin(), spec.workloads.end(),
                  [](const auto& w) { return w.kind == model::WorkloadKind::closed; });
  const std::size_t n_closed = static_cast<std::size_t>(
      std::count_if(spec.workloads.begin(), spec.workloads.end(),
                    [](const auto& w) { return w.kind == model::WorkloadKind::closed; }));
  for (const model::WorkloadSpec& w : spec.workloads) {
    if (w.kind != model::WorkloadKind::closed) continue;
    WorkloadEstimate est;
    est.workload = w.name;
    est.closed = true;
    est.users = std::floor(profile_peak(w.users));
    if (w.users.kind != model::ProfileKind::constant) {
      est.assumptions.push_back("users vary: analysed at the peak population, " + num(est.users));
    }
    const Eigen::VectorXd per_request = endpoint_rates(spec, g, w, 1.0);
    std::vector<double> demand;
    std::vector<int> servers;
    std::vector<std::size_t> service_of_station;
    for (std::size_t s = 0; s < n_services; ++s) {
      const model::ServiceSpec& svc = spec.services[s];
      double d = 0.0;
      for (std::size_t e : g.of_service[s]) {
        d += per_request(static_cast<Eigen::Index>(e)) * g.work_mean_s[e];
      }
      if (d <= 0.0) continue;
      const int n = replicas_of(svc, options);
      int c = svc.cores;
      const bool pooled = n == 1 ||
                          svc.load_balancer.policy == model::LbPolicy::least_outstanding ||
                          svc.load_balancer.policy == model::LbPolicy::power_of_two;
      if (pooled) {
        demand.push_back(d);
        servers.push_back(n * c);
        service_of_station.push_back(s);
      } else {
        for (int r = 0; r < n; ++r) {
          demand.push_back(d / n);
          servers.push_back(c);
          service_of_station.push_back(s);
        }
      }
    }
    const double think = dist::mean_of(w.think_time);
    const MvaResult mva_result = mva(demand, servers, think, static_cast<int>(est.users));
    if (n_closed == 1 && !mixed) {
      // The stations' waits from the MVA itself: per work step, the residence beyond the work.
      std::vector<double> residence(n_services, 0.0);
      for (std::size_t k = 0; k < service_of_station.size(); ++k) {
        residence[service_of_station[k]] += mva_result.residence_time[k];
      }
      for (std::size_t s = 0; s < n_services; ++s) {
        double steps = 0.0, work = 0.0;
        for (std::size_t e : g.of_service[s]) {
          steps += per_request(static_cast<Eigen::Index>(e)) * g.work_steps[e];
          work += per_request(static_cast<Eigen::Index>(e)) * g.work_mean_s[e];
        }
        if (steps > 0.0) mva_wait[s] = std::max(0.0, (residence[s] - work) / steps);
      }
    }
    est.rate_rps = mva_result.throughput;
    est.mean_latency_s = mva_result.response_time;
    est.stable = true;
    est.assumptions.push_back(
        "exact MVA of a closed product-form network: each service's CPUs one station "
        "(multi-server, load-dependent), think time a delay; work treated as exponential (FCFS) "
        "or any (processor sharing); workers never all busy");
    if (mixed || n_closed > 1) {
      est.assumptions.push_back("other workloads ignored by this MVA (analysed as if alone)");
    }
    est.assumptions.push_back("no latency percentiles: MVA gives means");
    closed_rates += per_request * mva_result.throughput;
    closed_estimates.push_back(std::move(est));
  }

  // ---- Open workloads: traffic equations, then one queue per service. -----------------------
  Eigen::VectorXd rates = closed_rates;
  for (const model::WorkloadSpec& w : spec.workloads) {
    if (w.kind == model::WorkloadKind::open)
      rates += endpoint_rates(spec, g, w, profile_peak(w.rate));
  }
  double total_open_rate = 0.0;
  for (const model::WorkloadSpec& w : spec.workloads) {
    total_open_rate += w.kind == model::WorkloadKind::open ? profile_peak(w.rate) : 0.0;
  }
  for (const WorkloadEstimate& c : closed_estimates) total_open_rate += c.rate_rps;

  std::vector<Queue> queues(n_services);
  // Per service: how much longer its work takes than the steps say (a database's contention).
  std::vector<double> work_factor(n_services, 1.0);
  std::vector<char> worker_bound_(n_services, 0);
  for (std::size_t s = 0; s < n_services; ++s) {
    const model::ServiceSpec& svc = spec.services[s];
    StationEstimate st;
    st.service = svc.name;
    st.replicas = replicas_of(svc, options);
    // Scaling from zero (KEDA): zero replicas have no capacity to speak of; the most the
    // autoscaler can reach does.
    const bool from_zero = st.replicas == 0 && svc.autoscaling && svc.autoscaling->max > 0;
    if (from_zero) st.replicas = svc.autoscaling->max;
    double visits = 0.0, work = 0.0, second = 0.0;
    bool makes_calls = false;
    for (std::size_t e : g.of_service[s]) {
      const double r = rates(static_cast<Eigen::Index>(e));
      st.arrival_rps += r;
      visits += r * g.work_steps[e];
      work += r * g.work_mean_s[e];
      second += r * g.work_second_moment[e];
      if (g.routing.row(static_cast<Eigen::Index>(e)).sum() > 0.0) makes_calls = true;
    }
    st.work_visits_rps = visits;
    st.demand_s = st.arrival_rps > 0.0 ? work / st.arrival_rps : 0.0;
    st.work_mean_s = visits > 0.0 ? work / visits : 0.0;
    st.work_scv = visits > 0.0 && st.work_mean_s > 0.0
                      ? second / visits / (st.work_mean_s * st.work_mean_s) - 1.0
                      : 1.0;
    if (std::fabs(st.work_scv) < 1e-12) st.work_scv = 0.0;
    st.servers_per_replica = svc.cores;
    // Without calls or delays, a request holds its worker only to work: with no more workers
    // than cores the workers are the servers (requests queue for a worker, never for a core).
    const bool delays = std::any_of(svc.endpoints.begin(), svc.endpoints.end(), [](const auto& e) {
      return std::any_of(e.steps.begin(), e.steps.end(), [](const model::StepSpec& step) {
        return step.kind == model::StepKind::delay;
      });
    });
    const bool worker_bound = svc.workers <= svc.cores && !makes_calls && !delays;
    worker_bound_[s] = worker_bound;
    if (worker_bound && svc.workers < svc.cores) {
      st.servers_per_replica = svc.workers;
      st.assumptions.push_back("fewer workers than cores: " + std::to_string(svc.workers) +
                               " servers per replica");
    }
    if (std::any_of(svc.endpoints.begin(), svc.endpoints.end(),
                    [](const model::EndpointSpec& e) { return has_on_miss(e.steps); })) {
      st.assumptions.push_back(
          "cache-aside: a miss runs its on_miss steps here (their work and calls weighted by the "
          "cache's estimated miss ratio; stampedes and a fill's delay ignored)");
    }
    // Open workloads: the pools' capacity and waits come with the response times (below).
    for (const model::ConnectionPoolSpec& pool : svc.connection_pools) {
      if (!has_closed) continue;
      st.assumptions.push_back("connection pool to " + pool.service + " (at most " +
                               std::to_string(pool.max) +
                               " per replica): ignored (closed workloads: the MVA has no "
                               "pool), in neither the capacity nor the latency: its calls wait "
                               "for no connection here (the simulation queues them; optimistic "
                               "when the pool is short)");
    }
    const int c = st.servers_per_replica;
    const int n = st.replicas;
    if (cache_hits[s]) {
      st.hit_ratio = cache_hits[s]->hit_ratio;
      st.assumptions.insert(st.assumptions.end(), cache_hits[s]->assumptions.begin(),
                            cache_hits[s]->assumptions.end());
    }
    if (svc.database) {
      st.assumptions.push_back("database: each node's " + std::to_string(svc.workers) +
                               " connections and " + std::to_string(svc.cores) +
                               " cores; a query holds one of each (the fewer are the servers)");
    }
    // The capacity is reached with every server of a node busy: that slowdown sets it.
    double capacity_work = work;
    if (svc.database && svc.database->contention && n > 0 && visits > 0.0) {
      const detail::ContentionEffect effect =
          detail::contention_effect(*svc.database->contention, visits * st.work_mean_s / n, c);
      st.work_mean_s *= effect.factor;
      st.demand_s *= effect.factor;
      work_factor[s] = effect.factor;
      capacity_work = work * effect.at_saturation;
      st.assumptions.push_back("contention (USL): a query's work x" + num(effect.factor) +
                               " beside the mean " + num(effect.concurrency) +
                               " queries running on a node, x" + num(effect.at_saturation) +
                               " with all " + std::to_string(c) + " busy (the breaking point)");
    }
    if (from_zero) {
      st.assumptions.push_back("scales from zero: analysed at its max, " + std::to_string(n) +
                               " replicas (the capacity its autoscaler can reach)");
    } else if (svc.autoscaling) {
      st.assumptions.push_back("autoscaling ignored: analysed at " + std::to_string(n) +
                               " replicas");
    }
    st.utilization = visits * st.work_mean_s / (static_cast<double>(n) * c);
    st.stable = st.utilization < 1.0;
    if (total_open_rate > 0.0 && work > 0.0) {
      st.core_capacity_rps = c / (capacity_work / total_open_rate);
    }
    const model::LbPolicy policy = svc.load_balancer.policy;
    const bool pooled = n == 1 || policy == model::LbPolicy::least_outstanding ||
                        policy == model::LbPolicy::power_of_two;
    st.model = pooled ? StationModel::pooled : StationModel::per_replica;
    // A database with read replicas balances only its reads, over the read replicas (its writes
    // go to the primary): the text counts those (split_database models both sides).
    const bool readers = svc.database && svc.database->read_replicas > 0;
    const int balanced = readers ? svc.database->read_replicas : n;
    const std::string nodes = readers ? " read replica" : " replica";
    const std::string balanced_s = std::to_string(balanced);
    if (balanced == 1) {
      st.assumptions.push_back("one" + nodes + ": M/M/" + std::to_string(c));
    } else if (pooled) {
      st.assumptions.push_back("balancer sends to the least loaded" + nodes +
                               ": modelled as one queue for all " + std::to_string(balanced * c) +
                               " cores (optimistic)");
    } else if (policy == model::LbPolicy::random) {
      st.assumptions.push_back("random balancing: " + balanced_s + " independent M/M/" +
                               std::to_string(c) + " queues, each fed 1/n of the arrivals");
    } else if (policy == model::LbPolicy::client_hash) {
      st.assumptions.push_back("client hashing: " + balanced_s + " independent M/M/" +
                               std::to_string(c) +
                               " queues, each fed 1/n of the arrivals (optimistic: the clients' "
                               "skew is ignored)");
    } else {
      st.assumptions.push_back("round robin: modelled as " + balanced_s + " independent M/M/" +
                               std::to_string(c) +
                               " queues with Poisson arrivals (pessimistic: round robin's are "
                               "more regular)");
      if (policy == model::LbPolicy::weighted_round_robin && !svc.load_balancer.weights.empty()) {
        st.assumptions.push_back("weights ignored: the load is taken as even");
      }
    }
    const bool ps = svc.cpu == model::CpuDiscipline::ps;
    if (ps) {
      st.assumptions.push_back("processor sharing: mean exact (insensitive), percentiles as FCFS");
    } else if (mva_wait[s]) {
      // The closed workload's MVA gives the waits; its assumptions say how.
    } else if (std::fabs(st.work_scv - 1.0) > 1e-9 && visits > 0.0) {
      const bool one_server = (pooled ? n * c : c) == 1;
      st.assumptions.push_back(
          "work not exponential (scv " + num(st.work_scv) + "): " +
          (one_server ? "Pollaczek-Khinchine mean (exact), percentiles as if exponential"
                      : "Allen-Cunneen mean wait (approximate), percentiles as if exponential"));
    }
    if (svc.queue_capacity) st.assumptions.push_back("queue capacity ignored (no blocking)");
    // Refusals the analysis does not model: it offers the station every request.
    if (!svc.rate_limits.empty()) {
      st.assumptions.push_back(
          "rate limit ignored: every request is analysed as admitted (the simulation refuses "
          "those beyond it with rate_limited, which no replica count changes)");
    }
    if (svc.database && svc.database->capacity_units) {
      st.assumptions.push_back(
          "capacity units ignored: no request is analysed as throttled (the simulation throttles "
          "those beyond the table's units)");
    }
    const double lambda_q = pooled ? visits : visits / n;
    const int servers_q = pooled ? n * c : c;
    queues[s] = make_queue(lambda_q, st.work_mean_s, servers_q, st.work_scv, ps);
    if (!readers && !mva_wait[s] && queues[s].valid) {
      // Pools that let no more calls in than it has servers: it never queues, the calls wait
      // for a connection (the pools' Erlang C, at its service time alone).
      if (const auto k = pooled_connections_to(spec, g, options, s); k && *k <= n * c) {
        queues[s].wait_s = 0.0;
        queues[s].wait_probability = 0.0;
        st.assumptions.push_back("every call to it holds a connection of its callers' pools (" +
                                 std::to_string(*k) + " in all, no more than its " +
                                 std::to_string(n * c) +
                                 " servers): it never queues; its calls wait for a connection");
      }
    }
    if (mva_wait[s]) {
      queues[s].valid = true;
      queues[s].wait_s = *mva_wait[s];
      st.assumptions.push_back("waits from the exact MVA of the closed workload");
    }
    if (queues[s].valid && visits > 0.0) {
      if (!mva_wait[s]) st.wait_probability = queues[s].wait_probability;
      st.mean_wait_s = queues[s].wait_s;
      st.own_time_s = st.demand_s + (visits / st.arrival_rps) * queues[s].wait_s;
    } else if (visits <= 0.0) {
      st.own_time_s = 0.0;
    }
    if (svc.database && svc.database->read_replicas > 0 && visits > 0.0 && !mva_wait[s]) {
      split_database(spec, g, rates, s, ps, st, queues[s]);
    }
    st.cpu_utilization =
        svc.cores > st.servers_per_replica
            ? st.utilization * st.servers_per_replica / static_cast<double>(svc.cores)
            : st.utilization;
    out.stations.push_back(std::move(st));
  }

  // ---- Response times per endpoint (response_times.cpp). -----------------------------------
  // A call through a connection pool waits for a connection (Erlang C per caller replica, at
  // these rates); closed workloads keep the pools out, as the MVA that sets their load has none.
  std::vector<int> replicas(n_services, 1);
  for (std::size_t s = 0; s < n_services; ++s) replicas[s] = out.stations[s].replicas;
  detail::ResponseTimes response(spec, g, queues, work_factor, cache_hits,
                                 has_closed ? nullptr : &rates, replicas);
  for (std::size_t s = 0; s < n_services; ++s) {
    StationEstimate& st = out.stations[s];
    if (st.arrival_rps <= 0.0) continue;
    double held = 0.0;
    bool ok = true;
    for (std::size_t e : g.of_service[s]) {
      const auto r = response.of(e);
      if (!r) {
        ok = false;
        break;
      }
      held += rates(static_cast<Eigen::Index>(e)) * *r;
    }
    if (!ok) continue;
    st.holding_time_s = held / st.arrival_rps;
    const model::ServiceSpec& svc = spec.services[s];
    // Little's law on the workers: the time a request holds one (worker-bound services: only
    // its work; the wait is for the worker itself).
    const double holding = worker_bound_[s] ? st.demand_s : *st.holding_time_s;
    st.worker_utilization =
        st.arrival_rps * holding / (static_cast<double>(st.replicas) * svc.workers);
    if (worker_bound_[s]) continue;  // the queue above is the workers' queue
    detail::add_worker_capacity(svc, total_open_rate, st);
    if (*st.worker_utilization >= 1.0) {
      st.stable = false;
      st.assumptions.push_back("workers exhausted: requests hold workers " +
                               num(*st.holding_time_s * 1e3) + " ms on average, more than " +
                               std::to_string(svc.workers) + " workers per replica can carry");
    } else if (*st.worker_utilization > 0.7) {
      st.assumptions.push_back("workers busy " + num(*st.worker_utilization * 100) +
                               "% of the time: waiting for a worker is not in the estimate");
    }
  }

  for (std::size_t s = 0; s < n_services; ++s) {
    detail::settle_capacity(spec.services[s], out.stations[s]);
    // Closed workloads: the MVA, which has no pool, sets the load (an estimate of the pools
    // there would be at the wrong load); their pools stay out, as the assumption says.
    if (!has_closed) {
      detail::add_pool_capacity(spec, response, total_open_rate, s, out.stations[s]);
    }
  }

  // ---- Workloads. ---------------------------------------------------------------------------
  for (const model::WorkloadSpec& w : spec.workloads) {
    if (w.kind == model::WorkloadKind::closed) {
      for (WorkloadEstimate& c : closed_estimates) {
        if (c.workload == w.name) out.workloads.push_back(std::move(c));
      }
      continue;
    }
    WorkloadEstimate est;
    est.workload = w.name;
    est.rate_rps = profile_peak(w.rate);
    if (w.rate.kind != model::ProfileKind::constant) {
      est.assumptions.push_back("rate varies: analysed in steady state at its peak, " +
                                num(est.rate_rps) + "/s");
    }
    if (w.interarrival) {
      est.assumptions.push_back("renewal arrivals (interarrival given): Erlang C assumes Poisson");
    } else {
      est.assumptions.push_back("Poisson arrivals");
    }
    if (w.timeout_s) est.assumptions.push_back("client timeout ignored");
    if (w.retry) est.assumptions.push_back("retries ignored");
    if (g.approximate_counts) {
      est.assumptions.push_back("random call counts: their mean used (the engine rounds them)");
    }
    if (g.has_parallel) {
      est.assumptions.push_back("parallel calls: the slowest branch's mean (E[max] is larger)");
    }
    // Visits per request with the caches' misses and on_miss steps routed (the graph's).
    std::vector<double> visits(n_services, 0.0);
    const Eigen::VectorXd endpoint_visits = endpoint_rates(spec, g, w, 1.0);
    for (std::size_t e = 0; e < g.endpoint.size(); ++e) {
      visits[g.service_of[e]] += endpoint_visits(static_cast<Eigen::Index>(e));
    }
    est.stable = true;
    for (std::size_t s = 0; s < n_services; ++s) {
      if (visits[s] > 0.0 && !out.stations[s].stable) est.stable = false;
    }
    std::optional<double> mean = 0.0;
    for (const model::MixEntry& m : w.mix) {
      const auto e = g.find(spec, w.target, m.endpoint);
      // A workload aimed at a cache reads through it.
      const auto r = !e                                      ? std::nullopt
                     : spec.services[g.service_of[*e]].cache ? response.cache_call(*e, true)
                                                             : response.of(*e);
      if (!r || !mean) {
        mean.reset();
        break;
      }
      *mean += m.weight * *r;
    }
    if (est.stable && mean) {
      est.mean_latency_s = mean;
      detail::add_latency_quantiles(spec, g, out.stations, queues, w, *mean, est);
    }
    out.workloads.push_back(std::move(est));
  }
  if (mixed) {
    out.notes.push_back(
        "open and closed workloads share services: the closed workloads' MVA "
        "throughput is added to the open arrivals, and each MVA ignores the "
        "open load");
  }
  if (!spec.faults.empty()) out.notes.push_back("faults ignored");
  if (has_call_resilience(spec)) {
    out.notes.push_back(
        "call timeouts, retries, circuit breakers and fallbacks ignored: a call takes its "
        "callee's whole response time (a timeout would cut its tail, a fallback replace it, a "
        "retry add load)");
  }
  return out;
}

}  // namespace capsim::analytic
