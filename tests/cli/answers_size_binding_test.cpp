// `capsim size` finds the binding tier (issue 15): with a database saturated whatever the api's
// replica count, sizing the api stops at once, names the database and says to size it instead,
// rather than growing the api to max_replicas and blaming it.
//
// Hand calculation: the database has 4 connections and a 10 ms mean query (exponential), so it
// serves at most 4 / 0.010 = 400 queries/s; the workload sends 600 requests/s with one query
// each: the database is over capacity (offered load 1.5) at every api count. One api replica
// (2 cores, 3 ms of work) serves 666/s, so the api is not the bottleneck from 2 replicas on.

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

const char* kModel = R"({
  "name": "db-bound",
  "simulation": { "duration": "60s", "warmup": "10s", "replications": 2, "seed": 7 },
  "workloads": [ { "name": "browse", "target": "api", "rate": 600, "timeout": "1s" } ],
  "services": {
    "api": { "replicas": 2, "cores": 2, "workers": 64,
             "steps": [ { "work": "3ms" }, { "call": "db" } ] },
    "db": { "kind": "database", "connections": 4,
            "work": { "dist": "exponential", "mean": "10ms" } }
  },
  "slo": { "latency": { "p99": "200ms" }, "error_rate": 0.01 }
})";

const char* kExperiment = R"({
  "kind": "size",
  "model": "db-bound.json",
  "services": [ "api" ],
  "replications": 2,
  "max_replications": 4,
  "max_replicas": 64
})";

TEST(SizeBinding, ASaturatedDatabaseIsNamedAndSizingStops) {
  Sandbox box;
  write_text(box / "db-bound.json", kModel);
  write_text(box / "size.json", kExperiment);
  const RunResult r = box.run({"size", "size.json", "-o", "out.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("service api: no answer (bound by db: size db instead)"), std::string::npos)
      << r;
  EXPECT_NE(r.out.find("the SLO is bound by the database db: its connections are 100% busy"),
            std::string::npos)
      << r;
  EXPECT_NE(r.out.find("adding api replicas does not help; size db instead (its replicas, cores "
                       "or connections)"),
            std::string::npos)
      << r;
  const Json out = read_json(box / "out.json");
  const Json& api = out["services"]["api"];
  EXPECT_EQ(api["bound_by"], "db");
  EXPECT_TRUE(api["replicas"].is_null());
  // The analytic breaking point sees the database too: 4 connections / 10 ms = 400/s, below
  // the peak (600/s), so no rule of thumb (no api count carries the peak), and a note says so.
  EXPECT_NEAR(api["breaking_point_rps"].get<double>(), 400.0, 1e-9);
  EXPECT_EQ(api["breaking_point_bound_by"], "db");
  EXPECT_EQ(api["breaking_point_resource"], "connections");
  EXPECT_TRUE(api["rule_of_thumb"].is_null());
  EXPECT_NE(r.out.find("  set by  "), std::string::npos) << r;
  EXPECT_NE(r.out.find("analytic: the path's breaking point is 400/s, set by the database db's "
                       "connections, below the peak (600/s): adding api replicas does not help; "
                       "size db instead (its replicas, cores or connections)"),
            std::string::npos)
      << r;
  // It stopped at the first counts tried (the guess and one fewer), far below max_replicas (the
  // analytic guess, which cannot see the database, and one more at most).
  EXPECT_LE(api["evaluations"].size(), 2u) << api.dump(2);
  for (const Json& ev : api["evaluations"]) EXPECT_LT(ev["replicas"].get<int>(), 10);
}

TEST(SizeBinding, ASaturatedServiceOfAnyKindIsNamedToo) {
  Sandbox box;
  // A plain service instead of the database: 2 cores x 5 ms = 400/s, offered 600/s.
  std::string model = kModel;
  const std::size_t db = model.find("\"db\": { \"kind\"");
  model.replace(db, model.find("} }", db) + 3 - db,
                R"("db": { "replicas": 1, "cores": 2, "workers": 64,
                           "steps": [ { "work": { "dist": "exponential", "mean": "5ms" } } ] })");
  write_text(box / "db-bound.json", model);
  write_text(box / "size.json", kExperiment);
  const RunResult r = box.run({"size", "size.json", "-o", "out.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("service api: no answer (bound by db: size db instead)"), std::string::npos)
      << r;
  EXPECT_NE(r.out.find("the SLO is bound by the service db: "), std::string::npos) << r;
  EXPECT_NE(r.out.find("size db instead (its replicas, cores or workers)"), std::string::npos) << r;
  EXPECT_EQ(read_json(box / "out.json")["services"]["api"]["bound_by"], "db");
}

TEST(SizeBinding, ADatabaseSaturatedOnItsPrimaryIsNamedThoughItsMeanIsLow) {
  Sandbox box;
  // Four read replicas, and every query a write: the primary alone takes the 600/s it cannot
  // serve (400/s), while the read replicas idle, so the service's mean over its 5 nodes is at
  // most 20%. The primary's own utilisation names it.
  std::string model = kModel;
  const auto replace = [&model](const std::string& from, const std::string& to) {
    model.replace(model.find(from), from.size(), to);
  };
  replace(R"("connections": 4)", R"("connections": 4, "read_replicas": 4)");
  replace(R"({ "call": "db" })", R"({ "call": "db", "op": "write" })");
  write_text(box / "db-bound.json", model);
  write_text(box / "size.json", kExperiment);
  const RunResult r = box.run({"size", "size.json", "-o", "out.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("service api: no answer (bound by db: size db instead)"), std::string::npos)
      << r;
  EXPECT_NE(r.out.find("the SLO is bound by the database db: its connections are 100% busy on "
                       "its primary"),
            std::string::npos)
      << r;
  EXPECT_NE(r.out.find("size db instead (its cores or connections; its primary takes every "
                       "write)"),
            std::string::npos)
      << r;
  EXPECT_EQ(read_json(box / "out.json")["services"]["api"]["bound_by"], "db");
}

TEST(SizeBinding, PoolsRefusedByMaxConnectionsStopSizing) {
  Sandbox box;
  // 600 queries/s of 40 ms hold 24 connections on average; the database takes at most 20
  // (max_connections), though its 64 connections would serve 1,600/s. Up to 2 api replicas the
  // pools (10 each) wait and time out; from 3 on, the pools of the replicas past the first two
  // are refused: more api replicas cannot help, and sizing stops there.
  const char* model = R"({
    "name": "db-bound",
    "simulation": { "duration": "60s", "warmup": "10s", "replications": 2, "seed": 7 },
    "workloads": [ { "name": "browse", "target": "api", "rate": 600, "timeout": "1s" } ],
    "services": {
      "api": { "replicas": 2, "cores": 2, "workers": 64,
               "connection_pools": { "db": { "max": 10, "acquire_timeout": "100ms" } },
               "steps": [ { "work": "3ms" }, { "call": "db" } ] },
      "db": { "kind": "database", "connections": 64, "max_connections": 20, "work": "40ms" }
    },
    "slo": { "latency": { "p99": "200ms" }, "error_rate": 0.01 }
  })";
  write_text(box / "db-bound.json", model);
  write_text(box / "size.json", kExperiment);
  const RunResult r = box.run({"size", "size.json", "-o", "out.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("service api: no answer (bound by db: size db instead)"), std::string::npos)
      << r;
  EXPECT_NE(r.out.find("the SLO is bound by the database db: it refused "), std::string::npos) << r;
  EXPECT_NE(r.out.find("(its max_connections, 20, reached by api's pools of up to 10 per "
                       "replica)"),
            std::string::npos)
      << r;
  EXPECT_NE(r.out.find("size db instead (its max_connections, or api's connection_pools.db.max)"),
            std::string::npos)
      << r;
  const Json out = read_json(box / "out.json");
  const Json& api = out["services"]["api"];
  EXPECT_EQ(api["bound_by"], "db");
  for (const Json& ev : api["evaluations"]) EXPECT_LE(ev["replicas"].get<int>(), 4) << ev;
}

TEST(SizeBinding, TheServicesOwnRateLimitStopsSizing) {
  Sandbox box;
  // 150/s into one bucket of 80/s (burst 20) for the whole service: about 47% refused (429)
  // whatever the replicas, so an SLO of 1% errors is never met; sizing stops once api's cores
  // are not saturated, naming the limit, instead of trying every count up to max_replicas.
  write_text(box / "db-bound.json", R"({
    "name": "rl",
    "simulation": { "duration": "60s", "warmup": "10s", "replications": 2, "seed": 91 },
    "workloads": [ { "name": "c", "target": "api", "rate": 150 } ],
    "services": {
      "api": { "workers": 1000, "rate_limit": { "rate": 80, "burst": 20 },
               "steps": [ { "work": { "dist": "exponential", "mean": "10ms" } } ] } },
    "slo": { "latency": { "p99": "200ms" }, "error_rate": 0.01 }
  })");
  write_text(box / "size.json", kExperiment);
  const RunResult r = box.run({"size", "size.json", "-o", "out.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("service api: no answer (bound by its own limit: see the note)"),
            std::string::npos)
      << r;
  EXPECT_NE(r.out.find("the SLO is bound by the service api: its rate limit refused 4"),
            std::string::npos)
      << r;
  EXPECT_NE(r.out.find("more of them do not help; change its rate_limit, or the load it is "
                       "offered"),
            std::string::npos)
      << r;
  const Json out = read_json(box / "out.json");
  EXPECT_EQ(out["services"]["api"]["bound_by"], "api");
  for (const Json& ev : out["services"]["api"]["evaluations"]) {
    EXPECT_LE(ev["replicas"].get<int>(), 4) << ev;
  }
}

TEST(SizeBinding, AHealthyDatabaseDoesNotStopSizing) {
  Sandbox box;
  // 40 connections: 4000 queries/s, the database is 15% busy; the api is sized as before.
  std::string model = kModel;
  model.replace(model.find("\"connections\": 4"), 16, "\"connections\": 40");
  write_text(box / "db-bound.json", model);
  write_text(box / "size.json", kExperiment);
  const RunResult r = box.run({"size", "size.json", "-o", "out.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  const Json out = read_json(box / "out.json");
  EXPECT_TRUE(out["services"]["api"]["bound_by"].is_null());
  EXPECT_TRUE(out["services"]["api"]["replicas"].is_number()) << out.dump(2);
  EXPECT_EQ(r.out.find("bound by"), std::string::npos) << r;
  // The database carries 4000/s; one api replica 2 cores / 3 ms = 666.7/s: the api's cores set
  // the breaking point, and the rule of thumb is ceil(600 / 666.7) + 2 = 3.
  const Json& api = out["services"]["api"];
  EXPECT_NEAR(api["breaking_point_rps"].get<double>(), 2.0 / 0.003, 0.1);
  EXPECT_EQ(api["breaking_point_bound_by"], "api");
  EXPECT_EQ(api["breaking_point_resource"], "cores");
  EXPECT_EQ(api["rule_of_thumb"], 3);
  EXPECT_EQ(r.out.find("set by"), std::string::npos) << r;
}

}  // namespace
}  // namespace capsim::cli_test
