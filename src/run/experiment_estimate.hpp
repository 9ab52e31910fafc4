#pragma once
// Internal to experiments (not installed): an estimate as every experiment output writes it,
// { "mean": m, "ci": [lo, hi], "n": n } (docs/results-format.md), for sweep, size and compare.

#include <optional>
#include <utility>

#include "capsim/stats/estimate.hpp"
#include "experiment_output.hpp"

namespace capsim::run::detail {

/// { "mean", "ci", "n" }: the mean null when absent or not finite, the interval null unless
/// both ends are given.
inline Json estimate_json(const std::optional<double>& mean, const std::optional<double>& lo,
                          const std::optional<double>& hi, int n) {
  Json j;
  j["mean"] = mean ? number_json(*mean) : Json(nullptr);
  j["ci"] = lo && hi ? Json::array({number_json(*lo), number_json(*hi)}) : Json(nullptr);
  j["n"] = n;
  return j;
}

/// The same for an estimate over `e.n` replications (no mean when none defines it).
inline Json estimate_json(const stats::Estimate& e) {
  return estimate_json(e.n > 0 ? std::optional<double>(e.mean) : std::nullopt,
                       e.ci ? std::optional<double>(e.ci->first) : std::nullopt,
                       e.ci ? std::optional<double>(e.ci->second) : std::nullopt, e.n);
}

}  // namespace capsim::run::detail
