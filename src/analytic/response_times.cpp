// The mean response time of each endpoint (response_times.hpp).

#include "response_times.hpp"

#include <algorithm>
#include <utility>

#include "capsim/analytic/queueing.hpp"
#include "capsim/dist/distribution.hpp"

namespace capsim::analytic::detail {

ResponseTimes::ResponseTimes(const model::Spec& spec, const Graph& g,
                             const std::vector<Queue>& queues,
                             const std::vector<double>& work_factor,
                             const std::vector<std::optional<CacheHitEstimate>>& cache_hits,
                             const Eigen::VectorXd* pool_rates, std::vector<int> replicas)
    : spec_(spec),
      g_(g),
      queues_(queues),
      work_factor_(work_factor),
      cache_hits_(cache_hits),
      response_(g.endpoint.size()),
      known_(g.endpoint.size(), 0),
      backend_part_(g.endpoint.size(), 0.0),
      pool_rates_(pool_rates),
      replicas_(std::move(replicas)) {
  for (const model::ServiceSpec& svc : spec.services) {
    pools_.emplace_back(svc.connection_pools.size());
    pool_state_.emplace_back(svc.connection_pools.size(), 0);
  }
}

std::optional<PoolLoad> ResponseTimes::pool(std::size_t s, std::size_t k) {
  if (pool_rates_ == nullptr || s >= pools_.size() || k >= pools_[s].size()) return std::nullopt;
  if (pool_state_[s][k] == 2) return pools_[s][k];
  if (pool_state_[s][k] == 1) return PoolLoad{0.0, 0.0, false, 0.0, 0.0};
  pool_state_[s][k] = 1;
  const model::ConnectionPoolSpec& pool_spec = spec_.services[s].connection_pools[k];
  const auto callee = spec_.service_index(pool_spec.service);
  std::optional<PoolLoad> load = PoolLoad{};
  // The calls the replica waits for go through its pool (an async call takes no connection):
  // each holds its connection for the callee's response time.
  for (std::size_t e : g_.of_service[s]) {
    const auto ei = static_cast<Eigen::Index>(e);
    for (Eigen::Index j = 0; j < g_.sync_routing.cols() && callee && load; ++j) {
      const double calls = g_.sync_routing(ei, j);
      if (calls <= 0.0 || g_.service_of[static_cast<std::size_t>(j)] != *callee) continue;
      if (const auto r = of(static_cast<std::size_t>(j))) {
        const double calls_rps = (*pool_rates_)(ei)*calls;
        load->calls_rps += calls_rps;
        load->connection_s += calls_rps * *r;
      } else {
        load.reset();
      }
    }
  }
  if (load) {
    const int replicas = s < replicas_.size() ? replicas_[s] : 1;
    // As the service's cores: a balancer that sends to the least loaded replica (whose
    // outstanding requests count those waiting for a connection) keeps a call from waiting
    // while another replica has a free connection, so all replicas' pools act as one.
    const model::LbPolicy policy = spec_.services[s].load_balancer.policy;
    load->pooled = replicas > 1 && (policy == model::LbPolicy::least_outstanding ||
                                    policy == model::LbPolicy::power_of_two);
    if (load->calls_rps <= 0.0 || load->connection_s <= 0.0) {
      load->wait_probability = 0.0;
      load->mean_wait_s = 0.0;
    } else if (replicas >= 1 && pool_spec.max >= 1 &&
               load->connection_s / replicas < pool_spec.max * (1.0 - kFullPool)) {
      // An M/M/c queue for connections: c = max per replica (or all replicas' when pooled),
      // offered load a = connections busy on average; Erlang C's wait C(c, a) x holding /
      // (c - a).
      const int servers = load->pooled ? replicas * pool_spec.max : pool_spec.max;
      const double offered = load->pooled ? load->connection_s : load->connection_s / replicas;
      const double holding_s = load->connection_s / load->calls_rps;
      load->wait_probability = erlang_c(servers, offered);
      load->mean_wait_s = *load->wait_probability * holding_s / (servers - offered);
    }
  }
  pools_[s][k] = load;
  pool_state_[s][k] = 2;
  return load;
}

std::optional<double> ResponseTimes::connection_wait(std::size_t s, const std::string& callee) {
  const auto& pools = spec_.services[s].connection_pools;
  for (std::size_t k = 0; k < pools.size(); ++k) {
    if (pools[k].service != callee) continue;
    if (pool_rates_ == nullptr) return 0.0;
    const auto load = pool(s, k);
    if (!load) return std::nullopt;
    return load->mean_wait_s;
  }
  return 0.0;
}

std::optional<double> ResponseTimes::cache_call(std::size_t e, bool read_through) {
  const auto own = of(e);
  if (!own) return std::nullopt;
  double t = *own - backend_part_[e];
  const model::ServiceSpec& cache = spec_.services[g_.service_of[e]];
  const auto& hit = cache_hits_[g_.service_of[e]];
  const auto backend = g_.find(spec_, cache.cache->backend, cache.cache->backend_endpoint);
  if (read_through && hit && backend) {
    const auto b = of(*backend);
    if (!b) return std::nullopt;
    t += (1.0 - hit->hit_ratio) * *b;
  }
  return t;
}

std::optional<double> ResponseTimes::call_time(std::size_t s, const model::CallSpec& c) {
  const auto callee = g_.find(spec_, c.service, c.endpoint);
  if (!callee) return std::nullopt;
  bool ignored = false;
  const double k = expected_calls(c, ignored);
  // Nobody waits for a fire-and-forget call: its load counts (routing), its time does not.
  if (k == 0.0 || c.async) return 0.0;
  const bool cache = spec_.services[g_.service_of[*callee]].cache.has_value();
  const auto r = cache ? cache_call(*callee, !c.on_miss && !c.cache_write) : of(*callee);
  // A call through a pool first waits for a connection (holding the caller's worker).
  const auto wait = connection_wait(s, c.service);
  if (!r || !wait) return std::nullopt;
  double t = *wait + *r;
  const auto& hit = cache_hits_[g_.service_of[*callee]];
  if (c.on_miss && hit) {
    // A cache-aside lookup: the caller runs on_miss itself (its steps queue where it runs).
    const auto on_miss = steps_time(s, c.on_miss->steps);
    if (!on_miss) return std::nullopt;
    t += (1.0 - hit->hit_ratio) * *on_miss;
  }
  return k * t;
}

std::optional<double> ResponseTimes::steps_time(std::size_t s,
                                                const std::vector<model::StepSpec>& steps) {
  const Queue& q = queues_[s];
  std::optional<double> total = 0.0;
  for (const model::StepSpec& step : steps) {
    if (!total) break;
    switch (step.kind) {
      case model::StepKind::work:
        if (!q.valid) {
          total.reset();
        } else {
          *total += q.wait_s + work_factor_[s] * dist::mean_of(step.work);
        }
        break;
      case model::StepKind::delay:
        // The estimate assumes workers are not the bottleneck: a delay adds its mean.
        *total += dist::mean_of(step.delay);
        break;
      case model::StepKind::call:
        if (const auto t = call_time(s, step.call)) {
          *total += *t;
        } else {
          total.reset();
        }
        break;
      case model::StepKind::parallel: {
        double slowest = 0.0;
        for (const model::CallSpec& c : step.parallel) {
          const auto t = call_time(s, c);
          if (!t) {
            total.reset();
            break;
          }
          slowest = std::max(slowest, *t);
        }
        if (total) *total += slowest;
        break;
      }
    }
  }
  return total;
}

std::optional<double> ResponseTimes::of(std::size_t e) {
  if (known_[e]) return response_[e];
  known_[e] = 1;
  const std::size_t s = g_.service_of[e];
  std::optional<double> total = steps_time(s, g_.endpoint[e]->steps);
  if (total && spec_.services[s].cache) {
    // The misses: calls to the backend that are no step of the endpoint (through the cache's
    // pool to it, if it has one).
    for (Eigen::Index j = 0; j < g_.routing.cols() && total; ++j) {
      const double misses = g_.routing(static_cast<Eigen::Index>(e), j);
      if (misses <= 0.0) continue;
      const auto r = of(static_cast<std::size_t>(j));
      const auto wait =
          connection_wait(s, spec_.services[g_.service_of[static_cast<std::size_t>(j)]].name);
      if (r && wait) {
        *total += misses * (*wait + *r);
        backend_part_[e] += misses * (*wait + *r);
      } else {
        total.reset();
      }
    }
  }
  response_[e] = total;
  return total;
}

}  // namespace capsim::analytic::detail
