/// \file Reading cache-aside (docs/request-path.md#cache-aside): a call to a cache with `on_miss`
/// steps that the caller runs when its lookup missed, and `write` calls (a SET, no lookup).

#include <algorithm>

#include "model_loader.hpp"

namespace capsim::model::detail {

namespace {

/// Whether a call of `steps` (a parallel's included) writes to `cache`.
bool writes_to(const std::vector<StepSpec>& steps, const std::string& cache) {
  const auto writes = [&](const CallSpec& c) { return c.cache_write && c.service == cache; };
  return std::any_of(steps.begin(), steps.end(), [&](const StepSpec& s) {
    return (s.kind == StepKind::call && writes(s.call)) ||
           (s.kind == StepKind::parallel &&
            std::any_of(s.parallel.begin(), s.parallel.end(), writes));
  });
}

}  // namespace

bool ModelLoader::read_cache_aside(const Json& value, const std::string& pointer,
                                   const ServiceOutline* callee, CallSpec& spec) {
  const Json* on_miss = find(value, "on_miss");
  const Json* write = find(value, "write");
  if (on_miss == nullptr && write == nullptr) return true;
  bool ok = true;
  // Only a cache looks keys up; a callee of unknown kind has its own error.
  const auto refuse_unless_cache = [&](const char* key) {
    if (callee != nullptr && callee->kind_known && callee->kind != ServiceKind::cache) {
      reader_.error(child(pointer, key), std::string("expected ") + key +
                                             " only on calls to a cache, found a call to '" +
                                             callee->name + "' (kind " +
                                             std::string(kind_name(callee->kind)) + ")");
      ok = false;
    }
  };
  if (write != nullptr) {
    const std::string at = child(pointer, "write");
    if (!write->is_boolean()) {
      reader_.expected(at, "true or false", *write);
      ok = false;
    } else {
      spec.cache_write = write->get<bool>();
      refuse_unless_cache("write");
      if (spec.cache_write && on_miss != nullptr) {
        reader_.error(at, "expected write only on calls without on_miss (a write is no lookup)");
        ok = false;
      }
    }
  }
  if (on_miss != nullptr) {
    const std::string at = child(pointer, "on_miss");
    if (!on_miss->is_array()) {
      reader_.expected(
          at, R"(an array of steps such as [{"call": "db"}, {"call": "cache", "write": true}])",
          *on_miss);
      return false;
    }
    refuse_unless_cache("on_miss");
    if (spec.async) {
      // Nobody waits for a fire-and-forget lookup, so nobody can run its miss.
      reader_.error(child(pointer, "async"),
                    "expected async only on calls without on_miss, found both");
      ok = false;
    }
    OnMissSpec miss;
    miss.pointer = at;
    // The steps run at the caller, so calls in them are edges of the caller's node
    // (current_node_), checked for cycles with the rest.
    for (std::size_t i = 0; i < on_miss->size(); ++i) {
      auto step = read_step((*on_miss)[i], child(at, i));
      ok = ok && step.has_value();
      if (step) miss.steps.push_back(std::move(*step));
    }
    miss.writes_back = writes_to(miss.steps, spec.service);
    spec.on_miss = std::move(miss);
  }
  return ok;
}

}  // namespace capsim::model::detail

namespace capsim::model::detail {

namespace {

/// Counts the calls of `steps` (fallbacks and on_miss included) to `cache`: all, and those
/// that read through (neither on_miss nor write).
void count_calls(const std::vector<StepSpec>& steps, const std::string& cache, int& calls,
                 int& read_through) {
  const auto count = [&](const CallSpec& c) {
    if (c.service == cache) {
      ++calls;
      if (!c.on_miss && !c.cache_write) ++read_through;
    }
    if (c.fallback) count_calls(c.fallback->steps, cache, calls, read_through);
    if (c.on_miss) count_calls(c.on_miss->steps, cache, calls, read_through);
  };
  for (const StepSpec& s : steps) {
    if (s.kind == StepKind::call) count(s.call);
    if (s.kind == StepKind::parallel) std::for_each(s.parallel.begin(), s.parallel.end(), count);
  }
}

/// Whether a call of `steps` (fallbacks and on_miss included) looks `cache` up cache-aside.
bool looks_up_aside(const std::vector<StepSpec>& steps, const std::string& cache) {
  const auto aside = [&](const CallSpec& c) {
    return (c.service == cache && c.on_miss) ||
           (c.fallback && looks_up_aside(c.fallback->steps, cache)) ||
           (c.on_miss && looks_up_aside(c.on_miss->steps, cache));
  };
  return std::any_of(steps.begin(), steps.end(), [&](const StepSpec& s) {
    return (s.kind == StepKind::call && aside(s.call)) ||
           (s.kind == StepKind::parallel &&
            std::any_of(s.parallel.begin(), s.parallel.end(), aside));
  });
}

}  // namespace

void ModelLoader::check_cache_backends(Spec& spec) {
  // A call that had an error is missing from `spec`: its cache would look unused.
  if (reader_.has_errors()) return;
  for (ServiceSpec& cache : spec.services) {
    if (!cache.cache) continue;
    bool aside = false;
    for (const ServiceSpec& s : spec.services) {
      for (const EndpointSpec& e : s.endpoints)
        aside = aside || looks_up_aside(e.steps, cache.name);
    }
    cache.cache->called_aside = aside;
  }
  for (const Backendless& b : backendless_) {
    int calls = 0;
    int read_through = 0;
    for (const ServiceSpec& s : spec.services) {
      for (const EndpointSpec& e : s.endpoints) count_calls(e.steps, b.cache, calls, read_through);
    }
    const bool targeted = std::any_of(spec.workloads.begin(), spec.workloads.end(),
                                      [&](const WorkloadSpec& w) { return w.target == b.cache; });
    if (calls == 0 || read_through > 0 || targeted) reader_.missing(b.pointer, b.missing);
  }
}

}  // namespace capsim::model::detail
