/// \file Services: the keys each kind takes, replicas, workers, queues, autoscaling and the load
/// balancer, and the totals over all services. A service's endpoints are read in
/// load_steps.cpp, a cache's and a database's settings in load_data.cpp.

#include <algorithm>

#include "model_loader.hpp"

namespace capsim::model::detail {

namespace {

// Memory grows with replicas, for each replication running (about 200 bytes a replica slot):
// bounds that keep a model within a few hundred MiB.
constexpr std::int64_t max_total_replicas = 1000000;
constexpr std::int64_t max_total_cache_keys = max_cache_keys;
// Each service keeps its statistics (histograms, about 200 KB) per running replication.
constexpr std::size_t max_services = 1000;

/// The replica count an autoscaled service starts with: hpa and keda, `replicas` within
/// [min, max] (min when not given); schedule, `replicas` until the first step (that of a step at
/// 0 s when there is one).
void initial_replicas(ServiceSpec& spec, bool replicas_given) {
  const AutoscalingSpec& a = *spec.autoscaling;
  if (a.kind == AutoscalerKind::schedule) {
    if (!a.schedule.empty() && a.schedule.front().at_s == 0.0) {
      spec.replicas = a.schedule.front().replicas;
    }
    return;
  }
  int lowest = a.min;
  if (!a.schedule.empty() && a.schedule.front().at_s == 0.0) {
    lowest = std::max(lowest, a.schedule.front().replicas);
  }
  spec.replicas = replicas_given ? std::clamp(spec.replicas, lowest, a.max) : lowest;
}

}  // namespace

const std::vector<KindKey>& kind_keys() {
  using enum ServiceKind;
  static const std::vector<KindKey> keys = {
      {"replicas", {generic, cache}},
      {"workers", {generic, cache}},
      {"endpoints", {generic}},
      {"steps", {generic}},
      {"backend", {cache}},
      {"backend_endpoint", {cache}},
      {"hit_ratio", {cache}},
      {"keys", {cache}},
      {"capacity", {cache}},
      {"ttl", {cache}},
      {"eviction", {cache}},
      {"stampede", {cache}},
      {"early_refresh_beta", {cache}},
      {"preload", {cache}},
      {"lock_ttl", {cache}},
      {"refresh", {cache}},
      {"work", {cache, database}},
      {"connections", {database}},
      {"read_replicas", {database}},
      {"contention", {database}},
      {"capacity_units", {database}},
      {"startup_time", {generic, cache, database}},
      {"autoscaling", {generic, cache}},
      {"memory", {generic, cache, database}},
      {"pod", {generic, cache, database}},
      {"connection_pools", {generic, cache}},
      {"max_connections", {generic, cache, database}},
      {"consumer", {queue}},
      {"consumer_endpoint", {queue}},
      {"max_backlog", {queue}},
      {"visibility_timeout", {queue}},
      {"max_receives", {queue}},
      {"batch_size", {queue}},
      {"batch_window", {queue}},
  };
  return keys;
}

std::string_view kind_name(ServiceKind kind) {
  switch (kind) {
    case ServiceKind::generic:
      return "generic";
    case ServiceKind::cache:
      return "cache";
    case ServiceKind::database:
      return "database";
    case ServiceKind::queue:
      return "queue";
  }
  return "generic";
}

namespace {

/// Whether the document's `faults` hold a rollout of service `name` (as written, unchecked).
bool rollout_targets(const Json& doc, const std::string& name) {
  const auto faults = doc.find("faults");
  if (faults == doc.end() || !faults->is_array()) return false;
  for (const Json& f : *faults) {
    if (f.is_object() && f.value("kind", Json()) == "rollout" &&
        f.value("service", Json()) == name) {
      return true;
    }
  }
  return false;
}

/// Whether the document's `faults` hold a node_loss (as written, unchecked): the replacements of
/// the pods it takes start up too.
bool loses_nodes(const Json& doc) {
  const auto faults = doc.find("faults");
  if (faults == doc.end() || !faults->is_array()) return false;
  for (const Json& f : *faults) {
    if (f.is_object() && f.value("kind", Json()) == "node_loss") return true;
  }
  return false;
}

/// Whether some queue service of the document names `name` as its consumer (as written).
bool consumes_a_queue(const Json& doc, const std::string& name) {
  const auto services = doc.find("services");
  if (services == doc.end() || !services->is_object()) return false;
  for (const auto& [ignored, s] : services->items()) {
    if (s.is_object() && s.value("kind", Json()) == "queue" &&
        s.value("consumer", Json()) == name) {
      return true;
    }
  }
  return false;
}

}  // namespace

void ModelLoader::read_services(const Json& value, const std::string& pointer, Spec& spec) {
  if (!value.is_object()) {
    reader_.expected(pointer, "an object of services by name", value);
    return;
  }
  if (value.empty()) {
    reader_.expected(pointer, "at least one service", value);
    return;
  }
  if (value.size() > max_services) {
    reader_.error(pointer, "expected at most " + std::to_string(max_services) +
                               " services, found " + std::to_string(value.size()));
    return;
  }
  for (const auto& [name, body] : value.items()) {
    if (auto service = read_service(name, body, child(pointer, name))) {
      spec.services.push_back(std::move(*service));
    }
  }
}

void ModelLoader::check_totals(const Spec& spec) {
  std::int64_t replicas = 0;
  std::int64_t keys = 0;
  bool replicas_reported = false;
  bool keys_reported = false;
  for (const ServiceSpec& service : spec.services) {
    // Every replica an autoscaler may add has its slot from the start.
    std::int64_t slots = service.replicas;
    if (service.autoscaling) slots = std::max<std::int64_t>(slots, service.autoscaling->max);
    replicas += slots;
    if (replicas > max_total_replicas && !replicas_reported) {
      reader_.error(service.pointer, "expected at most " + std::to_string(max_total_replicas) +
                                         " replicas in all services together (autoscaling "
                                         "maxima included), found " +
                                         std::to_string(replicas) + " up to this service");
      replicas_reported = true;
    }
    if (service.cache && !service.cache->hit_ratio) {
      keys += service.cache->key_count;
      if (keys > max_total_cache_keys && !keys_reported) {
        reader_.error(child(child(service.pointer, "keys"), "count"),
                      "expected at most " + std::to_string(max_total_cache_keys) +
                          " keys in all caches together, found " + std::to_string(keys) +
                          " up to this cache");
        keys_reported = true;
      }
    }
  }
}

std::optional<ServiceSpec> ModelLoader::read_service(const std::string& name, const Json& value,
                                                     const std::string& pointer) {
  const std::size_t errors_before = reader_.error_count();
  if (!is_name(name)) {
    reader_.expected(pointer, "a service name of letters, digits, '_', '.' and '-'", Json(name));
  }
  if (!value.is_object()) {
    reader_.expected(pointer, "a service object", value);
    return std::nullopt;
  }
  ServiceSpec spec;
  spec.name = name;
  spec.pointer = pointer;
  if (const Json* kind = find(value, "kind")) {
    const std::string at = child(pointer, "kind");
    const auto index = reader_.choice(*kind, at, {"generic", "cache", "database", "queue"});
    if (!index) return std::nullopt;
    if (is_unsupported_value("service", "kind", kind->get<std::string>())) {
      // The other keys of such a service belong to its kind: one refusal says it all.
      reader_.unsupported(at);
      return std::nullopt;
    }
    spec.kind = static_cast<ServiceKind>(*index);
  }

  // Keys of every kind, then those of this kind; the keys of other kinds are refused by name.
  Names own{"kind",          "cores",      "cpu",          "queue_capacity",
            "load_balancer", "rate_limit", "drop_expired", "price_per_replica_hour"};
  if (spec.kind == ServiceKind::queue) own = {"kind"};  // read_queue refuses the common keys
  const Names common{"cores",      "cpu",          "queue_capacity",        "load_balancer",
                     "rate_limit", "drop_expired", "price_per_replica_hour"};
  Names others;
  for (const KindKey& entry : kind_keys()) {
    const bool mine =
        std::find(entry.kinds.begin(), entry.kinds.end(), spec.kind) != entry.kinds.end();
    (mine ? own : others).push_back(entry.key);
  }
  Names elsewhere = others;
  if (spec.kind == ServiceKind::queue)
    elsewhere.insert(elsewhere.end(), common.begin(), common.end());
  reader_.check_keys(value, pointer, "service", own, elsewhere);
  for (const KindKey& entry : kind_keys()) {
    if (std::find(others.begin(), others.end(), entry.key) == others.end()) continue;
    if (find(value, entry.key) == nullptr) continue;
    const std::string at = child(pointer, entry.key);
    if (spec.kind == ServiceKind::database && entry.key == "replicas") {
      reader_.error(at,
                    "not for a database: its replicas are the primary and its read_replicas "
                    "(set read_replicas)");
    } else if (spec.kind == ServiceKind::database && entry.key == "workers") {
      reader_.error(at, "not for a database: its workers are its connections (set connections)");
    } else {
      std::string kinds;
      for (const ServiceKind kind : entry.kinds) {
        if (!kinds.empty()) kinds += " or ";
        kinds += kind_name(kind);
      }
      std::string message = "only for services of kind " + kinds;
      if (spec.kind == ServiceKind::cache && (entry.key == "steps" || entry.key == "endpoints")) {
        message += R"( (a cache has one endpoint, "default", that runs its work))";
      } else if (spec.kind == ServiceKind::database &&
                 (entry.key == "steps" || entry.key == "endpoints")) {
        message += R"( (a database has one endpoint, "query", that runs its work))";
      }
      reader_.error(at, message);
    }
  }

  if (spec.kind != ServiceKind::database && spec.kind != ServiceKind::queue) {
    // `"autoscaling": false` says there is none (handy with --set).
    const Json* autoscaling = find(value, "autoscaling");
    if (autoscaling != nullptr && *autoscaling == Json(false)) autoscaling = nullptr;
    const Json* replicas = find(value, "replicas");
    if (replicas != nullptr) {
      // An autoscaler may start from zero replicas.
      const std::int64_t lowest = autoscaling != nullptr ? 0 : 1;
      if (const auto n =
              reader_.integer(*replicas, child(pointer, "replicas"), lowest, max_replicas)) {
        spec.replicas = static_cast<int>(*n);
      }
    }
    if (autoscaling != nullptr) {
      spec.autoscaling = read_autoscaling(reader_, *autoscaling, child(pointer, "autoscaling"));
      if (spec.autoscaling) {
        const int given = spec.replicas;
        initial_replicas(spec, replicas != nullptr);
        if (replicas != nullptr && spec.replicas != given &&
            spec.autoscaling->kind != AutoscalerKind::schedule) {
          // Said, since a --set of replicas that the bounds undo would go unnoticed.
          reader_.warning(child(pointer, "replicas"),
                          std::to_string(given) + " is " +
                              (given > spec.replicas ? "above the autoscaler's max"
                                                     : "below the autoscaler's min") +
                              ": the service starts with " + std::to_string(spec.replicas) +
                              " (an HPA keeps the count within [min, max])");
        }
      }
    }
    if (spec.autoscaling && !consumes_a_queue(doc_, name)) {
      for (const ScaleMetricSpec& m : spec.autoscaling->metrics) {
        if (m.metric != ScaleMetric::queue_messages) continue;
        reader_.error(
            child(pointer, "autoscaling"),
            "metric queue_messages needs a queue service whose consumer is '" + name + "'");
        break;
      }
    }
    if (const Json* workers = find(value, "workers")) {
      if (const auto n = reader_.integer(*workers, child(pointer, "workers"), 1, max_int)) {
        spec.workers = static_cast<int>(*n);
      }
    }
  }
  if (spec.kind != ServiceKind::queue) {
    if (const Json* memory = find(value, "memory")) {
      spec.memory = read_memory(reader_, *memory, child(pointer, "memory"));
    }
    if (spec.autoscaling && !spec.memory && find(value, "memory") == nullptr) {
      for (std::size_t k = 0; k < spec.autoscaling->metrics.size(); ++k) {
        if (spec.autoscaling->metrics[k].metric != ScaleMetric::memory) continue;
        reader_.error(child(pointer, "autoscaling"),
                      R"(metric memory needs the service's "memory" (its request_mib))");
        break;
      }
    }
    if (const Json* startup = find(value, "startup_time")) {
      const std::string at = child(pointer, "startup_time");
      if (const auto s = reader_.duration(*startup, at, Sign::non_negative)) {
        spec.startup_time_s = *s;
        // A rollout's new replicas start up too (docs/rollouts.md); faults are read later, so
        // the document is asked. So does a replica restarting after an OOM kill (docs/memory.md). A
        // database's pod starts up again where a node's drain or loss moves it.
        const bool pod = find(value, "pod") != nullptr;
        // A container killed at its memory limit restarts after its back-off and start-up.
        const Json* memory = find(value, "memory");
        const bool oom_kills = memory != nullptr && find(*memory, "limit_mib") != nullptr;
        if (*s > 0 && !spec.autoscaling && !rollout_targets(doc_, name) && !oom_kills &&
            (!pod || (spec.kind != ServiceKind::database && !loses_nodes(doc_)))) {
          reader_.warning(at,
                          "has no effect without autoscaling (only replicas that an "
                          "autoscaler adds start up)");
        }
      }
    }
  }
  if (const Json* cores = find(value, "cores")) {
    if (const auto n = reader_.integer(*cores, child(pointer, "cores"), 1, max_int)) {
      spec.cores = static_cast<int>(*n);
    }
  }
  if (const Json* cpu = find(value, "cpu")) {
    if (const auto index = reader_.choice(*cpu, child(pointer, "cpu"), {"fcfs", "ps"})) {
      spec.cpu = *index == 0 ? CpuDiscipline::fcfs : CpuDiscipline::ps;
    }
  }
  if (const Json* capacity = find(value, "queue_capacity")) {
    spec.queue_capacity =
        reader_.integer(*capacity, child(pointer, "queue_capacity"), 0, max_int64);
  }
  if (const Json* balancer = find(value, "load_balancer")) {
    if (auto lb = read_load_balancer(*balancer, child(pointer, "load_balancer"))) {
      spec.load_balancer = std::move(*lb);
    }
  }
  if (const Json* rate_limit = find(value, "rate_limit")) {
    spec.rate_limits = read_rate_limits(reader_, *rate_limit, child(pointer, "rate_limit"));
  }
  if (const Json* price = find(value, "price_per_replica_hour")) {
    spec.price_per_replica_hour =
        reader_.signed_number(*price, child(pointer, "price_per_replica_hour"), Sign::non_negative);
  }
  if (const Json* drop = find(value, "drop_expired")) {
    if (drop->is_boolean()) {
      spec.drop_expired = drop->get<bool>();
    } else {
      reader_.expected(child(pointer, "drop_expired"), "true or false", *drop);
    }
  }

  switch (spec.kind) {
    case ServiceKind::generic:
      read_endpoints(value, pointer, spec);
      break;
    case ServiceKind::cache:
      read_cache(value, pointer, spec);
      break;
    case ServiceKind::database:
      read_database(value, pointer, spec);
      break;
    case ServiceKind::queue:
      read_queue(value, pointer, spec);
      break;
  }
  read_connection_pools(value, pointer, spec);
  // A service with a problem is left out, so that nothing is checked against wrong values.
  if (reader_.error_count() != errors_before) return std::nullopt;
  warn_of_idle_drop_expired(pointer, spec);
  return spec;
}

void ModelLoader::warn_of_idle_drop_expired(const std::string& pointer, const ServiceSpec& spec) {
  if (!spec.drop_expired || spec.workers <= spec.cores) return;
  // A read-through cache holds its worker through its backend call, which is no step.
  if (spec.cache && !spec.cache->backend.empty()) return;
  // A service that holds its workers through calls or delays can run out of them: then requests
  // wait for a worker, where the deadline is checked.
  for (const EndpointSpec& e : spec.endpoints) {
    for (const StepSpec& step : e.steps) {
      if (step.kind != StepKind::work) return;
    }
  }
  reader_.warning(child(pointer, "drop_expired"),
                  "discards only requests waiting for a worker: with " +
                      std::to_string(spec.workers) + " workers on " + std::to_string(spec.cores) +
                      (spec.cores == 1 ? " core" : " cores") + " and only CPU work, up to " +
                      std::to_string(spec.workers) +
                      " requests per replica wait for a core, where no deadline is checked: it "
                      "drops only beyond that (overload); set workers to the handlers that take "
                      "requests off the server's queue (as many as the cores for a CPU-bound "
                      "server)");
}

std::optional<LoadBalancerSpec> ModelLoader::read_load_balancer(const Json& value,
                                                                const std::string& pointer) {
  if (!value.is_object()) {
    reader_.expected(pointer, R"(an object such as {"policy": "least_outstanding"})", value);
    return std::nullopt;
  }
  reader_.check_keys(value, pointer, "load_balancer", {"policy", "health", "weights"});
  LoadBalancerSpec spec;
  if (const Json* health = find(value, "health")) {
    spec.health = read_health(reader_, *health, child(pointer, "health"));
    if (!spec.health) return std::nullopt;
  }
  if (const Json* policy = find(value, "policy")) {
    const auto index = reader_.choice(*policy, child(pointer, "policy"),
                                      {"round_robin", "random", "least_outstanding", "power_of_two",
                                       "weighted_round_robin", "client_hash"});
    if (!index) return std::nullopt;
    spec.policy = static_cast<LbPolicy>(*index);
  }
  if (const Json* weights = find(value, "weights")) {
    const std::string at = child(pointer, "weights");
    if (spec.policy != LbPolicy::weighted_round_robin) {
      reader_.error(at, "only with policy weighted_round_robin");
      return std::nullopt;
    }
    if (!weights->is_array() || weights->empty()) {
      reader_.expected(at, "a non-empty array of weights > 0, one per replica", *weights);
      return std::nullopt;
    }
    for (std::size_t i = 0; i < weights->size(); ++i) {
      const auto weight = reader_.signed_number((*weights)[i], child(at, i), Sign::positive);
      if (weight) spec.weights.push_back(*weight);
    }
  }
  return spec;
}

}  // namespace capsim::model::detail
