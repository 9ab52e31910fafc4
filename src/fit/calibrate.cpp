// capsim calibrate: scale and spread factors on `work` that make a model reproduce observed
// percentiles.

#include "capsim/fit/calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <type_traits>

#include "capsim/model/diagnostics.hpp"
#include "capsim/model/error.hpp"
#include "work_shape.hpp"

namespace capsim::fit {

namespace {

using detail::to_json;
using model::Json;

// The search keeps a spread factor within [e^-3, e^3]: beyond, a lognormal's sigma or a gamma's
// shape leaves the range where a simulation of minutes means anything.
constexpr double max_log_spread = 3.0;

/// Calls `f(step)` for each work step of `service`.
template <typename Service, typename F>
void for_each_work(Service& service, F f) {
  for (auto& endpoint : service.endpoints) {
    for (auto& step : endpoint.steps) {
      if (step.kind == model::StepKind::work) f(step);
    }
  }
}

std::string work_pointer(const std::string& step_pointer) {
  const std::string suffix = "/work";
  if (step_pointer.size() >= suffix.size() &&
      step_pointer.compare(step_pointer.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return step_pointer;
  }
  return step_pointer + suffix;
}

/// The targets' simulated values (seconds; NaN where undefined) at these factors, and the half
/// widths of their confidence intervals (NaN without one) in `half_s`.
std::vector<double> simulate(const model::Spec& spec, const CalibrationProblem& problem,
                             const std::vector<double>& factors, const run::RunOptions& options,
                             std::vector<double>& half_s) {
  const run::Results results = run::run_replications(scale_work(spec, problem, factors), options);
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> out;
  half_s.clear();
  for (const CalibrationTarget& t : problem.targets) {
    const run::MergedMetric* m = results.find(t.metric);
    const bool defined = m != nullptr && m->estimate.n > 0;
    out.push_back(defined ? m->estimate.mean * 1e-3 : kNaN);
    half_s.push_back(defined && m->estimate.ci
                         ? (m->estimate.ci->second - m->estimate.ci->first) / 2.0 * 1e-3
                         : kNaN);
  }
  return out;
}

double objective(const CalibrationProblem& problem, const std::vector<double>& simulated_s) {
  // An undefined percentile (no request finished) is as bad as a factor of e^10 off.
  constexpr double undefined_penalty = 100.0;
  double sum = 0.0;
  for (std::size_t i = 0; i < simulated_s.size(); ++i) {
    const double r = std::log(simulated_s[i] / problem.targets[i].observed_s);
    sum += std::isfinite(r) ? r * r : undefined_penalty;
  }
  return sum;
}

}  // namespace

model::Spec scale_work(const model::Spec& spec, const CalibrationProblem& problem,
                       const std::vector<double>& factors) {
  model::Spec out = spec;
  for (const ParameterKind kind : {ParameterKind::spread, ParameterKind::scale}) {
    for (std::size_t p = 0; p < problem.parameters.size(); ++p) {
      if (problem.parameters[p].kind != kind) continue;
      for (std::size_t s : problem.parameters[p].services) {
        for_each_work(out.services[s], [&, c = factors[p]](model::StepSpec& step) {
          if (kind == ParameterKind::scale) {
            detail::scale(step.work, c);
          } else {
            detail::spread(step.work, c);
          }
        });
      }
    }
  }
  return out;
}

Json scale_work_document(Json doc, const model::Spec& spec, const CalibrationProblem& problem,
                         const std::vector<double>& factors) {
  const model::Spec scaled = scale_work(spec, problem, factors);
  for (const CalibrationParameter& p : problem.parameters) {
    for (std::size_t s : p.services) {
      for_each_work(scaled.services[s], [&](const model::StepSpec& step) {
        const Json::json_pointer at(work_pointer(step.pointer));
        if (!doc.contains(at)) {
          throw model::ModelError(step.pointer, "cannot write the calibrated work of service " +
                                                    scaled.services[s].name +
                                                    ": the model file has no `work` here");
        }
        doc[at] = to_json(step.work);
      });
    }
  }
  return doc;
}

std::vector<WorkChange> work_changes(const model::Spec& spec, const CalibrationProblem& problem,
                                     const std::vector<double>& factors) {
  const model::Spec after = scale_work(spec, problem, factors);
  std::vector<bool> listed(spec.services.size(), false);
  std::vector<WorkChange> out;
  for (const CalibrationParameter& p : problem.parameters) {
    for (std::size_t s : p.services) {
      if (listed[s]) continue;
      listed[s] = true;
      std::vector<WorkChange> here;
      for_each_work(spec.services[s], [&](const model::StepSpec& step) {
        here.push_back({work_pointer(step.pointer), detail::to_json_rounded(step.work), nullptr});
      });
      std::size_t i = 0;
      for_each_work(after.services[s], [&](const model::StepSpec& step) {
        here[i++].after = detail::to_json_rounded(step.work);
      });
      out.insert(out.end(), here.begin(), here.end());
    }
  }
  return out;
}

namespace {

/// The targets a parameter moves first: its service's, or for "others" the end-to-end ones.
std::vector<std::size_t> targets_of(const CalibrationProblem& problem,
                                    const CalibrationParameter& p) {
  const std::string prefix = p.shared ? std::string("workloads.") : "services." + p.name + ".";
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < problem.targets.size(); ++i) {
    if (problem.targets[i].metric.rfind(prefix, 0) == 0) out.push_back(i);
  }
  return out;
}

/// A first guess of the log factors from the simulation of the model as given: each scale
/// factor the ratio observed / simulated of its lowest percentile, each spread factor the ratio
/// of ln(highest / lowest percentile), observed to simulated. Exact for work without queueing
/// (every percentile of the latency moves as the work's); 0 where a ratio is undefined.
std::vector<double> first_guess(const CalibrationProblem& problem,
                                const std::vector<double>& simulated_s) {
  std::vector<double> x(problem.parameters.size(), 0.0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::vector<std::size_t> t = targets_of(problem, problem.parameters[i]);
    if (t.empty()) continue;
    const std::size_t lo = t.front();  // targets are read in increasing percentile
    const std::size_t hi = t.back();
    double guess = 0.0;
    if (problem.parameters[i].kind == ParameterKind::scale) {
      guess = std::log(problem.targets[lo].observed_s / simulated_s[lo]);
    } else if (hi != lo) {
      guess = std::log(std::log(problem.targets[hi].observed_s / problem.targets[lo].observed_s) /
                       std::log(simulated_s[hi] / simulated_s[lo]));
    }
    if (std::isfinite(guess)) x[i] = guess;
  }
  return x;
}

}  // namespace

CalibrationResult calibrate(const model::Spec& spec, const CalibrationProblem& problem,
                            const CalibrationOptions& options) {
  const std::size_t n = problem.parameters.size();
  CalibrationResult result;
  // A spread outside its range is evaluated (and reported) at the nearest bound.
  const auto bounded = [&](std::size_t i, double x) {
    return problem.parameters[i].kind == ParameterKind::spread
               ? std::clamp(x, -max_log_spread, max_log_spread)
               : x;
  };
  const auto factors_at = [&](const std::vector<double>& x) {
    std::vector<double> factors(n);
    for (std::size_t i = 0; i < n; ++i) factors[i] = std::exp(bounded(i, x[i]));
    return factors;
  };
  struct Vertex {
    std::vector<double> x;  // log factors
    double f = 0.0;
    std::vector<double> simulated_s;  // what the simulation at x gave, target by target
    std::vector<double> half_s;       // and the half widths of their intervals
  };
  // Every simulation counts against the budget, and the best one's figures are reported as they
  // were simulated (the same seed gives the same figures: no final run is needed).
  const auto evaluate = [&](Vertex& v) {
    ++result.evaluations;
    v.simulated_s = simulate(spec, problem, factors_at(v.x), options.run, v.half_s);
    v.f = objective(problem, v.simulated_s);
  };
  // Start from the better of the model as given and the first guess its simulation suggests.
  Vertex best{std::vector<double>(n, 0.0), 0.0, {}, {}};
  {
    evaluate(best);
    Vertex guess{first_guess(problem, best.simulated_s), 0.0, {}, {}};
    evaluate(guess);
    if (guess.f < best.f) best = guess;
  }
  const auto by_f = [](const Vertex& a, const Vertex& b) { return a.f < b.f; };
  const auto combine = [&](const std::vector<double>& centre, const std::vector<double>& worst,
                           double t) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = centre[i] + t * (worst[i] - centre[i]);
    return x;
  };
  // Nelder-Mead (Nelder and Mead 1965) with the usual coefficients: reflection 1, expansion 2,
  // contraction 1/2, shrink 1/2, restarted from its best point with a fresh simplex while that
  // still improves (a simplex can collapse on a ridge, as queueing makes when a spread raises the
  // mean work). Each simplex steps each log factor by 0.25 (factors 0.78 and 1.28): the first
  // guess is rarely further off than that.
  constexpr double step = 0.25;
  // Stop when the simplex is smaller than 0.1 % in every factor, or the budget is spent.
  constexpr double x_tolerance = 1e-3;
  constexpr int max_restarts = 4;
  // Residuals all below 0.05 % (a quarter of the percentiles' histogram bins, 0.2 %) are as
  // good as the simulated percentiles can tell.
  const double good_enough = 2.5e-7 * static_cast<double>(problem.targets.size());
  for (int restart = 0; restart <= max_restarts; ++restart) {
    if (best.f <= good_enough ||
        result.evaluations + static_cast<int>(n) + 2 > options.max_evaluations) {
      break;
    }
    std::vector<Vertex> simplex{best};
    for (std::size_t i = 0; i < n; ++i) {
      Vertex v{best.x, 0.0, {}, {}};
      v.x[i] += problem.parameters[i].kind == ParameterKind::scale ? -step : step;
      evaluate(v);
      simplex.push_back(v);
    }
    while (result.evaluations + 2 <= options.max_evaluations) {
      std::stable_sort(simplex.begin(), simplex.end(), by_f);
      double size = 0.0;
      for (std::size_t k = 1; k <= n; ++k) {
        for (std::size_t i = 0; i < n; ++i) {
          size = std::max(size, std::abs(simplex[k].x[i] - simplex[0].x[i]));
        }
      }
      if (size < x_tolerance || simplex[0].f <= good_enough) break;
      std::vector<double> centre(n, 0.0);
      for (std::size_t k = 0; k < n; ++k) {
        for (std::size_t i = 0; i < n; ++i) centre[i] += simplex[k].x[i] / static_cast<double>(n);
      }
      Vertex& worst = simplex[n];
      Vertex reflected{combine(centre, worst.x, -1.0), 0.0, {}, {}};
      evaluate(reflected);
      if (reflected.f < simplex[0].f) {
        Vertex expanded{combine(centre, worst.x, -2.0), 0.0, {}, {}};
        evaluate(expanded);
        worst = expanded.f < reflected.f ? expanded : reflected;
        continue;
      }
      if (reflected.f < simplex[n - 1].f) {
        worst = reflected;
        continue;
      }
      const bool outside = reflected.f < worst.f;
      Vertex contracted{combine(centre, outside ? reflected.x : worst.x, 0.5), 0.0, {}, {}};
      evaluate(contracted);
      if (contracted.f < std::min(worst.f, reflected.f)) {
        worst = contracted;
        continue;
      }
      if (result.evaluations + static_cast<int>(n) > options.max_evaluations) break;
      for (std::size_t k = 1; k <= n; ++k) {
        simplex[k].x = combine(simplex[0].x, simplex[k].x, 0.5);
        evaluate(simplex[k]);
      }
    }
    std::stable_sort(simplex.begin(), simplex.end(), by_f);
    const bool improved = simplex[0].f < best.f;
    if (simplex[0].f <= best.f) best = simplex[0];
    if (!improved) break;
  }
  for (std::size_t i = 0; i < n; ++i) result.factors.push_back(std::exp(bounded(i, best.x[i])));
  result.simulated_s = std::move(best.simulated_s);
  result.simulated_half_s = std::move(best.half_s);
  result.objective = best.f;
  return result;
}

}  // namespace capsim::fit
