// The MPI executor (built with -DCAPSIM_MPI=ON): every rank runs the same command, takes its
// share of each batch (run::share_of: dealt like cards, longest first) on its own threads, and
// the reports (run/codec.hpp) are gathered to every rank, so that every rank joins the same
// numbers in the same order and takes the same decisions. Rank 0 writes. This file only moves
// bytes; the split and the join are in run/process_share.hpp, tested without MPI. Without MPI
// this file compiles to nothing.

#ifdef CAPSIM_MPI

#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "capsim/run/process_share.hpp"
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
    const std::vector<std::size_t> mine = run::share_of(specs, tasks, rank_, size_);
    const std::string message = run::encode_report(
        run::run_share(local_, specs, tasks, mine,
                       rank_ == 0 ? callbacks.on_progress : std::function<void(double)>()));
    // Gather every rank's report to every rank.
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
    // Every rank now reads the same bytes, so every rank joins the same summaries.
    std::vector<run::ShareReport> reports;
    for (int r = 0; r < size_; ++r) {
      reports.push_back(run::decode_report(
          std::string_view(all.data() + offsets[r], static_cast<std::size_t>(counts[r]))));
    }
    return run::join_shares(std::move(reports), tasks.size(), callbacks);
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
