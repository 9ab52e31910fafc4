// `capsim size` solves for any integer setting of the model (issue 15), not only a service's
// replicas: here the database's connections, where the database is the bottleneck.
//
// Hand calculation (M/M/c): 600 requests/s, one query each, an exponential 10 ms query: the
// database is an M/M/c queue with lambda = 600/s, mu = 100/s per connection, offered load
// a = 6 Erlangs. Erlang C gives the mean time in the database W = C(c, a) / (c mu - lambda) + 1/mu:
//   c = 7: C = 0.614, W = 16.14 ms      c = 8: C = 0.357, W = 11.78 ms
// The api (8 replicas x 2 cores, 3 ms of work, 11% busy) adds about 3 ms, so the mean latency is
// about 19.1 ms at 7 connections and 14.8 ms at 8: with a 16 ms mean SLO the answer is 8.

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

const char* kModel = R"({
  "name": "db-bound",
  "simulation": { "duration": "60s", "warmup": "10s", "replications": 2, "seed": 7 },
  "workloads": [ { "name": "browse", "target": "api", "rate": 600, "timeout": "1s" } ],
  "services": {
    "api": { "replicas": 8, "cores": 2, "workers": 64,
             "steps": [ { "work": "3ms" }, { "call": "db" } ] },
    "db": { "kind": "database", "connections": 4,
            "work": { "dist": "exponential", "mean": "10ms" } }
  },
  "slo": { "latency": { "mean": "16ms" }, "error_rate": 0.01 }
})";

TEST(SizeSettings, TheDatabasesConnectionsMatchMMc) {
  Sandbox box;
  write_text(box / "db-bound.json", kModel);
  write_text(box / "size.json", R"({
    "kind": "size", "model": "db-bound.json", "replications": 2, "max_replications": 8,
    "services": [ { "pointer": "/services/db/connections", "min": 1, "max": 64 } ]
  })");
  const RunResult r = box.run({"size", "size.json", "-o", "out.json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("setting /services/db/connections: 8 (confident)"), std::string::npos) << r;
  const Json out = read_json(box / "out.json");
  const Json& db = out["services"]["/services/db/connections"];
  EXPECT_EQ(db["pointer"], "/services/db/connections");
  EXPECT_EQ(db["value"], 8) << db.dump(2);
  // The analytic first guess sees the database's M/M/c queue and agrees.
  EXPECT_EQ(db["analytic"], 8) << db.dump(2);
  EXPECT_EQ(db["at_answer"]["value"], 8);
  EXPECT_TRUE(db["at_answer"]["slo_met"].get<bool>());
  EXPECT_EQ(db["at_one_fewer"]["value"], 7);
  EXPECT_FALSE(db["at_one_fewer"]["slo_met"].get<bool>());
  // The simulated means against the hand calculation (api ~3 ms + the database's W).
  const double at8_ms = db["at_answer"]["checks"][0]["value"]["mean"].get<double>();
  const double at7_ms = db["at_one_fewer"]["checks"][0]["value"]["mean"].get<double>();
  EXPECT_NEAR(at8_ms, 3.0 + 11.78, 1.0) << db.dump(2);
  EXPECT_NEAR(at7_ms, 3.0 + 16.14, 1.5) << db.dump(2);
}

TEST(SizeSettings, SizingTheApiNamesTheDatabaseThenTheDatabaseIsSized) {
  Sandbox box;
  write_text(box / "db-bound.json", kModel);
  // The api first, with the database at 4 connections (offered load 1.5): the database is named.
  write_text(box / "api.json", R"({
    "kind": "size", "model": "db-bound.json", "replications": 2, "max_replications": 4,
    "services": [ "api" ], "max_replicas": 64
  })");
  const RunResult a = box.run({"size", "api.json", "-o", "api-out.json", "--threads", "2"});
  ASSERT_EQ(a.status, 0) << a;
  EXPECT_EQ(read_json(box / "api-out.json")["services"]["api"]["bound_by"], "db");
  // Listing the database's connections before the api, as the note says, sizes both.
  write_text(box / "both.json", R"({
    "kind": "size", "model": "db-bound.json", "replications": 2, "max_replications": 8,
    "services": [ { "pointer": "/services/db/connections", "min": 1, "max": 64 }, "api" ]
  })");
  const RunResult b = box.run({"size", "both.json", "-o", "both-out.json", "--threads", "2"});
  ASSERT_EQ(b.status, 0) << b;
  const Json out = read_json(box / "both-out.json");
  EXPECT_EQ(out["services"]["/services/db/connections"]["value"], 8) << out.dump(2);
  EXPECT_TRUE(out["services"]["api"]["replicas"].is_number()) << out.dump(2);
  EXPECT_TRUE(out["services"]["api"]["bound_by"].is_null()) << out.dump(2);
  // The api's breaking point and rule of thumb see the database at its answer, 8 connections
  // (800 queries/s): one api replica's 2 cores / 3 ms = 666.7/s bind, so the rule of thumb is
  // ceil(600 / 666.7) + 2 = 3, and no note sends the reader back to the database. (They used
  // its 4 connections of the model: 400/s, "size db instead", no rule of thumb.)
  const Json& api = out["services"]["api"];
  EXPECT_NEAR(api["breaking_point_rps"].get<double>(), 2.0 / 0.003, 1e-6) << api.dump(2);
  EXPECT_EQ(api["breaking_point_bound_by"], "api") << api.dump(2);
  EXPECT_EQ(api["rule_of_thumb"], 3) << api.dump(2);
  EXPECT_EQ(b.out.find("size db instead"), std::string::npos) << b;
  // A setting that is no replica count has no rule of thumb, so no peak to divide.
  EXPECT_TRUE(out["services"]["/services/db/connections"]["peak_rps"].is_null()) << out.dump(2);
}

TEST(SizeSettings, EveryProblemOfASettingIsReportedAtItsPointer) {
  Sandbox box;
  write_text(box / "db-bound.json", kModel);
  write_text(box / "size.json", R"({
    "kind": "size", "model": "db-bound.json",
    "services": [ { "pointer": "/services/db/connections", "min": 0, "max": 64 },
                  { "pointer": "services/db/connections", "min": 1, "max": 4 },
                  { "pointer": "/services/api/cores", "min": 5, "max": 2, "step": 1 },
                  { "min": 1 },
                  { "pointer": "/services/db/conections", "min": 1, "max": 4 } ]
  })");
  const RunResult r = box.run({"size", "size.json"});
  EXPECT_EQ(r.status, 2) << r;
  for (const char* at :
       {"/services/0/min", "/services/1/pointer", "/services/2/max", "/services/2/step",
        "/services/3/pointer", "/services/3/max", "/services/4/pointer"}) {
    EXPECT_NE(r.err.find("\n" + std::string(at) + ": "), std::string::npos) << at << r;
  }
  // The misspelt key is refused once, at the pointer, with a suggestion.
  EXPECT_NE(r.err.find("/services/4/pointer: the model refuses it: /services/db/conections: "
                       "unknown key; did you mean 'connections'?"),
            std::string::npos)
      << r;
  EXPECT_EQ(r.err.find("/services/4/min"), std::string::npos) << r;
  EXPECT_FALSE(std::filesystem::exists(box / "size-out.json"));
}

}  // namespace
}  // namespace capsim::cli_test
