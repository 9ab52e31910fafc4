/// \file Endpoints and their steps: work, calls (with count, probability, timeout, retry and
/// circuit breaker) and parallel groups. Each call is an edge of the call graph
/// (load_outline.cpp).

#include <iterator>

#include "capsim/dist/distribution.hpp"
#include "model_loader.hpp"

namespace capsim::model::detail {

namespace {

/// The keys of a call besides "call" itself.
constexpr std::string_view call_only_keys[] = {
    "endpoint", "count",    "probability", "timeout", "retry", "circuit_breaker",
    "op",       "fallback", "async",       "on_miss", "write"};
// A bound that catches typos (an extra zero or three) before they cost an hour of simulation.
constexpr std::int64_t max_call_count = 1000000;

}  // namespace

void ModelLoader::read_endpoints(const Json& value, const std::string& pointer, ServiceSpec& spec) {
  const std::string& name = spec.name;
  const Json* endpoints = find(value, "endpoints");
  const Json* steps = find(value, "steps");
  if (endpoints != nullptr && steps != nullptr) {
    reader_.error(child(pointer, "steps"), "expected either endpoints or steps, found both");
  } else if (steps != nullptr) {
    if (auto endpoint = read_endpoint(name, "default", *steps, pointer, child(pointer, "steps"))) {
      spec.endpoints.push_back(std::move(*endpoint));
    }
  } else if (endpoints == nullptr) {
    reader_.missing(child(pointer, "endpoints"),
                    "endpoints (an object of endpoints by name) or steps");
  } else if (!endpoints->is_object() || endpoints->empty()) {
    reader_.expected(child(pointer, "endpoints"),
                     R"(a non-empty object of endpoints such as {"get": {"steps": [...]}})",
                     *endpoints);
  } else {
    for (const auto& [endpoint_name, body] : endpoints->items()) {
      const std::string at = child(child(pointer, "endpoints"), endpoint_name);
      if (!is_name(endpoint_name)) {
        reader_.expected(at, "an endpoint name of letters, digits, '_', '.' and '-'",
                         Json(endpoint_name));
      }
      if (!body.is_object()) {
        reader_.expected(at, R"(an endpoint such as {"steps": [...]})", body);
        continue;
      }
      reader_.check_keys(body, at, "endpoint", {"steps"});
      const Json* endpoint_steps = find(body, "steps");
      if (endpoint_steps == nullptr) {
        reader_.missing(child(at, "steps"), "an array of steps");
        continue;
      }
      if (auto endpoint =
              read_endpoint(name, endpoint_name, *endpoint_steps, at, child(at, "steps"))) {
        spec.endpoints.push_back(std::move(*endpoint));
      }
    }
  }
}

std::optional<EndpointSpec> ModelLoader::read_endpoint(const std::string& service,
                                                       const std::string& name, const Json& steps,
                                                       const std::string& pointer,
                                                       const std::string& steps_pointer) {
  EndpointSpec spec;
  spec.name = name;
  spec.pointer = pointer;
  if (!steps.is_array()) {
    reader_.expected(steps_pointer, "an array of steps", steps);
    return std::nullopt;
  }
  if (steps.empty()) {
    reader_.expected(steps_pointer, "at least one step", steps);
    return std::nullopt;
  }
  current_node_ = node(service, name);
  bool ok = true;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    auto step = read_step(steps[i], child(steps_pointer, i));
    ok = ok && step.has_value();
    if (step) spec.steps.push_back(std::move(*step));
  }
  current_node_.reset();
  if (!ok) return std::nullopt;
  return spec;
}

/// Reports the keys of a call step found on another kind of step; true if there were any.
bool ModelLoader::refuse_call_keys(const Json& value, const std::string& pointer) {
  bool any = false;
  std::vector<std::string> call_keys(std::begin(call_only_keys), std::end(call_only_keys));
  for (std::string& key : unsupported_keys("call")) call_keys.push_back(std::move(key));
  for (const std::string& key : call_keys) {
    if (find(value, key) != nullptr) {
      reader_.error(child(pointer, key), "only for call steps");
      any = true;
    }
  }
  return any;
}

std::optional<StepSpec> ModelLoader::read_step(const Json& value, const std::string& pointer) {
  constexpr std::string_view what = "a step: an object with one of work, delay, call or parallel";
  if (!value.is_object()) {
    reader_.expected(pointer, what, value);
    return std::nullopt;
  }
  std::vector<std::string> kinds;
  for (const std::string_view kind : {"work", "delay", "call", "parallel"}) {
    if (find(value, kind) != nullptr) kinds.emplace_back(kind);
  }
  if (kinds.empty()) {
    reader_.expected(pointer, what, value);
    return std::nullopt;
  }
  if (kinds.size() > 1) {
    reader_.error(
        pointer, "expected exactly one of work, delay, call or parallel, found " + join_and(kinds));
    return std::nullopt;
  }
  StepSpec spec;
  spec.pointer = pointer;
  const Names call_keys(std::begin(call_only_keys), std::end(call_only_keys));
  if (kinds.front() == "work") {
    spec.kind = StepKind::work;
    reader_.check_keys(value, pointer, "work step", {"work"}, call_keys);
    const bool refused = refuse_call_keys(value, pointer);
    auto work =
        read_distribution(reader_, *find(value, "work"), child(pointer, "work"), Quantity::time);
    if (!work || refused) return std::nullopt;
    spec.work = std::move(*work);
    return spec;
  }
  if (kinds.front() == "delay") {
    spec.kind = StepKind::delay;
    reader_.check_keys(value, pointer, "delay step", {"delay"}, call_keys);
    const bool refused = refuse_call_keys(value, pointer);
    auto delay =
        read_distribution(reader_, *find(value, "delay"), child(pointer, "delay"), Quantity::time);
    if (!delay || refused) return std::nullopt;
    spec.delay = std::move(*delay);
    return spec;
  }
  if (kinds.front() == "call") {
    spec.kind = StepKind::call;
    auto call = read_call(value, pointer);
    if (!call) return std::nullopt;
    spec.call = std::move(*call);
    return spec;
  }
  spec.kind = StepKind::parallel;
  reader_.check_keys(value, pointer, "parallel step", {"parallel"}, call_keys);
  bool ok = !refuse_call_keys(value, pointer);
  const Json& calls = *find(value, "parallel");
  const std::string at = child(pointer, "parallel");
  if (!calls.is_array() || calls.empty()) {
    reader_.expected(at, R"(a non-empty array of call steps such as {"call": "db"})", calls);
    return std::nullopt;
  }
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const Json& call_value = calls[i];
    const std::string call_pointer = child(at, i);
    if (!call_value.is_object() || find(call_value, "call") == nullptr ||
        find(call_value, "work") != nullptr || find(call_value, "delay") != nullptr ||
        find(call_value, "parallel") != nullptr) {
      reader_.expected(call_pointer, R"(a call step such as {"call": "db"})", call_value);
      ok = false;
      continue;
    }
    auto call = read_call(call_value, call_pointer);
    ok = ok && call.has_value();
    if (call) spec.parallel.push_back(std::move(*call));
  }
  if (!ok) return std::nullopt;
  return spec;
}

std::optional<CallSpec> ModelLoader::read_call(const Json& value, const std::string& pointer) {
  reader_.check_keys(value, pointer, "call",
                     {"call", "endpoint", "count", "probability", "timeout", "retry",
                      "circuit_breaker", "op", "fallback", "async", "on_miss", "write"});
  CallSpec spec;
  spec.pointer = pointer;
  bool ok = true;
  const std::string call_pointer = child(pointer, "call");
  const ServiceOutline* callee = resolve_service(*find(value, "call"), call_pointer);
  const Json* endpoint = find(value, "endpoint");
  if (callee != nullptr) {
    spec.service = callee->name;
    const auto name = resolve_endpoint(*callee, endpoint, child(pointer, "endpoint"));
    ok = name.has_value();
    if (name) {
      spec.endpoint = *name;
      const auto to = node(callee->name, *name);
      if (to && current_node_) edges_[*current_node_].push_back({*to, call_pointer});
    }
  } else {
    ok = false;
    if (endpoint != nullptr && !endpoint->is_string()) {
      reader_.expected(child(pointer, "endpoint"), "an endpoint name", *endpoint);
    }
  }
  if (const Json* count = find(value, "count")) {
    const std::string at = child(pointer, "count");
    if (count->is_number()) {
      const auto n = reader_.integer(*count, at, 0, max_call_count);
      ok = ok && n.has_value();
      if (n) spec.count = dist::DistSpec{dist::Constant{static_cast<double>(*n)}};
    } else if (count->is_object()) {
      spec.count = read_distribution(reader_, *count, at, Quantity::count);
      ok = ok && spec.count.has_value();
      // As for a constant count: a typo of a few zeros must not mean a billion calls each time.
      if (spec.count && !(dist::mean_of(*spec.count) <= static_cast<double>(max_call_count))) {
        reader_.error(at, "expected a count distribution with a mean of at most " +
                              std::to_string(max_call_count) + ", found a mean of " +
                              number_text(dist::mean_of(*spec.count)));
        ok = false;
      }
    } else {
      reader_.expected(
          at,
          R"(a count: an integer >= 0 or a distribution such as {"dist": "uniform", "min": 1, "max": 5})",
          *count);
      ok = false;
    }
  }
  if (const Json* probability = find(value, "probability")) {
    const auto p =
        reader_.number(*probability, child(pointer, "probability"), "a probability from 0 to 1",
                       [](double x) { return x >= 0 && x <= 1; });
    ok = ok && p.has_value();
    if (p) spec.probability = *p;
  }
  if (const Json* timeout = find(value, "timeout")) {
    spec.timeout_s = reader_.duration(*timeout, child(pointer, "timeout"), Sign::positive);
    ok = ok && spec.timeout_s.has_value();
  }
  if (const Json* retry = find(value, "retry")) {
    spec.retry = read_retry(reader_, *retry, child(pointer, "retry"));
    ok = ok && spec.retry.has_value();
  }
  if (const Json* breaker = find(value, "circuit_breaker")) {
    spec.circuit_breaker =
        read_circuit_breaker(reader_, *breaker, child(pointer, "circuit_breaker"));
    ok = ok && spec.circuit_breaker.has_value();
  }
  if (const Json* op = find(value, "op")) {
    const std::string at = child(pointer, "op");
    if (const auto index = reader_.choice(*op, at, {"read", "write"})) {
      spec.op = *index == 0 ? DbOp::read : DbOp::write;
    } else {
      ok = false;
    }
    // Only a database tells reads from writes; a callee of unknown kind has its own error.
    if (callee != nullptr && callee->kind_known && callee->kind != ServiceKind::database) {
      reader_.error(at, "expected op only on calls to a database, found a call to '" +
                            callee->name + "' (kind " + std::string(kind_name(callee->kind)) + ")");
      ok = false;
    }
  }
  if (const Json* fallback = find(value, "fallback")) {
    spec.fallback = read_fallback(*fallback, child(pointer, "fallback"));
    ok = ok && spec.fallback.has_value();
  }
  if (const Json* async = find(value, "async")) {
    const std::string at = child(pointer, "async");
    if (!async->is_boolean()) {
      reader_.expected(at, "true or false", *async);
      ok = false;
    } else {
      spec.async = async->get<bool>();
      // Nobody waits for a fire-and-forget call's answer, so nothing can fall back.
      if (spec.async && spec.fallback) {
        reader_.error(at, "expected async only on calls without a fallback, found both");
        ok = false;
      }
    }
  }
  ok = read_cache_aside(value, pointer, callee, spec) && ok;
  if (!ok) return std::nullopt;
  return spec;
}

}  // namespace capsim::model::detail
