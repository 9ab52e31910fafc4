#pragma once
/// \file `capsim import traces`: OpenTelemetry (OTLP JSON) or Jaeger JSON span exports -> a
/// model skeleton: services and endpoints, the call graph (call counts, probabilities, parallel
/// calls), each endpoint's self time fitted (capsim/fit), an open workload per root endpoint.

#include <cstdint>
#include <string>
#include <vector>

#include "capsim/import/k6.hpp"

namespace capsim::import {

/// One span, whatever the format.
struct TraceSpan {
  std::string trace;
  std::string id;
  std::string parent;  ///< "" for a root
  std::string service;
  std::string name;
  bool client = false;  ///< kind CLIENT (OTLP kind 3, Jaeger tag span.kind=client)
  /// Seconds since the earliest start in the file: differences of Unix-epoch nanoseconds held
  /// as doubles would keep only about 0.25 us (2^52 ns is 52 days).
  double start_s = 0;
  double end_s = 0;
  std::string pointer;  ///< where it is in the file
  /// capsim's own traces: the CPU demand of the span's work (event `completed`,
  /// `capsim.cpu_work_s`), its self time without waiting; < 0 when absent.
  double cpu_work_s = -1;
  std::uint64_t start_ticks = 0, end_ticks = 0;  ///< as read: ns (OTLP) or us (Jaeger)
};

/// Reads OTLP JSON (`resourceSpans`, times in Unix nanoseconds) or Jaeger JSON (`data[].spans`,
/// microseconds; the service from `processes`). Refuses with model::ModelError naming the
/// pointer: neither format, a span without ids or times, an end before its start, a parent that
/// is not in its trace.
std::vector<TraceSpan> read_trace_spans(const Json& document);

/// The model skeleton of the spans (docs/import.md, "capsim import traces"); what was inferred
/// and what could not be is in the warnings.
Fragment import_traces(const std::vector<TraceSpan>& spans);

}  // namespace capsim::import
