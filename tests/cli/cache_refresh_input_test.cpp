// A cache's `refresh` (docs/request-path.md#periodic-refresh) through the command line: a bad
// refresh in a model file is refused by run and validate with exit status 2, one message naming
// the JSON Pointer with what was expected and what was found, and nothing written.

#include <string>
#include <vector>

#include "bad_model_check.hpp"

namespace capsim::cli_test {
namespace {

struct BadKey {
  std::string name;
  std::string refresh;  ///< the cache's "refresh" value
  std::string message;  ///< stderr without "capsim: " and the newline
  bool backend = true;
};

void PrintTo(const BadKey& c, std::ostream* os) {
  *os << c.name;
}

const std::vector<BadKey>& cases() {
  static const std::vector<BadKey> list = {
      {"not_an_object", "5",
       R"(/services/cache/refresh: expected an object such as {"every": "5m", "keys": 100}, )"
       "found 5"},
      {"missing_keys", R"({ "every": "5m" })",
       "/services/cache/refresh/keys: missing; expected how many of the hottest keys to "
       "refresh, or \"all\""},
      {"negative_every", R"({ "every": "-1s", "keys": 5 })",
       "/services/cache/refresh/every: expected a duration > 0, found \"-1s\""},
      {"too_many_keys", R"({ "every": "1m", "keys": 1000 })",
       "/services/cache/refresh/keys: expected an integer from 1 to 100, found 1000"},
      {"keys_not_a_number", R"({ "every": "1m", "keys": "hot" })",
       "/services/cache/refresh/keys: expected \"all\" or a number of keys (the hottest first), "
       "such as 100, found \"hot\""},
      {"unknown_key", R"({ "every": "1m", "keys": 5, "tll": "1s" })",
       "/services/cache/refresh/tll: unknown key; did you mean 'ttl'?"},
      {"without_backend", R"({ "every": "1m", "keys": 5 })",
       "/services/cache/refresh: expected refresh only on a cache with a backend (the service "
       "the refresh queries), found no backend",
       false},
  };
  return list;
}

class CacheRefreshInput : public ::testing::TestWithParam<BadKey> {};

TEST_P(CacheRefreshInput, RefusedWithOneMessageAndNothingWritten) {
  const BadKey& c = GetParam();
  Sandbox box;
  const fs::path model = box.work().parent_path() / "model.json";
  const std::string backend = c.backend ? R"("backend": "db", )" : "";
  write_text(model, R"({ "simulation": { "duration": "10s", "replications": 1 },
  "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
  "services": {
    "api": { "steps": [ { "call": "cache",
                          "on_miss": [ { "call": "db" }, { "call": "cache", "write": true } ] } ] },
    "cache": { "kind": "cache", )" +
                        backend + R"("keys": { "count": 100 }, "refresh": )" + c.refresh + R"( },
    "db": { "kind": "database", "work": "4ms" } }
}
)");
  expect_model_refused(box, model, c.message);
}

INSTANTIATE_TEST_SUITE_P(Keys, CacheRefreshInput, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return test_name_of(info.param.name); });

}  // namespace
}  // namespace capsim::cli_test
