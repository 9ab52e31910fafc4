// `capsim run` on every example model: exit status, the results JSON, the CSV files and the
// summary printed on stdout.

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

constexpr int kReplications = 2;
constexpr double kDuration = 60.0;
constexpr double kWarmup = 10.0;

const std::vector<std::string> kTimeseriesColumns = {
    "t",      "workload", "service",         "rps",          "error_rate", "p50_ms",
    "p95_ms", "p99_ms",   "cpu_utilization", "queue_length", "replicas"};

TEST(ExampleModels, DirectoryHoldsModels) {
  EXPECT_FALSE(example_models().empty()) << "no *.json in " << (source_dir() / "models");
  EXPECT_TRUE(fs::is_regular_file(capsim_binary())) << capsim_binary();
}

class ExampleModel : public ::testing::TestWithParam<std::string> {
 protected:
  fs::path model_path() const { return example_model(GetParam()); }
  Json model() const { return read_json(model_path()); }
};

/// Checks `j[key]` is an estimate over kReplications replications.
void expect_estimate(const Json& parent, const std::string& key, const std::string& where) {
  ASSERT_TRUE(parent.contains(key)) << where << "/" << key << " missing in " << parent.dump();
  EXPECT_TRUE(is_estimate(parent[key], kReplications)) << where << "/" << key;
}

void check_workload(const Json& w, const std::string& where) {
  ASSERT_TRUE(w.is_object()) << where;
  for (const char* key :
       {"offered_rps", "throughput_rps", "goodput_rps", "error_rate", "attempts_per_request"}) {
    expect_estimate(w, key, where);
  }
  ASSERT_TRUE(w.contains("errors") && w["errors"].is_object()) << where << "/errors";
  for (const char* kind : {"timeout", "rejected", "rate_limited", "circuit_open", "error"}) {
    expect_estimate(w["errors"], kind, where + "/errors");
  }
  ASSERT_TRUE(w.contains("latency_ms") && w["latency_ms"].is_object()) << where << "/latency_ms";
  const Json& lat = w["latency_ms"];
  const std::vector<std::string> quantiles = {"p50", "p90", "p95", "p99", "p999", "max"};
  expect_estimate(lat, "mean", where + "/latency_ms");
  for (const auto& q : quantiles) expect_estimate(lat, q, where + "/latency_ms");
  if (::testing::Test::HasFailure()) return;

  // Sanity: rates and fractions in range, quantiles in order (histogram midpoints: 1% slack).
  const double error_rate = w["error_rate"]["mean"].get<double>();
  EXPECT_GE(error_rate, 0.0) << where;
  EXPECT_LE(error_rate, 1.0) << where;
  EXPECT_GE(w["offered_rps"]["mean"].get<double>(), 0.0) << where;
  EXPECT_LE(w["goodput_rps"]["mean"].get<double>(),
            w["throughput_rps"]["mean"].get<double>() * (1 + 1e-9) + 1e-9)
      << where;
  EXPECT_GE(w["attempts_per_request"]["mean"].get<double>(), 1.0 - 1e-9) << where;
  for (std::size_t i = 1; i < quantiles.size(); ++i) {
    const double lower = lat[quantiles[i - 1]]["mean"].get<double>();
    const double upper = lat[quantiles[i]]["mean"].get<double>();
    EXPECT_LE(lower, upper * 1.01 + 1e-9)
        << where << "/latency_ms: " << quantiles[i - 1] << " > " << quantiles[i];
  }
}

/// `burst`: the most a replica may use over its `cores` (a pod's cpu_limit / the service's cores
/// where its node's cores are shared, docs/nodes.md#shared-cores; else 1).
void check_service(const Json& s, const std::string& where, double burst = 1.0) {
  ASSERT_TRUE(s.is_object()) << where;
  for (const char* key : {"arrival_rps", "throughput_rps", "cpu_utilization", "worker_utilization",
                          "queue_length", "in_flight", "replica_seconds", "rejected"}) {
    expect_estimate(s, key, where);
  }
  ASSERT_TRUE(s.contains("replicas") && s["replicas"].is_object()) << where << "/replicas";
  const Json& replicas = s["replicas"];
  expect_estimate(replicas, "mean", where + "/replicas");
  ASSERT_TRUE(replicas.contains("min") && replicas["min"].is_number()) << replicas.dump();
  ASSERT_TRUE(replicas.contains("max") && replicas["max"].is_number()) << replicas.dump();
  ASSERT_TRUE(s.contains("latency_ms") && s["latency_ms"].is_object()) << where << "/latency_ms";
  // A queue service answers a send at once and processes nothing itself: its latency is the
  // broker's, from the send to the processing that deleted the message (queue.latency_ms).
  const bool queue = s.contains("queue");
  const Json& latency = queue ? s["queue"]["latency_ms"] : s["latency_ms"];
  for (const char* key : {"mean", "p50", "p95", "p99"}) {
    expect_estimate(latency, key, where + (queue ? "/queue/latency_ms" : "/latency_ms"));
  }
  if (::testing::Test::HasFailure()) return;

  const double mean_replicas = replicas["mean"]["mean"].get<double>();
  EXPECT_LE(replicas["min"].get<double>(), mean_replicas + 1e-9) << where;
  EXPECT_GE(replicas["max"].get<double>(), mean_replicas - 1e-9) << where;
  EXPECT_GE(replicas["min"].get<double>(), 0.0) << where;
  for (const char* key : {"cpu_utilization", "worker_utilization"}) {
    const double u = s[key]["mean"].get<double>();
    EXPECT_GE(u, 0.0) << where << "/" << key;
    EXPECT_LE(u, (std::string(key) == "cpu_utilization" ? burst : 1.0) + 1e-9)
        << where << "/" << key;
  }
  EXPECT_GE(s["queue_length"]["mean"].get<double>(), 0.0) << where;
}

/// Follows a dotted metric name (workloads.browse.latency_ms.p99) into the results; null when
/// it names nothing.
Json find_dotted(const Json& results, const std::string& name) {
  const Json* node = &results;
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t dot = name.find('.', start);
    const std::string part = name.substr(start, dot == std::string::npos ? dot : dot - start);
    if (!node->is_object() || !node->contains(part)) return nullptr;
    node = &(*node)[part];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return *node;
}

bool close_to(const std::string& text, double value) {
  char* end = nullptr;
  const double parsed = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') return false;
  return std::abs(parsed - value) <= 1e-9 * (1.0 + std::abs(value));
}

/// Whether `pointer` is a queue service's own latency, wait or wasted work (undefined: a send is
/// answered at once, so the service itself has no response time; results-format.md).
bool queue_service_own_latency(const Json& results, const std::string& pointer) {
  const std::string prefix = "/services/";
  if (pointer.rfind(prefix, 0) != 0) return false;
  const auto slash = pointer.find('/', prefix.size());
  if (slash == std::string::npos) return false;
  const std::string name = pointer.substr(prefix.size(), slash - prefix.size());
  const std::string rest = pointer.substr(slash);
  const Json& service = results["services"][name];
  return service.contains("queue") &&
         (rest.rfind("/latency_ms/", 0) == 0 || rest.rfind("/wait_ms/", 0) == 0 ||
          rest == "/wasted_work_fraction");
}

TEST_P(ExampleModel, RunWritesCompleteResults) {
  Sandbox box;
  const Json m = model();
  const RunResult r = box.run(quick_run_model(model_path(), {"-o", "out.json", "--csv", "csv"}));
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_EQ(box.entries(), (std::vector<std::string>{"csv", "out.json"})) << r;
  ASSERT_TRUE(fs::is_regular_file(box / "out.json")) << r;
  const Json j = read_json(box / "out.json");
  ASSERT_TRUE(j.is_object());

  // Top level.
  ASSERT_TRUE(j.contains("capsim_version") && j["capsim_version"].is_string()) << j.dump();
  EXPECT_FALSE(j["capsim_version"].get<std::string>().empty());
  EXPECT_EQ(j.value("model", ""), m.value("name", "")) << "model";
  ASSERT_TRUE(j.contains("seed") && j["seed"].is_number_integer()) << "seed";
  if (m.contains("simulation") && m["simulation"].contains("seed")) {
    EXPECT_EQ(j["seed"], m["simulation"]["seed"]);
  }
  ASSERT_TRUE(j.contains("replications") && j["replications"].is_number_integer());
  EXPECT_EQ(j["replications"].get<int>(), kReplications);
  ASSERT_TRUE(j.contains("simulated_seconds") && j["simulated_seconds"].is_number());
  EXPECT_DOUBLE_EQ(j["simulated_seconds"].get<double>(), kDuration);
  ASSERT_TRUE(j.contains("warmup_seconds") && j["warmup_seconds"].is_number());
  EXPECT_DOUBLE_EQ(j["warmup_seconds"].get<double>(), kWarmup);

  // One entry per workload and per service of the model, no more.
  const auto workloads = workload_names(m);
  const auto services = service_names(m);
  ASSERT_TRUE(j.contains("workloads") && j["workloads"].is_object());
  EXPECT_EQ(j["workloads"].size(), workloads.size());
  for (const auto& w : workloads) {
    ASSERT_TRUE(j["workloads"].contains(w)) << "workloads." << w;
    check_workload(j["workloads"][w], "/workloads/" + w);
  }
  ASSERT_TRUE(j.contains("services") && j["services"].is_object());
  EXPECT_EQ(j["services"].size(), services.size());
  for (const auto& s : services) {
    ASSERT_TRUE(j["services"].contains(s)) << "services." << s;
    // A pod with a cpu_limit may burst above its service's cores.
    const Json& spec = m["services"][s];
    const double burst = spec.contains("pod") && spec["pod"].contains("cpu_limit")
                             ? spec["pod"]["cpu_limit"].get<double>() / spec.value("cores", 1.0)
                             : 1.0;
    check_service(j["services"][s], "/services/" + s, burst);
  }

  // Every estimate anywhere is over the replications asked for.
  int estimates = 0;
  // Per-window peaks need a window closed after the warm-up, a pod's time to ready a pod
  // that became ready, and a node loss's time a loss (models/nodes-zone-loss.json's is at
  // 10 min), and a named phase one that began (scenario 3's spike is at 5 min): in this
  // one-minute run they may be undefined (mean null, n 0), as the results format and
  // docs/phases.md document; every other estimate is defined.
  for_each_estimate(j, "", [&](const std::string& pointer, const Json& e) {
    ++estimates;
    const bool may_be_undefined = pointer.find("/peak/") != std::string::npos ||
                                  pointer.find("/time_to_ready_") != std::string::npos ||
                                  pointer.find("/loss/") != std::string::npos ||
                                  pointer.rfind("/phases/", 0) == 0 ||
                                  queue_service_own_latency(j, pointer);
    if (may_be_undefined && e.is_object() && e.value("n", -1) == 0 && e["mean"].is_null()) return;
    EXPECT_TRUE(is_estimate(e, kReplications)) << pointer;
  });
  EXPECT_GT(estimates, 20);

  // Time series.
  ASSERT_TRUE(j.contains("timeseries") && j["timeseries"].is_object());
  const Json& ts = j["timeseries"];
  ASSERT_TRUE(ts.contains("window_seconds") && ts["window_seconds"].is_number());
  EXPECT_GT(ts["window_seconds"].get<double>(), 0.0);
  ASSERT_TRUE(ts.contains("columns") && ts["columns"].is_array());
  std::vector<std::string> columns;
  for (const auto& c : ts["columns"]) columns.push_back(c.get<std::string>());
  for (const auto& c : kTimeseriesColumns) {
    EXPECT_NE(std::find(columns.begin(), columns.end(), c), columns.end()) << "column " << c;
  }
  ASSERT_TRUE(ts.contains("rows") && ts["rows"].is_array());
  EXPECT_FALSE(ts["rows"].empty());
  for (const auto& row : ts["rows"]) {
    ASSERT_TRUE(row.is_array());
    EXPECT_EQ(row.size(), columns.size()) << row.dump();
  }

  // Performance.
  ASSERT_TRUE(j.contains("performance") && j["performance"].is_object());
  for (const char* key : {"events", "wall_seconds", "events_per_second", "peak_rss_mb"}) {
    ASSERT_TRUE(j["performance"].contains(key)) << "performance." << key;
    EXPECT_TRUE(j["performance"][key].is_number()) << "performance." << key;
  }
  EXPECT_GT(j["performance"]["events"].get<double>(), 0.0);

  // summary.csv: one row per metric, its numbers those of the JSON.
  ASSERT_TRUE(fs::is_regular_file(box / "csv/summary.csv"));
  const auto summary = lines_of(read_text(box / "csv/summary.csv"));
  ASSERT_FALSE(summary.empty());
  EXPECT_EQ(summary[0], "name,mean,ci_lo,ci_hi");
  std::set<std::string> names;
  int cross_checked = 0;
  for (std::size_t i = 1; i < summary.size(); ++i) {
    const auto fields = csv_fields(summary[i]);
    ASSERT_EQ(fields.size(), 4u) << "summary.csv line " << i + 1 << ": " << summary[i];
    EXPECT_FALSE(fields[0].empty()) << summary[i];
    EXPECT_TRUE(names.insert(fields[0]).second) << "duplicate metric " << fields[0];
    const Json e = find_dotted(j, fields[0]);
    if (!is_estimate_object(e)) continue;
    if (e["mean"].is_null()) {  // undefined in every replication: empty fields
      EXPECT_TRUE(fields[1].empty() && fields[2].empty() && fields[3].empty()) << summary[i];
      continue;
    }
    ++cross_checked;
    EXPECT_TRUE(close_to(fields[1], e["mean"].get<double>())) << summary[i] << " vs " << e.dump();
    EXPECT_TRUE(close_to(fields[2], e["ci"][0].get<double>())) << summary[i] << " vs " << e.dump();
    EXPECT_TRUE(close_to(fields[3], e["ci"][1].get<double>())) << summary[i] << " vs " << e.dump();
  }
  EXPECT_GT(cross_checked, 10);
  for (const auto& w : workloads) {
    for (const char* metric : {"throughput_rps", "error_rate", "latency_ms.p99"}) {
      EXPECT_TRUE(names.count("workloads." + w + "." + metric) > 0)
          << "summary.csv lacks "
          << "workloads." << w << "." << metric;
    }
  }
  for (const auto& s : services) {
    EXPECT_TRUE(names.count("services." + s + ".cpu_utilization") > 0)
        << "summary.csv lacks services." << s << ".cpu_utilization";
  }

  // timeseries.csv: the JSON's columns and rows.
  ASSERT_TRUE(fs::is_regular_file(box / "csv/timeseries.csv"));
  const auto timeseries = lines_of(read_text(box / "csv/timeseries.csv"));
  ASSERT_FALSE(timeseries.empty());
  std::string header;
  for (const auto& c : columns) header += (header.empty() ? "" : ",") + c;
  EXPECT_EQ(timeseries[0], header);
  EXPECT_EQ(timeseries.size() - 1, ts["rows"].size());
  for (std::size_t i = 1; i < timeseries.size(); ++i) {
    EXPECT_EQ(csv_fields(timeseries[i]).size(), columns.size()) << timeseries[i];
  }
}

TEST_P(ExampleModel, SummaryNamesEveryWorkloadAndService) {
  Sandbox box;
  const Json m = model();
  const RunResult r = box.run(quick_run_model(model_path()));
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_TRUE(box.entries().empty()) << "a run without -o or --csv wrote files" << r;
  const auto out = lines_of(r.out);
  // A table row starts with the name.
  const auto has_row = [&](const std::string& name) {
    return std::any_of(out.begin(), out.end(), [&](const std::string& line) {
      return line.rfind(name, 0) == 0 && line.size() > name.size() &&
             std::isspace(static_cast<unsigned char>(line[name.size()]));
    });
  };
  for (const auto& w : workload_names(m)) EXPECT_TRUE(has_row(w)) << "workload " << w << r;
  for (const auto& s : service_names(m)) EXPECT_TRUE(has_row(s)) << "service " << s << r;
  EXPECT_NE(r.out.find(m.value("name", "")), std::string::npos) << "model name" << r;
}

INSTANTIATE_TEST_SUITE_P(Models, ExampleModel, ::testing::ValuesIn(example_models()),
                         [](const auto& info) { return test_name_of(info.param); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ExampleModel);

TEST(Run, QuietPrintsNothing) {
  Sandbox box;
  const RunResult r =
      box.run(quick_run(example_model("web-peak.json"), {"--quiet", "-o", "o.json"}));
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_EQ(r.out, "") << r;
  EXPECT_TRUE(fs::is_regular_file(box / "o.json"));
}

TEST(Run, ReplacesAnExistingResultsFileWhole) {
  Sandbox box;
  write_text(box / "out.json", std::string(100000, 'x'));
  const RunResult r = box.run(quick_run(example_model("mm1.json"), {"-q", "-o", "out.json"}));
  ASSERT_EQ(r.status, 0) << r;
  const std::string text = read_text(box / "out.json");
  EXPECT_EQ(text.find(std::string(11, 'x')), std::string::npos);
  EXPECT_TRUE(Json::accept(text));
  EXPECT_EQ(box.entries(), std::vector<std::string>{"out.json"}) << "temporary files left";
}

TEST(Run, VersionAndHelpExitZero) {
  Sandbox box;
  const RunResult version = box.run({"--version"});
  EXPECT_EQ(version.status, 0) << version;
  EXPECT_NE(version.out.find("capsim"), std::string::npos) << version;
  const RunResult help = box.run({"run", "--help"});
  EXPECT_EQ(help.status, 0) << help;
  for (const char* option :
       {"--set", "--seed", "--replications", "--duration", "--threads", "--csv", "--quiet"}) {
    EXPECT_NE(help.out.find(option), std::string::npos) << option << help;
  }
  EXPECT_TRUE(box.entries().empty());
}

}  // namespace
}  // namespace capsim::cli_test
