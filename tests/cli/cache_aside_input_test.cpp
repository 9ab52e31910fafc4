// Cache-aside's keys (docs/request-path.md#cache-aside) through the command line: a bad on_miss
// or write, or a cache without a backend that some caller reads through, is refused by run and
// validate with exit status 2, one message naming the JSON Pointer with what was expected and
// what was found, and nothing written.

#include <string>
#include <vector>

#include "bad_model_check.hpp"

namespace capsim::cli_test {
namespace {

struct BadKey {
  std::string name;
  std::string services;  ///< the model's "services" object
  std::string message;   ///< stderr without "capsim: " and the newline
};

void PrintTo(const BadKey& c, std::ostream* os) {
  *os << c.name;
}

const char* const kCache = R"("cache": { "kind": "cache", "hit_ratio": 0.8 })";
const char* const kDb = R"("db": { "kind": "database", "work": "4ms" })";

std::string api(const std::string& step) {
  return R"({ "api": { "steps": [ )" + step + " ] }, " + kCache + ", " + kDb + " }";
}

const std::vector<BadKey>& cases() {
  static const std::vector<BadKey> list = {
      {"on_miss_to_a_database", api(R"({ "call": "db", "on_miss": [] })"),
       "/services/api/steps/0/on_miss: expected on_miss only on calls to a cache, found a call "
       "to 'db' (kind database)"},
      {"on_miss_not_an_array", api(R"({ "call": "cache", "on_miss": { "call": "db" } })"),
       "/services/api/steps/0/on_miss: expected an array of steps such as [{\"call\": \"db\"}, "
       "{\"call\": \"cache\", \"write\": true}], found {\"call\":\"db\"}"},
      {"on_miss_bad_step", api(R"({ "call": "cache", "on_miss": [ { "work": "-1ms" } ] })"),
       "/services/api/steps/0/on_miss/0/work: expected a duration >= 0, found \"-1ms\""},
      {"on_miss_async",
       api(R"({ "call": "cache", "async": true, "on_miss": [ { "call": "db" } ] })"),
       "/services/api/steps/0/async: expected async only on calls without on_miss, found both"},
      {"write_not_a_boolean", api(R"({ "call": "cache", "write": "yes" })"),
       "/services/api/steps/0/write: expected true or false, found \"yes\""},
      {"write_to_a_database", api(R"({ "call": "db", "write": true })"),
       "/services/api/steps/0/write: expected write only on calls to a cache, found a call to "
       "'db' (kind database)"},
      {"write_with_on_miss", api(R"({ "call": "cache", "write": true, "on_miss": [] })"),
       "/services/api/steps/0/write: expected write only on calls without on_miss (a write is no "
       "lookup)"},
      {"no_backend_read_through",
       R"({ "api": { "steps": [ { "call": "cache", "on_miss": [] }, { "call": "cache" } ] },
            "cache": { "kind": "cache", "hit_ratio": 0.8 } })",
       "/services/cache/backend: missing; expected the service a miss calls (api)"},
  };
  return list;
}

class CacheAsideInput : public ::testing::TestWithParam<BadKey> {};

TEST_P(CacheAsideInput, RefusedWithOneMessageAndNothingWritten) {
  const BadKey& c = GetParam();
  Sandbox box;
  const fs::path model = box.work().parent_path() / "model.json";
  write_text(model, R"({ "simulation": { "duration": "10s", "replications": 1 },
  "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
  "services": )" + c.services +
                        "\n}\n");
  expect_model_refused(box, model, c.message);
}

TEST(CacheAsideInputOk, ACacheWithoutBackendUsedOnlyCacheAsideRuns) {
  Sandbox box;
  const fs::path model = box.work().parent_path() / "model.json";
  write_text(model, R"({ "simulation": { "duration": "10s", "replications": 1 },
  "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
  "services": { "api": { "steps": [ { "call": "cache",
                                      "on_miss": [ { "call": "db" },
                                                   { "call": "cache", "write": true } ] } ] },
                "cache": { "kind": "cache", "hit_ratio": 0.8 },
                "db": { "kind": "database", "work": "4ms" } } })");
  const RunResult r = box.run({"validate", model.string()});
  EXPECT_EQ(r.status, 0) << r;
}

INSTANTIATE_TEST_SUITE_P(Keys, CacheAsideInput, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return test_name_of(info.param.name); });

}  // namespace
}  // namespace capsim::cli_test
