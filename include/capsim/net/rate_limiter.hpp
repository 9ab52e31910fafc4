#pragma once
/// \file A service's rate limit: a token bucket or a fixed window (express-rate-limit), for the
/// whole service or one per client (docs/model-format.md#rate-limits).

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "capsim/model/spec.hpp"
#include "capsim/net/resilience.hpp"

namespace capsim::net {

/// The client of a request that has none.
inline constexpr std::uint32_t kNoClient = std::numeric_limits<std::uint32_t>::max();

class RateLimiter {
 public:
  /// `clients`: how many clients the model's workloads have (their numbers are 0..clients-1).
  RateLimiter(const model::RateLimitSpec& spec, std::uint32_t clients);

  /// True when a request of `client` (kNoClient: none) arriving at t may pass; false: 429.
  /// A per-client limit lets requests without a client pass. A fixed window starts at its key's
  /// first request after the previous window ended, and counts refused requests too
  /// (express-rate-limit's MemoryStore: `limit` requests per `window`, then 429 until it ends).
  bool try_take(double t, std::uint32_t client) {
    if (!spec_.per_client) {
      if (bucket_) return bucket_->try_take(t);
      return take(window_, t);
    }
    if (client >= limited_.size()) return true;
    if (spec_.kind == model::RateLimitKind::fixed_window) return take(windows_[client], t);
    return take(buckets_[client], t);
  }
  /// Notes that `client` was refused: true the first time (distinct clients limited).
  bool first_limit(std::uint32_t client) {
    if (!spec_.per_client || client >= limited_.size() || limited_[client]) return false;
    limited_[client] = true;
    return true;
  }
  bool per_client() const { return spec_.per_client; }

 private:
  struct Window {
    double reset_s = -std::numeric_limits<double>::infinity();
    std::int64_t hits = 0;
  };
  struct Bucket {
    double tokens;
    double last_s = 0.0;
  };
  bool take(Window& w, double t) const {
    if (t >= w.reset_s) {
      w.hits = 0;
      w.reset_s = t + spec_.window_s;
    }
    return ++w.hits <= spec_.limit;
  }
  bool take(Bucket& b, double t) const;

  model::RateLimitSpec spec_;
  std::optional<TokenBucket> bucket_;  // per service, token bucket
  Window window_;                      // per service, fixed window
  std::vector<Window> windows_;        // per client, fixed window
  std::vector<Bucket> buckets_;        // per client, token bucket
  std::vector<bool> limited_;          // per client: refused since the statistics began
};

}  // namespace capsim::net
