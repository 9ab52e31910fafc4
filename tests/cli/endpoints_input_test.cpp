// Per-endpoint results and stacked rate limits through the command line: a bad
// `simulation.per_endpoint` or a bad `rate_limit` array is refused by run and validate with exit
// status 2, one message naming the JSON Pointer, and nothing written; with per_endpoint the run
// summary gains an endpoint table, and only then.

#include <string>
#include <vector>

#include "bad_model_check.hpp"

namespace capsim::cli_test {
namespace {

struct BadKey {
  std::string name;
  std::string simulation;  ///< extra keys of "simulation"
  std::string api;         ///< the api service's extra keys (after its steps)
  std::string message;     ///< stderr without "capsim: " and the newline
};

void PrintTo(const BadKey& c, std::ostream* os) {
  *os << c.name;
}

const std::vector<BadKey>& cases() {
  static const std::vector<BadKey> list = {
      {"per_endpoint_string", R"(, "per_endpoint": "yes")", "",
       "/simulation/per_endpoint: expected true or false, found \"yes\""},
      {"per_endpoint_number", R"(, "per_endpoint": 1)", "",
       "/simulation/per_endpoint: expected true or false, found 1"},
      {"per_endpoint_typo", R"(, "per_endpiont": true)", "",
       "/simulation/per_endpiont: unknown key; did you mean 'per_endpoint'?"},
      {"rate_limit_empty_array", "", R"("rate_limit": [])",
       "/services/api/rate_limit: expected an array of 1 to 16 limits, found 0"},
      {"rate_limit_item_not_object", "", R"("rate_limit": [ { "rate": 5 }, "fast" ])",
       "/services/api/rate_limit/1: expected an object such as {\"rate\": 1000, \"burst\": 200}, "
       "found \"fast\""},
      {"rate_limit_item_bad_window", "",
       R"("rate_limit": [ { "rate": 5 }, { "window": "-1s", "limit": 5 } ])",
       "/services/api/rate_limit/1/window: expected a duration > 0, found \"-1s\""},
      {"rate_limit_item_per_client_without_clients", "",
       R"("rate_limit": [ { "rate": 5 }, { "per": "client", "window": "1m", "limit": 5 } ])",
       "/services/api/rate_limit/1/per: expected a workload with clients for a per-client limit, "
       "found none"},
      {"rate_limit_not_object_or_array", "", R"("rate_limit": true)",
       "/services/api/rate_limit: expected an object such as {\"rate\": 1000, \"burst\": 200}, or "
       "an array of them, found true"},
  };
  return list;
}

std::string model_text(const std::string& simulation, const std::string& api) {
  return R"({ "simulation": { "duration": "10s", "replications": 1)" + simulation + R"( },
  "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
  "services": { "api": { "steps": [ { "work": "1ms" } ])" +
         (api.empty() ? "" : ", " + api) + " } }\n}\n";
}

class EndpointsInput : public ::testing::TestWithParam<BadKey> {};

TEST_P(EndpointsInput, RefusedWithOneMessageAndNothingWritten) {
  const BadKey& c = GetParam();
  Sandbox box;
  const fs::path model = box.work().parent_path() / "model.json";
  write_text(model, model_text(c.simulation, c.api));
  expect_model_refused(box, model, c.message);
}

INSTANTIATE_TEST_SUITE_P(Keys, EndpointsInput, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return test_name_of(info.param.name); });

TEST(EndpointsSummary, TableOnlyWithPerEndpoint) {
  Sandbox box;
  const fs::path model = box.work().parent_path() / "model.json";
  write_text(model, R"({ "simulation": { "duration": "20s", "replications": 2, "seed": 1 },
  "workloads": [ { "name": "w", "target": "api", "rate": 100,
                   "mix": [ { "endpoint": "get", "weight": 3 }, { "endpoint": "put" } ] } ],
  "services": { "api": { "cores": 4, "endpoints": {
      "get": { "steps": [ { "work": "2ms" } ] },
      "put": { "steps": [ { "work": "5ms" }, { "call": "db" } ] } } },
    "db": { "kind": "database", "work": "1ms" } } })");
  const RunResult off = box.run({"run", model.string()});
  ASSERT_EQ(off.status, 0) << off;
  EXPECT_EQ(off.out.find("endpoint "), std::string::npos) << off;
  const RunResult on =
      box.run({"run", model.string(), "--set", "/simulation/per_endpoint=true", "-o", "r.json"});
  ASSERT_EQ(on.status, 0) << on;
  const std::vector<std::string> lines = lines_of(on.out);
  const auto header = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
    return l.rfind("endpoint ", 0) == 0;
  });
  ASSERT_NE(header, lines.end()) << on;
  EXPECT_NE(header->find("arrivals/s"), std::string::npos);
  EXPECT_NE(header->find("p99 ms"), std::string::npos);
  // One row per endpoint of every service, in the model's order.
  ASSERT_GE(lines.end() - header, 4);
  EXPECT_EQ(header[1].rfind("api.get ", 0), 0u) << on;
  EXPECT_NE(header[1].find(" 0.00 ±0.00% "), std::string::npos) << on;
  EXPECT_EQ(header[2].rfind("api.put ", 0), 0u) << on;
  EXPECT_EQ(header[3].rfind("db.query ", 0), 0u) << on;
  // The results file has the same numbers with their intervals.
  const Json r = read_json(box / "r.json");
  EXPECT_TRUE(is_estimate(r["services"]["api"]["endpoints"]["put"]["latency_ms"]["p99"], 2));
  // Constant 2 ms of work on 4 cores at about 0.3 busy cores: 2 ms, now and then a short wait.
  const double get_ms = r["services"]["api"]["endpoints"]["get"]["latency_ms"]["mean"]["mean"];
  EXPECT_GE(get_ms, 2.0 - 1e-9);
  EXPECT_LT(get_ms, 2.02);
  EXPECT_NEAR(r["services"]["api"]["endpoints"]["get"]["arrival_rps"]["mean"].get<double>(), 75.0,
              6.0);
}

}  // namespace
}  // namespace capsim::cli_test
