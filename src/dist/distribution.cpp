#include "capsim/dist/distribution.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <utility>

namespace capsim::dist {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Erlang draws multiply up to this many uniforms; larger k uses the (equally exact) gamma sampler
// so that one draw stays cheap.
constexpr int kMaxProductPhases = 16;

// A truncated normal whose kept mass Phi(mean/sd) is below this is treated as the constant 0: that
// only happens when mean < -35.7 sd, where every draw would be within about sd/35 of 0 anyway.
constexpr double kMinNormalMass = 1e-280;

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("Distribution: " + what);
}

bool nonneg(double x) {
  return std::isfinite(x) && x >= 0.0;
}
bool positive(double x) {
  return std::isfinite(x) && x > 0.0;
}

/// Horner's rule: c[0] + c[1] x + ... + c[7] x^7.
double poly7(const double (&c)[8], double x) {
  double y = c[7];
  for (int i = 6; i >= 0; --i) y = y * x + c[i];
  return y;
}

/// Standard normal quantile Phi^{-1}(p), 0 < p < 1: Wichura's algorithm AS 241 (PPND16,
/// Applied Statistics 37(3), 1988), rational approximations accurate to about 1e-16 relative,
/// one central and two tail pieces. It replaced Boost's erfc_inv (the same values to within
/// about 1e-15 relative, at well under its cost: this runs for every lognormal draw).
double normal_quantile(double p) {
  static constexpr double kA[8] = {3.3871328727963666080e+0, 1.3314166789178437745e+2,
                                   1.9715909503065514427e+3, 1.3731693765509461125e+4,
                                   4.5921953931549871457e+4, 6.7265770927008700853e+4,
                                   3.3430575583588128105e+4, 2.5090809287301226727e+3};
  static constexpr double kB[8] = {1.0,
                                   4.2313330701600911252e+1,
                                   6.8718700749205790830e+2,
                                   5.3941960214247511077e+3,
                                   2.1213794301586595867e+4,
                                   3.9307895800092710610e+4,
                                   2.8729085735721942674e+4,
                                   5.2264952788528545610e+3};
  static constexpr double kC[8] = {1.42343711074968357734e+0, 4.63033784615654529590e+0,
                                   5.76949722146069140550e+0, 3.64784832476320460504e+0,
                                   1.27045825245236838258e+0, 2.41780725177450611770e-1,
                                   2.27238449892691845833e-2, 7.74545014278341407640e-4};
  static constexpr double kD[8] = {1.0,
                                   2.05319162663775882187e+0,
                                   1.67638483018380384940e+0,
                                   6.89767334985100004550e-1,
                                   1.48103976427480074590e-1,
                                   1.51986665636164571966e-2,
                                   5.47593808499534494600e-4,
                                   1.05075007164441684324e-9};
  static constexpr double kE[8] = {6.65790464350110377720e+0, 5.46378491116411436990e+0,
                                   1.78482653991729133580e+0, 2.96560571828504891230e-1,
                                   2.65321895265761230930e-2, 1.24266094738807843860e-3,
                                   2.71155556874348757815e-5, 2.01033439929228813265e-7};
  static constexpr double kF[8] = {1.0,
                                   5.99832206555887937690e-1,
                                   1.36929880922735805310e-1,
                                   1.48753612908506148525e-2,
                                   7.86869131145613259100e-4,
                                   1.84631831751005468180e-5,
                                   1.42151175831644588870e-7,
                                   2.04426310338993978564e-15};
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {  // the central 85%: one rational function of q^2
    const double r = 0.180625 - q * q;
    return q * poly7(kA, r) / poly7(kB, r);
  }
  // Tails: a rational function of sqrt(-ln(tail probability)); 1 - p is exact for p >= 0.5.
  double r = std::sqrt(-std::log(q < 0.0 ? p : 1.0 - p));
  double x;
  if (r <= 5.0) {
    r -= 1.6;
    x = poly7(kC, r) / poly7(kD, r);
  } else {
    r -= 5.0;
    x = poly7(kE, r) / poly7(kF, r);
  }
  return q < 0.0 ? -x : x;
}

/// Standard normal CDF.
double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::numbers::sqrt2);
}

/// Standard normal density.
double normal_pdf(double x) {
  return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
}

/// Second moment E[X^2] from mean and scv (0 for a variable that is identically 0).
double second_moment(double mean, double scv) {
  if (mean == 0.0) return 0.0;
  if (!std::isfinite(mean) || !std::isfinite(scv)) return kInf;
  return mean * mean * (1.0 + scv);
}

/// scv from mean and second moment.
double scv_from(double mean, double second) {
  if (mean == 0.0) return 0.0;
  if (!std::isfinite(mean) || !std::isfinite(second)) return kInf;
  return std::max(0.0, second / (mean * mean) - 1.0);
}

/// Cumulative weights normalised so that the last is exactly 1.
std::vector<double> cumulative_weights(const std::vector<double>& weights, const char* what) {
  require(!weights.empty(), std::string(what) + " needs at least one branch");
  double total = 0.0;
  for (double w : weights) {
    require(nonneg(w), std::string(what) + " weights must be finite and >= 0");
    total += w;
  }
  require(total > 0.0, std::string(what) + " weights must not all be 0");
  std::vector<double> cumulative;
  cumulative.reserve(weights.size());
  double running = 0.0;
  for (double w : weights) {
    running += w;
    cumulative.push_back(running / total);
  }
  cumulative.back() = 1.0;
  return cumulative;
}

/// Index of the branch that uniform u (in (0,1)) falls into.
std::size_t pick(const std::vector<double>& cumulative, double u) {
  if (cumulative.size() <= 8) {
    // A linear scan beats a binary search for the usual handful of branches.
    std::size_t i = 0;
    while (i + 1 < cumulative.size() && !(u < cumulative[i])) ++i;
    return i;
  }
  const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
  return std::min(static_cast<std::size_t>(it - cumulative.begin()), cumulative.size() - 1);
}

/// A standard gamma variate of shape a > 0 (scale 1): Marsaglia and Tsang's squeeze-and-reject
/// method ("A simple method for generating gamma variables", ACM TOMS 26(3), 2000) on a
/// Boost.Random ziggurat normal; shapes below 1 use Gamma(a) = Gamma(a + 1) U^(1/a).
template <class Rng>
double standard_gamma(double a, Rng& rng) {
  if (a < 1.0) return standard_gamma(a + 1.0, rng) * std::pow(rng.uniform01(), 1.0 / a);
  const double d = a - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  boost::random::normal_distribution<double> normal;
  for (;;) {
    const double x = normal(rng.engine());
    const double t = 1.0 + c * x;
    if (t <= 0.0) continue;
    const double v = t * t * t;
    const double u = rng.uniform01();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v;  // cheap squeeze, taken ~98% of the time
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
  }
}

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

Distribution::Distribution(DistSpec spec) : spec_(std::move(spec)) {
  // Validates the parameters, precomputes what sample() needs and the exact moments.
  std::visit(
      Overloaded{
          [&](const Constant& d) {
            require(nonneg(d.value_s), "constant value must be finite and >= 0");
            mean_ = d.value_s;
            scv_ = 0.0;
          },
          [&](const Exponential& d) {
            require(nonneg(d.mean_s), "exponential mean must be finite and >= 0");
            mean_ = d.mean_s;
            scv_ = d.mean_s > 0.0 ? 1.0 : 0.0;
          },
          [&](const Uniform& d) {
            require(nonneg(d.min_s) && nonneg(d.max_s) && d.min_s <= d.max_s,
                    "uniform bounds must satisfy 0 <= min <= max");
            mean_ = 0.5 * (d.min_s + d.max_s);
            const double width = d.max_s - d.min_s;
            scv_ = mean_ > 0.0 ? width * width / 12.0 / (mean_ * mean_) : 0.0;
          },
          [&](const Erlang& d) {
            require(d.k >= 1, "erlang k must be >= 1");
            require(nonneg(d.mean_s), "erlang mean must be finite and >= 0");
            aux_ = d.mean_s / d.k;  // mean of one phase
            mean_ = d.mean_s;
            scv_ = d.mean_s > 0.0 ? 1.0 / d.k : 0.0;
          },
          [&](const Gamma& d) {
            require(positive(d.shape), "gamma shape must be finite and > 0");
            require(nonneg(d.scale_s), "gamma scale must be finite and >= 0");
            mean_ = d.shape * d.scale_s;
            scv_ = d.scale_s > 0.0 ? 1.0 / d.shape : 0.0;
          },
          [&](const Lognormal& d) {
            require(std::isfinite(d.mu), "lognormal mu must be finite");
            require(nonneg(d.sigma), "lognormal sigma must be finite and >= 0");
            mean_ = std::exp(d.mu + 0.5 * d.sigma * d.sigma);
            scv_ = std::expm1(d.sigma * d.sigma);
          },
          [&](const Weibull& d) {
            require(positive(d.shape), "weibull shape must be finite and > 0");
            require(nonneg(d.scale_s), "weibull scale must be finite and >= 0");
            aux_ = 1.0 / d.shape;
            // mean = scale Gamma(1 + 1/k); scv = Gamma(1 + 2/k) / Gamma(1 + 1/k)^2 - 1, in logs so
            // that small shapes do not overflow, with expm1 so that large shapes keep precision.
            const double lg1 = std::lgamma(1.0 + aux_);
            mean_ = d.scale_s * std::exp(lg1);
            scv_ = d.scale_s > 0.0 ? std::expm1(std::lgamma(1.0 + 2.0 * aux_) - 2.0 * lg1) : 0.0;
          },
          [&](const Pareto& d) {
            require(positive(d.shape), "pareto shape must be finite and > 0");
            require(nonneg(d.scale_s), "pareto scale must be finite and >= 0");
            aux_ = -1.0 / d.shape;
            const double a = d.shape;
            if (d.scale_s == 0.0) {
              mean_ = 0.0;
              scv_ = 0.0;
            } else {
              mean_ = a > 1.0 ? a * d.scale_s / (a - 1.0) : kInf;
              // Var / mean^2 = [a / ((a-1)^2 (a-2))] / [a / (a-1)]^2 = 1 / (a (a-2)).
              scv_ = a > 2.0 ? 1.0 / (a * (a - 2.0)) : kInf;
            }
          },
          [&](const Hyperexponential& d) {
            require(d.probs.size() == d.means_s.size(),
                    "hyperexponential needs as many probabilities as means");
            cumulative_ = cumulative_weights(d.probs, "hyperexponential");
            double m1 = 0.0;
            double m2 = 0.0;
            for (std::size_t i = 0; i < d.means_s.size(); ++i) {
              require(nonneg(d.means_s[i]), "hyperexponential means must be finite and >= 0");
              const double p = cumulative_[i] - (i == 0 ? 0.0 : cumulative_[i - 1]);
              m1 += p * d.means_s[i];
              m2 += p * 2.0 * d.means_s[i] * d.means_s[i];  // E[X^2] of Exp(m) is 2 m^2
            }
            mean_ = m1;
            scv_ = scv_from(m1, m2);
          },
          [&](const Normal& d) {
            require(std::isfinite(d.mean_s), "normal mean must be finite");
            require(nonneg(d.sd_s), "normal sd must be finite and >= 0");
            if (d.sd_s == 0.0) {
              // Degenerate: a negative point mass can only be redrawn forever; it is clamped to 0.
              aux_ = 0.0;
              mean_ = std::max(0.0, d.mean_s);
              scv_ = 0.0;
              return;
            }
            const double b = d.mean_s / d.sd_s;
            aux_ = normal_cdf(b);  // P(untruncated draw >= 0), the mass that is kept
            if (aux_ < kMinNormalMass) {
              aux_ = 0.0;
              mean_ = 0.0;
              scv_ = 0.0;
              return;
            }
            // Normal(m, s) truncated to [0, inf): with lambda = phi(b) / Phi(b), b = m / s,
            // E = m + s lambda and Var = s^2 (1 - b lambda - lambda^2).
            const double lambda = normal_pdf(b) / aux_;
            mean_ = d.mean_s + d.sd_s * lambda;
            const double var = d.sd_s * d.sd_s * std::max(0.0, 1.0 - b * lambda - lambda * lambda);
            scv_ = mean_ > 0.0 ? var / (mean_ * mean_) : 0.0;
          },
          [&](const Empirical& d) {
            require(!d.samples_s.empty(), "empirical needs at least one sample");
            double sum = 0.0;
            for (double x : d.samples_s) {
              require(nonneg(x), "empirical samples must be finite and >= 0");
              sum += x;
            }
            const double n = static_cast<double>(d.samples_s.size());
            mean_ = sum / n;
            // Population variance: the empirical distribution puts mass 1/n on every sample.
            double ss = 0.0;
            for (double x : d.samples_s) ss += (x - mean_) * (x - mean_);
            scv_ = mean_ > 0.0 ? ss / n / (mean_ * mean_) : 0.0;
          },
          [&](const Mixture& d) {
            require(d.weights.size() == d.components.size(),
                    "mixture needs as many weights as components");
            cumulative_ = cumulative_weights(d.weights, "mixture");
            components_.reserve(d.components.size());
            double m1 = 0.0;
            double m2 = 0.0;
            for (std::size_t i = 0; i < d.components.size(); ++i) {
              const Distribution& c = components_.emplace_back(d.components[i]);
              const double w = cumulative_[i] - (i == 0 ? 0.0 : cumulative_[i - 1]);
              if (w == 0.0) continue;  // a weight-0 branch never contributes (even if infinite)
              m1 += w * c.mean();
              m2 += w * second_moment(c.mean(), c.scv());
            }
            mean_ = m1;
            scv_ = scv_from(m1, m2);
          },
      },
      spec_.v);
}

template <class Rng>
double Distribution::sample_general(Rng& rng) const {
  // Laws with an explicit inverse are drawn by inverting the survival function at one uniform u (a
  // larger u always gives a smaller draw), so that variants of a model keep their draws aligned.
  // Erlang, gamma and the branch choice of mixtures use more than one uniform.
  return std::visit(
      Overloaded{
          [&](const Constant& d) { return d.value_s; },
          [&](const Exponential& d) { return d.mean_s * -std::log(rng.uniform01()); },
          [&](const Uniform& d) { return d.max_s - (d.max_s - d.min_s) * rng.uniform01(); },
          [&](const Erlang& d) {
            if (d.k > kMaxProductPhases) {
              return aux_ * standard_gamma(d.k, rng);
            }
            // Sum of k exponentials = -(mean/k) log(u1 ... uk); the product is folded into a log
            // before it could underflow.
            double log_sum = 0.0;
            double product = 1.0;
            for (int i = 0; i < d.k; ++i) {
              product *= rng.uniform01();
              if (product < 1e-280) {
                log_sum += std::log(product);
                product = 1.0;
              }
            }
            return -aux_ * (log_sum + std::log(product));
          },
          [&](const Gamma& d) {
            if (d.scale_s == 0.0) return 0.0;
            return d.scale_s * standard_gamma(d.shape, rng);
          },
          [&](const Lognormal& d) {
            return std::exp(d.mu - d.sigma * normal_quantile(rng.uniform01()));
          },
          [&](const Weibull& d) { return d.scale_s * std::pow(-std::log(rng.uniform01()), aux_); },
          [&](const Pareto& d) { return d.scale_s * std::pow(rng.uniform01(), aux_); },
          [&](const Hyperexponential& d) {
            const std::size_t i = pick(cumulative_, rng.uniform01());
            return d.means_s[i] * -std::log(rng.uniform01());
          },
          [&](const Normal& d) {
            if (aux_ == 0.0) return mean_;  // degenerate (sd 0, or all mass far below 0)
            // Inversion of the normal truncated to [0, inf) (the law of "redraw negatives"): with
            // P = Phi(m/s) the kept mass, survival u maps to x = m - s Phi^{-1}(u P).
            const double x = d.mean_s - d.sd_s * normal_quantile(rng.uniform01() * aux_);
            return std::max(0.0, x);
          },
          [&](const Empirical& d) {
            const std::size_t n = d.samples_s.size();
            const auto i = static_cast<std::size_t>(rng.uniform01() * static_cast<double>(n));
            return d.samples_s[std::min(i, n - 1)];
          },
          [&](const Mixture&) {
            return components_[pick(cumulative_, rng.uniform01())].sample(rng);
          },
      },
      spec_.v);
}

template double Distribution::sample_general(sim::RandomStream&) const;
template double Distribution::sample_general(sim::KeyedRandom&) const;

double Distribution::mean() const {
  return mean_;
}

double Distribution::scv() const {
  return scv_;
}

double mean_of(const DistSpec& spec) {
  return Distribution(spec).mean();
}

}  // namespace capsim::dist
