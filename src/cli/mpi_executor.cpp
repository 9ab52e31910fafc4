// The MPI executor (built with -DCAPSIM_MPI=ON): every rank runs the same command, takes every
// size-th task of each batch (task i on rank i mod size) on its own threads, and the summaries
// are gathered to every rank, so that every rank merges the same numbers in the same order and
// takes the same decisions. Rank 0 writes. Without MPI this file compiles to nothing.

#ifdef CAPSIM_MPI

#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.hpp"

namespace capsim::cli {

namespace {

/// Started by mpirun or srun? (MPI is initialised only then: a singleton start is slow.)
bool launched_by_mpi() {
  if (const char* force = std::getenv("CAPSIM_MPI")) return std::string(force) != "0";
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
    if (std::getenv(var) != nullptr) return true;
  }
  return false;
}

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw std::runtime_error(std::string("MPI: ") + what + " failed");
}

class Bytes {
 public:
  void u64(std::uint64_t v) {
    char b[8];
    std::memcpy(b, &v, 8);
    out_.append(b, 8);
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
  std::string& text() { return out_; }

 private:
  std::string out_;
};

class Cursor {
 public:
  Cursor(const char* p, std::size_t n) : p_(p), n_(n) {}
  std::uint64_t u64() {
    need(8);
    std::uint64_t v = 0;
    std::memcpy(&v, p_ + pos_, 8);
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
    const std::uint64_t n = u64();
    need(n);
    std::string s(p_ + pos_, n);
    pos_ += n;
    return s;
  }

 private:
  void need(std::uint64_t k) const {
    if (k > n_ - pos_) throw std::runtime_error("MPI: truncated message");
  }
  const char* p_;
  std::size_t n_;
  std::size_t pos_ = 0;
};

class MpiExecutor : public run::Executor {
 public:
  explicit MpiExecutor(int threads) : local_(threads) {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
    set_leader(rank_ == 0);
  }
  ~MpiExecutor() override { MPI_Finalize(); }
  MpiExecutor(const MpiExecutor&) = delete;
  MpiExecutor& operator=(const MpiExecutor&) = delete;

  int process() const override { return rank_; }
  int processes() const override { return size_; }
  int threads() const override { return local_.threads(); }
  std::size_t batch_hint() const override {
    return static_cast<std::size_t>(size_) * static_cast<std::size_t>(local_.threads()) * 4;
  }

  void share(std::string& text) override {
    std::uint64_t n = text.size();
    check(MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD), "MPI_Bcast");
    text.resize(n);
    if (n > 0) {
      check(MPI_Bcast(text.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD), "MPI_Bcast");
    }
  }

  std::vector<stats::Summary> run(const std::vector<model::Spec>& specs,
                                  const std::vector<run::Task>& tasks,
                                  const run::ExecuteCallbacks& callbacks) override {
    // This rank's share.
    std::vector<run::Task> mine;
    std::vector<std::size_t> index;
    // Dealt like cards in order of decreasing cost, so every rank gets a fair share of the
    // expensive replications.
    const std::vector<double> cost = run::estimated_costs(specs);
    std::vector<std::size_t> order(tasks.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return cost[tasks[a].spec] > cost[tasks[b].spec];
    });
    for (std::size_t k = static_cast<std::size_t>(rank_); k < order.size();
         k += static_cast<std::size_t>(size_)) {
      mine.push_back(tasks[order[k]]);
      index.push_back(order[k]);
    }
    std::vector<char> done(mine.size(), 0);
    std::vector<stats::Summary> local(mine.size());
    run::ExecuteCallbacks local_callbacks;
    local_callbacks.on_done = [&](std::size_t k, const stats::Summary& s) {
      done[k] = 1;
      local[k] = s;
    };
    if (rank_ == 0) local_callbacks.on_progress = callbacks.on_progress;
    // Status of this rank: 0 all done, 1 interrupted, 2 failed.
    std::uint64_t status = 0;
    run::TaskFailure failure;
    std::uint64_t failed_task = 0;
    try {
      local_.run(specs, mine, local_callbacks);
    } catch (const run::Interrupted&) {
      status = 1;
    } catch (...) {
      status = 2;
      failure = run::describe_failure(std::current_exception());
      failed_task = UINT64_MAX;
      for (std::size_t k = 0; k < mine.size(); ++k) {
        if (!done[k]) failed_task = std::min<std::uint64_t>(failed_task, index[k]);
      }
    }
    // This rank's message: status, failure, then (task index, summary) for every task done.
    Bytes b;
    b.u64(status);
    b.u64(failed_task);
    b.u64(static_cast<std::uint64_t>(failure.kind));
    b.f64(failure.time_s);
    b.str(failure.what);
    std::uint64_t count = 0;
    for (char d : done) count += d != 0;
    b.u64(count);
    for (std::size_t k = 0; k < mine.size(); ++k) {
      if (!done[k]) continue;
      b.u64(index[k]);
      b.str(run::serialize(local[k]));
    }
    const std::string& message = b.text();
    // Gather every rank's message to every rank.
    long long my_size = static_cast<long long>(message.size());
    std::vector<long long> sizes(static_cast<std::size_t>(size_));
    check(MPI_Allgather(&my_size, 1, MPI_LONG_LONG, sizes.data(), 1, MPI_LONG_LONG, MPI_COMM_WORLD),
          "MPI_Allgather");
    std::vector<int> counts(static_cast<std::size_t>(size_)),
        offsets(static_cast<std::size_t>(size_));
    long long total = 0;
    for (int r = 0; r < size_; ++r) {
      if (sizes[r] > INT32_MAX || total + sizes[r] > INT32_MAX) {
        throw std::runtime_error("MPI: batch too large to gather (over 2 GiB); use fewer points");
      }
      counts[r] = static_cast<int>(sizes[r]);
      offsets[r] = static_cast<int>(total);
      total += sizes[r];
    }
    std::vector<char> all(static_cast<std::size_t>(std::max(total, 1LL)));
    check(MPI_Allgatherv(message.data(), static_cast<int>(message.size()), MPI_CHAR, all.data(),
                         counts.data(), offsets.data(), MPI_CHAR, MPI_COMM_WORLD),
          "MPI_Allgatherv");
    // Every rank now reads the same bytes.
    std::vector<stats::Summary> summaries(tasks.size());
    std::vector<char> have(tasks.size(), 0);
    bool interrupted = false;
    bool failed = false;
    std::uint64_t first_failed = 0;
    run::TaskFailure first_failure;
    for (int r = 0; r < size_; ++r) {
      Cursor in(all.data() + offsets[r], static_cast<std::size_t>(counts[r]));
      const std::uint64_t st = in.u64();
      const std::uint64_t ft = in.u64();
      run::TaskFailure f;
      f.kind = static_cast<int>(in.u64());
      f.time_s = in.f64();
      f.what = in.str();
      if (st == 1) interrupted = true;
      if (st == 2 && (!failed || ft < first_failed)) {
        failed = true;
        first_failed = ft;
        first_failure = f;
      }
      const std::uint64_t n = in.u64();
      for (std::uint64_t k = 0; k < n; ++k) {
        const std::uint64_t i = in.u64();
        const std::string bytes = in.str();
        if (i >= tasks.size()) throw std::runtime_error("MPI: bad task index");
        summaries[i] = run::deserialize(bytes);
        have[i] = 1;
      }
    }
    if (failed) run::rethrow_failure(first_failure);
    if (callbacks.on_done) {
      for (std::size_t i = 0; i < tasks.size(); ++i) {
        if (have[i]) callbacks.on_done(i, summaries[i]);
      }
    }
    if (interrupted || std::find(have.begin(), have.end(), 0) != have.end()) {
      throw run::Interrupted();
    }
    return summaries;
  }

 private:
  run::ThreadExecutor local_;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace

std::unique_ptr<run::Executor> make_executor(int threads) {
  if (!launched_by_mpi()) return std::make_unique<run::ThreadExecutor>(threads);
  return std::make_unique<MpiExecutor>(threads);
}

bool built_with_mpi() {
  return true;
}

}  // namespace capsim::cli

#endif  // CAPSIM_MPI
