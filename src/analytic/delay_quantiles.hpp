#pragma once
// Internal to the analysis (not installed): the quantiles of an M/M/c sojourn plus random
// delays (delay_quantiles.cpp).

#include <string>
#include <utility>
#include <vector>

#include "capsim/analytic/queueing.hpp"
#include "capsim/dist/distribution_spec.hpp"

namespace capsim::analytic::detail {

/// Draws behind sojourn_plus_delays: the quantiles' relative error is about 1 / sqrt of the
/// draws beyond the quantile (p99: 200 draws, a few per cent).
inline constexpr int kConvolutionDraws = 20000;

/// The quantiles at `probabilities` (their .second) of S + D1 + ... + Dk, S the sojourn time of
/// `mmc` and the D independent draws of `delays`: S at a stratified grid of its quantiles,
/// the delays from a fixed seed, so the answer is the same every time.
std::vector<double> sojourn_plus_delays(
    const MMc& mmc, const std::vector<const dist::DistSpec*>& delays,
    const std::vector<std::pair<std::string, double>>& probabilities);

}  // namespace capsim::analytic::detail
