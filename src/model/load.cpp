#include "capsim/model/load.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <map>

#include "capsim/dist/distribution.hpp"
#include "loader.hpp"

namespace capsim::model {

namespace {

using detail::child;
using detail::describe;
using detail::join;
using detail::Names;
using detail::number_text;
using detail::Quantity;
using detail::Reader;
using detail::Sign;

constexpr std::int64_t max_replicas = 100000;
constexpr std::int64_t max_replications = 100000;
constexpr std::int64_t max_int = INT_MAX;
constexpr std::int64_t max_int64 = std::numeric_limits<std::int64_t>::max();
// Bounds that catch typos (an extra zero or three) before they cost an hour of simulation.
constexpr double max_rate = 1e7;
constexpr std::int64_t max_users = 1000000;
constexpr std::int64_t max_call_count = 1000000;
// Memory grows with replicas and cache keys, for each replication running (about 200 bytes a
// replica slot and 25 a key): bounds that keep a model within a few hundred MiB.
constexpr std::int64_t max_cache_keys = 10000000;
constexpr std::int64_t max_total_replicas = 1000000;
constexpr std::int64_t max_total_cache_keys = max_cache_keys;
// Each service and each workload keeps its statistics (histograms, about 200 and 130 KB) per
// running replication.
constexpr std::size_t max_services = 1000;
constexpr std::size_t max_workloads = 1000;

/// The keys of a call besides "call" itself.
constexpr std::string_view call_only_keys[] = {
    "endpoint", "count", "probability", "timeout", "retry", "circuit_breaker", "op"};

bool is_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

const Json* find(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(std::string(key));
  return found == object.end() ? nullptr : &*found;
}

/// The names for a message: all of them when there are few, else the first ones and a count,
/// so that a message stays short (and cheap) whatever the model's size.
std::string names_text(const std::vector<std::string>& names) {
  constexpr std::size_t shown = 20;
  if (names.size() <= shown) return join(names);
  const std::vector<std::string> first(names.begin(), names.begin() + shown);
  return join(first) + ", ... (" + std::to_string(names.size()) + " in all)";
}

std::string join_and(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) {
    if (!text.empty()) text += " and ";
    text += item;
  }
  return text;
}

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

/// The name of the one endpoint the loader gives a cache and a database.
constexpr std::string_view cache_endpoint = "default";
constexpr std::string_view database_endpoint = "query";

/// The keys of services that belong to one kind or two, with the kinds that take them.
struct KindKey {
  std::string_view key;
  std::vector<ServiceKind> kinds;
};

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
      {"work", {cache, database}},
      {"connections", {database}},
      {"read_replicas", {database}},
      {"contention", {database}},
      {"startup_time", {generic, cache}},
      {"autoscaling", {generic, cache}},
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
  }
  return "generic";
}

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

struct CallEdge {
  std::size_t to = 0;
  std::string pointer;  ///< of the "call" key
};

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
  void check_cycles();

  SimulationSpec read_simulation(const Json& value, const std::string& pointer);
  std::optional<std::uint64_t> read_seed(const Json& value, const std::string& pointer);

  void read_workloads(const Json& value, const std::string& pointer, Spec& spec);
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
  void read_endpoints(const Json& value, const std::string& pointer, ServiceSpec& spec);
  void read_cache(const Json& value, const std::string& pointer, ServiceSpec& spec);
  void read_database(const Json& value, const std::string& pointer, ServiceSpec& spec);

  void read_faults(const Json& value, const std::string& pointer, Spec& spec);
  std::optional<FaultSpec> read_fault(const Json& value, const std::string& pointer,
                                      const Spec& spec);

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
  std::optional<std::size_t> current_node_;  ///< the endpoint whose steps are being read
  bool duration_known_ = true;               ///< simulation.duration is valid (or the default)
};

// ---- Model ----------------------------------------------------------------------------------

Spec ModelLoader::load() {
  Spec spec;
  spec.name = "model";
  if (!doc_.is_object()) {
    reader_.expected("", "a model: a JSON object", doc_);
    return spec;
  }
  reader_.check_keys(
      doc_, "", "model",
      {"name", "description", "simulation", "workloads", "services", "faults", "slo"});
  outline_services();

  if (const Json* name = find(doc_, "name")) {
    if (const auto text = reader_.string(*name, "/name", "a non-empty string")) spec.name = *text;
  }
  if (const Json* description = find(doc_, "description")) {
    if (description->is_string()) {
      spec.description = description->get<std::string>();
    } else {
      reader_.expected("/description", "a string", *description);
    }
  }
  if (const Json* simulation = find(doc_, "simulation")) {
    spec.simulation = read_simulation(*simulation, "/simulation");
  }
  if (const Json* services = find(doc_, "services")) {
    read_services(*services, "/services", spec);
    check_totals(spec);
  } else {
    reader_.missing("/services", "an object of services by name");
  }
  if (const Json* workloads = find(doc_, "workloads")) {
    read_workloads(*workloads, "/workloads", spec);
  } else {
    reader_.missing("/workloads", "an array of workloads");
  }
  if (const Json* faults = find(doc_, "faults")) read_faults(*faults, "/faults", spec);
  if (const Json* slo = find(doc_, "slo")) spec.slo = read_slo(*slo, "/slo");
  check_cycles();
  return spec;
}

// ---- Simulation -----------------------------------------------------------------------------

SimulationSpec ModelLoader::read_simulation(const Json& value, const std::string& pointer) {
  SimulationSpec spec;
  if (!value.is_object()) {
    reader_.expected(pointer, "an object", value);
    duration_known_ = false;
    return spec;
  }
  reader_.check_keys(
      value, pointer, "simulation",
      {"duration", "warmup", "replications", "seed", "confidence", "window", "max_queue"});
  bool duration_ok = true;
  if (const Json* duration = find(value, "duration")) {
    const auto seconds = reader_.duration(*duration, child(pointer, "duration"), Sign::positive);
    duration_ok = seconds.has_value();
    duration_known_ = duration_ok;
    if (seconds) spec.duration_s = *seconds;
  }
  if (const Json* warmup = find(value, "warmup")) {
    const std::string at = child(pointer, "warmup");
    if (const auto seconds = reader_.duration(*warmup, at, Sign::non_negative)) {
      if (duration_ok && *seconds >= spec.duration_s) {
        reader_.error(at, "expected a warm-up shorter than the duration (" +
                              detail::seconds_text(spec.duration_s) + "), found " +
                              detail::seconds_text(*seconds));
      } else {
        spec.warmup_s = *seconds;
      }
    }
  }
  if (const Json* replications = find(value, "replications")) {
    if (const auto n =
            reader_.integer(*replications, child(pointer, "replications"), 1, max_replications)) {
      spec.replications = static_cast<int>(*n);
    }
  }
  if (const Json* seed = find(value, "seed")) {
    if (const auto s = read_seed(*seed, child(pointer, "seed"))) spec.seed = *s;
  }
  if (const Json* confidence = find(value, "confidence")) {
    if (const auto c = reader_.number(*confidence, child(pointer, "confidence"),
                                      "a confidence level from 0.5 to 0.999",
                                      [](double x) { return x >= 0.5 && x <= 0.999; })) {
      spec.confidence = *c;
    }
  }
  if (const Json* window = find(value, "window")) {
    if (const auto w = reader_.duration(*window, child(pointer, "window"), Sign::positive)) {
      spec.window_s = *w;
    }
  }
  if (const Json* max_queue = find(value, "max_queue")) {
    if (const auto q = reader_.integer(*max_queue, child(pointer, "max_queue"), 1, max_int64)) {
      spec.max_queue = *q;
    }
  }
  return spec;
}

std::optional<std::uint64_t> ModelLoader::read_seed(const Json& value, const std::string& pointer) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_float()) {
    const double x = value.get<double>();
    if (x >= 0 && x == std::floor(x) && x < 1.8e19) return static_cast<std::uint64_t>(x);
  }
  reader_.expected(pointer, "a non-negative integer", value);
  return std::nullopt;
}

// ---- Services outline and call graph --------------------------------------------------------

void ModelLoader::outline_services() {
  const Json* services = find(doc_, "services");
  if (services == nullptr || !services->is_object()) return;
  for (const auto& [name, body] : services->items()) {
    ServiceOutline outline;
    outline.name = name;
    const Json* kind = find(body, "kind");
    const Json* endpoints = find(body, "endpoints");
    if (!body.is_object()) {
      outline.kind_known = false;
    } else if (kind != nullptr) {
      outline.kind_known = false;
      for (const ServiceKind k :
           {ServiceKind::generic, ServiceKind::cache, ServiceKind::database}) {
        if (*kind == Json(kind_name(k))) {
          outline.kind = k;
          outline.kind_known = true;
        }
      }
    }
    if (!body.is_object() || !outline.kind_known) {
      outline.opaque = true;
    } else if (outline.kind == ServiceKind::cache) {
      outline.endpoints.emplace_back(cache_endpoint);
    } else if (outline.kind == ServiceKind::database) {
      outline.endpoints.emplace_back(database_endpoint);
    } else if (endpoints != nullptr && endpoints->is_object()) {
      for (const auto& [endpoint, ignored] : endpoints->items()) {
        outline.endpoints.push_back(endpoint);
      }
    } else if (endpoints == nullptr && find(body, "steps") != nullptr) {
      outline.endpoints.push_back("default");
    } else {
      outline.opaque = true;
    }
    for (const std::string& endpoint : outline.endpoints) {
      node_index_.emplace(std::pair{name, endpoint}, node_names_.size());
      node_names_.push_back(name + "." + endpoint);
    }
    outline_index_.emplace(name, outlines_.size());
    service_names_.push_back(name);
    outlines_.push_back(std::move(outline));
  }
  services_given_ = !outlines_.empty();
  edges_.resize(node_names_.size());
}

std::string ModelLoader::service_what() const {
  if (service_names_.empty()) return "the name of a service";
  return "the name of a service (" + names_text(service_names_) + ")";
}

const ServiceOutline* ModelLoader::resolve_service(const Json& value, const std::string& pointer) {
  if (!value.is_string()) {
    reader_.expected(pointer, service_what(), value);
    return nullptr;
  }
  const auto& name = value.get_ref<const std::string&>();
  if (const auto found = outline_index_.find(name); found != outline_index_.end()) {
    return &outlines_[found->second];
  }
  if (!services_given_) {
    // Without services no name can match: the error at /services says so once.
    reader_.follow_up_error();
    return nullptr;
  }
  reader_.expected(pointer, service_what(), value, detail::did_you_mean(name, service_names_));
  return nullptr;
}

std::optional<std::string> ModelLoader::resolve_endpoint(const ServiceOutline& service,
                                                         const Json* value,
                                                         const std::string& pointer) {
  if (service.opaque) {
    if (value != nullptr && value->is_string()) return value->get<std::string>();
    return std::string();
  }
  const auto what = [&service] {
    return "an endpoint of service '" + service.name + "' (" + names_text(service.endpoints) + ")";
  };
  if (value == nullptr) {
    if (service.endpoints.size() == 1) return service.endpoints.front();
    reader_.missing(pointer, what());
    return std::nullopt;
  }
  if (!value->is_string()) {
    reader_.expected(pointer, what(), *value);
    return std::nullopt;
  }
  const auto& name = value->get_ref<const std::string&>();
  if (node(service.name, name)) return name;
  reader_.expected(pointer, what(), *value, detail::did_you_mean(name, service.endpoints));
  return std::nullopt;
}

std::optional<std::size_t> ModelLoader::node(const std::string& service,
                                             const std::string& endpoint) const {
  const auto found = node_index_.find({service, endpoint});
  if (found == node_index_.end()) return std::nullopt;
  return found->second;
}

// Depth-first search in document order; an edge back to an endpoint still on the path closes a
// cycle, reported at the call that leaves the first endpoint of the cycle. Iterative: a chain of
// calls may be as long as there are endpoints.
void ModelLoader::check_cycles() {
  std::vector<int> state(node_names_.size(), 0);  // 0: not seen, 1: on the path, 2: done
  std::vector<std::size_t> path;                  // the endpoints on the path
  std::vector<std::size_t> next_edge;             // for each, the next of its edges to follow
  std::vector<const CallEdge*> path_edges;        // the edge followed from each but the last
  for (std::size_t start = 0; start < node_names_.size(); ++start) {
    if (state[start] != 0) continue;
    state[start] = 1;
    path.push_back(start);
    next_edge.push_back(0);
    while (!path.empty()) {
      const std::size_t node = path.back();
      if (next_edge.back() == edges_[node].size()) {
        state[node] = 2;
        path.pop_back();
        next_edge.pop_back();
        if (!path_edges.empty()) path_edges.pop_back();
        continue;
      }
      const CallEdge& edge = edges_[node][next_edge.back()++];
      if (state[edge.to] == 1) {
        std::size_t first = 0;
        while (path[first] != edge.to) ++first;
        // A long cycle is shown by its first and last endpoints.
        constexpr std::size_t shown = 10;
        const std::size_t length = path.size() - first;
        std::string cycle;
        for (std::size_t i = first; i < path.size(); ++i) {
          if (length > shown && i == first + shown / 2) {
            cycle += "... -> ";
            i = path.size() - shown / 2;
          }
          cycle += node_names_[path[i]] + " -> ";
        }
        cycle += node_names_[edge.to];
        if (length > shown) cycle += " (" + std::to_string(length) + " endpoints)";
        const std::string& at = first + 1 < path.size() ? path_edges[first]->pointer : edge.pointer;
        reader_.error(
            at,
            "expected calls that never lead back to their caller, found a call cycle: " + cycle);
      } else if (state[edge.to] == 0) {
        state[edge.to] = 1;
        path_edges.push_back(&edge);
        path.push_back(edge.to);
        next_edge.push_back(0);
      }
    }
  }
}

// ---- Workloads ------------------------------------------------------------------------------

void ModelLoader::read_workloads(const Json& value, const std::string& pointer, Spec& spec) {
  if (!value.is_array()) {
    reader_.expected(pointer, "an array of workloads", value);
    return;
  }
  if (value.empty()) {
    reader_.expected(pointer, "at least one workload", value);
    return;
  }
  if (value.size() > max_workloads) {
    reader_.error(pointer, "expected at most " + std::to_string(max_workloads) +
                               " workloads, found " + std::to_string(value.size()));
    return;
  }
  std::map<std::string, std::string> names;  // name -> pointer of the first use
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string at = child(pointer, i);
    const Json* name = find(value[i], "name");
    if (name != nullptr && name->is_string() && !name->get_ref<const std::string&>().empty()) {
      const auto [first, inserted] = names.emplace(name->get<std::string>(), at);
      if (!inserted) {
        reader_.expected(child(at, "name"), "a unique workload name", *name,
                         " (also used by " + first->second + ")");
      }
    }
    if (auto workload = read_workload(value[i], at)) spec.workloads.push_back(std::move(*workload));
  }
}

std::optional<WorkloadSpec> ModelLoader::read_workload(const Json& value,
                                                       const std::string& pointer) {
  if (!value.is_object()) {
    reader_.expected(pointer, "a workload object", value);
    return std::nullopt;
  }
  WorkloadSpec spec;
  spec.pointer = pointer;
  const std::size_t errors_before = reader_.error_count();

  bool kind_known = true;
  if (const Json* kind = find(value, "kind")) {
    const auto index = reader_.choice(*kind, child(pointer, "kind"), {"open", "closed"});
    kind_known = index.has_value();
    if (index) spec.kind = *index == 0 ? WorkloadKind::open : WorkloadKind::closed;
  }
  const Names common{"name", "kind", "target", "endpoint", "mix", "timeout", "retry"};
  const Names open_keys{"rate", "interarrival"};
  const Names closed_keys{"users", "think_time"};
  if (!kind_known) {
    Names all = common;
    all.insert(all.end(), open_keys.begin(), open_keys.end());
    all.insert(all.end(), closed_keys.begin(), closed_keys.end());
    reader_.check_keys(value, pointer, "workload", all);
  } else {
    const bool open = spec.kind == WorkloadKind::open;
    Names own = common;
    const Names& mine = open ? open_keys : closed_keys;
    const Names& theirs = open ? closed_keys : open_keys;
    own.insert(own.end(), mine.begin(), mine.end());
    reader_.check_keys(value, pointer, "workload", own, theirs);
    for (const std::string_view key : theirs) {
      if (find(value, key) != nullptr) {
        reader_.error(child(pointer, key),
                      open ? "only for closed workloads" : "only for open workloads");
      }
    }
  }

  if (const Json* name = find(value, "name")) {
    if (const auto text = reader_.string(*name, child(pointer, "name"), "a non-empty name")) {
      spec.name = *text;
    }
  } else {
    reader_.missing(child(pointer, "name"), "a name for the workload");
  }

  const ServiceOutline* target = nullptr;
  if (const Json* target_value = find(value, "target")) {
    target = resolve_service(*target_value, child(pointer, "target"));
    if (target != nullptr) spec.target = target->name;
  } else {
    reader_.missing(child(pointer, "target"), service_what());
  }

  const Json* endpoint = find(value, "endpoint");
  const Json* mix = find(value, "mix");
  if (endpoint != nullptr && mix != nullptr) {
    reader_.error(child(pointer, "mix"), "expected either endpoint or mix, found both");
  } else if (mix != nullptr) {
    if (auto entries = read_mix(*mix, child(pointer, "mix"), target))
      spec.mix = std::move(*entries);
  } else if (target != nullptr) {
    if (auto name = resolve_endpoint(*target, endpoint, child(pointer, "endpoint"))) {
      spec.mix.push_back({*name, 1.0});
    }
  } else if (endpoint != nullptr && !endpoint->is_string()) {
    reader_.expected(child(pointer, "endpoint"), "an endpoint name", *endpoint);
  }

  if (kind_known && spec.kind == WorkloadKind::open) {
    if (const Json* rate = find(value, "rate")) {
      if (auto profile = read_rate(*rate, child(pointer, "rate"))) spec.rate = std::move(*profile);
    } else {
      reader_.missing(child(pointer, "rate"),
                      "a rate in requests per second, or a profile such as {\"stages\": [...]}");
    }
    if (const Json* interarrival = find(value, "interarrival")) {
      const std::string at = child(pointer, "interarrival");
      spec.interarrival = detail::read_distribution(reader_, *interarrival, at, Quantity::time);
      const Json* rate = find(value, "rate");
      if (rate != nullptr && !rate->is_number()) {
        reader_.error(at, "only with a constant rate (a number), not a rate profile");
      }
    }
  } else if (kind_known) {
    if (const Json* users = find(value, "users")) {
      if (auto profile = read_users(*users, child(pointer, "users"))) {
        spec.users = std::move(*profile);
      }
    } else {
      reader_.missing(child(pointer, "users"),
                      "a number of users, or a profile such as {\"stages\": [...]}");
    }
    // Without think_time a user sends its next request as soon as the last one completes.
    spec.think_time = dist::DistSpec{dist::Constant{0.0}};
    if (const Json* think = find(value, "think_time")) {
      if (auto distribution = detail::read_distribution(
              reader_, *think, child(pointer, "think_time"), Quantity::time)) {
        spec.think_time = std::move(*distribution);
      }
    }
  }

  if (const Json* timeout = find(value, "timeout")) {
    spec.timeout_s = reader_.duration(*timeout, child(pointer, "timeout"), Sign::positive);
  }
  if (const Json* retry = find(value, "retry")) {
    spec.retry = detail::read_retry(reader_, *retry, child(pointer, "retry"));
  }
  if (reader_.error_count() != errors_before) return std::nullopt;
  return spec;
}

std::optional<std::vector<MixEntry>> ModelLoader::read_mix(const Json& value,
                                                           const std::string& pointer,
                                                           const ServiceOutline* target) {
  if (!value.is_array() || value.empty()) {
    reader_.expected(
        pointer, R"(a non-empty array such as [{"endpoint": "read", "weight": 0.9}, ...])", value);
    return std::nullopt;
  }
  std::vector<MixEntry> entries;
  bool ok = true;
  double sum = 0.0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const Json& entry = value[i];
    const std::string at = child(pointer, i);
    if (!entry.is_object()) {
      reader_.expected(at, R"(an object such as {"endpoint": "read", "weight": 0.9})", entry);
      ok = false;
      continue;
    }
    reader_.check_keys(entry, at, "mix", {"endpoint", "weight"});
    MixEntry mix_entry;
    const Json* endpoint = find(entry, "endpoint");
    if (target != nullptr) {
      const auto name = resolve_endpoint(*target, endpoint, child(at, "endpoint"));
      ok = ok && name.has_value();
      if (name) mix_entry.endpoint = *name;
    } else if (endpoint == nullptr) {
      reader_.missing(child(at, "endpoint"), "an endpoint name");
      ok = false;
    }
    if (const Json* weight = find(entry, "weight")) {
      const auto w = reader_.signed_number(*weight, child(at, "weight"), Sign::positive);
      ok = ok && w.has_value();
      if (w) mix_entry.weight = *w;
    }
    sum += mix_entry.weight;
    entries.push_back(std::move(mix_entry));
  }
  if (!ok) return std::nullopt;
  for (MixEntry& entry : entries) entry.weight /= sum;
  return entries;
}

std::optional<double> ModelLoader::read_rate_value(const Json& value, const std::string& pointer) {
  if (!value.is_number() || !(value.get<double>() >= 0)) {
    reader_.expected(pointer, "a rate >= 0 requests per second", value);
    return std::nullopt;
  }
  const double rate = value.get<double>();
  if (rate > max_rate) {
    reader_.expected(pointer, "a rate of at most " + number_text(max_rate) + " requests per second",
                     value, " (absurdly large rate)");
    return std::nullopt;
  }
  return rate;
}

std::optional<double> ModelLoader::read_user_target(const Json& value, const std::string& pointer) {
  return reader_.number(value, pointer, "a number of users from 0 to " + std::to_string(max_users),
                        [](double x) { return x >= 0 && x <= static_cast<double>(max_users); });
}

std::optional<Profile> ModelLoader::read_rate(const Json& value, const std::string& pointer) {
  if (value.is_number()) {
    const auto rate = read_rate_value(value, pointer);
    if (!rate) return std::nullopt;
    Profile profile;
    profile.constant = *rate;
    return profile;
  }
  if (!value.is_object()) {
    reader_.expected(
        pointer, R"(a rate in requests per second, or a profile such as {"stages": [...]})", value);
    return std::nullopt;
  }
  reader_.check_keys(value, pointer, "rate", {"stages", "start", "diurnal", "trace"});
  std::vector<std::string> kinds;
  for (const std::string_view kind : {"stages", "diurnal", "trace"}) {
    if (find(value, kind) != nullptr) kinds.emplace_back(kind);
  }
  if (find(value, "start") != nullptr && find(value, "stages") == nullptr) {
    reader_.error(child(pointer, "start"), "only with stages");
  }
  if (kinds.empty()) {
    reader_.expected(pointer, "a rate profile with one of stages, diurnal or trace", value);
    return std::nullopt;
  }
  if (kinds.size() > 1) {
    reader_.error(pointer, "expected one of stages, diurnal or trace, found " + join_and(kinds));
    return std::nullopt;
  }
  if (kinds.front() == "stages") {
    return read_stages(value, pointer, [this](const Json& v, const std::string& p) {
      return read_rate_value(v, p);
    });
  }
  if (kinds.front() == "diurnal")
    return read_diurnal(*find(value, "diurnal"), child(pointer, "diurnal"));
  return read_trace(*find(value, "trace"), child(pointer, "trace"));
}

std::optional<Profile> ModelLoader::read_users(const Json& value, const std::string& pointer) {
  if (value.is_number()) {
    const auto users = reader_.integer(value, pointer, 0, max_users);
    if (!users) return std::nullopt;
    Profile profile;
    profile.constant = static_cast<double>(*users);
    return profile;
  }
  if (!value.is_object()) {
    reader_.expected(pointer, R"(a number of users, or a profile such as {"stages": [...]})",
                     value);
    return std::nullopt;
  }
  reader_.check_keys(value, pointer, "users", {"stages", "start"});
  if (find(value, "stages") == nullptr) {
    reader_.missing(child(pointer, "stages"),
                    R"(an array of stages such as {"duration": "2m", "target": 50})");
    return std::nullopt;
  }
  return read_stages(value, pointer, [this](const Json& v, const std::string& p) {
    return read_user_target(v, p);
  });
}

template <class ReadValue>
std::optional<Profile> ModelLoader::read_stages(const Json& object, const std::string& pointer,
                                                ReadValue read_value) {
  const Json& stages = *find(object, "stages");
  const std::string stages_pointer = child(pointer, "stages");
  Profile profile;
  profile.kind = ProfileKind::stages;
  bool ok = true;
  if (const Json* start = find(object, "start")) {
    const auto value = read_value(*start, child(pointer, "start"));
    ok = value.has_value();
    if (value) profile.start = *value;
  }
  if (!stages.is_array() || stages.empty()) {
    reader_.expected(stages_pointer,
                     R"(a non-empty array of stages such as {"duration": "2m", "target": 500})",
                     stages);
    return std::nullopt;
  }
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const Json& stage = stages[i];
    const std::string at = child(stages_pointer, i);
    if (!stage.is_object()) {
      reader_.expected(at, R"(a stage such as {"duration": "2m", "target": 500})", stage);
      ok = false;
      continue;
    }
    reader_.check_keys(stage, at, "stage", {"duration", "target"});
    Stage spec;
    if (const Json* duration = find(stage, "duration")) {
      const auto seconds = reader_.duration(*duration, child(at, "duration"), Sign::non_negative);
      ok = ok && seconds.has_value();
      if (seconds) spec.duration_s = *seconds;
    } else {
      reader_.missing(child(at, "duration"), R"(a duration such as "2m")");
      ok = false;
    }
    if (const Json* target = find(stage, "target")) {
      const auto value = read_value(*target, child(at, "target"));
      ok = ok && value.has_value();
      if (value) spec.target = *value;
    } else {
      reader_.missing(child(at, "target"), "the value at the end of the stage");
      ok = false;
    }
    profile.stages.push_back(spec);
  }
  if (!ok) return std::nullopt;
  return profile;
}

std::optional<Profile> ModelLoader::read_diurnal(const Json& value, const std::string& pointer) {
  if (!value.is_object()) {
    reader_.expected(pointer, "an object with mean, amplitude, period and phase", value);
    return std::nullopt;
  }
  reader_.check_keys(value, pointer, "diurnal", {"mean", "amplitude", "period", "phase"});
  Profile profile;
  profile.kind = ProfileKind::diurnal;
  Diurnal& diurnal = profile.diurnal;
  bool ok = true;
  std::optional<double> mean;
  if (const Json* m = find(value, "mean")) {
    mean = read_rate_value(*m, child(pointer, "mean"));
    ok = mean.has_value();
    if (mean) diurnal.mean = *mean;
  } else {
    reader_.missing(child(pointer, "mean"), "the mean rate in requests per second");
    ok = false;
  }
  if (const Json* a = find(value, "amplitude")) {
    const std::string at = child(pointer, "amplitude");
    const auto amplitude = reader_.number(*a, at, "an amplitude >= 0 requests per second",
                                          [](double x) { return x >= 0; });
    ok = ok && amplitude.has_value();
    if (amplitude && mean && *amplitude > *mean) {
      reader_.expected(at, "an amplitude <= the mean (" + number_text(*mean) + ")", *a,
                       " (the rate would go negative)");
      ok = false;
    }
    if (amplitude) diurnal.amplitude = *amplitude;
  } else {
    reader_.missing(child(pointer, "amplitude"), "the amplitude in requests per second");
    ok = false;
  }
  if (const Json* period = find(value, "period")) {
    const auto seconds = reader_.duration(*period, child(pointer, "period"), Sign::positive);
    ok = ok && seconds.has_value();
    if (seconds) diurnal.period_s = *seconds;
  }
  if (const Json* phase = find(value, "phase")) {
    const auto seconds = reader_.duration(*phase, child(pointer, "phase"), Sign::any);
    ok = ok && seconds.has_value();
    if (seconds) diurnal.phase_s = *seconds;
  }
  if (!ok) return std::nullopt;
  return profile;
}

std::optional<Profile> ModelLoader::read_trace(const Json& value, const std::string& pointer) {
  const auto file = reader_.string(value, pointer, R"(a file name such as "rates.csv")");
  if (!file) return std::nullopt;
  Profile profile;
  profile.kind = ProfileKind::trace;
  bool ok = true;
  bool first = true;
  std::size_t previous_line = 0;
  const bool read =
      detail::read_lines(reader_, *file, pointer, [&](std::size_t number, std::string_view text) {
        const std::string_view line = detail::trim(text);
        if (line.empty() || line.front() == '#') return;
        const std::string where = *file + " line " + std::to_string(number) + ": ";
        const auto comma = line.find(',');
        std::optional<double> time;
        std::optional<double> rate;
        if (comma != std::string_view::npos) {
          time = detail::parse_number(line.substr(0, comma));
          rate = detail::parse_number(line.substr(comma + 1));
        }
        const bool first_row = first;
        first = false;
        if (!time || !rate) {
          // The first row may be a header such as "time_seconds,rate".
          if (first_row && !time) return;
          reader_.error(pointer,
                        where + "expected time_seconds,rate, found " + detail::describe_text(line));
          ok = false;
          return;
        }
        if (profile.trace.empty() && *time != 0.0) {
          reader_.error(pointer,
                        where + "expected the first time to be 0, found " + number_text(*time));
          ok = false;
        } else if (!profile.trace.empty() && *time <= profile.trace.back().time_s) {
          reader_.error(pointer, where + "expected a time after " +
                                     number_text(profile.trace.back().time_s) + " (line " +
                                     std::to_string(previous_line) + "), found " +
                                     number_text(*time));
          ok = false;
          return;
        }
        if (*rate < 0) {
          reader_.error(pointer, where + "expected a rate >= 0, found " + number_text(*rate));
          ok = false;
        } else if (*rate > max_rate) {
          reader_.error(pointer, where + "expected a rate of at most " + number_text(max_rate) +
                                     " requests per second, found " + number_text(*rate) +
                                     " (absurdly large rate)");
          ok = false;
        }
        profile.trace.push_back({*time, *rate});
        previous_line = number;
      });
  if (!read) return std::nullopt;
  if (profile.trace.empty() && ok) {
    reader_.error(pointer, *file + ": expected rows time_seconds,rate, found none");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return profile;
}

// ---- Services -------------------------------------------------------------------------------

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
    const auto index = reader_.choice(*kind, at, {"generic", "cache", "database"});
    if (!index) return std::nullopt;
    if (detail::is_unsupported_value("service", "kind", kind->get<std::string>())) {
      // The other keys of such a service belong to its kind: one refusal says it all.
      reader_.unsupported(at);
      return std::nullopt;
    }
    spec.kind = static_cast<ServiceKind>(*index);
  }

  // Keys of every kind, then those of this kind; the keys of other kinds are refused by name.
  Names own{"kind",          "cores",      "cpu",          "queue_capacity",
            "load_balancer", "rate_limit", "drop_expired", "price_per_replica_hour"};
  Names others;
  for (const KindKey& entry : kind_keys()) {
    const bool mine =
        std::find(entry.kinds.begin(), entry.kinds.end(), spec.kind) != entry.kinds.end();
    (mine ? own : others).push_back(entry.key);
  }
  reader_.check_keys(value, pointer, "service", own, others);
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

  if (spec.kind != ServiceKind::database) {
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
      spec.autoscaling =
          detail::read_autoscaling(reader_, *autoscaling, child(pointer, "autoscaling"));
      if (spec.autoscaling) initial_replicas(spec, replicas != nullptr);
    }
    if (const Json* startup = find(value, "startup_time")) {
      const std::string at = child(pointer, "startup_time");
      if (const auto s = reader_.duration(*startup, at, Sign::non_negative)) {
        spec.startup_time_s = *s;
        if (*s > 0 && autoscaling == nullptr) {
          reader_.warning(at,
                          "has no effect without autoscaling (only replicas that an "
                          "autoscaler adds start up)");
        }
      }
    }
    if (const Json* workers = find(value, "workers")) {
      if (const auto n = reader_.integer(*workers, child(pointer, "workers"), 1, max_int)) {
        spec.workers = static_cast<int>(*n);
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
    spec.rate_limit = detail::read_rate_limit(reader_, *rate_limit, child(pointer, "rate_limit"));
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
  }
  // A service with a problem is left out, so that nothing is checked against wrong values.
  if (reader_.error_count() != errors_before) return std::nullopt;
  return spec;
}

void ModelLoader::read_endpoints(const Json& value, const std::string& pointer, ServiceSpec& spec) {
  const std::string& name = spec.name;
  const Json* endpoints = find(value, "endpoints");
  const Json* steps = find(value, "steps");
  if (endpoints != nullptr && steps != nullptr) {
    reader_.error(child(pointer, "steps"), "expected either endpoints or steps, found both");
  } else if (steps != nullptr) {
    if (auto endpoint = read_endpoint(name, "default", *steps, pointer, child(pointer, "steps"))) {
      spec.endpoints.push_back(std::move(*endpoint));
    }
  } else if (endpoints == nullptr) {
    reader_.missing(child(pointer, "endpoints"),
                    "endpoints (an object of endpoints by name) or steps");
  } else if (!endpoints->is_object() || endpoints->empty()) {
    reader_.expected(child(pointer, "endpoints"),
                     R"(a non-empty object of endpoints such as {"get": {"steps": [...]}})",
                     *endpoints);
  } else {
    for (const auto& [endpoint_name, body] : endpoints->items()) {
      const std::string at = child(child(pointer, "endpoints"), endpoint_name);
      if (!is_name(endpoint_name)) {
        reader_.expected(at, "an endpoint name of letters, digits, '_', '.' and '-'",
                         Json(endpoint_name));
      }
      if (!body.is_object()) {
        reader_.expected(at, R"(an endpoint such as {"steps": [...]})", body);
        continue;
      }
      reader_.check_keys(body, at, "endpoint", {"steps"});
      const Json* endpoint_steps = find(body, "steps");
      if (endpoint_steps == nullptr) {
        reader_.missing(child(at, "steps"), "an array of steps");
        continue;
      }
      if (auto endpoint =
              read_endpoint(name, endpoint_name, *endpoint_steps, at, child(at, "steps"))) {
        spec.endpoints.push_back(std::move(*endpoint));
      }
    }
  }
}

/// The one endpoint of a cache or a database: a single work step.
EndpointSpec work_endpoint(std::string_view name, const DistSpec& work, const Json& service,
                           const std::string& pointer) {
  EndpointSpec endpoint;
  endpoint.name = name;
  endpoint.pointer = pointer;
  StepSpec step;
  step.kind = StepKind::work;
  step.work = work;
  step.pointer = find(service, "work") != nullptr ? child(pointer, "work") : pointer;
  endpoint.steps.push_back(std::move(step));
  return endpoint;
}

void ModelLoader::read_cache(const Json& value, const std::string& pointer, ServiceSpec& spec) {
  CacheSpec cache;
  cache.work = DistSpec{dist::Constant{0.0003}};

  const std::string backend_pointer = child(pointer, "backend");
  if (const Json* backend_value = find(value, "backend")) {
    if (const ServiceOutline* backend = resolve_service(*backend_value, backend_pointer)) {
      cache.backend = backend->name;
      const auto endpoint = resolve_endpoint(*backend, find(value, "backend_endpoint"),
                                             child(pointer, "backend_endpoint"));
      if (endpoint) {
        cache.backend_endpoint = *endpoint;
        // A miss calls the backend: the edge takes part in cycle detection.
        const auto from = node(spec.name, std::string(cache_endpoint));
        const auto to = node(backend->name, *endpoint);
        if (from && to) edges_[*from].push_back({*to, backend_pointer});
      }
    }
  } else {
    std::vector<std::string> names;
    for (const ServiceOutline& outline : outlines_) {
      if (outline.name != spec.name) names.push_back(outline.name);
    }
    reader_.missing(backend_pointer, "the service a miss calls (" + names_text(names) + ")");
  }

  if (const Json* work = find(value, "work")) {
    if (auto lookup =
            detail::read_distribution(reader_, *work, child(pointer, "work"), Quantity::time)) {
      cache.work = std::move(*lookup);
    }
  }

  const Json* hit_ratio = find(value, "hit_ratio");
  const Json* keys = find(value, "keys");
  if (hit_ratio != nullptr && keys != nullptr) {
    reader_.error(child(pointer, "keys"), "expected either hit_ratio or keys, found both");
  } else if (hit_ratio == nullptr && keys == nullptr) {
    reader_.missing(
        child(pointer, "hit_ratio"),
        "hit_ratio (a fixed hit ratio from 0 to 1) or keys (for an emergent one, such as "
        R"({"count": 100000}))");
  }
  if (hit_ratio != nullptr) {
    cache.hit_ratio =
        reader_.number(*hit_ratio, child(pointer, "hit_ratio"), "a hit ratio from 0 to 1",
                       [](double x) { return x >= 0 && x <= 1; });
  }
  if (keys != nullptr) {
    const std::string at = child(pointer, "keys");
    if (!keys->is_object()) {
      reader_.expected(at, R"(an object such as {"count": 100000, "popularity": {"zipf": 0.9}})",
                       *keys);
    } else {
      reader_.check_keys(*keys, at, "keys", {"count", "popularity"});
      if (const Json* count = find(*keys, "count")) {
        if (const auto n = reader_.integer(*count, child(at, "count"), 1, max_cache_keys)) {
          cache.key_count = *n;
        }
      } else {
        reader_.missing(child(at, "count"), "the number of distinct keys");
      }
      if (const Json* popularity = find(*keys, "popularity")) {
        const std::string popularity_at = child(at, "popularity");
        constexpr std::string_view what = R"("uniform" or an object such as {"zipf": 0.9})";
        if (*popularity == Json("uniform")) {
          cache.popularity = Popularity::uniform;
        } else if (popularity->is_object()) {
          reader_.check_keys(*popularity, popularity_at, "popularity", {"zipf"});
          if (const Json* s = find(*popularity, "zipf")) {
            if (const auto exponent =
                    reader_.signed_number(*s, child(popularity_at, "zipf"), Sign::non_negative)) {
              cache.zipf_exponent = *exponent;
            }
          } else {
            reader_.missing(child(popularity_at, "zipf"), "the Zipf exponent (a number >= 0)");
          }
        } else if (popularity->is_string()) {
          reader_.expected(popularity_at, what, *popularity,
                           detail::did_you_mean(popularity->get<std::string>(), {"uniform"}));
        } else {
          reader_.expected(popularity_at, what, *popularity);
        }
      }
    }
  }

  // What only an emergent hit ratio (keys) uses.
  for (const std::string_view key :
       {"capacity", "ttl", "eviction", "stampede", "early_refresh_beta"}) {
    if (keys == nullptr && find(value, key) != nullptr) {
      reader_.error(child(pointer, key), "only with keys (an emergent hit ratio)");
    }
  }
  if (keys != nullptr) {
    if (const Json* capacity = find(value, "capacity")) {
      if (const auto n = reader_.integer(*capacity, child(pointer, "capacity"), 0, max_int64)) {
        cache.capacity = *n;
      }
    }
    if (const Json* ttl = find(value, "ttl")) {
      cache.ttl_s = reader_.duration(*ttl, child(pointer, "ttl"), Sign::positive);
    }
    if (const Json* eviction = find(value, "eviction")) {
      if (const auto index = reader_.choice(*eviction, child(pointer, "eviction"),
                                            {"lru", "lfu", "fifo", "random"})) {
        cache.eviction = static_cast<Eviction>(*index);
      }
    }
    bool stampede_known = true;
    if (const Json* stampede = find(value, "stampede")) {
      const auto index = reader_.choice(*stampede, child(pointer, "stampede"),
                                        {"none", "coalesce", "early_refresh"});
      stampede_known = index.has_value();
      if (index) cache.stampede = static_cast<Stampede>(*index);
    }
    if (const Json* beta = find(value, "early_refresh_beta")) {
      const std::string at = child(pointer, "early_refresh_beta");
      if (const auto b = reader_.signed_number(*beta, at, Sign::positive)) {
        cache.early_refresh_beta = *b;
      }
      if (stampede_known && cache.stampede != Stampede::early_refresh) {
        reader_.error(at, "only with stampede early_refresh");
      }
    }
  }

  spec.endpoints.push_back(work_endpoint(cache_endpoint, cache.work, value, pointer));
  spec.cache = std::move(cache);
}

void ModelLoader::read_database(const Json& value, const std::string& pointer, ServiceSpec& spec) {
  DatabaseSpec database;
  spec.workers = 100;
  if (const Json* connections = find(value, "connections")) {
    if (const auto n = reader_.integer(*connections, child(pointer, "connections"), 1, max_int)) {
      spec.workers = static_cast<int>(*n);
    }
  }
  // One core per connection unless told otherwise: the query's work is then its latency.
  if (find(value, "cores") == nullptr) spec.cores = spec.workers;
  if (const Json* read_replicas = find(value, "read_replicas")) {
    if (const auto n =
            reader_.integer(*read_replicas, child(pointer, "read_replicas"), 0, max_replicas - 1)) {
      database.read_replicas = static_cast<int>(*n);
    }
  }
  spec.replicas = 1 + database.read_replicas;
  DistSpec work;
  if (const Json* work_value = find(value, "work")) {
    if (auto query = detail::read_distribution(reader_, *work_value, child(pointer, "work"),
                                               Quantity::time)) {
      work = std::move(*query);
    }
  } else {
    reader_.missing(child(pointer, "work"),
                    R"(the work of one query: a distribution or a duration such as "2ms")");
  }
  if (const Json* contention = find(value, "contention")) {
    const std::string at = child(pointer, "contention");
    if (!contention->is_object()) {
      reader_.expected(at, R"(an object such as {"alpha": 0.02, "beta": 0.0005})", *contention);
    } else {
      reader_.check_keys(*contention, at, "contention", {"alpha", "beta"});
      ContentionSpec usl;
      if (const Json* alpha = find(*contention, "alpha")) {
        if (const auto a = reader_.signed_number(*alpha, child(at, "alpha"), Sign::non_negative)) {
          usl.alpha = *a;
        }
      }
      if (const Json* beta = find(*contention, "beta")) {
        if (const auto b = reader_.signed_number(*beta, child(at, "beta"), Sign::non_negative)) {
          usl.beta = *b;
        }
      }
      database.contention = usl;
    }
  }
  spec.endpoints.push_back(work_endpoint(database_endpoint, work, value, pointer));
  spec.database = database;
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
    spec.health = detail::read_health(reader_, *health, child(pointer, "health"));
    if (!spec.health) return std::nullopt;
  }
  if (const Json* policy = find(value, "policy")) {
    const auto index = reader_.choice(
        *policy, child(pointer, "policy"),
        {"round_robin", "random", "least_outstanding", "power_of_two", "weighted_round_robin"});
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

std::optional<EndpointSpec> ModelLoader::read_endpoint(const std::string& service,
                                                       const std::string& name, const Json& steps,
                                                       const std::string& pointer,
                                                       const std::string& steps_pointer) {
  EndpointSpec spec;
  spec.name = name;
  spec.pointer = pointer;
  if (!steps.is_array()) {
    reader_.expected(steps_pointer, "an array of steps", steps);
    return std::nullopt;
  }
  if (steps.empty()) {
    reader_.expected(steps_pointer, "at least one step", steps);
    return std::nullopt;
  }
  current_node_ = node(service, name);
  bool ok = true;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    auto step = read_step(steps[i], child(steps_pointer, i));
    ok = ok && step.has_value();
    if (step) spec.steps.push_back(std::move(*step));
  }
  current_node_.reset();
  if (!ok) return std::nullopt;
  return spec;
}

/// Reports the keys of a call step found on another kind of step; true if there were any.
bool ModelLoader::refuse_call_keys(const Json& value, const std::string& pointer) {
  bool any = false;
  std::vector<std::string> call_keys(std::begin(call_only_keys), std::end(call_only_keys));
  for (std::string& key : detail::unsupported_keys("call")) call_keys.push_back(std::move(key));
  for (const std::string& key : call_keys) {
    if (find(value, key) != nullptr) {
      reader_.error(child(pointer, key), "only for call steps");
      any = true;
    }
  }
  return any;
}

std::optional<StepSpec> ModelLoader::read_step(const Json& value, const std::string& pointer) {
  constexpr std::string_view what = "a step: an object with one of work, call or parallel";
  if (!value.is_object()) {
    reader_.expected(pointer, what, value);
    return std::nullopt;
  }
  std::vector<std::string> kinds;
  for (const std::string_view kind : {"work", "call", "parallel"}) {
    if (find(value, kind) != nullptr) kinds.emplace_back(kind);
  }
  if (kinds.empty()) {
    reader_.expected(pointer, what, value);
    return std::nullopt;
  }
  if (kinds.size() > 1) {
    reader_.error(pointer,
                  "expected exactly one of work, call or parallel, found " + join_and(kinds));
    return std::nullopt;
  }
  StepSpec spec;
  spec.pointer = pointer;
  const Names call_keys(std::begin(call_only_keys), std::end(call_only_keys));
  if (kinds.front() == "work") {
    spec.kind = StepKind::work;
    reader_.check_keys(value, pointer, "work step", {"work"}, call_keys);
    const bool refused = refuse_call_keys(value, pointer);
    auto work = detail::read_distribution(reader_, *find(value, "work"), child(pointer, "work"),
                                          Quantity::time);
    if (!work || refused) return std::nullopt;
    spec.work = std::move(*work);
    return spec;
  }
  if (kinds.front() == "call") {
    spec.kind = StepKind::call;
    auto call = read_call(value, pointer);
    if (!call) return std::nullopt;
    spec.call = std::move(*call);
    return spec;
  }
  spec.kind = StepKind::parallel;
  reader_.check_keys(value, pointer, "parallel step", {"parallel"}, call_keys);
  bool ok = !refuse_call_keys(value, pointer);
  const Json& calls = *find(value, "parallel");
  const std::string at = child(pointer, "parallel");
  if (!calls.is_array() || calls.empty()) {
    reader_.expected(at, R"(a non-empty array of call steps such as {"call": "db"})", calls);
    return std::nullopt;
  }
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const Json& call_value = calls[i];
    const std::string call_pointer = child(at, i);
    if (!call_value.is_object() || find(call_value, "call") == nullptr ||
        find(call_value, "work") != nullptr || find(call_value, "parallel") != nullptr) {
      reader_.expected(call_pointer, R"(a call step such as {"call": "db"})", call_value);
      ok = false;
      continue;
    }
    auto call = read_call(call_value, call_pointer);
    ok = ok && call.has_value();
    if (call) spec.parallel.push_back(std::move(*call));
  }
  if (!ok) return std::nullopt;
  return spec;
}

std::optional<CallSpec> ModelLoader::read_call(const Json& value, const std::string& pointer) {
  reader_.check_keys(
      value, pointer, "call",
      {"call", "endpoint", "count", "probability", "timeout", "retry", "circuit_breaker", "op"});
  CallSpec spec;
  spec.pointer = pointer;
  bool ok = true;
  const std::string call_pointer = child(pointer, "call");
  const ServiceOutline* callee = resolve_service(*find(value, "call"), call_pointer);
  const Json* endpoint = find(value, "endpoint");
  if (callee != nullptr) {
    spec.service = callee->name;
    const auto name = resolve_endpoint(*callee, endpoint, child(pointer, "endpoint"));
    ok = name.has_value();
    if (name) {
      spec.endpoint = *name;
      const auto to = node(callee->name, *name);
      if (to && current_node_) edges_[*current_node_].push_back({*to, call_pointer});
    }
  } else {
    ok = false;
    if (endpoint != nullptr && !endpoint->is_string()) {
      reader_.expected(child(pointer, "endpoint"), "an endpoint name", *endpoint);
    }
  }
  if (const Json* count = find(value, "count")) {
    const std::string at = child(pointer, "count");
    if (count->is_number()) {
      const auto n = reader_.integer(*count, at, 0, max_call_count);
      ok = ok && n.has_value();
      if (n) spec.count = dist::DistSpec{dist::Constant{static_cast<double>(*n)}};
    } else if (count->is_object()) {
      spec.count = detail::read_distribution(reader_, *count, at, Quantity::count);
      ok = ok && spec.count.has_value();
      // As for a constant count: a typo of a few zeros must not mean a billion calls each time.
      if (spec.count && !(dist::mean_of(*spec.count) <= static_cast<double>(max_call_count))) {
        reader_.error(at, "expected a count distribution with a mean of at most " +
                              std::to_string(max_call_count) + ", found a mean of " +
                              number_text(dist::mean_of(*spec.count)));
        ok = false;
      }
    } else {
      reader_.expected(
          at,
          R"(a count: an integer >= 0 or a distribution such as {"dist": "uniform", "min": 1, "max": 5})",
          *count);
      ok = false;
    }
  }
  if (const Json* probability = find(value, "probability")) {
    const auto p =
        reader_.number(*probability, child(pointer, "probability"), "a probability from 0 to 1",
                       [](double x) { return x >= 0 && x <= 1; });
    ok = ok && p.has_value();
    if (p) spec.probability = *p;
  }
  if (const Json* timeout = find(value, "timeout")) {
    spec.timeout_s = reader_.duration(*timeout, child(pointer, "timeout"), Sign::positive);
    ok = ok && spec.timeout_s.has_value();
  }
  if (const Json* retry = find(value, "retry")) {
    spec.retry = detail::read_retry(reader_, *retry, child(pointer, "retry"));
    ok = ok && spec.retry.has_value();
  }
  if (const Json* breaker = find(value, "circuit_breaker")) {
    spec.circuit_breaker =
        detail::read_circuit_breaker(reader_, *breaker, child(pointer, "circuit_breaker"));
    ok = ok && spec.circuit_breaker.has_value();
  }
  if (const Json* op = find(value, "op")) {
    const std::string at = child(pointer, "op");
    if (const auto index = reader_.choice(*op, at, {"read", "write"})) {
      spec.op = *index == 0 ? DbOp::read : DbOp::write;
    } else {
      ok = false;
    }
    // Only a database tells reads from writes; a callee of unknown kind has its own error.
    if (callee != nullptr && callee->kind_known && callee->kind != ServiceKind::database) {
      reader_.error(at, "expected op only on calls to a database, found a call to '" +
                            callee->name + "' (kind " + std::string(kind_name(callee->kind)) + ")");
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return spec;
}

// ---- Faults ---------------------------------------------------------------------------------

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
  };
  constexpr std::string_view kind_names[] = {"crash", "slowdown", "outage", "cache_flush"};

  bool kind_known = false;
  if (const Json* kind = find(value, "kind")) {
    const auto index = reader_.choice(*kind, child(pointer, "kind"),
                                      {"crash", "slowdown", "outage", "cache_flush"});
    kind_known = index.has_value();
    if (index) fault.kind = static_cast<FaultKind>(*index);
  } else {
    reader_.missing(child(pointer, "kind"), "one of crash, slowdown, outage, cache_flush");
  }
  Names own{"at", "kind", "service"};
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
        reader_.warning(at_pointer, "this fault at " + detail::seconds_text(*seconds) +
                                        " never happens: the simulation ends at " +
                                        detail::seconds_text(spec.simulation.duration_s));
      }
      fault.at_s = *seconds;
    }
  } else {
    reader_.missing(child(pointer, "at"), R"(the time of the fault, such as "5m")");
  }

  const ServiceOutline* service = nullptr;
  const std::string service_pointer = child(pointer, "service");
  if (const Json* name = find(value, "service")) {
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
  }
  if (reader_.error_count() != errors_before) return std::nullopt;
  return fault;
}

// ---- SLO ------------------------------------------------------------------------------------

std::optional<SloSpec> ModelLoader::read_slo(const Json& value, const std::string& pointer) {
  if (!value.is_object()) {
    reader_.expected(pointer, R"(an object such as {"latency": {"p99": "200ms"}})", value);
    return std::nullopt;
  }
  reader_.check_keys(value, pointer, "slo", {"latency", "error_rate"});
  SloSpec spec;
  if (const Json* latency = find(value, "latency")) {
    const std::string at = child(pointer, "latency");
    const Names percentiles{"p50", "p90", "p95", "p99", "p999", "mean", "max"};
    if (!latency->is_object()) {
      reader_.expected(at, R"(an object such as {"p99": "200ms"})", *latency);
    } else {
      reader_.check_keys(*latency, at, "latency", percentiles);
      for (const auto& [key, limit] : latency->items()) {
        if (std::find(percentiles.begin(), percentiles.end(), key) == percentiles.end()) continue;
        if (const auto seconds = reader_.duration(limit, child(at, key), Sign::positive)) {
          spec.latency_s.emplace_back(key, *seconds);
        }
      }
    }
  }
  if (const Json* error_rate = find(value, "error_rate")) {
    spec.error_rate =
        reader_.number(*error_rate, child(pointer, "error_rate"), "a fraction from 0 to 1",
                       [](double x) { return x >= 0 && x <= 1; });
  }
  return spec;
}

/// Finds what no reader should have to guard against: nesting deeper than kMaxJsonDepth (in a
/// document that parse_json did not read) and numbers that are not finite (nlohmann reads
/// 1e999 as infinity). On finding one, fills `message` and `tokens` (the pointer's tokens, last
/// first) and returns true. The recursion stops at kMaxJsonDepth.
bool find_unusable(const Json& value, int depth, std::vector<std::string>& tokens,
                   std::string& message) {
  if (value.is_number_float() && !std::isfinite(value.get<double>())) {
    message = "expected a finite number, found one too large to represent (";
    message += value.get<double>() > 0 ? "above 1.8e308)" : "below -1.8e308)";
    if (std::isnan(value.get<double>())) message = "expected a number, found NaN";
    return true;
  }
  if (!value.is_structured()) return false;
  if (depth >= kMaxJsonDepth) {
    message = "expected at most " + std::to_string(kMaxJsonDepth) +
              " levels of nested arrays and objects, found more";
    return true;
  }
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      if (find_unusable(member, depth + 1, tokens, message)) {
        tokens.push_back(key);
        return true;
      }
    }
  } else {
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (find_unusable(value[i], depth + 1, tokens, message)) {
        tokens.push_back(std::to_string(i));
        return true;
      }
    }
  }
  return false;
}

}  // namespace

Spec load(const Json& doc, const std::filesystem::path& base_dir) {
  std::vector<std::string> tokens;
  std::string message;
  if (find_unusable(doc, 0, tokens, message)) {
    std::string pointer;
    for (auto token = tokens.rbegin(); token != tokens.rend(); ++token) {
      pointer = child(pointer, *token);
    }
    throw ModelError(std::move(pointer), std::move(message));
  }
  Reader reader(base_dir);
  Spec spec = ModelLoader(doc, reader).load();
  if (reader.has_errors()) throw ModelError(reader.sorted_errors(doc));
  spec.warnings = reader.sorted_warnings(doc);
  return spec;
}

Spec load_file(const std::filesystem::path& path, const std::vector<std::string>& overrides) {
  Json doc = read_json_file(path);
  std::vector<Diagnostic> problems;
  for (const std::string& assignment : overrides) {
    try {
      apply_override(doc, assignment);
    } catch (const ModelError& e) {
      problems.insert(problems.end(), e.diagnostics().begin(), e.diagnostics().end());
    }
  }
  if (!problems.empty()) throw ModelError(std::move(problems));
  const bool named = doc.is_object() && doc.contains("name");
  Spec spec = load(doc, path.parent_path());
  if (!named && !path.stem().empty()) spec.name = path.stem().string();
  return spec;
}

}  // namespace capsim::model
