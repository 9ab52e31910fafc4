// Regression tests for what fuzzing and hardening found (docs/hardening.md): inputs that
// crashed, hung, took quadratic time or unbounded memory in model loading or the engine. Each
// asserts the clear refusal (or the quick success) that replaced the failure.

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "capsim/model/spec.hpp"
#include "capsim/net/resilience.hpp"

namespace {

using capsim::model::Json;
using capsim::model::ModelError;
using capsim::model::parse_json;
namespace fs = std::filesystem;

/// The whole message of the ModelError that `f` throws ("" if it throws none).
template <class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const ModelError& e) {
    return e.what();
  }
  return "";
}

std::string load_error(const Json& doc, const fs::path& base = {}) {
  return message_of([&] { capsim::model::load(doc, base); });
}

std::string parse_error(const std::string& text) {
  return message_of([&] { parse_json(text, "m.json"); });
}

/// A valid model around `middle` (inserted as the first members of the document).
std::string model_text(const std::string& middle = "") {
  return "{" + middle +
         R"("workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
             "services": { "api": { "steps": [ { "work": "5ms" } ] } } })";
}

/// PREFIX followed by the number (appended: GCC 12 warns, -Wrestrict, a false positive, on
/// "literal" + std::to_string(i)).
std::string numbered(const char* prefix, int i) {
  std::string name = prefix;
  name += std::to_string(i);
  return name;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(fs::temp_directory_path() /
              ("capsim-fuzz-regression-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// ---- Parsing --------------------------------------------------------------------------------

TEST(FuzzRegression, DeepNestingIsRefusedBeforeParsing) {
  // 100,000 nested arrays: nlohmann's parser copes, but dumping, comparing or reading them
  // recursively overflows the stack.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(parse_error(deep),
            "m.json: invalid JSON at line 1, column 257: expected at most 256 levels of nested "
            "arrays and objects, found more");
  // Brackets inside strings and comments do not count; 256 levels are fine.
  const std::string ok =
      "// [[[[\n" + std::string(255, '[') + "\"[[[[{{{{\"" + std::string(255, ']') + " /* [[[[ */";
  EXPECT_NO_THROW(parse_json(ok, "m.json"));
  // A "//" comment ends at a carriage return, as nlohmann ends it: the brackets after it count.
  std::string hidden;
  for (int i = 0; i < 300; ++i) hidden += "//\r[";
  EXPECT_NE(parse_error(hidden).find("expected at most 256 levels"), std::string::npos);
}

TEST(FuzzRegression, DeepDocumentsBuiltInMemoryAreRefusedByLoad) {
  Json doc = Json::parse(model_text());
  Json deep = Json::array();
  for (int i = 0; i < 1000; ++i) deep = Json::array({deep});
  doc["description"] = deep;
  const std::string e = load_error(doc);
  EXPECT_EQ(e.rfind("/description/0/0/0/", 0), 0u) << e;
  EXPECT_NE(e.find(": expected at most 256 levels of nested arrays and objects, found more"),
            std::string::npos)
      << e;
}

TEST(FuzzRegression, DuplicateKeysAreRefused) {
  EXPECT_EQ(parse_error(R"({"a": {"b": [1, {"c": 1, "c": 2}]}})"),
            "/a/b/1/c: duplicate key; expected each key once in an object (m.json: line 1, "
            "column 26)");
  EXPECT_EQ(parse_error(R"({"x/y": 1, "x/y": 2})"),
            "/x~1y: duplicate key; expected each key once in an object (m.json: line 1, column "
            "12)");
}

TEST(FuzzRegression, ObjectsWithManyKeysParseInLinearTime) {
  // nlohmann's ordered_json looks up every new key among the previous ones: 200,000 keys took
  // minutes (quadratic).
  std::string text = "{";
  for (int i = 0; i < 200000; ++i) text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
  text += "}";
  const auto start = std::chrono::steady_clock::now();
  const Json doc = parse_json(text, "m.json");
  EXPECT_LT(seconds_since(start), 5.0);
  ASSERT_EQ(doc.size(), 200000u);
  EXPECT_EQ(doc.begin().key(), "k0");
  EXPECT_EQ(doc["k199999"], 0);
}

TEST(FuzzRegression, NumbersBeyondDoublesAreRefusedWithTheirPosition) {
  EXPECT_EQ(parse_error("{\n  \"a\": -1e400}"),
            "m.json: invalid JSON at line 2, column 8: expected a number between -1.8e308 and "
            "1.8e308, found -1e400");
  // A document built in memory: infinity and NaN are refused by load.
  Json doc = Json::parse(model_text());
  doc["workloads"][0]["rate"] = std::numeric_limits<double>::infinity();
  EXPECT_EQ(load_error(doc),
            "/workloads/0/rate: expected a finite number, found one too large to represent "
            "(above 1.8e308)");
  doc["workloads"][0]["rate"] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(load_error(doc), "/workloads/0/rate: expected a number, found NaN");
}

TEST(FuzzRegression, EncodingsAndEmptyTexts) {
  EXPECT_EQ(parse_error(""), "m.json: expected a JSON document, found nothing (an empty file)");
  EXPECT_EQ(parse_error(" \n"), "m.json: expected a JSON document, found only white space");
  EXPECT_EQ(parse_error(std::string("\xFF\xFE{\0}\0", 6)),
            "m.json: expected UTF-8 text, found a UTF-16 byte order mark (save the file as UTF-8)");
  // A UTF-8 byte order mark is skipped.
  EXPECT_EQ(parse_json("\xEF\xBB\xBF{\"a\": 1}", "m.json")["a"], 1);
}

TEST(FuzzRegression, LastReadOfAnUnterminatedStringIsShortened) {
  // nlohmann quotes the whole token read: here the rest of a 1 MB file.
  const std::string text = "{\"a\": \"" + std::string(1000000, 'x');
  const std::string e = parse_error(text);
  EXPECT_LT(e.size(), 300u) << e.substr(0, 300);
  EXPECT_NE(e.find("last read: '\"xxxxxxxx"), std::string::npos) << e;
  EXPECT_NE(e.find("...'"), std::string::npos) << e;
}

TEST(FuzzRegression, OverridesAreParsedLikeFiles) {
  Json doc = Json::parse(model_text());
  // A bare string stays a bare string; JSON refused for its shape stays refused.
  capsim::model::apply_override(doc, "/name=not json {");
  EXPECT_EQ(doc["name"], "not json {");
  EXPECT_EQ(message_of([&] { capsim::model::apply_override(doc, R"(/x={"a": 1, "a": 2})"); }),
            "/x/a: duplicate key; expected each key once in an object (override '/x': line 1, "
            "column 10)");
  EXPECT_NE(message_of([&] {
              capsim::model::apply_override(doc,
                                            "/x=" + std::string(300, '[') + std::string(300, ']'));
            }).find("override '/x': invalid JSON at line 1, column 257"),
            std::string::npos);
}

// ---- Files ----------------------------------------------------------------------------------

TEST(FuzzRegression, DataFilesMustBeRegularFiles) {
  // Reading /dev/zero never ended (and took all memory); a pipe nobody writes to blocked.
  const TempDir dir("devices");
  ASSERT_EQ(::mkfifo((dir.path() / "pipe.csv").c_str(), 0600), 0);
  Json doc = Json::parse(model_text());
  doc["workloads"][0]["rate"] = Json::parse(R"({"trace": "/dev/zero"})");
  EXPECT_EQ(load_error(doc, dir.path()),
            "/workloads/0/rate/trace: cannot read '/dev/zero': expected a regular file, found a "
            "character device");
  doc["workloads"][0]["rate"] = Json::parse(R"({"trace": "pipe.csv"})");
  EXPECT_EQ(load_error(doc, dir.path()), "/workloads/0/rate/trace: cannot read '" +
                                             (dir.path() / "pipe.csv").string() +
                                             "': expected a regular file, found a pipe");
  doc["workloads"][0]["rate"] = 10;
  doc["services"]["api"]["steps"][0]["work"] = Json::parse(R"({"dist": "empirical",
                                                               "file": "/dev/urandom"})");
  EXPECT_EQ(load_error(doc, dir.path()),
            "/services/api/steps/0/work/file: cannot read '/dev/urandom': expected a regular "
            "file, found a character device");
}

TEST(FuzzRegression, FilesOverTheLimitAreRefusedUnread) {
  const TempDir dir("large");
  const fs::path big = dir.path() / "big.json";
  std::ofstream(big).put('{');
  fs::resize_file(big, capsim::model::kMaxInputFileBytes + 1);  // sparse
  EXPECT_EQ(
      message_of([&] { capsim::model::read_json_file(big); }),
      "cannot read '" + big.string() + "': expected a file of at most 64 MiB, found 64.0 MiB");
  fs::resize_file(big, 3 * capsim::model::kMaxInputFileBytes);
  EXPECT_EQ(message_of([&] { capsim::model::read_json_file(big); }),
            "cannot read '" + big.string() + "': expected a file of at most 64 MiB, found 192 MiB");
  EXPECT_EQ(message_of([&] { capsim::model::read_json_file("/dev/zero"); }),
            "cannot read '/dev/zero': expected a regular file, found a character device");
}

TEST(FuzzRegression, ReadingABlankTraceCostsNoMemoryPerLine) {
  // 30 million empty lines once became 30 million strings (about 1 GB).
  const TempDir dir("blank-lines");
  {
    std::ofstream out(dir.path() / "rates.csv");
    out << "0,10\n" << std::string(30'000'000, '\n') << "5,20\n";
  }
  Json doc = Json::parse(model_text());
  doc["workloads"][0]["rate"] = Json::parse(R"({"trace": "rates.csv"})");
  const auto spec = capsim::model::load(doc, dir.path());
  ASSERT_EQ(spec.workloads[0].rate.trace.size(), 2u);
  EXPECT_EQ(spec.workloads[0].rate.trace[1].time_s, 5.0);
}

// ---- Validation of big documents --------------------------------------------------------------

TEST(FuzzRegression, ErrorsBeyondOneHundredAreCounted) {
  // A million bad samples once made a million messages (and a map of every value's pointer).
  Json doc = Json::parse(model_text());
  Json samples = Json::array();
  for (int i = 0; i < 1000000; ++i) samples.push_back("x");
  doc["services"]["api"]["steps"][0]["work"] = {{"dist", "empirical"}, {"samples", samples}};
  try {
    capsim::model::load(doc, {});
    FAIL() << "no error";
  } catch (const ModelError& e) {
    ASSERT_EQ(e.diagnostics().size(), capsim::model::kMaxDiagnostics + 1);
    EXPECT_EQ(e.diagnostics()[0].text(),
              "/services/api/steps/0/work/samples/0: expected a duration such as \"10m\" or a "
              "number of seconds, found \"x\"");
    EXPECT_EQ(e.diagnostics().back().text(),
              "and 999900 more errors (only the first 100 are listed)");
  }
}

TEST(FuzzRegression, DescribingAHugeValueIsCheap) {
  Json doc = Json::parse(model_text());
  doc["description"] = Json::array();
  for (int i = 0; i < 2000000; ++i) doc["description"].push_back(i);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(load_error(doc),
            "/description: expected a string, found [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,1...");
  EXPECT_LT(seconds_since(start), 5.0);
  doc["description"] = Json::object({{std::string(1000000, 'k'), "v"}});
  EXPECT_EQ(load_error(doc),
            "/description: expected a string, found {\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...");
  // A long string used to recurse for ever (a stack overflow the fuzzer found at once).
  doc["description"] = Json::array({std::string(1000000, 's')});
  EXPECT_EQ(load_error(doc),
            "/description: expected a string, found [\"sssssssssssssssssssssssssssssssssss...");
}

TEST(FuzzRegression, ALongCallChainNeedsNoDeepRecursion) {
  // The cycle check was a recursive depth-first search over endpoints: 150,000 endpoints each
  // calling the next overflowed the stack.
  constexpr int n = 150000;
  Json endpoints = Json::object();
  // Appended to the vector beneath the ordered map: its emplace searches the keys (quadratic).
  auto& members = static_cast<std::vector<std::pair<const std::string, Json>>&>(
      endpoints.get_ref<Json::object_t&>());
  for (int i = 0; i < n; ++i) {
    Json steps = Json::array({Json::object({{"work", "1ms"}})});
    if (i + 1 < n) {
      steps.push_back(Json::object({{"call", "api"}, {"endpoint", numbered("e", i + 1)}}));
    }
    members.emplace_back(numbered("e", i), Json::object({{"steps", steps}}));
  }
  Json doc = Json::parse(
      R"({"workloads": [ { "name": "w", "target": "api", "endpoint": "e0", "rate": 1 } ]})");
  doc["services"] = {{"api", {{"endpoints", std::move(endpoints)}}}};
  const auto start = std::chrono::steady_clock::now();
  const auto spec = capsim::model::load(doc, {});
  EXPECT_LT(seconds_since(start), 20.0);
  ASSERT_EQ(spec.services.size(), 1u);
  EXPECT_EQ(spec.services[0].endpoints.size(), static_cast<std::size_t>(n));
  // Closing the chain into a cycle is found, and the message stays short.
  doc["services"]["api"]["endpoints"]["e149999"]["steps"].push_back(
      Json::object({{"call", "api"}, {"endpoint", "e0"}}));
  EXPECT_EQ(load_error(doc),
            "/services/api/endpoints/e0/steps/1/call: expected calls that never lead back to "
            "their caller, found a call cycle: api.e0 -> api.e1 -> api.e2 -> api.e3 -> api.e4 -> "
            "... -> api.e149995 -> api.e149996 -> api.e149997 -> api.e149998 -> api.e149999 -> "
            "api.e0 (150000 endpoints)");
}

TEST(FuzzRegression, ServicesAndWorkloadsAreAtMostAThousand) {
  // 100,000 services (a 4 MB model) took 19.6 GB and ten minutes: each keeps about 200 KB of
  // statistics per running replication; a workload about 130 KB.
  Json doc = Json::parse(model_text());
  for (int i = 0; i < 1000; ++i) doc["services"][numbered("s", i)] = {{"steps", {{{"work", 1}}}}};
  EXPECT_EQ(load_error(doc), "/services: expected at most 1000 services, found 1001");
  doc = Json::parse(model_text());
  for (int i = 1; i <= 1000; ++i) {
    doc["workloads"].push_back({{"name", numbered("w", i)}, {"target", "api"}, {"rate", 1}});
  }
  EXPECT_EQ(load_error(doc), "/workloads: expected at most 1000 workloads, found 1001");
  doc["workloads"].erase(1000);
  EXPECT_EQ(load_error(doc), "");
}

TEST(FuzzRegression, UnknownNamesAmongManyServicesListTwenty) {
  Json doc = Json::parse(model_text());
  for (int i = 0; i < 999; ++i) doc["services"][numbered("s", i)] = {{"steps", {{{"work", 1}}}}};
  doc["workloads"][0]["target"] = "nope";
  EXPECT_EQ(load_error(doc),
            "/workloads/0/target: expected the name of a service (api, s0, s1, s2, s3, s4, s5, "
            "s6, s7, s8, s9, s10, s11, s12, s13, s14, s15, s16, s17, s18, ... (1000 in all)), "
            "found \"nope\"");
}

TEST(FuzzRegression, MissingServicesIsOneError) {
  // Every workload's target used to be reported too, against an empty list of services.
  const Json doc = Json::parse(R"({"workloads": [ { "name": "w", "target": "api", "rate": 1 } ],
                                    "faults": [ { "at": 1, "kind": "outage", "service": "api",
                                                  "duration": 1 } ]})");
  EXPECT_EQ(load_error(doc), "/services: missing; expected an object of services by name");
}

TEST(FuzzRegression, MemoryBoundsOfReplicasKeysAndHealthChecks) {
  // 100 services of 100,000 replicas took 1.9 GB per replication; a cache of 10^8 keys 2.5 GB;
  // a health check with max_fails 2^31 - 1 asked for 16 GB per replica.
  Json doc = Json::parse(model_text());
  for (int i = 0; i < 10; ++i) {
    doc["services"][numbered("s", i)] = {{"replicas", 100000}, {"steps", {{{"work", 1}}}}};
  }
  EXPECT_EQ(load_error(doc),
            "/services/s9: expected at most 1000000 replicas in all services together "
            "(autoscaling maxima included), found 1000001 up to this service");
  doc = Json::parse(model_text());
  doc["services"]["api"]["autoscaling"] = {{"kind", "hpa"}, {"max", 100000}};
  for (int i = 0; i < 9; ++i) {
    doc["services"][numbered("s", i)] = {{"replicas", 100000}, {"steps", {{{"work", 1}}}}};
  }
  EXPECT_EQ(load_error(doc), "");  // exactly 1,000,000
  doc["services"]["api"]["autoscaling"]["max"] = 100001;
  EXPECT_EQ(load_error(doc),
            "/services/api/autoscaling/max: expected an integer from 1 to 100000, found 100001");

  doc = Json::parse(model_text());
  for (const char* name : {"c1", "c2"}) {
    doc["services"][name] = {{"kind", "cache"}, {"backend", "api"}, {"keys", {{"count", 6000000}}}};
  }
  EXPECT_EQ(load_error(doc),
            "/services/c2/keys/count: expected at most 10000000 keys in all caches together, "
            "found 12000000 up to this cache");

  doc = Json::parse(model_text());
  doc["services"]["api"]["load_balancer"] = {{"health", {{"max_fails", 2147483647}}}};
  EXPECT_EQ(load_error(doc),
            "/services/api/load_balancer/health/max_fails: expected an integer from 1 to 100, "
            "found 2147483647");
}

// ---- Found by the fuzzer in the engine ----------------------------------------------------------

TEST(FuzzRegression, SlidingWindowOfPicosecondsHasNoOverflow) {
  // A circuit breaker's window of 1e-300 s made the bucket number 1e299, cast to an integer
  // (undefined behaviour; in practice the counts never rolled out of the window).
  capsim::net::SlidingCounter counter(1e-300);
  counter.add(1.0, 5, 2);
  EXPECT_EQ(counter.total(2.0), 0u);
  EXPECT_EQ(counter.marked(2.0), 0u);
  counter.add(3.0, 1, 0);
  EXPECT_EQ(counter.total(4.0), 0u);
  // A normal window still counts.
  capsim::net::SlidingCounter normal(10.0);
  normal.add(1.0, 5, 2);
  EXPECT_EQ(normal.total(2.0), 5u);
  EXPECT_EQ(normal.total(12.0), 0u);
}

TEST(FuzzRegression, MetricWindowSpansAtMostAThousandSyncPeriods) {
  // latency_p95 keeps a histogram per sync period of the metric window: a 100 h window synced
  // every millisecond asked for 360 million histograms.
  Json doc = Json::parse(model_text());
  doc["services"]["api"]["autoscaling"] = Json::parse(
      R"({"kind": "hpa", "max": 3, "metric": "latency_p95", "target": "100ms",
          "sync_period": "1ms", "metric_window": "100h"})");
  EXPECT_EQ(load_error(doc),
            "/services/api/autoscaling/metric_window: expected a metric window of at most 1000 "
            "sync periods (1 s), found 360000 s");
  doc["services"]["api"]["autoscaling"]["metric_window"] = "1s";
  EXPECT_EQ(load_error(doc), "");
  doc["services"]["api"]["autoscaling"] = Json::parse(
      R"({"kind": "keda", "max": 3, "metric": "rps", "target": 10, "polling_interval": "10ms"})");
  EXPECT_EQ(load_error(doc),
            "/services/api/autoscaling/metric_window: expected a metric window of at most 1000 "
            "sync periods or polling intervals (10 s), found 30 s");
}

TEST(FuzzRegression, CountDistributionsHaveABoundedMean) {
  // A constant count is at most 1,000,000; a distribution could mean a billion calls each time.
  Json doc = Json::parse(model_text());
  doc["services"]["db"] = Json::parse(R"({"steps": [{"work": "1ms"}]})");
  doc["services"]["api"]["steps"].push_back(
      Json::parse(R"({"call": "db", "count": {"dist": "exponential", "mean": 1e7}})"));
  EXPECT_EQ(load_error(doc),
            "/services/api/steps/1/count: expected a count distribution with a mean of at most "
            "1000000, found a mean of 10000000");
  doc["services"]["api"]["steps"][1]["count"]["mean"] = 3;
  EXPECT_EQ(load_error(doc), "");
}

}  // namespace
