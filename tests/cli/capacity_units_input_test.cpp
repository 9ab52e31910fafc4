// A database's capacity_units (docs/capacity-units.md) through the command line: every bad key
// is refused by run and validate with exit status 2, one message naming the JSON Pointer with
// what was expected and what was found, and nothing written.

#include <string>
#include <vector>

#include "bad_model_check.hpp"

namespace capsim::cli_test {
namespace {

constexpr int kBadInput = 2;

struct BadUnits {
  std::string name;
  std::string units;    ///< the database's "capacity_units" value
  std::string message;  ///< stderr without "capsim: " and the newline
};

void PrintTo(const BadUnits& c, std::ostream* os) {
  *os << c.name;
}

const std::vector<BadUnits>& cases() {
  static const std::vector<BadUnits> list = {
      {"not_an_object", R"("lots")",
       "/services/db/capacity_units: expected an object such as {\"mode\": \"provisioned\", "
       "\"read\": {\"units_per_s\": 100}}, found \"lots\""},
      {"unknown_mode", R"({ "mode": "ondemand" })",
       "/services/db/capacity_units/mode: expected one of provisioned, on_demand, found "
       "\"ondemand\"; did you mean 'on_demand'?"},
      {"provisioned_without_units", R"({ "mode": "provisioned" })",
       "/services/db/capacity_units/read: missing; expected provisioned \"read\" or \"write\" "
       "units, such as {\"units_per_s\": 100}"},
      {"units_per_s_missing", R"({ "read": { "units_per_request": 2 } })",
       "/services/db/capacity_units/read/units_per_s: missing; expected the provisioned units "
       "per second (> 0)"},
      {"units_per_s_zero", R"({ "read": { "units_per_s": 0 } })",
       "/services/db/capacity_units/read/units_per_s: expected a number of units > 0 per second "
       "(at most 1e9), found 0"},
      {"units_per_request_negative",
       R"({ "write": { "units_per_s": 10, "units_per_request": -1 } })",
       "/services/db/capacity_units/write/units_per_request: expected a number of units > 0 per "
       "request, found -1"},
      {"units_per_request_beyond_bucket",
       R"({ "burst": "1s", "write": { "units_per_s": 10, "units_per_request": 25 } })",
       "/services/db/capacity_units/write/units_per_request: expected at most 20 units (what "
       "the bucket holds: units_per_s x (1 s + burst)), found 25"},
      {"burst_negative", R"({ "burst": "-1s", "read": { "units_per_s": 10 } })",
       "/services/db/capacity_units/burst: expected a duration >= 0, found \"-1s\""},
      {"burst_on_demand", R"({ "mode": "on_demand", "burst": "300s" })",
       "/services/db/capacity_units/burst: only with \"mode\": \"provisioned\""},
      {"adaptation_provisioned", R"({ "adaptation": "30m", "read": { "units_per_s": 10 } })",
       "/services/db/capacity_units/adaptation: only with \"mode\": \"on_demand\""},
      {"adaptation_too_long", R"({ "mode": "on_demand", "adaptation": "2d" })",
       "/services/db/capacity_units/adaptation: expected a duration of at most 1 day, found "
       "\"2d\""},
      {"peak_on_provisioned", R"({ "read": { "units_per_s": 10, "peak_units_per_s": 5 } })",
       "/services/db/capacity_units/read/peak_units_per_s: only with \"mode\": \"on_demand\""},
      {"units_per_s_on_demand", R"({ "mode": "on_demand", "read": { "units_per_s": 10 } })",
       "/services/db/capacity_units/read/units_per_s: only with \"mode\": \"provisioned\""},
      {"peak_zero", R"({ "mode": "on_demand", "write": { "peak_units_per_s": 0 } })",
       "/services/db/capacity_units/write/peak_units_per_s: expected a number of units > 0 per "
       "second (at most 1e9), found 0"},
      {"max_units_not_a_number",
       R"({ "mode": "on_demand", "read": { "max_units_per_s": "many" } })",
       "/services/db/capacity_units/read/max_units_per_s: expected a number of units > 0 per "
       "second (at most 1e9), found \"many\""},
      {"request_beyond_on_demand_allowance",
       R"({ "mode": "on_demand", "read": { "max_units_per_s": 3, "units_per_request": 4 } })",
       "/services/db/capacity_units/read/units_per_request: expected at most 3 units (2 x "
       "peak_units_per_s, at most max_units_per_s), found 4"},
      {"price_negative", R"({ "read": { "units_per_s": 10, "price_per_unit_hour": -1 } })",
       "/services/db/capacity_units/read/price_per_unit_hour: expected a number >= 0, found -1"},
      {"million_price_on_provisioned",
       R"({ "read": { "units_per_s": 10, "price_per_million_units": 0.25 } })",
       "/services/db/capacity_units/read/price_per_million_units: only with \"mode\": "
       "\"on_demand\""},
      {"unknown_key", R"({ "read": { "units_per_s": 10 }, "bursts": "5s" })",
       "/services/db/capacity_units/bursts: unknown key; did you mean 'burst'?"},
      {"read_not_an_object", R"({ "read": 100 })",
       "/services/db/capacity_units/read: expected an object such as {\"units_per_s\": 100}, "
       "found 100"},
  };
  return list;
}

class CapacityUnitsInput : public ::testing::TestWithParam<BadUnits> {};

TEST_P(CapacityUnitsInput, RefusedWithOneMessageAndNothingWritten) {
  const BadUnits& c = GetParam();
  Sandbox box;
  const fs::path model = box.work().parent_path() / "model.json";
  write_text(model, R"({ "simulation": { "duration": "10s", "replications": 1 },
  "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
  "services": { "api": { "steps": [ { "call": "db" } ] },
                "db": { "kind": "database", "work": "4ms", "capacity_units": )" +
                        c.units + " } }\n}\n");
  expect_model_refused(box, model, c.message);
}

TEST(CapacityUnitsInput, OnlyForDatabases) {
  Sandbox box;
  const fs::path model = box.work().parent_path() / "model.json";
  write_text(model, R"({ "simulation": { "duration": "10s", "replications": 1 },
  "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
  "services": { "api": { "steps": [ { "work": "1ms" } ],
                         "capacity_units": { "read": { "units_per_s": 10 } } } } }
)");
  const RunResult r = box.run({"validate", model.string()});
  EXPECT_EQ(r.status, kBadInput) << r;
  EXPECT_EQ(r.err, "capsim: /services/api/capacity_units: only for services of kind database (" +
                       model.string() + ": line 4, column 44)\n")
      << r;
}

INSTANTIATE_TEST_SUITE_P(Keys, CapacityUnitsInput, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return test_name_of(info.param.name); });

}  // namespace
}  // namespace capsim::cli_test
