/// \file The coordinator's one step for trace recording that needs the jobs' tree: a call made
/// by a parallel branch or a fallback belongs to the attempt's job that started it.

#include "capsim/net/traces.hpp"
#include "replication.hpp"

namespace capsim::net {

void Replication::trace_call(Ref call, const CallRequest& request) {
  const bool client = request.caller_kind == CallerKind::client;
  Ref job = request.caller_job;
  if (!client) {
    // Branches of a parallel step and fallbacks are jobs of a job: climb to the attempt's job
    // (the one its call delivered), which the recorder knows.
    for (const Job* j = jobs_.get(job); j != nullptr && j->parent_kind == ParentKind::job;
         j = jobs_.get(job)) {
      job = j->parent;
    }
  }
  options_.traces->call_started(call.pack(), client, request.workload, job.pack(), request.service,
                                request.endpoint, clock_.now());
}

}  // namespace capsim::net
