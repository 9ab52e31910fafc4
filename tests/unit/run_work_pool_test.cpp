// The work pool behind every executor: each task runs once, results by index do not depend on
// the thread count or the order, failures stay with their task, a stop keeps further tasks from
// starting, and the helper thread ticks only while tasks run.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "capsim/run/work_pool.hpp"

namespace {

namespace run = capsim::run;

std::vector<double> squares(int threads, std::vector<std::size_t> order = {}) {
  constexpr std::size_t kTasks = 200;
  std::vector<double> out(kTasks, -1.0);
  std::vector<std::atomic<int>> calls(kTasks);
  run::PoolOptions options;
  options.threads = threads;
  options.order = std::move(order);
  const run::PoolOutcome outcome = run::run_pool(
      kTasks,
      [&](std::size_t i) {
        ++calls[i];
        out[i] = static_cast<double>(i) * static_cast<double>(i);
      },
      options);
  for (std::size_t i = 0; i < kTasks; ++i) EXPECT_EQ(calls[i].load(), 1) << "task " << i;
  EXPECT_TRUE(outcome.all_started());
  EXPECT_NO_THROW(outcome.rethrow_first_error());
  return out;
}

TEST(WorkPool, ResultsByIndexDoNotDependOnThreadsOrOrder) {
  const std::vector<double> one = squares(1);
  EXPECT_EQ(one[13], 169.0);
  EXPECT_EQ(squares(2), one);
  EXPECT_EQ(squares(7), one);
  EXPECT_EQ(squares(500), one) << "more threads than tasks";
  std::vector<std::size_t> reversed(200);
  std::iota(reversed.rbegin(), reversed.rend(), std::size_t{0});
  EXPECT_EQ(squares(3, reversed), one);
}

TEST(WorkPool, OneThreadFollowsTheOrder) {
  std::vector<std::size_t> seen;
  run::PoolOptions options;
  options.order = {2, 0, 3, 1};
  run::run_pool(
      4, [&](std::size_t i) { seen.push_back(i); }, options);
  EXPECT_EQ(seen, options.order);
  options.order = {0, 1};
  EXPECT_THROW(run::run_pool(
                   4, [](std::size_t) {}, options),
               std::invalid_argument);
}

TEST(WorkPool, FailuresStayWithTheirTaskAndEveryTaskStillRuns) {
  for (const int threads : {1, 4}) {
    std::vector<std::atomic<int>> ran(20);
    run::PoolOptions options;
    options.threads = threads;
    options.order.resize(20);
    std::iota(options.order.rbegin(), options.order.rend(), std::size_t{0});  // 19 first
    const run::PoolOutcome outcome = run::run_pool(
        20,
        [&](std::size_t i) {
          ++ran[i];
          if (i == 7 || i == 15) throw std::runtime_error("task " + std::to_string(i));
        },
        options);
    for (const auto& r : ran) EXPECT_EQ(r.load(), 1);
    EXPECT_TRUE(outcome.all_started());
    for (std::size_t i = 0; i < 20; ++i) EXPECT_EQ(outcome.errors[i] != nullptr, i == 7 || i == 15);
    // The lowest index wins, whichever failed first.
    try {
      outcome.rethrow_first_error();
      ADD_FAILURE() << "expected a rethrow";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "task 7");
    }
  }
}

TEST(WorkPool, AStopKeepsFurtherTasksFromStarting) {
  std::atomic<bool> stop{false};
  std::vector<std::size_t> seen;
  run::PoolOptions options;
  options.stop = [&] { return stop.load(); };
  const run::PoolOutcome outcome = run::run_pool(
      6,
      [&](std::size_t i) {
        seen.push_back(i);
        if (i == 2) stop = true;  // as SIGINT would, while task 2 runs
      },
      options);
  EXPECT_EQ(seen, (std::vector<std::size_t>{0, 1, 2})) << "the running task finishes";
  EXPECT_EQ(outcome.started, (std::vector<char>{1, 1, 1, 0, 0, 0}));
  EXPECT_FALSE(outcome.all_started());
  EXPECT_NO_THROW(outcome.rethrow_first_error());
}

TEST(WorkPool, TheHelperTicksWhileTasksRunAndNotAfter) {
  std::atomic<int> ticks{0};
  run::PoolOptions options;
  options.threads = 2;
  options.tick = std::chrono::milliseconds(1);
  options.on_tick = [&] { ++ticks; };
  run::run_pool(
      2, [](std::size_t) { std::this_thread::sleep_for(std::chrono::milliseconds(60)); }, options);
  const int after = ticks.load();
  EXPECT_GT(after, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(ticks.load(), after);
}

TEST(WorkPool, NoTasksRunNothing) {
  bool called = false;
  run::PoolOptions options;
  options.on_tick = [&] { called = true; };
  const run::PoolOutcome outcome = run::run_pool(
      0, [&](std::size_t) { called = true; }, options);
  EXPECT_FALSE(called);
  EXPECT_TRUE(outcome.errors.empty());
  EXPECT_TRUE(outcome.all_started());
}

TEST(WorkPool, ZeroThreadsMeansEveryCore) {
  EXPECT_GE(run::worker_threads(0), 1);
  EXPECT_EQ(run::worker_threads(3), 3);
}

}  // namespace
