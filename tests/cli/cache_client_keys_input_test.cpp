// Caches keyed by client (`"keys": "client"`, docs/request-path.md#caches-keyed-by-client)
// through the command line: a bad use in a model file is refused by run and validate with exit
// status 2, one message naming the JSON Pointer with what was expected and what was found, and
// nothing written.

#include <string>
#include <vector>

#include "bad_model_check.hpp"

namespace capsim::cli_test {
namespace {

struct BadKey {
  std::string name;
  std::string cache;                           ///< the session cache's keys after its backend
  std::string clients;                         ///< the workload's "clients" value; empty: none
  std::string message;                         ///< stderr without "capsim: " and the newline
  std::string items = R"({ "count": 1000 })";  ///< the item cache's keys
};

void PrintTo(const BadKey& c, std::ostream* os) {
  *os << c.name;
}

const std::string kClients = R"({ "count": 1000, "popularity": { "zipf": 1.0 } })";

const std::vector<BadKey>& cases() {
  static const std::vector<BadKey> list = {
      {"wrong_string", R"("keys": "user")", kClients,
       R"(/services/sessions/keys: expected an object such as {"count": 100000, "popularity": )"
       R"({"zipf": 0.9}}, or "client" (a lookup per request's client), found "user")"},
      {"a_number", R"("keys": 5)", kClients,
       R"(/services/sessions/keys: expected an object such as {"count": 100000, "popularity": )"
       R"({"zipf": 0.9}}, or "client" (a lookup per request's client), found 5)"},
      {"with_preload", R"("keys": "client", "preload": 10)", kClients,
       R"(/services/sessions/preload: expected preload only with keys {"count": ...}, found )"
       R"(keys "client")"},
      {"with_preload_all", R"("keys": "client", "preload": "all")", kClients,
       R"(/services/sessions/preload: expected preload only with keys {"count": ...}, found )"
       R"(keys "client")"},
      {"with_refresh", R"("keys": "client", "refresh": { "every": "1m", "keys": 5 })", kClients,
       R"(/services/sessions/refresh: expected refresh only with keys {"count": ...}, found )"
       R"(keys "client")"},
      {"without_clients", R"("keys": "client")", "",
       R"(/services/sessions/keys: expected a workload with clients for keys "client", found )"
       "none"},
      // 9,500,000 item keys and 1,000,000 clients: over the 10,000,000 keys of all caches.
      {"over_the_key_limit", R"("keys": "client")", R"({ "count": 1000000 })",
       "/services/sessions/keys: expected at most 10000000 keys in all caches together (a cache "
       "keyed by client holds one per client), found 10500000",
       R"({ "count": 9500000 })"},
  };
  return list;
}

class CacheClientKeysInput : public ::testing::TestWithParam<BadKey> {};

TEST_P(CacheClientKeysInput, RefusedWithOneMessageAndNothingWritten) {
  const BadKey& c = GetParam();
  Sandbox box;
  const fs::path model = box.work().parent_path() / "model.json";
  const std::string clients = c.clients.empty() ? "" : R"(, "clients": )" + c.clients;
  write_text(model, R"({ "simulation": { "duration": "10s", "replications": 1 },
  "workloads": [ { "name": "w", "target": "api", "rate": 10)" +
                        clients + R"( } ],
  "services": {
    "api": { "steps": [ { "call": "sessions" }, { "call": "items" } ] },
    "sessions": { "kind": "cache", "backend": "db", )" +
                        c.cache + R"( },
    "items": { "kind": "cache", "backend": "db", "keys": )" +
                        c.items + R"( },
    "db": { "kind": "database", "work": "4ms" } }
}
)");
  expect_model_refused(box, model, c.message);
}

INSTANTIATE_TEST_SUITE_P(Keys, CacheClientKeysInput, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return test_name_of(info.param.name); });

}  // namespace
}  // namespace capsim::cli_test
