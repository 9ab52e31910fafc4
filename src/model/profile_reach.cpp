/// \file A rate (or users) profile whose peak comes after the run's end: most often a shorter
/// --duration for a quick look at a model written for the whole test, which then never sees the
/// load it was written for. Warned, never refused (plausibility.hpp).

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "plausibility.hpp"

namespace capsim::model::detail {

namespace {

/// The largest value of `p` over [0, until_s] and, when `until_s` is infinite, the first time it
/// is reached. Stages and traces only (the kinds with an end); others give nothing.
struct Reach {
  double peak = 0.0;
  double at_s = 0.0;
};

std::optional<Reach> reach(const Profile& p, double until_s) {
  Reach r;
  if (p.kind == ProfileKind::stages) {
    r.peak = p.start;
    double t0 = 0.0;
    double from = p.start;
    for (const Stage& s : p.stages) {
      const double t1 = t0 + s.duration_s;
      if (until_s < t1) {
        // Within the stage: linear from `from` to its target.
        const double v = from + (s.target - from) * (until_s - t0) / s.duration_s;
        if (v > r.peak) r = {v, until_s};
        return r;
      }
      if (s.target > r.peak) r = {s.target, t1};
      t0 = t1;
      from = s.target;
    }
    return r;
  }
  if (p.kind == ProfileKind::trace && !p.trace.empty()) {
    r = {p.trace.front().value, 0.0};
    for (const TracePoint& point : p.trace) {
      if (point.time_s > until_s) break;
      if (point.value > r.peak) r = {point.value, point.time_s};
    }
    return r;
  }
  return std::nullopt;
}

/// A value for the message, to a tenth.
std::string tenths(double v) {
  return number_text(std::round(v * 10.0) / 10.0);
}

void check(const Profile& p, double duration_s, const std::string& pointer, const char* what,
           const char* unit, Reader& reader) {
  const auto whole = reach(p, std::numeric_limits<double>::infinity());
  const auto run = reach(p, duration_s);
  // Within 1% of the peak is the peak, for a quick look.
  if (!whole || !run || !(run->peak < whole->peak * 0.99)) return;
  reader.warning(pointer,
                 std::string("the ") + what + " peaks at " + tenths(whole->peak) + unit + " at " +
                     seconds_text(whole->at_s) + ", after the run's end (" +
                     seconds_text(duration_s) + "), which sees " + tenths(run->peak) + unit +
                     " at most: give a longer --duration (or /simulation/duration) to "
                     "see the peak",
                 DiagnosticKind::unreached_peak);
}

}  // namespace

void check_profiles_reach_their_peak(const Spec& spec, Reader& reader) {
  for (const WorkloadSpec& w : spec.workloads) {
    if (w.kind == WorkloadKind::open) {
      check(w.rate, spec.simulation.duration_s, w.pointer + "/rate", "rate", "/s", reader);
    } else {
      check(w.users, spec.simulation.duration_s, w.pointer + "/users", "number of users", "",
            reader);
    }
  }
}

}  // namespace capsim::model::detail

namespace capsim::model {

bool warns_of_unreached_peak(const Diagnostic& d) {
  return d.kind == DiagnosticKind::unreached_peak;
}

}  // namespace capsim::model
