// The quantiles of an M/M/c sojourn plus random delays (delay_quantiles.hpp).

#include "delay_quantiles.hpp"

#include <algorithm>
#include <cmath>

#include "capsim/dist/distribution.hpp"
#include "capsim/sim/random.hpp"

namespace capsim::analytic::detail {

std::vector<double> sojourn_plus_delays(
    const MMc& mmc, const std::vector<const dist::DistSpec*>& delays,
    const std::vector<std::pair<std::string, double>>& probabilities) {
  constexpr int n = kConvolutionDraws;
  std::vector<dist::Distribution> samplers;
  for (const dist::DistSpec* d : delays) samplers.emplace_back(*d);
  sim::RandomStream rng(20261207);  // fixed: an analysis gives the same answer every time
  std::vector<double> total(n);
  for (int i = 0; i < n; ++i) {
    // The sojourn at the middle of the i-th of n equal slices of probability; the delays drawn
    // at random, so that they are independent of it.
    double t = mmc.sojourn_quantile((i + 0.5) / n);
    for (const dist::Distribution& d : samplers) t += d.sample(rng);
    total[static_cast<std::size_t>(i)] = t;
  }
  std::sort(total.begin(), total.end());
  std::vector<double> out;
  for (const auto& [name, p] : probabilities) {
    // Nearest rank, as the simulation's percentiles.
    const auto rank = static_cast<std::size_t>(std::max(1.0, std::ceil(p * n))) - 1;
    out.push_back(total[std::min(rank, total.size() - 1)]);
  }
  return out;
}

}  // namespace capsim::analytic::detail
