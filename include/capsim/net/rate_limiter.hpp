#pragma once
/// \file A service's rate limits: each a token bucket or a fixed window (express-rate-limit), for
/// the whole service or one per client (docs/model-format.md#rate-limits); several stack in
/// order, as express-rate-limit middlewares in sequence do.

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
  RateLimiter(const model::RateLimitSpec& spec, std::uint32_t clients)
      : RateLimiter(std::vector<model::RateLimitSpec>{spec}, clients) {}
  /// Limits applied in order (at least one).
  RateLimiter(const std::vector<model::RateLimitSpec>& specs, std::uint32_t clients);

  /// True when a request of `client` (kNoClient: none) arriving at t may pass every limit;
  /// false: 429 from the first limit that refuses it (refused_by() says which). The request
  /// counts in each limit it reaches, the refusing one included, and never reaches the limits
  /// after that one (express-rate-limit middlewares in sequence). A per-client limit lets
  /// requests without a client pass. A fixed window starts at its key's first request after the
  /// previous window ended, and counts refused requests too (express-rate-limit's MemoryStore:
  /// `limit` requests per `window`, then 429 until it ends).
  bool try_take(double t, std::uint32_t client) {
    for (std::uint32_t i = 0; i < limits_.size(); ++i) {
      if (!limits_[i].try_take(t, client)) {
        refused_by_ = i;
        return false;
      }
    }
    return true;
  }
  /// The limit (its index in the model's order) that refused the last refused request.
  std::uint32_t refused_by() const { return refused_by_; }
  /// Notes that `client` was refused (by refused_by()): true the first time a per-client limit
  /// refuses it (distinct clients limited, whichever per-client limit refused them).
  bool first_limit(std::uint32_t client) {
    if (!limits_[refused_by_].spec.per_client || client >= limited_.size() || limited_[client]) {
      return false;
    }
    limited_[client] = true;
    return true;
  }
  std::size_t size() const { return limits_.size(); }

 private:
  struct Window {
    double reset_s = -std::numeric_limits<double>::infinity();
    std::int64_t hits = 0;
  };
  struct Bucket {
    double tokens;
    double last_s = 0.0;
  };
  /// One limit of the stack.
  struct Limit {
    Limit(const model::RateLimitSpec& spec, std::uint32_t clients);
    bool try_take(double t, std::uint32_t client) {
      if (!spec.per_client) {
        if (bucket) return bucket->try_take(t);
        return take(window, t);
      }
      if (client >= clients) return true;
      if (spec.kind == model::RateLimitKind::fixed_window) return take(windows[client], t);
      return take(buckets[client], t);
    }
    bool take(Window& w, double t) const {
      if (t >= w.reset_s) {
        w.hits = 0;
        w.reset_s = t + spec.window_s;
      }
      return ++w.hits <= spec.limit;
    }
    bool take(Bucket& b, double t) const;

    model::RateLimitSpec spec;
    std::uint32_t clients = 0;          // per client: how many keys
    std::optional<TokenBucket> bucket;  // per service, token bucket
    Window window;                      // per service, fixed window
    std::vector<Window> windows;        // per client, fixed window
    std::vector<Bucket> buckets;        // per client, token bucket
  };

  std::vector<Limit> limits_;
  std::uint32_t refused_by_ = 0;
  std::vector<bool> limited_;  // per client: refused by a per-client limit since the start
};

}  // namespace capsim::net
