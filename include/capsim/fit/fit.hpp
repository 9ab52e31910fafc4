#pragma once
/// \file Fitting a service-time distribution to observed latencies (`capsim fit`): raw samples,
/// a cumulative histogram (Prometheus buckets) or summary percentiles (k6) in, each candidate's
/// goodness of fit and percentiles out, and the chosen one as a model `work` snippet.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace capsim::fit {

using Json = nlohmann::ordered_json;

/// What was observed, in seconds. Exactly one of the three is filled (by `kind`).
struct Observations {
  enum class Kind { samples, histogram, percentiles };
  Kind kind = Kind::samples;
  std::vector<double> samples_s;  ///< raw latencies, each > 0
  /// Cumulative buckets (upper bound in seconds, count of observations <= it), increasing in
  /// both; the last bound may be +infinity (Prometheus `le="+Inf"`).
  std::vector<std::pair<double, double>> buckets;
  /// (probability in (0, 1), latency in seconds), increasing in both.
  std::vector<std::pair<double, double>> percentiles;
  std::string source;  ///< what was read, for the report
};

/// The families fitted.
/// `mixture`: two lognormals; `mixture3`: three (written as a `mixture` of three components).
enum class Family { exponential, gamma, lognormal, weibull, mixture, mixture3, empirical };
std::string family_name(Family family);

/// One fitted candidate.
struct Candidate {
  Family family = Family::exponential;
  std::vector<double> parameters;   ///< natural parameters (see parameter_text)
  double statistic = 0;             ///< goodness of fit: smaller is better (see statistic_name)
  double aic = 0;                   ///< 2k - 2 ln L (samples; a histogram's binned likelihood)
  std::vector<double> quantiles_s;  ///< at FitResult::probabilities
  Json work;                        ///< the model's `work` object for this candidate
};

struct FitResult {
  /// "KS" (samples: Kolmogorov-Smirnov D), "chi-square" (histogram: Pearson's statistic over
  /// the buckets) or "max |log error|" (percentiles: the largest |ln(fitted / observed)|).
  std::string statistic_name;
  std::vector<double> probabilities;  ///< 0.5, 0.9, 0.95, 0.99 (and the input's own, k6)
  std::vector<double> observed_s;     ///< the observed quantiles at `probabilities`
  std::vector<Candidate> candidates;  ///< in the order of Family
  std::size_t chosen = 0;             ///< index into candidates
  /// The best family by the rule above before any fall-back to empirical (== chosen when the
  /// choice is a family): what a model that cannot name a file of samples uses.
  std::size_t best_family = 0;
  std::string reason;     ///< why that one
  std::size_t count = 0;  ///< observations (samples or histogram total)
};

/// Fits every family that the input supports (empirical: samples only) and chooses: samples and
/// histograms by AIC (a mixture only when more than 10 below every family with fewer components,
/// no worse by the statistic, and with no component a spike or absurdly wide), samples
/// falling back to empirical when even the best KS D exceeds the 1% critical value
/// 1.63 / sqrt(n); percentiles by the percentile error. Parameters
/// are maximum likelihood (samples; binned likelihood for a histogram) or least squares on
/// ln(quantile) (percentiles), found by Nelder-Mead from moment estimates. Deterministic.
/// `empirical_file` is the `file` the empirical candidate's snippet names.
FitResult fit(const Observations& observations, const std::string& empirical_file = {});

/// The fitted distribution's quantile (seconds) at probability p.
double quantile(const Candidate& candidate, double p);
/// Its cumulative distribution function at x seconds.
double cdf(const Candidate& candidate, double x_s);

}  // namespace capsim::fit
