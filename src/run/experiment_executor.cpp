#include "capsim/run/experiment_executor.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>

#include "capsim/analytic/model_analysis.hpp"
#include "capsim/net/network.hpp"
#include "capsim/run/work_pool.hpp"

namespace capsim::run {

namespace {

// Set from signal handlers: a lock-free atomic flag is async-signal-safe.
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

}  // namespace

void request_stop() noexcept {
  g_stop.store(true, std::memory_order_relaxed);
}
bool stop_requested() noexcept {
  return g_stop.load(std::memory_order_relaxed);
}
void clear_stop() noexcept {
  g_stop.store(false, std::memory_order_relaxed);
}

ThreadExecutor::ThreadExecutor(int threads) : threads_(worker_threads(threads)) {}

std::vector<stats::Summary> ThreadExecutor::run(const std::vector<model::Spec>& specs,
                                                const std::vector<Task>& tasks,
                                                const ExecuteCallbacks& callbacks) {
  const std::size_t n = tasks.size();
  std::vector<stats::Summary> summaries(n);
  std::vector<std::atomic<double>> progress(n);
  for (auto& p : progress) p.store(0.0);
  double total_s = 0.0;
  for (const Task& t : tasks) total_s += specs.at(t.spec).simulation.duration_s;

  PoolOptions pool;
  pool.threads = threads_;
  // The order does not change any result.
  pool.order = longest_first(specs, tasks);
  // Running replications finish (they take at most seconds); no new one starts.
  pool.stop = [] { return stop_requested(); };
  if (callbacks.on_progress) {
    pool.on_tick = [&] {
      double done_s = 0.0;
      for (const auto& p : progress) done_s += p.load(std::memory_order_relaxed);
      callbacks.on_progress(total_s > 0.0 ? std::min(1.0, done_s / total_s) : 1.0);
    };
  }
  std::mutex done_mutex;  // serialises on_done
  const PoolOutcome outcome = run_pool(
      n,
      [&](std::size_t i) {
        const model::Spec& spec = specs[tasks[i].spec];
        net::ReplicationOptions ro;
        ro.replication = tasks[i].replication;
        ro.timeseries = false;
        ro.progress_s = &progress[i];
        try {
          summaries[i] = net::simulate(spec, ro);
        } catch (...) {
          progress[i].store(spec.simulation.duration_s);
          throw;
        }
        progress[i].store(spec.simulation.duration_s);
        std::lock_guard lock(done_mutex);
        if (callbacks.on_done) callbacks.on_done(i, summaries[i]);
      },
      pool);
  outcome.rethrow_first_error();
  if (!outcome.all_started()) throw Interrupted();
  return summaries;
}

std::vector<double> estimated_costs(const std::vector<model::Spec>& specs) {
  std::vector<double> out;
  out.reserve(specs.size());
  for (const model::Spec& spec : specs) {
    // Requests handled per second, all services together, times the simulated time.
    double load = 0.0;
    try {
      for (const analytic::StationEstimate& st : analytic::analyze(spec).stations) {
        load += st.arrival_rps;
      }
    } catch (const std::exception&) {
      load = 0.0;
    }
    out.push_back(spec.simulation.duration_s * (1.0 + load));
  }
  return out;
}

std::vector<std::size_t> longest_first(const std::vector<model::Spec>& specs,
                                       const std::vector<Task>& tasks) {
  const std::vector<double> cost = estimated_costs(specs);
  std::vector<std::size_t> order(tasks.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return cost[tasks[a].spec] > cost[tasks[b].spec];
  });
  return order;
}

}  // namespace capsim::run
