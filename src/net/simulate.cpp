/// \file The net layer's public entry (capsim/net/network.hpp): outcomes, errors, simulate().

#include "capsim/net/network.hpp"
#include "replication.hpp"

namespace capsim::net {

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::success:
      return "success";
    case Outcome::timeout:
      return "timeout";
    case Outcome::rejected:
      return "rejected";
    case Outcome::rate_limited:
      return "rate_limited";
    case Outcome::circuit_open:
      return "circuit_open";
    case Outcome::error:
      return "error";
    case Outcome::throttled:
      return "throttled";
  }
  return "unknown";
}

SimulationError::SimulationError(double time_s, const std::string& what)
    : std::runtime_error("at t = " + std::to_string(time_s) + " s: " + what), time_s_(time_s) {}

stats::Summary simulate(const model::Spec& spec, const ReplicationOptions& options) {
  Replication replication(spec, options);
  return replication.run();
}

}  // namespace capsim::net
