// A batch spread over processes, without MPI: the shares cover every task once, the reports of
// any number of "processes" join to the same summaries as one process, and the join rethrows the
// lowest failed task, reports finished tasks in task order and ends with Interrupted when a
// process was stopped or a task is missing.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "capsim/model/load.hpp"
#include "capsim/net/network.hpp"
#include "capsim/run/process_share.hpp"

namespace {

namespace run = capsim::run;
using capsim::model::Spec;
using capsim::stats::Summary;

Spec small_model(double rate, const std::string& duration = "200s") {
  return capsim::model::load(capsim::model::Json::parse(R"({
    "simulation": { "duration": ")" + duration + R"(", "replications": 3, "seed": 9 },
    "workloads": [ { "name": "w", "target": "s", "rate": )" +
                                                        std::to_string(rate) + R"( } ],
    "services": { "s": { "replicas": 2, "workers": 1,
                         "steps": [ { "work": { "dist": "exponential", "mean": "100ms" } } ] } }
  })"),
                             ".");
}

// Three replications of each of two models.
const std::vector<run::Task> kTasks{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}};

Summary tagged(double value) {
  Summary s;
  s.metrics.push_back({{"x"}, value, capsim::stats::Merge::estimate});
  return s;
}

TEST(ProcessShare, SharesCoverEveryTaskOnceLongestDealtFirst) {
  // The 1000 s model costs more: its replications are dealt first, one to each process.
  const std::vector<Spec> specs{small_model(5), small_model(5, "1000s")};
  const std::vector<run::Task>& tasks = kTasks;
  EXPECT_EQ(run::longest_first(specs, tasks), (std::vector<std::size_t>{3, 4, 5, 0, 1, 2}));
  std::vector<int> seen(tasks.size(), 0);
  for (int p = 0; p < 3; ++p) {
    const auto share = run::share_of(specs, tasks, p, 3);
    EXPECT_TRUE(std::is_sorted(share.begin(), share.end()));
    ASSERT_EQ(share.size(), 2u);
    EXPECT_EQ(share[1], 3u + static_cast<std::size_t>(p)) << "one long task each";
    for (const std::size_t i : share) ++seen.at(i);
  }
  EXPECT_EQ(seen, std::vector<int>(tasks.size(), 1));
  EXPECT_TRUE(run::share_of(specs, tasks, 7, 8).empty()) << "more processes than tasks";
}

TEST(ProcessShare, AnyNumberOfProcessesJoinsToTheSameSummaries) {
  const std::vector<Spec> specs{small_model(5), small_model(12)};
  const std::vector<run::Task>& tasks = kTasks;
  const std::vector<Summary> single = run::ThreadExecutor(2).run(specs, tasks);
  for (const int processes : {1, 2, 4, 9}) {
    std::vector<run::ShareReport> reports;
    for (int p = 0; p < processes; ++p) {
      run::ThreadExecutor local(1);
      const auto share = run::share_of(specs, tasks, p, processes);
      // Through the bytes, as MPI carries them.
      reports.push_back(run::decode_report(
          run::encode_report(run::run_share(local, specs, tasks, share, nullptr))));
      EXPECT_EQ(reports.back().status, run::ShareReport::Status::done);
    }
    std::vector<std::size_t> order;
    run::ExecuteCallbacks cb;
    cb.on_done = [&](std::size_t i, const Summary&) { order.push_back(i); };
    const std::vector<Summary> joined = run::join_shares(std::move(reports), tasks.size(), cb);
    ASSERT_EQ(joined.size(), single.size());
    for (std::size_t i = 0; i < single.size(); ++i) {
      EXPECT_EQ(run::serialize(joined[i]), run::serialize(single[i])) << processes << ": " << i;
    }
    EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5})) << "in task order";
  }
}

TEST(ProcessShare, TheLowestFailedTaskIsRethrownBeforeAnythingIsReported) {
  run::ShareReport a, b, c;
  a.finished.emplace_back(0, tagged(1.0));
  b.status = run::ShareReport::Status::failed;
  b.failed_task = 5;
  b.failure = {2, 0.0, "later"};
  c.status = run::ShareReport::Status::failed;
  c.failed_task = 2;
  c.failure = run::describe_failure(
      std::make_exception_ptr(capsim::net::SimulationError(3.0, "event budget spent")));
  int reported = 0;
  run::ExecuteCallbacks cb;
  cb.on_done = [&](std::size_t, const Summary&) { ++reported; };
  try {
    run::join_shares({a, b, c}, 6, cb);
    ADD_FAILURE() << "expected the failure of task 2";
  } catch (const capsim::net::SimulationError& e) {
    EXPECT_EQ(e.time_s(), 3.0);
    EXPECT_STREQ(e.what(), capsim::net::SimulationError(3.0, "event budget spent").what());
  }
  EXPECT_EQ(reported, 0);
}

TEST(ProcessShare, AStoppedProcessOrAMissingTaskEndsWithInterrupted) {
  run::ShareReport a, b;
  a.finished.emplace_back(2, tagged(2.0));
  a.finished.emplace_back(0, tagged(0.0));
  b.status = run::ShareReport::Status::interrupted;
  b.finished.emplace_back(1, tagged(1.0));
  std::vector<std::size_t> order;
  run::ExecuteCallbacks cb;
  cb.on_done = [&](std::size_t i, const Summary& s) {
    EXPECT_EQ(s.metrics.at(0).value, static_cast<double>(i));
    order.push_back(i);
  };
  EXPECT_THROW(run::join_shares({a, b}, 3, cb), run::Interrupted) << "a process was stopped";
  EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2})) << "finished tasks still reported";
  b.status = run::ShareReport::Status::done;
  EXPECT_EQ(run::join_shares({a, b}, 3, {}).size(), 3u);
  EXPECT_THROW(run::join_shares({a}, 3, {}), run::Interrupted) << "task 1 missing";
  EXPECT_THROW(run::join_shares({a, b}, 2, {}), std::runtime_error) << "task 2 out of range";
}

}  // namespace
