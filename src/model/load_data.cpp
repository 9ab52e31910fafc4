/// \file The data tier: cache services (hit ratio or keys, capacity, TTL, eviction, stampede
/// protection, backend) and database services (connections, read replicas, contention), each
/// given one synthesized endpoint.

#include "model_loader.hpp"

namespace capsim::model::detail {

void read_popularity(Reader& reader, const Json& value, const std::string& pointer,
                     Popularity& popularity, double& zipf_exponent) {
  constexpr std::string_view what = R"("uniform" or an object such as {"zipf": 0.9})";
  if (value == Json("uniform")) {
    popularity = Popularity::uniform;
  } else if (value.is_object()) {
    popularity = Popularity::zipf;
    reader.check_keys(value, pointer, "popularity", {"zipf"});
    if (const Json* s = find(value, "zipf")) {
      if (const auto exponent =
              reader.signed_number(*s, child(pointer, "zipf"), Sign::non_negative)) {
        zipf_exponent = *exponent;
      }
    } else {
      reader.missing(child(pointer, "zipf"), "the Zipf exponent (a number >= 0)");
    }
  } else if (value.is_string()) {
    reader.expected(pointer, what, value, did_you_mean(value.get<std::string>(), {"uniform"}));
  } else {
    reader.expected(pointer, what, value);
  }
}

namespace {

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

}  // namespace

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
    // Fine for a cache that every caller uses cache-aside: check_cache_backends() decides once
    // the calls and workloads are read.
    backendless_.push_back(
        {spec.name, backend_pointer, "the service a miss calls (" + names_text(names) + ")"});
  }

  if (const Json* work = find(value, "work")) {
    if (auto lookup = read_distribution(reader_, *work, child(pointer, "work"), Quantity::time)) {
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
    if (*keys == Json("client")) {
      // A session or per-user cache: the keys are the workloads' clients (check_client_keys).
      cache.keyed_by_client = true;
    } else if (!keys->is_object()) {
      reader_.expected(at,
                       R"(an object such as {"count": 100000, "popularity": {"zipf": 0.9}}, )"
                       R"(or "client" (a lookup per request's client))",
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
        read_popularity(reader_, *popularity, child(at, "popularity"), cache.popularity,
                        cache.zipf_exponent);
      }
    }
  }

  // What only an emergent hit ratio (keys) uses.
  for (const std::string_view key : {"capacity", "ttl", "eviction", "stampede",
                                     "early_refresh_beta", "preload", "lock_ttl", "refresh"}) {
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
                                        {"none", "coalesce", "early_refresh", "reject"});
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
    read_cache_warmth(value, pointer, cache, stampede_known);
    if (const Json* refresh = find(value, "refresh"); refresh && cache.keyed_by_client) {
      reader_.error(child(pointer, "refresh"),
                    R"(expected refresh only with keys {"count": ...}, found keys "client")");
    } else if (refresh) {
      read_cache_refresh(*refresh, child(pointer, "refresh"), find(value, "backend") != nullptr,
                         cache);
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
    if (auto query =
            read_distribution(reader_, *work_value, child(pointer, "work"), Quantity::time)) {
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
  if (const Json* capacity = find(value, "capacity_units")) {
    database.capacity_units =
        read_capacity_units(reader_, *capacity, child(pointer, "capacity_units"));
  }
  spec.endpoints.push_back(work_endpoint(database_endpoint, work, value, pointer));
  spec.database = database;
}

}  // namespace capsim::model::detail
