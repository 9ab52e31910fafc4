/// \file Whether a job's work is still wanted, the slow way (docs/engine.md): the walk up its
/// chain of callers, run only when a timeout or a job ending with calls out has moved the orphan
/// epoch since the job's parent was last known live (Replication::is_orphan).

#include "replication.hpp"

namespace capsim::net {

bool Replication::orphan_walk(const Job& job) const {
  // Walk up the chain of callers: the job's work is used only if every call on the way up is
  // still waiting for the very attempt that leads to it.
  ParentKind kind = job.parent_kind;
  Ref parent = job.parent;
  std::uint32_t attempt = job.parent_attempt;
  for (int depth = 0; depth < 10000; ++depth) {
    const Job* up = nullptr;
    // A consumer's job is used while it processes its messages' latest receive.
    if (kind == ParentKind::message) [[unlikely]]
      return !queues_.current_batch(parent);
    if (kind == ParentKind::job) {
      up = jobs_.get(parent);
    } else {
      const CallState* c = calls_.get(parent);
      if (c == nullptr || c->attempt != attempt || !c->in_flight) return true;
      // A client, or nobody (fire-and-forget), is at the top: the work is used.
      if (c->caller_kind != CallerKind::job) return false;
      up = jobs_.get(c->caller);
    }
    if (up == nullptr) return true;
    kind = up->parent_kind;
    parent = up->parent;
    attempt = up->parent_attempt;
  }
  return false;
}

}  // namespace capsim::net
