// libFuzzer target: one input is one model file. It goes through the path `capsim validate` and
// `capsim run` take (parse_json, then load: defaults and validation), and a model that loads is
// simulated briefly (one replication of at most an hour of simulated time and 20,000 events),
// then merged and written in every results format. What must never happen: a crash, a sanitizer
// report, a hang, a large allocation, or an exception other than the two kinds that report bad
// input (ModelError) and a spent event budget.
//
// Files named by the model (traces, samples) are resolved against a folder the fuzzer fills at
// start-up with small files (rates.csv, samples.txt, bad.csv: see fuzz/model.dict).

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "capsim/net/network.hpp"
#include "capsim/run/replications.hpp"
#include "capsim/run/results_io.hpp"

namespace {

namespace fs = std::filesystem;
using capsim::model::Spec;

/// Simulated seconds and events at most per input: each input costs about a millisecond. An
/// hour lets periodic machinery (autoscalers' syncs, faults, windows) run; the event budget
/// bounds the cost.
constexpr double kMaxSimulatedSeconds = 3600.0;
constexpr std::uint64_t kMaxEvents = 20000;

/// Building the runtime of a model costs time and memory in proportion to these (replica slots,
/// virtual users, cache keys): valid models beyond them are loaded but not simulated, so that
/// a slow input means a bug, not a big model. tests/cli/malformed_catalogue_test.cpp runs
/// models as big as validation allows.
constexpr double kMaxReplicaSlots = 2000;
constexpr double kMaxUsers = 2000;
constexpr double kMaxCacheKeys = 100000;

fs::path data_dir;

void write(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

/// Whether simulating `spec` stays cheap (see kMaxReplicaSlots).
bool small_enough(const Spec& spec) {
  double slots = 0;
  for (const auto& s : spec.services) {
    slots += s.replicas;
    if (s.autoscaling) slots += s.autoscaling->max;
    if (s.cache && !s.cache->hit_ratio && static_cast<double>(s.cache->key_count) > kMaxCacheKeys) {
      return false;
    }
  }
  if (slots > kMaxReplicaSlots) return false;
  for (const auto& w : spec.workloads) {
    if (w.kind != capsim::model::WorkloadKind::closed) continue;
    double users = std::max(w.users.constant, w.users.start);
    for (const auto& stage : w.users.stages) users = std::max(users, stage.target);
    if (users > kMaxUsers) return false;
  }
  return true;
}

[[noreturn]] void finding(const char* what, const std::string& detail) {
  std::fprintf(stderr, "model_fuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  data_dir = fs::temp_directory_path() / "capsim-fuzz-data";
  fs::create_directories(data_dir);
  write(data_dir / "rates.csv", "time_seconds,rate\n0,50\n1,200\n2.5,0\n4,80\n");
  write(data_dir / "samples.txt", "# latencies\n1ms\n2.5ms\n0.004\n\n10ms\n");
  write(data_dir / "bad.csv", "0,10\n-1,5\n2,abc\n");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Spec spec;
  try {
    const capsim::model::Json doc = capsim::model::parse_json(text, "fuzz.json");
    spec = capsim::model::load(doc, data_dir);
  } catch (const capsim::model::ModelError& e) {
    // Bad input, reported: the message must say something.
    if (e.diagnostics().empty() || std::string_view(e.what()).empty()) {
      finding("ModelError without a message", "");
    }
    return 0;
  } catch (const std::exception& e) {
    finding("loading threw something other than ModelError", e.what());
  }
  if (!small_enough(spec)) return 0;

  // A short run: at most kMaxSimulatedSeconds (the warm-up kept shorter), one replication.
  auto& sim = spec.simulation;
  if (sim.duration_s > kMaxSimulatedSeconds) {
    sim.duration_s = kMaxSimulatedSeconds;
    if (sim.warmup_s >= sim.duration_s) sim.warmup_s = sim.duration_s / 2;
  }
  sim.replications = 1;
  capsim::net::ReplicationOptions options;
  options.timeseries = true;
  options.max_events = kMaxEvents;
  try {
    const capsim::stats::Summary summary = capsim::net::simulate(spec, options);
    const capsim::run::Results results = capsim::run::merge(spec, {summary});
    const std::string json = capsim::run::to_json(results, false).dump(2);
    const std::string table = capsim::run::summary_table(results);
    const std::string csv =
        capsim::run::summary_csv(results) + capsim::run::timeseries_csv(results);
    if (json.empty() || table.empty() || csv.empty()) finding("empty results", "");
  } catch (const capsim::net::SimulationError& e) {
    if (std::string_view(e.what()).find("event budget") == std::string_view::npos) {
      finding("simulation failed", e.what());
    }
  } catch (const std::exception& e) {
    finding("a loaded model failed to run", e.what());
  }
  return 0;
}
