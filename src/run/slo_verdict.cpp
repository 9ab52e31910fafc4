/// \file The one SLO verdict (slo_verdict.hpp).

#include "capsim/run/slo_verdict.hpp"

#include <cmath>

namespace capsim::run {

SloCheck judge_slo_check(std::string metric, double limit, const MergedMetric& merged) {
  SloCheck c;
  c.metric = std::move(metric);
  c.limit = limit;
  c.value = merged.estimate;
  c.replications = static_cast<int>(merged.values.size());
  for (double v : merged.values) c.undefined_replications += std::isfinite(v) ? 0 : 1;
  if (c.undefined_replications > 0 || c.value.n == 0) {
    // No successful request in a replication: nothing met the limit there, for sure.
    c.met = false;
    c.confident = true;
    return c;
  }
  c.met = c.value.mean <= limit;
  c.confident =
      c.value.ci ? (c.met ? c.value.ci->second <= limit : c.value.ci->first > limit) : true;
  return c;
}

SloVerdict slo_verdict(const Results& r) {
  SloVerdict v;
  bool all_met_confident = true;
  bool a_failure_confident = false;
  if (r.slo) {
    for (const SloCheck& c : *r.slo) {
      if (c.met) {
        all_met_confident = all_met_confident && c.confident;
        continue;
      }
      v.met = false;
      a_failure_confident = a_failure_confident || c.confident;
      const std::string why = undefined_text(c);
      v.reasons.push_back(c.metric + (why.empty() ? " is over its limit" : " is " + why));
    }
  }
  for (const MergedMetric& m : r.metrics) {
    if (m.path.size() == 3 && m.path[0] == "services" && m.path[2] == "saturated" &&
        m.extreme > 0.0) {
      v.met = false;
      a_failure_confident = true;
      v.reasons.push_back("services." + m.path[1] +
                          " is saturated (its queue passed simulation.max_queue)");
    }
  }
  if (!r.slo && v.met) return v;
  v.confident = v.met ? all_met_confident : a_failure_confident;
  return v;
}

std::string undefined_text(const SloCheck& check) {
  if (check.undefined_replications == 0 && check.value.n > 0) return "";
  const int all = std::max(check.replications, check.undefined_replications);
  const bool latency = check.metric.find(".latency_ms.") != std::string::npos;
  return std::string("undefined (no ") + (latency ? "successful" : "finished") + " request in " +
         (check.undefined_replications >= all
              ? "any replication"
              : std::to_string(check.undefined_replications) + " of " + std::to_string(all) +
                    " replications") +
         "), a failure";
}

}  // namespace capsim::run
