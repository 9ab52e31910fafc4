/// \file Reading the model's `nodes` (node pools and the cluster autoscaler) and each service's
/// `pod` (its pool and requests), docs/nodes.md. Pods refer to pools, so they are read after both
/// the services and the nodes.

#include <algorithm>

#include "model_loader.hpp"

namespace capsim::model::detail {

namespace {

constexpr std::int64_t kMaxNodes = 100000;

std::optional<NodePoolSpec> read_pool(Reader& reader, const std::string& name, const Json& value,
                                      const std::string& pointer) {
  if (!value.is_object()) {
    reader.expected(pointer,
                    R"(a node pool such as {"cores": 4, "memory_mib": 16384, "min": 1, "max": 10, )"
                    R"("provisioning_time": "90s"})",
                    value);
    return std::nullopt;
  }
  reader.check_keys(value, pointer, "node pool",
                    {"cores", "memory_mib", "price_per_hour", "min", "max", "initial",
                     "provisioning_time", "zones"});
  NodePoolSpec p;
  p.name = name;
  p.pointer = pointer;
  bool ok = true;
  const auto positive = [&](const char* key, const char* what) -> std::optional<double> {
    const Json* v = find(value, key);
    if (v == nullptr) {
      reader.missing(child(pointer, key), what);
      ok = false;
      return std::nullopt;
    }
    const auto x = reader.signed_number(*v, child(pointer, key), Sign::positive);
    ok = ok && x.has_value();
    return x;
  };
  if (const auto c = positive("cores", "the cores a node can allocate to pods (> 0)")) p.cores = *c;
  if (const auto m =
          positive("memory_mib", "the memory a node can allocate to pods in MiB (> 0)")) {
    p.memory_mib = *m;
  }
  if (const Json* price = find(value, "price_per_hour")) {
    p.price_per_hour =
        reader.signed_number(*price, child(pointer, "price_per_hour"), Sign::non_negative);
    ok = ok && p.price_per_hour.has_value();
  }
  const auto count = [&](const char* key, std::int64_t min) -> std::optional<int> {
    const Json* v = find(value, key);
    if (v == nullptr) return std::nullopt;
    const auto n = reader.integer(*v, child(pointer, key), min, kMaxNodes);
    ok = ok && n.has_value();
    return n ? std::optional<int>(static_cast<int>(*n)) : std::nullopt;
  };
  const auto min = count("min", 0);
  const auto max = count("max", 1);
  const auto initial = count("initial", 0);
  if (!ok) return std::nullopt;
  p.min_nodes = min.value_or(0);
  if (!max) {
    reader.missing(child(pointer, "max"), "the most nodes the pool may have (an integer >= 1)");
    return std::nullopt;
  }
  p.max_nodes = *max;
  if (p.min_nodes > p.max_nodes) {
    reader.expected(child(pointer, "min"), "at most max (" + std::to_string(p.max_nodes) + ")",
                    *find(value, "min"));
    return std::nullopt;
  }
  p.initial_nodes = initial.value_or(p.min_nodes);
  if (p.initial_nodes < p.min_nodes || p.initial_nodes > p.max_nodes) {
    reader.expected(child(pointer, "initial"),
                    "a node count from min to max (" + std::to_string(p.min_nodes) + " to " +
                        std::to_string(p.max_nodes) + ")",
                    *find(value, "initial"));
    return std::nullopt;
  }
  if (const Json* zones = find(value, "zones")) {
    const std::string at = child(pointer, "zones");
    if (!zones->is_array() || zones->empty()) {
      reader.expected(at, R"(a non-empty array of zone names such as ["a", "b", "c"])", *zones);
      return std::nullopt;
    }
    for (std::size_t z = 0; z < zones->size(); ++z) {
      const auto name = reader.string((*zones)[z], child(at, z), "a zone name");
      if (!name) return std::nullopt;
      if (std::find(p.zones.begin(), p.zones.end(), *name) != p.zones.end()) {
        reader.error(child(at, z), "expected each zone once, found \"" + *name + "\" again");
        return std::nullopt;
      }
      p.zones.push_back(*name);
    }
  }
  if (const Json* t = find(value, "provisioning_time")) {
    const auto s = reader.duration(*t, child(pointer, "provisioning_time"), Sign::non_negative);
    if (!s) return std::nullopt;
    p.provisioning_time_s = *s;
  } else if (p.max_nodes > p.initial_nodes) {
    reader.missing(child(pointer, "provisioning_time"),
                   "how long a node takes from the cluster autoscaler's request to Ready, e.g. "
                   "\"90s\" (the pool may grow: max > initial)");
    return std::nullopt;
  }
  return p;
}

void read_cluster_autoscaler(Reader& reader, const Json& value, const std::string& pointer,
                             ClusterAutoscalerSpec& ca) {
  if (!value.is_object()) {
    reader.expected(pointer, R"(an object such as {"scale_down_unneeded_time": "10m"})", value);
    return;
  }
  reader.check_keys(value, pointer, "cluster_autoscaler",
                    {"scan_interval", "scale_down_unneeded_time", "scale_down_delay_after_add",
                     "scale_down_utilization_threshold", "max_empty_bulk_delete"});
  const auto duration = [&](const char* key, Sign sign, double& to) {
    if (const Json* v = find(value, key)) {
      if (const auto s = reader.duration(*v, child(pointer, key), sign)) to = *s;
    }
  };
  duration("scan_interval", Sign::positive, ca.scan_interval_s);
  duration("scale_down_unneeded_time", Sign::non_negative, ca.scale_down_unneeded_time_s);
  duration("scale_down_delay_after_add", Sign::non_negative, ca.scale_down_delay_after_add_s);
  if (const Json* v = find(value, "scale_down_utilization_threshold")) {
    if (const auto x = reader.number(*v, child(pointer, "scale_down_utilization_threshold"),
                                     "a fraction from 0 to 1",
                                     [](double t) { return t >= 0.0 && t <= 1.0; })) {
      ca.scale_down_utilization_threshold = *x;
    }
  }
  if (const Json* v = find(value, "max_empty_bulk_delete")) {
    if (const auto n = reader.integer(*v, child(pointer, "max_empty_bulk_delete"), 1, kMaxNodes)) {
      ca.max_empty_bulk_delete = static_cast<int>(*n);
    }
  }
}

}  // namespace

std::optional<NodesSpec> read_nodes(Reader& reader, const Json& value, const std::string& pointer) {
  if (!value.is_object()) {
    reader.expected(pointer, R"(an object {"pools": {...}, "cluster_autoscaler": {...}})", value);
    return std::nullopt;
  }
  reader.check_keys(value, pointer, "nodes", {"pools", "cluster_autoscaler", "placement"});
  NodesSpec nodes;
  nodes.pointer = pointer;
  if (const Json* placement = find(value, "placement")) {
    if (const auto index = reader.choice(*placement, child(pointer, "placement"),
                                         {"first_fit", "least_allocated", "most_allocated"})) {
      nodes.placement = static_cast<Placement>(*index);
    }
  }
  const Json* pools = find(value, "pools");
  const std::string pools_at = child(pointer, "pools");
  if (pools == nullptr) {
    reader.missing(pools_at, "an object of node pools by name");
    return std::nullopt;
  }
  if (!pools->is_object() || pools->empty()) {
    reader.expected(pools_at, "a non-empty object of node pools by name", *pools);
    return std::nullopt;
  }
  bool ok = true;
  for (const auto& [name, body] : pools->items()) {
    if (!is_name(name)) {
      reader.error(
          child(pools_at, name),
          "expected a pool name of letters, digits, '_', '.' or '-', found \"" + name + "\"");
      ok = false;
      continue;
    }
    auto pool = read_pool(reader, name, body, child(pools_at, name));
    if (pool) {
      nodes.pools.push_back(std::move(*pool));
    } else {
      ok = false;
    }
  }
  if (const Json* ca = find(value, "cluster_autoscaler")) {
    read_cluster_autoscaler(reader, *ca, child(pointer, "cluster_autoscaler"),
                            nodes.cluster_autoscaler);
  }
  if (!ok) return std::nullopt;
  return nodes;
}

namespace {

/// A pod's `topology_spread` (docs/nodes.md#topology-spread): an array of constraints, at most
/// one per topology; a zone constraint needs a pool with `zones`. False on an error (reported).
bool read_spread(Reader& reader, const Json& value, const std::string& at, const NodePoolSpec& pool,
                 PodSpec& pod) {
  if (!value.is_array() || value.empty()) {
    reader.expected(at,
                    R"(a non-empty array of constraints such as [{"topology": "zone", )"
                    R"("max_skew": 1, "when_unsatisfiable": "do_not_schedule"}])",
                    value);
    return false;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    const Json& c = value[i];
    const std::string c_at = child(at, i);
    if (!c.is_object()) {
      reader.expected(c_at, R"(an object such as {"topology": "zone", "max_skew": 1})", c);
      return false;
    }
    reader.check_keys(c, c_at, "topology_spread constraint",
                      {"topology", "max_skew", "when_unsatisfiable"});
    SpreadConstraint constraint;
    const Json* topology = find(c, "topology");
    if (topology == nullptr) {
      reader.missing(child(c_at, "topology"), R"("zone" or "node")");
      return false;
    }
    if (*topology == Json("zone")) {
      constraint.topology = SpreadConstraint::Topology::zone;
      if (pool.zones.empty()) {
        // Kubernetes filters out nodes without the topology label: every pod would be Pending.
        reader.error(child(c_at, "topology"),
                     "expected a pool with \"zones\" for a zone constraint, found pool '" +
                         pool.name + "' without zones");
        return false;
      }
    } else if (*topology == Json("node")) {
      constraint.topology = SpreadConstraint::Topology::node;
    } else {
      reader.expected(child(c_at, "topology"), R"("zone" or "node")", *topology);
      return false;
    }
    for (const SpreadConstraint& earlier : pod.spread) {
      if (earlier.topology == constraint.topology) {
        reader.error(child(c_at, "topology"), "expected one constraint per topology, found \"" +
                                                  topology->get<std::string>() + "\" again");
        return false;
      }
    }
    if (const Json* skew = find(c, "max_skew")) {
      const auto n = reader.integer(*skew, child(c_at, "max_skew"), 1, kMaxNodes);
      if (!n) return false;
      constraint.max_skew = static_cast<int>(*n);
    }
    if (const Json* when = find(c, "when_unsatisfiable")) {
      if (*when == Json("do_not_schedule")) {
        constraint.hard = true;
      } else if (*when == Json("schedule_anyway")) {
        constraint.hard = false;
      } else {
        reader.expected(child(c_at, "when_unsatisfiable"),
                        R"("do_not_schedule" or "schedule_anyway")", *when);
        return false;
      }
    }
    pod.spread.push_back(constraint);
  }
  return true;
}

}  // namespace

void read_pods(Reader& reader, const Json& services, const std::string& pointer, Spec& spec) {
  for (ServiceSpec& s : spec.services) {
    const Json* body = find(services, s.name);
    const Json* value = body ? find(*body, "pod") : nullptr;
    if (value == nullptr) continue;
    const std::string at = child(child(pointer, s.name), "pod");
    if (!value->is_object()) {
      reader.expected(at, R"(an object such as {"pool": "general", "cores": 1, "memory_mib": 512})",
                      *value);
      continue;
    }
    reader.check_keys(
        *value, at, "pod",
        {"pool", "cores", "memory_mib", "cpu_limit", "topology_spread", "disruption_budget"});
    PodSpec pod;
    pod.pointer = at;
    const Json* pool = find(*value, "pool");
    if (pool == nullptr) {
      reader.missing(child(at, "pool"), "the name of the node pool the pods run on");
      continue;
    }
    const auto name = reader.string(*pool, child(at, "pool"), "a node pool's name");
    if (!name) continue;
    if (!spec.nodes) {
      reader.error(child(at, "pool"), "expected a pool of the model's \"nodes\", found \"" + *name +
                                          "\" and the model has no \"nodes\"");
      continue;
    }
    const auto& pools = spec.nodes->pools;
    std::uint32_t index = 0;
    while (index < pools.size() && pools[index].name != *name) ++index;
    if (index == pools.size()) {
      std::vector<std::string> names;
      for (const NodePoolSpec& p : pools) names.push_back(p.name);
      reader.error(child(at, "pool"), "expected one of the node pools (" + names_text(names) +
                                          "), found \"" + *name + "\"");
      continue;
    }
    pod.pool = index;
    const NodePoolSpec& p = pools[index];
    pod.cores = static_cast<double>(s.cores);
    if (s.memory) pod.memory_mib = s.memory->request_mib;
    bool ok = true;
    const auto request = [&](const char* key, double& to, double per_node, const char* unit) {
      const Json* v = find(*value, key);
      if (v != nullptr) {
        const auto x = reader.signed_number(*v, child(at, key), Sign::non_negative);
        if (!x) {
          ok = false;
          return;
        }
        to = *x;
      }
      if (to > per_node) {
        // A pod larger than a node would be Pending for ever: refuse it now.
        reader.error(v ? child(at, key) : at,
                     "expected a pod that fits on a node of pool '" + p.name + "' (at most " +
                         number_text(per_node) + " " + unit + "), found a request of " +
                         number_text(to) + " " + unit + (v ? "" : " (the service's default)"));
        ok = false;
      }
    };
    request("cores", pod.cores, p.cores, "cores");
    request("memory_mib", pod.memory_mib, p.memory_mib, "MiB");
    // A limit defaults to the request (a Guaranteed pod's); a pod that requests no cores and
    // sets no limit is BestEffort: no limit, the smallest weight (net/shared_cores.cpp).
    pod.cpu_limit = pod.cores > 0.0 ? pod.cores : p.cores;
    if (const Json* limit = find(*value, "cpu_limit"); limit != nullptr && ok) {
      // A limit only means something where the pod may burst into its neighbours' idle cores:
      // its pool's nodes share their cores (docs/nodes.md#shared-cores).
      const std::string limit_at = child(at, "cpu_limit");
      const auto x = reader.signed_number(*limit, limit_at, Sign::positive);
      if (!x) {
        ok = false;
      } else if (*x < pod.cores) {
        reader.error(limit_at, "expected a CPU limit at least the pod's request (" +
                                   number_text(pod.cores) + " cores), found " + number_text(*x));
        ok = false;
      } else {
        pod.cpu_limit = *x;
        spec.nodes->pools[index].shared_cores = true;
      }
    }
    if (const Json* spread = find(*value, "topology_spread"); spread != nullptr && ok) {
      ok = read_spread(reader, *spread, child(at, "topology_spread"), p, pod);
    }
    if (const Json* budget = find(*value, "disruption_budget")) {
      pod.disruption_budget =
          read_disruption_budget(reader, *budget, child(at, "disruption_budget"));
      ok = ok && pod.disruption_budget.has_value();
    }
    if (ok && pod.cores == 0.0 && s.autoscaling) {
      // Kubernetes' HPA computes cpu utilisation over the pods' CPU request; with none it
      // reports FailedGetResourceMetric ("missing request for cpu") and does not scale.
      for (const ScaleMetricSpec& m : s.autoscaling->metrics) {
        if (m.metric != ScaleMetric::cpu) continue;
        reader.error(child(at, "cores"),
                     "expected a CPU request above 0 for the autoscaler's cpu metric (the HPA "
                     "computes utilisation over the pod's request; Kubernetes does not scale on "
                     "cpu without one), found 0");
        ok = false;
        break;
      }
    }
    if (ok) s.pod = pod;
  }
}

void check_node_losses(Reader& reader, const Spec& spec) {
  for (const FaultSpec& f : spec.faults) {
    if (f.kind != FaultKind::node_loss) continue;
    const std::string at = child(f.pointer, "pool");
    if (!spec.nodes) {
      reader.error(at, "expected a pool of the model's \"nodes\", found \"" + f.pool +
                           "\" and the model has no \"nodes\"");
      continue;
    }
    const auto& pools = spec.nodes->pools;
    const auto pool = std::find_if(pools.begin(), pools.end(),
                                   [&f](const NodePoolSpec& p) { return p.name == f.pool; });
    if (pool == pools.end()) {
      std::vector<std::string> names;
      for (const NodePoolSpec& p : pools) names.push_back(p.name);
      reader.error(at, "expected one of the node pools (" + names_text(names) + "), found \"" +
                           f.pool + "\"");
      continue;
    }
    // More nodes than the pool has at the time are simply all it has; more than it may ever
    // have is a mistake.
    if (f.nodes && *f.nodes > pool->max_nodes) {
      reader.error(child(f.pointer, "nodes"),
                   "expected at most the pool's max (" + std::to_string(pool->max_nodes) +
                       " nodes of pool '" + pool->name + "'), found " + std::to_string(*f.nodes));
    }
    if (f.zone && std::find(pool->zones.begin(), pool->zones.end(), *f.zone) == pool->zones.end()) {
      reader.error(child(f.pointer, "zone"),
                   pool->zones.empty()
                       ? "expected a pool with \"zones\", found \"" + *f.zone + "\" and pool '" +
                             pool->name + "' has none"
                       : "expected one of the zones of pool '" + pool->name + "' (" +
                             names_text(pool->zones) + "), found \"" + *f.zone + "\"");
    }
  }
}

}  // namespace capsim::model::detail
