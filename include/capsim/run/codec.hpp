#pragma once
/// \file The bytes that travel between the processes of an MPI job: a replication's summary, a
/// failure, and one process's report on its share of a batch. Exact: doubles travel by their
/// bits (NaN and infinities included), so that every process merges the same numbers. No MPI
/// here; src/cli/mpi_executor.cpp only moves these bytes.

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capsim/stats/summary.hpp"

namespace capsim::run {

/// The summary as bytes and back, exactly. The time series, event log and scale events are not
/// carried (experiments do not collect them).
std::string serialize(const stats::Summary& summary);
/// Throws std::runtime_error when the bytes are not a serialised summary.
stats::Summary deserialize(std::string_view bytes);

/// A failure carried between processes: kind 0 none, 1 net::SimulationError (with its time),
/// 2 any other exception (its what()).
struct TaskFailure {
  int kind = 0;
  double time_s = 0.0;
  std::string what;
};
/// The failure held by `error` (kind 0 for a null pointer).
TaskFailure describe_failure(const std::exception_ptr& error);
/// Throws the failure again: SimulationError for kind 1, std::runtime_error for kind 2.
[[noreturn]] void rethrow_failure(const TaskFailure& failure);

/// What one process reports about its share of a batch of tasks (see run/process_share.hpp).
struct ShareReport {
  enum class Status : std::uint64_t { done = 0, interrupted = 1, failed = 2 };
  Status status = Status::done;
  /// Status::failed: the lowest index (in the whole batch) of a task of the share that did not
  /// finish, and the failure.
  std::uint64_t failed_task = 0;
  TaskFailure failure;
  /// (index in the whole batch, summary) of every task of the share that finished.
  std::vector<std::pair<std::uint64_t, stats::Summary>> finished;
};
/// The report as bytes and back. decode_report throws std::runtime_error on malformed bytes.
std::string encode_report(const ShareReport& report);
ShareReport decode_report(std::string_view bytes);

}  // namespace capsim::run
