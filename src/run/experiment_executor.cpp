#include "capsim/run/experiment_executor.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "capsim/analytic/model_analysis.hpp"
#include "capsim/net/network.hpp"

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

ThreadExecutor::ThreadExecutor(int threads)
    : threads_(threads > 0 ? threads
                           : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))) {}

std::vector<stats::Summary> ThreadExecutor::run(const std::vector<model::Spec>& specs,
                                                const std::vector<Task>& tasks,
                                                const ExecuteCallbacks& callbacks) {
  const std::size_t n = tasks.size();
  std::vector<stats::Summary> summaries(n);
  std::vector<std::exception_ptr> errors(n);
  std::vector<char> finished(n, 0);
  std::vector<std::atomic<double>> progress(n);
  for (auto& p : progress) p.store(0.0);
  double total_s = 0.0;
  for (const Task& t : tasks) total_s += specs.at(t.spec).simulation.duration_s;

  // Longest first: the most expensive replications start first, so that no worker is left
  // with a long one at the end. The order does not change any result.
  const std::vector<std::size_t> order = longest_first(specs, tasks);
  std::atomic<std::size_t> next{0};
  std::mutex done_mutex;  // serialises on_done
  auto worker = [&] {
    for (;;) {
      if (stop_requested()) return;
      const std::size_t k = next.fetch_add(1);
      if (k >= n) return;
      const std::size_t i = order[k];
      const Task& task = tasks[i];
      const model::Spec& spec = specs[task.spec];
      try {
        net::ReplicationOptions ro;
        ro.replication = task.replication;
        ro.timeseries = false;
        ro.progress_s = &progress[i];
        summaries[i] = net::simulate(spec, ro);
      } catch (...) {
        errors[i] = std::current_exception();
      }
      progress[i].store(spec.simulation.duration_s);
      std::lock_guard lock(done_mutex);
      finished[i] = 1;
      if (!errors[i] && callbacks.on_done) callbacks.on_done(i, summaries[i]);
    }
  };

  std::mutex mutex;
  std::condition_variable wake;
  bool all_done = false;
  std::thread reporter;
  if (callbacks.on_progress && n > 0) {
    reporter = std::thread([&] {
      std::unique_lock lock(mutex);
      while (!wake.wait_for(lock, std::chrono::milliseconds(100), [&] { return all_done; })) {
        double done_s = 0.0;
        for (const auto& p : progress) done_s += p.load(std::memory_order_relaxed);
        callbacks.on_progress(total_s > 0.0 ? std::min(1.0, done_s / total_s) : 1.0);
      }
    });
  }
  const int pool_size =
      static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads_), n));
  std::vector<std::thread> pool;
  for (int t = 1; t < pool_size; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  if (reporter.joinable()) {
    {
      std::lock_guard lock(mutex);
      all_done = true;
    }
    wake.notify_all();
    reporter.join();
  }
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  if (std::find(finished.begin(), finished.end(), 0) != finished.end()) throw Interrupted();
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
