#include "capsim/model/request_path.hpp"

namespace capsim::model {

namespace {

bool has_fallback(const std::vector<StepSpec>& steps) {
  // A fallback's own calls are inside a call that has one already: no need to look further.
  // A cache-aside miss's steps may hold one.
  for (const StepSpec& s : steps) {
    if (s.kind == StepKind::call && s.call.fallback) return true;
    if (s.kind == StepKind::call && s.call.on_miss && has_fallback(s.call.on_miss->steps)) {
      return true;
    }
    for (const CallSpec& c : s.parallel) {
      if (c.fallback || (c.on_miss && has_fallback(c.on_miss->steps))) return true;
    }
  }
  return false;
}

}  // namespace

bool uses_fallbacks(const Spec& spec) {
  for (const ServiceSpec& s : spec.services) {
    for (const EndpointSpec& e : s.endpoints) {
      if (has_fallback(e.steps)) return true;
    }
  }
  return false;
}

}  // namespace capsim::model
