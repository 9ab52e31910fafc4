// Placement, shared cores and topology spread through the command line (docs/nodes.md): a bad
// `nodes.placement`, pod `cpu_limit` or `topology_spread` in a model file is
// refused by run and validate with exit status 2, one message naming the JSON Pointer with what
// was expected and what was found, and nothing written.

#include <string>
#include <vector>

#include "bad_model_check.hpp"

namespace capsim::cli_test {
namespace {

struct BadKey {
  std::string name;
  std::string nodes;    ///< extra keys of "nodes" (after its pools)
  std::string pod;      ///< extra keys of the api's "pod" (after its pool)
  std::string message;  ///< stderr without "capsim: " and the newline
};

void PrintTo(const BadKey& c, std::ostream* os) {
  *os << c.name;
}

const std::vector<BadKey>& cases() {
  static const std::vector<BadKey> list = {
      {"placement_typo", R"("placement": "most_alocated")", "",
       "/nodes/placement: expected one of first_fit, least_allocated, most_allocated, found "
       "\"most_alocated\"; did you mean 'most_allocated'?"},
      {"placement_not_a_string", R"("placement": 1)", "",
       "/nodes/placement: expected one of first_fit, least_allocated, most_allocated, found 1"},
      {"limit_below_request", "", R"("cores": 2, "cpu_limit": 1)",
       "/services/api/pod/cpu_limit: expected a CPU limit at least the pod's request (2 cores), "
       "found 1"},
      {"limit_zero", "", R"("cpu_limit": 0)",
       "/services/api/pod/cpu_limit: expected a number > 0, found 0"},
      {"limit_not_a_number", "", R"("cpu_limit": "2 cores")",
       "/services/api/pod/cpu_limit: expected a number > 0, found \"2 cores\""},
      {"limit_typo", "", R"("cpu_limt": 2)",
       "/services/api/pod/cpu_limt: unknown key; did you mean 'cpu_limit'?"},
      {"spread_zone_without_zones", "", R"("topology_spread": [{"topology": "zone"}])",
       "/services/api/pod/topology_spread/0/topology: expected a pool with \"zones\" for a zone "
       "constraint, found pool 'p' without zones"},
      {"spread_skew_zero", "", R"("topology_spread": [{"topology": "node", "max_skew": 0}])",
       "/services/api/pod/topology_spread/0/max_skew: expected an integer from 1 to 100000, "
       "found 0"},
  };
  return list;
}

class NodesInput : public ::testing::TestWithParam<BadKey> {};

TEST_P(NodesInput, RefusedWithOneMessageAndNothingWritten) {
  const BadKey& c = GetParam();
  Sandbox box;
  const fs::path model = box.work().parent_path() / "model.json";
  const std::string nodes = c.nodes.empty() ? "" : ", " + c.nodes;
  const std::string pod = c.pod.empty() ? "" : ", " + c.pod;
  write_text(model, R"({ "simulation": { "duration": "10s", "replications": 1 },
  "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
  "nodes": { "pools": { "p": { "cores": 4, "memory_mib": 8192, "min": 1, "max": 1 } })" +
                        nodes + R"( },
  "services": { "api": { "steps": [ { "work": "1ms" } ], "pod": { "pool": "p")" +
                        pod + " } } }\n}\n");
  expect_model_refused(box, model, c.message);
}

INSTANTIATE_TEST_SUITE_P(Keys, NodesInput, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return test_name_of(info.param.name); });

}  // namespace
}  // namespace capsim::cli_test
