#pragma once
// capsim run --traces FILE [--traces-sample N]: a sample of simulated requests as OTLP JSON.

#include <cstddef>
#include <string>

#include "capsim/model/spec.hpp"

namespace CLI {
class App;
}

namespace capsim::cli {

struct TraceOptions {
  std::string file;          ///< empty: no traces
  std::size_t sample = 100;  ///< requests to record
};

/// The run command's trace options (one run per process).
TraceOptions& run_trace_options();

/// Adds --traces and --traces-sample to `run`.
void add_trace_options(CLI::App* run, TraceOptions& o);

/// Runs replication 0 of `spec` once more with a trace recorder (the same seed: the same
/// requests as the results' replication 0) and returns the OTLP JSON text of the first
/// `o.sample` requests sent after the warm-up that completed.
std::string render_traces(const model::Spec& spec, const TraceOptions& o);

}  // namespace capsim::cli
