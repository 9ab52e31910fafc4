/// \file What each compared variant's mechanisms did (compare_activity.hpp).

#include "capsim/run/compare_activity.hpp"

#include <algorithm>
#include <cmath>

namespace capsim::run {

namespace {

double mean_of(const Results& r, const std::string& name) {
  const MergedMetric* m = r.find(name);
  return m && m->estimate.n > 0 && std::isfinite(m->estimate.mean) ? m->estimate.mean : 0.0;
}

}  // namespace

VariantActivity activity_of(const Results& r) {
  VariantActivity a;
  std::vector<std::string> workloads, services;
  for (const MergedMetric& m : r.metrics) {
    if (m.path.size() < 3 || (m.path[0] != "workloads" && m.path[0] != "services")) continue;
    std::vector<std::string>& list = m.path[0] == "workloads" ? workloads : services;
    if (std::find(list.begin(), list.end(), m.path[1]) == list.end()) list.push_back(m.path[1]);
  }
  for (const std::string& w : workloads) {
    const std::string p = "workloads." + w + ".";
    const double finished = mean_of(r, p + "throughput_rps");
    a.retries_rps += mean_of(r, p + "retries_rps");
    a.timeouts_rps += mean_of(r, p + "errors.timeout") * finished;
    a.circuit_open_rps += mean_of(r, p + "errors.circuit_open") * finished;
  }
  for (const std::string& s : services) {
    const std::string p = "services." + s + ".";
    const double arrivals = mean_of(r, p + "arrival_rps");
    a.rejected_rps += mean_of(r, p + "rejected") * arrivals;
    a.rate_limited_rps += mean_of(r, p + "rate_limited") * arrivals;
    a.throttled_rps += mean_of(r, p + "capacity_units.throttled") * arrivals;
    a.fallback_rps += mean_of(r, p + "fallback_rps");
    a.replica_hours += mean_of(r, p + "replica_seconds") / 3600.0;
    if (r.find(p + "cost") != nullptr) a.cost = a.cost.value_or(0.0) + mean_of(r, p + "cost");
  }
  // With nodes, capacity is paid by the node-hour (docs/nodes.md).
  for (const MergedMetric& m : r.metrics) {
    if (m.path.size() == 3 && m.path[0] == "node_pools" && m.path[2] == "cost") {
      a.cost = a.cost.value_or(0.0) + mean_of(r, m.dotted());
    }
  }
  // Counted in every replication, event log or not (compare keeps none).
  const double measured_s = r.simulated_seconds - r.warmup_seconds;
  if (!r.mechanism_counts.empty() && measured_s > 0.0) {
    double call_retries = 0.0, call_timeouts = 0.0, breaker_refusals = 0.0;
    for (const stats::MechanismCounts& c : r.mechanism_counts) {
      call_retries += static_cast<double>(c.call_retries);
      call_timeouts += static_cast<double>(c.call_timeouts);
      breaker_refusals += static_cast<double>(c.breaker_refusals);
    }
    const double per_s = 1.0 / static_cast<double>(r.mechanism_counts.size()) / measured_s;
    a.retries_rps += call_retries * per_s;
    // Calls between services time out and meet breakers too: a caller sees them as errors, so
    // the workloads' timeout and circuit_open errors alone missed them.
    a.timeouts_rps += call_timeouts * per_s;
    a.circuit_open_rps += breaker_refusals * per_s;
    a.breaker_transitions = static_cast<int>(r.mechanism_counts.front().breaker_transitions);
    a.scale_events = static_cast<int>(r.mechanism_counts.front().scale_changes);
  }
  return a;
}

std::vector<std::string> idle_mechanisms(const VariantActivity& a) {
  std::vector<std::string> idle;
  if (a.retries_rps == 0.0) idle.push_back("no retry");
  if (a.timeouts_rps == 0.0) idle.push_back("no timeout");
  if (a.breaker_transitions == 0) idle.push_back("no breaker transition");
  if (a.circuit_open_rps == 0.0) idle.push_back("no request refused by a breaker");
  if (a.rejected_rps == 0.0) idle.push_back("no rejection");
  if (a.rate_limited_rps == 0.0) idle.push_back("no rate limiting");
  if (a.throttled_rps == 0.0) idle.push_back("no throttling");
  if (a.fallback_rps == 0.0) idle.push_back("no fallback");
  if (a.scale_events == 0) idle.push_back("no scale event");
  return idle;
}

namespace {

/// Rates are JSON numbers; a non-finite one (it cannot arise from finite means) is null.
Json rate_json(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}

}  // namespace

Json activity_json(const VariantActivity& a) {
  Json j = Json::object();
  j["retries_rps"] = rate_json(a.retries_rps);
  j["timeouts_rps"] = rate_json(a.timeouts_rps);
  j["breaker_transitions"] = a.breaker_transitions;
  j["circuit_open_rps"] = rate_json(a.circuit_open_rps);
  j["rejected_rps"] = rate_json(a.rejected_rps);
  j["rate_limited_rps"] = rate_json(a.rate_limited_rps);
  j["throttled_rps"] = rate_json(a.throttled_rps);
  j["fallback_rps"] = rate_json(a.fallback_rps);
  j["scale_events"] = a.scale_events;
  j["replica_hours"] = rate_json(a.replica_hours);
  j["cost"] = a.cost ? rate_json(*a.cost) : Json(nullptr);
  Json idle = Json::array();
  for (const std::string& phrase : idle_mechanisms(a)) idle.push_back(phrase);
  j["idle"] = std::move(idle);
  return j;
}

std::optional<std::size_t> cheapest_meeting_slo(const std::vector<VariantActivity>& activity,
                                                const std::vector<std::optional<bool>>& slo_met,
                                                bool& priced) {
  priced = std::any_of(activity.begin(), activity.end(),
                       [](const VariantActivity& a) { return a.cost.has_value(); });
  const auto price = [&](std::size_t v) {
    return priced ? activity[v].cost.value_or(INFINITY) : activity[v].replica_hours;
  };
  std::optional<std::size_t> best;
  for (std::size_t v = 0; v < activity.size() && v < slo_met.size(); ++v) {
    if (slo_met[v].value_or(false) && (!best || price(v) < price(*best))) best = v;
  }
  return best;
}

}  // namespace capsim::run
