#include <gtest/gtest.h>

#include "capsim/stats/time_weighted.hpp"

namespace capsim::stats {
namespace {

TEST(TimeWeighted, HandCase) {
  TimeWeighted tw(2.0);
  tw.update(1.0, 5.0);
  tw.update(3.0, 1.0);
  // 2 on [0,1), 5 on [1,3), 1 on [3,4): 2 + 10 + 1.
  EXPECT_DOUBLE_EQ(tw.integral(4.0), 13.0);
  EXPECT_DOUBLE_EQ(tw.value(), 1.0);
  EXPECT_DOUBLE_EQ(tw.integral(3.0), 12.0);
}

TEST(TimeWeighted, AddAndSameTimeUpdates) {
  TimeWeighted tw;
  tw.add(0.0, 1.0);
  tw.add(2.0, 1.0);
  tw.add(2.0, 1.0);  // two changes at the same instant
  tw.add(5.0, -3.0);
  // 1 on [0,2), 3 on [2,5), 0 on [5,6).
  EXPECT_DOUBLE_EQ(tw.integral(6.0), 11.0);
  EXPECT_EQ(tw.value(), 0.0);
}

TEST(TimeWeighted, ChangeAtTimeZeroReplacesTheInitialValue) {
  TimeWeighted tw(4.0);
  tw.update(0.0, 2.0);
  tw.update(1.5, 6.0);
  EXPECT_DOUBLE_EQ(tw.integral(3.0), 2.0 * 1.5 + 6.0 * 1.5);
}

}  // namespace
}  // namespace capsim::stats
