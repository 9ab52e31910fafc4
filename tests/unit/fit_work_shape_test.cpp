// The spread move of `capsim calibrate` (src/fit/work_shape.hpp), family by family, against the
// closed-form quantiles: the median stays and ln(p99 / p50) is multiplied by s (exactly for
// lognormal, Weibull, Pareto and empirical work; through the cv for gamma, normal and uniform).

#include <gtest/gtest.h>

#include <boost/math/distributions/gamma.hpp>

#include <cmath>

#include "../../src/fit/work_shape.hpp"

namespace capsim::fit::detail {
namespace {

using dist::DistSpec;

constexpr double s = 1.7;

double weibull_quantile(const dist::Weibull& w, double p) {
  return w.scale_s * std::pow(-std::log(1.0 - p), 1.0 / w.shape);
}
double pareto_quantile(const dist::Pareto& d, double p) {
  return d.scale_s * std::pow(1.0 - p, -1.0 / d.shape);
}
double gamma_quantile(const dist::Gamma& g, double p) {
  return boost::math::quantile(boost::math::gamma_distribution<double>(g.shape, g.scale_s), p);
}

TEST(FitWorkShape, LognormalSigmaTimesSMedianKept) {
  DistSpec d{dist::Lognormal{std::log(0.01), 0.5}};
  spread(d, s);
  const auto& l = std::get<dist::Lognormal>(d.v);
  EXPECT_DOUBLE_EQ(l.mu, std::log(0.01));
  EXPECT_DOUBLE_EQ(l.sigma, 0.5 * s);
}

TEST(FitWorkShape, WeibullAndParetoLogQuantileRatiosTimesS) {
  const dist::Weibull w0{1.5, 0.02};
  DistSpec w{w0};
  spread(w, s);
  const auto& w1 = std::get<dist::Weibull>(w.v);
  EXPECT_NEAR(weibull_quantile(w1, 0.5), weibull_quantile(w0, 0.5), 1e-15);
  for (double p : {0.9, 0.99, 0.1}) {
    EXPECT_NEAR(std::log(weibull_quantile(w1, p) / weibull_quantile(w1, 0.5)),
                s * std::log(weibull_quantile(w0, p) / weibull_quantile(w0, 0.5)), 1e-12)
        << p;
  }
  const dist::Pareto p0{3.0, 0.005};
  DistSpec p{p0};
  spread(p, 1.0 / s);
  const auto& p1 = std::get<dist::Pareto>(p.v);
  EXPECT_NEAR(pareto_quantile(p1, 0.5), pareto_quantile(p0, 0.5), 1e-15);
  EXPECT_NEAR(std::log(pareto_quantile(p1, 0.99) / pareto_quantile(p1, 0.5)),
              std::log(pareto_quantile(p0, 0.99) / pareto_quantile(p0, 0.5)) / s, 1e-12);
}

TEST(FitWorkShape, GammaCvTimesSMedianKeptExponentialBecomesGamma) {
  const dist::Gamma g0{4.0, 0.0005};
  DistSpec g{g0};
  spread(g, s);
  const auto& g1 = std::get<dist::Gamma>(g.v);
  EXPECT_DOUBLE_EQ(g1.shape, 4.0 / (s * s));  // cv = 1 / sqrt(shape): 0.5 -> 0.85
  EXPECT_NEAR(gamma_quantile(g1, 0.5), gamma_quantile(g0, 0.5), 1e-15);
  // An exponential of mean 10 ms is Gamma(1, 10 ms): same median (10 ms ln 2), cv s.
  DistSpec e{dist::Exponential{0.01}};
  spread(e, s);
  const auto& e1 = std::get<dist::Gamma>(e.v);
  EXPECT_DOUBLE_EQ(e1.shape, 1.0 / (s * s));
  EXPECT_NEAR(gamma_quantile(e1, 0.5), 0.01 * std::log(2.0), 1e-15);
  // The shape stays >= 0.05, where the median is still a normal double.
  DistSpec wide{dist::Exponential{0.01}};
  spread(wide, 20.0);
  const auto& w1 = std::get<dist::Gamma>(wide.v);
  EXPECT_DOUBLE_EQ(w1.shape, 0.05);
  EXPECT_NEAR(gamma_quantile(w1, 0.5), 0.01 * std::log(2.0), 1e-15);
  // s == 1 changes nothing, the family included.
  DistSpec same{dist::Exponential{0.01}};
  spread(same, 1.0);
  EXPECT_TRUE(std::holds_alternative<dist::Exponential>(same.v));
}

TEST(FitWorkShape, UniformNormalEmpiricalAndNoSpread) {
  DistSpec u{dist::Uniform{0.004, 0.006}};
  spread(u, 2.0);
  EXPECT_NEAR(std::get<dist::Uniform>(u.v).min_s, 0.003, 1e-15);
  EXPECT_NEAR(std::get<dist::Uniform>(u.v).max_s, 0.007, 1e-15);
  spread(u, 100.0);  // at most the midpoint: min stays >= 0
  EXPECT_DOUBLE_EQ(std::get<dist::Uniform>(u.v).min_s, 0.0);
  EXPECT_DOUBLE_EQ(std::get<dist::Uniform>(u.v).max_s, 0.010);
  DistSpec n{dist::Normal{0.01, 0.002}};
  spread(n, s);
  EXPECT_DOUBLE_EQ(std::get<dist::Normal>(n.v).mean_s, 0.01);
  EXPECT_DOUBLE_EQ(std::get<dist::Normal>(n.v).sd_s, 0.002 * s);
  DistSpec emp{dist::Empirical{{0.001, 0.002, 0.008}}};  // median 2 ms
  spread(emp, 0.5);
  const auto& x = std::get<dist::Empirical>(emp.v).samples_s;
  EXPECT_NEAR(x[0], 0.002 * std::sqrt(0.5), 1e-15);
  EXPECT_DOUBLE_EQ(x[1], 0.002);
  EXPECT_NEAR(x[2], 0.004, 1e-15);
  EXPECT_FALSE(has_spread(DistSpec{dist::Constant{0.003}}));
  EXPECT_FALSE(has_spread(DistSpec{dist::Hyperexponential{{0.5, 0.5}, {0.001, 0.01}}}));
  EXPECT_TRUE(has_spread(DistSpec{dist::Mixture{
      {0.5, 0.5}, {DistSpec{dist::Constant{0.001}}, DistSpec{dist::Lognormal{-5.0, 0.3}}}}}));
  DistSpec c{dist::Constant{0.003}};
  spread(c, s);
  EXPECT_DOUBLE_EQ(std::get<dist::Constant>(c.v).value_s, 0.003);
}

}  // namespace
}  // namespace capsim::fit::detail
