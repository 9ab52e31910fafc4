#pragma once
/// \file Questions about a model's request path (docs/request-path.md) that several layers ask
/// the same way: the runtime's summary and the experiments' metric catalogue.

#include "capsim/model/spec.hpp"

namespace capsim::model {

/// Some call of the model (a call step, an item of a parallel step, or a call inside another
/// call's fallback) has a `fallback`: the results then count degraded answers.
bool uses_fallbacks(const Spec& spec);

}  // namespace capsim::model
