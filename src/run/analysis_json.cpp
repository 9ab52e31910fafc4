// The documents of `capsim analyze`: analytic estimates, and the --check simulation beside them.

#include "capsim/run/analysis_json.hpp"

#include <cmath>
#include <utility>

#include "capsim/model/load.hpp"
#include "capsim/run/experiment_size.hpp"

namespace capsim::run {

namespace {

using Json = nlohmann::ordered_json;

Json opt(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? Json(*v) : Json(nullptr);
}

const char* station_model(analytic::StationModel m) {
  switch (m) {
    case analytic::StationModel::pooled:
      return "pooled";
    case analytic::StationModel::per_replica:
      return "per_replica";
    case analytic::StationModel::none:
      return "none";
  }
  return "none";
}

}  // namespace

Json analysis_json(const model::Spec& spec, const analytic::ModelAnalysis& a) {
  Json j;
  j["kind"] = "analyze";
  j["capsim_version"] = CAPSIM_VERSION;
  j["model"] = spec.name;
  Json stations = Json::object();
  for (const analytic::StationEstimate& s : a.stations) {
    Json sj;
    sj["arrival_rps"] = s.arrival_rps;
    sj["work_visits_rps"] = s.work_visits_rps;
    sj["demand_ms"] = s.demand_s * 1e3;
    sj["work_mean_ms"] = s.work_mean_s * 1e3;
    sj["work_scv"] = s.work_scv;
    sj["replicas"] = s.replicas;
    sj["servers_per_replica"] = s.servers_per_replica;
    sj["queue_model"] = station_model(s.model);
    sj["cpu_utilization"] = s.cpu_utilization;
    sj["stable"] = s.stable;
    sj["wait_probability"] = opt(s.wait_probability);
    sj["mean_wait_ms"] = s.mean_wait_s ? Json(*s.mean_wait_s * 1e3) : Json(nullptr);
    sj["own_time_ms"] = s.own_time_s ? Json(*s.own_time_s * 1e3) : Json(nullptr);
    sj["latency_ms_mean"] = s.holding_time_s ? Json(*s.holding_time_s * 1e3) : Json(nullptr);
    sj["worker_utilization"] = opt(s.worker_utilization);
    sj["replica_capacity_rps"] = opt(s.replica_capacity_rps);
    sj["core_capacity_rps"] = opt(s.core_capacity_rps);
    sj["worker_capacity_rps"] = opt(s.worker_capacity_rps);
    sj["capacity_bound"] = s.capacity_bound.empty() ? Json(nullptr) : Json(s.capacity_bound);
    if (s.hit_ratio) sj["hit_ratio"] = *s.hit_ratio;
    if (!s.pools.empty()) {
      // Its connection pools: each one's load and Erlang C wait (per replica, or pooled).
      Json pools = Json::object();
      for (const analytic::PoolEstimate& p : s.pools) {
        pools[p.service] =
            Json{{"max", p.max},
                 {"pooled", p.pooled},
                 {"calls_rps", p.calls_rps},
                 {"holding_ms", p.holding_s * 1e3},
                 {"in_use", p.in_use},
                 {"wait_probability", opt(p.wait_probability)},
                 {"mean_wait_ms", p.mean_wait_s ? Json(*p.mean_wait_s * 1e3) : Json(nullptr)}};
      }
      sj["pools"] = std::move(pools);
    }
    sj["assumptions"] = s.assumptions;
    stations[s.service] = std::move(sj);
  }
  j["services"] = std::move(stations);
  Json workloads = Json::object();
  for (const analytic::WorkloadEstimate& w : a.workloads) {
    Json wj;
    wj["kind"] = w.closed ? "closed" : "open";
    wj[w.closed ? "throughput_rps" : "rate_rps"] = w.rate_rps;
    if (w.closed) wj["users"] = w.users;
    wj["stable"] = w.stable;
    wj["latency_ms_mean"] = w.mean_latency_s ? Json(*w.mean_latency_s * 1e3) : Json(nullptr);
    Json q = Json::object();
    for (const auto& [name, v] : w.latency_quantiles_s) q[name] = v * 1e3;
    wj["latency_ms"] = std::move(q);
    wj["quantiles_exact"] = w.quantiles_exact;
    wj["assumptions"] = w.assumptions;
    workloads[w.workload] = std::move(wj);
  }
  j["workloads"] = std::move(workloads);
  // The load the model as given carries before its first station saturates.
  if (const auto bp = analytic::breaking_point(a)) {
    j["breaking_point"] = {{"rps", bp->rps}, {"bound_by", bp->station}, {"resource", bp->resource}};
  } else {
    j["breaking_point"] = nullptr;
  }
  j["notes"] = a.notes;
  return j;
}

Json check_document(const Json& doc, const model::Spec& spec,
                    const std::optional<std::uint64_t>& seed,
                    const std::optional<int>& replications,
                    const std::optional<std::string>& duration) {
  // The same load as the analysis: every rate at its peak, held constant.
  Json peak_doc = doc;
  for (const Override& o : peak_overrides(spec)) {
    model::apply_override(peak_doc, o.pointer, o.value);
  }
  if (!peak_doc.contains("simulation")) peak_doc["simulation"] = Json::object();
  if (seed) peak_doc["simulation"]["seed"] = *seed;
  if (replications) peak_doc["simulation"]["replications"] = *replications;
  if (duration) peak_doc["simulation"]["duration"] = *duration;
  return peak_doc;
}

std::pair<std::string, std::string> compared_cpu_metric(const Results& r,
                                                        const std::string& service) {
  const std::string p = "services." + service + ".";
  const MergedMetric* primary = r.find(p + "primary.cpu_utilization");
  const MergedMetric* readers = r.find(p + "read_replicas.cpu_utilization");
  if (primary == nullptr || readers == nullptr) return {p + "cpu_utilization", ""};
  // NaN (a side with no capacity measured) is not the busier one.
  const bool on_primary = !(readers->estimate.mean > primary->estimate.mean);
  return on_primary ? std::pair{p + "primary.cpu_utilization", std::string("primary")}
                    : std::pair{p + "read_replicas.cpu_utilization", std::string("read_replicas")};
}

Json check_json(const analytic::ModelAnalysis& a, const Results& r) {
  const auto simulated = [&r](const std::string& name) {
    const MergedMetric* m = r.find(name);
    return m != nullptr ? opt(m->estimate.mean) : Json(nullptr);
  };
  Json j = Json::object();
  for (const analytic::StationEstimate& s : a.stations) {
    Json sj;
    sj["arrival_rps"] = {{"analytic", s.arrival_rps},
                         {"simulated", simulated("services." + s.service + ".arrival_rps")}};
    const auto [cpu_metric, side] = compared_cpu_metric(r, s.service);
    sj["cpu_utilization"] = {{"analytic", s.cpu_utilization}, {"simulated", simulated(cpu_metric)}};
    if (!side.empty()) sj["cpu_utilization"]["side"] = side;
    if (s.hit_ratio) {
      sj["hit_ratio"] = {{"analytic", *s.hit_ratio},
                         {"simulated", simulated("services." + s.service + ".hit_ratio")}};
    }
    j["services"][s.service] = std::move(sj);
  }
  for (const analytic::WorkloadEstimate& w : a.workloads) {
    const std::string base = "workloads." + w.workload + ".latency_ms.";
    Json wj;
    wj["latency_ms_mean"] = {
        {"analytic", w.mean_latency_s ? Json(*w.mean_latency_s * 1e3) : Json(nullptr)},
        {"simulated", simulated(base + "mean")}};
    for (const auto& [name, v] : w.latency_quantiles_s) {
      wj["latency_ms_" + name] = {{"analytic", v * 1e3}, {"simulated", simulated(base + name)}};
    }
    if (w.closed) {
      wj["throughput_rps"] = {
          {"analytic", w.rate_rps},
          {"simulated", simulated("workloads." + w.workload + ".throughput_rps")}};
    }
    j["workloads"][w.workload] = std::move(wj);
  }
  j["replications"] = r.replications;
  j["simulated_seconds"] = r.simulated_seconds;
  j["notices"] = r.notices;
  return j;
}

}  // namespace capsim::run
