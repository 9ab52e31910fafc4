#pragma once
// Shared by the runtime's end-to-end tests (net_*_test.cpp): run a model given as JSON text and
// read one metric of its merged results, or of one replication's summary.

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "capsim/model/load.hpp"
#include "capsim/run/replications.hpp"
#include "capsim/stats/summary.hpp"

namespace capsim::net::test_support {

using Overrides = std::vector<std::pair<std::string, std::string>>;

/// Loads the model `text`, applies `sets` ({pointer, JSON value}) as --set does, and runs its
/// replications on `threads` threads (0: every core).
inline run::Results run_json(const std::string& text, const Overrides& sets, int threads = 0) {
  model::Json doc = model::Json::parse(text);
  for (const auto& [pointer, value] : sets) model::apply_override(doc, pointer + "=" + value);
  const model::Spec spec = model::load(doc, ".");
  run::RunOptions o;
  o.threads = threads;
  return run::run_replications(spec, o);
}
inline run::Results run_json(const std::string& text, int threads = 0) {
  return run_json(text, Overrides{}, threads);
}

/// The metric's mean over replications (its min or max for metrics merged that way).
inline double mean(const run::Results& r, const std::string& name) {
  const run::MergedMetric* m = r.find(name);
  if (m == nullptr) throw std::runtime_error("no metric " + name);
  return m->merge == stats::Merge::estimate ? m->estimate.mean : m->extreme;
}

/// The value of metric `dotted` (its dotted name) in one replication's summary; throws when the
/// summary has none.
inline double metric(const stats::Summary& s, const std::string& dotted) {
  for (const stats::Metric& m : s.metrics) {
    if (m.dotted() == dotted) return m.value;
  }
  throw std::runtime_error("no metric " + dotted);
}

}  // namespace capsim::net::test_support
