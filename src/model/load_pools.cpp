/// \file Reading connection pools (docs/request-path.md#connection-pools): a service's
/// `connection_pools` (one per callee: min, max, acquire_timeout) and the `max_connections` a
/// service accepts from its callers' pools. Pools that together may open more connections than
/// their callee accepts are a warning here: at run time the callee refuses the extra ones, as a
/// database does.

#include <algorithm>

#include "model_loader.hpp"

namespace capsim::model::detail {

namespace {

/// Whether any of `steps` (fallbacks and on_miss included) calls `service`.
bool steps_call(const std::vector<StepSpec>& steps, const std::string& service) {
  const auto calls = [&](const CallSpec& c) {
    return c.service == service || (c.fallback && steps_call(c.fallback->steps, service)) ||
           (c.on_miss && steps_call(c.on_miss->steps, service));
  };
  for (const StepSpec& step : steps) {
    if (step.kind == StepKind::call && calls(step.call)) return true;
    if (step.kind == StepKind::parallel &&
        std::any_of(step.parallel.begin(), step.parallel.end(), calls)) {
      return true;
    }
  }
  return false;
}

bool service_calls(const ServiceSpec& spec, const std::string& callee) {
  if (spec.cache && spec.cache->backend == callee) return true;
  return std::any_of(spec.endpoints.begin(), spec.endpoints.end(),
                     [&](const EndpointSpec& e) { return steps_call(e.steps, callee); });
}

}  // namespace

void ModelLoader::read_connection_pools(const Json& value, const std::string& pointer,
                                        ServiceSpec& spec) {
  if (const Json* max = find(value, "max_connections")) {
    spec.max_connections = reader_.integer(*max, child(pointer, "max_connections"), 1, max_int);
  }
  const Json* pools = find(value, "connection_pools");
  if (pools == nullptr) return;
  const std::string at = child(pointer, "connection_pools");
  if (!pools->is_object()) {
    reader_.expected(at, R"(an object of pools by callee, such as {"db": {"max": 10}})", *pools);
    return;
  }
  for (const auto& [callee, body] : pools->items()) {
    const std::string pool_at = child(at, callee);
    if (resolve_service(Json(callee), pool_at) == nullptr) continue;
    if (callee == spec.name) {
      reader_.error(pool_at, "a service does not keep a pool of connections to itself");
      continue;
    }
    if (!body.is_object()) {
      reader_.expected(pool_at, R"(a pool such as {"max": 10, "acquire_timeout": "1s"})", body);
      continue;
    }
    reader_.check_keys(body, pool_at, "connection_pool", {"min", "max", "acquire_timeout"});
    ConnectionPoolSpec pool;
    pool.service = callee;
    pool.pointer = pool_at;
    bool ok = true;
    if (const Json* max = find(body, "max")) {
      const auto n = reader_.integer(*max, child(pool_at, "max"), 1, max_int);
      ok = ok && n.has_value();
      if (n) pool.max = static_cast<int>(*n);
    }
    if (const Json* min = find(body, "min")) {
      const auto n = reader_.integer(*min, child(pool_at, "min"), 0, max_int);
      ok = ok && n.has_value();
      if (n) pool.min = static_cast<int>(*n);
    }
    if (ok && pool.min > pool.max) {
      const std::string where = child(pool_at, find(body, "max") != nullptr ? "max" : "min");
      reader_.error(where, "expected min <= max, found min " + std::to_string(pool.min) +
                               " and max " + std::to_string(pool.max));
      ok = false;
    }
    if (const Json* timeout = find(body, "acquire_timeout")) {
      const auto t =
          reader_.duration(*timeout, child(pool_at, "acquire_timeout"), Sign::non_negative);
      ok = ok && t.has_value();
      if (t) pool.acquire_timeout_s = *t;
    }
    if (!ok) continue;
    if (!service_calls(spec, callee)) {
      reader_.warning(pool_at,
                      "no call of this service goes to '" + callee + "': the pool is never used");
    }
    spec.connection_pools.push_back(std::move(pool));
  }
}

void ModelLoader::check_connection_limits(const Spec& spec) {
  for (const ServiceSpec& callee : spec.services) {
    if (!callee.max_connections) continue;
    std::int64_t most = 0;
    for (const ServiceSpec& caller : spec.services) {
      // Every replica slot an autoscaler may fill keeps its own pool.
      std::int64_t replicas = caller.replicas;
      if (caller.autoscaling) replicas = std::max<std::int64_t>(replicas, caller.autoscaling->max);
      for (const ConnectionPoolSpec& pool : caller.connection_pools) {
        if (pool.service == callee.name) most += replicas * pool.max;
      }
    }
    if (most > *callee.max_connections) {
      reader_.warning(child(callee.pointer, "max_connections"),
                      "the pools towards this service may open " + std::to_string(most) +
                          " connections (replicas x max), more than its " +
                          std::to_string(*callee.max_connections) +
                          ": those beyond are refused when opened, failing their calls");
    }
  }
}

}  // namespace capsim::model::detail
