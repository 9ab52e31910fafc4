// Client identities through the command line (docs/request-path.md#clients): a bad workload
// `clients`, per-client or fixed-window `rate_limit`, or `client_hash` balancer in a model file
// is refused by run and validate with exit status 2, one message naming the JSON Pointer with
// what was expected and what was found, and nothing written.

#include <string>
#include <vector>

#include "bad_model_check.hpp"

namespace capsim::cli_test {
namespace {

struct BadKey {
  std::string name;
  std::string clients;  ///< the workload's "clients" value; empty: none
  std::string api;      ///< the api service's extra keys (after its steps)
  std::string message;  ///< stderr without "capsim: " and the newline
};

void PrintTo(const BadKey& c, std::ostream* os) {
  *os << c.name;
}

const std::string kOk = R"({ "count": 10 })";

const std::vector<BadKey>& cases() {
  static const std::vector<BadKey> list = {
      {"clients_not_an_object", "10", "",
       "/workloads/0/clients: expected an object such as {\"count\": 1000, \"popularity\": "
       "{\"zipf\": 1.1}}, found 10"},
      {"clients_count_missing", R"({ "popularity": "uniform" })", "",
       "/workloads/0/clients/count: missing; expected the number of distinct clients"},
      {"clients_count_zero", R"({ "count": 0 })", "",
       "/workloads/0/clients/count: expected an integer from 1 to 1000000, found 0"},
      {"clients_count_too_many", R"({ "count": 1e7 })", "",
       "/workloads/0/clients/count: expected an integer from 1 to 1000000, found 10000000.0"},
      {"clients_unknown_key", R"({ "count": 10, "popularty": "uniform" })", "",
       "/workloads/0/clients/popularty: unknown key; did you mean 'popularity'?"},
      {"clients_popularity_typo", R"({ "count": 10, "popularity": "unifrom" })", "",
       "/workloads/0/clients/popularity: expected \"uniform\" or an object such as {\"zipf\": "
       "0.9}, found \"unifrom\"; did you mean 'uniform'?"},
      {"clients_zipf_negative", R"({ "count": 10, "popularity": { "zipf": -1 } })", "",
       "/workloads/0/clients/popularity/zipf: expected a number >= 0, found -1"},
      {"per_unknown", kOk, R"("rate_limit": { "rate": 5, "per": "ip" })",
       "/services/api/rate_limit/per: expected one of service, client, found \"ip\""},
      {"window_without_limit", kOk, R"("rate_limit": { "window": "1s", "per": "client" })",
       "/services/api/rate_limit/limit: missing; expected the requests allowed per window (an "
       "integer >= 1)"},
      {"limit_without_window", kOk, R"("rate_limit": { "limit": 5 })",
       "/services/api/rate_limit/window: missing; expected the window's length, such as \"1s\""},
      {"window_zero", kOk, R"("rate_limit": { "window": "0s", "limit": 5 })",
       "/services/api/rate_limit/window: expected a duration > 0, found \"0s\""},
      {"limit_zero", kOk, R"("rate_limit": { "window": "1s", "limit": 0 })",
       "/services/api/rate_limit/limit: expected an integer from 1 to 2147483647, found 0"},
      {"window_and_rate", kOk, R"("rate_limit": { "window": "1s", "limit": 5, "rate": 5 })",
       "/services/api/rate_limit/rate: expected either rate and burst (a token bucket) or window "
       "and limit (a fixed window), found both"},
      {"per_client_without_clients", "", R"("rate_limit": { "rate": 5, "per": "client" })",
       "/services/api/rate_limit/per: expected a workload with clients for a per-client limit, "
       "found none"},
      {"client_hash_without_clients", "", R"("load_balancer": { "policy": "client_hash" })",
       "/services/api/load_balancer/policy: expected a workload with clients for client_hash, "
       "found none"},
      {"client_hash_typo", kOk, R"("load_balancer": { "policy": "client_hsh" })",
       "/services/api/load_balancer/policy: expected one of round_robin, random, "
       "least_outstanding, power_of_two, weighted_round_robin, client_hash, found "
       "\"client_hsh\"; did you mean 'client_hash'?"},
  };
  return list;
}

class ClientsInput : public ::testing::TestWithParam<BadKey> {};

TEST_P(ClientsInput, RefusedWithOneMessageAndNothingWritten) {
  const BadKey& c = GetParam();
  Sandbox box;
  const fs::path model = box.work().parent_path() / "model.json";
  const std::string clients = c.clients.empty() ? "" : R"(, "clients": )" + c.clients;
  const std::string api = c.api.empty() ? "" : ", " + c.api;
  write_text(model, R"({ "simulation": { "duration": "10s", "replications": 1 },
  "workloads": [ { "name": "w", "target": "api", "rate": 10)" +
                        clients + R"( } ],
  "services": { "api": { "steps": [ { "work": "1ms" } ])" +
                        api + " } }\n}\n");
  expect_model_refused(box, model, c.message);
}

INSTANTIATE_TEST_SUITE_P(Keys, ClientsInput, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return test_name_of(info.param.name); });

}  // namespace
}  // namespace capsim::cli_test
