/// \file Reading a keyed cache's periodic refresh (docs/request-path.md#periodic-refresh): a cron
/// job that queries the backend for the hottest keys every `every` and writes them back.

#include <cstdint>
#include <limits>

#include "model_loader.hpp"

namespace capsim::model::detail {

void ModelLoader::read_cache_refresh(const Json& value, const std::string& pointer,
                                     bool has_backend, CacheSpec& cache) {
  if (!value.is_object()) {
    reader_.expected(pointer, R"(an object such as {"every": "5m", "keys": 100})", value);
    return;
  }
  reader_.check_keys(value, pointer, "refresh", {"every", "keys", "ttl"});
  CacheRefreshSpec refresh;
  bool ok = true;
  if (const Json* every = find(value, "every")) {
    const auto s = reader_.duration(*every, child(pointer, "every"), Sign::positive);
    ok = ok && s.has_value();
    if (s) refresh.every_s = *s;
  } else {
    reader_.missing(child(pointer, "every"), R"(the period of the refresh, such as "5m")");
    ok = false;
  }
  if (const Json* keys = find(value, "keys")) {
    const std::string at = child(pointer, "keys");
    if (*keys == Json("all")) {
      refresh.keys = cache.key_count;
    } else if (keys->is_number()) {
      // keys.count is read first; when it is missing or wrong its own error says so.
      const std::int64_t most =
          cache.key_count > 0 ? cache.key_count : std::numeric_limits<std::int64_t>::max();
      const auto n = reader_.integer(*keys, at, 1, most);
      ok = ok && n.has_value();
      if (n) refresh.keys = *n;
    } else {
      reader_.expected(at, R"("all" or a number of keys (the hottest first), such as 100)", *keys);
      ok = false;
    }
  } else {
    reader_.missing(child(pointer, "keys"), R"(how many of the hottest keys to refresh, or "all")");
    ok = false;
  }
  if (const Json* ttl = find(value, "ttl")) {
    refresh.ttl_s = reader_.duration(*ttl, child(pointer, "ttl"), Sign::positive);
    ok = ok && refresh.ttl_s.has_value();
  }
  if (!has_backend) {
    // A cache-aside cache needs no backend for its lookups, but the refresh queries one.
    reader_.error(pointer,
                  "expected refresh only on a cache with a backend (the service the refresh "
                  "queries), found no backend");
    ok = false;
  }
  if (ok) cache.refresh = refresh;
}

}  // namespace capsim::model::detail
