// An unstable model (load far above capacity, unlimited queue) ends quickly: the service is
// declared saturated once simulation.max_queue requests wait, and the results say so.

#include <string>
#include <vector>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

bool mentions(const std::string& text, const std::string& a, const std::string& b) {
  for (const auto& line : lines_of(text)) {
    if (line.find(a) != std::string::npos && line.find(b) != std::string::npos) return true;
  }
  return false;
}

TEST(Saturation, UnstableModelEndsQuicklyAndSaysSo) {
  Sandbox box;
  // M/M/1 with mean service 100 ms (capacity 10/s) offered 100/s for ten minutes.
  const RunResult r =
      box.run({"run", example_model("mm1.json").string(), "--set", "/workloads/0/rate=100", "--set",
               "/simulation/max_queue=1000", "--set", "/simulation/warmup=10s", "--duration", "10m",
               "--replications", "2", "--threads", "2", "-o", "out.json"},
              std::chrono::seconds(60));
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_LT(r.wall_seconds, 20.0) << r;
  const Json j = read_json(box / "out.json");
  const Json& server = j["services"]["server"];
  ASSERT_TRUE(server.contains("saturated")) << server.dump();
  ASSERT_TRUE(server["saturated"].is_number()) << server["saturated"];
  EXPECT_EQ(server["saturated"].get<double>(), 1.0);

  ASSERT_TRUE(j.contains("notices") && j["notices"].is_array()) << j.dump();
  bool noticed = false;
  for (const auto& n : j["notices"]) {
    const std::string text = n.is_string() ? n.get<std::string>() : n.dump();
    if (text.find("server") != std::string::npos && text.find("saturated") != std::string::npos) {
      noticed = true;
    }
  }
  EXPECT_TRUE(noticed) << j["notices"].dump();
  EXPECT_TRUE(mentions(r.out, "server", "saturated")) << r;

  // Saturation bounds the queue: later arrivals are rejected.
  EXPECT_GT(j["workloads"]["jobs"]["errors"]["rejected"]["mean"].get<double>(), 0.5);
  EXPECT_LE(server["queue_length"]["mean"].get<double>(), 1000.0 * 1.01);
}

TEST(Saturation, StableModelIsNotSaturated) {
  Sandbox box;
  const RunResult r = box.run(quick_run(example_model("web-peak.json"), {"-o", "out.json"}));
  ASSERT_EQ(r.status, 0) << r;
  const Json j = read_json(box / "out.json");
  for (const auto& [name, s] : j["services"].items()) {
    EXPECT_EQ(s.value("saturated", 0.0), 0.0) << name;
  }
  for (const auto& n : j.value("notices", Json::array())) {
    EXPECT_EQ(n.dump().find("saturated"), std::string::npos) << n.dump();
  }
  EXPECT_EQ(r.out.find("saturated"), std::string::npos) << r;
}

}  // namespace
}  // namespace capsim::cli_test
