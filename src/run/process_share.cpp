#include "capsim/run/process_share.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace capsim::run {

std::vector<std::size_t> share_of(const std::vector<model::Spec>& specs,
                                  const std::vector<Task>& tasks, int process, int processes) {
  const std::vector<std::size_t> order = longest_first(specs, tasks);
  std::vector<std::size_t> share;
  for (std::size_t k = static_cast<std::size_t>(process); k < order.size();
       k += static_cast<std::size_t>(processes)) {
    share.push_back(order[k]);
  }
  // In task order: the local executor starts them longest first all the same (ties in task
  // order), and the failure it rethrows is then the one of the lowest task index.
  std::sort(share.begin(), share.end());
  return share;
}

ShareReport run_share(ThreadExecutor& local, const std::vector<model::Spec>& specs,
                      const std::vector<Task>& tasks, const std::vector<std::size_t>& share,
                      const std::function<void(double)>& on_progress) {
  std::vector<Task> mine;
  mine.reserve(share.size());
  for (const std::size_t i : share) mine.push_back(tasks.at(i));
  std::vector<char> done(mine.size(), 0);
  std::vector<stats::Summary> summaries(mine.size());
  ExecuteCallbacks callbacks;
  callbacks.on_done = [&](std::size_t k, const stats::Summary& s) {
    done[k] = 1;
    summaries[k] = s;
  };
  callbacks.on_progress = on_progress;
  ShareReport report;
  try {
    local.run(specs, mine, callbacks);
  } catch (const Interrupted&) {
    report.status = ShareReport::Status::interrupted;
  } catch (...) {
    report.status = ShareReport::Status::failed;
    report.failure = describe_failure(std::current_exception());
    report.failed_task = UINT64_MAX;
    for (std::size_t k = 0; k < mine.size(); ++k) {
      if (!done[k]) report.failed_task = std::min<std::uint64_t>(report.failed_task, share[k]);
    }
  }
  for (std::size_t k = 0; k < mine.size(); ++k) {
    if (done[k]) report.finished.emplace_back(share[k], std::move(summaries[k]));
  }
  return report;
}

std::vector<stats::Summary> join_shares(std::vector<ShareReport> reports, std::size_t tasks,
                                        const ExecuteCallbacks& callbacks) {
  std::vector<stats::Summary> summaries(tasks);
  std::vector<char> have(tasks, 0);
  bool interrupted = false;
  const ShareReport* first_failed = nullptr;
  for (ShareReport& report : reports) {
    if (report.status == ShareReport::Status::interrupted) interrupted = true;
    if (report.status == ShareReport::Status::failed &&
        (first_failed == nullptr || report.failed_task < first_failed->failed_task)) {
      first_failed = &report;
    }
    for (auto& [task, summary] : report.finished) {
      if (task >= tasks) throw std::runtime_error("MPI: bad task index");
      summaries[task] = std::move(summary);
      have[task] = 1;
    }
  }
  if (first_failed != nullptr) rethrow_failure(first_failed->failure);
  if (callbacks.on_done) {
    for (std::size_t i = 0; i < tasks; ++i) {
      if (have[i]) callbacks.on_done(i, summaries[i]);
    }
  }
  if (interrupted || std::find(have.begin(), have.end(), 0) != have.end()) throw Interrupted();
  return summaries;
}

}  // namespace capsim::run
