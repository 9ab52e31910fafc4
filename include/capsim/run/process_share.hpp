#pragma once
/// \file A batch of tasks spread over the processes of a job (MPI): which tasks each process
/// runs, what it reports about them (run/codec.hpp carries the report), and how the reports of
/// every process are joined into what Executor::run returns. src/cli/mpi_executor.cpp only moves
/// the bytes between processes; everything here runs and is tested without MPI.

#include <cstddef>
#include <functional>
#include <vector>

#include "capsim/model/spec.hpp"
#include "capsim/run/codec.hpp"
#include "capsim/run/experiment_executor.hpp"

namespace capsim::run {

/// The tasks (indices into `tasks`, ascending) that process `process` of `processes` runs: the
/// tasks are dealt like cards in order of decreasing cost (longest_first), so that every process
/// gets a fair share of the expensive replications.
std::vector<std::size_t> share_of(const std::vector<model::Spec>& specs,
                                  const std::vector<Task>& tasks, int process, int processes);

/// Runs the tasks `share` of `tasks` on `local` and says what became of them; a failure or a stop
/// request is reported, not thrown. `on_progress` as in ExecuteCallbacks (may be empty).
ShareReport run_share(ThreadExecutor& local, const std::vector<model::Spec>& specs,
                      const std::vector<Task>& tasks, const std::vector<std::size_t>& share,
                      const std::function<void(double)>& on_progress);

/// Joins the reports of every process (in process order) about a batch of `tasks` tasks into the
/// summaries in task order, as Executor::run returns them: rethrows the failure of the lowest
/// failed task, else calls callbacks.on_done in task order for every finished task, then throws
/// Interrupted when a process was interrupted or a task is missing. Throws std::runtime_error
/// when a report names a task outside the batch.
std::vector<stats::Summary> join_shares(std::vector<ShareReport> reports, std::size_t tasks,
                                        const ExecuteCallbacks& callbacks);

}  // namespace capsim::run
