#include "capsim/run/experiment_executor.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
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
  const std::vector<double> cost = estimated_costs(specs);
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return cost[tasks[a].spec] > cost[tasks[b].spec];
  });
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

// ---- Serialisation ----------------------------------------------------------------------------

namespace {

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u64(std::uint64_t v) {
    char bytes[8];
    std::memcpy(bytes, &v, 8);
    out_.append(bytes, 8);
  }
  void f64(double v) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, 8);
    u64(bits);
  }
  void str(const std::string& s) {
    u64(s.size());
    out_ += s;
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  std::uint8_t u8() {
    need(1);
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  std::uint64_t u64() {
    need(8);
    std::uint64_t v = 0;
    std::memcpy(&v, in_.data() + pos_, 8);
    pos_ += 8;
    return v;
  }
  double f64() {
    const std::uint64_t bits = u64();
    double v = 0.0;
    std::memcpy(&v, &bits, 8);
    return v;
  }
  std::string str() {
    const std::uint64_t size = u64();
    need(size);
    std::string s(in_.substr(pos_, size));
    pos_ += size;
    return s;
  }
  bool at_end() const { return pos_ == in_.size(); }

 private:
  void need(std::uint64_t bytes) const {
    if (bytes > in_.size() - pos_) throw std::runtime_error("deserialize: truncated summary");
  }
  std::string_view in_;
  std::size_t pos_ = 0;
};

constexpr std::uint64_t kMagic = 0x3176'6d6d'7573'6373;  // "csummv1" little-endian-ish tag

}  // namespace

std::string serialize(const stats::Summary& summary) {
  Writer w;
  w.u64(kMagic);
  w.u64(summary.metrics.size());
  for (const stats::Metric& m : summary.metrics) {
    w.u64(m.path.size());
    for (const std::string& p : m.path) w.str(p);
    w.f64(m.value);
    w.u8(static_cast<std::uint8_t>(m.merge));
  }
  w.u64(summary.notices.size());
  for (const std::string& notice : summary.notices) w.str(notice);
  w.u64(summary.events);
  w.f64(summary.measured_s);
  return w.take();
}

stats::Summary deserialize(std::string_view bytes) {
  Reader r(bytes);
  if (r.u64() != kMagic) throw std::runtime_error("deserialize: not a serialised summary");
  stats::Summary s;
  const std::uint64_t metrics = r.u64();
  if (metrics > bytes.size()) throw std::runtime_error("deserialize: corrupt summary");
  s.metrics.resize(metrics);
  for (stats::Metric& m : s.metrics) {
    const std::uint64_t parts = r.u64();
    if (parts > bytes.size()) throw std::runtime_error("deserialize: corrupt summary");
    m.path.resize(parts);
    for (std::string& p : m.path) p = r.str();
    m.value = r.f64();
    const std::uint8_t merge = r.u8();
    if (merge > static_cast<std::uint8_t>(stats::Merge::max)) {
      throw std::runtime_error("deserialize: corrupt summary");
    }
    m.merge = static_cast<stats::Merge>(merge);
  }
  const std::uint64_t notices = r.u64();
  if (notices > bytes.size()) throw std::runtime_error("deserialize: corrupt summary");
  s.notices.resize(notices);
  for (std::string& notice : s.notices) notice = r.str();
  s.events = r.u64();
  s.measured_s = r.f64();
  if (!r.at_end()) throw std::runtime_error("deserialize: trailing bytes after the summary");
  return s;
}

TaskFailure describe_failure(const std::exception_ptr& error) {
  TaskFailure f;
  if (!error) return f;
  try {
    std::rethrow_exception(error);
  } catch (const net::SimulationError& e) {
    f.kind = 1;
    f.time_s = e.time_s();
    // what() is "at t = T s: MESSAGE"; keep MESSAGE so that rethrowing rebuilds the same text.
    std::string what = e.what();
    if (const auto colon = what.find(" s: ");
        what.rfind("at t = ", 0) == 0 && colon != std::string::npos) {
      what.erase(0, colon + 4);
    }
    f.what = what;
  } catch (const std::exception& e) {
    f.kind = 2;
    f.what = e.what();
  } catch (...) {
    f.kind = 2;
    f.what = "unknown failure";
  }
  return f;
}

void rethrow_failure(const TaskFailure& failure) {
  if (failure.kind == 1) throw net::SimulationError(failure.time_s, failure.what);
  throw std::runtime_error(failure.what);
}

}  // namespace capsim::run
