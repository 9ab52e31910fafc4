/// \file The graph of endpoints and the traffic equations of the analysis (analysis_graph.hpp).

#include "analysis_graph.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "capsim/dist/distribution.hpp"
#include "capsim/model/error.hpp"
#include "capsim/stats/format.hpp"

namespace capsim::analytic::detail {

std::string num(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", x);
  return buffer;
}

/// Expected number of calls a call step makes: E[count] x probability. Counts are rounded to
/// the nearest integer by the engine; for a random count the mean is used.
double expected_calls(const model::CallSpec& c, bool& approximate) {
  double count = 1.0;
  if (c.count) {
    if (const auto* k = std::get_if<dist::Constant>(&c.count->v)) {
      count = std::max(0.0, std::round(k->value_s));
    } else {
      count = std::max(0.0, dist::mean_of(*c.count));
      approximate = true;
    }
  }
  return count * c.probability;
}

Graph build_graph(const model::Spec& spec) {
  Graph g;
  g.of_service.resize(spec.services.size());
  for (std::size_t s = 0; s < spec.services.size(); ++s) {
    for (const model::EndpointSpec& e : spec.services[s].endpoints) {
      g.of_service[s].push_back(g.endpoint.size());
      g.service_of.push_back(s);
      g.endpoint.push_back(&e);
    }
  }
  fill_steps(spec, g, std::vector<double>(spec.services.size(), 0.0));
  refuse_endless_message_loops(spec, g);
  return g;
}

namespace {

double spectral_radius(const Eigen::MatrixXd& m) {
  const Eigen::VectorXcd eigenvalues = m.eigenvalues();
  double radius = 0.0;
  for (Eigen::Index k = 0; k < eigenvalues.size(); ++k) {
    radius = std::max(radius, std::abs(eigenvalues(k)));
  }
  return radius;
}

}  // namespace

void refuse_endless_message_loops(const model::Spec& spec, const Graph& g) {
  // The loader refuses call cycles; a cycle through a queue (a message loop) loads with a
  // warning. Its visits are finite only while the routing's spectral radius is below 1.
  const bool queues = std::any_of(spec.services.begin(), spec.services.end(),
                                  [](const model::ServiceSpec& s) { return s.queue.has_value(); });
  if (!queues || g.routing.rows() == 0) return;
  const double radius = spectral_radius(g.routing);
  if (radius < 1.0 - 1e-9) return;
  // Named at the first queue whose hand-over to its consumer the endless loop needs.
  std::string at;
  for (std::size_t i = 0; i < g.endpoint.size() && at.empty(); ++i) {
    const model::ServiceSpec& s = spec.services[g.service_of[i]];
    if (!s.queue) continue;
    const auto j = g.find(spec, s.queue->consumer, s.queue->consumer_endpoint);
    if (!j) continue;
    Eigen::MatrixXd without = g.routing;
    without(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(*j)) = 0.0;
    if (spectral_radius(without) < 1.0 - 1e-9) at = s.pointer + "/consumer";
  }
  throw model::ModelError(
      at,
      "expected a message loop that sends back fewer than one message per message on "
      "average, found one whose messages come back at least once each (the traffic "
      "equations' spectral radius is " +
          stats::significant(radius, 3) +
          "): the backlog grows without bound, and there is no steady state to estimate");
}

namespace {

/// Adds what `steps` cost one visit of endpoint `i`, `weight` times over.
void add_steps(const model::Spec& spec, Graph& g, std::size_t i,
               const std::vector<model::StepSpec>& steps, double weight,
               const std::vector<double>& miss) {
  const auto add_call = [&](const model::CallSpec& c) {
    const auto j = g.find(spec, c.service, c.endpoint);
    if (!j) return;
    const double calls = weight * expected_calls(c, g.approximate_counts);
    g.routing(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(*j)) += calls;
    if (!c.async)
      g.sync_routing(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(*j)) += calls;
    const std::size_t callee = g.service_of[*j];
    const model::ServiceSpec& to = spec.services[callee];
    using Kind = DataCall::Kind;
    if (to.cache && c.cache_write) {
      g.data_calls.push_back({i, callee, calls, Kind::cache_write});
    } else if (to.cache && c.on_miss) {
      g.data_calls.push_back({i, callee, calls, Kind::aside_lookup});
      // A miss runs the on_miss steps here, at the caller.
      add_steps(spec, g, i, c.on_miss->steps, calls * miss[callee], miss);
    } else if (to.database) {
      g.data_calls.push_back(
          {i, callee, calls, c.op == model::DbOp::write ? Kind::db_write : Kind::db_read});
    }
  };
  for (const model::StepSpec& step : steps) {
    switch (step.kind) {
      case model::StepKind::work: {
        const dist::Distribution d(step.work);
        g.work_steps[i] += weight;
        g.work_mean_s[i] += weight * d.mean();
        g.work_second_moment[i] += weight * d.mean() * d.mean() * (1.0 + d.scv());
        break;
      }
      case model::StepKind::delay:
        break;  // holds a worker, not a core: no CPU demand
      case model::StepKind::call:
        add_call(step.call);
        break;
      case model::StepKind::parallel:
        g.has_parallel = true;
        for (const model::CallSpec& c : step.parallel) add_call(c);
        break;
    }
  }
}

}  // namespace

void fill_steps(const model::Spec& spec, Graph& g, const std::vector<double>& miss) {
  const std::size_t n = g.endpoint.size();
  g.routing = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  g.sync_routing = g.routing;
  g.work_steps.assign(n, 0.0);
  g.work_mean_s.assign(n, 0.0);
  g.work_second_moment.assign(n, 0.0);
  g.data_calls.clear();
  for (std::size_t i = 0; i < n; ++i) {
    add_steps(spec, g, i, g.endpoint[i]->steps, 1.0, miss);
    // A queue's consumer processes each message once: its load (nobody waits for it, so not in
    // the synchronous routing).
    if (const auto& queue = spec.services[g.service_of[i]].queue) {
      if (const auto j = g.find(spec, queue->consumer, queue->consumer_endpoint)) {
        g.routing(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(*j)) += 1.0;
      }
    }
  }
}

/// The traffic equations lambda = a + C^T lambda, where C(i, j) is the expected number of calls
/// one visit of i makes to j (a count, possibly above 1, so not Jackson's routing
/// probabilities), solved with Eigen. The loader refuses call cycles, so I - C^T is invertible.
Eigen::VectorXd traffic_rates(const Eigen::VectorXd& external, const Eigen::MatrixXd& calls) {
  const Eigen::Index n = external.size();
  if (n == 0) return Eigen::VectorXd();
  const Eigen::MatrixXd system = Eigen::MatrixXd::Identity(n, n) - calls.transpose();
  return system.colPivHouseholderQr().solve(external).cwiseMax(0.0);
}

namespace {

/// External arrivals `rate` at `w`'s entry endpoints, split by its mix.
Eigen::VectorXd external_rates(const model::Spec& spec, const Graph& g,
                               const model::WorkloadSpec& w, double rate) {
  Eigen::VectorXd external = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(g.endpoint.size()));
  for (const model::MixEntry& m : w.mix) {
    if (const auto e = g.find(spec, w.target, m.endpoint)) {
      external(static_cast<Eigen::Index>(*e)) += rate * m.weight;
    }
  }
  return external;
}

}  // namespace

/// Endpoint arrival rates for external arrivals `rate` at `workload`'s entry endpoints.
Eigen::VectorXd endpoint_rates(const model::Spec& spec, const Graph& g,
                               const model::WorkloadSpec& w, double rate) {
  return traffic_rates(external_rates(spec, g, w, rate), g.routing);
}

Eigen::VectorXd endpoint_sync_visits(const model::Spec& spec, const Graph& g,
                                     const model::WorkloadSpec& w) {
  return traffic_rates(external_rates(spec, g, w, 1.0), g.sync_routing);
}

int replicas_of(const model::ServiceSpec& s, const AnalysisOptions& options) {
  for (const auto& [name, n] : options.replicas) {
    if (name == s.name) return n;
  }
  return s.replicas;
}

}  // namespace capsim::analytic::detail
