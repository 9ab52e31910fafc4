// M/M/c throughput benchmark: capsim's engine against a minimal hand-written event loop.
//
// Both simulate the same M/M/c queue (arrivals 9/s, 10 servers, service rate 1/s, 111111 s of
// simulated time: about 1,000,000 customers) and report calendar events per second and customers
// per second. After the runs the binary prints how many times faster the hand loop is.
// See docs/performance.md; bench/run_benchmarks.sh runs this with repetitions.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "capsim/model/load.hpp"
#include "capsim/model/spec.hpp"
#include "capsim/net/network.hpp"
#include "capsim/stats/summary.hpp"

namespace {

constexpr double kArrivalRatePerS = 9.0;
constexpr double kServiceRatePerS = 1.0;
constexpr int kServers = 10;
// bench/models/mmc.json holds the same numbers.
constexpr double kDurationS = 111111.0;

// ---------------------------------------------------------------------------------------------
// capsim

const capsim::model::Spec& mmc_spec() {
  static const capsim::model::Spec spec = capsim::model::load_file(CAPSIM_BENCH_MODEL);
  return spec;
}

/// Customers that arrived in the replication: offered rate times measured time.
double customers_of(const capsim::stats::Summary& summary) {
  for (const capsim::stats::Metric& m : summary.metrics) {
    if (m.path.size() == 3 && m.path[0] == "workloads" && m.path[2] == "offered_rps") {
      return m.value * summary.measured_s;
    }
  }
  return 0.0;
}

/// state.range(0) != 0: also collect the time series, as `capsim run` does for replication 0.
void BM_CapsimMMc(benchmark::State& state) {
  const capsim::model::Spec& spec = mmc_spec();
  capsim::net::ReplicationOptions options;
  options.replication = 0;
  options.timeseries = state.range(0) != 0;
  double events = 0.0;
  double customers = 0.0;
  for (auto _ : state) {
    const capsim::stats::Summary summary = capsim::net::simulate(spec, options);
    events += static_cast<double>(summary.events);
    customers += customers_of(summary);
    benchmark::DoNotOptimize(summary.metrics.data());
  }
  const double iterations = static_cast<double>(state.iterations());
  state.counters["events/s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["customers/s"] = benchmark::Counter(customers, benchmark::Counter::kIsRate);
  state.counters["events"] = events / iterations;
  state.counters["customers"] = customers / iterations;
}

// ---------------------------------------------------------------------------------------------
// The hand-written reference: the least a C++ programmer would write for this model.

enum class HandEventType : std::uint8_t { arrival, departure };

struct HandEvent {
  double time_s;
  std::uint64_t seq;
  HandEventType type;
  double arrived_s;  // departure: when its customer arrived
};

// std::priority_queue keeps the largest on top; "later" makes it a min-heap on (time, seq).
struct Later {
  bool operator()(const HandEvent& a, const HandEvent& b) const {
    return a.time_s > b.time_s || (a.time_s == b.time_s && a.seq > b.seq);
  }
};

struct HandLoopResult {
  std::uint64_t events = 0;
  std::uint64_t customers = 0;
  double mean_sojourn_s = 0.0;
};

/// Runs the M/M/c queue until `duration_s`, counting every fired arrival and departure.
HandLoopResult run_hand_loop(std::uint64_t seed, double duration_s) {
  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> interarrival_s(kArrivalRatePerS);
  std::exponential_distribution<double> service_s(kServiceRatePerS);
  std::priority_queue<HandEvent, std::vector<HandEvent>, Later> calendar;
  std::deque<double> waiting;  // arrival times, first come first served
  std::uint64_t seq = 0;
  int busy = 0;
  HandLoopResult result;
  double sojourn_sum_s = 0.0;
  std::uint64_t departures = 0;

  calendar.push({interarrival_s(rng), seq++, HandEventType::arrival, 0.0});
  while (!calendar.empty() && calendar.top().time_s <= duration_s) {
    const HandEvent e = calendar.top();
    calendar.pop();
    ++result.events;
    if (e.type == HandEventType::arrival) {
      ++result.customers;
      calendar.push({e.time_s + interarrival_s(rng), seq++, HandEventType::arrival, 0.0});
      if (busy < kServers) {
        ++busy;
        calendar.push({e.time_s + service_s(rng), seq++, HandEventType::departure, e.time_s});
      } else {
        waiting.push_back(e.time_s);
      }
    } else {
      sojourn_sum_s += e.time_s - e.arrived_s;
      ++departures;
      if (waiting.empty()) {
        --busy;
      } else {
        const double arrived_s = waiting.front();
        waiting.pop_front();
        calendar.push({e.time_s + service_s(rng), seq++, HandEventType::departure, arrived_s});
      }
    }
  }
  result.mean_sojourn_s = departures > 0 ? sojourn_sum_s / static_cast<double>(departures) : 0.0;
  return result;
}

void BM_HandLoopMMc(benchmark::State& state) {
  double events = 0.0;
  double customers = 0.0;
  std::uint64_t seed = 1;
  double mean_sojourn_s = 0.0;
  for (auto _ : state) {
    const HandLoopResult r = run_hand_loop(seed++, kDurationS);
    benchmark::DoNotOptimize(r.mean_sojourn_s);
    events += static_cast<double>(r.events);
    customers += static_cast<double>(r.customers);
    mean_sojourn_s = r.mean_sojourn_s;
  }
  const double iterations = static_cast<double>(state.iterations());
  state.counters["events/s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["customers/s"] = benchmark::Counter(customers, benchmark::Counter::kIsRate);
  state.counters["events"] = events / iterations;
  state.counters["customers"] = customers / iterations;
  // Erlang C gives 1.668 s for this queue; a far-off value means the loop is wrong.
  state.counters["mean_sojourn_s"] = mean_sojourn_s;
}

// Rates are per CPU second of the benchmark thread (Google Benchmark's default): on a shared
// machine that is steadier than wall time, which the Time column still shows.
BENCHMARK(BM_CapsimMMc)->ArgName("timeseries")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HandLoopMMc)->Unit(benchmark::kMillisecond);

/// The full request path (bench/models/resilience.json): timeouts, retries with budgets, a
/// breaker, a rate limit, an emergent-hit-ratio cache with coalescing, a database with read
/// replicas and contention, a slowdown fault; 2000 s at 1000 requests/s. Tracks what the
/// resilience features cost per request; not compared with the hand loop.
void BM_CapsimResilience(benchmark::State& state) {
  static const capsim::model::Spec spec = capsim::model::load_file(CAPSIM_BENCH_RESILIENCE_MODEL);
  capsim::net::ReplicationOptions options;
  double events = 0.0;
  double customers = 0.0;
  for (auto _ : state) {
    const capsim::stats::Summary summary = capsim::net::simulate(spec, options);
    events += static_cast<double>(summary.events);
    customers += customers_of(summary);
    benchmark::DoNotOptimize(summary.metrics.data());
  }
  state.counters["events/s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["customers/s"] = benchmark::Counter(customers, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CapsimResilience)->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------------------------
// Reporting: the console output plus capsim's rates as a fraction of the hand loop's.

/// Remembers each benchmark's rates: the median over repetitions when there are repetitions,
/// otherwise the mean of its iteration runs.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  using ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      Rates& rates = rates_[run.run_name.str()];
      if (run.run_type == Run::RT_Aggregate) {
        if (run.aggregate_name != "median") continue;
        rates.median_events_per_s = counter(run, "events/s");
        rates.median_customers_per_s = counter(run, "customers/s");
        rates.has_median = true;
      } else {
        rates.sum_events_per_s += counter(run, "events/s");
        rates.sum_customers_per_s += counter(run, "customers/s");
        ++rates.runs;
      }
    }
  }

  void print_ratios() const {
    const auto capsim = rates_.find("BM_CapsimMMc/timeseries:0");
    const auto hand = rates_.find("BM_HandLoopMMc");
    if (capsim == rates_.end() || hand == rates_.end()) return;
    const double capsim_events = capsim->second.events_per_s();
    const double hand_events = hand->second.events_per_s();
    const double capsim_customers = capsim->second.customers_per_s();
    const double hand_customers = hand->second.customers_per_s();
    std::printf("\nM/M/c, capsim against the hand-written loop (%s):\n",
                capsim->second.has_median ? "medians" : "means");
    std::printf("  events/s     capsim %.3g  hand loop %.3g  hand loop / capsim %.2f\n",
                capsim_events, hand_events, hand_events / capsim_events);
    std::printf("  customers/s  capsim %.3g  hand loop %.3g  hand loop / capsim %.2f\n",
                capsim_customers, hand_customers, hand_customers / capsim_customers);
    std::printf("  goal: hand loop / capsim <= 2 -> %s\n",
                hand_customers / capsim_customers <= 2.0 ? "met" : "NOT met");
  }

 private:
  struct Rates {
    double sum_events_per_s = 0.0;
    double sum_customers_per_s = 0.0;
    int runs = 0;
    double median_events_per_s = 0.0;
    double median_customers_per_s = 0.0;
    bool has_median = false;
    double events_per_s() const {
      return has_median ? median_events_per_s : sum_events_per_s / runs;
    }
    double customers_per_s() const {
      return has_median ? median_customers_per_s : sum_customers_per_s / runs;
    }
  };
  static double counter(const Run& run, const std::string& name) {
    const auto it = run.counters.find(name);
    return it == run.counters.end() ? 0.0 : it->second.value;
  }
  std::map<std::string, Rates> rates_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // Colours only on a terminal, so that captured output stays plain text.
  RatioReporter reporter(isatty(STDOUT_FILENO) ? RatioReporter::OO_ColorTabular
                                               : RatioReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  benchmark::Shutdown();
  return 0;
}
