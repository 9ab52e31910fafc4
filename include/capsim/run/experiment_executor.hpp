#pragma once
/// \file Runs replications of several prepared models (the points or variants of an experiment)
/// on the threads of this process (run_pool, run/work_pool.hpp), or spread over the processes of
/// an MPI job (run/process_share.hpp, src/cli/mpi_executor.cpp). Every replication goes through
/// net::simulate, the same path as `capsim run`.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "capsim/model/spec.hpp"
#include "capsim/run/codec.hpp"  // serialize, TaskFailure: what executors carry between processes
#include "capsim/stats/summary.hpp"

namespace capsim::run {

/// One replication of one prepared model.
struct Task {
  std::size_t spec = 0;           ///< index into the models given to Executor::run
  std::uint64_t replication = 0;  ///< the replication index: its random streams (CRN)
};

/// Thrown by Executor::run when a stop was requested (request_stop) before every task ran. The
/// tasks that finished were reported through ExecuteCallbacks::on_done first.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

/// Asks every executor of this process to stop starting tasks. Async-signal-safe: meant for
/// SIGINT and SIGTERM handlers. Running replications finish first (they take at most seconds).
void request_stop() noexcept;
/// Whether request_stop was called (and not cleared since).
bool stop_requested() noexcept;
/// Forgets an earlier request_stop (tests).
void clear_stop() noexcept;

struct ExecuteCallbacks {
  /// Called once per finished task with its index in `tasks` and its summary, never
  /// concurrently with itself: as tasks finish (threads), or in task order once a batch has been
  /// gathered (MPI).
  std::function<void(std::size_t, const stats::Summary&)> on_done;
  /// Called about ten times a second from a helper thread with the fraction of this call's work
  /// done (0..1), counted in simulated seconds.
  std::function<void(double)> on_progress;
};

/// Runs tasks. With several processes (MPI), every process calls run() with the same arguments
/// and gets every summary back, so that adaptive searches (`size`) take the same decisions
/// everywhere; only the leader writes files and talks to the user.
class Executor {
 public:
  virtual ~Executor() = default;

  /// Runs `tasks` (replication `task.replication` of `specs[task.spec]`, without time series)
  /// and returns their summaries in task order. The summaries do not depend on the number of
  /// threads or processes. When a task fails, every task still runs and the failure of the
  /// lowest task index is rethrown (SimulationError keeps its type). Throws Interrupted when a
  /// stop was requested.
  virtual std::vector<stats::Summary> run(const std::vector<model::Spec>& specs,
                                          const std::vector<Task>& tasks,
                                          const ExecuteCallbacks& callbacks = {}) = 0;

  /// This process's rank and the number of processes (1 without MPI).
  virtual int process() const { return 0; }
  virtual int processes() const { return 1; }
  /// Whether this process writes the outputs and reports progress (rank 0).
  bool leader() const { return process() == 0; }
  /// Worker threads of this process.
  virtual int threads() const = 0;
  /// Gives every process the leader's `text` (a checkpoint read by the leader only).
  virtual void share(std::string& text) { (void)text; }
  /// How many tasks one call to run() should be given to keep every worker of every process
  /// busy while still returning often enough for a sweep to save finished rows (0: no limit).
  virtual std::size_t batch_hint() const = 0;
};

/// Runs the tasks on `threads` worker threads of this process (0: one per core), taking them
/// longest first from one shared queue (run_pool): points and replications share one pool.
class ThreadExecutor : public Executor {
 public:
  explicit ThreadExecutor(int threads = 0);
  std::vector<stats::Summary> run(const std::vector<model::Spec>& specs,
                                  const std::vector<Task>& tasks,
                                  const ExecuteCallbacks& callbacks = {}) override;
  int threads() const override { return threads_; }
  std::size_t batch_hint() const override { return 0; }

 private:
  int threads_;
};

/// A relative estimate of the cost of one replication of each model (simulated time x requests
/// handled per second, from the analytic traffic equations), to start the longest first.
std::vector<double> estimated_costs(const std::vector<model::Spec>& specs);

/// The indices of `tasks`, most expensive first (estimated_costs; ties in task order): the order
/// in which executors start them, so that no worker is left with a long one at the end.
std::vector<std::size_t> longest_first(const std::vector<model::Spec>& specs,
                                       const std::vector<Task>& tasks);

}  // namespace capsim::run
