#include "capsim/net/profile.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace capsim::net {

double value_at(const model::Profile& p, double t) {
  switch (p.kind) {
    case model::ProfileKind::constant:
      return p.constant;
    case model::ProfileKind::stages: {
      double from = p.start;
      double t0 = 0.0;
      for (const model::Stage& s : p.stages) {
        if (t < t0 + s.duration_s) {
          const double f = (t - t0) / s.duration_s;  // duration > 0 here: t0 <= t < t0 + d
          return from + (s.target - from) * f;
        }
        t0 += s.duration_s;
        from = s.target;
      }
      return from;
    }
    case model::ProfileKind::diurnal: {
      const model::Diurnal& d = p.diurnal;
      return std::max(0.0, d.mean + d.amplitude * std::sin(2.0 * std::numbers::pi *
                                                           (t + d.phase_s) / d.period_s));
    }
    case model::ProfileKind::trace: {
      // Last point with time <= t.
      auto it =
          std::upper_bound(p.trace.begin(), p.trace.end(), t,
                           [](double x, const model::TracePoint& tp) { return x < tp.time_s; });
      if (it == p.trace.begin()) return p.trace.empty() ? 0.0 : p.trace.front().value;
      return std::prev(it)->value;
    }
  }
  return 0.0;
}

Segment segment_at(const model::Profile& p, double t) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  switch (p.kind) {
    case model::ProfileKind::constant:
      return {kInf, p.constant};
    case model::ProfileKind::stages: {
      double from = p.start;
      double t0 = 0.0;
      for (const model::Stage& s : p.stages) {
        if (t < t0 + s.duration_s) return {t0 + s.duration_s, std::max(from, s.target)};
        t0 += s.duration_s;
        from = s.target;
      }
      return {kInf, from};
    }
    case model::ProfileKind::diurnal:
      return {kInf, std::max(0.0, p.diurnal.mean + std::abs(p.diurnal.amplitude))};
    case model::ProfileKind::trace: {
      auto it =
          std::upper_bound(p.trace.begin(), p.trace.end(), t,
                           [](double x, const model::TracePoint& tp) { return x < tp.time_s; });
      const double end = it == p.trace.end() ? kInf : it->time_s;
      return {end, value_at(p, t)};
    }
  }
  return {kInf, 0.0};
}

double max_value(const model::Profile& p, double horizon) {
  double best = value_at(p, 0.0);
  double t = 0.0;
  // Every kind has finitely many pieces before the horizon (a diurnal profile is one piece).
  while (t <= horizon) {
    const Segment s = segment_at(p, t);
    best = std::max(best, s.max_value);
    if (!(s.end < std::numeric_limits<double>::infinity())) break;
    t = s.end;
  }
  return best;
}

}  // namespace capsim::net

namespace capsim::net {

namespace {
constexpr double kLevelTolerance = 1e-9;
}

long level_at(const model::Profile& p, double t) {
  return static_cast<long>(std::floor(value_at(p, t) + kLevelTolerance));
}

LevelChange next_level_change(const model::Profile& p, double t, long level) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (p.kind != model::ProfileKind::stages) {
    // Constant profiles never change; others are not used for levels (validation refuses them).
    return {kInf, level};
  }
  double a = 0.0;
  double v0 = p.start;
  for (const model::Stage& s : p.stages) {
    const double b = a + s.duration_s;
    const double v1 = s.target;
    if (t < b) {
      // On [a, b) the value moves linearly from v0 to v1; from `level` the next step up is
      // reached when the value equals level + 1, the next step down when it drops below level.
      if (v1 > v0 && level + 1 <= v1 + kLevelTolerance) {
        const double when = a + (static_cast<double>(level + 1) - v0) / (v1 - v0) * (b - a);
        return {std::max(when, t), level + 1};
      }
      if (v1<v0&& static_cast<double>(level)> v1 + kLevelTolerance) {
        const double when = a + (static_cast<double>(level) - v0) / (v1 - v0) * (b - a);
        return {std::max(when, t), level - 1};
      }
    }
    if (t < b || (s.duration_s == 0.0 && t <= b)) {
      // A jump (0 s stage) or the end of a ramp: the level at b may differ.
      const long at_b = level_at(p, b);
      if (at_b != level && b >= t && b > 0.0) return {b, at_b};
    }
    a = b;
    v0 = v1;
  }
  return {kInf, level};
}

}  // namespace capsim::net
