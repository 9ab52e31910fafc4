/// \file Kubernetes manifests -> model fragments (capsim::import::import_k8s): workloads become
/// services, autoscalers are joined to them by scaleTargetRef (k8s_autoscaling.cpp).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>

#include "capsim/model/load.hpp"
#include "k8s_parts.hpp"

namespace capsim::import {

using model::Diagnostic;
using model::ModelError;

namespace k8s {

const Json& required_object(const Json& object, const char* key, const std::string& pointer) {
  const Json* value = member(object, key);
  if (value == nullptr) refuse(child(pointer, key), "missing; expected an object");
  if (!value->is_object()) {
    refuse(child(pointer, key), "expected an object, found " + describe(*value));
  }
  return *value;
}

std::string text(const Json& value, const std::string& pointer) {
  if (!value.is_string()) refuse(pointer, "expected a string, found " + describe(value));
  return value.get<std::string>();
}

std::int64_t integer(const Json& value, const std::string& pointer, std::int64_t min,
                     std::int64_t max) {
  const bool whole =
      value.is_number_integer() ||
      (value.is_number_float() && std::floor(value.get<double>()) == value.get<double>());
  const double x = value.is_number() ? value.get<double>() : std::nan("");
  if (!whole || !(x >= static_cast<double>(min)) || !(x <= static_cast<double>(max))) {
    refuse(pointer, "expected an integer from " + std::to_string(min) + " to " +
                        std::to_string(max) + ", found " + describe(value));
  }
  return static_cast<std::int64_t>(x);
}

double quantity(const Json& value, const std::string& pointer) {
  std::optional<double> q;
  if (value.is_number()) q = value.get<double>();
  if (value.is_string()) q = parse_quantity(value.get<std::string>());
  if (!q || !std::isfinite(*q) || *q < 0) {
    refuse(pointer,
           "expected a quantity such as \"500m\", \"2\" or \"256Mi\", found " + describe(value));
  }
  return *q;
}

Json number_json(double x) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.10g", x);
  const double y = std::strtod(buffer, nullptr);
  if (y == std::floor(y) && std::fabs(y) < 1e15) return Json(static_cast<std::int64_t>(y));
  return Json(y);
}

std::string seconds(std::int64_t s) {
  return std::to_string(s) + "s";
}

}  // namespace k8s

namespace {

using namespace k8s;

const std::vector<std::string> kWorkloadKinds{"Deployment", "StatefulSet", "ReplicaSet"};
const std::vector<std::string> kAutoscalerKinds{"HorizontalPodAutoscaler", "ScaledObject"};
/// Kinds that do not change a service's capacity in the model: read, warned about once.
const std::vector<std::string> kOtherKinds{"Service",
                                           "ConfigMap",
                                           "Secret",
                                           "Ingress",
                                           "IngressClass",
                                           "ServiceAccount",
                                           "PodDisruptionBudget",
                                           "NetworkPolicy",
                                           "Namespace",
                                           "Role",
                                           "RoleBinding",
                                           "ClusterRole",
                                           "ClusterRoleBinding",
                                           "PersistentVolumeClaim",
                                           "PersistentVolume",
                                           "StorageClass",
                                           "LimitRange",
                                           "ResourceQuota",
                                           "PriorityClass",
                                           "DaemonSet",
                                           "Job",
                                           "CronJob",
                                           "Pod",
                                           "VerticalPodAutoscaler",
                                           "ScaledJob",
                                           "TriggerAuthentication",
                                           "ClusterTriggerAuthentication",
                                           "ServiceMonitor",
                                           "PodMonitor",
                                           "PrometheusRule",
                                           "CustomResourceDefinition",
                                           "Endpoints",
                                           "EndpointSlice",
                                           "Gateway",
                                           "HTTPRoute",
                                           "GRPCRoute"};

/// "deploy.yaml document 2 (HorizontalPodAutoscaler api)".
std::string label(const Manifest& m) {
  std::string kind = "?";
  std::string name = "?";
  if (const Json* k = member(m.object, "kind"); k != nullptr && k->is_string()) kind = *k;
  if (const Json* md = member(m.object, "metadata")) {
    if (const Json* n = member(*md, "name"); n != nullptr && n->is_string()) name = *n;
  }
  // Nothing to name (a document that is not an object): no "(? ?)".
  const std::string named = kind == "?" && name == "?" ? "" : " (" + kind + " " + name + ")";
  return m.source + " document " + std::to_string(m.document) +
         (m.pointer.empty() ? "" : " " + m.pointer) + named;
}

/// `error` (pointers within the object) as one located message per diagnostic.
ModelError placed(const ModelError& error, const Manifest& m) {
  std::vector<Diagnostic> within;
  for (const Diagnostic& d : error.diagnostics())
    within.push_back({m.pointer + d.pointer, d.message});
  const ModelError located = model::locate(ModelError(within), m.positions);
  std::vector<Diagnostic> out;
  for (const Diagnostic& d : located.diagnostics()) out.push_back({"", label(m) + ": " + d.text()});
  return ModelError(std::move(out));
}

Warn warner(const Manifest& m, std::vector<std::string>& warnings) {
  return [&m, &warnings](const std::string& pointer, const std::string& what) {
    const std::string at = m.pointer + pointer;
    std::string line = label(m) + ": " + (at.empty() ? "/" : at) + ": " + what;
    if (const auto p = m.positions.find(at); p && !m.positions.at.empty()) {
      line += " (line " + std::to_string(p->first) + ")";
    }
    warnings.push_back(std::move(line));
  };
}

std::string metadata_field(const Json& object, const char* key, const std::string& fallback) {
  const Json* md = member(object, "metadata");
  const Json* v = md != nullptr ? member(*md, key) : nullptr;
  if (v == nullptr) return fallback;
  return text(*v, child("/metadata", key));
}

struct Workload {
  const Manifest* manifest = nullptr;
  std::string name;
  Json service = Json::object();
  PodResources pod;
  bool autoscaled = false;
};

/// The pod's total of one resource over its containers: requests (a container's request
/// defaults to its limit, as Kubernetes does) or limits (none unless every container has one).
struct ResourceTotals {
  std::optional<double> request;
  std::optional<double> limit;
};

ResourceTotals pod_totals(const Json& containers, const std::string& at, const char* resource) {
  ResourceTotals t;
  bool every_limit = true;
  for (std::size_t i = 0; i < containers.size(); ++i) {
    const std::string c_at = child(child(at, i), "resources");
    // Kubernetes' schema: a malformed container is not "a container without requests".
    if (!containers[i].is_object()) {
      refuse(child(at, i), "expected a container (an object), found " + describe(containers[i]));
    }
    const Json* resources = member(containers[i], "resources");
    if (resources != nullptr && !resources->is_object()) {
      refuse(c_at, "expected an object of requests and limits, found " + describe(*resources));
    }
    for (const char* part : {"requests", "limits"}) {
      if (const Json* r = resources != nullptr ? member(*resources, part) : nullptr;
          r != nullptr && !r->is_object()) {
        refuse(child(c_at, part),
               "expected an object such as {\"cpu\": \"500m\"}, found " + describe(*r));
      }
    }
    std::optional<double> request;
    std::optional<double> limit;
    if (resources != nullptr) {
      if (const Json* requests = member(*resources, "requests")) {
        if (const Json* q = member(*requests, resource)) {
          request = quantity(*q, child(child(c_at, "requests"), resource));
        }
      }
      if (const Json* limits = member(*resources, "limits")) {
        if (const Json* q = member(*limits, resource)) {
          limit = quantity(*q, child(child(c_at, "limits"), resource));
        }
      }
    }
    if (!request) request = limit;
    if (request) t.request = t.request.value_or(0) + *request;
    if (limit) {
      t.limit = t.limit.value_or(0) + *limit;
    } else {
      every_limit = false;
    }
  }
  if (!every_limit) t.limit.reset();
  return t;
}

std::string amount(double x) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.6g", x);
  return buffer;
}

Workload read_workload(const Manifest& m, const Warn& warn) {
  const Json& o = m.object;
  Workload w;
  w.manifest = &m;
  w.name = metadata_field(o, "name", "");
  if (w.name.empty()) refuse("/metadata/name", "missing; expected the workload's name");
  const Json& spec = required_object(o, "spec", "");
  if (const Json* r = member(spec, "replicas")) {
    w.service["replicas"] = integer(*r, "/spec/replicas", 0, 100'000);
    if (w.service["replicas"] == 0) {
      refuse("/spec/replicas",
             "expected at least 1 replica (a workload at 0 serves nothing; "
             "a KEDA ScaledObject may scale it from zero), found 0");
    }
  }
  const Json& tmpl = required_object(spec, "template", "/spec");
  const Json& pod_spec = required_object(tmpl, "spec", "/spec/template");
  const std::string pod_at = "/spec/template/spec";
  const Json* containers = member(pod_spec, "containers");
  if (containers == nullptr || !containers->is_array() || containers->empty()) {
    refuse(child(pod_at, "containers"),
           "expected a non-empty list of containers, found " +
               (containers != nullptr ? describe(*containers) : std::string("nothing")));
  }
  const std::string c_at = child(pod_at, "containers");
  if (containers->size() > 1) {
    warn(c_at, std::to_string(containers->size()) +
                   " containers: their requests and limits are summed into one replica");
  }
  const ResourceTotals cpu = pod_totals(*containers, c_at, "cpu");
  const ResourceTotals memory = pod_totals(*containers, c_at, "memory");
  // A pebibyte: beyond, the sum overflows to infinity (written as null) long before any node.
  constexpr double kMaxMemoryBytes = 1125899906842624.0;
  for (const auto& [what, value] :
       {std::pair{"request", memory.request}, std::pair{"limit", memory.limit}}) {
    if (value && !(*value <= kMaxMemoryBytes)) {
      refuse(c_at, std::string("expected a pod memory ") + what + " of at most 1Pi, found " +
                       (std::isfinite(*value) ? amount(*value) + " bytes"
                                              : std::string("more than a number holds")));
    }
  }
  if (cpu.request && *cpu.request > 100'000) {
    refuse(c_at,
           "expected a pod cpu request of at most 100000 cores, found " + amount(*cpu.request));
  }
  if (cpu.request && *cpu.request > 0) {
    w.pod.cpu_request_cores = *cpu.request;
    w.pod.cores = static_cast<int>(std::max(1.0, std::ceil(*cpu.request - 1e-9)));
    if (*cpu.request != w.pod.cores) {
      warn(c_at, "cpu request " + amount(*cpu.request) + " cores modelled as " +
                     std::to_string(w.pod.cores) +
                     " whole core(s) (the model's cores are whole; utilisation targets are "
                     "converted to keep the same cores of usage per replica)");
    }
  }
  if (!cpu.request || *cpu.request <= 0) {
    warn(c_at, std::string(cpu.request ? "cpu request 0" : "no cpu request") +
                   ": modelled as 1 whole core (a BestEffort pod has no guaranteed cores, and "
                   "an HPA cannot scale it on cpu utilisation)");
  }
  if (cpu.limit && *cpu.limit > 0 && *cpu.limit < w.pod.cores - 1e-9) {
    // CFS throttles the pod at its limit: fewer cores' worth of CPU per second than the whole
    // cores the model gives it, so the model would overstate its capacity by cores / limit.
    char factor[32];
    std::snprintf(factor, sizeof factor, "%.4g", w.pod.cores / *cpu.limit);
    warn(c_at, "cpu limit " + amount(*cpu.limit) + " cores: the pod is throttled at " +
                   amount(*cpu.limit) + " cores of CPU time per second, but the model gives it " +
                   std::to_string(w.pod.cores) + " whole core(s), " + factor +
                   " times the capacity: multiply this service's work by " + factor +
                   " (the model has no throttling; this corrects its capacity, and stretches a "
                   "lone request's time too, which overstates it when the limit is a core or "
                   "more) and, with a cpu utilisation autoscaler, its target by " +
                   factor + ", so that it scales at the same load");
  } else if (cpu.limit && (!cpu.request || *cpu.limit != *cpu.request)) {
    warn(c_at, "cpu limit " + amount(*cpu.limit) +
                   " not modelled (no throttling: a replica uses its whole cores)");
  }
  w.service["cores"] = w.pod.cores;
  if (memory.request || memory.limit) {
    Json mem = Json::object();
    const double mib = 1024.0 * 1024.0;
    if (memory.request && *memory.request > 0) {
      w.pod.memory_request_bytes = *memory.request;
      mem["request_mib"] = number_json(*memory.request / mib);
    }
    if (memory.limit) mem["limit_mib"] = number_json(*memory.limit / mib);
    w.service["memory"] = std::move(mem);
    warn(c_at,
         "memory: add baseline_mib (an idle replica's memory) and per_request_mib; a "
         "manifest does not say them");
  }
  for (std::size_t i = 0; i < containers->size(); ++i) {
    const Json& c = (*containers)[i];
    for (const char* probe : {"readinessProbe", "startupProbe"}) {
      if (member(c, probe) != nullptr) {
        warn(child(child(c_at, i), probe),
             "not modelled (set the service's startup_time to the time a new pod takes to "
             "become ready)");
      }
    }
    if (const Json* resources = member(c, "resources")) {
      for (const char* part : {"requests", "limits"}) {
        if (const Json* r = member(*resources, part); r != nullptr && r->is_object()) {
          for (const auto& [key, value] : r->items()) {
            if (key != "cpu" && key != "memory") {
              warn(child(child(child(child(c_at, i), "resources"), part), key), "not modelled");
            }
          }
        }
      }
    }
  }
  for (const char* key : {"initContainers", "affinity", "topologySpreadConstraints", "nodeSelector",
                          "tolerations", "priorityClassName", "terminationGracePeriodSeconds"}) {
    if (member(pod_spec, key) != nullptr) warn(child(pod_at, key), "not modelled");
  }
  for (const char* key : {"strategy", "updateStrategy", "minReadySeconds", "paused"}) {
    if (member(spec, key) != nullptr) warn(child("/spec", key), "not modelled");
  }
  return w;
}

/// Why a known kind that is not a workload or an autoscaler is left out.
std::string warning_of_other_kind(const std::string& kind) {
  if (kind == "Pod" || kind == "DaemonSet" || kind == "ReplicaSet" || kind == "Job" ||
      kind == "CronJob") {
    return "not modelled (a " + kind +
           " can serve or use capacity, but only Deployments and StatefulSets become services: "
           "model it by hand if it matters)";
  }
  return "not modelled (a " + kind + " does not change the model's capacity)";
}

/// The kind of `m`, refusing an unknown built-in kind (likely a typo); false for a kind that
/// is known or custom but not modelled (warned).
std::string checked_kind(const Manifest& m, const Warn& warn) {
  const Json* k = member(m.object, "kind");
  if (k == nullptr) refuse("/kind", "missing; expected the object's kind");
  const std::string kind = text(*k, "/kind");
  std::vector<std::string> known = kWorkloadKinds;
  known.insert(known.end(), kAutoscalerKinds.begin(), kAutoscalerKinds.end());
  if (std::find(known.begin(), known.end(), kind) != known.end()) return kind;
  if (std::find(kOtherKinds.begin(), kOtherKinds.end(), kind) != kOtherKinds.end()) {
    warn("", warning_of_other_kind(kind));
    return "";
  }
  known.insert(known.end(), kOtherKinds.begin(), kOtherKinds.end());
  const std::string suggestion = model::did_you_mean(kind, known);
  const Json* api = member(m.object, "apiVersion");
  const std::string version = api != nullptr && api->is_string() ? api->get<std::string>() : "";
  const std::string group =
      version.find('/') == std::string::npos ? "" : version.substr(0, version.find('/'));
  const bool builtin = group.find('.') == std::string::npos ||
                       (group.size() > 7 && group.compare(group.size() - 7, 7, ".k8s.io") == 0) ||
                       group == "keda.sh";
  if (builtin || !suggestion.empty()) {
    refuse("/kind", "expected one of: " + model::join(kWorkloadKinds) + ", " +
                        model::join(kAutoscalerKinds) +
                        " (or a kind that is not modelled, such "
                        "as Service), found " +
                        describe(*k) + suggestion);
  }
  warn("", "not modelled (a custom resource of " + group + ")");
  return "";
}

}  // namespace

std::vector<Manifest> read_manifests(const std::string& path) {
  return parse_manifests(model::read_input_file(path), path);
}

std::vector<Manifest> parse_manifests(std::string_view content, const std::string& path) {
  std::vector<Json> docs;
  std::vector<model::SourcePositions> positions;
  if (model::document_format(path, content) == model::DocumentFormat::yaml) {
    docs = model::parse_yaml_stream(content, path, &positions);
  } else {
    docs.push_back(model::parse_json(content, path));
    positions.emplace_back();
    positions.back().source = path;
    positions.back().json_text = std::make_shared<const std::string>(content);
  }
  std::vector<Manifest> out;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    Manifest m{std::move(docs[i]), path, i + 1, "", positions[i]};
    if (!m.object.is_object()) {
      throw placed(ModelError("", "expected an object with apiVersion and kind, found " +
                                      describe(m.object)),
                   m);
    }
    const Json* kind = member(m.object, "kind");
    if (kind != nullptr && *kind == "List") {
      const Json* items = member(m.object, "items");
      if (items == nullptr || !items->is_array()) {
        throw placed(ModelError("/items", "expected the List's items"), m);
      }
      for (std::size_t j = 0; j < items->size(); ++j) {
        Manifest item{(*items)[j], path, i + 1, child("/items", j), m.positions};
        if (!item.object.is_object()) {
          throw placed(ModelError("", "expected an object, found " + describe(item.object)), item);
        }
        out.push_back(std::move(item));
      }
      continue;
    }
    out.push_back(std::move(m));
  }
  return out;
}

Fragment import_k8s(const std::vector<Manifest>& manifests) {
  Fragment fragment;
  std::vector<Workload> workloads;
  std::map<std::string, std::size_t> by_key;  // "namespace/name" -> index
  std::vector<std::pair<const Manifest*, std::string>> autoscalers;
  // (queue name, consumer): an aws-sqs-queue trigger's queue, a queue service in the model.
  std::vector<std::pair<std::string, std::string>> queues;
  for (const Manifest& m : manifests) {
    const Warn warn = warner(m, fragment.warnings);
    try {
      const std::string kind = checked_kind(m, warn);
      if (std::find(kWorkloadKinds.begin(), kWorkloadKinds.end(), kind) != kWorkloadKinds.end()) {
        Workload w = read_workload(m, warn);
        const std::string key = metadata_field(m.object, "namespace", "default") + "/" + w.name;
        if (by_key.count(key) != 0 ||
            std::any_of(workloads.begin(), workloads.end(),
                        [&](const Workload& o) { return o.name == w.name; })) {
          refuse("/metadata/name",
                 "expected a workload name not used before (the model's "
                 "services are named by it), found \"" +
                     w.name + "\"");
        }
        by_key[key] = workloads.size();
        workloads.push_back(std::move(w));
      } else if (!kind.empty()) {
        autoscalers.emplace_back(&m, kind);
      }
    } catch (const ModelError& e) {
      throw placed(e, m);
    }
  }
  for (const auto& [m, kind] : autoscalers) {
    const Warn warn = warner(*m, fragment.warnings);
    try {
      const Json& spec = required_object(m->object, "spec", "");
      const Json& ref = required_object(spec, "scaleTargetRef", "/spec");
      const std::string ref_at = "/spec/scaleTargetRef";
      const Json* name = member(ref, "name");
      if (name == nullptr) refuse(child(ref_at, "name"), "missing; expected the workload's name");
      std::string target_kind = "Deployment";  // KEDA's default; required by the HPA
      if (const Json* k = member(ref, "kind")) {
        target_kind = text(*k, child(ref_at, "kind"));
      } else if (kind == "HorizontalPodAutoscaler") {
        refuse(child(ref_at, "kind"), "missing; expected Deployment or StatefulSet");
      }
      const std::string key = metadata_field(m->object, "namespace", "default") + "/" +
                              text(*name, child(ref_at, "name"));
      const auto found = by_key.find(key);
      if (found != by_key.end() &&
          workloads[found->second].manifest->object.at("kind") != target_kind) {
        refuse(child(ref_at, "kind"),
               "expected the kind of " + describe(*name) + ", which is a " +
                   workloads[found->second].manifest->object.at("kind").get<std::string>() +
                   ", found " + target_kind);
      }
      if (found == by_key.end()) {
        // Candidates: the workloads of that kind in the autoscaler's namespace.
        const std::string ns = metadata_field(m->object, "namespace", "default");
        std::vector<std::string> names;
        std::vector<std::string> elsewhere;
        for (const Workload& w : workloads) {
          if (w.manifest->object.at("kind") != target_kind) continue;
          const std::string w_ns = metadata_field(w.manifest->object, "namespace", "default");
          (w_ns == ns ? names : elsewhere).push_back(w.name + (w_ns == ns ? "" : " in " + w_ns));
        }
        std::string why = "expected a " + target_kind + " in namespace " + ns + " (" +
                          (names.empty() ? std::string("there is none") : model::join(names)) +
                          "), found " + describe(*name);
        if (!elsewhere.empty()) why += " (other namespaces: " + model::join(elsewhere) + ")";
        why += model::did_you_mean(name->is_string() ? name->get<std::string>() : "", names);
        refuse(child(ref_at, "name"), why);
      }
      Workload& w = workloads[found->second];
      if (w.autoscaled) {
        refuse(child(ref_at, "name"),
               "expected one autoscaler per workload: " + w.name + " already has one");
      }
      w.autoscaled = true;
      std::vector<std::string> sqs;
      const Json a = kind == "HorizontalPodAutoscaler"
                         ? hpa_autoscaling(m->object, w.pod, warn)
                         : keda_autoscaling(m->object, w.pod, warn, sqs);
      if (!a.is_null()) {
        w.service["autoscaling"] = a;
        // One queue service per consumer: a second SQS trigger's queue counts as the first.
        if (!sqs.empty()) queues.emplace_back(sqs.front(), w.name);
      }
    } catch (const ModelError& e) {
      throw placed(e, *m);
    }
  }
  Json services = Json::object();
  for (Workload& w : workloads) services[w.name] = std::move(w.service);
  for (const auto& [queue, consumer] : queues) {
    // Named as in the queue's URL, unless a workload or another queue has that name.
    std::string name = queue.empty() ? consumer + "-queue" : queue;
    if (services.contains(name)) name += "-queue";
    for (int n = 2; services.contains(name); ++n) name = consumer + "-queue-" + std::to_string(n);
    services[name] = Json{{"kind", "queue"}, {"consumer", consumer}};
    fragment.warnings.push_back("queue service '" + name + "' added for " + consumer +
                                "'s aws-sqs-queue trigger: send messages to it (an async call "
                                "or a workload)");
  }
  fragment.model["services"] = std::move(services);
  return fragment;
}

}  // namespace capsim::import
