#pragma once
/// \file The one place where capsim spreads work over threads: run_pool runs n independent tasks
/// on worker threads of this process, with an optional helper thread that ticks while they run
/// (progress, stop checks). `capsim run` (run_replications) and the experiments (ThreadExecutor,
/// and through it each MPI rank's share of a batch) both run their replications through it.

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <vector>

namespace capsim::run {

/// Worker threads for a request: `requested` when positive, else one per core (at least 1).
int worker_threads(int requested);

struct PoolOptions {
  /// Worker threads, the calling thread among them; no more than one per task is used.
  int threads = 1;
  /// The order in which tasks start: a permutation of 0 .. n-1 (empty: 0, 1, ..., n-1). Results
  /// that tasks write to their own slot do not depend on it.
  std::vector<std::size_t> order;
  /// Asked before each task is taken: once it says true, no further task starts (running ones
  /// finish). Empty: never stop.
  std::function<bool()> stop;
  /// Called every `tick` from a helper thread while the tasks run; empty: no helper thread.
  std::function<void()> on_tick;
  std::chrono::milliseconds tick{100};
};

/// What became of each task of a run_pool call.
struct PoolOutcome {
  /// Per task: what it threw, or null.
  std::vector<std::exception_ptr> errors;
  /// Per task: 1 when it started (and so finished or threw), 0 when `stop` kept it from starting.
  std::vector<char> started;

  /// Whether every task started.
  bool all_started() const;
  /// Rethrows what the task of the lowest index threw, if any task threw.
  void rethrow_first_error() const;
};

/// Runs work(i) once for every task i < n on PoolOptions::threads threads and returns when all
/// have finished. work(i) runs concurrently with work(j): each task writes its result to its own
/// slot (index i) of the caller's storage, so that the results do not depend on the number of
/// threads or on the order. An exception thrown by work(i) is kept in the outcome and every other
/// task still runs. Throws std::invalid_argument when `order` is not empty and not of size n.
PoolOutcome run_pool(std::size_t n, const std::function<void(std::size_t)>& work,
                     const PoolOptions& options = {});

}  // namespace capsim::run
