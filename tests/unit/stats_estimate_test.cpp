#include "capsim/stats/estimate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace capsim::stats {
namespace {

TEST(StudentT, KnownQuantiles) {
  EXPECT_NEAR(student_t_quantile(0.975, 9), 2.2621571628, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.7062047362, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.7764451052, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.95, 29), 1.6991270265, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.995, 2), 9.9248432009, 1e-9);
  // Symmetry, the median, and the normal limit.
  EXPECT_NEAR(student_t_quantile(0.025, 9), -2.2621571628, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.5, 7), 0.0, 1e-15);
  EXPECT_NEAR(student_t_quantile(0.975, 1e9), 1.9599639845, 1e-8);
  EXPECT_EQ(student_t_quantile(1.0, 3), std::numeric_limits<double>::infinity());
  EXPECT_THROW(student_t_quantile(1.5, 3), std::invalid_argument);
  EXPECT_THROW(student_t_quantile(0.5, 0), std::invalid_argument);
}

TEST(Estimate, HandComputedInterval) {
  const std::vector<double> v{1.0, 2.0, 3.0, 4.0, 5.0};
  const Estimate e = estimate(v, 0.95);
  EXPECT_EQ(e.n, 5);
  EXPECT_DOUBLE_EQ(e.mean, 3.0);
  ASSERT_TRUE(e.ci.has_value());
  // s = sqrt(2.5), s / sqrt(5) = sqrt(0.5), t_{0.975,4} = 2.7764451052.
  const double half = 2.7764451052 * std::sqrt(0.5);
  EXPECT_NEAR(e.ci->first, 3.0 - half, 1e-9);
  EXPECT_NEAR(e.ci->second, 3.0 + half, 1e-9);
  EXPECT_NEAR(e.ci->first, 1.0367568, 1e-7);
}

TEST(Estimate, TwoValuesAndOtherConfidence) {
  const std::vector<double> v{10.0, 12.0};
  const Estimate e = estimate(v, 0.90);
  EXPECT_DOUBLE_EQ(e.mean, 11.0);
  ASSERT_TRUE(e.ci.has_value());
  // s = sqrt(2), s / sqrt(2) = 1, t_{0.95,1} = 6.3137515147.
  EXPECT_NEAR(e.ci->first, 11.0 - 6.3137515147, 1e-9);
  EXPECT_NEAR(e.ci->second, 11.0 + 6.3137515147, 1e-9);
}

TEST(Estimate, OneValueHasNoInterval) {
  const std::vector<double> v{3.25};
  const Estimate e = estimate(v, 0.95);
  EXPECT_EQ(e.n, 1);
  EXPECT_EQ(e.mean, 3.25);
  EXPECT_FALSE(e.ci.has_value());
}

TEST(Estimate, EmptyIsZero) {
  const Estimate e = estimate({}, 0.95);
  EXPECT_EQ(e.n, 0);
  EXPECT_EQ(e.mean, 0.0);
  EXPECT_FALSE(e.ci.has_value());
}

TEST(Estimate, EqualValuesGiveADegenerateInterval) {
  const std::vector<double> v{0.1, 0.1, 0.1};
  const Estimate e = estimate(v, 0.99);
  EXPECT_EQ(e.mean, 0.1);
  ASSERT_TRUE(e.ci.has_value());
  EXPECT_EQ(e.ci->first, 0.1);
  EXPECT_EQ(e.ci->second, 0.1);
}

TEST(Estimate, RejectsBadConfidence) {
  const std::vector<double> v{1.0, 2.0};
  EXPECT_THROW(estimate(v, 1.0), std::invalid_argument);
  EXPECT_THROW(estimate(v, 0.0), std::invalid_argument);
}

}  // namespace
}  // namespace capsim::stats
