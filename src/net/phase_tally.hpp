#pragma once
/// \file What a workload's requests did during one named phase (simulation.phases): kept by
/// PhaseStats, fed by WorkloadStats while the phase is in progress.

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

}  // namespace capsim::net
