// Kubernetes capacity keys through the command line (docs/nodes.md): a database's pod, node
// losses' NotReady detection and PodDisruptionBudgets; a bad value is refused by run and
// validate with exit status 2, one message naming the JSON Pointer with what was expected and
// what was found, and nothing written.

#include <string>
#include <vector>

#include "bad_model_check.hpp"

namespace capsim::cli_test {
namespace {

struct BadModel {
  std::string name;
  std::string services;  ///< the "services" object's members after api
  std::string faults;    ///< the "faults" array's items
  std::string message;   ///< stderr without "capsim: " and the newline
};

void PrintTo(const BadModel& c, std::ostream* os) {
  *os << c.name;
}

const std::vector<BadModel>& cases() {
  static const std::vector<BadModel> list = {
      {"database_pod_default_cores",
       R"("db": { "kind": "database", "work": "2ms", "pod": { "pool": "p" } })", "",
       "/services/db/pod: expected a pod that fits on a node of pool 'p' (at most 4 cores), found "
       "a request of 100 cores (the service's default)"},
      {"detection_typo", "",
       R"({ "at": "10s", "kind": "node_loss", "pool": "p", "nodes": 1, "detection": "k8s" })",
       "/faults/0/detection: expected one of immediate, kubernetes, found \"k8s\""},
      {"detection_restored_before_eviction", "",
       R"({ "at": "10s", "kind": "node_loss", "pool": "p", "nodes": 1, "detection": "kubernetes",
            "restore_after": "1m" })",
       "/faults/0/restore_after: expected at least not_ready_after + evict_after (350 s): a node "
       "that comes back before its pods are evicted is not modelled, found 60 s"},
      {"evict_after_with_immediate", "",
       R"({ "at": "10s", "kind": "node_loss", "pool": "p", "nodes": 1, "detection": "immediate",
            "evict_after": "1m" })",
       "/faults/0/evict_after: only with \"detection\": \"kubernetes\" (the loss is known at once "
       "with \"detection\": \"immediate\")"},
      {"budget_both",
       R"("y": { "steps": [ { "work": "1ms" } ], "pod": { "pool": "p", "disruption_budget":
             { "min_available": 1, "max_unavailable": 1 } } })",
       "",
       "/services/y/pod/disruption_budget/max_unavailable: expected one of min_available and "
       "max_unavailable, found both (a PodDisruptionBudget has one)"},
      {"budget_percent_over_100",
       R"("y": { "steps": [ { "work": "1ms" } ], "pod": { "pool": "p", "disruption_budget":
             { "max_unavailable": "120%" } } })",
       "",
       "/services/y/pod/disruption_budget/max_unavailable: expected a number of pods from 0 to "
       "100000 or a percentage up to 100%, such as \"50%\", found \"120%\""},
  };
  return list;
}

class K8sInput : public ::testing::TestWithParam<BadModel> {};

TEST_P(K8sInput, RefusedWithOneMessageAndNothingWritten) {
  const BadModel& c = GetParam();
  Sandbox box;
  const fs::path model = box.work().parent_path() / "model.json";
  const std::string services = c.services.empty() ? "" : ", " + c.services;
  write_text(model, R"({ "simulation": { "duration": "10s", "replications": 1 },
  "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
  "nodes": { "pools": { "p": { "cores": 4, "memory_mib": 8192, "min": 1, "max": 2,
                               "provisioning_time": "60s" } } },
  "services": { "api": { "steps": [ { "work": "1ms" } ], "pod": { "pool": "p" } })" +
                        services + R"( },
  "faults": [ )" + c.faults +
                        " ]\n}\n");
  expect_model_refused(box, model, c.message);
}

INSTANTIATE_TEST_SUITE_P(Keys, K8sInput, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return test_name_of(info.param.name); });

}  // namespace
}  // namespace capsim::cli_test
