#include <gtest/gtest.h>

#include <cmath>

#include "capsim/net/profile.hpp"

namespace capsim::net {
namespace {

model::Profile stages(double start, std::vector<model::Stage> s) {
  model::Profile p;
  p.kind = model::ProfileKind::stages;
  p.start = start;
  p.stages = std::move(s);
  return p;
}

TEST(Profile, StagesRampLinearlyAndHoldTheLastTarget) {
  const model::Profile p = stages(100, {{60, 500}, {0, 1000}, {60, 1000}});
  EXPECT_DOUBLE_EQ(value_at(p, 0), 100);
  EXPECT_DOUBLE_EQ(value_at(p, 30), 300);
  EXPECT_DOUBLE_EQ(value_at(p, 59.999), 100 + 400 * 59.999 / 60);
  EXPECT_DOUBLE_EQ(value_at(p, 60), 1000) << "a 0 s stage jumps";
  EXPECT_DOUBLE_EQ(value_at(p, 500), 1000) << "the last target holds";
  EXPECT_DOUBLE_EQ(max_value(p, 1e9), 1000);
}

TEST(Profile, SegmentsBoundTheRateUntilTheirEnd) {
  const model::Profile p = stages(100, {{60, 500}, {60, 200}});
  Segment s = segment_at(p, 10);
  EXPECT_EQ(s.end, 60);
  EXPECT_EQ(s.max_value, 500);
  s = segment_at(p, 60);
  EXPECT_EQ(s.end, 120);
  EXPECT_EQ(s.max_value, 500);
  s = segment_at(p, 130);
  EXPECT_TRUE(std::isinf(s.end));
  EXPECT_EQ(s.max_value, 200);
}

TEST(Profile, DiurnalFollowsTheSineAndNeverGoesNegative) {
  model::Profile p;
  p.kind = model::ProfileKind::diurnal;
  p.diurnal = {800, 600, 86400, 0};
  EXPECT_NEAR(value_at(p, 0), 800, 1e-9);
  EXPECT_NEAR(value_at(p, 21600), 1400, 1e-9);
  EXPECT_NEAR(value_at(p, 64800), 200, 1e-9);
  EXPECT_EQ(segment_at(p, 5).max_value, 1400);
  p.diurnal.amplitude = 900;
  EXPECT_EQ(value_at(p, 64800), 0.0);
}

TEST(Profile, TraceIsPiecewiseConstant) {
  model::Profile p;
  p.kind = model::ProfileKind::trace;
  p.trace = {{0, 10}, {60, 20}, {120, 5}};
  EXPECT_EQ(value_at(p, 0), 10);
  EXPECT_EQ(value_at(p, 59.9), 10);
  EXPECT_EQ(value_at(p, 60), 20);
  EXPECT_EQ(value_at(p, 1000), 5);
  EXPECT_EQ(segment_at(p, 70).end, 120);
  EXPECT_EQ(max_value(p, 1000), 20);
}

TEST(Profile, UserLevelsStepUpOnAnIncreasingRamp) {
  const model::Profile p = stages(0, {{10, 5}});
  long level = level_at(p, 0);
  EXPECT_EQ(level, 0);
  std::vector<double> times;
  double t = 0;
  while (true) {
    const LevelChange c = next_level_change(p, t, level);
    if (std::isinf(c.time)) break;
    EXPECT_EQ(c.level, level + 1);
    times.push_back(c.time);
    t = c.time;
    level = c.level;
  }
  EXPECT_EQ(times, (std::vector<double>{2, 4, 6, 8, 10}));
  EXPECT_EQ(level, 5);
}

TEST(Profile, UserLevelsStepDownAndJump) {
  const model::Profile p = stages(4, {{8, 0}, {0, 3}});
  long level = level_at(p, 0);
  EXPECT_EQ(level, 4);
  std::vector<std::pair<double, long>> changes;
  double t = 0;
  for (int guard = 0; guard < 20; ++guard) {
    const LevelChange c = next_level_change(p, t, level);
    if (std::isinf(c.time)) break;
    changes.emplace_back(c.time, c.level);
    t = c.time;
    level = c.level;
  }
  // The level drops below k as soon as the value does: 3 at t=0+, 2 at 2, 1 at 4, 0 at 6;
  // then the 0 s stage jumps to 3 at t = 8.
  const std::vector<std::pair<double, long>> expected{{0, 3}, {2, 2}, {4, 1}, {6, 0}, {8, 3}};
  EXPECT_EQ(changes, expected);
}

}  // namespace
}  // namespace capsim::net
