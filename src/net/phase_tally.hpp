#pragma once
/// \file What a workload's requests, and an endpoint's (simulation.per_endpoint), did during one
/// named phase (simulation.phases): kept by PhaseStats, fed by WorkloadStats and EndpointStats
/// while the phase is in progress.

#include <cstdint>

#include "capsim/stats/histogram.hpp"

namespace capsim::net {

struct WorkloadPhaseTally {
  std::uint64_t offered = 0;    ///< first attempts sent in the phase
  std::uint64_t finished = 0;   ///< requests that ended in the phase
  std::uint64_t succeeded = 0;  ///< of which successful
  stats::Histogram latency;     ///< their latencies, successful requests only

  void done(bool success, double latency_s) {
    ++finished;
    if (success) {
      ++succeeded;
      latency.record(latency_s);
    }
  }
};

/// An endpoint's requests in a phase, counted as EndpointStats counts them over the run.
struct EndpointPhaseTally {
  std::uint64_t arrivals = 0;     ///< attempts arriving at the endpoint in the phase
  std::uint64_t ended = 0;        ///< requests that ended in the phase, served or refused
  std::uint64_t succeeded = 0;    ///< of which successful
  std::uint64_t completions = 0;  ///< requests that held a worker and finished in the phase
  stats::Histogram latency;       ///< their latencies, successful requests only

  void done(bool success, bool held_worker, double latency_s) {
    ++ended;
    succeeded += success;
    if (!held_worker) return;
    ++completions;
    if (success) latency.record(latency_s);
  }
};

}  // namespace capsim::net
