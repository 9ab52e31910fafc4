// A catalogue of malformed models, one problem each (tests/cli/malformed/*.json, and inputs
// made at test time: huge, deeply nested, binary, devices, pipes). `capsim run` and
// `capsim validate` refuse every one with exit status 2 and exactly one message, which names
// where (a JSON Pointer, or the line and column of a syntax error), what was expected and what
// was found; nothing is written, and no input takes more than 5 s of processor time or 1 GiB.

#include <sys/resource.h>
#include <sys/stat.h>

#include <functional>
#include <string>
#include <vector>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

constexpr int kBadInput = 2;

fs::path catalogue_dir() {
  return source_dir() / "tests" / "cli" / "malformed";
}

struct Case {
  /// The test's name; also the file tests/cli/malformed/NAME.json unless `make` is set.
  std::string name;
  /// The whole of stderr without "capsim: " and the final newline. "{model}" stands for the
  /// model's path and "{dir}" for its folder.
  std::string message;
  /// Writes the model into the given folder and returns its path (inputs that are made, not
  /// stored: huge, binary, special files).
  std::function<fs::path(const fs::path&)> make;
};

/// gtest names a failing case by this (instead of the bytes of the struct).
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

/// A valid model's text around `middle` (one workload, one service): the made inputs put
/// their one problem there.
std::string model_with(const std::string& middle) {
  return "{\n  \"simulation\": { \"duration\": \"10s\", \"replications\": 1 },\n" + middle +
         "  \"workloads\": [ { \"name\": \"w\", \"target\": \"api\", \"rate\": 10 } ],\n"
         "  \"services\": { \"api\": { \"steps\": [ { \"work\": \"5ms\" } ] } }\n}\n";
}

fs::path write_model(const fs::path& dir, const std::string& text) {
  const fs::path path = dir / "model.json";
  write_text(path, text);
  return path;
}

const std::vector<Case>& catalogue() {
  static const std::vector<Case> cases = {
      // ---- The file and its syntax ----------------------------------------------------------
      {"empty_file", "{model}: expected a JSON document, found nothing (an empty file)", {}},
      {"whitespace_only", "{model}: expected a JSON document, found only white space",
       [](const fs::path& dir) { return write_model(dir, "  \n\t\r\n  "); }},
      {"trailing_garbage",
       "{model}: invalid JSON at line 5, column 1: syntax error while parsing value - "
       "unexpected '}'; expected end of input",
       {}},
      {"truncated",
       "{model}: invalid JSON at line 4, column 1: syntax error while parsing array - "
       "unexpected end of input; expected ']'",
       {}},
      {"single_quotes",
       "{model}: invalid JSON at line 2, column 3: syntax error while parsing object key - "
       "invalid literal; last read: '{<U+000A>  ''; expected string literal",
       {}},
      {"unterminated_comment",
       "{model}: invalid JSON at line 5, column 1: syntax error while parsing object key - "
       "invalid comment; missing closing '*/'; last read: '10 } ], /* the rate<U+000A>  "
       "\"service...'; expected string literal",
       {}},
      {"not_an_object",
       "expected a model: a JSON object, found [{\"name\":\"w\",\"target\":\"api\",\"rate\":10}]",
       {}},
      {"nan_literal",
       "{model}: invalid JSON at line 2, column 58: syntax error while parsing value - invalid "
       "literal; last read: '\"rate\": N'",
       {}},
      {"number_overflow",
       "{model}: invalid JSON at line 2, column 58: expected a number between -1.8e308 and "
       "1.8e308, found 1e999",
       {}},
      {"duplicate_key",
       "/services/api/replicas: duplicate key; expected each key once in an object",
       {}},
      {"duplicate_service",
       "/services/api: duplicate key; expected each key once in an object",
       {}},
      {"invalid_utf8",
       "{model}: invalid JSON at line 3, column 23: syntax error while parsing value - invalid "
       "string: ill-formed UTF-8 byte; last read: '\"caf<0xE9>\"'",
       [](const fs::path& dir) {
         return write_model(dir, model_with("  \"description\": \"caf\xE9\",\n"));
       }},
      {"utf16_byte_order_mark",
       "{model}: expected UTF-8 text, found a UTF-16 byte order mark (save the file as UTF-8)",
       [](const fs::path& dir) {
         std::string text = "\xFF\xFE";
         for (const char c : model_with("")) text += std::string{c, '\0'};
         return write_model(dir, text);
       }},
      {"utf8_byte_order_mark_then_unknown_key",
       "/simulation/replcations: unknown key; did you mean 'replications'?",
       [](const fs::path& dir) {
         return write_model(dir, "\xEF\xBB\xBF" + replace_all(model_with(""), "\"replications\"",
                                                              "\"replcations\""));
       }},
      {"nested_100000_deep",
       "{model}: invalid JSON at line 3, column 273: expected at most 256 levels of nested arrays "
       "and objects, found more",
       [](const fs::path& dir) {
         return write_model(dir, model_with("  \"description\": " + std::string(100000, '[') +
                                            std::string(100000, ']') + ",\n"));
       }},
      {"nested_257_deep_objects",
       "{model}: invalid JSON at line 1, column 1281: expected at most 256 levels of nested "
       "arrays and objects, found more",
       [](const fs::path& dir) {
         std::string text;
         for (int i = 0; i < 257; ++i) text += "{\"a\":";
         text += "1";
         for (int i = 0; i < 257; ++i) text += "}";
         return write_model(dir, text);
       }},
      {"whitespace_50_megabytes",
       "{model}: invalid JSON at line 500003, column 14: syntax error while parsing object "
       "separator - unexpected ','; expected ':'",
       [](const fs::path& dir) {
         // 50 MB: 500,000 lines of 99 spaces, then a model with a missing colon.
         std::string text;
         text.reserve(51'000'000);
         const std::string line = std::string(99, ' ') + "\n";
         for (int i = 0; i < 500'000; ++i) text += line;
         return write_model(dir,
                            text + replace_all(model_with(""), "\"workloads\":", "\"workloads\","));
       }},
      {"array_of_a_million",
       "/description: expected a string, found [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,...",
       [](const fs::path& dir) {
         std::string array = "[0";
         for (int i = 1; i < 1'000'000; ++i) array += ",0";
         return write_model(dir, model_with("  \"description\": " + array + "],\n"));
       }},
      {"file_over_64_mib",
       "cannot read '{model}': expected a file of at most 64 MiB, found 100 MiB",
       [](const fs::path& dir) {
         const fs::path path = dir / "model.json";
         write_text(path, "");
         fs::resize_file(path, 100 * 1024 * 1024);  // sparse: costs no disk
         return path;
       }},
      {"model_is_a_directory", "cannot read '{model}': Is a directory",
       [](const fs::path& dir) {
         fs::create_directory(dir / "model.json");
         return dir / "model.json";
       }},
      {"model_is_a_device",
       "cannot read '/dev/zero': expected a regular file, found a character device",
       [](const fs::path&) { return fs::path("/dev/zero"); }},

      // ---- Wrong types ------------------------------------------------------------------------
      {"replicas_wrong_type",
       "/services/api/replicas: expected an integer from 1 to 100000, found \"two\"",
       {}},
      {"rate_is_a_string",
       "/workloads/0/rate: expected a rate in requests per second, or a profile such as "
       "{\"stages\": [...]}, found \"100\"",
       {}},
      {"steps_not_an_array",
       "/services/api/steps: expected an array of steps, found {\"work\":\"5ms\"}",
       {}},
      {"workloads_not_an_array",
       "/workloads: expected an array of workloads, found "
       "{\"name\":\"w\",\"target\":\"api\",\"rate\":10}",
       {}},
      {"seed_is_a_string", "/simulation/seed: expected a non-negative integer, found \"42\"", {}},
      {"drop_expired_not_boolean",
       "/services/api/drop_expired: expected true or false, found \"yes\"",
       {}},
      {"description_not_a_string", "/description: expected a string, found [\"a\",\"b\"]", {}},

      // ---- Out of range -------------------------------------------------------------------------
      {"replicas_zero",
       "/services/api/replicas: expected an integer from 1 to 100000, found 0",
       {}},
      {"replicas_negative",
       "/services/api/replicas: expected an integer from 1 to 100000, found -1",
       {}},
      {"replicas_fractional",
       "/services/api/replicas: expected an integer from 1 to 100000, found 2.5",
       {}},
      {"replicas_one_million",
       "/services/api/replicas: expected an integer from 1 to 100000, found 1000000",
       {}},
      {"replications_zero",
       "/simulation/replications: expected an integer from 1 to 100000, found 0",
       {}},
      {"workers_negative",
       "/services/api/workers: expected an integer from 1 to 2147483647, found -4",
       {}},
      {"queue_capacity_negative",
       "/services/api/queue_capacity: expected an integer >= 0, found -1",
       {}},
      {"probability_negative",
       "/services/api/steps/1/probability: expected a probability from 0 to 1, found -0.1",
       {}},
      {"confidence_above_range",
       "/simulation/confidence: expected a confidence level from 0.5 to 0.999, found 1.5",
       {}},
      {"seed_negative", "/simulation/seed: expected a non-negative integer, found -7", {}},
      {"duration_zero", "/simulation/duration: expected a duration > 0, found 0", {}},
      {"duration_negative", "/simulation/duration: expected a duration > 0, found \"-5m\"", {}},
      {"warmup_longer_than_duration",
       "/simulation/warmup: expected a warm-up shorter than the duration (10 s), found 60 s",
       {}},
      {"uniform_max_below_min",
       "/services/api/steps/0/work/max: expected a duration >= min (0.005 s), found \"1ms\"",
       {}},
      {"pareto_infinite_mean",
       "/services/api/steps/0/work/shape: expected a shape > 1 (with shape <= 1 the mean is "
       "infinite), found 0.5",
       {}},
      {"hyperexponential_probs_sum",
       "/services/api/steps/0/work/probs: expected probabilities that sum to 1, found a sum of 1.1",
       {}},
      {"mixture_weight_negative",
       "/services/api/steps/0/work/components/0/weight: expected a number > 0, found -1",
       {}},
      {"max_fails_huge",
       "/services/api/load_balancer/health/max_fails: expected an integer from 1 to 100, found "
       "1000000000",
       {}},

      // ---- Units ------------------------------------------------------------------------------
      {"unit_parsecs",
       "/services/api/steps/0/work: expected a duration such as \"10m\" or a number of seconds, "
       "found \"10 parsecs\"",
       {}},
      {"unit_missing_number",
       "/simulation/duration: expected a duration such as \"10m\" or a number of seconds, found "
       "\"ms\"",
       {}},
      {"unit_minutes_spelled",
       "/simulation/duration: expected a duration such as \"10m\" or a number of seconds, found "
       "\"5min\"",
       {}},

      // ---- Unknown keys and names -------------------------------------------------------------
      {"unknown_top_level_key", "/simulaton: unknown key; did you mean 'simulation'?", {}},
      {"unknown_dist",
       "/services/api/steps/0/work/dist: expected one of constant, exponential, uniform, erlang, "
       "gamma, lognormal, weibull, pareto, hyperexponential, normal, empirical, mixture, found "
       "\"lognormla\"; did you mean 'lognormal'?",
       {}},
      {"dist_wrong_parameters",
       "/services/api/steps/0/work/value: unknown key; expected one of: dist, mean",
       {}},
      {"unknown_cpu_discipline", "/services/api/cpu: expected one of fcfs, ps, found \"lifo\"", {}},
      {"service_name_with_slash",
       "/services/a~1b: expected a service name of letters, digits, '_', '.' and '-', found "
       "\"a/b\"",
       {}},
      {"duplicate_workload_name",
       "/workloads/1/name: expected a unique workload name, found \"w\" (also used by "
       "/workloads/0)",
       {}},
      {"endpoint_and_mix", "/workloads/0/mix: expected either endpoint or mix, found both", {}},

      // ---- Missing things and references ------------------------------------------------------
      {"missing_services", "/services: missing; expected an object of services by name", {}},
      {"missing_workloads", "/workloads: missing; expected an array of workloads", {}},
      {"empty_workloads", "/workloads: expected at least one workload, found []", {}},
      {"missing_rate",
       "/workloads/0/rate: missing; expected a rate in requests per second, or a profile such as "
       "{\"stages\": [...]}",
       {}},
      {"unknown_target",
       "/workloads/0/target: expected the name of a service (api), found \"apx\"; did you mean "
       "'api'?",
       {}},
      {"unknown_endpoint",
       "/workloads/0/endpoint: expected an endpoint of service 'api' (default), found \"nope\"",
       {}},
      {"call_to_unknown_service",
       "/services/api/steps/1/call: expected the name of a service (api, db), found \"dbb\"; did "
       "you mean 'db'?",
       {}},
      {"fault_on_unknown_service",
       "/faults/0/service: expected the name of a service (api), found \"nope\"",
       {}},
      {"cache_backend_missing",
       "/services/cache/backend: missing; expected the service a miss calls (api)",
       {}},

      // ---- Call cycles ------------------------------------------------------------------------
      {"call_cycle_self",
       "/services/api/steps/1/call: expected calls that never lead back to their caller, found a "
       "call cycle: api.default -> api.default",
       {}},
      {"call_cycle_three_services",
       "/services/api/steps/1/call: expected calls that never lead back to their caller, found a "
       "call cycle: api.default -> a.default -> b.default -> api.default",
       {}},
      {"call_cycle_through_cache",
       "/services/api/steps/0/call: expected calls that never lead back to their caller, found a "
       "call cycle: api.default -> cache.default -> api.default",
       {}},

      // ---- Trace and sample files -------------------------------------------------------------
      {"trace_missing_file",
       "/workloads/0/rate/trace: cannot read '{dir}/files/no-such-trace.csv': No such file or "
       "directory",
       {}},
      {"trace_non_numeric",
       "/workloads/0/rate/trace: files/non_numeric.csv line 2: expected time_seconds,rate, found "
       "\"5,abc\"",
       {}},
      {"trace_negative_rate",
       "/workloads/0/rate/trace: files/negative_rate.csv line 3: expected a rate >= 0, found -3",
       {}},
      {"trace_unsorted",
       "/workloads/0/rate/trace: files/unsorted.csv line 3: expected a time after 5 (line 2), "
       "found 3",
       {}},
      {"trace_empty",
       "/workloads/0/rate/trace: files/empty.csv: expected rows time_seconds,rate, found none",
       {}},
      {"trace_directory", "/workloads/0/rate/trace: cannot read '{dir}/files': Is a directory", {}},
      {"trace_device",
       "/workloads/0/rate/trace: cannot read '/dev/zero': expected a regular file, found a "
       "character device",
       {}},
      {"trace_pipe",
       "/workloads/0/rate/trace: cannot read '{dir}/rates.csv': expected a regular file, found a "
       "pipe",
       [](const fs::path& dir) {
         // Reading a pipe nobody writes to would wait for ever.
         if (::mkfifo((dir / "rates.csv").c_str(), 0600) != 0) throw std::runtime_error("mkfifo");
         return write_model(dir, replace_all(model_with(""), "\"rate\": 10",
                                             "\"rate\": {\"trace\": \"rates.csv\"}"));
       }},
      {"samples_non_numeric",
       "/services/api/steps/0/work/file: files/bad_samples.txt line 3: expected a duration >= 0, "
       "found \"fast\"",
       {}},

      // ---- Absurd sizes -----------------------------------------------------------------------
      {"absurd_rate",
       "/workloads/0/rate: expected a rate of at most 10000000 requests per second, found "
       "1000000000.0 (absurdly large rate)",
       {}},
      {"absurd_closed_users",
       "/workloads/0/users: expected an integer from 0 to 1000000, found 10000000",
       {}},
      {"call_count_negative",
       "/services/api/steps/1/count: expected an integer from 0 to 1000000, found -2",
       {}},
      {"absurd_call_count",
       "/services/api/steps/1/count: expected an integer from 0 to 1000000, found 10000000",
       {}},
      {"absurd_call_count_distribution",
       "/services/api/steps/1/count: expected a count distribution with a mean of at most "
       "1000000, found a mean of 500000000000.5",
       {}},
      {"absurd_cache_keys",
       "/services/cache/keys/count: expected an integer from 1 to 10000000, found 1000000000",
       {}},
      {"absurd_service_count", "/services: expected at most 1000 services, found 100000",
       [](const fs::path& dir) {
         // 4 MB; valid, it took 19.6 GB (200 KB of statistics per service).
         std::string services;
         for (int i = 0; i < 100000; ++i) {
           services += (i ? ",\"s" : "\"s") + std::to_string(i) + R"(":{"steps":[{"work":1}]})";
         }
         return write_model(dir, R"({"workloads":[{"name":"w","target":"s0","rate":1}],)"
                                 R"("services":{)" +
                                     services + "}}");
       }},
      {"absurd_workload_count", "/workloads: expected at most 1000 workloads, found 10000",
       [](const fs::path& dir) {
         std::string workloads;
         for (int i = 0; i < 10000; ++i) {
           workloads += (i ? ",{\"name\":\"w" : "{\"name\":\"w") + std::to_string(i) +
                        R"(","target":"api","rate":1})";
         }
         return write_model(dir, R"({"services":{"api":{"steps":[{"work":1}]}},)"
                                 R"("workloads":[)" +
                                     workloads + "]}");
       }},
      {"absurd_total_replicas",
       "/services/s9: expected at most 1000000 replicas in all services together (autoscaling "
       "maxima included), found 1000001 up to this service",
       {}},
  };
  return cases;
}

/// The largest resident set of any child process waited for so far, in MiB.
double children_peak_rss_mb() {
  rusage usage{};
  ::getrusage(RUSAGE_CHILDREN, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

/// The processor time (user and system) of the child processes waited for so far, in seconds:
/// unlike the wall time, it does not grow when the machine is busy with other work.
double children_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_CHILDREN, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

class Malformed : public ::testing::TestWithParam<Case> {};

TEST_P(Malformed, RunAndValidateRefuseItWithOneMessageAndWriteNothing) {
  const Case& c = GetParam();
  Sandbox box;
  // Made inputs live beside the working directory, so that it holds only what capsim writes.
  const fs::path made = box.work().parent_path() / "made";
  fs::create_directory(made);
  const fs::path model = c.make ? c.make(made) : catalogue_dir() / (c.name + ".json");
  const std::string expected = "capsim: " +
                               replace_all(replace_all(c.message, "{model}", model.string()),
                                           "{dir}", model.parent_path().string()) +
                               "\n";
  const std::vector<std::vector<std::string>> commands = {
      {"run", model.string(), "-o", "results.json", "--csv", "csv"},
      {"validate", model.string()},
  };
  for (const auto& args : commands) {
    const double cpu_before = children_cpu_seconds();
    const RunResult r = box.run(args, std::chrono::seconds(60));
    EXPECT_EQ(r.status, kBadInput) << r;
    // A value of the file is named by its pointer and its line and column.
    bool placed = false;
    EXPECT_EQ(without_file_position(r.err, model, &placed), expected) << r;
    EXPECT_TRUE(placed) << "no line and column for a pointer" << r;
    EXPECT_EQ(r.out, "") << r;
    EXPECT_TRUE(box.entries().empty()) << "files written on bad input" << r;
    EXPECT_LT(children_cpu_seconds() - cpu_before, 5.0) << r;
    EXPECT_FALSE(r.timed_out) << r;
  }
  EXPECT_LT(children_peak_rss_mb(), 1024.0) << "a refusal took more than 1 GiB";
}

INSTANTIATE_TEST_SUITE_P(Catalogue, Malformed, ::testing::ValuesIn(catalogue()),
                         [](const auto& info) { return test_name_of(info.param.name); });

TEST(MalformedCatalogue, EveryStoredModelIsACase) {
  std::vector<std::string> stored;
  for (const auto& e : fs::directory_iterator(catalogue_dir())) {
    if (e.path().extension() == ".json") stored.push_back(e.path().stem().string());
  }
  for (const std::string& name : stored) {
    bool listed = false;
    for (const Case& c : catalogue()) listed = listed || (c.name == name && !c.make);
    EXPECT_TRUE(listed) << name << ".json has no case in the catalogue";
  }
  EXPECT_GE(catalogue().size(), 40u);
}

// A model at the limits, far beyond its capacity, ends quickly: the service saturates at
// simulation.max_queue and later arrivals are rejected, so that memory stays bounded.
TEST(AbsurdLoad, SaturatesQuicklyWithAnExplanation) {
  Sandbox box;
  write_text(box.work().parent_path() / "flood.json", R"({
    "simulation": { "duration": "1s", "replications": 1 },
    "workloads": [ { "name": "flood", "target": "api", "rate": 1000000 } ],
    "services": { "api": { "workers": 1, "steps": [ { "work": "1s" } ] } } })");
  const double cpu_before = children_cpu_seconds();
  const RunResult r = box.run({"run", (box.work().parent_path() / "flood.json").string(),
                               "--threads", "1", "-o", "out.json"},
                              std::chrono::seconds(60));
  ASSERT_EQ(r.status, 0) << r;
  EXPECT_LT(children_cpu_seconds() - cpu_before, 5.0) << r;
  EXPECT_NE(r.out.find("service 'api' saturated"), std::string::npos) << r;
  const Json j = read_json(box / "out.json");
  EXPECT_EQ(j["services"]["api"]["saturated"].get<double>(), 1.0) << j["services"]["api"];
  EXPECT_LT(children_peak_rss_mb(), 1024.0);
}

}  // namespace
}  // namespace capsim::cli_test
