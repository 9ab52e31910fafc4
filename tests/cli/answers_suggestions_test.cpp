// Did-you-mean for mistyped options, and experiment files that report every problem in one pass,
// metric names included (issue 15).

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

TEST(Suggestions, AMistypedOptionGetsTheClosestOptionOfItsCommand) {
  Sandbox box;
  const RunResult r =
      box.run({"run", example_model("web-peak.json").string(), "--replication", "3"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_EQ(r.err, "capsim run: unknown option '--replication'; did you mean '--replications'?\n");
  const RunResult eq = box.run({"run", example_model("web-peak.json").string(), "--max-event=10"});
  EXPECT_EQ(eq.status, 2) << eq;
  EXPECT_EQ(eq.err, "capsim run: unknown option '--max-event'; did you mean '--max-events'?\n");
  const RunResult sweep = box.run({"sweep", "x.json", "--thread", "2"});
  EXPECT_EQ(sweep.status, 2) << sweep;
  EXPECT_EQ(sweep.err, "capsim sweep: unknown option '--thread'; did you mean '--threads'?\n");
  EXPECT_TRUE(box.entries().empty());
}

TEST(Suggestions, AnOptionFarFromAnyListsTheCommandsOptions) {
  Sandbox box;
  const RunResult r =
      box.run({"validate", example_model("web-peak.json").string(), "--frobnicate"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_EQ(r.err,
            "capsim validate: unknown option '--frobnicate'; expected one of: --help, --set, "
            "--seed, --replications, --duration (capsim validate --help says more)\n");
}

TEST(Suggestions, TheCommandsOfImportAreNamedAndMissingValuesAreNotUnknownOptions) {
  Sandbox box;
  const std::string k6 =
      (source_dir() / "docs" / "examples" / "import" / "k6-options.json").string();
  // "-o" without its value was "capsim import: unknown option '-o'; expected one of: --help".
  const RunResult missing = box.run({"import", "k6", k6, "-o"});
  EXPECT_EQ(missing.status, 2) << missing;
  EXPECT_NE(missing.err.find("--output: 1 required TEXT missing"), std::string::npos) << missing;
  const RunResult bogus = box.run({"import", "k8s", "x.yaml", "--bogus"});
  EXPECT_EQ(bogus.status, 2) << bogus;
  EXPECT_EQ(bogus.err,
            "capsim import k8s: unknown option '--bogus'; expected one of: --help, --output "
            "(capsim import k8s --help says more)\n");
  const RunResult typo = box.run({"import", "k6", k6, "--targte", "api"});
  EXPECT_EQ(typo.err, "capsim import k6: unknown option '--targte'; did you mean '--target'?\n")
      << typo;
}

TEST(Suggestions, NegativeSeedsAndBudgetsAreRefusedNotWrappedAround) {
  Sandbox box;
  const std::string model = example_model("mm1.json").string();
  // They were read as 2^64 - 1: a seed of 18446744073709551615, no event budget at all.
  for (const std::string flag : {"--seed", "--max-events"}) {
    const RunResult r = box.run({"run", model, flag, "-1", "-q"});
    EXPECT_EQ(r.status, 2) << r;
    EXPECT_EQ(r.err, "capsim run: " + flag +
                         ": expected a non-negative integer, found -1 (capsim run --help says "
                         "more)\n")
        << r;
  }
}

TEST(Suggestions, OtherCommandLineMistakesAreOneLineInCapsimsStyle) {
  // CLI11's own words were "Could not convert: --seed = abc / Run with --help for more
  // information", "model is required", "A subcommand is required".
  Sandbox box;
  const std::string model = example_model("mm1.json").string();
  EXPECT_EQ(box.run({"run", model, "--seed", "abc"}).err,
            "capsim run: --seed: expected a non-negative integer, found 'abc' (capsim run --help "
            "says more)\n");
  EXPECT_EQ(box.run({"run", model, "--replications", "2.5"}).err,
            "capsim run: --replications: expected an integer, found '2.5' (capsim run --help "
            "says more)\n");
  EXPECT_EQ(box.run({"run"}).err, "capsim run: model is required (capsim run --help says more)\n");
  EXPECT_EQ(box.run({}).err,
            "capsim: expected one of: run, validate, sweep, size, compare, analyze, report, fit, "
            "calibrate, import (capsim --help says more)\n");
  EXPECT_EQ(box.run({"sweep", "x.json", "--replications", "1"}).err,
            "capsim sweep: --replications: expected a number from 2 to 100000, found '1' (capsim "
            "sweep --help says more)\n");
  EXPECT_EQ(box.run({"run", model, "--max-events", "abc"}).err,
            "capsim run: --max-events: expected a whole number, found 'abc' (capsim run --help "
            "says more)\n");
  const RunResult import = box.run({"import", "foo", "x"});
  EXPECT_EQ(import.status, 2) << import;
  EXPECT_EQ(import.err,
            "capsim import: expected one of: k6, k8s, traces; found 'foo' (capsim import --help "
            "says more)\n");
  EXPECT_TRUE(box.entries().empty());
}

TEST(Suggestions, ExperimentFilesReportEveryProblemInOnePassMetricsIncluded) {
  Sandbox box;
  write_text(box / "e.json", R"({
    "kind": "compare",
    "model": ")" + example_model("web-peak.json").string() +
                                 R"(",
    "replications": 1,
    "variants": { "a": [], "b": [ { "pointer": "/services/api/replicas", "value": 4 } ] },
    "metrics": [ "services.api.cpu", "workloads.browse.latency_ms.p99x" ]
  })");
  const RunResult r = box.run({"compare", "e.json"});
  EXPECT_EQ(r.status, 2) << r;
  // The bad replication count and both metrics, in document order, in one message.
  EXPECT_NE(r.err.find("/replications"), std::string::npos) << r;
  EXPECT_NE(r.err.find("/metrics/0: expected a metric of the model's results such as "
                       "workloads.browse.latency_ms.p99, found \"services.api.cpu\"; did you mean "
                       "'services.api.cpu_utilization'?"),
            std::string::npos)
      << r;
  EXPECT_NE(r.err.find("/metrics/1:"), std::string::npos) << r;
  EXPECT_NE(r.err.find("did you mean 'workloads.browse.latency_ms.p99'?"), std::string::npos) << r;
  EXPECT_LT(r.err.find("/replications"), r.err.find("/metrics/0")) << r;
}

}  // namespace
}  // namespace capsim::cli_test
