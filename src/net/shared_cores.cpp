#include "shared_cores.hpp"

#include <algorithm>
#include <functional>

namespace capsim::net {

namespace {

// A pod that requests no cores still weighs as Kubernetes' smallest cpu.shares (2 of 1024 per
// core), so that it gets something when its neighbours are busy.
constexpr double kMinWeight = 2.0 / 1024.0;

}  // namespace

std::uint32_t SharedCores::join(std::uint32_t node, double node_cores, Pair pod,
                                const model::PodSpec& p, ServiceStats& stats) {
  if (nodes_.size() <= node) nodes_.resize(node + 1);
  NodeCores& n = nodes_[node];
  n.cores = node_cores;
  std::uint32_t slot = 0;
  while (slot < n.slots.size() && n.slots[slot].used) ++slot;
  if (slot == n.slots.size()) n.slots.emplace_back();
  Slot& s = n.slots[slot];
  s = Slot{};
  s.used = true;
  s.pod = pod;
  s.weight = std::max(p.cores, kMinWeight);
  s.limit = p.cpu_limit;
  s.stats = &stats;
  return slot;
}

void SharedCores::leave(std::uint32_t node, std::uint32_t slot) {
  crash(node, slot);  // no job left in the ordinary case: then this only frees the slot
  nodes_[node].slots[slot].used = false;
}

void SharedCores::advance(NodeCores& n) {
  const double now = clock_.now();
  const double dt = now - n.last_s;
  n.last_s = now;
  if (dt <= 0.0) return;
  for (Slot& s : n.slots) {
    if (!s.heap.empty()) s.v += dt * s.rate;
  }
}

void SharedCores::reshare(NodeCores& n, std::uint32_t node) {
  const double now = clock_.now();
  // Water-filling: a pod gets its weight's share of what is left, unless its cap (its limit,
  // one core per job) is less; pods in increasing order of cap per weight, so that once one is
  // not capped none after it is.
  thread_local std::vector<std::uint32_t> busy;
  busy.clear();
  double weight_left = 0.0;
  for (std::uint32_t i = 0; i < n.slots.size(); ++i) {
    const Slot& s = n.slots[i];
    if (s.heap.empty()) continue;
    busy.push_back(i);
    weight_left += s.weight;
  }
  const auto cap = [&n](std::uint32_t i) {
    const Slot& s = n.slots[i];
    return std::min(s.limit, static_cast<double>(s.heap.size()));
  };
  std::sort(busy.begin(), busy.end(), [&](std::uint32_t a, std::uint32_t b) {
    const double ra = cap(a) / n.slots[a].weight;
    const double rb = cap(b) / n.slots[b].weight;
    return ra < rb || (ra == rb && a < b);
  });
  double cores_left = n.cores;
  bool capped = true;
  double per_weight = 0.0;
  for (const std::uint32_t i : busy) {
    Slot& s = n.slots[i];
    double cores = 0.0;
    if (capped && cap(i) * weight_left <= cores_left * s.weight) {
      cores = cap(i);
      cores_left -= cores;
      weight_left -= s.weight;
    } else {
      if (capped) per_weight = cores_left / weight_left;
      capped = false;
      cores = per_weight * s.weight;
    }
    s.rate = cores / static_cast<double>(s.heap.size());
    s.stats->busy_cores(now, cores - s.cores, s.pod.second);
    s.cores = cores;
  }
  clock_.cancel(n.event);
  n.event = sim::EventId{};
  double next_dt = -1.0;
  for (const std::uint32_t i : busy) {
    const Slot& s = n.slots[i];
    const double dt = std::max(0.0, (s.heap.front().finish_v - s.v) / s.rate);
    if (next_dt < 0.0 || dt < next_dt) next_dt = dt;
  }
  if (next_dt >= 0.0) n.event = clock_.after(next_dt, Event::cores_done, node);
}

void SharedCores::start(std::uint32_t node, std::uint32_t slot, Ref job, double demand_s) {
  NodeCores& n = nodes_[node];
  advance(n);
  Slot& s = n.slots[slot];
  s.heap.push_back(PsEntry{s.v + demand_s, s.seq++, job});
  std::push_heap(s.heap.begin(), s.heap.end(), std::greater<>{});
  reshare(n, node);
}

Ref SharedCores::done(std::uint32_t node) {
  NodeCores& n = nodes_[node];
  n.event = sim::EventId{};
  advance(n);
  // The finisher: the job with the least work left at its pod's rate (the first slot on a tie).
  Slot* first = nullptr;
  double least = 0.0;
  for (Slot& s : n.slots) {
    if (s.heap.empty()) continue;
    const double left = (s.heap.front().finish_v - s.v) / s.rate;
    if (first == nullptr || left < least) {
      first = &s;
      least = left;
    }
  }
  if (first == nullptr) return Ref{};
  std::pop_heap(first->heap.begin(), first->heap.end(), std::greater<>{});
  const Ref job = first->heap.back().job;
  // The finishing job's virtual finish time is now; pin it against rounding drift.
  first->v = std::max(first->v, first->heap.back().finish_v);
  first->heap.pop_back();
  if (first->heap.empty()) {
    first->stats->busy_cores(clock_.now(), -first->cores, first->pod.second);
    first->cores = first->rate = 0.0;
  }
  reshare(n, node);
  return job;
}

void SharedCores::crash(std::uint32_t node, std::uint32_t slot) {
  NodeCores& n = nodes_[node];
  Slot& s = n.slots[slot];
  if (s.heap.empty()) return;
  advance(n);
  s.heap.clear();
  s.stats->busy_cores(clock_.now(), -s.cores, s.pod.second);
  s.cores = s.rate = 0.0;
  reshare(n, node);
}

double SharedCores::cores_of(std::uint32_t node, std::uint32_t slot) const {
  return nodes_[node].slots[slot].cores;
}

double SharedCores::job_rate(std::uint32_t node, std::uint32_t slot) const {
  return nodes_[node].slots[slot].rate;
}

}  // namespace capsim::net
