#pragma once
/// \file Unit-plausibility warnings (plausibility.cpp): bare numbers are seconds, and a number
/// that is implausible as seconds in its place most likely lacks a unit.

#include "loader.hpp"

namespace capsim::model::detail {

/// Warns (never refuses) through `reader` about bare numbers that are implausible as seconds
/// for their place in `doc`: a service time (`work`, every duration parameter of its
/// distribution) over kMaxPlausibleWork_s, or a `timeout` or SLO latency limit over
/// kMaxPlausibleLimit_s. Each warning gives the value in seconds and the likely intended unit.
void check_plausibility(const Json& doc, Reader& reader);

/// Warns about a workload's rate or users profile (stages, trace) whose peak comes after the
/// run's end (profile_reach.cpp): the run never sees the load the model was written for.
void check_profiles_reach_their_peak(const Spec& spec, Reader& reader);

/// Warns about a work or delay step whose distribution's mean passes kMaxPlausibleMean_s
/// (work_plausibility.cpp): each parameter may look fine and the mean still be absurd.
void check_work_means(const Spec& spec, Reader& reader);

inline constexpr double kMaxPlausibleWork_s = 10.0;
inline constexpr double kMaxPlausibleMean_s = 3600.0;
inline constexpr double kMaxPlausibleLimit_s = 3600.0;

}  // namespace capsim::model::detail
