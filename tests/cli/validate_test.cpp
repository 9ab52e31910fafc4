// `capsim validate MODEL`: exit 0 and a description of the model, or exit 2.

#include <string>
#include <vector>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

bool has_line_starting(const std::string& text, const std::string& prefix) {
  for (const auto& line : lines_of(text)) {
    if (line.find_first_not_of(' ') != std::string::npos &&
        line.substr(line.find_first_not_of(' ')).rfind(prefix, 0) == 0) {
      return true;
    }
  }
  return false;
}

TEST(Validate, WebPeakListsWorkloadsAndServices) {
  Sandbox box;
  const RunResult r = box.run({"validate", example_model("web-peak.json").string()});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("web-peak"), std::string::npos) << r;
  EXPECT_NE(r.out.find("valid"), std::string::npos) << r;
  EXPECT_TRUE(has_line_starting(r.out, "workload browse")) << r;
  for (const char* s : {"lb", "api", "db"}) {
    EXPECT_TRUE(has_line_starting(r.out, std::string("service ") + s)) << s << r;
  }
  EXPECT_TRUE(box.entries().empty()) << "validate wrote files";
}

TEST(Validate, EveryExampleModelIsValid) {
  Sandbox box;
  for (const auto& file : example_models()) {
    const Json m = read_json(example_model(file));
    const RunResult r = box.run({"validate", example_model(file).string()});
    ASSERT_EQ(r.status, 0) << r;
    for (const auto& w : workload_names(m)) {
      EXPECT_TRUE(has_line_starting(r.out, "workload " + w)) << file << ": " << w << r;
    }
    for (const auto& s : service_names(m)) {
      EXPECT_TRUE(has_line_starting(r.out, "service " + s)) << file << ": " << s << r;
    }
  }
  EXPECT_TRUE(box.entries().empty());
}

TEST(Validate, SaysWhatShapesEachServicesCapacity) {
  // The autoscaler, the pods' node pool and the node pool itself; a replicas --set that the
  // autoscaler's bounds undo is warned about.
  Sandbox box;
  const RunResult r = box.run({"validate", example_model("nodes-cluster-autoscaler.json").string(),
                               "--set", "/services/api/replicas=200"});
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_NE(r.out.find("  service api: 20 replicas x 1 core, 64 workers, 1 endpoint, autoscaling "
                       "hpa 2..20 on cpu 60%, pods of 1 core and 1536 MiB on pool general\n"),
            std::string::npos)
      << r;
  EXPECT_TRUE(has_line_starting(r.out, "service db: 1 replica x 8 cores")) << r;
  EXPECT_TRUE(has_line_starting(r.out, "node pool general: ")) << r;
  EXPECT_NE(r.err.find("warning: /services/api/replicas: 200 is above the autoscaler's max: the "
                       "service starts with 20 (an HPA keeps the count within [min, max])"),
            std::string::npos)
      << r;
}

TEST(Validate, BadModelExitsTwo) {
  Sandbox box;
  const RunResult r = box.run({"validate", fixture("unknown_key.json").string()});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_NE(r.err.find("/services/api/replcas"), std::string::npos) << r;
  EXPECT_EQ(r.out, "") << r;
}

TEST(Validate, MissingModelExitsTwo) {
  Sandbox box;
  const RunResult r = box.run({"validate", "no-such-model.json"});
  EXPECT_EQ(r.status, 2) << r;
  EXPECT_NE(r.err.find("no-such-model.json"), std::string::npos) << r;
}

}  // namespace
}  // namespace capsim::cli_test
