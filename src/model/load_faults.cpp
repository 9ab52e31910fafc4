/// \file The top-level `faults`: crashes, slowdowns and errors injected into a service at a time.

#include <algorithm>

#include "model_loader.hpp"

namespace capsim::model::detail {

void ModelLoader::read_faults(const Json& value, const std::string& pointer, Spec& spec) {
  if (!value.is_array()) {
    reader_.expected(pointer, "an array of faults", value);
    return;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (auto fault = read_fault(value[i], child(pointer, i), spec)) {
      spec.faults.push_back(std::move(*fault));
    }
  }
  std::stable_sort(spec.faults.begin(), spec.faults.end(),
                   [](const FaultSpec& a, const FaultSpec& b) { return a.at_s < b.at_s; });
}

std::optional<FaultSpec> ModelLoader::read_fault(const Json& value, const std::string& pointer,
                                                 const Spec& spec) {
  if (!value.is_object()) {
    reader_.expected(pointer, R"(a fault such as {"at": "5m", "kind": "crash", "service": "api"})",
                     value);
    return std::nullopt;
  }
  const std::size_t errors_before = reader_.error_count();
  FaultSpec fault;
  fault.pointer = pointer;

  // The keys of each kind of fault, besides at, kind and service.
  struct FaultKey {
    std::string_view key;
    std::vector<FaultKind> kinds;
  };
  const std::vector<FaultKey> kind_keys = {
      {"replicas", {FaultKind::crash}},
      {"restart_after", {FaultKind::crash}},
      {"factor", {FaultKind::slowdown}},
      {"duration", {FaultKind::slowdown, FaultKind::outage}},
      {"max_surge", {FaultKind::rollout}},
      {"max_unavailable", {FaultKind::rollout}},
      {"pool", {FaultKind::node_loss}},
      {"nodes", {FaultKind::node_loss}},
      {"zone", {FaultKind::node_loss}},
      {"restore_after", {FaultKind::node_loss}},
      {"detection", {FaultKind::node_loss}},
      {"not_ready_after", {FaultKind::node_loss}},
      {"evict_after", {FaultKind::node_loss}},
      {"service",
       {FaultKind::crash, FaultKind::slowdown, FaultKind::outage, FaultKind::cache_flush,
        FaultKind::rollout}},
  };
  constexpr std::string_view kind_names[] = {"crash",       "slowdown", "outage",
                                             "cache_flush", "rollout",  "node_loss"};

  bool kind_known = false;
  if (const Json* kind = find(value, "kind")) {
    const auto index =
        reader_.choice(*kind, child(pointer, "kind"),
                       {"crash", "slowdown", "outage", "cache_flush", "rollout", "node_loss"});
    kind_known = index.has_value();
    if (index) fault.kind = static_cast<FaultKind>(*index);
  } else {
    reader_.missing(child(pointer, "kind"),
                    "one of crash, slowdown, outage, cache_flush, rollout, node_loss");
  }
  Names own{"at", "kind"};
  Names others;
  for (const FaultKey& entry : kind_keys) {
    const bool mine = !kind_known || std::find(entry.kinds.begin(), entry.kinds.end(),
                                               fault.kind) != entry.kinds.end();
    (mine ? own : others).push_back(entry.key);
  }
  reader_.check_keys(value, pointer, "fault", own, others);
  for (const FaultKey& entry : kind_keys) {
    if (std::find(others.begin(), others.end(), entry.key) == others.end()) continue;
    if (find(value, entry.key) == nullptr) continue;
    std::string kinds;
    for (const FaultKind kind : entry.kinds) {
      if (!kinds.empty()) kinds += " or ";
      kinds += kind_names[static_cast<std::size_t>(kind)];
    }
    reader_.error(child(pointer, entry.key), "only for " + kinds + " faults");
  }

  if (const Json* at = find(value, "at")) {
    const std::string at_pointer = child(pointer, "at");
    if (const auto seconds = reader_.duration(*at, at_pointer, Sign::non_negative)) {
      // A fault after the end is not an error: shortening a run with --duration must not break
      // a model. It simply never happens, and the user is told.
      if (duration_known_ && *seconds >= spec.simulation.duration_s) {
        reader_.warning(at_pointer, "this fault at " + seconds_text(*seconds) +
                                        " never happens: the simulation ends at " +
                                        seconds_text(spec.simulation.duration_s));
      }
      fault.at_s = *seconds;
    }
  } else {
    reader_.missing(child(pointer, "at"), R"(the time of the fault, such as "5m")");
  }

  const ServiceOutline* service = nullptr;
  const std::string service_pointer = child(pointer, "service");
  if (kind_known && fault.kind == FaultKind::node_loss) {
    // A node loss names a pool, not a service (its pool is checked once the nodes are read).
  } else if (const Json* name = find(value, "service")) {
    service = resolve_service(*name, service_pointer);
    if (service != nullptr) fault.service = service->name;
  } else {
    reader_.missing(service_pointer, service_what());
  }
  if (service != nullptr && kind_known && fault.kind == FaultKind::cache_flush &&
      service->kind_known && service->kind != ServiceKind::cache) {
    std::vector<std::string> caches;
    for (const ServiceOutline& outline : outlines_) {
      if (outline.kind_known && outline.kind == ServiceKind::cache) caches.push_back(outline.name);
    }
    const std::string what = caches.empty()
                                 ? std::string("the name of a cache service (none)")
                                 : "the name of a cache service (" + names_text(caches) + ")";
    reader_.expected(service_pointer, what, *find(value, "service"),
                     " (a " + std::string(kind_name(service->kind)) + " service)");
  }

  if (!kind_known) return std::nullopt;
  switch (fault.kind) {
    case FaultKind::crash: {
      if (const Json* replicas = find(value, "replicas")) {
        const std::string at = child(pointer, "replicas");
        // Bounded by the service's replicas when it was read without problems.
        const auto index = service != nullptr ? spec.service_index(service->name) : std::nullopt;
        std::int64_t max = max_replicas;
        if (index) {
          const ServiceSpec& target = spec.services[*index];
          max = target.replicas;
          if (target.autoscaling) max = std::max(max, std::int64_t{target.autoscaling->max});
        }
        if (const auto n = reader_.integer(*replicas, at, 1, max_replicas)) {
          if (*n > max) {
            reader_.expected(at,
                             "an integer from 1 to " + std::to_string(max) + " (the replicas of '" +
                                 service->name + "')",
                             *replicas);
          } else {
            fault.replicas = static_cast<int>(*n);
          }
        }
      }
      if (const Json* restart = find(value, "restart_after")) {
        fault.restart_after_s =
            reader_.duration(*restart, child(pointer, "restart_after"), Sign::positive);
      }
      break;
    }
    case FaultKind::slowdown:
      if (const Json* factor = find(value, "factor")) {
        if (const auto f =
                reader_.signed_number(*factor, child(pointer, "factor"), Sign::positive)) {
          fault.factor = *f;
        }
      } else {
        reader_.missing(child(pointer, "factor"), "the factor the work is multiplied by (> 0)");
      }
      [[fallthrough]];
    case FaultKind::outage:
      if (const Json* duration = find(value, "duration")) {
        if (const auto seconds =
                reader_.duration(*duration, child(pointer, "duration"), Sign::positive)) {
          fault.duration_s = *seconds;
        }
      } else {
        reader_.missing(child(pointer, "duration"), R"(how long the fault lasts, such as "2m")");
      }
      break;
    case FaultKind::cache_flush:
      break;
    case FaultKind::rollout:
      read_rollout(value, pointer, service, fault);
      if (service != nullptr) {
        if (const auto si = spec.service_index(service->name);
            si && spec.services[*si].startup_time_s == 0.0 &&
            !(spec.services[*si].pod && find(doc_, "nodes") != nullptr)) {
          // Every new pod is then ready the instant it starts: the rollout replaces them all at
          // once, at no cost in capacity, which is seldom what is asked.
          reader_.warning(child(pointer, "service"),
                          "the service's startup_time is 0: each new pod is ready at once, so "
                          "the rollout ends the instant it starts and costs no capacity; give "
                          "it the time a new pod takes to become ready");
        }
      }
      break;
    case FaultKind::node_loss:
      read_node_loss(value, pointer, fault);
      break;
  }
  if (reader_.error_count() != errors_before) return std::nullopt;
  return fault;
}

std::optional<double> whole_percent(const std::string& text) {
  if (text.size() < 2 || text.back() != '%') return std::nullopt;
  double value = 0.0;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9' || i > 6) return std::nullopt;
    value = value * 10.0 + (text[i] - '0');
  }
  return value;
}

void ModelLoader::read_node_loss(const Json& value, const std::string& pointer, FaultSpec& fault) {
  // The pool's name, the count against its max and the zone against its zones are checked once
  // the nodes are read (check_node_losses, load_nodes.cpp).
  if (const Json* pool = find(value, "pool")) {
    if (const auto name = reader_.string(*pool, child(pointer, "pool"), "a node pool's name")) {
      fault.pool = *name;
    }
  } else {
    reader_.missing(child(pointer, "pool"), "the name of the node pool that loses nodes");
  }
  const Json* nodes = find(value, "nodes");
  const Json* zone = find(value, "zone");
  if (nodes != nullptr) {
    if (const auto n = reader_.integer(*nodes, child(pointer, "nodes"), 1, max_replicas)) {
      fault.nodes = static_cast<int>(*n);
    }
  }
  if (zone != nullptr) {
    if (const auto z = reader_.string(*zone, child(pointer, "zone"), "a zone of the pool")) {
      fault.zone = *z;
    }
  }
  if (nodes == nullptr && zone == nullptr) {
    reader_.missing(child(pointer, "nodes"),
                    "how many nodes are lost (an integer >= 1), or a \"zone\" whose nodes are");
  }
  if (const Json* restore = find(value, "restore_after")) {
    fault.restore_after_s =
        reader_.duration(*restore, child(pointer, "restore_after"), Sign::positive);
  }
  read_node_detection(value, pointer, fault);
}

void ModelLoader::read_node_detection(const Json& value, const std::string& pointer,
                                      FaultSpec& fault) {
  // Kubernetes' defaults: node-monitor-grace-period 50 s (40 s before Kubernetes 1.32), and the
  // DefaultTolerationSeconds admission plugin's 300 s for not-ready and unreachable.
  constexpr double kNotReadyAfterS = 50.0;
  constexpr double kEvictAfterS = 300.0;
  std::optional<bool> kubernetes;  // "detection", when given
  if (const Json* detection = find(value, "detection")) {
    if (const auto index =
            reader_.choice(*detection, child(pointer, "detection"), {"immediate", "kubernetes"})) {
      kubernetes = *index == 1;
    }
  }
  std::optional<double> not_ready;
  std::optional<double> evict;
  for (const char* key : {"not_ready_after", "evict_after"}) {
    const Json* v = find(value, key);
    if (v == nullptr) continue;
    const std::string at = child(pointer, key);
    if (kubernetes == false) {
      reader_.error(at, R"(only with "detection": "kubernetes" (the loss is known at once with )"
                        R"("detection": "immediate"))");
      continue;
    }
    auto& to = std::string_view(key) == "evict_after" ? evict : not_ready;
    to = reader_.duration(*v, at, Sign::non_negative);
  }
  if (kubernetes != true && !not_ready && !evict) return;
  fault.not_ready_after_s = not_ready.value_or(kNotReadyAfterS);
  fault.evict_after_s = evict.value_or(kEvictAfterS);
  const double evicted_s = *fault.not_ready_after_s + *fault.evict_after_s;
  if (fault.restore_after_s && *fault.restore_after_s < evicted_s) {
    reader_.error(child(pointer, "restore_after"),
                  "expected at least not_ready_after + evict_after (" + seconds_text(evicted_s) +
                      "): a node that comes back before its pods are evicted is not modelled, "
                      "found " +
                      seconds_text(*fault.restore_after_s));
  }
}

void ModelLoader::read_rollout(const Json& value, const std::string& pointer,
                               const ServiceOutline* service, FaultSpec& fault) {
  // A Deployment's maxSurge and maxUnavailable (Kubernetes' IntOrString): a count >= 0 or a
  // whole percentage; maxUnavailable at most 100 %; not both 0 (the API server's validation).
  const auto read = [&](std::string_view key, double max_percent) -> std::optional<IntOrPercent> {
    const Json* v = find(value, key);
    if (v == nullptr) return IntOrPercent{};
    const std::string at = child(pointer, key);
    const std::string what =
        max_percent < 1e9 ? R"(a number of replicas >= 0 or a percentage up to 100%, such as "25%")"
                          : R"(a number of replicas >= 0 or a percentage, such as "25%")";
    if (v->is_number_integer() && v->get<std::int64_t>() >= 0 &&
        v->get<std::int64_t>() <= max_replicas) {
      return IntOrPercent{static_cast<double>(v->get<std::int64_t>()), false};
    }
    if (v->is_string()) {
      if (const auto p = whole_percent(v->get_ref<const std::string&>()); p && *p <= max_percent) {
        return IntOrPercent{*p, true};
      }
    }
    reader_.expected(at, what, *v);
    return std::nullopt;
  };
  const auto surge = read("max_surge", 1e18);
  const auto unavailable = read("max_unavailable", 100.0);
  if (surge) fault.max_surge = *surge;
  if (unavailable) fault.max_unavailable = *unavailable;
  if (surge && unavailable && surge->value == 0.0 && unavailable->value == 0.0) {
    reader_.error(child(pointer, "max_unavailable"),
                  "max_surge and max_unavailable may not both be 0 (the rollout could never "
                  "progress)");
  }
  if (service != nullptr && service->kind_known && service->kind == ServiceKind::database) {
    reader_.error(child(pointer, "service"),
                  "a rollout of a database is not modelled (its primary is replica 0)");
  }
}

}  // namespace capsim::model::detail
