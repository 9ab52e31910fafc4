// A model whose calls fan out is estimated before the run (issue 15): the expected calls per
// request from the traffic equations times the arrivals, at least two events per call, refused
// at once when over --max-events, though its arrivals alone are within it.
//
// Hand calculation: 1000 requests/s for 10 minutes are 600,000 arrivals (1.2 million events,
// within the default budget of 10^9). Each request visits front once, mid 20 times (count 20)
// and back 20 x 20 = 400 times: 421 visits, so at least 2 x 600,000 x 421 = 5.05 x 10^8 events;
// with --max-events 10^8 that is refused, with the default budget it is not.

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

const char* kModel = R"({
  "name": "fan",
  "simulation": { "duration": "10m", "warmup": "0s", "replications": 2, "seed": 1 },
  "workloads": [ { "name": "w", "target": "front", "rate": 1000 } ],
  "services": {
    "front": { "replicas": 1, "cores": 64, "workers": 100000,
               "steps": [ { "call": "mid", "count": 20 } ] },
    "mid": { "replicas": 1, "cores": 64, "workers": 100000,
             "steps": [ { "call": "back", "count": 20 } ] },
    "back": { "replicas": 1, "cores": 64, "workers": 100000, "steps": [ { "work": "1us" } ] }
  }
})";

TEST(FanOut, AModelWhoseCallsExceedTheBudgetIsRefusedAtOnce) {
  Sandbox box;
  write_text(box / "fan.json", kModel);
  const RunResult r =
      box.run({"run", "fan.json", "--max-events", "100000000", "-o", "out.json", "-q"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_LT(r.wall_seconds, 5.0) << r;
  EXPECT_EQ(r.err,
            "capsim: /workloads/0/rate: expected at most 1e+08 events per replication "
            "(--max-events), found a model whose requests fan out to about 421 calls each (the "
            "traffic equations of capsim analyze): at least 2 events per call, about 5.05e+08 "
            "events in 10m; lower the rate or the calls' count, shorten /simulation/duration or "
            "raise --max-events\n");
  EXPECT_TRUE(box.entries() == std::vector<std::string>{"fan.json"});
}

TEST(FanOut, WithinTheBudgetItStarts) {
  Sandbox box;
  write_text(box / "fan.json", kModel);
  // 5.05e8 < 1e9 (the default): it starts, and --max-wall ends it.
  const RunResult r = box.run({"run", "fan.json", "--max-wall", "1s", "-q"});
  EXPECT_EQ(r.status, 1) << r;
  EXPECT_NE(r.err.find("--max-wall"), std::string::npos) << r;
}

}  // namespace
}  // namespace capsim::cli_test
