#pragma once
/// \file The step interpreter: what a job does next. It reads the job's steps and draws its
/// keyed random numbers (common random numbers: the same request draws the same work and call
/// counts whichever replica serves it); it starts nothing itself.

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "capsim/sim/random.hpp"
#include "job.hpp"
#include "program.hpp"

namespace capsim::net {

struct StepAction {
  enum class Kind : std::uint8_t {
    work,   ///< serve `demand_s` of CPU work
    delay,  ///< wait `demand_s`, holding the worker but no core
    call,   ///< call `call` once, keyed `key` (the job now waits for one answer)
    fork,   ///< run the branches of `step` in parallel, branch b keyed derive(key, b)
    done,   ///< no step left
  };
  Kind kind = Kind::done;
  double demand_s = 0.0;
  const CallSite* call = nullptr;
  const Step* step = nullptr;
  std::uint64_t key = 0;
  std::uint64_t origin = 0;  ///< key's counterpart from the job's origin (Job::origin)
};

/// The job's next action from its current step, skipping call steps that draw no call.
[[gnu::always_inline]] inline StepAction next_step(Job& j) {
  const Steps& steps = *j.steps;
  while (j.step < steps.size()) {
    const Step& step = steps[j.step];
    switch (step.kind) {
      case model::StepKind::work: {
        // Keyed by the request and the step, not drawn in start order: common random numbers.
        sim::KeyedRandom rng(sim::derive_key(j.key, 2 * std::uint64_t{j.step}));
        StepAction a;
        a.kind = StepAction::Kind::work;
        a.demand_s = step.work.sample(rng);
        return a;
      }
      case model::StepKind::delay: {
        // Keyed like work (its own step index): the same request waits as long everywhere.
        sim::KeyedRandom rng(sim::derive_key(j.key, 2 * std::uint64_t{j.step}));
        StepAction a;
        a.kind = StepAction::Kind::delay;
        a.demand_s = step.work.sample(rng);
        return a;
      }
      case model::StepKind::call: {
        const std::uint64_t step_key = sim::derive_key(j.key, 2 * std::uint64_t{j.step} + 1);
        const CallSite& c = step.call;
        if (!j.calls_drawn) {
          sim::KeyedRandom rng(step_key);
          std::int64_t n = 1;
          if (c.count) n = std::llround(c.count->sample(rng));
          if (c.probability < 1.0 && !(rng.uniform01() < c.probability)) n = 0;
          j.calls_left = std::max<std::int64_t>(0, n);
          j.calls_drawn = true;
        }
        if (j.calls_left == 0) {
          j.calls_drawn = false;
          ++j.step;
          continue;
        }
        --j.calls_left;
        j.pending = 1;
        StepAction a;
        a.kind = StepAction::Kind::call;
        a.call = &c;
        a.key = sim::derive_key(step_key, static_cast<std::uint64_t>(j.calls_left));
        // Without a retry on the path the origin is the key: no second derivation.
        a.origin = j.origin == j.key
                       ? a.key
                       : sim::derive_key(sim::derive_key(j.origin, 2 * std::uint64_t{j.step} + 1),
                                         static_cast<std::uint64_t>(j.calls_left));
        return a;
      }
      case model::StepKind::parallel: {
        j.pending = static_cast<std::uint32_t>(step.branches.size());
        StepAction a;
        a.kind = StepAction::Kind::fork;
        a.step = &step;
        a.key = sim::derive_key(j.key, 2 * std::uint64_t{j.step} + 1);
        a.origin =
            j.origin == j.key ? a.key : sim::derive_key(j.origin, 2 * std::uint64_t{j.step} + 1);
        return a;
      }
    }
  }
  return StepAction{};
}

}  // namespace capsim::net
