// Validation of connection pools (docs/request-path.md#connection-pools) against closed forms.
// A pool of c connections in front of a callee that never queues (workers and cores to spare)
// with exponential work is, for acquisition, an M/M/c queue: the connection is held exactly for
// the work. With an acquire_timeout tau the waiting calls have deterministic patience: M/M/c+D,
// whose offered wait V has (Baccelli & Hebuterne) the atom P(V = 0) = sum_{j<c} pi_j and the
// density f(v) = lambda pi_{c-1} exp(-c mu v + lambda min(v, tau)) for v > 0, pi_j being
// pi_0 a^j / j! with a = lambda / mu. A call times out when V > tau (FIFO, equal patience).

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "capsim/analytic/queueing.hpp"
#include "validation_support.hpp"

namespace capsim::validation {
namespace {

std::string pool_model(double rate, int pool_max, const std::string& timeout, int seed) {
  return R"({
    "simulation": {"duration": "20000s", "warmup": "500s", "replications": 10, "seed": )" +
         std::to_string(seed) + R"(, "confidence": 0.99},
    "workloads": [{"name": "w", "target": "api", "rate": )" +
         std::to_string(rate) + R"(}],
    "services": {
      "api": {"workers": 1000, "cores": 8, "steps": [{"call": "db"}],
              "connection_pools": {"db": {"max": )" +
         std::to_string(pool_max) + R"(, "acquire_timeout": ")" + timeout + R"("}}},
      "db": {"workers": 1000, "cores": 1000,
             "steps": [{"work": {"dist": "exponential", "mean": "100ms"}}]}
    }
  })";
}

TEST(PoolValidation, PoolOfCConnectionsIsAnMMcQueueForAcquisition) {
  // c = 3, mu = 10/s, lambda = 24/s: a = 2.4, rho = 0.8; the pool wait is Erlang C's.
  const run::Results r = run_model(pool_model(24.0, 3, "100000s", 31));
  const analytic::MMc q{24.0, 10.0, 3};
  const double wait_s = analytic::erlang_c(3, 2.4) / (3 * 10.0 - 24.0);
  EXPECT_NEAR(wait_s, q.mean_wait(), 1e-12);
  EXPECT_TRUE(covers(metric(r, "services.api.pools.db.wait_ms.mean"), wait_s * 1e3));
  EXPECT_TRUE(covers(metric(r, "services.api.pools.db.wait_ms.p95"), q.wait_quantile(0.95) * 1e3,
                     kHistogramBias));
  // Little's law: connections in use = lambda x holding time = a.
  EXPECT_TRUE(covers(metric(r, "services.api.pools.db.in_use"), 2.4));
  EXPECT_TRUE(covers(metric(r, "workloads.w.latency_ms.mean"), q.mean_sojourn() * 1e3));
  EXPECT_EQ(metric(r, "services.api.pools.db.timeout_rate").mean, 0.0);
  // Connections open on demand up to max, and stay open.
  EXPECT_TRUE(covers(metric(r, "services.api.pools.db.open"), 3.0, 1e-3));
}

/// M/M/c+D: the probability that a call times out, and the mean wait of those that get a
/// connection (the atom at 0 included).
struct PatienceForms {
  double timeout_probability;
  double mean_wait_granted_s;
};

PatienceForms mmc_deterministic_patience(double lambda, double mu, int c, double tau) {
  const double a = lambda / mu;
  double term = 1.0;  // a^j / j!
  double below = 0.0;
  double last = 0.0;
  for (int j = 0; j < c; ++j) {
    if (j > 0) term *= a / j;
    below += term;
    last = term;  // a^(c-1) / (c-1)!
  }
  const double theta = c * mu - lambda;
  const double served_mass = lambda * last * (1.0 - std::exp(-theta * tau)) / theta;
  const double timeout_mass = lambda * last * std::exp(-theta * tau) / (c * mu);
  const double total = below + served_mass + timeout_mass;  // 1 / pi_0
  const double wait_mass =
      lambda * last * (1.0 - std::exp(-theta * tau) * (1.0 + theta * tau)) / (theta * theta);
  return PatienceForms{timeout_mass / total, wait_mass / (below + served_mass)};
}

TEST(PoolValidation, AcquireTimeoutIsMMcWithDeterministicPatience) {
  // c = 2, mu = 10/s, lambda = 18/s (rho = 0.9), acquire_timeout 50 ms.
  const run::Results r = run_model(pool_model(18.0, 2, "50ms", 32));
  const PatienceForms f = mmc_deterministic_patience(18.0, 10.0, 2, 0.05);
  EXPECT_GT(f.timeout_probability, 0.1);  // the case is not trivial
  EXPECT_TRUE(covers(metric(r, "services.api.pools.db.timeout_rate"), f.timeout_probability));
  // A timed-out acquisition fails the call with `error`, and so the client's request.
  EXPECT_TRUE(covers(metric(r, "workloads.w.errors.error"), f.timeout_probability));
  EXPECT_TRUE(covers(metric(r, "services.api.pools.db.wait_ms.mean"), f.mean_wait_granted_s * 1e3,
                     kHistogramBias));
}

}  // namespace
}  // namespace capsim::validation
