// The request-path keys (docs/request-path.md) through the command line: a bad delay, fallback,
// async, preload, stampede, lock_ttl, pool or queue batch in a model file is refused by run and
// validate with exit status 2, one message naming the JSON Pointer with what was expected and what
// was found, and nothing written.

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

const char* const kCache =
    R"("cache": { "kind": "cache", "backend": "db", "keys": { "count": 100 }, )";
const char* const kDb = R"("db": { "kind": "database", "work": "4ms" })";

const std::vector<BadKey>& cases() {
  static const std::vector<BadKey> list = {
      {"delay_negative", R"({ "api": { "steps": [ { "delay": "-5ms" } ] } })",
       "/services/api/steps/0/delay: expected a duration >= 0, found \"-5ms\""},
      {"delay_and_work", R"({ "api": { "steps": [ { "delay": "5ms", "work": "1ms" } ] } })",
       "/services/api/steps/0: expected exactly one of work, delay, call or parallel, found work "
       "and delay"},
      {"fallback_not_an_object",
       R"({ "api": { "steps": [ { "call": "db", "fallback": "static" } ] }, )" + std::string(kDb) +
           " }",
       "/services/api/steps/0/fallback: expected a fallback such as {\"steps\": [{\"work\": "
       "\"1ms\"}]}, found \"static\""},
      {"fallback_unknown_failure",
       R"({ "api": { "steps": [ { "call": "db", "fallback": { "on": ["open"] } } ] }, )" +
           std::string(kDb) + " }",
       "/services/api/steps/0/fallback/on/0: expected one of timeout, rejected, error, "
       "rate_limited, circuit_open, throttled, found \"open\""},
      {"async_not_a_boolean",
       R"({ "api": { "steps": [ { "call": "db", "async": 1 } ] }, )" + std::string(kDb) + " }",
       "/services/api/steps/0/async: expected true or false, found 1"},
      {"async_with_fallback",
       R"({ "api": { "steps": [ { "call": "db", "async": true, "fallback": {} } ] }, )" +
           std::string(kDb) + " }",
       "/services/api/steps/0/async: expected async only on calls without a fallback, found "
       "both"},
      {"preload_too_many",
       R"({ "api": { "steps": [ { "call": "cache" } ] }, )" + std::string(kCache) +
           R"("preload": 1000 }, )" + kDb + " }",
       "/services/cache/preload: expected an integer from 0 to 100, found 1000"},
      {"stampede_unknown",
       R"({ "api": { "steps": [ { "call": "cache" } ] }, )" + std::string(kCache) +
           R"("stampede": "rejct" }, )" + kDb + " }",
       "/services/cache/stampede: expected one of none, coalesce, early_refresh, reject, found "
       "\"rejct\"; did you mean 'reject'?"},
      {"lock_ttl_without_lock",
       R"({ "api": { "steps": [ { "call": "cache" } ] }, )" + std::string(kCache) +
           R"("lock_ttl": "1s" }, )" + kDb + " }",
       "/services/cache/lock_ttl: only with stampede coalesce or reject"},
      {"pool_max_below_min",
       R"({ "api": { "steps": [ { "call": "db" } ],
                     "connection_pools": { "db": { "min": 8, "max": 4 } } }, )" +
           std::string(kDb) + " }",
       "/services/api/connection_pools/db/max: expected min <= max, found min 8 and max 4"},
      {"pool_negative_timeout",
       R"({ "api": { "steps": [ { "call": "db" } ],
                     "connection_pools": { "db": { "acquire_timeout": "-1s" } } }, )" +
           std::string(kDb) + " }",
       "/services/api/connection_pools/db/acquire_timeout: expected a duration >= 0, found "
       "\"-1s\""},
      {"pool_unknown_callee",
       R"({ "api": { "steps": [ { "call": "db" } ],
                     "connection_pools": { "bd": { "max": 4 } } }, )" +
           std::string(kDb) + " }",
       "/services/api/connection_pools/bd: expected the name of a service (api, db), found "
       "\"bd\"; did you mean 'db'?"},
      {"max_connections_zero",
       R"({ "api": { "steps": [ { "call": "db" } ] },
            "db": { "kind": "database", "work": "4ms", "max_connections": 0 } })",
       "/services/db/max_connections: expected an integer from 1 to 2147483647, found 0"},
      {"batch_size_zero",
       R"({ "api": { "steps": [ { "call": "q", "async": true } ] },
            "q": { "kind": "queue", "consumer": "worker", "batch_size": 0 },
            "worker": { "steps": [ { "work": "1ms" } ] } })",
       "/services/q/batch_size: expected an integer from 1 to 10, found 0"},
      {"batch_size_over_sqs_limit",
       R"({ "api": { "steps": [ { "call": "q", "async": true } ] },
            "q": { "kind": "queue", "consumer": "worker", "batch_size": 11 },
            "worker": { "steps": [ { "work": "1ms" } ] } })",
       "/services/q/batch_size: expected an integer from 1 to 10, found 11"},
      {"batch_window_negative",
       R"({ "api": { "steps": [ { "call": "q", "async": true } ] },
            "q": { "kind": "queue", "consumer": "worker", "batch_size": 5,
                   "batch_window": "-1s" },
            "worker": { "steps": [ { "work": "1ms" } ] } })",
       "/services/q/batch_window: expected a duration >= 0, found \"-1s\""},
      {"batch_size_on_a_generic_service",
       R"({ "api": { "batch_size": 5, "steps": [ { "work": "1ms" } ] } })",
       "/services/api/batch_size: only for services of kind queue"},
  };
  return list;
}

class RequestPathInput : public ::testing::TestWithParam<BadKey> {};

TEST_P(RequestPathInput, RefusedWithOneMessageAndNothingWritten) {
  const BadKey& c = GetParam();
  Sandbox box;
  const fs::path model = box.work().parent_path() / "model.json";
  write_text(model, R"({ "simulation": { "duration": "10s", "replications": 1 },
  "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
  "services": )" + c.services +
                        "\n}\n");
  expect_model_refused(box, model, c.message);
}

INSTANTIATE_TEST_SUITE_P(Keys, RequestPathInput, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return test_name_of(info.param.name); });

}  // namespace
}  // namespace capsim::cli_test
