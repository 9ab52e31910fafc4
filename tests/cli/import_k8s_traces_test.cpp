// capsim import k8s, capsim run --traces and capsim import traces end to end: outputs written
// whole, bad input exit 2 with the place and nothing written.

#include <string>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

TEST(ImportK8sCommand, FragmentWrittenAndBadQuantityWritesNothing) {
  Sandbox box;
  const fs::path examples = source_dir() / "docs" / "examples" / "import";
  const RunResult r = box.run({"import", "k8s", (examples / "k8s-api.yaml").string(),
                               (examples / "k8s-worker.yaml").string(), "-o", "fragment.json"});
  ASSERT_EQ(r.status, 0) << r;
  const Json fragment = read_json(box.work() / "fragment.json");
  EXPECT_EQ(fragment["services"]["api"]["autoscaling"]["max"], 20);
  EXPECT_EQ(fragment["services"]["worker"]["autoscaling"]["kind"], "keda");
  EXPECT_NE(r.err.find("warning: "), std::string::npos);

  std::string bad = read_text(examples / "k8s-api.yaml");
  bad.replace(bad.find("memory: 256Mi"), 13, "memory: 256 Mi");
  write_text(box.work() / "bad.yaml", bad);
  const RunResult b = box.run({"import", "k8s", "bad.yaml", "-o", "out.json"});
  EXPECT_EQ(b.status, 2) << b;
  EXPECT_NE(b.err.find("bad.yaml document 1 (Deployment api): "
                       "/spec/template/spec/containers/0/resources/requests/memory: expected a "
                       "quantity"),
            std::string::npos)
      << b;
  EXPECT_NE(b.err.find("(bad.yaml: line 26, column 23)"), std::string::npos) << b;
  EXPECT_FALSE(fs::exists(box.work() / "out.json"));
}

TEST(RunTracesCommand, TracesWrittenWithResultsAndImportedBack) {
  Sandbox box;
  const fs::path model = source_dir() / "docs" / "examples" / "import" / "traced-shop.json";
  const RunResult r =
      box.run({"run", model.string(), "-q", "--traces", "traces.json", "--traces-sample", "50"});
  ASSERT_EQ(r.status, 0) << r;
  const Json traces = read_json(box.work() / "traces.json");
  std::size_t roots = 0;
  for (const Json& rs : traces["resourceSpans"]) {
    for (const Json& s : rs["scopeSpans"][0]["spans"]) roots += s.contains("parentSpanId") ? 0 : 1;
  }
  EXPECT_EQ(roots, 50u);
  const RunResult i = box.run({"import", "traces", "traces.json", "-o", "model.json"});
  ASSERT_EQ(i.status, 0) << i;
  const RunResult v = box.run({"validate", "model.json"});
  EXPECT_EQ(v.status, 0) << v;
  // An unwritable --traces is refused before the run.
  const RunResult u = box.run({"run", model.string(), "-q", "--traces", "no/such/dir/t.json"});
  EXPECT_EQ(u.status, 2) << u;
  EXPECT_NE(u.err.find("--traces"), std::string::npos) << u;
}

TEST(ImportTracesCommand, TruncatedJsonExit2WithLineNothingWritten) {
  Sandbox box;
  write_text(box.work() / "t.json", "{\"resourceSpans\": [ {\"scopeSpans\": [");
  const RunResult r = box.run({"import", "traces", "t.json", "-o", "model.json"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_NE(r.err.find("line 1"), std::string::npos) << r;
  EXPECT_FALSE(fs::exists(box.work() / "model.json"));
}

TEST(ImportTracesCommand, AFileWithNoSpanIsNamed) {
  // "expected at least one span, found none" named neither the file nor a place in it.
  Sandbox box;
  write_text(box.work() / "t.json", R"({"resourceSpans": []})");
  const RunResult r = box.run({"import", "traces", "t.json", "-o", "model.json"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_EQ(r.err, "capsim: t.json: expected at least one span, found none\n") << r;
  EXPECT_FALSE(fs::exists(box.work() / "model.json"));
}

}  // namespace
}  // namespace capsim::cli_test
