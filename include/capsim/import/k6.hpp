#pragma once
/// \file `capsim import k6`: k6 options (as `k6 inspect` prints them, or a --config JSON) ->
/// model fragments: workloads, the simulated duration and the SLO.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace capsim::import {

using Json = nlohmann::ordered_json;

/// A model fragment and what could not be carried over.
struct Fragment {
  Json model = Json::object();
  std::vector<std::string> warnings;  ///< "POINTER: what is not modelled"
};

/// Converts k6 options. Scenarios (or the top-level `stages`, or `vus` with `duration`) become
/// workloads on `target`: constant-vus and ramping-vus closed (users), constant-arrival-rate and
/// ramping-arrival-rate open (rate per second, from `rate`/`timeUnit`). Thresholds on
/// http_req_duration (p(N), med, avg, max) and http_req_failed (rate<X) become the SLO;
/// /simulation/duration is the longest scenario (startTime included). Refuses with
/// model::ModelError naming the pointer: an unknown or unmodelled executor (per-vu-iterations,
/// shared-iterations, externally-controlled), a bad duration, a missing key. Warns about what is
/// read but not modelled (maxVUs, gracefulStop, startTime offsets, other thresholds...).
Fragment import_k6(const Json& options, const std::string& target);

}  // namespace capsim::import
