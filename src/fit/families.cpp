/// \file The fitted families: their parameters on an unconstrained scale (for the optimiser),
/// CDF, log density and quantile (Boost.Math), and the model's `work` snippet.

#include <boost/math/distributions/exponential.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/weibull.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "families.hpp"

namespace capsim::fit {

std::string family_name(Family family) {
  switch (family) {
    case Family::exponential:
      return "exponential";
    case Family::gamma:
      return "gamma";
    case Family::lognormal:
      return "lognormal";
    case Family::weibull:
      return "weibull";
    case Family::mixture:
      return "mixture";
    case Family::mixture3:
      return "mixture3";
    case Family::empirical:
      return "empirical";
  }
  return "?";
}

namespace detail {

namespace bm = boost::math;

std::vector<double> natural(Family family, const std::vector<double>& t) {
  switch (family) {
    case Family::exponential:
      return {std::exp(t[0])};  // mean
    case Family::gamma:
    case Family::weibull:
      return {std::exp(t[0]), std::exp(t[1])};  // shape, scale
    case Family::lognormal:
      return {t[0], std::exp(t[1])};  // mu, sigma
    case Family::mixture: {
      const double w = 1.0 / (1.0 + std::exp(-t[0]));
      return {w, t[1], std::exp(t[2]), t[3], std::exp(t[4])};  // w, mu1, s1, mu2, s2
    }
    case Family::mixture3: {
      // Weights by softmax of (0, t0, t1).
      const double top = std::max({0.0, t[0], t[1]});
      const double e0 = std::exp(-top);
      const double e1 = std::exp(t[0] - top);
      const double e2 = std::exp(t[1] - top);
      const double sum = e0 + e1 + e2;
      return {e0 / sum, e1 / sum,       e2 / sum, t[2],          std::exp(t[3]),
              t[4],     std::exp(t[5]), t[6],     std::exp(t[7])};
    }
    case Family::empirical:
      break;
  }
  return {};
}

std::vector<double> unconstrained_mixture3(const std::vector<double>& p) {
  return {std::log(p[1] / p[0]),
          std::log(p[2] / p[0]),
          p[3],
          std::log(p[4]),
          p[5],
          std::log(p[6]),
          p[7],
          std::log(p[8])};
}

std::vector<double> initial(Family family, double mean_s, double cv) {
  cv = std::clamp(cv, 0.05, 20.0);
  const double s2 = std::log(1 + cv * cv);
  const double mu = std::log(mean_s) - s2 / 2;
  switch (family) {
    case Family::exponential:
      return {std::log(mean_s)};
    case Family::gamma:
      return {std::log(1 / (cv * cv)), std::log(mean_s * cv * cv)};
    case Family::lognormal:
      return {mu, 0.5 * std::log(s2)};
    case Family::weibull: {
      const double k = std::pow(cv, -1.086);
      return {std::log(k), std::log(mean_s / bm::tgamma(1 + 1 / k))};
    }
    case Family::mixture: {
      const double s = std::sqrt(s2);
      return {0.0, mu - s, std::log(s / 2), mu + s, std::log(s / 2)};
    }
    case Family::mixture3: {
      const double s = std::sqrt(s2);
      return {0.0,          0.0,
              mu - 1.5 * s, std::log(s / 3),
              mu,           std::log(s / 3),
              mu + 1.5 * s, std::log(s / 3)};
    }
    case Family::empirical:
      break;
  }
  return {};
}

namespace {

bool valid(const std::vector<double>& p) {
  for (double x : p) {
    if (!std::isfinite(x)) return false;
  }
  return true;
}

}  // namespace

bool plausible_mixture(Family family, const std::vector<double>& p) {
  std::vector<double> sigmas;
  if (family == Family::mixture) sigmas = {p[2], p[4]};
  if (family == Family::mixture3) sigmas = {p[4], p[6], p[8]};
  return std::all_of(sigmas.begin(), sigmas.end(),
                     [](double sigma) { return sigma <= kMaxComponentSigma; });
}

double cdf(Family family, const std::vector<double>& p, double x) {
  if (!(x > 0)) return 0.0;
  if (x == std::numeric_limits<double>::infinity()) return 1.0;
  switch (family) {
    case Family::exponential:
      return bm::cdf(bm::exponential_distribution<>(1 / p[0]), x);
    case Family::gamma:
      return bm::cdf(bm::gamma_distribution<>(p[0], p[1]), x);
    case Family::lognormal:
      return bm::cdf(bm::lognormal_distribution<>(p[0], p[1]), x);
    case Family::weibull:
      return bm::cdf(bm::weibull_distribution<>(p[0], p[1]), x);
    case Family::mixture:
      return p[0] * bm::cdf(bm::lognormal_distribution<>(p[1], p[2]), x) +
             (1 - p[0]) * bm::cdf(bm::lognormal_distribution<>(p[3], p[4]), x);
    case Family::mixture3: {
      double f = 0;
      for (int i = 0; i < 3; ++i) {
        f += p[i] * bm::cdf(bm::lognormal_distribution<>(p[3 + 2 * i], p[4 + 2 * i]), x);
      }
      return f;
    }
    case Family::empirical:
      break;
  }
  return 0.0;
}

double log_pdf(Family family, const std::vector<double>& p, double x) {
  // Closed forms (a fit evaluates them millions of times); lgamma from Boost.Math.
  constexpr double half_log_2pi = 0.9189385332046728;
  const double log_x = std::log(x);
  const auto log_lognormal = [&](double mu, double sigma) {
    const double z = (log_x - mu) / sigma;
    return -0.5 * z * z - log_x - std::log(sigma) - half_log_2pi;
  };
  switch (family) {
    case Family::exponential:
      return -std::log(p[0]) - x / p[0];
    case Family::gamma:
      return (p[0] - 1) * log_x - x / p[1] - bm::lgamma(p[0]) - p[0] * std::log(p[1]);
    case Family::lognormal:
      return log_lognormal(p[0], p[1]);
    case Family::weibull: {
      const double log_ratio = log_x - std::log(p[1]);
      return std::log(p[0]) - std::log(p[1]) + (p[0] - 1) * log_ratio - std::exp(p[0] * log_ratio);
    }
    case Family::mixture: {
      const double a = std::log(p[0]) + log_lognormal(p[1], p[2]);
      const double b = std::log1p(-p[0]) + log_lognormal(p[3], p[4]);
      const double top = std::max(a, b);
      return top + std::log(std::exp(a - top) + std::exp(b - top));
    }
    case Family::mixture3: {
      std::array<double, 3> terms{};
      for (int i = 0; i < 3; ++i) {
        terms[i] = std::log(p[i]) + log_lognormal(p[3 + 2 * i], p[4 + 2 * i]);
      }
      const double top = *std::max_element(terms.begin(), terms.end());
      double sum = 0;
      for (double t : terms) sum += std::exp(t - top);
      return top + std::log(sum);
    }
    case Family::empirical:
      break;
  }
  return 0.0;
}

double quantile(Family family, const std::vector<double>& p, double q) {
  switch (family) {
    case Family::exponential:
      return bm::quantile(bm::exponential_distribution<>(1 / p[0]), q);
    case Family::gamma:
      return bm::quantile(bm::gamma_distribution<>(p[0], p[1]), q);
    case Family::lognormal:
      return bm::quantile(bm::lognormal_distribution<>(p[0], p[1]), q);
    case Family::weibull:
      return bm::quantile(bm::weibull_distribution<>(p[0], p[1]), q);
    case Family::mixture: {
      // Bisection on ln x between the components' own quantiles, which bracket the mixture's.
      const double a = bm::quantile(bm::lognormal_distribution<>(p[1], p[2]), q);
      const double b = bm::quantile(bm::lognormal_distribution<>(p[3], p[4]), q);
      double lo = std::log(std::min(a, b));
      double hi = std::log(std::max(a, b));
      for (int i = 0; i < 100 && hi - lo > 1e-12; ++i) {
        const double mid = 0.5 * (lo + hi);
        (cdf(family, p, std::exp(mid)) < q ? lo : hi) = mid;
      }
      return std::exp(0.5 * (lo + hi));
    }
    case Family::mixture3: {
      // As for two: the components' own quantiles bracket the mixture's.
      double lo = std::numeric_limits<double>::infinity();
      double hi = -lo;
      for (int i = 0; i < 3; ++i) {
        const double x =
            std::log(bm::quantile(bm::lognormal_distribution<>(p[3 + 2 * i], p[4 + 2 * i]), q));
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      }
      for (int i = 0; i < 100 && hi - lo > 1e-12; ++i) {
        const double mid = 0.5 * (lo + hi);
        (cdf(family, p, std::exp(mid)) < q ? lo : hi) = mid;
      }
      return std::exp(0.5 * (lo + hi));
    }
    case Family::empirical:
      break;
  }
  return 0.0;
}

bool usable(Family family, const std::vector<double>& p) {
  if (!valid(p)) return false;
  switch (family) {
    case Family::exponential:
      return p[0] > 0;
    case Family::gamma:
    case Family::weibull:
      return p[0] > 1e-3 && p[0] < 1e4 && p[1] > 0;
    case Family::lognormal:
      return p[1] > 1e-6 && p[1] < 20;
    case Family::mixture:
      return p[0] > 1e-4 && p[0] < 1 - 1e-4 && p[2] > 1e-6 && p[2] < 20 && p[4] > 1e-6 && p[4] < 20;
    case Family::mixture3:
      for (int i = 0; i < 3; ++i) {
        if (!(p[i] > 1e-4 && p[4 + 2 * i] > 1e-6 && p[4 + 2 * i] < 20)) return false;
      }
      return true;
    case Family::empirical:
      return true;
  }
  return false;
}

std::string duration_text(double seconds) {
  std::array<char, 48> buffer{};
  if (seconds >= 1) {
    std::snprintf(buffer.data(), buffer.size(), "%.6gs", seconds);
  } else if (seconds >= 1e-3) {
    std::snprintf(buffer.data(), buffer.size(), "%.6gms", seconds * 1e3);
  } else {
    std::snprintf(buffer.data(), buffer.size(), "%.6gus", seconds * 1e6);
  }
  return buffer.data();
}

double rounded(double x) {
  std::array<char, 48> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.6g", x);
  return std::strtod(buffer.data(), nullptr);
}

Json work(Family family, const std::vector<double>& p, const std::string& empirical_file) {
  Json w = Json::object();
  w["dist"] = family == Family::mixture3 ? "mixture" : family_name(family);
  switch (family) {
    case Family::exponential:
      w["mean"] = duration_text(p[0]);
      break;
    case Family::gamma:
    case Family::weibull:
      w["shape"] = rounded(p[0]);
      w["scale"] = duration_text(p[1]);
      break;
    case Family::lognormal:
      w["mu"] = rounded(p[0]);
      w["sigma"] = rounded(p[1]);
      break;
    case Family::mixture: {
      Json components = Json::array();
      for (int i = 0; i < 2; ++i) {
        Json c = Json::object();
        c["weight"] = rounded(i == 0 ? p[0] : 1 - p[0]);
        c["dist"] = "lognormal";
        c["mu"] = rounded(p[1 + 2 * i]);
        c["sigma"] = rounded(p[2 + 2 * i]);
        components.push_back(std::move(c));
      }
      w["components"] = std::move(components);
      break;
    }
    case Family::mixture3: {
      Json components = Json::array();
      for (int i = 0; i < 3; ++i) {
        Json c = Json::object();
        c["weight"] = rounded(p[i]);
        c["dist"] = "lognormal";
        c["mu"] = rounded(p[3 + 2 * i]);
        c["sigma"] = rounded(p[4 + 2 * i]);
        components.push_back(std::move(c));
      }
      w["components"] = std::move(components);
      break;
    }
    case Family::empirical:
      w["file"] = empirical_file;
      break;
  }
  return w;
}

}  // namespace detail

}  // namespace capsim::fit
