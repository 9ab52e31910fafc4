#pragma once
/// \file A replica's cores: first come first served, or processor sharing.
///
/// FCFS: a job holds one core for its whole demand; jobs beyond the cores wait in a FIFO.
/// Processor sharing: every job present is served at rate min(1, cores / n), tracked in virtual
/// time (the work a job present since the start would have received), so only the next finisher
/// needs an event.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "capsim/model/spec.hpp"
#include "capsim/sim/calendar.hpp"
#include "clock.hpp"
#include "job.hpp"
#include "service_stats.hpp"

namespace capsim::net {

struct PsEntry {
  double finish_v;
  std::uint64_t seq;
  Ref job;
  bool operator>(const PsEntry& o) const {
    return finish_v > o.finish_v || (finish_v == o.finish_v && seq > o.seq);
  }
};

/// The cores of one replica.
struct CpuState {
  std::uint32_t busy_cores = 0;  ///< FCFS
  JobQueue queue;                ///< FCFS: jobs waiting for a core
  // Processor sharing: virtual time advances at each job's service rate min(1, cores / n).
  double ps_v = 0.0;
  double ps_last_s = 0.0;
  std::vector<PsEntry> ps_heap;
  std::uint64_t ps_seq = 0;
  sim::EventId ps_event;
  /// A pod on a node whose cores are shared (shared_cores.hpp): the node, and the pod's slot
  /// there; its work goes to the node's cores, not to the above. kNone otherwise.
  std::uint32_t node = kNone;
  std::uint32_t slot = 0;
};

/// Serves CPU demand on the replicas' cores. Schedules `work_done` (FCFS, data: the job) and
/// `ps_done` (data: Pair{service, replica}); reports busy cores to the service's collector.
class Cpu {
 public:
  Cpu(Clock& clock, Pool<Job>& jobs) : clock_(clock), jobs_(jobs) {}

  /// Starts `demand_s` of work for `job` on the replica `where` = {service, replica}.
  void start(const model::ServiceSpec& spec, ServiceStats& stats, CpuState& cpu, Pair where,
             Ref job, double demand_s);
  /// FCFS: a job's work is done on replica `replica`; its core goes to the next waiting job or
  /// becomes idle.
  void fcfs_done(ServiceStats& stats, CpuState& cpu, std::uint32_t replica);
  /// Processor sharing: the next job finishes now. Returns it (a stale Ref when its replica
  /// crashed), or a Ref to nothing when none was running.
  Ref ps_done(const model::ServiceSpec& spec, ServiceStats& stats, CpuState& cpu, Pair where);
  /// The replica `replica` crashed: every job on its cores is gone.
  void crash(const model::ServiceSpec& spec, ServiceStats& stats, CpuState& cpu,
             std::uint32_t replica);

 private:
  void ps_advance(const model::ServiceSpec& spec, CpuState& cpu);
  void ps_reschedule(const model::ServiceSpec& spec, CpuState& cpu, Pair where);

  Clock& clock_;
  Pool<Job>& jobs_;
};

// Hot paths, inline: they run for every unit of work.

inline void Cpu::start(const model::ServiceSpec& spec, ServiceStats& stats, CpuState& cpu,
                       Pair where, Ref job, double demand_s) {
  if (spec.cpu == model::CpuDiscipline::ps) {
    ps_advance(spec, cpu);
    cpu.ps_heap.push_back(PsEntry{cpu.ps_v + demand_s, cpu.ps_seq++, job});
    std::push_heap(cpu.ps_heap.begin(), cpu.ps_heap.end(), std::greater<>{});
    const double n = static_cast<double>(cpu.ps_heap.size());
    const double cores = spec.cores;
    stats.busy_cores(clock_.now(), std::min(n, cores) - std::min(n - 1.0, cores), where.second);
    ps_reschedule(spec, cpu, where);
    return;
  }
  if (cpu.busy_cores < static_cast<std::uint32_t>(spec.cores)) {
    ++cpu.busy_cores;
    stats.busy_cores(clock_.now(), 1.0, where.second);
    clock_.after(demand_s, Event::work_done, job.pack());
  } else {
    jobs_[job.index].work_pending_s = demand_s;
    cpu.queue.push(jobs_, job.index);
  }
}

inline void Cpu::fcfs_done(ServiceStats& stats, CpuState& cpu, std::uint32_t replica) {
  if (cpu.queue.size > 0) {
    const std::uint32_t next = cpu.queue.pop(jobs_);
    const Job& n = jobs_[next];
    clock_.after(n.work_pending_s, Event::work_done, Ref{next, n.generation}.pack());
  } else {
    --cpu.busy_cores;
    stats.busy_cores(clock_.now(), -1.0, replica);
  }
}

}  // namespace capsim::net
