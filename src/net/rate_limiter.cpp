#include "capsim/net/rate_limiter.hpp"

#include <algorithm>

namespace capsim::net {

RateLimiter::Limit::Limit(const model::RateLimitSpec& s, std::uint32_t client_count) : spec(s) {
  if (!spec.per_client) {
    if (spec.kind == model::RateLimitKind::token_bucket) bucket.emplace(spec);
    return;
  }
  clients = client_count;
  if (spec.kind == model::RateLimitKind::fixed_window) {
    windows.assign(clients, Window{});
  } else {
    buckets.assign(clients, Bucket{spec.burst});
  }
}

RateLimiter::RateLimiter(const std::vector<model::RateLimitSpec>& specs, std::uint32_t clients) {
  limits_.reserve(specs.size());
  bool per_client = false;
  for (const model::RateLimitSpec& spec : specs) {
    limits_.emplace_back(spec, clients);
    per_client = per_client || spec.per_client;
  }
  if (per_client) limited_.assign(clients, false);
}

bool RateLimiter::Limit::take(Bucket& b, double t) const {
  // As TokenBucket::try_take: full at the start, refilled at `rate` up to `burst`.
  b.tokens = std::min(spec.burst, b.tokens + (t - b.last_s) * spec.rate);
  b.last_s = t;
  if (b.tokens < 1.0 - 1e-9) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace capsim::net
