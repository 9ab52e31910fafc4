#pragma once
/// \file `capsim import traces`: OpenTelemetry (OTLP JSON) or Jaeger JSON span exports -> a
/// model skeleton: services and endpoints, the call graph (call counts, probabilities, parallel
/// calls), each endpoint's self time fitted (capsim/fit), an open workload per root endpoint.

#include <cstdint>
#include <string>
#include <vector>

#include "capsim/import/k6.hpp"

namespace capsim::import {

/// A span's kind (OTLP's SpanKind; Jaeger's span.kind tag). CLIENT and PRODUCER spans are a
/// service's calls out: a CLIENT span with no span of another service below it waits on a
/// dependency that is not instrumented (a database, an external API); a PRODUCER span's callee
/// (a CONSUMER span) runs asynchronously.
enum class SpanKind : std::uint8_t { unspecified, internal, server, client, producer, consumer };

/// One span, whatever the format.
struct TraceSpan {
  std::string trace;
  std::string id;
  std::string parent;  ///< "" for a root
  std::string service;
  std::string name;
  SpanKind kind = SpanKind::unspecified;
  /// Seconds since the earliest start in the file: differences of Unix-epoch nanoseconds held
  /// as doubles would keep only about 0.25 us (2^52 ns is 52 days).
  double start_s = 0;
  double end_s = 0;
  std::string pointer;  ///< where it is in the file
  /// capsim's own traces: the CPU demand of the span's work (event `completed`,
  /// `capsim.cpu_work_s`), its self time without waiting; < 0 when absent.
  double cpu_work_s = -1;
  std::uint64_t start_ticks = 0, end_ticks = 0;  ///< as read: ns (OTLP) or us (Jaeger)
  bool unnamed_service = false;  ///< no service.name (serviceName): `service` is "unknown"

  bool calls_out() const { return kind == SpanKind::client || kind == SpanKind::producer; }
};

/// Reads OTLP JSON (`resourceSpans`, times in Unix nanoseconds) or Jaeger JSON (`data[].spans`,
/// microseconds; the service from `processes`). Refuses with model::ModelError naming the
/// pointer: neither format, a span without ids or times, an end before its start, a parent that
/// is not in its trace. `notes` (when given) receives what the reading doubts: times that are
/// not nanoseconds (OTLP) or microseconds (Jaeger) since 1970, as their magnitude shows.
std::vector<TraceSpan> read_trace_spans(const Json& document,
                                        std::vector<std::string>* notes = nullptr);

/// The model skeleton of the spans (docs/import.md, "capsim import traces"); what was inferred
/// and what could not be is in the warnings.
Fragment import_traces(const std::vector<TraceSpan>& spans);

}  // namespace capsim::import
