// An open workload's latency percentiles (latency_quantiles.hpp).

#include "latency_quantiles.hpp"

#include <cmath>
#include <string>
#include <utility>
#include <variant>

#include "capsim/analytic/queueing.hpp"
#include "capsim/dist/distribution.hpp"
#include "delay_quantiles.hpp"

namespace capsim::analytic::detail {

namespace {

const std::vector<std::pair<std::string, double>> kQuantiles = {
    {"p50", 0.5}, {"p90", 0.9}, {"p95", 0.95}, {"p99", 0.99}, {"p999", 0.999}};

/// Exact: a request that visits one M/M/c station once with one work step (its delay steps
/// added: a constant as it is, a random one's spread convolved).
void one_station(const Graph& g, std::size_t entry, const Queue& qe, const model::WorkloadSpec& w,
                 WorkloadEstimate& est) {
  const MMc mmc{qe.lambda, 1.0 / qe.mean_s, qe.servers};
  // Delay steps hold the worker, not a core: added by their mean (their spread and any
  // wait for a worker they cause are not in the M/M/c quantile).
  double delay_s = 0.0;
  std::vector<const dist::DistSpec*> random_delays;
  for (const model::StepSpec& step : g.endpoint[entry]->steps) {
    if (step.kind != model::StepKind::delay) continue;
    if (std::holds_alternative<dist::Constant>(step.delay.v)) {
      delay_s += dist::mean_of(step.delay);
    } else {
      random_delays.push_back(&step.delay);
    }
  }
  const std::vector<double> with_delays = random_delays.empty()
                                              ? std::vector<double>{}
                                              : sojourn_plus_delays(mmc, random_delays, kQuantiles);
  for (std::size_t k = 0; k < kQuantiles.size(); ++k) {
    const double p = kQuantiles[k].second;
    est.latency_quantiles_s.emplace_back(
        kQuantiles[k].first,
        (random_delays.empty() ? mmc.sojourn_quantile(p) : with_delays[k]) + delay_s);
  }
  est.quantiles_exact =
      std::fabs(qe.scv - 1.0) < 1e-9 && !w.interarrival && delay_s == 0.0 && random_delays.empty();
  if (!random_delays.empty()) {
    est.assumptions.push_back(
        "percentiles approximate: the random delays' spread added to the M/M/c sojourn "
        "(independent, by " +
        std::to_string(kConvolutionDraws) + " draws); a wait for a worker is not in them" +
        (std::fabs(qe.scv - 1.0) < 1e-9 ? "" : "; work as if exponential"));
  } else if (delay_s > 0.0) {
    est.assumptions.push_back("percentiles approximate: delays added by their mean");
  } else if (!est.quantiles_exact) {
    est.assumptions.push_back("percentiles as if work were exponential");
  }
}

}  // namespace

void add_latency_quantiles(const model::Spec& spec, const Graph& g,
                           const std::vector<StationEstimate>& stations,
                           const std::vector<Queue>& queues, const model::WorkloadSpec& w,
                           double mean_s, WorkloadEstimate& est) {
  if (w.mix.empty()) return;
  const auto entry = g.find(spec, w.target, w.mix.front().endpoint);
  if (!entry) return;
  const Queue& qe = queues[g.service_of[*entry]];
  const bool single = w.mix.size() == 1 && g.work_steps[*entry] == 1 &&
                      g.routing.row(static_cast<Eigen::Index>(*entry)).sum() == 0.0;
  if (single && qe.valid && !qe.ps && qe.lambda > 0.0) {
    one_station(g, *entry, qe, w, est);
    return;
  }
  // The station where requests spend most of the time their callers wait for: its per-request
  // time taken as one M/M/c job; every other contribution by its mean. Its visits are the
  // synchronous ones: an async callee or a queue's consumer is on no caller's path, however its
  // time compares with the mean (taken, it made the percentiles too high, or "the rest"
  // negative).
  const std::size_t n_services = stations.size();
  std::vector<double> sync_visits(n_services, 0.0);
  const Eigen::VectorXd endpoint_visits = endpoint_sync_visits(spec, g, w);
  for (std::size_t e = 0; e < g.endpoint.size(); ++e) {
    sync_visits[g.service_of[e]] += endpoint_visits(static_cast<Eigen::Index>(e));
  }
  std::size_t slowest = n_services;
  double slowest_time = -1.0;
  for (std::size_t s = 0; s < n_services; ++s) {
    const StationEstimate& st = stations[s];
    if (sync_visits[s] <= 1e-12 || !st.own_time_s || st.work_visits_rps <= 0.0) continue;
    const double t = sync_visits[s] * *st.own_time_s;
    // On the synchronous path a station's time is within the mean; a parallel branch that is
    // not the slowest is the exception the guard keeps out ("the rest" would be negative).
    if (t > mean_s * (1.0 + 1e-9)) continue;
    if (t > slowest_time) {
      slowest_time = t;
      slowest = s;
    }
  }
  if (slowest == n_services) return;
  const StationEstimate& st = stations[slowest];
  const Queue& q = queues[slowest];
  const double per_request_lambda = q.lambda * st.arrival_rps / st.work_visits_rps;
  if (st.demand_s <= 0.0 || per_request_lambda * st.demand_s >= q.servers) return;
  const MMc mmc{per_request_lambda, 1.0 / st.demand_s, q.servers};
  const double rest = std::max(0.0, mean_s - slowest_time);
  for (const auto& [name, p] : kQuantiles) {
    const double v = sync_visits[slowest];
    // One visit's quantile, further visits (if any) by their mean.
    const double tail = mmc.sojourn_quantile(p) + (v - 1.0) * mmc.mean_sojourn();
    est.latency_quantiles_s.emplace_back(name, rest + tail);
  }
  est.assumptions.push_back(
      "percentiles approximate: the time at '" + st.service +
      "' (where requests spend most) as one M/M/c job per request, the rest by its mean");
}

}  // namespace capsim::analytic::detail
