// Loading the data tier and faults: cache and database services (their synthesized endpoints),
// and the top-level `faults`.

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "capsim/model/spec.hpp"
#include "model_test_support.hpp"

namespace {

using capsim::model::Eviction;
using capsim::model::FaultKind;
using capsim::model::Json;
using capsim::model::Popularity;
using capsim::model::ServiceKind;
using capsim::model::Spec;
using capsim::model::Stampede;
using capsim::model::StepKind;
using model_test::error;
using model_test::errors;
using model_test::load;

/// api -> cache (hit ratio 85%) -> db (a database).
Json tiered() {
  return Json::parse(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
    "services": {
      "api": { "replicas": 3, "steps": [ { "work": "1ms" }, { "call": "cache" } ] },
      "cache": { "kind": "cache", "backend": "db", "hit_ratio": 0.85 },
      "db": { "kind": "database", "work": "4ms" }
    }
  })");
}

/// tiered() with the cache's body replaced by `cache`.
Json with_cache(const std::string& cache) {
  Json doc = tiered();
  doc["services"]["cache"] = Json::parse(cache);
  return doc;
}

/// tiered() with the database's body replaced by `db`.
Json with_database(const std::string& db) {
  Json doc = tiered();
  doc["services"]["db"] = Json::parse(db);
  return doc;
}

/// tiered() with these faults.
Json with_faults(const std::string& faults) {
  Json doc = tiered();
  doc["faults"] = Json::parse(faults);
  return doc;
}

double constant_seconds(const capsim::dist::DistSpec& spec) {
  const auto* constant = std::get_if<capsim::dist::Constant>(&spec.v);
  return constant == nullptr ? -1.0 : constant->value_s;
}

// ---- Cache ----------------------------------------------------------------------------------

TEST(ModelCache, HitRatioDefaultsAndSynthesizedEndpoint) {
  const Spec spec = load(tiered());
  const auto& cache = spec.services[1];
  EXPECT_EQ(cache.kind, ServiceKind::cache);
  ASSERT_TRUE(cache.cache.has_value());
  EXPECT_EQ(cache.cache->backend, "db");
  EXPECT_EQ(cache.cache->backend_endpoint, "query");
  EXPECT_DOUBLE_EQ(*cache.cache->hit_ratio, 0.85);
  EXPECT_DOUBLE_EQ(constant_seconds(cache.cache->work), 0.0003);
  EXPECT_FALSE(cache.database.has_value());
  EXPECT_EQ(cache.replicas, 1);
  EXPECT_EQ(cache.workers, 64);
  EXPECT_EQ(cache.cores, 1);
  ASSERT_EQ(cache.endpoints.size(), 1u);
  EXPECT_EQ(cache.endpoints[0].name, "default");
  EXPECT_EQ(cache.endpoints[0].pointer, "/services/cache");
  ASSERT_EQ(cache.endpoints[0].steps.size(), 1u);
  EXPECT_EQ(cache.endpoints[0].steps[0].kind, StepKind::work);
  EXPECT_DOUBLE_EQ(constant_seconds(cache.endpoints[0].steps[0].work), 0.0003);
  EXPECT_EQ(cache.endpoints[0].steps[0].pointer, "/services/cache");
  // The call api -> cache resolves to that endpoint.
  EXPECT_EQ(spec.services[0].endpoints[0].steps[1].call.endpoint, "default");
}

TEST(ModelCache, KeysDefaults) {
  const Spec spec = load(with_cache(R"({"kind": "cache", "backend": "db",
      "keys": {"count": 1000}, "work": "1ms"})"));
  const auto& cache = *spec.services[1].cache;
  EXPECT_FALSE(cache.hit_ratio.has_value());
  EXPECT_EQ(cache.key_count, 1000);
  EXPECT_EQ(cache.popularity, Popularity::zipf);
  EXPECT_DOUBLE_EQ(cache.zipf_exponent, 0.9);
  EXPECT_EQ(cache.capacity, 0);
  EXPECT_FALSE(cache.ttl_s.has_value());
  EXPECT_EQ(cache.eviction, Eviction::lru);
  EXPECT_EQ(cache.stampede, Stampede::none);
  EXPECT_DOUBLE_EQ(cache.early_refresh_beta, 1.0);
  EXPECT_DOUBLE_EQ(constant_seconds(cache.work), 0.001);
  EXPECT_DOUBLE_EQ(constant_seconds(spec.services[1].endpoints[0].steps[0].work), 0.001);
  EXPECT_EQ(spec.services[1].endpoints[0].steps[0].pointer, "/services/cache/work");
}

TEST(ModelCache, ReadsEveryValue) {
  const Spec spec = load(with_cache(R"({"kind": "cache", "backend": "db", "replicas": 2,
      "workers": 1024, "cores": 4, "queue_capacity": 10, "drop_expired": true,
      "keys": {"count": 674823, "popularity": "uniform"}, "capacity": 100000, "ttl": "5m",
      "eviction": "lfu", "stampede": "early_refresh", "early_refresh_beta": 2})"));
  const auto& service = spec.services[1];
  EXPECT_EQ(service.replicas, 2);
  EXPECT_EQ(service.workers, 1024);
  EXPECT_EQ(service.cores, 4);
  EXPECT_EQ(service.queue_capacity, 10);
  EXPECT_TRUE(service.drop_expired);
  const auto& cache = *service.cache;
  EXPECT_EQ(cache.key_count, 674823);
  EXPECT_EQ(cache.popularity, Popularity::uniform);
  EXPECT_EQ(cache.capacity, 100000);
  EXPECT_DOUBLE_EQ(*cache.ttl_s, 300.0);
  EXPECT_EQ(cache.eviction, Eviction::lfu);
  EXPECT_EQ(cache.stampede, Stampede::early_refresh);
  EXPECT_DOUBLE_EQ(cache.early_refresh_beta, 2.0);
  const Spec zipf = load(with_cache(R"({"kind": "cache", "backend": "db",
      "keys": {"count": 10, "popularity": {"zipf": 1.2}}, "eviction": "random",
      "stampede": "coalesce"})"));
  EXPECT_DOUBLE_EQ(zipf.services[1].cache->zipf_exponent, 1.2);
  EXPECT_EQ(zipf.services[1].cache->eviction, Eviction::random);
  EXPECT_EQ(zipf.services[1].cache->stampede, Stampede::coalesce);
}

TEST(ModelCache, NeedsHitRatioOrKeysButNotBoth) {
  EXPECT_EQ(error(with_cache(R"({"kind": "cache", "backend": "db"})")),
            "/services/cache/hit_ratio: missing; expected hit_ratio (a fixed hit ratio from 0 to "
            "1) or keys (for an emergent one, such as {\"count\": 100000})");
  EXPECT_EQ(error(with_cache(
                R"({"kind": "cache", "backend": "db", "hit_ratio": 0.5, "keys": {"count": 5}})")),
            "/services/cache/keys: expected either hit_ratio or keys, found both");
}

TEST(ModelCache, KeyOptionsOnlyWithKeys) {
  EXPECT_EQ(errors(with_cache(R"({"kind": "cache", "backend": "db", "hit_ratio": 0.5,
      "ttl": "1m", "capacity": 10, "eviction": "lru", "stampede": "coalesce"})")),
            (std::vector<std::string>{
                "/services/cache/ttl: only with keys (an emergent hit ratio)",
                "/services/cache/capacity: only with keys (an emergent hit ratio)",
                "/services/cache/eviction: only with keys (an emergent hit ratio)",
                "/services/cache/stampede: only with keys (an emergent hit ratio)"}));
}

TEST(ModelCache, EarlyRefreshBetaOnlyWithEarlyRefresh) {
  EXPECT_EQ(error(with_cache(R"({"kind": "cache", "backend": "db", "keys": {"count": 5},
      "stampede": "coalesce", "early_refresh_beta": 2})")),
            "/services/cache/early_refresh_beta: only with stampede early_refresh");
  EXPECT_EQ(error(with_cache(R"({"kind": "cache", "backend": "db", "keys": {"count": 5},
      "stampede": "early_refresh", "early_refresh_beta": 0})")),
            "/services/cache/early_refresh_beta: expected a number > 0, found 0");
}

TEST(ModelCache, Ranges) {
  EXPECT_EQ(error(with_cache(R"({"kind": "cache", "backend": "db", "hit_ratio": 1.5})")),
            "/services/cache/hit_ratio: expected a hit ratio from 0 to 1, found 1.5");
  EXPECT_EQ(errors(with_cache(R"({"kind": "cache", "backend": "db",
      "keys": {"count": 0, "popularity": {"zipf": -1}}, "capacity": -1, "ttl": "0s"})")),
            (std::vector<std::string>{
                "/services/cache/keys/count: expected an integer from 1 to 10000000, found 0",
                "/services/cache/keys/popularity/zipf: expected a number >= 0, found -1",
                "/services/cache/capacity: expected an integer >= 0, found -1",
                "/services/cache/ttl: expected a duration > 0, found \"0s\""}));
  EXPECT_EQ(error(with_cache(R"({"kind": "cache", "backend": "db", "keys": {"count": 1e9}})")),
            "/services/cache/keys/count: expected an integer from 1 to 10000000, found "
            "1000000000.0");
}

TEST(ModelCache, ChoicesAndKeysSuggest) {
  EXPECT_EQ(
      errors(with_cache(R"({"kind": "cache", "backend": "db",
      "keys": {"count": 5, "popularity": "unifrom", "cuont": 1},
      "eviction": "lur", "stampede": "coalese", "hit_ration": 1})")),
      (std::vector<std::string>{
          "/services/cache/keys/popularity: expected \"uniform\" or an object such as "
          "{\"zipf\": 0.9}, found \"unifrom\"; did you mean 'uniform'?",
          "/services/cache/keys/cuont: unknown key; did you mean 'count'?",
          "/services/cache/eviction: expected one of lru, lfu, fifo, random, found \"lur\"; "
          "did you mean 'lru'?",
          "/services/cache/stampede: expected one of none, coalesce, early_refresh, reject, found "
          "\"coalese\"; did you mean 'coalesce'?",
          "/services/cache/hit_ration: unknown key; did you mean 'hit_ratio'?"}));
  EXPECT_EQ(errors(with_cache(R"({"kind": "cache", "backend": "db",
      "keys": {"popularity": {"zpif": 1}}})")),
            (std::vector<std::string>{
                "/services/cache/keys/count: missing; expected the number of distinct keys",
                "/services/cache/keys/popularity/zipf: missing; expected the Zipf exponent (a "
                "number >= 0)",
                "/services/cache/keys/popularity/zpif: unknown key; did you mean 'zipf'?"}));
}

TEST(ModelCache, BackendIsAServiceWithDidYouMean) {
  EXPECT_EQ(error(with_cache(R"({"kind": "cache", "backend": "dbb", "hit_ratio": 0.5})")),
            "/services/cache/backend: expected the name of a service (api, cache, db), found "
            "\"dbb\"; did you mean 'db'?");
  EXPECT_EQ(error(with_cache(R"({"kind": "cache", "hit_ratio": 0.5})")),
            "/services/cache/backend: missing; expected the service a miss calls (api, db)");
}

TEST(ModelCache, BackendEndpointRequiredWhenSeveral) {
  Json doc = with_cache(R"({"kind": "cache", "backend": "db", "hit_ratio": 0.5})");
  doc["services"]["db"] = Json::parse(R"({"endpoints": {
      "read": {"steps": [{"work": "1ms"}]}, "write": {"steps": [{"work": "2ms"}]}}})");
  EXPECT_EQ(error(doc),
            "/services/cache/backend_endpoint: missing; expected an endpoint of service 'db' "
            "(read, write)");
  doc["services"]["cache"]["backend_endpoint"] = "raed";
  EXPECT_EQ(error(doc),
            "/services/cache/backend_endpoint: expected an endpoint of service 'db' (read, "
            "write), found \"raed\"; did you mean 'read'?");
  doc["services"]["cache"]["backend_endpoint"] = "read";
  EXPECT_EQ(load(doc).services[1].cache->backend_endpoint, "read");
}

TEST(ModelCache, HasNoStepsOrEndpoints) {
  EXPECT_EQ(errors(with_cache(R"({"kind": "cache", "backend": "db", "hit_ratio": 0.5,
      "steps": [{"work": "1ms"}], "connections": 5})")),
            (std::vector<std::string>{
                "/services/cache/steps: only for services of kind generic (a cache has one "
                "endpoint, \"default\", that runs its work)",
                "/services/cache/connections: only for services of kind database"}));
}

TEST(ModelCache, CycleThroughTheBackendIsRefused) {
  Json doc = tiered();
  doc["services"]["cache"]["backend"] = "api";
  EXPECT_EQ(error(doc),
            "/services/api/steps/1/call: expected calls that never lead back to their caller, "
            "found a call cycle: api.default -> cache.default -> api.default");
  doc["services"]["cache"]["backend"] = "cache";
  EXPECT_EQ(error(doc),
            "/services/cache/backend: expected calls that never lead back to their caller, found "
            "a call cycle: cache.default -> cache.default");
}

TEST(ModelCache, WorkloadsMayTargetACache) {
  Json doc = tiered();
  doc["workloads"][0]["target"] = "cache";
  const Spec spec = load(doc);
  EXPECT_EQ(spec.workloads[0].mix[0].endpoint, "default");
}

// ---- Database -------------------------------------------------------------------------------

TEST(ModelDatabase, DefaultsAndSynthesizedEndpoint) {
  const Spec spec = load(tiered());
  const auto& db = spec.services[2];
  EXPECT_EQ(db.kind, ServiceKind::database);
  ASSERT_TRUE(db.database.has_value());
  EXPECT_EQ(db.database->read_replicas, 0);
  EXPECT_FALSE(db.database->contention.has_value());
  EXPECT_EQ(db.replicas, 1);
  EXPECT_EQ(db.workers, 100);
  EXPECT_EQ(db.cores, 100);
  EXPECT_FALSE(db.cache.has_value());
  ASSERT_EQ(db.endpoints.size(), 1u);
  EXPECT_EQ(db.endpoints[0].name, "query");
  EXPECT_EQ(db.endpoints[0].pointer, "/services/db");
  ASSERT_EQ(db.endpoints[0].steps.size(), 1u);
  EXPECT_EQ(db.endpoints[0].steps[0].kind, StepKind::work);
  EXPECT_EQ(db.endpoints[0].steps[0].pointer, "/services/db/work");
  EXPECT_DOUBLE_EQ(constant_seconds(db.endpoints[0].steps[0].work), 0.004);
}

TEST(ModelDatabase, ReadsEveryValue) {
  const Spec spec = load(with_database(R"({"kind": "database", "connections": 20, "cores": 8,
      "cpu": "ps", "read_replicas": 2, "queue_capacity": 50,
      "work": {"dist": "exponential", "mean": "3ms"},
      "contention": {"alpha": 0.02, "beta": 0.0005}, "rate_limit": {"rate": 500},
      "load_balancer": {"policy": "least_outstanding"}})"));
  const auto& db = spec.services[2];
  EXPECT_EQ(db.workers, 20);
  EXPECT_EQ(db.cores, 8);
  EXPECT_EQ(db.cpu, capsim::model::CpuDiscipline::ps);
  EXPECT_EQ(db.replicas, 3);
  EXPECT_EQ(db.database->read_replicas, 2);
  EXPECT_EQ(db.queue_capacity, 50);
  ASSERT_TRUE(db.database->contention.has_value());
  EXPECT_DOUBLE_EQ(db.database->contention->alpha, 0.02);
  EXPECT_DOUBLE_EQ(db.database->contention->beta, 0.0005);
  EXPECT_DOUBLE_EQ(db.rate_limits.at(0).rate, 500.0);
  EXPECT_EQ(db.load_balancer.policy, capsim::model::LbPolicy::least_outstanding);
  EXPECT_TRUE(std::holds_alternative<capsim::dist::Exponential>(db.endpoints[0].steps[0].work.v));
  // Without cores, one core per connection.
  EXPECT_EQ(load(with_database(R"({"kind": "database", "connections": 7, "work": 0.001})"))
                .services[2]
                .cores,
            7);
}

TEST(ModelDatabase, RequiresWork) {
  EXPECT_EQ(error(with_database(R"({"kind": "database"})")),
            "/services/db/work: missing; expected the work of one query: a distribution or a "
            "duration such as \"2ms\"");
}

TEST(ModelDatabase, RefusesReplicasWorkersAndSteps) {
  EXPECT_EQ(errors(with_database(R"({"kind": "database", "work": "1ms", "replicas": 3,
      "workers": 10, "endpoints": {}, "backend": "api"})")),
            (std::vector<std::string>{
                "/services/db/replicas: not for a database: its replicas are the primary and its "
                "read_replicas (set read_replicas)",
                "/services/db/workers: not for a database: its workers are its connections (set "
                "connections)",
                "/services/db/endpoints: only for services of kind generic (a database has one "
                "endpoint, \"query\", that runs its work)",
                "/services/db/backend: only for services of kind cache"}));
}

TEST(ModelDatabase, Ranges) {
  EXPECT_EQ(errors(with_database(R"({"kind": "database", "work": "-1ms", "connections": 0,
      "read_replicas": -1, "contention": {"alpha": -0.1, "beta": "x", "gama": 1}})")),
            (std::vector<std::string>{
                "/services/db/work: expected a duration >= 0, found \"-1ms\"",
                "/services/db/connections: expected an integer from 1 to 2147483647, found 0",
                "/services/db/read_replicas: expected an integer from 0 to 99999, found -1",
                "/services/db/contention/alpha: expected a number >= 0, found -0.1",
                "/services/db/contention/beta: expected a number >= 0, found \"x\"",
                "/services/db/contention/gama: unknown key; expected one of: alpha, beta"}));
  EXPECT_EQ(error(with_database(R"({"kind": "database", "work": "1ms", "contention": 0.1})")),
            "/services/db/contention: expected an object such as {\"alpha\": 0.02, \"beta\": "
            "0.0005}, found 0.1");
}

// ---- Service kinds --------------------------------------------------------------------------

TEST(ModelKind, KeysOfOtherKindsOnAGenericService) {
  Json doc = tiered();
  doc["services"]["api"]["backend"] = "db";
  doc["services"]["api"]["work"] = "1ms";
  doc["services"]["api"]["read_replicas"] = 1;
  EXPECT_EQ(errors(doc), (std::vector<std::string>{
                             "/services/api/backend: only for services of kind cache",
                             "/services/api/work: only for services of kind cache or database",
                             "/services/api/read_replicas: only for services of kind database"}));
}

TEST(ModelKind, UnknownKindSuggests) {
  Json doc = tiered();
  doc["services"]["db"]["kind"] = "databse";
  EXPECT_EQ(
      error(doc),
      "/services/db/kind: expected one of generic, cache, database, queue, found \"databse\"; did "
      "you mean 'database'?");
  doc["services"]["db"] = Json::parse(R"({"kind": "generic", "steps": [{"work": 0}]})");
  EXPECT_EQ(load(doc).services[2].kind, ServiceKind::generic);
}

// ---- Faults ---------------------------------------------------------------------------------

TEST(ModelFault, ReadsEveryKindSortedByTime) {
  const Spec spec = load(with_faults(R"([
      {"at": "7m", "kind": "outage", "service": "db", "duration": "30s"},
      {"at": "5m", "kind": "crash", "service": "api", "replicas": 2, "restart_after": "1m"},
      {"at": "6m", "kind": "slowdown", "service": "db", "factor": 4, "duration": "2m"},
      {"at": "5m", "kind": "cache_flush", "service": "cache"},
      {"at": 0, "kind": "crash", "service": "api"}])"));
  ASSERT_EQ(spec.faults.size(), 5u);
  EXPECT_EQ(spec.faults[0].pointer, "/faults/4");
  EXPECT_EQ(spec.faults[0].kind, FaultKind::crash);
  EXPECT_EQ(spec.faults[0].replicas, 1);
  EXPECT_FALSE(spec.faults[0].restart_after_s.has_value());
  // Equal times keep the file's order.
  EXPECT_EQ(spec.faults[1].pointer, "/faults/1");
  EXPECT_DOUBLE_EQ(spec.faults[1].at_s, 300.0);
  EXPECT_EQ(spec.faults[1].service, "api");
  EXPECT_EQ(spec.faults[1].replicas, 2);
  EXPECT_DOUBLE_EQ(*spec.faults[1].restart_after_s, 60.0);
  EXPECT_EQ(spec.faults[2].pointer, "/faults/3");
  EXPECT_EQ(spec.faults[2].kind, FaultKind::cache_flush);
  EXPECT_EQ(spec.faults[2].service, "cache");
  EXPECT_EQ(spec.faults[3].kind, FaultKind::slowdown);
  EXPECT_DOUBLE_EQ(spec.faults[3].factor, 4.0);
  EXPECT_DOUBLE_EQ(spec.faults[3].duration_s, 120.0);
  EXPECT_EQ(spec.faults[4].kind, FaultKind::outage);
  EXPECT_DOUBLE_EQ(spec.faults[4].duration_s, 30.0);
  EXPECT_TRUE(load(tiered()).faults.empty());
  EXPECT_TRUE(load(with_faults("[]")).faults.empty());
}

TEST(ModelFault, KeysOfAnotherKindAreRefused) {
  EXPECT_EQ(errors(with_faults(R"([
      {"at": "1m", "kind": "crash", "service": "api", "factor": 2, "duration": "1m"},
      {"at": "1m", "kind": "outage", "service": "db", "duration": "1m", "replicas": 1},
      {"at": "1m", "kind": "cache_flush", "service": "cache", "restart_after": "1m"},
      {"at": "1m", "kind": "crash", "service": "api", "restrat_after": "1m"}])")),
            (std::vector<std::string>{
                "/faults/0/factor: only for slowdown faults",
                "/faults/0/duration: only for slowdown or outage faults",
                "/faults/1/replicas: only for crash faults",
                "/faults/2/restart_after: only for crash faults",
                "/faults/3/restrat_after: unknown key; did you mean 'restart_after'?"}));
}

TEST(ModelFault, RequiredKeys) {
  EXPECT_EQ(errors(with_faults(R"([{"kind": "slowdown", "service": "db"},
      {"at": "1m", "kind": "outage", "service": "db"}, {}])")),
            (std::vector<std::string>{
                "/faults/0/at: missing; expected the time of the fault, such as \"5m\"",
                "/faults/0/factor: missing; expected the factor the work is multiplied by (> 0)",
                "/faults/0/duration: missing; expected how long the fault lasts, such as \"2m\"",
                "/faults/1/duration: missing; expected how long the fault lasts, such as \"2m\"",
                "/faults/2/kind: missing; expected one of crash, slowdown, outage, cache_flush, "
                "rollout, node_loss",
                "/faults/2/at: missing; expected the time of the fault, such as \"5m\"",
                "/faults/2/service: missing; expected the name of a service (api, cache, db)"}));
}

TEST(ModelFault, AtAfterTheEndWarnsAndNegativeIsAnError) {
  Json doc = with_faults(R"([{"at": "10m", "kind": "crash", "service": "api"},
      {"at": "-1s", "kind": "crash", "service": "api"}])");
  EXPECT_EQ(errors(doc),
            (std::vector<std::string>{"/faults/1/at: expected a duration >= 0, found \"-1s\""}));
  doc["faults"].erase(1);
  const Spec spec = load(doc);
  ASSERT_EQ(spec.warnings.size(), 1u);
  EXPECT_EQ(spec.warnings[0].text(),
            "/faults/0/at: this fault at 600 s never happens: the simulation ends at 600 s");
  doc["simulation"] = Json::parse(R"({"duration": "1h"})");
  EXPECT_DOUBLE_EQ(load(doc).faults[0].at_s, 600.0);
  EXPECT_TRUE(load(doc).warnings.empty());
}

TEST(ModelFault, CrashReplicasWithinTheService) {
  EXPECT_EQ(error(with_faults(R"([{"at": "1m", "kind": "crash", "service": "api",
      "replicas": 4}])")),
            "/faults/0/replicas: expected an integer from 1 to 3 (the replicas of 'api'), found 4");
  EXPECT_EQ(error(with_faults(R"([{"at": "1m", "kind": "crash", "service": "api",
      "replicas": 0}])")),
            "/faults/0/replicas: expected an integer from 1 to 100000, found 0");
  // A database's replicas are its primary and read replicas.
  Json doc = with_faults(R"([{"at": "1m", "kind": "crash", "service": "db", "replicas": 3}])");
  doc["services"]["db"]["read_replicas"] = 2;
  EXPECT_EQ(load(doc).faults[0].replicas, 3);
  doc["faults"][0]["replicas"] = 4;
  EXPECT_EQ(error(doc),
            "/faults/0/replicas: expected an integer from 1 to 3 (the replicas of 'db'), found 4");
}

TEST(ModelFault, CacheFlushNeedsACache) {
  EXPECT_EQ(error(with_faults(R"([{"at": "1m", "kind": "cache_flush", "service": "db"}])")),
            "/faults/0/service: expected the name of a cache service (cache), found \"db\" (a "
            "database service)");
}

TEST(ModelFault, NamesSuggest) {
  EXPECT_EQ(errors(with_faults(R"([{"at": "1m", "kind": "crsh", "service": "apy"}])")),
            (std::vector<std::string>{
                "/faults/0/kind: expected one of crash, slowdown, outage, cache_flush, rollout, "
                "node_loss, found \"crsh\"; did you mean 'crash'?",
                "/faults/0/service: expected the name of a service (api, cache, db), found "
                "\"apy\"; did you mean 'api'?"}));
}

TEST(ModelFault, Ranges) {
  EXPECT_EQ(
      errors(with_faults(R"([
      {"at": "1m", "kind": "slowdown", "service": "db", "factor": 0, "duration": "0s"},
      {"at": "1m", "kind": "crash", "service": "api", "restart_after": 0}])")),
      (std::vector<std::string>{"/faults/0/factor: expected a number > 0, found 0",
                                "/faults/0/duration: expected a duration > 0, found \"0s\"",
                                "/faults/1/restart_after: expected a duration > 0, found 0"}));
  // A slowdown may also speed up (factor < 1).
  EXPECT_DOUBLE_EQ(load(with_faults(R"([{"at": "1m", "kind": "slowdown", "service": "db",
      "factor": 0.5, "duration": "1m"}])"))
                       .faults[0]
                       .factor,
                   0.5);
}

TEST(ModelFault, WrongShapes) {
  EXPECT_EQ(error(with_faults(R"({"at": "1m"})")),
            "/faults: expected an array of faults, found {\"at\":\"1m\"}");
  EXPECT_EQ(error(with_faults(R"(["crash"])")),
            "/faults/0: expected a fault such as {\"at\": \"5m\", \"kind\": \"crash\", "
            "\"service\": \"api\"}, found \"crash\"");
}

TEST(ModelFault, ReportsEveryErrorOfTheDataTierAtOnce) {
  Json doc = tiered();
  doc["services"]["cache"]["hit_ratio"] = 2;
  doc["services"]["db"]["connections"] = "many";
  doc["faults"] = Json::parse(R"([{"at": "1m", "kind": "outage", "service": "db"}])");
  EXPECT_EQ(errors(doc),
            (std::vector<std::string>{
                "/services/cache/hit_ratio: expected a hit ratio from 0 to 1, found 2",
                "/services/db/connections: expected an integer from 1 to 2147483647, found "
                "\"many\"",
                "/faults/0/duration: missing; expected how long the fault lasts, such as \"2m\""}));
}

}  // namespace
