#pragma once
/// \file Builds the runtime of a model and runs one replication of it.

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "capsim/model/spec.hpp"
#include "capsim/stats/summary.hpp"

namespace capsim::net {

/// How a request, or one call inside it, ended. `throttled`: a database's capacity units
/// refused it (docs/capacity-units.md).
enum class Outcome : std::uint8_t {
  success,
  timeout,
  rejected,
  rate_limited,
  circuit_open,
  error,
  throttled
};
inline constexpr int kOutcomeCount = 7;
/// The outcome's name as the results format spells it ("timeout", "rejected", ...).
const char* outcome_name(Outcome o);

class TraceRecorder;

struct ReplicationOptions {
  std::uint64_t replication = 0;
  /// Collect the time series (the results carry replication 0's only).
  bool timeseries = false;
  /// Ends the replication with SimulationError once this many events have fired.
  std::uint64_t max_events = UINT64_MAX;
  /// When set, receives simulated seconds done so far (updated about once per window).
  std::atomic<double>* progress_s = nullptr;
  /// When set and it becomes true, the replication ends with Cancelled within about a million
  /// events (a few tens of milliseconds): checked between chunks of events, never per event.
  const std::atomic<bool>* cancel = nullptr;
  /// When set, records a sample of requests' paths (capsim/net/traces.hpp); the request path
  /// tests this pointer and does nothing more when it is null.
  TraceRecorder* traces = nullptr;
};

/// A failure inside a running simulation (not bad input): carries the simulated time.
class SimulationError : public std::runtime_error {
 public:
  SimulationError(double time_s, const std::string& what);
  double time_s() const { return time_s_; }

 private:
  double time_s_;
};

/// Thrown when ReplicationOptions::cancel became true: the replication did not finish.
class Cancelled : public SimulationError {
 public:
  explicit Cancelled(double time_s) : SimulationError(time_s, "cancelled") {}
};

/// Runs replication `options.replication` of `spec` from a fresh state with its own random
/// streams, and returns its statistics (collected after the warm-up). Deterministic: the same
/// spec and replication give the same summary, whatever thread runs it.
stats::Summary simulate(const model::Spec& spec, const ReplicationOptions& options);

}  // namespace capsim::net
