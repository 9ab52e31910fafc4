/// \file The services known before any is read (their names, kinds and endpoints), so that a
/// workload, a call or a fault can name a service wherever it appears in the document; and the
/// call graph over (service, endpoint) nodes, checked for cycles once everything is read.

#include "model_loader.hpp"

namespace capsim::model::detail {

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
           {ServiceKind::generic, ServiceKind::cache, ServiceKind::database, ServiceKind::queue}) {
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
    } else if (outline.kind == ServiceKind::queue) {
      outline.endpoints.emplace_back(queue_endpoint);
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
  reader_.expected(pointer, service_what(), value, did_you_mean(name, service_names_));
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
  reader_.expected(pointer, what(), *value, did_you_mean(name, service.endpoints));
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
  const std::size_t errors = reader_.error_count();
  find_cycles(edges_, false);
  if (reader_.error_count() != errors || message_edges_.empty()) return;
  // No call cycle: any cycle left goes through a queue.
  std::vector<std::vector<CallEdge>> with_queues = edges_;
  for (const auto& [from, edge] : message_edges_) with_queues[from].push_back(edge);
  find_cycles(with_queues, true);
}

void ModelLoader::find_cycles(const std::vector<std::vector<CallEdge>>& edges, bool message_loops) {
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
      if (next_edge.back() == edges[node].size()) {
        state[node] = 2;
        path.pop_back();
        next_edge.pop_back();
        if (!path_edges.empty()) path_edges.pop_back();
        continue;
      }
      const CallEdge& edge = edges[node][next_edge.back()++];
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
        if (message_loops) {
          // Reported at the call that closes the loop (a publish back to the queue's path).
          const CallEdge& back = edge.via_queue ? *path_edges.back() : edge;
          reader_.warning(back.pointer,
                          "a message loop: " + cycle +
                              ": each message may publish another to the same queue; its "
                              "backlog stays bounded only while fewer than one comes back per "
                              "message on average");
          continue;
        }
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

}  // namespace capsim::model::detail
