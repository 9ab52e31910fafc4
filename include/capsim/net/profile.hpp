#pragma once
/// \file Values that vary over time (arrival rates, virtual users): evaluation and the bounds
/// that non-homogeneous Poisson thinning needs.

#include <limits>

#include "capsim/model/spec.hpp"

namespace capsim::net {

/// The profile's value at time t >= 0. Stages ramp linearly from the previous target (`start` for
/// the first) and hold the last target afterwards; a trace is piecewise constant.
double value_at(const model::Profile& p, double t);

/// A piece [t, end) on which the profile is bounded by `max_value` and is linear or constant.
struct Segment {
  double end = std::numeric_limits<double>::infinity();
  double max_value = 0.0;
};
/// The piece of the profile that contains t.
Segment segment_at(const model::Profile& p, double t);

/// The largest value the profile takes on [0, horizon].
double max_value(const model::Profile& p, double horizon);

}  // namespace capsim::net

namespace capsim::net {

/// A whole-number profile (virtual users): the level at time t is floor(value_at(t)), a small
/// tolerance absorbing rounding. Returns the first time after `t` at which the level differs from
/// `level`, with the new level; time is infinite when it never changes again.
struct LevelChange {
  double time = std::numeric_limits<double>::infinity();
  long level = 0;
};
long level_at(const model::Profile& p, double t);
LevelChange next_level_change(const model::Profile& p, double t, long level);

}  // namespace capsim::net
