#include "capsim/run/work_pool.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace capsim::run {

int worker_threads(int requested) {
  return requested > 0 ? requested
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

bool PoolOutcome::all_started() const {
  return std::find(started.begin(), started.end(), 0) == started.end();
}

void PoolOutcome::rethrow_first_error() const {
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

namespace {

/// Calls `on_tick` every `tick` from a thread of its own until stopped (or destroyed).
class Ticker {
 public:
  Ticker(const std::function<void()>& on_tick, std::chrono::milliseconds tick) {
    if (!on_tick) return;
    thread_ = std::thread([this, &on_tick, tick] {
      std::unique_lock lock(mutex_);
      while (!wake_.wait_for(lock, tick, [&] { return stopped_; })) on_tick();
    });
  }
  ~Ticker() { stop(); }
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

  void stop() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace

PoolOutcome run_pool(std::size_t n, const std::function<void(std::size_t)>& work,
                     const PoolOptions& options) {
  if (!options.order.empty() && options.order.size() != n) {
    throw std::invalid_argument("run_pool: the order must name each of the n tasks once");
  }
  PoolOutcome out;
  out.errors.resize(n);
  out.started.assign(n, 0);
  if (n == 0) return out;

  // Tasks are taken from one shared counter: whichever thread is free takes the next one.
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (;;) {
      if (options.stop && options.stop()) return;
      const std::size_t k = next.fetch_add(1);
      if (k >= n) return;
      const std::size_t i = options.order.empty() ? k : options.order[k];
      out.started[i] = 1;
      try {
        work(i);
      } catch (...) {
        out.errors[i] = std::current_exception();
      }
    }
  };

  Ticker ticker(options.on_tick, options.tick);
  const std::size_t threads =
      std::min<std::size_t>(static_cast<std::size_t>(std::max(1, options.threads)), n);
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  ticker.stop();
  return out;
}

}  // namespace capsim::run
