// capsim calibrate: scale factors on `work` that make a model reproduce observed percentiles.

#include "capsim/fit/calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <type_traits>

#include "capsim/model/diagnostics.hpp"
#include "capsim/model/error.hpp"

namespace capsim::fit {

namespace {

using model::Json;

/// X scaled by c: the same family, every time parameter times c.
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

/// The model-format value of a distribution (times as numbers of seconds).
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

/// The targets' simulated values (seconds; NaN where undefined) at these factors.
std::vector<double> simulate(const model::Spec& spec, const CalibrationProblem& problem,
                             const std::vector<double>& factors, const run::RunOptions& options) {
  const run::Results results = run::run_replications(scale_work(spec, problem, factors), options);
  std::vector<double> out;
  for (const CalibrationTarget& t : problem.targets) {
    const run::MergedMetric* m = results.find(t.metric);
    out.push_back(m != nullptr && m->estimate.n > 0 ? m->estimate.mean * 1e-3
                                                    : std::numeric_limits<double>::quiet_NaN());
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
  for (std::size_t p = 0; p < problem.parameters.size(); ++p) {
    for (std::size_t s : problem.parameters[p].services) {
      for_each_work(out.services[s],
                    [c = factors[p]](model::StepSpec& step) { scale(step.work, c); });
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

CalibrationResult calibrate(const model::Spec& spec, const CalibrationProblem& problem,
                            const CalibrationOptions& options) {
  const std::size_t n = problem.parameters.size();
  CalibrationResult result;
  struct Vertex {
    std::vector<double> x;  // log factors
    double f = 0.0;
  };
  const auto evaluate = [&](const std::vector<double>& x) {
    std::vector<double> factors(n);
    for (std::size_t i = 0; i < n; ++i) factors[i] = std::exp(x[i]);
    ++result.evaluations;
    return objective(problem, simulate(spec, problem, factors, options.run));
  };
  // Nelder-Mead (Nelder and Mead 1965) with the usual coefficients: reflection 1, expansion 2,
  // contraction 1/2, shrink 1/2; the first simplex steps each log factor by log 2.
  const double step = std::log(2.0);
  std::vector<Vertex> simplex;
  simplex.push_back({std::vector<double>(n, 0.0), 0.0});
  for (std::size_t i = 0; i < n; ++i) {
    Vertex v{std::vector<double>(n, 0.0), 0.0};
    v.x[i] = -step;  // a model to calibrate is more often too slow than too fast
    simplex.push_back(v);
  }
  for (Vertex& v : simplex) v.f = evaluate(v.x);
  const auto by_f = [](const Vertex& a, const Vertex& b) { return a.f < b.f; };
  const auto combine = [&](const std::vector<double>& centre, const std::vector<double>& worst,
                           double t) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = centre[i] + t * (worst[i] - centre[i]);
    return x;
  };
  // Stop when the simplex is smaller than 0.1 % in every factor, or the budget is spent.
  constexpr double x_tolerance = 1e-3;
  while (result.evaluations + 2 <= options.max_evaluations) {
    std::stable_sort(simplex.begin(), simplex.end(), by_f);
    double size = 0.0;
    for (std::size_t k = 1; k <= n; ++k) {
      for (std::size_t i = 0; i < n; ++i) {
        size = std::max(size, std::abs(simplex[k].x[i] - simplex[0].x[i]));
      }
    }
    if (size < x_tolerance || simplex[0].f == 0.0) break;
    std::vector<double> centre(n, 0.0);
    for (std::size_t k = 0; k < n; ++k) {
      for (std::size_t i = 0; i < n; ++i) centre[i] += simplex[k].x[i] / static_cast<double>(n);
    }
    Vertex& worst = simplex[n];
    Vertex reflected{combine(centre, worst.x, -1.0), 0.0};
    reflected.f = evaluate(reflected.x);
    if (reflected.f < simplex[0].f) {
      Vertex expanded{combine(centre, worst.x, -2.0), 0.0};
      expanded.f = evaluate(expanded.x);
      worst = expanded.f < reflected.f ? expanded : reflected;
      continue;
    }
    if (reflected.f < simplex[n - 1].f) {
      worst = reflected;
      continue;
    }
    const bool outside = reflected.f < worst.f;
    Vertex contracted{combine(centre, outside ? reflected.x : worst.x, 0.5), 0.0};
    contracted.f = evaluate(contracted.x);
    if (contracted.f < std::min(worst.f, reflected.f)) {
      worst = contracted;
      continue;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      simplex[k].x = combine(simplex[0].x, simplex[k].x, 0.5);
      simplex[k].f = evaluate(simplex[k].x);
    }
  }
  std::stable_sort(simplex.begin(), simplex.end(), by_f);
  for (double x : simplex[0].x) result.factors.push_back(std::exp(x));
  result.simulated_s = simulate(spec, problem, result.factors, options.run);
  ++result.evaluations;
  result.objective = objective(problem, result.simulated_s);
  return result;
}

}  // namespace capsim::fit
