#include "program.hpp"

#include <algorithm>

#include "calls.hpp"
#include "capsim/model/error.hpp"

namespace capsim::net {

std::uint32_t endpoint_index(const model::ServiceSpec& s, const std::string& name,
                             const std::string& pointer) {
  if (name.empty()) return 0;
  auto it = std::find_if(s.endpoints.begin(), s.endpoints.end(),
                         [&](const model::EndpointSpec& x) { return x.name == name; });
  if (it == s.endpoints.end()) throw model::ModelError(pointer, "unknown endpoint '" + name + "'");
  return static_cast<std::uint32_t>(it - s.endpoints.begin());
}

CallSite ProgramCompiler::call(const model::CallSpec& c, const std::string& caller) {
  CallSite call;
  const auto service = spec_.service_index(c.service);
  if (!service) throw model::ModelError(c.pointer, "unknown service '" + c.service + "'");
  call.service = static_cast<std::uint32_t>(*service);
  call.endpoint = endpoint_index(spec_.services[*service], c.endpoint, c.pointer);
  if (c.count) call.count.emplace(*c.count);
  call.probability = c.probability;
  call.op = c.cache_write ? model::DbOp::write : c.op;
  call.async = c.async;
  call.policy = calls_.add_policy(c.timeout_s, c.retry, c.circuit_breaker,
                                  caller + "->" + c.service, call.service);
  if (c.fallback) {
    call.policy.fallback = std::make_shared<const Steps>(steps(c.fallback->steps, caller));
    call.policy.fallback_on = c.fallback->on;
  }
  if (c.on_miss) {
    call.policy.on_miss = std::make_shared<const Steps>(steps(c.on_miss->steps, caller));
    call.policy.writes_back = c.on_miss->writes_back;
  }
  return call;
}

Steps ProgramCompiler::steps(const std::vector<model::StepSpec>& steps, const std::string& caller) {
  Steps out;
  for (const model::StepSpec& s : steps) {
    Step step;
    step.kind = s.kind;
    switch (s.kind) {
      case model::StepKind::work:
        step.work = dist::Distribution(s.work);
        break;
      case model::StepKind::delay:
        step.work = dist::Distribution(s.delay);
        break;
      case model::StepKind::call:
        step.call = call(s.call, caller);
        break;
      case model::StepKind::parallel:
        for (const model::CallSpec& c : s.parallel) {
          Step branch;
          branch.kind = model::StepKind::call;
          branch.call = call(c, caller);
          step.branches.push_back(Steps{std::move(branch)});
        }
        break;
    }
    out.push_back(std::move(step));
  }
  return out;
}

}  // namespace capsim::net
