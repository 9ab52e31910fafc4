// The scale and spread moves of `capsim calibrate` on a work distribution (work_shape.hpp).

#include "work_shape.hpp"

#include <algorithm>
#include <boost/math/distributions/gamma.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace capsim::fit::detail {

namespace {

using model::Json;

/// The median of Gamma(shape, scale 1), from Boost.Math.
double gamma_median(double shape) {
  return boost::math::quantile(boost::math::gamma_distribution<double>(shape, 1.0), 0.5);
}

// Below this shape (cv 4.5) the median of a gamma, about 2^(-1 / shape), leaves the doubles a
// search can divide by; a spread does not take a gamma's shape below it (or below its own).
constexpr double min_gamma_shape = 0.05;

/// A gamma of shape `shape` / s^2 with the median of Gamma(shape, scale_s).
dist::Gamma spread_gamma(double shape, double scale_s, double s) {
  const double median_s = scale_s * gamma_median(shape);
  dist::Gamma g;
  g.shape = std::max(shape / (s * s), std::min(shape, min_gamma_shape));
  g.scale_s = median_s / gamma_median(g.shape);
  return g;
}

double median_of(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  const std::size_t n = samples.size();
  return n % 2 == 1 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
}

Json rounded(const Json& j) {
  if (j.is_number_float()) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", j.get<double>());
    return std::strtod(buffer, nullptr);
  }
  if (j.is_array() || j.is_object()) {
    Json out = j;
    for (auto& v : out) v = rounded(v);
    return out;
  }
  return j;
}

}  // namespace

void scale(dist::DistSpec& d, double c) {
  std::visit(
      [c](auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, dist::Constant>) {
          v.value_s *= c;
        } else if constexpr (std::is_same_v<T, dist::Exponential> ||
                             std::is_same_v<T, dist::Erlang>) {
          v.mean_s *= c;
        } else if constexpr (std::is_same_v<T, dist::Uniform>) {
          v.min_s *= c;
          v.max_s *= c;
        } else if constexpr (std::is_same_v<T, dist::Gamma> || std::is_same_v<T, dist::Weibull> ||
                             std::is_same_v<T, dist::Pareto>) {
          v.scale_s *= c;
        } else if constexpr (std::is_same_v<T, dist::Lognormal>) {
          v.mu += std::log(c);
        } else if constexpr (std::is_same_v<T, dist::Hyperexponential>) {
          for (double& m : v.means_s) m *= c;
        } else if constexpr (std::is_same_v<T, dist::Normal>) {
          v.mean_s *= c;
          v.sd_s *= c;
        } else if constexpr (std::is_same_v<T, dist::Empirical>) {
          for (double& x : v.samples_s) x *= c;
        } else {
          for (dist::DistSpec& component : v.components) scale(component, c);
        }
      },
      d.v);
}

bool has_spread(const dist::DistSpec& d) {
  if (const auto* m = std::get_if<dist::Mixture>(&d.v)) {
    return std::any_of(m->components.begin(), m->components.end(), has_spread);
  }
  return !std::holds_alternative<dist::Constant>(d.v) &&
         !std::holds_alternative<dist::Hyperexponential>(d.v);
}

void spread(dist::DistSpec& d, double s) {
  if (s == 1.0) return;
  std::visit(
      [&d, s](auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, dist::Exponential>) {
          // Exponential(mean) is Gamma(1, mean).
          d.v = spread_gamma(1.0, v.mean_s, s);
        } else if constexpr (std::is_same_v<T, dist::Erlang>) {
          d.v = spread_gamma(v.k, v.mean_s / v.k, s);
        } else if constexpr (std::is_same_v<T, dist::Gamma>) {
          v = spread_gamma(v.shape, v.scale_s, s);
        } else if constexpr (std::is_same_v<T, dist::Uniform>) {
          const double mid_s = 0.5 * (v.min_s + v.max_s);
          const double half_s = std::min(0.5 * (v.max_s - v.min_s) * s, mid_s);
          v.min_s = mid_s - half_s;
          v.max_s = mid_s + half_s;
        } else if constexpr (std::is_same_v<T, dist::Lognormal>) {
          v.sigma *= s;
        } else if constexpr (std::is_same_v<T, dist::Weibull>) {
          // median = scale ln(2)^(1/shape)
          const double median_s = v.scale_s * std::pow(std::log(2.0), 1.0 / v.shape);
          v.shape /= s;
          v.scale_s = median_s / std::pow(std::log(2.0), 1.0 / v.shape);
        } else if constexpr (std::is_same_v<T, dist::Pareto>) {
          // median = scale 2^(1/shape)
          const double median_s = v.scale_s * std::pow(2.0, 1.0 / v.shape);
          v.shape /= s;
          v.scale_s = median_s / std::pow(2.0, 1.0 / v.shape);
        } else if constexpr (std::is_same_v<T, dist::Normal>) {
          v.sd_s *= s;
        } else if constexpr (std::is_same_v<T, dist::Empirical>) {
          const double median_s = median_of(v.samples_s);
          if (median_s > 0.0) {
            for (double& x : v.samples_s) {
              if (x > 0.0) x = median_s * std::pow(x / median_s, s);
            }
          }
        } else if constexpr (std::is_same_v<T, dist::Mixture>) {
          for (dist::DistSpec& component : v.components) spread(component, s);
        }
        // Constant and hyperexponential: no spread to change.
      },
      d.v);
}

Json to_json(const dist::DistSpec& d) {
  return std::visit(
      [](const auto& v) -> Json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, dist::Constant>) {
          return v.value_s;
        } else if constexpr (std::is_same_v<T, dist::Exponential>) {
          return {{"dist", "exponential"}, {"mean", v.mean_s}};
        } else if constexpr (std::is_same_v<T, dist::Uniform>) {
          return {{"dist", "uniform"}, {"min", v.min_s}, {"max", v.max_s}};
        } else if constexpr (std::is_same_v<T, dist::Erlang>) {
          return {{"dist", "erlang"}, {"k", v.k}, {"mean", v.mean_s}};
        } else if constexpr (std::is_same_v<T, dist::Gamma>) {
          return {{"dist", "gamma"}, {"shape", v.shape}, {"scale", v.scale_s}};
        } else if constexpr (std::is_same_v<T, dist::Lognormal>) {
          return {{"dist", "lognormal"}, {"mu", v.mu}, {"sigma", v.sigma}};
        } else if constexpr (std::is_same_v<T, dist::Weibull>) {
          return {{"dist", "weibull"}, {"shape", v.shape}, {"scale", v.scale_s}};
        } else if constexpr (std::is_same_v<T, dist::Pareto>) {
          return {{"dist", "pareto"}, {"shape", v.shape}, {"scale", v.scale_s}};
        } else if constexpr (std::is_same_v<T, dist::Hyperexponential>) {
          return {{"dist", "hyperexponential"}, {"probs", v.probs}, {"means", v.means_s}};
        } else if constexpr (std::is_same_v<T, dist::Normal>) {
          return {{"dist", "normal"}, {"mean", v.mean_s}, {"sd", v.sd_s}};
        } else if constexpr (std::is_same_v<T, dist::Empirical>) {
          return {{"dist", "empirical"}, {"samples", v.samples_s}};
        } else {
          Json components = Json::array();
          for (std::size_t i = 0; i < v.components.size(); ++i) {
            Json c = to_json(v.components[i]);
            if (!c.is_object()) c = {{"dist", "constant"}, {"value", c}};
            c["weight"] = v.weights[i];
            components.push_back(std::move(c));
          }
          return {{"dist", "mixture"}, {"components", std::move(components)}};
        }
      },
      d.v);
}

Json to_json_rounded(const dist::DistSpec& d) {
  return rounded(to_json(d));
}

}  // namespace capsim::fit::detail
