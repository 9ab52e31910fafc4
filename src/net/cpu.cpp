#include "cpu.hpp"

#include <algorithm>
#include <functional>

namespace capsim::net {

void Cpu::ps_advance(const model::ServiceSpec& spec, CpuState& cpu) {
  // Every job present has been served at rate min(1, cores / n) since the last change.
  const double now = clock_.now();
  if (!cpu.ps_heap.empty()) {
    const double n = static_cast<double>(cpu.ps_heap.size());
    cpu.ps_v += (now - cpu.ps_last_s) * std::min(1.0, spec.cores / n);
  }
  cpu.ps_last_s = now;
}

void Cpu::ps_reschedule(const model::ServiceSpec& spec, CpuState& cpu, Pair where) {
  clock_.cancel(cpu.ps_event);
  cpu.ps_event = sim::EventId{};
  if (cpu.ps_heap.empty()) return;
  const double n = static_cast<double>(cpu.ps_heap.size());
  const double rate = std::min(1.0, spec.cores / n);
  const double dt = std::max(0.0, (cpu.ps_heap.front().finish_v - cpu.ps_v) / rate);
  cpu.ps_event = clock_.after(dt, Event::ps_done, where.pack());
}

Ref Cpu::ps_done(const model::ServiceSpec& spec, ServiceStats& stats, CpuState& cpu, Pair where) {
  cpu.ps_event = sim::EventId{};
  if (cpu.ps_heap.empty()) return Ref{};
  ps_advance(spec, cpu);
  const double n = static_cast<double>(cpu.ps_heap.size());
  std::pop_heap(cpu.ps_heap.begin(), cpu.ps_heap.end(), std::greater<>{});
  const Ref job = cpu.ps_heap.back().job;
  // The finishing job's virtual finish time is now; pin it against rounding drift.
  cpu.ps_v = std::max(cpu.ps_v, cpu.ps_heap.back().finish_v);
  cpu.ps_heap.pop_back();
  const double cores = spec.cores;
  stats.busy_cores(clock_.now(), std::min(n - 1.0, cores) - std::min(n, cores), where.second);
  ps_reschedule(spec, cpu, where);
  return job;
}

void Cpu::crash(const model::ServiceSpec& spec, ServiceStats& stats, CpuState& cpu,
                std::uint32_t replica) {
  stats.busy_cores(
      clock_.now(),
      -(spec.cpu == model::CpuDiscipline::ps ? std::min<double>(cpu.ps_heap.size(), spec.cores)
                                             : static_cast<double>(cpu.busy_cores)),
      replica);
  clock_.cancel(cpu.ps_event);
  cpu.ps_event = sim::EventId{};
  cpu.ps_heap.clear();
  cpu.busy_cores = 0;
  cpu.queue = JobQueue{};
}

}  // namespace capsim::net
