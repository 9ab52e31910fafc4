// Golden outputs: the fixed-seed results of every example model (models/*.json, 2 replications on
// one thread) are committed in tests/golden/; this test runs each model again and compares the
// results field by field, so that any change of answers is deliberate. After a deliberate change,
// regenerate them with scripts/update-golden.sh and explain the change in the commit.

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <set>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

/// Field-by-field comparison; appends "POINTER: expected X, found Y" for each difference (at most
/// `limit`). Numbers agree within a relative 1e-9 (a different compiler or libm may round the
/// last bits differently; answers that change do so by far more).
void compare(const Json& expected, const Json& found, const std::string& pointer,
             std::vector<std::string>& out, std::size_t limit = 20) {
  if (out.size() >= limit) return;
  const auto differ = [&] {
    out.push_back((pointer.empty() ? "/" : pointer) + ": expected " + expected.dump() + ", found " +
                  found.dump());
  };
  if (expected.is_number() && found.is_number()) {
    const double a = expected.get<double>(), b = found.get<double>();
    if (!(std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b)) || a == b)) differ();
    return;
  }
  if (expected.type() != found.type()) {
    differ();
    return;
  }
  if (expected.is_object()) {
    for (const auto& [key, value] : expected.items()) {
      // Wall time, memory and the version string are not answers.
      if (pointer.empty() && (key == "performance" || key == "capsim_version")) continue;
      if (!found.contains(key)) {
        out.push_back(pointer + "/" + key + ": expected " + value.dump().substr(0, 80) +
                      ", found nothing");
        continue;
      }
      compare(value, found[key], pointer + "/" + key, out, limit);
    }
    for (const auto& [key, value] : found.items()) {
      if (!expected.contains(key) && out.size() < limit) {
        out.push_back(pointer + "/" + key + ": expected nothing, found " +
                      value.dump().substr(0, 80));
      }
    }
    return;
  }
  if (expected.is_array()) {
    if (expected.size() != found.size()) {
      out.push_back(pointer + ": expected " + std::to_string(expected.size()) +
                    " elements, found " + std::to_string(found.size()));
    }
    for (std::size_t i = 0; i < std::min(expected.size(), found.size()); ++i) {
      compare(expected[i], found[i], pointer + "/" + std::to_string(i), out, limit);
    }
    return;
  }
  if (expected != found) differ();
}

std::vector<std::string> example_models() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(source_dir() / "models")) {
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(Golden, EveryExampleModelHasAGoldenOutput) {
  std::set<std::string> golden;
  for (const auto& e : fs::directory_iterator(source_dir() / "tests" / "golden")) {
    golden.insert(e.path().stem().string());
  }
  for (const std::string& name : example_models()) {
    EXPECT_TRUE(golden.count(name)) << "models/" << name << ".json has no tests/golden/" << name
                                    << ".json: run scripts/update-golden.sh";
    golden.erase(name);
  }
  EXPECT_TRUE(golden.empty()) << "golden outputs of models that no longer exist: "
                              << *golden.begin();
}

class GoldenOutput : public ::testing::TestWithParam<std::string> {};

/// The limit of one golden run: 120 s, multiplied by the environment's
/// CAPSIM_TEST_TIMEOUT_FACTOR (a whole number from 2 to 100), which scripts/sanitize.sh sets: the
/// sanitized binary is several times slower, and the longest golden (daily-cycle) passed 120 s
/// under the sanitizers on a two-core machine.
std::chrono::seconds golden_run_limit() {
  std::chrono::seconds limit(120);
  if (const char* factor = std::getenv("CAPSIM_TEST_TIMEOUT_FACTOR")) {
    const long f = std::strtol(factor, nullptr, 10);
    if (f > 1 && f <= 100) limit *= f;
  }
  return limit;
}

TEST_P(GoldenOutput, MatchesFieldByField) {
  const std::string name = GetParam();
  const fs::path golden = source_dir() / "tests" / "golden" / (name + ".json");
  if (!fs::exists(golden)) GTEST_SKIP() << "no golden output (see the test above)";
  Sandbox box;
  const RunResult r = box.run({"run", example_model(name + ".json").string(), "--replications", "2",
                               "--threads", "1", "-q", "-o", "out.json"},
                              golden_run_limit());
  ASSERT_EQ(r.status, 0) << r;
  std::vector<std::string> differences;
  compare(read_json(golden), read_json(box / "out.json"), "", differences);
  std::string text;
  for (const std::string& d : differences) text += "\n  " + d;
  EXPECT_TRUE(differences.empty())
      << "models/" << name
      << ".json no longer gives its golden answers (first differences):" << text
      << "\nIf the change is deliberate, run scripts/update-golden.sh and explain it in the "
         "commit.";
}

INSTANTIATE_TEST_SUITE_P(Models, GoldenOutput, ::testing::ValuesIn(example_models()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace capsim::cli_test
