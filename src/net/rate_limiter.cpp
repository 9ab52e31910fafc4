#include "capsim/net/rate_limiter.hpp"

#include <algorithm>

namespace capsim::net {

RateLimiter::RateLimiter(const model::RateLimitSpec& spec, std::uint32_t clients) : spec_(spec) {
  if (!spec.per_client) {
    if (spec.kind == model::RateLimitKind::token_bucket) bucket_.emplace(spec);
    return;
  }
  limited_.assign(clients, false);
  if (spec.kind == model::RateLimitKind::fixed_window) {
    windows_.assign(clients, Window{});
  } else {
    buckets_.assign(clients, Bucket{spec.burst});
  }
}

bool RateLimiter::take(Bucket& b, double t) const {
  // As TokenBucket::try_take: full at the start, refilled at `rate` up to `burst`.
  b.tokens = std::min(spec_.burst, b.tokens + (t - b.last_s) * spec_.rate);
  b.last_s = t;
  if (b.tokens < 1.0 - 1e-9) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace capsim::net
