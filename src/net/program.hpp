#pragma once
/// \file The compiled model: what a request does at each service, with names resolved to
/// indices and distributions turned into samplers. Built once per replication, read-only after.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capsim/dist/distribution.hpp"
#include "capsim/model/spec.hpp"
#include "pool.hpp"

namespace capsim::net {

struct Step;
using Steps = std::vector<Step>;

/// What a caller does around one logical call: per-attempt timeout, retries, breaker. The
/// indices name the call component's timeout queues, retry budgets and breakers.
struct Policy {
  std::optional<double> timeout_s;
  std::uint32_t timeouts = kNone;  ///< timeout queue, when timeout_s is set
  const model::RetrySpec* retry = nullptr;
  std::uint32_t budget = kNone;   ///< retry budget, when the retry has one
  std::uint32_t breaker = kNone;  ///< circuit breaker, when the call has one
  /// The caller's own answer when the call fails with one of `fallback_on` (null: none).
  std::shared_ptr<const Steps> fallback;
  model::FailureSet fallback_on = 0;
  /// A lookup in a cache, cache-aside: what the caller runs when it missed (null: read-through).
  std::shared_ptr<const Steps> on_miss;
  bool writes_back = false;  ///< on_miss writes to the cache: its success fills the key
};

/// A call to another service: whom, how often, and under which policy.
struct CallSite {
  std::uint32_t service = kNone;
  std::uint32_t endpoint = kNone;
  std::optional<dist::Distribution> count;
  double probability = 1.0;
  model::DbOp op = model::DbOp::read;  ///< write, to a cache: a write (SET), no lookup
  Policy policy;
  bool async = false;  ///< fire-and-forget: the caller does not wait
};

struct Step {
  model::StepKind kind = model::StepKind::work;
  dist::Distribution work;  ///< work, or the delay of a delay step
  CallSite call;
  /// parallel: one single-call step list per branch, run as a branch job.
  std::vector<Steps> branches;
};

/// The index of `name` among the service's endpoints (the first when empty); ModelError naming
/// `pointer` when there is none.
std::uint32_t endpoint_index(const model::ServiceSpec& s, const std::string& name,
                             const std::string& pointer);

class Calls;

/// Compiles steps and calls, registering each call's policy with the call component.
class ProgramCompiler {
 public:
  ProgramCompiler(const model::Spec& spec, Calls& calls) : spec_(spec), calls_(calls) {}
  Steps steps(const std::vector<model::StepSpec>& steps, const std::string& caller);
  CallSite call(const model::CallSpec& c, const std::string& caller);

 private:
  const model::Spec& spec_;
  Calls& calls_;
};

}  // namespace capsim::net
