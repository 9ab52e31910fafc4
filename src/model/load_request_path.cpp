/// \file Reading the request-path settings of docs/request-path.md that are not steps of their
/// own: a call's `fallback`.

#include <cstdint>
#include <limits>

#include "model_loader.hpp"

namespace capsim::model::detail {

std::optional<FallbackSpec> ModelLoader::read_fallback(const Json& value,
                                                       const std::string& pointer) {
  if (!value.is_object()) {
    reader_.expected(pointer, R"(a fallback such as {"steps": [{"work": "1ms"}]})", value);
    return std::nullopt;
  }
  reader_.check_keys(value, pointer, "fallback", {"on", "steps"});
  FallbackSpec spec;
  spec.pointer = pointer;
  bool ok = true;
  if (const Json* on = find(value, "on")) {
    const auto failures = read_failure_set(reader_, *on, child(pointer, "on"));
    ok = failures.has_value();
    if (failures) spec.on = *failures;
  }
  if (const Json* steps = find(value, "steps")) {
    const std::string at = child(pointer, "steps");
    if (!steps->is_array()) {
      reader_.expected(at, "an array of steps (empty: an answer at no cost)", *steps);
      return std::nullopt;
    }
    // The fallback's steps run at the caller, so calls in them are edges of the caller's node
    // (current_node_), checked for cycles with the rest.
    for (std::size_t i = 0; i < steps->size(); ++i) {
      auto step = read_step((*steps)[i], child(at, i));
      ok = ok && step.has_value();
      if (step) spec.steps.push_back(std::move(*step));
    }
  }
  if (!ok) return std::nullopt;
  return spec;
}

}  // namespace capsim::model::detail

namespace capsim::model::detail {

void ModelLoader::read_cache_warmth(const Json& value, const std::string& pointer, CacheSpec& cache,
                                    bool stampede_known) {
  if (const Json* preload = find(value, "preload")) {
    const std::string at = child(pointer, "preload");
    if (cache.keyed_by_client) {
      // Sessions are made by their clients' first requests: nothing to load beforehand.
      reader_.error(at, R"(expected preload only with keys {"count": ...}, found keys "client")");
    } else if (*preload == Json("all")) {
      cache.preload_keys = cache.key_count;
    } else if (preload->is_number()) {
      // keys.count is read first; when it is missing or wrong its own error says so.
      const std::int64_t most =
          cache.key_count > 0 ? cache.key_count : std::numeric_limits<std::int64_t>::max();
      if (const auto n = reader_.integer(*preload, at, 0, most)) cache.preload_keys = *n;
    } else {
      reader_.expected(at, R"("all" or a number of keys (the hottest first), such as 1000)",
                       *preload);
    }
  }
  if (const Json* ttl = find(value, "lock_ttl")) {
    const std::string at = child(pointer, "lock_ttl");
    cache.lock_ttl_s = reader_.duration(*ttl, at, Sign::positive);
    if (stampede_known && cache.stampede != Stampede::coalesce &&
        cache.stampede != Stampede::reject) {
      reader_.error(at, "only with stampede coalesce or reject");
    }
  }
}

}  // namespace capsim::model::detail
