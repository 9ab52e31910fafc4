#include "capsim/dist/duration.hpp"

#include <gtest/gtest.h>

namespace {

using capsim::dist::format_duration;
using capsim::dist::parse_duration;

TEST(DistDuration, ParsesEveryUnit) {
  EXPECT_DOUBLE_EQ(*parse_duration("5ns"), 5e-9);
  EXPECT_DOUBLE_EQ(*parse_duration("250us"), 250e-6);
  EXPECT_DOUBLE_EQ(*parse_duration("150ms"), 0.150);
  EXPECT_DOUBLE_EQ(*parse_duration("2s"), 2.0);
  EXPECT_DOUBLE_EQ(*parse_duration("5m"), 300.0);
  EXPECT_DOUBLE_EQ(*parse_duration("1h"), 3600.0);
  EXPECT_DOUBLE_EQ(*parse_duration("2d"), 172800.0);
}

TEST(DistDuration, AcceptsMicroSign) {
  EXPECT_DOUBLE_EQ(*parse_duration("3\xC2\xB5s"), 3e-6);
  EXPECT_DOUBLE_EQ(*parse_duration("3\xCE\xBCs"), 3e-6);
}

TEST(DistDuration, AcceptsFractionsExponentsAndSpaces) {
  EXPECT_DOUBLE_EQ(*parse_duration("1.5s"), 1.5);
  EXPECT_DOUBLE_EQ(*parse_duration(".5s"), 0.5);
  EXPECT_DOUBLE_EQ(*parse_duration("2 m"), 120.0);
  EXPECT_DOUBLE_EQ(*parse_duration(" 10ms "), 0.010);
  EXPECT_DOUBLE_EQ(*parse_duration("1e3ms"), 1.0);
  EXPECT_DOUBLE_EQ(*parse_duration("2.5E-1s"), 0.25);
  EXPECT_DOUBLE_EQ(*parse_duration("0s"), 0.0);
}

TEST(DistDuration, AcceptsCompoundDurations) {
  EXPECT_DOUBLE_EQ(*parse_duration("1h30m"), 5400.0);
  EXPECT_DOUBLE_EQ(*parse_duration("1m 30s"), 90.0);
  EXPECT_DOUBLE_EQ(*parse_duration("1d2h"), 93600.0);
}

TEST(DistDuration, ReturnsNegativeValuesAsParsed) {
  EXPECT_DOUBLE_EQ(*parse_duration("-5s"), -5.0);
  EXPECT_DOUBLE_EQ(*parse_duration("+5s"), 5.0);
}

TEST(DistDuration, RejectsWhatIsNotADuration) {
  for (const char* text : {"", " ", "10 minutes", "5", "5min", "abc", "s", "5mm", "5 s s", "1e400s",
                           "inf s", "nans", "--5s", "5.s.", "1..5s"}) {
    EXPECT_FALSE(parse_duration(text).has_value()) << "'" << text << "'";
  }
}

TEST(DistDuration, FormatsShortHumanStrings) {
  EXPECT_EQ(format_duration(0.0), "0s");
  EXPECT_EQ(format_duration(5e-9), "5ns");
  EXPECT_EQ(format_duration(250e-6), "250us");
  EXPECT_EQ(format_duration(0.150), "150ms");
  EXPECT_EQ(format_duration(0.0125), "12.5ms");
  EXPECT_EQ(format_duration(2.5), "2.5s");
  EXPECT_EQ(format_duration(300.0), "5m");
  EXPECT_EQ(format_duration(90.0), "1m30s");
  EXPECT_EQ(format_duration(5400.0), "1h30m");
  EXPECT_EQ(format_duration(3600.0), "1h");
  EXPECT_EQ(format_duration(86400.0 + 5.0), "1d5s");
  EXPECT_EQ(format_duration(119.9999), "2m");
  EXPECT_EQ(format_duration(-2.0), "-2s");
  // Beyond 1e12 s, the exponent form: a message printed all 309 digits of 1e308.
  EXPECT_EQ(format_duration(1e308), "1e+308s");
  EXPECT_EQ(format_duration(2.5e13), "2.5e+13s");
}

TEST(DistDuration, FormatReadsBack) {
  for (const double seconds : {1e-8, 3e-5, 0.042, 1.0, 59.5, 61.25, 3725.5, 90061.0}) {
    const auto parsed = parse_duration(format_duration(seconds));
    ASSERT_TRUE(parsed.has_value()) << seconds;
    EXPECT_NEAR(*parsed, seconds, seconds * 1e-3) << format_duration(seconds);
  }
}

}  // namespace
