#pragma once
// Internal to the analysis (not installed): the graph of (service, endpoint) pairs, the expected
// calls between them and the traffic equations over it (analysis_graph.cpp).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "capsim/analytic/model_analysis.hpp"

namespace capsim::analytic::detail {

/// A number with three significant digits, for assumptions' text.
std::string num(double x);

/// Expected number of calls a call step makes: E[count] x probability. Counts are rounded to
/// the nearest integer by the engine; for a random count the mean is used.
double expected_calls(const model::CallSpec& c, bool& approximate);

/// A call into a cache or a database, by kind: what the hit ratios and a database's split of
/// reads and writes need beside the routing.
struct DataCall {
  enum class Kind : std::uint8_t { aside_lookup, cache_write, db_read, db_write };
  std::size_t endpoint;  ///< the caller
  std::size_t service;   ///< the cache or database
  double per_visit;      ///< expected calls per visit of the caller (misses weighted in)
  Kind kind;
};

/// The graph of endpoints: every (service, endpoint) pair gets an index.
struct Graph {
  std::vector<std::size_t> service_of;               // per endpoint
  std::vector<const model::EndpointSpec*> endpoint;  // per endpoint
  std::vector<std::vector<std::size_t>> of_service;  // endpoints of each service
  Eigen::MatrixXd routing;                           // expected calls from i to j
  /// The calls of `routing` that the caller waits for: no async call, no queue's hand-over to
  /// its consumer (a cache's read-through misses are in: the lookup waits for its backend).
  Eigen::MatrixXd sync_routing;
  /// Per endpoint: expected work steps per visit, and the sums of their means and second
  /// moments (a cache-aside lookup's on_miss steps weighted by its cache's miss ratio).
  std::vector<double> work_steps;
  std::vector<double> work_mean_s, work_second_moment;
  std::vector<DataCall> data_calls;
  bool approximate_counts = false;
  bool has_parallel = false;

  std::optional<std::size_t> find(const model::Spec& spec, const std::string& service,
                                  const std::string& name) const {
    const auto s = spec.service_index(service);
    if (!s) return std::nullopt;
    const auto& list = of_service[*s];
    if (name.empty()) {
      if (list.empty()) return std::nullopt;
      return list.front();
    }
    for (std::size_t e : list) {
      if (endpoint[e]->name == name) return e;
    }
    return std::nullopt;
  }
};

/// The graph with every step's calls and work; cache-aside misses as none (add_cache_misses()
/// weighs them in).
Graph build_graph(const model::Spec& spec);
/// A model whose message loops (a queue's consumer publishing back to it, perhaps through other
/// services) send back one message or more per message has no steady state: a ModelError at
/// the queue's consumer. build_graph() checks it.
void refuse_endless_message_loops(const model::Spec& spec, const Graph& g);

/// Fills the routing, the work and the data calls of every endpoint from its steps: the on_miss
/// steps of a cache-aside lookup into cache `c` weighted by `miss[c]` (per service).
void fill_steps(const model::Spec& spec, Graph& g, const std::vector<double>& miss);

/// The traffic equations lambda = a + C^T lambda, where C(i, j) is the expected number of calls
/// one visit of i makes to j (a count, possibly above 1, so not Jackson's routing
/// probabilities), solved with Eigen. The loader refuses call cycles, so I - C^T is invertible.
Eigen::VectorXd traffic_rates(const Eigen::VectorXd& external, const Eigen::MatrixXd& calls);

/// Endpoint arrival rates for external arrivals `rate` at `workload`'s entry endpoints.
Eigen::VectorXd endpoint_rates(const model::Spec& spec, const Graph& g,
                               const model::WorkloadSpec& w, double rate);

/// Endpoint visits per request of `workload` through the synchronous calls only
/// (`sync_routing`): the visits a request's caller waits for, which its latency is made of.
Eigen::VectorXd endpoint_sync_visits(const model::Spec& spec, const Graph& g,
                                     const model::WorkloadSpec& w);

/// The service's replica count: the option's when it names the service, else the model's.
int replicas_of(const model::ServiceSpec& s, const AnalysisOptions& options);

}  // namespace capsim::analytic::detail
