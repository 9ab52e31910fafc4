/// \file What each compared variant's mechanisms did (compare_activity.hpp).

#include "capsim/run/compare_activity.hpp"

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
    if (m.path.size() < 3) continue;
    std::vector<std::string>& list = m.path[0] == "workloads" ? workloads : services;
    if (list.empty() || list.back() != m.path[1]) list.push_back(m.path[1]);
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
    a.replica_hours += mean_of(r, p + "replica_seconds") / 3600.0;
    if (r.find(p + "cost") != nullptr) a.cost = a.cost.value_or(0.0) + mean_of(r, p + "cost");
  }
  for (const stats::EventRow& e : r.events) {
    if (e.kind.rfind("breaker_", 0) == 0) ++a.breaker_transitions;
  }
  a.scale_events = static_cast<int>(r.scale_events.size());
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
  if (a.scale_events == 0) idle.push_back("no scale event");
  return idle;
}

}  // namespace capsim::run
