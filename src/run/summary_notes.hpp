#pragma once
// Internal to the terminal summary (summary_notes.cpp): the `!` lines below its tables, which
// say what a reader could misread or miss in them (docs/answers.md).

#include <string>
#include <vector>

#include "capsim/run/replications.hpp"

namespace capsim::run {

/// What a reader might misread in a workload's row: percentiles of successful requests only
/// under many errors, no request finished at all, done/s above offered/s.
std::vector<std::string> reading_notes(const Results& r, const std::string& workload);

/// What failed a service's requests that its row does not show: connection pools that time out
/// or are refused, replicas killed for memory.
std::vector<std::string> mechanism_notes(const Results& r, const std::string& service);

}  // namespace capsim::run
