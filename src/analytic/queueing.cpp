#include "capsim/analytic/queueing.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace capsim::analytic {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}

bool nonneg(double x) {
  return std::isfinite(x) && x >= 0.0;
}

void check(const MMc& q) {
  require(nonneg(q.lambda), "MMc: lambda must be finite and >= 0");
  require(std::isfinite(q.mu) && q.mu > 0.0, "MMc: mu must be finite and > 0");
  require(q.c >= 1, "MMc: c must be >= 1");
}

bool stable(const MMc& q) {
  return q.lambda < q.c * q.mu;
}

/// Stationary distribution p_0 .. p_K of M/M/c/K, computed in logs (p_n is proportional to
/// a^n / (n! for n <= c, c! c^(n-c) beyond)) so that large K or a cannot overflow.
std::vector<double> mmck_probabilities(const MMcK& q) {
  require(nonneg(q.lambda), "MMcK: lambda must be finite and >= 0");
  require(std::isfinite(q.mu) && q.mu > 0.0, "MMcK: mu must be finite and > 0");
  require(q.c >= 1, "MMcK: c must be >= 1");
  require(q.k >= q.c, "MMcK: k must be >= c");
  std::vector<double> p(static_cast<std::size_t>(q.k) + 1, 0.0);
  if (q.lambda == 0.0) {
    p[0] = 1.0;
    return p;
  }
  const double log_a = std::log(q.lambda / q.mu);
  for (int n = 1; n <= q.k; ++n) {
    p[n] = p[n - 1] + log_a - std::log(static_cast<double>(std::min(n, q.c)));
  }
  const double top = *std::max_element(p.begin(), p.end());
  double total = 0.0;
  for (double& x : p) {
    x = std::exp(x - top);
    total += x;
  }
  for (double& x : p) x /= total;
  return p;
}

}  // namespace

double erlang_b(int c, double offered_load) {
  require(c >= 0, "erlang_b: c must be >= 0");
  require(nonneg(offered_load), "erlang_b: offered load must be finite and >= 0");
  // B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)): every step is a ratio of positive numbers, so the
  // recursion neither overflows nor cancels (unlike a^c / c! over a sum).
  double b = 1.0;
  for (int k = 1; k <= c; ++k) b = offered_load * b / (k + offered_load * b);
  return b;
}

double erlang_c(int c, double offered_load) {
  require(c >= 1, "erlang_c: c must be >= 1");
  require(nonneg(offered_load), "erlang_c: offered load must be finite and >= 0");
  if (offered_load >= c) return 1.0;  // overloaded: every arrival waits
  const double b = erlang_b(c, offered_load);
  return c * b / (c - offered_load * (1.0 - b));
}

double MMc::utilization() const {
  check(*this);
  return lambda / (c * mu);
}

double MMc::wait_probability() const {
  check(*this);
  return erlang_c(c, lambda / mu);
}

double MMc::mean_wait() const {
  check(*this);
  if (!stable(*this)) return kInf;
  return wait_probability() / (c * mu - lambda);
}

double MMc::mean_sojourn() const {
  return mean_wait() + 1.0 / mu;
}

double MMc::mean_queue_length() const {
  const double wq = mean_wait();
  return lambda == 0.0 ? 0.0 : lambda * wq;
}

double MMc::mean_in_system() const {
  const double w = mean_sojourn();
  return lambda == 0.0 ? 0.0 : lambda * w;
}

double MMc::sojourn_survival(double t) const {
  check(*this);
  if (!(t > 0.0)) return 1.0;
  if (!stable(*this)) return 1.0;
  if (std::isinf(t)) return 0.0;
  // T = Wq + S with S ~ Exp(mu) and Wq = 0 w.p. 1 - C, else Exp(theta), theta = c mu - lambda.
  // For independent exponentials of rates a <= b, P(Exp(a) + Exp(b) > t)
  //   = (b e^{-a t} - a e^{-b t}) / (b - a) = e^{-a t} (1 + a (1 - e^{-(b-a) t}) / (b - a)),
  // written with expm1 so that it stays exact as b - a -> 0, where it tends to e^{-a t} (1 + a t).
  const double wait_prob = wait_probability();
  const double theta = c * mu - lambda;
  const double a = std::min(mu, theta);
  const double d = std::max(mu, theta) - a;
  const double g = d > 0.0 ? -std::expm1(-d * t) / d : t;
  const double both = std::exp(-a * t) * (1.0 + a * g);
  return (1.0 - wait_prob) * std::exp(-mu * t) + wait_prob * both;
}

double MMc::sojourn_quantile(double q) const {
  check(*this);
  require(q >= 0.0 && q <= 1.0, "MMc: quantile probability must be in [0, 1]");
  if (q == 0.0) return 0.0;
  if (q == 1.0 || !stable(*this)) return kInf;
  const double target = 1.0 - q;
  // The survival function is continuous and strictly decreasing from 1: bracket, then bisect.
  double lo = 0.0;
  double hi = mean_sojourn();
  while (sojourn_survival(hi) > target) {
    lo = hi;
    hi *= 2.0;
  }
  for (int i = 0; i < 200 && hi - lo > 4.0 * std::numeric_limits<double>::epsilon() * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (sojourn_survival(mid) > target ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double MMc::wait_quantile(double q) const {
  check(*this);
  require(q >= 0.0 && q <= 1.0, "MMc: quantile probability must be in [0, 1]");
  // P(Wq > t) = C e^{-(c mu - lambda) t}: an atom of 1 - C at 0, then an exponential tail.
  const double wait_prob = wait_probability();
  if (q <= 1.0 - wait_prob) return 0.0;
  if (q == 1.0 || !stable(*this)) return kInf;
  return std::log(wait_prob / (1.0 - q)) / (c * mu - lambda);
}

double MMcK::blocking_probability() const {
  return mmck_probabilities(*this).back();
}

double MMcK::mean_in_system() const {
  const std::vector<double> p = mmck_probabilities(*this);
  double l = 0.0;
  for (std::size_t n = 1; n < p.size(); ++n) l += static_cast<double>(n) * p[n];
  return l;
}

double MMcK::mean_sojourn() const {
  const std::vector<double> p = mmck_probabilities(*this);
  if (lambda == 0.0) return 1.0 / mu;  // the limit as lambda -> 0: an empty system
  double l = 0.0;
  for (std::size_t n = 1; n < p.size(); ++n) l += static_cast<double>(n) * p[n];
  return l / (lambda * (1.0 - p.back()));
}

double mg1_mean_wait(double lambda, double mean_s, double scv) {
  require(nonneg(lambda), "mg1_mean_wait: lambda must be finite and >= 0");
  require(nonneg(mean_s), "mg1_mean_wait: mean must be finite and >= 0");
  require(scv >= 0.0, "mg1_mean_wait: scv must be >= 0");  // +inf allowed: the wait is infinite
  if (lambda == 0.0 || mean_s == 0.0) return 0.0;
  const double rho = lambda * mean_s;
  if (rho >= 1.0) return kInf;
  // Pollaczek-Khinchine: Wq = lambda E[S^2] / (2 (1 - rho)), E[S^2] = mean^2 (1 + scv).
  return lambda * mean_s * mean_s * (1.0 + scv) / (2.0 * (1.0 - rho));
}

double mg1_mean_sojourn(double lambda, double mean_s, double scv) {
  return mg1_mean_wait(lambda, mean_s, scv) + mean_s;
}

Eigen::VectorXd jackson_arrival_rates(const Eigen::VectorXd& external,
                                      const Eigen::MatrixXd& routing) {
  const Eigen::Index n = external.size();
  require(routing.rows() == n && routing.cols() == n,
          "jackson_arrival_rates: routing must be n x n for n stations");
  require(external.allFinite() && (external.array() >= 0.0).all(),
          "jackson_arrival_rates: external rates must be finite and >= 0");
  require(routing.allFinite() && (routing.array() >= 0.0).all() && (routing.array() <= 1.0).all(),
          "jackson_arrival_rates: routing probabilities must be in [0, 1]");
  require((routing.rowwise().sum().array() <= 1.0 + 1e-9).all(),
          "jackson_arrival_rates: routing rows must sum to at most 1");
  if (n == 0) return Eigen::VectorXd();
  // lambda = a + R^T lambda  <=>  (I - R^T) lambda = a.
  const Eigen::MatrixXd system = Eigen::MatrixXd::Identity(n, n) - routing.transpose();
  const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(system);
  require(qr.rank() == n,
          "jackson_arrival_rates: the routing traps jobs (some stations can never be left)");
  // Rounding can leave -1e-17 where the exact rate is 0.
  return qr.solve(external).cwiseMax(0.0);
}

namespace {

// Two exact algorithms: the MVA recursion costs about 2^m (M + sum c) per population step for m
// multi-server stations (it advances 2^m networks), the convolution algorithm about M N per step
// (3 M convolutions of N^2 / 2 terms, each term dearer). The cheaper is used; never the recursion
// beyond 16 multi-server stations (its state would not fit in memory).
constexpr std::size_t kMaxMvaMultiServer = 16;
constexpr double kConvolutionCostFactor = 4.0;

enum class StationKind : std::uint8_t { kQueue, kDelay, kMultiServer };

/// MVA state of one network (the full one, or the full one less some multi-server stations).
struct NetState {
  std::vector<double> queue;                  // Q_i(n - 1), then Q_i(n)
  std::vector<std::vector<double>> marginal;  // per multi-server station: p_i(j | n), j < c - 1
  double throughput = 0.0;                    // X(n)
};

/// Exact MVA with load-dependent multi-server stations; `multi` lists the stations of kind
/// kMultiServer (at most kMaxMvaMultiServer).
MvaResult mva_recursion(const std::vector<double>& demand, const std::vector<int>& servers,
                        double think_s, int users, const std::vector<StationKind>& kind,
                        const std::vector<std::size_t>& multi) {
  // Load-dependent MVA (Reiser and Lavenberg) for a station with mu(j) = min(j, c) / D:
  //   R(n) = sum_j j D / min(j, c) p(j - 1 | n - 1)
  //        = (D / c) [1 + Q(n - 1) + sum_{j=0}^{c-2} (c - 1 - j) p(j | n - 1)],
  //   p(j | n) = (D X(n) / j) p(j - 1 | n - 1) for 1 <= j < c.
  // Computing p(0 | n) as 1 - sum_j p(j | n) is numerically unstable (the error of a tiny p(0) is
  // amplified by up to prod_j (D X / j) ~ e^c along the recursion: a saturated 32-core station
  // comes out 17% off). Instead, with G the normalising constants, p(0 | n) = G_{-i}(n) / G(n)
  // gives the product form
  //   p(0 | n) = p(0 | n - 1) X(n) / X_{-i}(n),
  // X_{-i} being the throughput of the network without station i, solved alongside: network
  // `net` holds the multi-server stations whose bit is set (and every other station), and its
  // sub-networks have smaller numbers, so they are advanced first at each population.
  const std::size_t m = demand.size();
  const std::size_t nets = std::size_t{1} << multi.size();
  const std::size_t full = nets - 1;

  std::vector<NetState> state(nets);
  for (NetState& s : state) {
    s.queue.assign(m, 0.0);
    s.marginal.resize(multi.size());
    for (std::size_t j = 0; j < multi.size(); ++j) {
      s.marginal[j].assign(static_cast<std::size_t>(servers[multi[j]] - 1), 0.0);
      s.marginal[j][0] = 1.0;  // p(0 | 0) = 1
    }
  }

  MvaResult result{0.0, 0.0, std::vector<double>(m, 0.0), std::vector<double>(m, 0.0)};
  std::vector<double> residence(m, 0.0);
  for (int n = 1; n <= users; ++n) {
    for (std::size_t net = 0; net < nets; ++net) {
      NetState& s = state[net];
      for (std::size_t i = 0; i < m; ++i) {
        if (kind[i] == StationKind::kQueue) residence[i] = demand[i] * (1.0 + s.queue[i]);
        if (kind[i] == StationKind::kDelay) residence[i] = demand[i];
      }
      for (std::size_t j = 0; j < multi.size(); ++j) {
        const std::size_t i = multi[j];
        if (((net >> j) & 1U) == 0) {
          residence[i] = 0.0;
          continue;
        }
        const int c = servers[i];
        const std::vector<double>& p = s.marginal[j];
        double bracket = 1.0 + s.queue[i];
        for (int k = 0; k + 2 <= c; ++k) bracket += (c - 1 - k) * p[k];
        // At least one service time; rounding can otherwise leave it an ulp below.
        residence[i] = std::max(demand[i], demand[i] / c * bracket);
      }
      const double cycle = think_s + std::accumulate(residence.begin(), residence.end(), 0.0);
      // A sub-network with no demand and no think time has an infinite throughput.
      const double x = cycle > 0.0 ? n / cycle : kInf;
      s.throughput = x;
      for (std::size_t i = 0; i < m; ++i) s.queue[i] = residence[i] > 0.0 ? x * residence[i] : 0.0;

      for (std::size_t j = 0; j < multi.size(); ++j) {
        if (((net >> j) & 1U) == 0) continue;
        const std::size_t i = multi[j];
        std::vector<double>& p = s.marginal[j];
        const double dx = demand[i] * x;
        for (int k = servers[i] - 2; k >= 1; --k) p[k] = dx / k * p[k - 1];
        const double x_without = state[net & ~(std::size_t{1} << j)].throughput;
        p[0] = std::isinf(x_without) ? 0.0 : p[0] * x / x_without;
      }
      if (n == users && net == full) result.residence_time = residence;
    }
  }

  const NetState& s = state[full];
  result.throughput = s.throughput;
  result.queue_length = s.queue;
  return result;
}

/// log(sum_k exp(a[k] + b[n - k])) for n = 0 .. size - 1, with -inf as log 0.
std::vector<double> log_convolve(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> g(a.size(), -kInf);
  for (std::size_t n = 0; n < a.size(); ++n) {
    double top = -kInf;
    for (std::size_t k = 0; k <= n; ++k) top = std::max(top, a[k] + b[n - k]);
    if (top == -kInf) continue;
    double sum = 0.0;
    for (std::size_t k = 0; k <= n; ++k) sum += std::exp(a[k] + b[n - k] - top);
    g[n] = top + std::log(sum);
  }
  return g;
}

/// The same product-form network by the convolution algorithm (Buzen; load-dependent factors
/// f_i(k) = D^k / prod_{j<=k} min(j, c)), in logs so that nothing overflows: every term is
/// positive, so it is as stable as the MVA recursion, at O(M N^2) cost.
MvaResult mva_convolution(const std::vector<double>& demand, const std::vector<int>& servers,
                          double think_s, int users) {
  const std::size_t m = demand.size();
  const auto size = static_cast<std::size_t>(users) + 1;
  auto log_factor = [&](double d, int c) {  // c = 0: delay (min(j, c) replaced by j)
    std::vector<double> f(size, -kInf);
    f[0] = 0.0;
    if (d == 0.0) return f;
    for (std::size_t k = 1; k < size; ++k) {
      const auto kk = static_cast<int>(k);
      f[k] = f[k - 1] + std::log(d) - std::log(static_cast<double>(c == 0 ? kk : std::min(kk, c)));
    }
    return f;
  };
  std::vector<std::vector<double>> factor;
  for (std::size_t i = 0; i < m; ++i)
    factor.push_back(log_factor(demand[i], std::max(servers[i], 1)));
  // prefix[i]: think time and stations < i; suffix[i]: stations >= i.
  std::vector<std::vector<double>> prefix{log_factor(think_s, 0)};
  for (std::size_t i = 0; i < m; ++i) prefix.push_back(log_convolve(prefix[i], factor[i]));
  std::vector<std::vector<double>> suffix(m + 1, log_factor(0.0, 1));  // the unit: 1, 0, 0, ...
  for (std::size_t i = m; i-- > 0;) suffix[i] = log_convolve(factor[i], suffix[i + 1]);
  const std::vector<double>& g = prefix[m];

  MvaResult result{0.0, 0.0, std::vector<double>(m, 0.0), std::vector<double>(m, 0.0)};
  result.throughput = std::exp(g[size - 2] - g[size - 1]);  // X(N) = G(N - 1) / G(N)
  for (std::size_t i = 0; i < m; ++i) {
    if (demand[i] == 0.0) continue;
    // P(k jobs at i) = f_i(k) G_{-i}(N - k) / G(N).
    const std::vector<double> without = log_convolve(prefix[i], suffix[i + 1]);
    double q = 0.0;
    for (std::size_t k = 1; k < size; ++k) {
      q += static_cast<double>(k) * std::exp(factor[i][k] + without[size - 1 - k] - g[size - 1]);
    }
    result.queue_length[i] = q;
    result.residence_time[i] = std::max(demand[i], q / result.throughput);
  }
  return result;
}

}  // namespace

MvaResult mva(const std::vector<double>& demand, const std::vector<int>& servers, double think_s,
              int users) {
  require(demand.size() == servers.size(), "mva: demand and servers must have the same size");
  require(users >= 0, "mva: users must be >= 0");
  require(nonneg(think_s), "mva: think time must be finite and >= 0");
  for (double d : demand) require(nonneg(d), "mva: demands must be finite and >= 0");
  const std::size_t m = demand.size();
  if (users == 0) {
    return MvaResult{0.0, 0.0, std::vector<double>(m, 0.0), std::vector<double>(m, 0.0)};
  }
  require(think_s + std::accumulate(demand.begin(), demand.end(), 0.0) > 0.0,
          "mva: every demand and the think time are 0 (the throughput would be infinite)");

  // A station with c >= N servers never queues: it is exactly a delay station (mu(j) = j / S for
  // every reachable j). Only stations with 1 < c < N need marginal probabilities.
  std::vector<StationKind> kind(m, StationKind::kQueue);
  std::vector<std::size_t> multi;  // station index of each multi-server station
  for (std::size_t i = 0; i < m; ++i) {
    if (demand[i] == 0.0 || servers[i] <= 1) continue;
    if (servers[i] >= users) {
      kind[i] = StationKind::kDelay;
    } else {
      kind[i] = StationKind::kMultiServer;
      multi.push_back(i);
    }
  }
  double recursion_cost = static_cast<double>(m);
  for (std::size_t i : multi) recursion_cost += servers[i];
  recursion_cost *= std::ldexp(1.0, static_cast<int>(std::min(multi.size(), std::size_t{64})));
  const double convolution_cost = kConvolutionCostFactor * static_cast<double>(m) * users;
  const bool by_recursion = multi.size() <= kMaxMvaMultiServer &&
                            (multi.size() <= 1 || recursion_cost <= convolution_cost);
  MvaResult result = by_recursion ? mva_recursion(demand, servers, think_s, users, kind, multi)
                                  : mva_convolution(demand, servers, think_s, users);
  result.response_time =
      std::accumulate(result.residence_time.begin(), result.residence_time.end(), 0.0);
  return result;
}

}  // namespace capsim::analytic
