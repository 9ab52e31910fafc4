#pragma once
/// \file Internal to model loading (not installed): the ModelLoader, which reads a whole model
/// into a Spec. Its sections live in one file each: load.cpp (the model, the simulation, the
/// entry points), load_outline.cpp (services known in advance, the call graph and its cycles),
/// load_workloads.cpp (workloads and their profiles), load_services.cpp (services and load
/// balancers), load_steps.cpp (endpoints, steps and calls), load_data.cpp (caches and
/// databases), load_faults.cpp and load_slo.cpp. Settings that refer to no other part of the
/// model are read by the free functions of loader.hpp.

#include <climits>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loader.hpp"

namespace capsim::model::detail {

// ---- Bounds shared by several sections ------------------------------------------------------

constexpr std::int64_t max_replicas = 100000;
constexpr std::int64_t max_int = INT_MAX;
constexpr std::int64_t max_int64 = std::numeric_limits<std::int64_t>::max();
// Memory grows with cache keys, for each replication running (about 25 bytes a key): a bound
// that keeps a model within a few hundred MiB.
constexpr std::int64_t max_cache_keys = 10000000;

/// The name of the one endpoint the loader gives a cache and a database.
constexpr std::string_view cache_endpoint = "default";
constexpr std::string_view database_endpoint = "query";
constexpr std::string_view queue_endpoint = "default";

// ---- Names --------------------------------------------------------------------------------

/// A service, endpoint or workload name: letters, digits, '_', '.' and '-', not empty.
bool is_name(std::string_view name);

/// The names for a message: all of them when there are few, else the first ones and a count,
/// so that a message stays short (and cheap) whatever the model's size.
std::string names_text(const std::vector<std::string>& names);

/// The items joined by " and ".
std::string join_and(const std::vector<std::string>& items);

std::string_view kind_name(ServiceKind kind);

/// The keys of services that belong to one kind or two, with the kinds that take them.
struct KindKey {
  std::string_view key;
  std::vector<ServiceKind> kinds;
};

const std::vector<KindKey>& kind_keys();

// ---- The loader ---------------------------------------------------------------------------

/// What is known of a service before it is read: enough to resolve workload targets and calls
/// wherever they appear in the document.
struct ServiceOutline {
  std::string name;
  /// Unknown kind or unreadable body: its endpoints are unknown and not checked (the service's
  /// own diagnostics say why).
  bool opaque = false;
  /// False when `kind` is not one of the service kinds.
  bool kind_known = true;
  ServiceKind kind = ServiceKind::generic;
  std::vector<std::string> endpoints;
};

struct CallEdge {
  std::size_t to = 0;
  std::string pointer;     ///< of the "call" key (a queue's: of its "consumer" key)
  bool via_queue = false;  ///< a queue to its consumer (the consumer pulls; nobody waits)
};

/// Reads one model document into a Spec, reporting every problem to the Reader. Services are
/// outlined first, so that workloads, calls and faults can name services wherever they appear.
class ModelLoader {
 public:
  ModelLoader(const Json& doc, Reader& reader) : doc_(doc), reader_(reader) {}

  Spec load();

 private:
  // Services known in advance, and the call graph over (service, endpoint) nodes.
  void outline_services();
  const ServiceOutline* resolve_service(const Json& value, const std::string& pointer);
  std::optional<std::string> resolve_endpoint(const ServiceOutline& service, const Json* value,
                                              const std::string& pointer);
  std::optional<std::size_t> node(const std::string& service, const std::string& endpoint) const;
  /// Call cycles are errors; once there are none, a cycle through a queue (a consumer that
  /// publishes back to its queue, perhaps through other services) is a warning.
  void check_cycles();
  /// Warns when `drop_expired` cannot drop anything: more workers than cores and only CPU work,
  /// so no request ever waits for a worker.
  void warn_of_idle_drop_expired(const std::string& pointer, const ServiceSpec& spec);
  /// Reports each cycle the depth-first search closes over `edges` as an error, or (with
  /// `message_loops`) as a warning naming the message loop.
  void find_cycles(const std::vector<std::vector<CallEdge>>& edges, bool message_loops);

  SimulationSpec read_simulation(const Json& value, const std::string& pointer);
  std::optional<std::uint64_t> read_seed(const Json& value, const std::string& pointer);

  void read_workloads(const Json& value, const std::string& pointer, Spec& spec);
  /// Per-client rate limits and client_hash balancing need a workload with `clients`.
  void check_client_keys(const Json& workloads, Spec& spec);
  std::optional<WorkloadSpec> read_workload(const Json& value, const std::string& pointer);
  std::optional<std::vector<MixEntry>> read_mix(const Json& value, const std::string& pointer,
                                                const ServiceOutline* target);
  std::optional<double> read_rate_value(const Json& value, const std::string& pointer);
  std::optional<double> read_user_target(const Json& value, const std::string& pointer);
  std::optional<Profile> read_rate(const Json& value, const std::string& pointer);
  std::optional<Profile> read_users(const Json& value, const std::string& pointer);
  template <class ReadValue>
  std::optional<Profile> read_stages(const Json& object, const std::string& pointer,
                                     ReadValue read_value);
  std::optional<Profile> read_diurnal(const Json& value, const std::string& pointer);
  std::optional<Profile> read_trace(const Json& value, const std::string& pointer);

  void read_services(const Json& value, const std::string& pointer, Spec& spec);
  void check_totals(const Spec& spec);
  std::optional<ServiceSpec> read_service(const std::string& name, const Json& value,
                                          const std::string& pointer);
  std::optional<LoadBalancerSpec> read_load_balancer(const Json& value, const std::string& pointer);
  std::optional<EndpointSpec> read_endpoint(const std::string& service, const std::string& name,
                                            const Json& steps, const std::string& pointer,
                                            const std::string& steps_pointer);
  std::optional<StepSpec> read_step(const Json& value, const std::string& pointer);
  std::optional<CallSpec> read_call(const Json& value, const std::string& pointer);
  bool refuse_call_keys(const Json& value, const std::string& pointer);
  /// `fallback` of a call (load_request_path.cpp): on, steps.
  std::optional<FallbackSpec> read_fallback(const Json& value, const std::string& pointer);
  /// A cache without `backend` is missing one unless it is called, and only cache-aside (every
  /// call has `on_miss` or `write`, and no workload targets it) (load_cache_aside.cpp).
  /// Also marks the caches that some call looks up cache-aside (CacheSpec::called_aside).
  void check_cache_backends(Spec& spec);
  /// `on_miss` and `write` of a call to a cache (load_cache_aside.cpp); false on an error.
  bool read_cache_aside(const Json& value, const std::string& pointer, const ServiceOutline* callee,
                        CallSpec& spec);
  void read_endpoints(const Json& value, const std::string& pointer, ServiceSpec& spec);
  void read_cache(const Json& value, const std::string& pointer, ServiceSpec& spec);
  /// A keyed cache's `preload` and `lock_ttl` (load_request_path.cpp).
  void read_cache_warmth(const Json& value, const std::string& pointer, CacheSpec& cache,
                         bool stampede_known);
  /// A keyed cache's `refresh` (load_cache_refresh.cpp): every, keys, ttl; `has_backend`: the
  /// cache names the backend that the refresh queries.
  void read_cache_refresh(const Json& value, const std::string& pointer, bool has_backend,
                          CacheSpec& cache);
  void read_database(const Json& value, const std::string& pointer, ServiceSpec& spec);
  /// A queue service's broker settings (load_queue.cpp).
  void read_queue(const Json& value, const std::string& pointer, ServiceSpec& spec);
  /// `connection_pools` and `max_connections` of a service (load_pools.cpp).
  void read_connection_pools(const Json& value, const std::string& pointer, ServiceSpec& spec);
  /// Warns when the pools towards a service may open more than its max_connections.
  void check_connection_limits(const Spec& spec);

  void read_faults(const Json& value, const std::string& pointer, Spec& spec);
  std::optional<FaultSpec> read_fault(const Json& value, const std::string& pointer,
                                      const Spec& spec);
  void read_rollout(const Json& value, const std::string& pointer, const ServiceOutline* service,
                    FaultSpec& fault);
  /// `node_loss`: pool, nodes and/or zone, restore_after (docs/nodes.md#node-and-zone-loss).
  void read_node_loss(const Json& value, const std::string& pointer, FaultSpec& fault);
  /// A node_loss's `detection`, `not_ready_after` and `evict_after` (docs/nodes.md).
  void read_node_detection(const Json& value, const std::string& pointer, FaultSpec& fault);

  std::optional<SloSpec> read_slo(const Json& value, const std::string& pointer);

  /// "the name of a service (NAMES)", or without the list when there are no services.
  std::string service_what() const;

  const Json& doc_;
  Reader& reader_;
  std::vector<ServiceOutline> outlines_;
  std::vector<std::string> service_names_;  ///< of outlines_, in order
  std::map<std::string, std::size_t, std::less<>> outline_index_;
  /// "services" is a non-empty object: a name that matches none of them is an error (else the
  /// problem with "services" says it all).
  bool services_given_ = false;
  std::map<std::pair<std::string, std::string>, std::size_t> node_index_;
  std::vector<std::string> node_names_;
  std::vector<std::vector<CallEdge>> edges_;
  /// Queue -> consumer edges (from, edge), added to the call edges for the message loops' check.
  std::vector<std::pair<std::size_t, CallEdge>> message_edges_;
  /// Caches read without a backend: name, the backend's pointer, what is missing.
  struct Backendless {
    std::string cache;
    std::string pointer;
    std::string missing;
  };
  std::vector<Backendless> backendless_;
  std::optional<std::size_t> current_node_;  ///< the endpoint whose steps are being read
  bool duration_known_ = true;               ///< simulation.duration is valid (or the default)
};

}  // namespace capsim::model::detail
