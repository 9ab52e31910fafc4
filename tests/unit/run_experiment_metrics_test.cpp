// The catalogue of metric names (run::metric_names) against what a replication really reports:
// for every model of models/, the same names in the same order.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "capsim/model/load.hpp"
#include "capsim/net/network.hpp"
#include "capsim/run/experiment.hpp"
#include "test_paths.hpp"

namespace {

namespace fs = std::filesystem;
namespace model = capsim::model;
namespace net = capsim::net;
namespace run = capsim::run;

std::vector<fs::path> model_files() {
  std::vector<fs::path> files;
  for (const auto& entry :
       fs::directory_iterator(fs::path(capsim::test::source_dir_path()) / "models")) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// The dotted names of the metrics of a short replication of `spec`.
std::vector<std::string> simulated_names(model::Spec spec) {
  spec.simulation.duration_s = std::min(spec.simulation.duration_s, 5.0);
  spec.simulation.warmup_s = 0.0;
  net::ReplicationOptions options;
  options.max_events = 5'000'000;
  std::vector<std::string> names;
  for (const auto& m : net::simulate(spec, options).metrics) names.push_back(m.dotted());
  return names;
}

TEST(MetricCatalogue, NamesEveryMetricOfEveryModelInResultsOrder) {
  const std::vector<fs::path> files = model_files();
  ASSERT_GE(files.size(), 10U);
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    const model::Spec spec = model::load(model::read_json_file(file), file.parent_path());
    EXPECT_EQ(run::metric_names(spec), simulated_names(spec));
  }
}

model::Spec load_text(const char* text) {
  return model::load(model::Json::parse(text), ".");
}

bool holds(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(MetricCatalogue, OptionalMetricsFollowTheModelsFeatures) {
  const auto plain = run::metric_names(load_text(R"({ "name": "m",
    "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
    "services": { "api": { "steps": [ { "work": "5ms" } ] } } })"));
  EXPECT_EQ(plain.front(), "workloads.w.offered_rps");
  // The per-window peaks come last, after every workload's and service's own metrics.
  EXPECT_EQ(plain.back(), "services.api.peak.cpu_utilization");
  EXPECT_TRUE(holds(plain, "services.api.saturated"));
  EXPECT_TRUE(holds(plain, "workloads.w.peak.offered_rps"));
  for (const char* absent : {"workloads.w.users", "services.api.cost", "services.api.dropped",
                             "services.api.hit_ratio", "services.api.queries_per_request"}) {
    EXPECT_FALSE(holds(plain, absent)) << absent;
  }
  const model::Spec featured = load_text(R"({ "name": "m",
    "workloads": [ { "name": "w", "kind": "closed", "target": "api", "users": 5,
                     "think_time": "1s" } ],
    "services": { "api": { "steps": [ { "work": "5ms" }, { "call": "db" } ], "drop_expired": true,
                           "price_per_replica_hour": 0.1 },
                  "db": { "kind": "database", "read_replicas": 1, "work": "1ms" } } })");
  const auto names = run::metric_names(featured);
  for (const char* present :
       {"workloads.w.users", "services.api.cost", "services.api.dropped",
        "services.db.primary.cpu_utilization", "services.db.read_replicas.worker_utilization"}) {
    EXPECT_TRUE(holds(names, present)) << present;
  }
  EXPECT_EQ(names, simulated_names(featured));
  // Named phases: their metrics in the catalogue, in the summary's order.
  const model::Spec phased = load_text(R"({ "name": "m",
    "simulation": { "duration": "60s", "phases": [ { "name": "spike", "from": "10s", "to": "20s" } ] },
    "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
    "services": { "api": { "steps": [ { "work": "5ms" } ] } } })");
  const auto phase_names = run::metric_names(phased);
  EXPECT_TRUE(holds(phase_names, "phases.spike.workloads.w.latency_ms.p99"));
  EXPECT_TRUE(holds(phase_names, "phases.spike.services.api.cpu_utilization"));
  EXPECT_EQ(phase_names, simulated_names(phased));
  // With per_endpoint as well: each endpoint over each phase.
  const model::Spec phased_endpoints = load_text(R"({ "name": "m",
    "simulation": { "duration": "60s", "per_endpoint": true,
                    "phases": [ { "name": "spike", "from": "10s", "to": "20s" } ] },
    "workloads": [ { "name": "w", "target": "api", "rate": 10, "endpoint": "get" } ],
    "services": { "api": { "endpoints": { "get": { "steps": [ { "work": "5ms" } ] },
                                          "put": { "steps": [ { "work": "9ms" } ] } } } } })");
  const auto endpoint_names = run::metric_names(phased_endpoints);
  EXPECT_TRUE(holds(endpoint_names, "phases.spike.services.api.endpoints.put.latency_ms.p99"));
  EXPECT_EQ(endpoint_names, simulated_names(phased_endpoints));
}

}  // namespace

namespace {

TEST(MetricCatalogue, QueueBatchMetricsOnlyWithBatches) {
  // A queue with batch_size > 1 reports batches and batch_size.mean (after oldest_age_s.max);
  // with batch_size 1 it does not.
  const char* batched = R"({ "name": "m",
    "workloads": [ { "name": "w", "target": "q", "rate": 50 } ],
    "services": { "q": { "kind": "queue", "consumer": "c", "batch_size": 4 },
                  "c": { "steps": [ { "work": "2ms" } ] } } })";
  const model::Spec spec = load_text(batched);
  const auto names = run::metric_names(spec);
  EXPECT_EQ(names, simulated_names(spec));
  EXPECT_TRUE(holds(names, "services.q.queue.batch_size.mean"));
  EXPECT_TRUE(holds(names, "services.q.queue.batches"));
  model::Spec single = spec;
  single.services[*single.service_index("q")].queue->batch_size = 1;
  EXPECT_FALSE(holds(run::metric_names(single), "services.q.queue.batches"));
  EXPECT_EQ(run::metric_names(single), simulated_names(single));
}

}  // namespace
