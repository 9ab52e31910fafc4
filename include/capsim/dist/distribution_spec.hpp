#pragma once
/// \file Distribution specifications: plain values produced by model loading, consumed by
/// dist::Distribution. All times are in seconds.

#include <variant>
#include <vector>

namespace capsim::dist {

struct DistSpec;

struct Constant {
  double value_s = 0.0;
};
struct Exponential {
  double mean_s = 0.0;
};
struct Uniform {
  double min_s = 0.0;
  double max_s = 0.0;
};
struct Erlang {
  int k = 1;
  double mean_s = 0.0;  ///< mean of the whole Erlang variable (k phases of mean mean_s / k)
};
struct Gamma {
  double shape = 1.0;
  double scale_s = 0.0;
};
/// log(X) ~ Normal(mu, sigma), X in seconds. Every parameterisation (mean/cv, p50/p99) is
/// converted to (mu, sigma) by the loader.
struct Lognormal {
  double mu = 0.0;
  double sigma = 0.0;
};
struct Weibull {
  double shape = 1.0;
  double scale_s = 0.0;
};
/// Pareto type I: P(X > x) = (scale / x)^shape for x >= scale.
struct Pareto {
  double shape = 1.0;
  double scale_s = 0.0;
};
struct Hyperexponential {
  std::vector<double> probs;  ///< sum to 1 (normalised by the loader)
  std::vector<double> means_s;
};
/// Normal(mean, sd) truncated at 0: negative draws are redrawn.
struct Normal {
  double mean_s = 0.0;
  double sd_s = 0.0;
};
/// Draws uniformly among the samples (the empirical distribution function).
struct Empirical {
  std::vector<double> samples_s;
};
struct Mixture {
  std::vector<double> weights;  ///< sum to 1 (normalised by the loader)
  std::vector<DistSpec> components;
};

using DistVariant = std::variant<Constant, Exponential, Uniform, Erlang, Gamma, Lognormal, Weibull,
                                 Pareto, Hyperexponential, Normal, Empirical, Mixture>;

struct DistSpec {
  DistVariant v = Constant{};
};

}  // namespace capsim::dist
