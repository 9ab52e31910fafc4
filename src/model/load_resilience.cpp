/// \file Reading the client and server resilience settings: retries (backoff, jitter, budget),
/// circuit breakers, rate limits and load-balancer health checks. They refer to no other part
/// of the model, so they are read here, apart from the model's structure (load.cpp).

#include <algorithm>
#include <climits>
#include <cmath>

#include "loader.hpp"

namespace capsim::model::detail {

namespace {

constexpr std::int64_t max_attempts_limit = 100;
// Each replica keeps its last max_fails failure times: a bound keeps that memory small.
constexpr std::int64_t max_fails_limit = 100;
constexpr std::int64_t max_int = INT_MAX;
/// Limits stacked on one service (each request passes through each, in order).
constexpr std::size_t kMaxRateLimits = 16;

std::optional<BackoffSpec> read_backoff(Reader& reader, const Json& value,
                                        const std::string& pointer) {
  if (!value.is_object()) {
    reader.expected(pointer, R"(an object such as {"kind": "exponential", "base": "100ms"})",
                    value);
    return std::nullopt;
  }
  reader.check_keys(value, pointer, "backoff", {"kind", "base", "multiplier", "cap", "jitter"});
  BackoffSpec spec;
  bool ok = true;
  bool kind_known = true;
  if (const Json* kind = find(value, "kind")) {
    const auto index =
        reader.choice(*kind, child(pointer, "kind"), {"constant", "linear", "exponential"});
    kind_known = index.has_value();
    ok = kind_known;
    if (index) spec.kind = static_cast<BackoffKind>(*index);
  }
  bool base_known = true;
  if (const Json* base = find(value, "base")) {
    const auto seconds = reader.duration(*base, child(pointer, "base"), Sign::non_negative);
    base_known = seconds.has_value();
    ok = ok && base_known;
    if (seconds) spec.base_s = *seconds;
  }
  if (const Json* multiplier = find(value, "multiplier")) {
    const std::string at = child(pointer, "multiplier");
    const auto m = reader.number(*multiplier, at, "a number >= 1",
                                 [](double x) { return std::isfinite(x) && x >= 1; });
    ok = ok && m.has_value();
    if (m) spec.multiplier = *m;
    if (kind_known && spec.kind != BackoffKind::exponential) {
      reader.error(at, "only with kind exponential");
      ok = false;
    }
  }
  if (const Json* cap = find(value, "cap")) {
    const std::string at = child(pointer, "cap");
    const auto seconds = reader.duration(*cap, at, Sign::non_negative);
    ok = ok && seconds.has_value();
    if (seconds && base_known && *seconds < spec.base_s) {
      reader.error(at, "expected a cap >= base (" + seconds_text(spec.base_s) + "), found " +
                           seconds_text(*seconds));
      ok = false;
    } else if (seconds) {
      spec.cap_s = *seconds;
    }
  } else {
    // The default cap never cuts below the base.
    spec.cap_s = std::max(spec.cap_s, spec.base_s);
  }
  if (const Json* jitter = find(value, "jitter")) {
    const auto index =
        reader.choice(*jitter, child(pointer, "jitter"), {"none", "full", "equal", "decorrelated"});
    ok = ok && index.has_value();
    if (index) spec.jitter = static_cast<Jitter>(*index);
  }
  if (!ok) return std::nullopt;
  return spec;
}

std::optional<RetryBudgetSpec> read_budget(Reader& reader, const Json& value,
                                           const std::string& pointer) {
  if (!value.is_object()) {
    reader.expected(pointer, R"(an object such as {"ratio": 0.2, "min_per_second": 10})", value);
    return std::nullopt;
  }
  reader.check_keys(value, pointer, "budget", {"ratio", "min_per_second", "window"});
  RetryBudgetSpec spec;
  bool ok = true;
  if (const Json* ratio = find(value, "ratio")) {
    const auto r = reader.signed_number(*ratio, child(pointer, "ratio"), Sign::non_negative);
    ok = r.has_value();
    if (r) spec.ratio = *r;
  }
  if (const Json* floor = find(value, "min_per_second")) {
    const auto r =
        reader.signed_number(*floor, child(pointer, "min_per_second"), Sign::non_negative);
    ok = ok && r.has_value();
    if (r) spec.min_per_second = *r;
  }
  if (const Json* window = find(value, "window")) {
    const auto seconds = reader.duration(*window, child(pointer, "window"), Sign::positive);
    ok = ok && seconds.has_value();
    if (seconds) spec.window_s = *seconds;
  }
  if (!ok) return std::nullopt;
  return spec;
}

}  // namespace

std::optional<RetrySpec> read_retry(Reader& reader, const Json& value, const std::string& pointer) {
  if (!value.is_object()) {
    reader.expected(pointer, R"(an object such as {"max_attempts": 3})", value);
    return std::nullopt;
  }
  reader.check_keys(value, pointer, "retry", {"max_attempts", "on", "backoff", "budget"});
  RetrySpec spec;
  bool ok = true;
  if (const Json* attempts = find(value, "max_attempts")) {
    const auto n = reader.integer(*attempts, child(pointer, "max_attempts"), 1, max_attempts_limit);
    ok = n.has_value();
    if (n) spec.max_attempts = static_cast<int>(*n);
  }
  if (const Json* on = find(value, "on")) {
    const auto failures = read_failure_set(reader, *on, child(pointer, "on"));
    ok = ok && failures.has_value();
    if (failures) spec.on = *failures;
  }
  if (const Json* backoff = find(value, "backoff")) {
    auto b = read_backoff(reader, *backoff, child(pointer, "backoff"));
    ok = ok && b.has_value();
    if (b) spec.backoff = *b;
  }
  if (const Json* budget = find(value, "budget")) {
    spec.budget = read_budget(reader, *budget, child(pointer, "budget"));
    ok = ok && spec.budget.has_value();
  }
  if (!ok) return std::nullopt;
  return spec;
}

std::optional<FailureSet> read_failure_set(Reader& reader, const Json& value,
                                           const std::string& pointer) {
  if (!value.is_array()) {
    reader.expected(pointer, R"(an array of failures such as ["timeout", "error"])", value);
    return std::nullopt;
  }
  FailureSet set = 0;
  bool ok = true;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto index = reader.choice(
        value[i], child(pointer, i),
        {"timeout", "rejected", "error", "rate_limited", "circuit_open", "throttled"});
    ok = ok && index.has_value();
    if (index) set |= failure_bit(static_cast<Failure>(*index));
  }
  if (!ok) return std::nullopt;
  return set;
}

std::optional<CircuitBreakerSpec> read_circuit_breaker(Reader& reader, const Json& value,
                                                       const std::string& pointer) {
  if (!value.is_object()) {
    reader.expected(pointer, R"(an object such as {"failure_rate": 0.5, "window": "10s"})", value);
    return std::nullopt;
  }
  reader.check_keys(value, pointer, "circuit_breaker",
                    {"failure_rate", "window", "min_requests", "open_for", "half_open_requests"});
  CircuitBreakerSpec spec;
  bool ok = true;
  if (const Json* rate = find(value, "failure_rate")) {
    const auto r =
        reader.number(*rate, child(pointer, "failure_rate"), "a failure rate > 0 and <= 1",
                      [](double x) { return x > 0 && x <= 1; });
    ok = r.has_value();
    if (r) spec.failure_rate = *r;
  }
  if (const Json* window = find(value, "window")) {
    const auto seconds = reader.duration(*window, child(pointer, "window"), Sign::positive);
    ok = ok && seconds.has_value();
    if (seconds) spec.window_s = *seconds;
  }
  if (const Json* min = find(value, "min_requests")) {
    const auto n = reader.integer(*min, child(pointer, "min_requests"), 1, max_int);
    ok = ok && n.has_value();
    if (n) spec.min_requests = static_cast<int>(*n);
  }
  if (const Json* open_for = find(value, "open_for")) {
    const auto seconds = reader.duration(*open_for, child(pointer, "open_for"), Sign::positive);
    ok = ok && seconds.has_value();
    if (seconds) spec.open_for_s = *seconds;
  }
  if (const Json* probes = find(value, "half_open_requests")) {
    const auto n = reader.integer(*probes, child(pointer, "half_open_requests"), 1, max_int);
    ok = ok && n.has_value();
    if (n) spec.half_open_requests = static_cast<int>(*n);
  }
  if (!ok) return std::nullopt;
  return spec;
}

std::optional<RateLimitSpec> read_rate_limit(Reader& reader, const Json& value,
                                             const std::string& pointer) {
  if (!value.is_object()) {
    reader.expected(pointer, R"(an object such as {"rate": 1000, "burst": 200})", value);
    return std::nullopt;
  }
  reader.check_keys(value, pointer, "rate_limit", {"rate", "burst", "window", "limit", "per"});
  RateLimitSpec spec;
  bool ok = true;
  if (const Json* per = find(value, "per")) {
    const auto index = reader.choice(*per, child(pointer, "per"), {"service", "client"});
    ok = index.has_value();
    if (index) spec.per_client = *index == 1;
  }
  const Json* window = find(value, "window");
  const Json* limit = find(value, "limit");
  const Json* rate = find(value, "rate");
  const Json* burst = find(value, "burst");
  if (window != nullptr || limit != nullptr) {
    // A fixed window (express-rate-limit's windowMs and limit).
    spec.kind = RateLimitKind::fixed_window;
    for (const char* key : {"rate", "burst"}) {
      if (find(value, key) != nullptr) {
        reader.error(child(pointer, key),
                     "expected either rate and burst (a token bucket) or window and limit (a "
                     "fixed window), found both");
        ok = false;
      }
    }
    if (window != nullptr) {
      const auto w = reader.duration(*window, child(pointer, "window"), Sign::positive);
      ok = ok && w.has_value();
      if (w) spec.window_s = *w;
    } else {
      reader.missing(child(pointer, "window"), R"(the window's length, such as "1s")");
      ok = false;
    }
    if (limit != nullptr) {
      const auto n = reader.integer(*limit, child(pointer, "limit"), 1, max_int);
      ok = ok && n.has_value();
      if (n) spec.limit = *n;
    } else {
      reader.missing(child(pointer, "limit"), "the requests allowed per window (an integer >= 1)");
      ok = false;
    }
    if (!ok) return std::nullopt;
    return spec;
  }
  if (rate != nullptr) {
    const auto r = reader.number(*rate, child(pointer, "rate"), "a rate > 0 requests per second",
                                 [](double x) { return std::isfinite(x) && x > 0; });
    ok = ok && r.has_value();
    if (r) spec.rate = *r;
  } else {
    reader.missing(child(pointer, "rate"), "a rate > 0 requests per second");
    ok = false;
  }
  spec.burst = std::max(1.0, spec.rate);
  if (burst != nullptr) {
    const auto b = reader.number(*burst, child(pointer, "burst"), "a burst >= 1 requests",
                                 [](double x) { return std::isfinite(x) && x >= 1; });
    ok = ok && b.has_value();
    if (b) spec.burst = *b;
  }
  if (!ok) return std::nullopt;
  return spec;
}

std::vector<RateLimitSpec> read_rate_limits(Reader& reader, const Json& value,
                                            const std::string& pointer) {
  std::vector<RateLimitSpec> limits;
  if (!value.is_array()) {
    if (!value.is_object()) {
      reader.expected(
          pointer, R"(an object such as {"rate": 1000, "burst": 200}, or an array of them)", value);
      return limits;
    }
    if (auto one = read_rate_limit(reader, value, pointer)) {
      one->pointer = pointer;
      limits.push_back(std::move(*one));
    }
    return limits;
  }
  // Several limits, applied in order (express-rate-limit middlewares in sequence).
  if (value.empty() || value.size() > kMaxRateLimits) {
    std::string message = "expected an array of 1 to ";
    message += std::to_string(kMaxRateLimits);
    message += " limits, found ";
    message += std::to_string(value.size());
    reader.error(pointer, message);
    return limits;
  }
  bool ok = true;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string at = child(pointer, std::to_string(i));
    if (auto one = read_rate_limit(reader, value[i], at)) {
      one->pointer = at;
      limits.push_back(std::move(*one));
    } else {
      ok = false;
    }
  }
  if (!ok) limits.clear();
  return limits;
}

std::optional<HealthSpec> read_health(Reader& reader, const Json& value,
                                      const std::string& pointer) {
  if (!value.is_object()) {
    reader.expected(pointer, R"(an object such as {"max_fails": 3, "fail_timeout": "10s"})", value);
    return std::nullopt;
  }
  reader.check_keys(value, pointer, "health", {"max_fails", "fail_timeout"});
  HealthSpec spec;
  bool ok = true;
  if (const Json* fails = find(value, "max_fails")) {
    const auto n = reader.integer(*fails, child(pointer, "max_fails"), 1, max_fails_limit);
    ok = n.has_value();
    if (n) spec.max_fails = static_cast<int>(*n);
  }
  if (const Json* timeout = find(value, "fail_timeout")) {
    const auto seconds = reader.duration(*timeout, child(pointer, "fail_timeout"), Sign::positive);
    ok = ok && seconds.has_value();
    if (seconds) spec.fail_timeout_s = *seconds;
  }
  if (!ok) return std::nullopt;
  return spec;
}

}  // namespace capsim::model::detail
