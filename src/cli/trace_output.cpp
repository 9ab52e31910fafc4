// capsim run --traces: replication 0 again, recorded (src/net/traces.cpp).

#include "trace_output.hpp"

#include <CLI/CLI.hpp>

#include "capsim/net/network.hpp"
#include "capsim/net/traces.hpp"

namespace capsim::cli {

TraceOptions& run_trace_options() {
  static TraceOptions options;
  return options;
}

void add_trace_options(CLI::App* run, TraceOptions& o) {
  run->add_option("--traces", o.file,
                  "write a sample of simulated requests as OTLP JSON spans to this file");
  run->add_option("--traces-sample", o.sample,
                  "requests to record, the first sent after the warm-up (default 100)")
      ->check(CLI::Range(1, 1'000'000).description(""));
}

std::string render_traces(const model::Spec& spec, const TraceOptions& o) {
  net::TraceRecorder recorder(o.sample, spec.simulation.warmup_s);
  net::ReplicationOptions options;
  options.replication = 0;
  options.traces = &recorder;
  net::simulate(spec, options);
  return recorder.otlp(spec).dump() + "\n";
}

}  // namespace capsim::cli
