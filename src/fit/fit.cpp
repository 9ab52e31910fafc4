/// \file Fitting (capsim::fit::fit): a loss per kind of input minimised by Nelder-Mead, goodness
/// of fit, and the choice among candidates.

#include "capsim/fit/fit.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include "families.hpp"

namespace capsim::fit {

namespace {

using detail::natural;
constexpr double kBad = 1e300;

/// Nelder-Mead (reflection 1, expansion 2, contraction 0.5, shrink 0.5) from `start`, with an
/// initial step of 0.5 in every coordinate; restarted once from its result.
std::vector<double> minimise(const std::function<double(const std::vector<double>&)>& f,
                             std::vector<double> start) {
  const std::size_t n = start.size();
  for (int restart = 0; restart < 2; ++restart) {
    std::vector<std::vector<double>> simplex(n + 1, start);
    for (std::size_t i = 0; i < n; ++i) simplex[i + 1][i] += 0.5;
    std::vector<double> value(n + 1);
    for (std::size_t i = 0; i <= n; ++i) value[i] = f(simplex[i]);
    for (int iteration = 0; iteration < 400 * static_cast<int>(n); ++iteration) {
      std::vector<std::size_t> order(n + 1);
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(),
                [&](std::size_t a, std::size_t b) { return value[a] < value[b]; });
      const std::size_t best = order[0];
      const std::size_t worst = order[n];
      const std::size_t second = order[n - 1];
      if (std::fabs(value[worst] - value[best]) <= 1e-10 * (std::fabs(value[best]) + 1e-10)) break;
      std::vector<double> centre(n, 0.0);
      for (std::size_t i = 0; i <= n; ++i) {
        if (i == worst) continue;
        for (std::size_t k = 0; k < n; ++k) centre[k] += simplex[i][k] / static_cast<double>(n);
      }
      const auto along = [&](double t) {
        std::vector<double> x(n);
        for (std::size_t k = 0; k < n; ++k) x[k] = centre[k] + t * (simplex[worst][k] - centre[k]);
        return x;
      };
      const std::vector<double> reflected = along(-1.0);
      const double fr = f(reflected);
      if (fr < value[best]) {
        const std::vector<double> expanded = along(-2.0);
        const double fe = f(expanded);
        if (fe < fr) {
          simplex[worst] = expanded;
          value[worst] = fe;
        } else {
          simplex[worst] = reflected;
          value[worst] = fr;
        }
      } else if (fr < value[second]) {
        simplex[worst] = reflected;
        value[worst] = fr;
      } else {
        const std::vector<double> contracted = along(fr < value[worst] ? -0.5 : 0.5);
        const double fc = f(contracted);
        if (fc < std::min(fr, value[worst])) {
          simplex[worst] = contracted;
          value[worst] = fc;
        } else {
          for (std::size_t i = 0; i <= n; ++i) {
            if (i == best) continue;
            for (std::size_t k = 0; k < n; ++k) {
              simplex[i][k] = simplex[best][k] + 0.5 * (simplex[i][k] - simplex[best][k]);
            }
            value[i] = f(simplex[i]);
          }
        }
      }
    }
    start = simplex[static_cast<std::size_t>(std::min_element(value.begin(), value.end()) -
                                             value.begin())];
  }
  return start;
}

/// The empirical quantile of sorted samples (linear interpolation, type 7).
double sample_quantile(const std::vector<double>& sorted, double p) {
  const double h = (static_cast<double>(sorted.size()) - 1) * p;
  const auto i = static_cast<std::size_t>(std::floor(h));
  if (i + 1 >= sorted.size()) return sorted.back();
  return sorted[i] + (h - static_cast<double>(i)) * (sorted[i + 1] - sorted[i]);
}

/// A quantile of cumulative buckets, interpolating linearly within the bucket (as Prometheus's
/// histogram_quantile does); the lowest bucket starts at 0.
double bucket_quantile(const std::vector<std::pair<double, double>>& buckets, double p) {
  const double total = buckets.back().second;
  const double rank = p * total;
  double lower = 0;
  double below = 0;
  for (const auto& [upper, count] : buckets) {
    if (count >= rank) {
      if (std::isinf(upper)) return lower;  // as histogram_quantile: the last finite bound
      if (count == below) return upper;
      return lower + (upper - lower) * (rank - below) / (count - below);
    }
    lower = upper;
    below = count;
  }
  return lower;
}

/// Mean and coefficient of variation to start from.
std::pair<double, double> moments(const Observations& o) {
  if (o.kind == Observations::Kind::samples) {
    double sum = 0;
    double sum2 = 0;
    for (double x : o.samples_s) {
      sum += x;
      sum2 += x * x;
    }
    const double n = static_cast<double>(o.samples_s.size());
    const double mean = sum / n;
    const double var = std::max(sum2 / n - mean * mean, 1e-12 * mean * mean);
    return {mean, std::sqrt(var) / mean};
  }
  if (o.kind == Observations::Kind::histogram) {
    double sum = 0;
    double sum2 = 0;
    double lower = 0;
    double below = 0;
    for (const auto& [upper, count] : o.buckets) {
      const double mid = std::isinf(upper) ? lower * 1.5 : 0.5 * (lower + upper);
      sum += (count - below) * mid;
      sum2 += (count - below) * mid * mid;
      lower = std::isinf(upper) ? lower : upper;
      below = count;
    }
    const double n = o.buckets.back().second;
    const double mean = sum / n;
    const double var = std::max(sum2 / n - mean * mean, 1e-4 * mean * mean);
    return {mean, std::sqrt(var) / mean};
  }
  // Percentiles: a lognormal through the median and the highest percentile.
  const auto& [p_lo, x_lo] = o.percentiles.front();
  const auto& [p_hi, x_hi] = o.percentiles.back();
  const auto probit = [](double p) {
    // The standard normal quantile by bisection: only a starting point needs it.
    double lo = -10;
    double hi = 10;
    for (int i = 0; i < 80; ++i) {
      const double mid = 0.5 * (lo + hi);
      (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
  };
  const double dz = probit(p_hi) - probit(p_lo);
  const double sigma = dz > 1e-6 && x_hi > x_lo ? std::log(x_hi / x_lo) / dz : 0.5;
  const double mu = std::log(x_lo) - sigma * probit(p_lo);
  const double mean = std::exp(mu + sigma * sigma / 2);
  return {mean, std::sqrt(std::exp(sigma * sigma) - 1)};
}

/// Three lognormals fitted to samples by expectation-maximisation on ln x (a lognormal mixture's
/// likelihood is a normal mixture's on the logarithms, less the sum of ln x): the maximum
/// likelihood that Nelder-Mead, in eight dimensions, would often miss. Starts from the thirds
/// of the sorted logarithms. Returns the natural parameters (families.hpp).
std::vector<double> three_lognormals_by_em(const std::vector<double>& sorted_s) {
  const std::size_t n = sorted_s.size();
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = std::log(sorted_s[i]);
  std::array<double, 3> w{};
  std::array<double, 3> mu{};
  std::array<double, 3> sigma{};
  for (std::size_t k = 0; k < 3; ++k) {
    const std::size_t begin = k * n / 3;
    const std::size_t end = (k + 1) * n / 3;
    double sum = 0;
    double sum2 = 0;
    for (std::size_t i = begin; i < end; ++i) {
      sum += y[i];
      sum2 += y[i] * y[i];
    }
    const double count = static_cast<double>(end - begin);
    w[k] = 1.0 / 3;
    mu[k] = sum / count;
    sigma[k] = std::sqrt(std::max(sum2 / count - mu[k] * mu[k], 1e-6));
  }
  constexpr double kMinSigma = 1e-3;
  double last = -std::numeric_limits<double>::infinity();
  std::vector<std::array<double, 3>> r(n);
  for (int iteration = 0; iteration < 500; ++iteration) {
    double log_likelihood = 0;
    for (std::size_t i = 0; i < n; ++i) {
      std::array<double, 3> t{};
      for (std::size_t k = 0; k < 3; ++k) {
        const double z = (y[i] - mu[k]) / sigma[k];
        t[k] = std::log(w[k]) - std::log(sigma[k]) - 0.5 * z * z;
      }
      const double top = std::max({t[0], t[1], t[2]});
      double sum = 0;
      for (std::size_t k = 0; k < 3; ++k) sum += (r[i][k] = std::exp(t[k] - top));
      for (std::size_t k = 0; k < 3; ++k) r[i][k] /= sum;
      log_likelihood += top + std::log(sum);
    }
    for (std::size_t k = 0; k < 3; ++k) {
      double weight = 0;
      double sum = 0;
      for (std::size_t i = 0; i < n; ++i) {
        weight += r[i][k];
        sum += r[i][k] * y[i];
      }
      weight = std::max(weight, 1e-9);
      mu[k] = sum / weight;
      double sum2 = 0;
      for (std::size_t i = 0; i < n; ++i) sum2 += r[i][k] * (y[i] - mu[k]) * (y[i] - mu[k]);
      sigma[k] = std::max(std::sqrt(sum2 / weight), kMinSigma);
      w[k] = std::clamp(weight / static_cast<double>(n), 1e-3, 1.0);
    }
    const double total = w[0] + w[1] + w[2];
    for (double& v : w) v /= total;
    if (log_likelihood - last < 1e-10 * std::fabs(log_likelihood)) break;
    last = log_likelihood;
  }
  return {w[0], w[1], w[2], mu[0], sigma[0], mu[1], sigma[1], mu[2], sigma[2]};
}

std::size_t parameter_count(Family family) {
  switch (family) {
    case Family::exponential:
      return 1;
    case Family::mixture:
      return 5;
    case Family::mixture3:
      return 8;
    default:
      return 2;
  }
}

}  // namespace

double quantile(const Candidate& c, double p) {
  if (c.family == Family::empirical) return 0.0;
  return detail::quantile(c.family, c.parameters, p);
}

double cdf(const Candidate& c, double x_s) {
  return detail::cdf(c.family, c.parameters, x_s);
}

FitResult fit(const Observations& o, const std::string& empirical_file) {
  FitResult r;
  r.probabilities = {0.5, 0.9, 0.95, 0.99};
  if (o.kind == Observations::Kind::percentiles) {
    for (const auto& [p, x] : o.percentiles) {
      if (std::find(r.probabilities.begin(), r.probabilities.end(), p) == r.probabilities.end()) {
        r.probabilities.push_back(p);
      }
    }
    std::sort(r.probabilities.begin(), r.probabilities.end());
  }
  std::vector<double> sorted = o.samples_s;
  std::sort(sorted.begin(), sorted.end());
  for (double p : r.probabilities) {
    double observed = std::numeric_limits<double>::quiet_NaN();
    if (o.kind == Observations::Kind::samples) observed = sample_quantile(sorted, p);
    if (o.kind == Observations::Kind::histogram) observed = bucket_quantile(o.buckets, p);
    for (const auto& [q, x] : o.percentiles) {
      if (q == p) observed = x;
    }
    r.observed_s.push_back(observed);
  }
  r.count = o.kind == Observations::Kind::samples ? o.samples_s.size()
            : o.kind == Observations::Kind::histogram
                ? static_cast<std::size_t>(o.buckets.back().second)
                : 0;
  r.statistic_name = o.kind == Observations::Kind::samples     ? "KS"
                     : o.kind == Observations::Kind::histogram ? "chi-square"
                                                               : "max |log error|";
  const auto [mean, cv] = moments(o);

  std::vector<Family> families = {Family::exponential, Family::gamma, Family::lognormal,
                                  Family::weibull, Family::mixture};
  // Percentiles alone cannot identify five parameters from a few points.
  if (o.kind == Observations::Kind::percentiles && o.percentiles.size() < 6) families.pop_back();
  // Three components (eight parameters) from 30 samples or more, or a histogram of at least 16
  // buckets.
  if ((o.kind == Observations::Kind::samples && o.samples_s.size() >= 30) ||
      (o.kind == Observations::Kind::histogram && o.buckets.size() >= 16)) {
    families.push_back(Family::mixture3);
  }
  for (const Family family : families) {
    const auto loss = [&](const std::vector<double>& t) {
      const std::vector<double> p = natural(family, t);
      if (!detail::usable(family, p)) return kBad;
      double total = 0;
      if (o.kind == Observations::Kind::samples) {
        for (double x : o.samples_s) total -= detail::log_pdf(family, p, x);
      } else if (o.kind == Observations::Kind::histogram) {
        double below = 0;
        double f_below = 0;
        for (const auto& [upper, count] : o.buckets) {
          const double f = detail::cdf(family, p, upper);
          const double in = count - below;
          if (in > 0) total -= in * std::log(std::max(f - f_below, 1e-300));
          below = count;
          f_below = f;
        }
      } else {
        for (const auto& [q, x] : o.percentiles) {
          const double e = std::log(detail::quantile(family, p, q) / x);
          total += e * e;
        }
      }
      return std::isfinite(total) ? total : kBad;
    };
    const std::vector<double> start =
        family == Family::mixture3 && o.kind == Observations::Kind::samples
            ? detail::unconstrained_mixture3(three_lognormals_by_em(sorted))
            : detail::initial(family, mean, cv);
    const std::vector<double> t = minimise(loss, start);
    Candidate c;
    c.family = family;
    c.parameters = natural(family, t);
    const double nll = loss(t);
    c.aic = 2.0 * static_cast<double>(parameter_count(family)) + 2.0 * nll;
    if (o.kind == Observations::Kind::samples) {
      double d = 0;
      const double n = static_cast<double>(sorted.size());
      for (std::size_t i = 0; i < sorted.size(); ++i) {
        const double f = detail::cdf(family, c.parameters, sorted[i]);
        d = std::max({d, static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n});
      }
      c.statistic = d;
    } else if (o.kind == Observations::Kind::histogram) {
      const double n = o.buckets.back().second;
      double chi = 0;
      double below = 0;
      double f_below = 0;
      for (const auto& [upper, count] : o.buckets) {
        const double f = detail::cdf(family, c.parameters, upper);
        const double expected = n * (f - f_below);
        const double observed = count - below;
        if (expected > 0) chi += (observed - expected) * (observed - expected) / expected;
        below = count;
        f_below = f;
      }
      c.statistic = chi;
    } else {
      double worst = 0;
      for (const auto& [q, x] : o.percentiles) {
        worst = std::max(worst, std::fabs(std::log(detail::quantile(family, c.parameters, q) / x)));
      }
      c.statistic = worst;
    }
    for (double p : r.probabilities)
      c.quantiles_s.push_back(detail::quantile(family, c.parameters, p));
    c.work = detail::work(family, c.parameters, empirical_file);
    r.candidates.push_back(std::move(c));
  }
  // The best single family; the mixture (three more parameters, and a lognormal is a mixture
  // of two equal ones) only when it is clearly better: by more than 10 in AIC (samples, histograms)
  // (Burnham and Anderson: a model 10 behind has essentially no support), or by half the
  // percentile error otherwise.
  // Samples and histograms have a likelihood (a histogram's is multinomial over its buckets).
  const bool by_aic = o.kind != Observations::Kind::percentiles;
  const auto better = [&](const Candidate& a, const Candidate& b) {
    return by_aic ? a.aic < b.aic : a.statistic < b.statistic;
  };
  // Three components likewise only when clearly better than the choice with fewer.
  const auto is_mixture = [](Family f) { return f == Family::mixture || f == Family::mixture3; };
  std::size_t best = 0;
  for (std::size_t i = 1; i < r.candidates.size(); ++i) {
    if (!is_mixture(r.candidates[i].family) && better(r.candidates[i], r.candidates[best])) {
      best = i;
    }
  }
  std::string passed_over;  // a mixture with a clearly lower AIC that was not chosen
  for (const Family mixture : {Family::mixture, Family::mixture3}) {
    for (std::size_t i = 0; i < r.candidates.size(); ++i) {
      if (r.candidates[i].family != mixture) continue;
      const Candidate& m = r.candidates[i];
      const Candidate& b = r.candidates[best];
      const bool clearly = by_aic ? m.aic < b.aic - 10 : m.statistic < 0.5 * b.statistic;
      // Tied values (latencies rounded to whole milliseconds) let a component's likelihood grow
      // without bound as its sigma shrinks to a point mass: AIC then rewards a mixture that fits
      // the shape worse. A mixture must also fit no worse by the statistic (samples: KS;
      // histograms: chi-square), and no component may be absurdly wide
      // (detail::plausible_mixture).
      const bool fits_no_worse = !by_aic || m.statistic <= b.statistic;
      const bool plausible = detail::plausible_mixture(m.family, m.parameters);
      if (clearly && fits_no_worse && plausible) {
        best = i;
      } else if (clearly) {
        passed_over += std::string(passed_over.empty() ? "" : ", ") + fit::family_name(m.family) +
                       (plausible ? " (its " + r.statistic_name + " is worse)"
                                  : " (a component absurdly wide)");
      }
    }
  }
  r.chosen = best;
  r.best_family = best;
  r.reason = by_aic ? "lowest AIC" : "lowest " + r.statistic_name;
  if (r.candidates[best].family == Family::mixture)
    r.reason += ", clearly below every single family";
  if (r.candidates[best].family == Family::mixture3)
    r.reason += ", clearly below every family with fewer components";
  if (!passed_over.empty()) {
    r.reason += " of the plausible fits; not " + passed_over;
    if (o.kind == Observations::Kind::samples) {
      r.reason +=
          ": a lower AIC with a worse fit comes from tied values (rounded samples) or a "
          "degenerate component, not the shape";
    }
  }
  if (o.kind == Observations::Kind::samples) {
    Candidate e;
    e.family = Family::empirical;
    e.statistic = 0;
    e.aic = std::numeric_limits<double>::quiet_NaN();
    for (double p : r.probabilities) e.quantiles_s.push_back(sample_quantile(sorted, p));
    e.work = detail::work(Family::empirical, {}, empirical_file);
    r.candidates.push_back(std::move(e));
    const double critical = 1.63 / std::sqrt(static_cast<double>(sorted.size()));
    if (r.candidates[best].statistic > critical && !empirical_file.empty()) {
      r.chosen = r.candidates.size() - 1;
      r.reason = "no family fits (best KS D " + std::to_string(r.candidates[best].statistic) +
                 " > 1% critical value " + std::to_string(critical) + ")";
    } else if (r.candidates[best].statistic > critical) {
      r.reason += "; but it fits poorly (KS D " + std::to_string(r.candidates[best].statistic) +
                  " > 1% critical value " + std::to_string(critical) +
                  "): compare its percentiles with the observed ones";
    }
  }
  return r;
}

}  // namespace capsim::fit
