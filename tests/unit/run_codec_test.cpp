// The bytes that travel between the processes of an MPI job, without MPI: summaries come back
// bit for bit (NaN, infinities and signed zeros included), reports keep their status, failure
// and finished tasks, and malformed bytes are refused.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "capsim/net/network.hpp"
#include "capsim/run/codec.hpp"

namespace {

namespace run = capsim::run;
using capsim::stats::Merge;
using capsim::stats::Summary;

std::uint64_t bits(double v) {
  std::uint64_t b = 0;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

Summary awkward_summary() {
  using limits = std::numeric_limits<double>;
  Summary s;
  s.metrics.push_back({{"workloads", "w", "latency_ms", "p99"}, 0.1 + 0.2, Merge::estimate});
  s.metrics.push_back({{"nan"}, limits::quiet_NaN(), Merge::estimate});
  s.metrics.push_back({{"neg_nan"}, -limits::quiet_NaN(), Merge::min});
  s.metrics.push_back({{"inf"}, limits::infinity(), Merge::max});
  s.metrics.push_back({{"neg_inf"}, -limits::infinity(), Merge::min});
  s.metrics.push_back({{"neg_zero"}, -0.0, Merge::estimate});
  s.metrics.push_back({{"denormal"}, limits::denorm_min(), Merge::estimate});
  s.metrics.push_back({{}, limits::max(), Merge::max});
  s.notices = {"service 's' saturated at t = 3 s", "", std::string("nul\0inside", 10)};
  s.events = UINT64_MAX;
  s.measured_s = limits::infinity();
  s.counts = {7, UINT64_MAX, 3};
  return s;
}

TEST(Codec, SummariesRoundTripBitForBit) {
  const Summary s = awkward_summary();
  const std::string bytes = run::serialize(s);
  const Summary t = run::deserialize(bytes);
  ASSERT_EQ(t.metrics.size(), s.metrics.size());
  for (std::size_t i = 0; i < s.metrics.size(); ++i) {
    EXPECT_EQ(t.metrics[i].path, s.metrics[i].path) << i;
    EXPECT_EQ(bits(t.metrics[i].value), bits(s.metrics[i].value)) << i;
    EXPECT_EQ(t.metrics[i].merge, s.metrics[i].merge) << i;
  }
  EXPECT_EQ(t.notices, s.notices);
  EXPECT_EQ(t.events, s.events);
  EXPECT_EQ(bits(t.measured_s), bits(s.measured_s));
  EXPECT_EQ(t.counts.scale_changes, 7u);
  EXPECT_EQ(t.counts.breaker_transitions, UINT64_MAX);
  EXPECT_EQ(t.counts.call_retries, 3u);
  EXPECT_EQ(run::serialize(t), bytes);
  EXPECT_EQ(run::serialize(run::deserialize(run::serialize(Summary{}))), run::serialize(Summary{}));
}

TEST(Codec, MalformedSummariesAreRefused) {
  const std::string bytes = run::serialize(awkward_summary());
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_THROW(run::deserialize(bytes.substr(0, cut)), std::runtime_error) << cut;
  }
  EXPECT_THROW(run::deserialize(bytes + "x"), std::runtime_error);
  std::string wrong_magic = bytes;
  wrong_magic[0] ^= 1;
  EXPECT_THROW(run::deserialize(wrong_magic), std::runtime_error);
  // A metric count far beyond the bytes (a corrupt length) is refused before allocating.
  std::string huge = bytes;
  const std::uint64_t count = UINT64_MAX / 2;
  std::memcpy(huge.data() + 8, &count, 8);
  EXPECT_THROW(run::deserialize(huge), std::runtime_error);
}

TEST(Codec, ReportsKeepStatusFailureAndFinishedTasks) {
  run::ShareReport report;
  report.status = run::ShareReport::Status::failed;
  report.failed_task = 41;
  report.failure = run::describe_failure(
      std::make_exception_ptr(capsim::net::SimulationError(12.5, "ran out of events")));
  report.finished.emplace_back(3, awkward_summary());
  report.finished.emplace_back(0, Summary{});
  const std::string bytes = run::encode_report(report);
  const run::ShareReport back = run::decode_report(bytes);
  EXPECT_EQ(back.status, run::ShareReport::Status::failed);
  EXPECT_EQ(back.failed_task, 41u);
  EXPECT_EQ(back.failure.kind, 1);
  EXPECT_EQ(back.failure.time_s, 12.5);
  EXPECT_EQ(back.failure.what, "ran out of events");
  ASSERT_EQ(back.finished.size(), 2u);
  EXPECT_EQ(back.finished[0].first, 3u);
  EXPECT_EQ(run::serialize(back.finished[0].second), run::serialize(awkward_summary()));
  EXPECT_EQ(back.finished[1].first, 0u);
  EXPECT_EQ(run::encode_report(back), bytes);

  for (std::size_t cut = 0; cut < bytes.size(); cut += 7) {
    EXPECT_THROW(run::decode_report(bytes.substr(0, cut)), std::runtime_error) << cut;
  }
  std::string bad_status = bytes;
  bad_status[0] = 9;
  EXPECT_THROW(run::decode_report(bad_status), std::runtime_error);
}

TEST(Codec, FailuresTravelWithTheirKindAndText) {
  const run::TaskFailure sim =
      run::describe_failure(std::make_exception_ptr(capsim::net::SimulationError(2.0, "boom")));
  try {
    run::rethrow_failure(sim);
  } catch (const capsim::net::SimulationError& e) {
    EXPECT_EQ(e.time_s(), 2.0);
    EXPECT_STREQ(e.what(), capsim::net::SimulationError(2.0, "boom").what());
  }
  const run::TaskFailure other =
      run::describe_failure(std::make_exception_ptr(std::logic_error("odd")));
  EXPECT_EQ(other.kind, 2);
  try {
    run::rethrow_failure(other);
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "odd");
  }
  EXPECT_EQ(run::describe_failure(std::make_exception_ptr(42)).what, "unknown failure");
}

}  // namespace
