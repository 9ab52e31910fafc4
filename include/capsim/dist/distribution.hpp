#pragma once
/// \file Samplers built from DistSpec. Sampling allocates nothing.

#include <cmath>
#include <variant>
#include <vector>

#include "capsim/dist/distribution_spec.hpp"
#include "capsim/sim/random.hpp"

namespace capsim::dist {

/// An immutable sampler for one DistSpec. Draws never return a negative value.
/// Where practical a draw uses exactly one uniform (inversion), so that variants of a model that
/// change a parameter keep their draws aligned (common random numbers).
/// Lognormal and normal draws invert Phi at that uniform by AS 241 (docs/engine.md).
class Distribution {
 public:
  explicit Distribution(DistSpec spec);
  Distribution() : Distribution(DistSpec{}) {}

  /// One draw, in seconds (>= 0). The commonest laws are drawn inline (this is on every event).
  /// Rng: sim::RandomStream or sim::KeyedRandom.
  template <class Rng>
  double sample(Rng& rng) const {
    if (const auto* e = std::get_if<Exponential>(&spec_.v)) {
      return e->mean_s * -std::log(rng.uniform01());
    }
    if (const auto* c = std::get_if<Constant>(&spec_.v)) return c->value_s;
    return sample_general(rng);
  }
  /// Exact mean of the distribution, in seconds.
  double mean() const;
  /// Exact squared coefficient of variation Var/mean^2 (infinite where the variance is).
  double scv() const;
  const DistSpec& spec() const { return spec_; }

 private:
  template <class Rng>
  double sample_general(Rng& rng) const;

  DistSpec spec_;
  std::vector<Distribution> components_;  // mixtures only
  std::vector<double> cumulative_;        // mixtures and hyperexponentials: cumulative weights
  double aux_ = 0.0;                      // per-kind constant precomputed for sample()
  double mean_ = 0.0;                     // exact mean, computed once
  double scv_ = 0.0;                      // exact scv, computed once
};

/// Exact mean (seconds) of a spec, without building a sampler.
double mean_of(const DistSpec& spec);

}  // namespace capsim::dist
