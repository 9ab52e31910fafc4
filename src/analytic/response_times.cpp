// The mean response time of each endpoint (response_times.hpp).

#include "response_times.hpp"

#include <algorithm>

#include "capsim/dist/distribution.hpp"

namespace capsim::analytic::detail {

ResponseTimes::ResponseTimes(const model::Spec& spec, const Graph& g,
                             const std::vector<Queue>& queues,
                             const std::vector<double>& work_factor,
                             const std::vector<std::optional<CacheHitEstimate>>& cache_hits)
    : spec_(spec),
      g_(g),
      queues_(queues),
      work_factor_(work_factor),
      cache_hits_(cache_hits),
      response_(g.endpoint.size()),
      known_(g.endpoint.size(), 0),
      backend_part_(g.endpoint.size(), 0.0) {}

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
  if (!r) return std::nullopt;
  double t = *r;
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
    // The misses: calls to the backend that are no step of the endpoint.
    for (Eigen::Index j = 0; j < g_.routing.cols() && total; ++j) {
      const double misses = g_.routing(static_cast<Eigen::Index>(e), j);
      if (misses <= 0.0) continue;
      const auto r = of(static_cast<std::size_t>(j));
      if (r) {
        *total += misses * *r;
        backend_part_[e] += misses * *r;
      } else {
        total.reset();
      }
    }
  }
  response_[e] = total;
  return total;
}

}  // namespace capsim::analytic::detail
