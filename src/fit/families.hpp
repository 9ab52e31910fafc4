#pragma once
/// \file Internal to src/fit: each family's parameters, distribution functions and snippet.
/// Parameters: exponential {mean_s}; gamma and weibull {shape, scale_s}; lognormal {mu, sigma}
/// of ln(seconds); mixture {w, mu1, sigma1, mu2, sigma2} (two lognormals, weights w and 1 - w);
/// mixture3 {w1, w2, w3, mu1, sigma1, mu2, sigma2, mu3, sigma3} (three lognormals).

#include <array>
#include <string>
#include <vector>

#include "capsim/fit/fit.hpp"

namespace capsim::fit::detail {

/// The natural parameters from the optimiser's unconstrained ones (logs, a logit).
std::vector<double> natural(Family family, const std::vector<double>& unconstrained);
/// Unconstrained starting values matching a mean and a coefficient of variation.
std::vector<double> initial(Family family, double mean_s, double cv);
/// The optimiser's parameters of natural ones (the inverse of `natural`; mixture3 only).
std::vector<double> unconstrained_mixture3(const std::vector<double>& natural);
/// Whether the natural parameters are in the range where Boost.Math evaluates them.
bool usable(Family family, const std::vector<double>& parameters);

/// Whether a mixture's components are all plausible service times: none absurdly wide (sigma
/// above kMaxComponentSigma: p99 over 1000x its median, a mean that one rare draw dominates).
/// True for every other family. (A narrow component is plausible: a fixed-cost path.)
bool plausible_mixture(Family family, const std::vector<double>& parameters);
inline constexpr double kMaxComponentSigma = 3.0;

double cdf(Family family, const std::vector<double>& parameters, double x_s);
double log_pdf(Family family, const std::vector<double>& parameters, double x_s);
double quantile(Family family, const std::vector<double>& parameters, double p);

/// The `work` object of the model format (durations as text such as "12.5ms").
Json work(Family family, const std::vector<double>& parameters, const std::string& empirical_file);
std::string duration_text(double seconds);

}  // namespace capsim::fit::detail
