#pragma once
/// \file Internal to src/fit: the two moves `capsim calibrate` makes on a service's work
/// distribution, and its model-format value.
///
/// scale(d, c): every time of d multiplied by c (the family and its shape stay).
/// spread(d, s): the median of d stays and its spread on a log scale is multiplied by s, so that
/// ln(p99 / p50) (and every other log-quantile ratio) is about s times what it was. Exactly so for
/// the families closed under X -> m (X / m)^s: lognormal (sigma times s), Weibull and Pareto
/// (shape divided by s), empirical (each sample moved so); by the family's own spread parameter
/// for the others: gamma shape divided by s^2 (its cv times s; exponential and Erlang become the
/// gamma of the same shape at s = 1; the shape stays >= 0.05, or its own if smaller), normal sd
/// times s, uniform half-width times s around the midpoint (at most the midpoint, so that it stays
/// >= 0), and a mixture's components each around their own median (weights and medians stay).
/// Constant and hyperexponential work has no spread.

#include "capsim/dist/distribution_spec.hpp"
#include "capsim/model/diagnostics.hpp"

namespace capsim::fit::detail {

void scale(dist::DistSpec& d, double c);

/// Whether spread() can change d: false for constant and hyperexponential work (and mixtures of
/// only those).
bool has_spread(const dist::DistSpec& d);

/// d with its spread multiplied by s > 0 around its median; d itself when s == 1 (an exponential
/// stays an exponential until the spread moves).
void spread(dist::DistSpec& d, double s);

/// The model-format value of a distribution (times as numbers of seconds).
model::Json to_json(const dist::DistSpec& d);

/// The same with every number rounded to 6 significant digits, for printing.
model::Json to_json_rounded(const dist::DistSpec& d);

}  // namespace capsim::fit::detail
