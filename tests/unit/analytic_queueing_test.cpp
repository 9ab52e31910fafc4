#include "capsim/analytic/queueing.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace capsim::analytic {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Erlang C from its textbook definition, summed directly in long double (independent of the
/// Erlang B recursion in the library).
double erlang_c_direct(int c, double a) {
  long double term = 1.0L;  // a^k / k!
  long double sum = 0.0L;
  for (int k = 0; k < c; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  const long double top = term * c / (c - a);  // a^c / c! * c / (c - a)
  return static_cast<double>(top / (sum + top));
}

TEST(ErlangB, KnownValues) {
  EXPECT_DOUBLE_EQ(erlang_b(1, 2.0), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(erlang_b(0, 5.0), 1.0);
  EXPECT_DOUBLE_EQ(erlang_b(3, 0.0), 0.0);
  // B(2, 1) = (1/2) / (1 + 1 + 1/2) = 0.2.
  EXPECT_NEAR(erlang_b(2, 1.0), 0.2, 1e-15);
  // Direct a^c/c! / sum a^k/k! for c = 10, a = 5.
  long double term = 1.0L;
  long double sum = 1.0L;
  for (int k = 1; k <= 10; ++k) {
    term *= 5.0L / k;
    sum += term;
  }
  EXPECT_NEAR(erlang_b(10, 5.0), static_cast<double>(term / sum), 1e-15);
  EXPECT_NEAR(erlang_b(10, 5.0), 0.018384570336, 1e-11);
  // Large c: no overflow, and below 1.
  const double big = erlang_b(2000, 1900.0);
  EXPECT_GT(big, 0.0);
  EXPECT_LT(big, 0.1);
  EXPECT_THROW(erlang_b(-1, 1.0), std::invalid_argument);
}

TEST(ErlangC, TextbookValues) {
  EXPECT_NEAR(erlang_c(2, 1.0), 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(erlang_c(1, 0.7), 0.7, 1e-15);  // M/M/1: P(wait) = rho
  EXPECT_NEAR(erlang_c(10, 9.0), erlang_c_direct(10, 9.0), 1e-14);
  EXPECT_NEAR(erlang_c(10, 9.0), 0.668731524107697, 1e-14);  // exact rational arithmetic
  EXPECT_NEAR(erlang_c(50, 45.0), erlang_c_direct(50, 45.0), 1e-13);
  EXPECT_EQ(erlang_c(3, 3.0), 1.0);  // overloaded
  EXPECT_EQ(erlang_c(3, 0.0), 0.0);
}

TEST(MMc, MM1Reduction) {
  const MMc q{0.6, 1.0, 1};
  EXPECT_DOUBLE_EQ(q.utilization(), 0.6);
  EXPECT_NEAR(q.wait_probability(), 0.6, 1e-15);
  EXPECT_NEAR(q.mean_sojourn(), 1.0 / 0.4, 1e-13);
  EXPECT_NEAR(q.mean_wait(), 0.6 / 0.4, 1e-13);
  EXPECT_NEAR(q.mean_in_system(), 0.6 / 0.4, 1e-13);
  EXPECT_NEAR(q.mean_queue_length(), 0.36 / 0.4, 1e-13);
  for (double t : {0.0, 0.1, 1.0, 2.5, 10.0, 40.0}) {
    EXPECT_NEAR(q.sojourn_survival(t), std::exp(-0.4 * t), 1e-14 * std::exp(-0.4 * t) + 1e-300)
        << t;
  }
  // Quantiles of Exp(0.4) sojourn and of the M/M/1 wait P(Wq > t) = rho e^{-(mu-lambda) t}.
  EXPECT_NEAR(q.sojourn_quantile(0.99), std::log(100.0) / 0.4, 1e-10);
  EXPECT_NEAR(q.sojourn_quantile(0.5), std::log(2.0) / 0.4, 1e-10);
  EXPECT_NEAR(q.wait_quantile(0.99), std::log(0.6 / 0.01) / 0.4, 1e-12);
  EXPECT_EQ(q.wait_quantile(0.4), 0.0);
  EXPECT_EQ(q.wait_quantile(0.3), 0.0);
}

TEST(MMc, TwoServerHandValues) {
  const MMc q{1.0, 1.0, 2};  // a = 1, C = 1/3
  EXPECT_DOUBLE_EQ(q.utilization(), 0.5);
  EXPECT_NEAR(q.mean_wait(), 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(q.mean_sojourn(), 4.0 / 3.0, 1e-15);
  EXPECT_NEAR(q.mean_queue_length(), 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(q.mean_in_system(), 4.0 / 3.0, 1e-15);
  // Here c mu - lambda = mu: P(T > t) = (2/3) e^{-t} + (1/3) (1 + t) e^{-t}.
  for (double t : {0.0, 0.5, 1.0, 3.0, 20.0}) {
    const double exact = (2.0 / 3.0 + (1.0 + t) / 3.0) * std::exp(-t);
    EXPECT_NEAR(q.sojourn_survival(t), exact, 1e-15 + 1e-14 * exact) << t;
  }
  // Continuity across the special case theta == mu.
  const MMc near{1.0 + 1e-9, 1.0, 2};
  EXPECT_NEAR(near.sojourn_survival(2.0), q.sojourn_survival(2.0), 1e-8);
}

TEST(MMc, SojournSurvivalIsTheHypoexponentialMix) {
  const MMc q{7.0, 1.0, 10};
  const double c = q.wait_probability();
  const double theta = 10.0 - 7.0;
  for (double t : {0.2, 1.0, 2.0, 5.0}) {
    const double both = (theta * std::exp(-t) - std::exp(-theta * t)) / (theta - 1.0);
    EXPECT_NEAR(q.sojourn_survival(t), (1.0 - c) * std::exp(-t) + c * both, 1e-14) << t;
  }
  EXPECT_EQ(q.sojourn_survival(-1.0), 1.0);
  EXPECT_EQ(q.sojourn_survival(kInf), 0.0);
}

TEST(MMc, SurvivalIntegratesToMeanSojourn) {
  for (const MMc& q : {MMc{0.9, 1.0, 1}, MMc{8.5, 1.0, 10}, MMc{3.0, 2.0, 2}, MMc{1.0, 1.0, 2}}) {
    // Simpson on [0, 60 W] (the tail beyond is below 1e-12 of the mean).
    const double w = q.mean_sojourn();
    const int n = 20000;
    const double h = 60.0 * w / n;
    double integral = q.sojourn_survival(0.0) + q.sojourn_survival(60.0 * w);
    for (int i = 1; i < n; ++i) integral += (i % 2 ? 4.0 : 2.0) * q.sojourn_survival(i * h);
    integral *= h / 3.0;
    EXPECT_NEAR(integral, w, 1e-9 * w) << q.lambda << " " << q.c;
  }
}

TEST(MMc, QuantilesInvertTheSurvival) {
  const MMc q{17.0, 2.0, 10};
  for (double p : {0.1, 0.5, 0.9, 0.99, 0.999}) {
    const double t = q.sojourn_quantile(p);
    EXPECT_NEAR(q.sojourn_survival(t), 1.0 - p, 1e-12) << p;
  }
  const double c = q.wait_probability();
  const double theta = 20.0 - 17.0;
  for (double p : {0.5, 0.9, 0.99}) {
    const double t = q.wait_quantile(p);
    if (p <= 1.0 - c) {
      EXPECT_EQ(t, 0.0);
    } else {
      EXPECT_NEAR(c * std::exp(-theta * t), 1.0 - p, 1e-14) << p;
    }
  }
  EXPECT_EQ(q.sojourn_quantile(0.0), 0.0);
  EXPECT_EQ(q.sojourn_quantile(1.0), kInf);
  EXPECT_EQ(q.wait_quantile(1.0), kInf);
}

TEST(MMc, UnstableAndIdle) {
  const MMc over{3.0, 1.0, 2};
  EXPECT_EQ(over.wait_probability(), 1.0);
  EXPECT_EQ(over.mean_wait(), kInf);
  EXPECT_EQ(over.mean_sojourn(), kInf);
  EXPECT_EQ(over.sojourn_survival(100.0), 1.0);
  EXPECT_EQ(over.sojourn_quantile(0.5), kInf);
  const MMc idle{0.0, 2.0, 3};
  EXPECT_EQ(idle.wait_probability(), 0.0);
  EXPECT_EQ(idle.mean_wait(), 0.0);
  EXPECT_EQ(idle.mean_sojourn(), 0.5);
  EXPECT_EQ(idle.mean_in_system(), 0.0);
  EXPECT_NEAR(idle.sojourn_survival(1.0), std::exp(-2.0), 1e-16);
  EXPECT_THROW((MMc{1.0, 0.0, 1}.mean_wait()), std::invalid_argument);
  EXPECT_THROW((MMc{1.0, 1.0, 0}.mean_wait()), std::invalid_argument);
}

TEST(MMcK, SingleSlotBlocking) {
  const MMcK q{2.0, 1.0, 1, 1};
  EXPECT_NEAR(q.blocking_probability(), 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(q.mean_in_system(), 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(q.mean_sojourn(), 1.0, 1e-15);  // no waiting room: sojourn = service
}

TEST(MMcK, MM1KClosedForm) {
  const double rho = 0.8;
  const int k = 5;
  const MMcK q{rho, 1.0, 1, k};
  const double pk = (1.0 - rho) * std::pow(rho, k) / (1.0 - std::pow(rho, k + 1));
  const double l =
      rho / (1.0 - rho) - (k + 1) * std::pow(rho, k + 1) / (1.0 - std::pow(rho, k + 1));
  EXPECT_NEAR(q.blocking_probability(), pk, 1e-15);
  EXPECT_NEAR(q.mean_in_system(), l, 1e-14);
  EXPECT_NEAR(q.mean_sojourn(), l / (rho * (1.0 - pk)), 1e-14);
}

TEST(MMcK, LimitsAgreeWithErlangAndMMc) {
  // K = c: Erlang B.
  EXPECT_NEAR((MMcK{9.0, 1.0, 10, 10}.blocking_probability()), erlang_b(10, 9.0), 1e-15);
  // Large K with rho < 1: M/M/c.
  const MMcK big{9.0, 1.0, 10, 2000};
  const MMc inf{9.0, 1.0, 10};
  EXPECT_LT(big.blocking_probability(), 1e-80);
  EXPECT_NEAR(big.mean_in_system(), inf.mean_in_system(), 1e-10);
  EXPECT_NEAR(big.mean_sojourn(), inf.mean_sojourn(), 1e-10);
  // Heavy overload with a large buffer: no overflow; about 1 - c mu / lambda is blocked.
  const MMcK over{200.0, 1.0, 100, 10000};
  EXPECT_NEAR(over.blocking_probability(), 0.5, 1e-6);
  EXPECT_NEAR(over.mean_in_system(), 10000.0 - 1.0, 0.01);
  EXPECT_THROW((MMcK{1.0, 1.0, 2, 1}.blocking_probability()), std::invalid_argument);
}

TEST(PollaczekKhinchine, MD1AndMM1) {
  const double mu = 2.0;
  const double lambda = 1.5;
  const double rho = lambda / mu;
  EXPECT_NEAR(mg1_mean_wait(lambda, 1.0 / mu, 0.0), rho / (2.0 * mu * (1.0 - rho)), 1e-15);
  EXPECT_NEAR(mg1_mean_sojourn(lambda, 1.0 / mu, 0.0), rho / (2.0 * mu * (1.0 - rho)) + 0.5, 1e-15);
  EXPECT_NEAR(mg1_mean_wait(lambda, 1.0 / mu, 1.0), (MMc{lambda, mu, 1}.mean_wait()), 1e-14);
  EXPECT_EQ(mg1_mean_wait(2.0, 0.5, 1.0), kInf);
  EXPECT_EQ(mg1_mean_wait(1.0, 0.5, kInf), kInf);
  EXPECT_EQ(mg1_mean_wait(0.0, 0.5, kInf), 0.0);
}

TEST(Jackson, Tandem) {
  Eigen::VectorXd a(3);
  a << 2.0, 0.0, 0.0;
  Eigen::MatrixXd r = Eigen::MatrixXd::Zero(3, 3);
  r(0, 1) = 1.0;
  r(1, 2) = 1.0;
  const Eigen::VectorXd lambda = jackson_arrival_rates(a, r);
  ASSERT_EQ(lambda.size(), 3);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(lambda(i), 2.0, 1e-14);
}

TEST(Jackson, FeedbackLoops) {
  // One station that sends 30% of its jobs back to itself: lambda = a / 0.7.
  Eigen::VectorXd a1(1);
  a1 << 1.4;
  Eigen::MatrixXd r1(1, 1);
  r1 << 0.3;
  EXPECT_NEAR(jackson_arrival_rates(a1, r1)(0), 2.0, 1e-14);

  // Web -> app; app returns to web w.p. 0.5, goes to db w.p. 0.25, leaves w.p. 0.25;
  // db returns to app. lambda_w = a + 0.5 lambda_app, lambda_app = lambda_w + lambda_db,
  // lambda_db = 0.25 lambda_app  =>  lambda_app = 4 a, lambda_w = 3 a, lambda_db = a.
  Eigen::VectorXd a(3);
  a << 1.0, 0.0, 0.0;
  Eigen::MatrixXd r = Eigen::MatrixXd::Zero(3, 3);
  r(0, 1) = 1.0;
  r(1, 0) = 0.5;
  r(1, 2) = 0.25;
  r(2, 1) = 1.0;
  const Eigen::VectorXd lambda = jackson_arrival_rates(a, r);
  EXPECT_NEAR(lambda(0), 3.0, 1e-13);
  EXPECT_NEAR(lambda(1), 4.0, 1e-13);
  EXPECT_NEAR(lambda(2), 1.0, 1e-13);
  // The traffic equations hold.
  EXPECT_LT((lambda - a - r.transpose() * lambda).norm(), 1e-13);
}

TEST(Jackson, RejectsTrapsAndBadShapes) {
  Eigen::VectorXd a(2);
  a << 1.0, 0.0;
  Eigen::MatrixXd loop = Eigen::MatrixXd::Zero(2, 2);
  loop(0, 1) = 1.0;
  loop(1, 0) = 1.0;
  EXPECT_THROW(jackson_arrival_rates(a, loop), std::invalid_argument);
  EXPECT_THROW(jackson_arrival_rates(a, Eigen::MatrixXd::Zero(3, 3)), std::invalid_argument);
  EXPECT_EQ(jackson_arrival_rates(Eigen::VectorXd(), Eigen::MatrixXd()).size(), 0);
}

// ---- MVA ----------------------------------------------------------------------------------------

/// log(exp(a) + exp(b)) with -inf as log 0.
double log_add(double a, double b) {
  if (a == -kInf) return b;
  if (b == -kInf) return a;
  const double hi = std::max(a, b);
  return hi + std::log1p(std::exp(std::min(a, b) - hi));
}

/// log f(k), k = 0..n, of a product-form station: queue (c = 1), c servers, or delay (c = 0).
std::vector<double> log_factor(double demand, int c, int n) {
  std::vector<double> f(static_cast<std::size_t>(n) + 1, 0.0);
  for (int k = 1; k <= n; ++k) {
    const double rate = c == 0 ? k : std::min(k, c);
    f[k] = demand == 0.0 ? -kInf : f[k - 1] + std::log(demand) - std::log(rate);
  }
  return f;
}

std::vector<double> log_convolve(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> g(a.size(), -kInf);
  for (std::size_t n = 0; n < a.size(); ++n) {
    for (std::size_t k = 0; k <= n; ++k) g[n] = log_add(g[n], a[k] + b[n - k]);
  }
  return g;
}

/// Independent reference: the convolution algorithm in log space.
MvaResult convolution(const std::vector<double>& demand, const std::vector<int>& servers,
                      double think, int users) {
  const std::size_t m = demand.size();
  std::vector<std::vector<double>> f;
  for (std::size_t i = 0; i < m; ++i) {
    f.push_back(log_factor(demand[i], std::max(servers[i], 1), users));
  }
  const std::vector<double> delay = log_factor(think, 0, users);
  auto g_without = [&](std::size_t skip) {
    std::vector<double> g = delay;
    for (std::size_t i = 0; i < m; ++i) {
      if (i != skip) g = log_convolve(g, f[i]);
    }
    return g;
  };
  const std::vector<double> g = g_without(m);
  MvaResult r{std::exp(g[users - 1] - g[users]), 0.0, {}, {}};
  for (std::size_t i = 0; i < m; ++i) {
    const std::vector<double> gi = g_without(i);
    double q = 0.0;
    for (int k = 1; k <= users; ++k) q += k * std::exp(f[i][k] + gi[users - k] - g[users]);
    r.queue_length.push_back(q);
    r.residence_time.push_back(q / r.throughput);
    r.response_time += q / r.throughput;
  }
  return r;
}

void expect_same(const MvaResult& got, const MvaResult& want, double rel) {
  EXPECT_NEAR(got.throughput, want.throughput, rel * want.throughput);
  EXPECT_NEAR(got.response_time, want.response_time, rel * want.response_time);
  ASSERT_EQ(got.queue_length.size(), want.queue_length.size());
  for (std::size_t i = 0; i < want.queue_length.size(); ++i) {
    EXPECT_NEAR(got.queue_length[i], want.queue_length[i], rel * want.queue_length[i] + 1e-12) << i;
    EXPECT_NEAR(got.residence_time[i], want.residence_time[i], rel * want.residence_time[i] + 1e-12)
        << i;
  }
}

TEST(Mva, ZeroUsers) {
  const MvaResult r = mva({1.0, 2.0}, {1, 4}, 3.0, 0);
  EXPECT_EQ(r.throughput, 0.0);
  EXPECT_EQ(r.response_time, 0.0);
  EXPECT_EQ(r.residence_time, (std::vector<double>{0.0, 0.0}));
  EXPECT_EQ(r.queue_length, (std::vector<double>{0.0, 0.0}));
}

TEST(Mva, OneUserSeesNoQueue) {
  const MvaResult r = mva({0.2, 0.5, 0.05}, {1, 4, 1}, 2.0, 1);
  EXPECT_NEAR(r.response_time, 0.75, 1e-15);
  EXPECT_NEAR(r.throughput, 1.0 / 2.75, 1e-15);
  EXPECT_NEAR(r.residence_time[1], 0.5, 1e-15);
  EXPECT_NEAR(r.queue_length[0], 0.2 / 2.75, 1e-15);
}

TEST(Mva, BalancedNetworkClosedForm) {
  // M identical queues of demand D, no think time: X(N) = N / (D (M + N - 1)).
  const MvaResult r = mva({0.5, 0.5, 0.5}, {1, 1, 1}, 0.0, 4);
  EXPECT_NEAR(r.throughput, 4.0 / (0.5 * 6.0), 1e-14);
  for (double q : r.queue_length) EXPECT_NEAR(q, 4.0 / 3.0, 1e-14);
}

TEST(Mva, MachineRepairmanClosedForm) {
  // One queue (demand D) and think time Z: p_n proportional to N!/(N-n)! (D/Z)^n, X = (1-p0)/D.
  const double d = 0.1;
  const double z = 3.0;
  const int n_users = 50;
  std::vector<long double> weight(n_users + 1, 1.0L);
  for (int n = 1; n <= n_users; ++n) weight[n] = weight[n - 1] * (n_users - n + 1) * d / z;
  const long double total = std::accumulate(weight.begin(), weight.end(), 0.0L);
  long double q = 0.0L;
  for (int n = 0; n <= n_users; ++n) q += n * weight[n] / total;
  const double x = static_cast<double>((1.0L - weight[0] / total) / d);
  const MvaResult r = mva({d}, {1}, z, n_users);
  EXPECT_NEAR(r.throughput, x, 1e-12 * x);
  EXPECT_NEAR(r.queue_length[0], static_cast<double>(q), 1e-11);
  EXPECT_NEAR(r.response_time, static_cast<double>(q) / x, 1e-11);
  // Little's law over the whole loop: N = X (R + Z).
  EXPECT_NEAR(r.throughput * (r.response_time + z), n_users, 1e-10);
}

TEST(Mva, AsymptoticBounds) {
  const std::vector<double> d{0.05, 0.12, 0.02, 0.08};
  const double total = 0.27;
  const double dmax = 0.12;
  const double z = 1.0;
  for (int n = 1; n <= 200; ++n) {
    const MvaResult r = mva(d, {1, 1, 1, 1}, z, n);
    EXPECT_LE(r.throughput, 1.0 / dmax * (1.0 + 1e-12)) << n;
    EXPECT_LE(r.throughput, n / (total + z) * (1.0 + 1e-12)) << n;
    EXPECT_GE(r.throughput, n / (n * total + z) * (1.0 - 1e-12)) << n;
    EXPECT_GE(r.response_time, std::max(total, n * dmax - z) * (1.0 - 1e-12)) << n;
    EXPECT_NEAR(r.throughput * (r.response_time + z), n, 1e-9 * n) << n;
  }
  // Deep saturation: the bottleneck's throughput.
  EXPECT_NEAR(mva(d, {1, 1, 1, 1}, z, 2000).throughput, 1.0 / dmax, 1e-9);
}

TEST(Mva, SingleServerMatchesConvolution) {
  const std::vector<double> d{0.3, 0.1, 0.25};
  expect_same(mva(d, {1, 1, 1}, 0.5, 25), convolution(d, {1, 1, 1}, 0.5, 25), 1e-10);
}

TEST(Mva, MultiServerWithManyServersIsADelay) {
  // c >= N: nobody ever waits, R = D.
  const MvaResult r = mva({0.4, 0.1}, {64, 1}, 1.0, 64);
  EXPECT_NEAR(r.residence_time[0], 0.4, 1e-15);
  const MvaResult delay = mva({0.1}, {1}, 1.4, 64);  // the same network, the station as think
  EXPECT_NEAR(r.throughput, delay.throughput, 1e-12 * delay.throughput);
  // c just below N: all 64 users are almost never at the station together.
  const MvaResult almost = mva({0.4, 0.1}, {63, 1}, 1.0, 64);
  EXPECT_GE(almost.residence_time[0], 0.4);
  EXPECT_NEAR(almost.residence_time[0], 0.4, 1e-12);
  // Residence time falls as servers are added, from the single-server queue down to D.
  double previous = kInf;
  for (int c = 1; c <= 8; ++c) {
    const double r = mva({1.0}, {c}, 1.0, 8).residence_time[0];
    EXPECT_LT(r, previous) << c;
    EXPECT_GE(r, 1.0) << c;
    previous = r;
  }
  EXPECT_NEAR(previous, 1.0, 1e-15);
  EXPECT_GT(mva({1.0}, {7}, 1.0, 8).residence_time[0], 1.0 + 1e-4);
}

TEST(Mva, TwoServerHandRecursion) {
  // One 2-server station (D = 1), no think: X(1) = 1, X(n >= 2) = 2, R(3) = 1.5.
  EXPECT_NEAR(mva({1.0}, {2}, 0.0, 1).throughput, 1.0, 1e-15);
  EXPECT_NEAR(mva({1.0}, {2}, 0.0, 2).throughput, 2.0, 1e-15);
  const MvaResult r = mva({1.0}, {2}, 0.0, 3);
  EXPECT_NEAR(r.throughput, 2.0, 1e-15);
  EXPECT_NEAR(r.response_time, 1.5, 1e-15);
  EXPECT_NEAR(r.queue_length[0], 3.0, 1e-15);
}

TEST(Mva, MultiServerMatchesConvolution) {
  const std::vector<double> d{2.0, 0.3, 0.5};
  const std::vector<int> c{4, 1, 3};
  for (int n : {1, 2, 5, 30}) {
    SCOPED_TRACE(n);
    expect_same(mva(d, c, 1.0, n), convolution(d, c, 1.0, n), 1e-10);
  }
}

TEST(Mva, SaturatedMultiServerStaysExact) {
  // 32 cores saturated by 400 users: p(0 | n) is astronomically small, where computing it as
  // 1 - sum p(j | n) breaks down; the product form keeps full precision.
  const std::vector<double> d{1.0, 0.01, 0.2};
  const std::vector<int> c{32, 1, 8};
  const MvaResult got = mva(d, c, 10.0, 400);
  expect_same(got, convolution(d, c, 10.0, 400), 1e-9);
  EXPECT_LE(got.throughput, 32.0);
  EXPECT_GT(got.throughput, 31.9);
}

TEST(Mva, SeveralSaturatedMultiServerStations) {
  // Five multi-server stations, two of them near saturation, with a think time.
  const std::vector<double> d{0.5, 0.9, 0.2, 0.35, 0.1, 0.05};
  const std::vector<int> c{4, 8, 2, 3, 16, 1};
  for (int n : {10, 60, 300}) {
    SCOPED_TRACE(n);
    expect_same(mva(d, c, 2.0, n), convolution(d, c, 2.0, n), 1e-9);
  }
  // The bottleneck is station 0 (4 cores of 0.5 s): X tends to 8.
  EXPECT_NEAR(mva(d, c, 2.0, 300).throughput, 8.0, 1e-6);
}

TEST(Mva, ManyMultiServerStations) {
  // Many multi-server stations and few users: the library takes the convolution algorithm rather
  // than the recursion over 2^m networks; still exact, saturated or not.
  std::vector<double> d;
  std::vector<int> c;
  for (int i = 0; i < 12; ++i) {
    d.push_back(0.1 + 0.02 * i);
    c.push_back(2 + i % 3);
  }
  expect_same(mva(d, c, 5.0, 20), convolution(d, c, 5.0, 20), 1e-10);
  d.push_back(2.0);  // a saturated 8-core bottleneck
  c.push_back(8);
  d.push_back(0.0);  // a station without demand changes nothing
  c.push_back(2);
  const MvaResult r = mva(d, c, 5.0, 150);
  expect_same(r, convolution(d, c, 5.0, 150), 1e-9);
  EXPECT_NEAR(r.throughput, 4.0, 1e-6);
  EXPECT_EQ(r.queue_length.back(), 0.0);
  EXPECT_EQ(r.residence_time.back(), 0.0);
}

TEST(Mva, RejectsBadInput) {
  EXPECT_THROW(mva({1.0}, {1, 1}, 0.0, 3), std::invalid_argument);
  EXPECT_THROW(mva({-1.0}, {1}, 0.0, 3), std::invalid_argument);
  EXPECT_THROW(mva({1.0}, {1}, -1.0, 3), std::invalid_argument);
  EXPECT_THROW(mva({1.0}, {1}, 0.0, -1), std::invalid_argument);
  EXPECT_THROW(mva({0.0}, {1}, 0.0, 3), std::invalid_argument);
}

}  // namespace
}  // namespace capsim::analytic
