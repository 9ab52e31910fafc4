// capsim import k6 end to end: the fragment, completed with a service, is a model that
// validates; bad options exit 2 with the pointer (and the line in a YAML file), nothing written.

#include <string>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

const char* kOptions = R"({
  "scenarios": {
    "browse": { "executor": "ramping-arrival-rate", "startRate": 50, "timeUnit": "1s",
                "preAllocatedVUs": 200,
                "stages": [ { "duration": "2m", "target": 300 }, { "duration": "1m", "target": 0 } ] },
    "shoppers": { "executor": "ramping-vus", "startVUs": 0,
                  "stages": [ { "duration": "1m30s", "target": 40 } ] } },
  "thresholds": { "http_req_duration": [ "p(95)<500" ], "http_req_failed": [ "rate<0.01" ] } })";

TEST(ImportK6Command, FragmentCompletesIntoAValidModel) {
  Sandbox box;
  write_text(box.work() / "k6.json", kOptions);
  const RunResult r = box.run({"import", "k6", "k6.json", "-o", "fragment.json"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_EQ(r.err,
            "warning: /scenarios/browse/preAllocatedVUs: not modelled (the model sends every "
            "arrival; k6 drops those beyond its VUs)\n"
            "warning: /scenarios/shoppers: no think_time: a script's sleep() is not in its "
            "options, so the users send back to back; set think_time (from a k6 run: Z = VUs / "
            "(iterations per second) - an iteration's time in its requests, by Little's law)\n"
            "warning: k6 counts iterations: each arrival (or each user's loop) is one request to "
            "the target here; a script whose default function makes N requests needs N calls in "
            "the target's steps (or N times the rate)\n"
            "warning: /thresholds/http_req_duration: k6 checks it over every scenario's requests "
            "pooled; the model's slo.latency holds for each workload alone, which is stricter "
            "when one workload is slower than the mix\n");
  Json model = read_json(box.work() / "fragment.json");
  EXPECT_EQ(model["simulation"]["duration"], "180s");
  EXPECT_EQ(model["slo"]["latency"]["p95"], "0.5s");
  model["services"] = Json::parse(
      R"({"api": {"replicas": 4, "steps": [{"work": {"dist": "exponential", "mean": "5ms"}}]}})");
  model["simulation"]["warmup"] = "0s";
  write_text(box.work() / "model.json", model.dump());
  const RunResult v = box.run({"validate", "model.json"});
  EXPECT_EQ(v.status, 0) << v;
}

TEST(ImportK6Command, UnknownExecutorInYamlExit2WithLine) {
  Sandbox box;
  write_text(box.work() / "k6.yaml",
             "scenarios:\n  a:\n    executor: per-vu-iterations\n    vus: 10\n");
  const RunResult r = box.run({"import", "k6", "k6.yaml", "-o", "out.json"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_NE(r.err.find("/scenarios/a/executor: expected one of: constant-vus"), std::string::npos)
      << r;
  EXPECT_NE(r.err.find("(k6.yaml: line 3, column 15)"), std::string::npos) << r;
  EXPECT_FALSE(fs::exists(box.work() / "out.json"));
}

TEST(ImportK6Command, AScriptIsRefusedWithTheCommandThatPrintsItsOptions) {
  Sandbox box;
  // It was read as YAML: "invalid YAML at line 2, column 29: illegal map value".
  write_text(box / "load.js",
             "import http from 'k6/http';\nexport const options = { vus: 10, duration: '30s' };\n");
  const RunResult r = box.run({"import", "k6", "load.js"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_EQ(r.err,
            "capsim: load.js: expected k6 options as JSON or YAML, found a script (`k6 inspect "
            "load.js` prints its options as JSON: import that)\n");
}

TEST(ImportK6Command, TheOutputIsCheckedBeforeAnythingIsRead) {
  // As for every command: a folder, or a file in a missing folder, is refused with exit 2
  // before the import runs, and nothing (not even a .partial file) is left behind.
  Sandbox box;
  write_text(box.work() / "k6.json", kOptions);
  fs::create_directory(box.work() / "out");
  const RunResult dir = box.run({"import", "k6", "k6.json", "-o", "out"});
  EXPECT_EQ(dir.status, 2) << dir;
  EXPECT_EQ(dir.err, "capsim: -o out: expected a file name, found a folder; nothing was run\n");
  for (const char* command : {"k6", "k8s", "traces"}) {
    const RunResult r = box.run({"import", command, "k6.json", "-o", "nowhere/f.json"});
    EXPECT_EQ(r.status, 2) << r;
    EXPECT_EQ(r.err,
              "capsim: -o nowhere/f.json: the folder 'nowhere' does not exist (create it "
              "first); nothing was run\n")
        << r;
  }
  EXPECT_FALSE(fs::exists(box.work() / "out.partial"));
  EXPECT_TRUE(fs::is_empty(box.work() / "out"));
}

}  // namespace
}  // namespace capsim::cli_test
