// `capsim run --timeseries-bands` (issue 15): every replication records its time series and the
// results carry, per window, the least and greatest value over the replications in columns
// NAME_min and NAME_max after the others; without the flag the columns stay as they were. The
// report draws the bands.

#include <algorithm>
#include <string>
#include <vector>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

const std::vector<std::string> kBanded{"rps",    "error_rate",      "p50_ms",      "p95_ms",
                                       "p99_ms", "cpu_utilization", "queue_length"};

std::vector<std::string> run_args(const std::string& replications, bool bands) {
  std::vector<std::string> args{"run",
                                example_model("web-peak.json").string(),
                                "--duration",
                                "90s",
                                "--replications",
                                replications,
                                "--threads",
                                "2",
                                "-q",
                                "-o",
                                "r.json",
                                "--csv",
                                "csv"};
  if (bands) args.push_back("--timeseries-bands");
  return args;
}

std::size_t index_of(const Json& columns, const std::string& name) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

TEST(TimeseriesBands, EachWindowsBandHoldsReplicationZero) {
  Sandbox box;
  const RunResult r = box.run(run_args("3", true));
  ASSERT_EQ(r.status, 0) << r;
  const Json ts = read_json(box / "r.json")["timeseries"];
  const Json& columns = ts["columns"];
  // The banded columns follow the others, in pairs.
  ASSERT_EQ(columns.size(), 12u + 2u * kBanded.size());
  for (std::size_t c = 0; c < kBanded.size(); ++c) {
    EXPECT_EQ(columns[12 + 2 * c], kBanded[c] + "_min");
    EXPECT_EQ(columns[12 + 2 * c + 1], kBanded[c] + "_max");
  }
  // Replication 0 is one of the replications: min <= its value <= max wherever it is defined;
  // the rates of three replications differ somewhere (min < max).
  bool spread = false;
  for (const Json& row : ts["rows"]) {
    for (const std::string& name : kBanded) {
      const Json& v = row[index_of(columns, name)];
      const Json& lo = row[index_of(columns, name + "_min")];
      const Json& hi = row[index_of(columns, name + "_max")];
      if (v.is_null()) continue;
      ASSERT_TRUE(lo.is_number() && hi.is_number()) << row.dump();
      EXPECT_LE(lo.get<double>(), v.get<double>()) << name << " " << row.dump();
      EXPECT_GE(hi.get<double>(), v.get<double>()) << name << " " << row.dump();
      if (name == "rps" && lo.get<double>() < hi.get<double>()) spread = true;
    }
  }
  EXPECT_TRUE(spread);
  // The CSV has the same columns.
  const std::string csv = read_text(box / "csv" / "timeseries.csv");
  EXPECT_NE(csv.find("desired_replicas,rps_min,rps_max,error_rate_min,"), std::string::npos)
      << csv.substr(0, 300);
  // The report draws them: a band under every line of the traffic chart, and says what they are.
  ASSERT_EQ(box.run({"report", "r.json", "-o", "r.html", "-q"}).status, 0);
  const std::string page = read_text(box / "r.html");
  EXPECT_NE(page.find("the bands span the least to the greatest value of the 3 replications"),
            std::string::npos);
  EXPECT_NE(page.find("<polygon class=\"band\""), std::string::npos);
}

TEST(TimeseriesBands, OneReplicationsBandIsItsOwnValue) {
  Sandbox box;
  ASSERT_EQ(box.run(run_args("1", true)).status, 0);
  const Json ts = read_json(box / "r.json")["timeseries"];
  for (const Json& row : ts["rows"]) {
    for (const std::string& name : kBanded) {
      const Json& v = row[index_of(ts["columns"], name)];
      EXPECT_EQ(row[index_of(ts["columns"], name + "_min")], v) << name;
      EXPECT_EQ(row[index_of(ts["columns"], name + "_max")], v) << name;
    }
  }
}

TEST(TimeseriesBands, WithoutTheFlagTheColumnsAreUnchanged) {
  Sandbox box;
  ASSERT_EQ(box.run(run_args("2", false)).status, 0);
  const Json ts = read_json(box / "r.json")["timeseries"];
  EXPECT_EQ(ts["columns"].size(), 12u);
  EXPECT_EQ(read_text(box / "csv" / "timeseries.csv").find("_min"), std::string::npos);
}

}  // namespace
}  // namespace capsim::cli_test
