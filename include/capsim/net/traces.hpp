#pragma once
/// \file A sample of simulated requests as spans (`capsim run --traces`), written as OTLP JSON
/// (an ExportTraceServiceRequest: resourceSpans / scopeSpans / spans), one trace per request,
/// a client span per call and a server span per attempt, with queueing and service time as
/// span events. docs/traces.md describes the output.

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "capsim/model/spec.hpp"
#include "capsim/net/network.hpp"

namespace capsim::net {

/// Simulated time 0 is this instant in the traces' Unix nanoseconds (2026-01-01T00:00:00Z):
/// trace viewers show a date, and a fixed one keeps the output the same run after run.
inline constexpr std::uint64_t kTraceEpochUnixNano = 1'767'225'600ULL * 1'000'000'000ULL;

/// Records the path of the first `sample` client requests sent at or after `from_s` (the
/// warm-up's end). The runtime calls its hooks only when ReplicationOptions::traces is set;
/// ids are the runtime's packed pool references (unique while the call or job lives).
class TraceRecorder {
 public:
  TraceRecorder(std::size_t sample, double from_s) : sample_(sample), from_s_(from_s) {}

  // ---- Hooks, in the order of a request's path -------------------------------------------
  /// A client request (`caller_job` unused) or a job's call (`caller_job`: the service job
  /// that makes it, parallel branches resolved to it) to `endpoint` of `service` starts.
  void call_started(std::uint64_t call, bool client, std::uint32_t workload,
                    std::uint64_t caller_job, std::uint32_t service, std::uint32_t endpoint,
                    double now_s);
  /// Attempt `attempt` of `call` arrives at its service as job `job`.
  void attempt_sent(std::uint64_t call, std::uint32_t attempt, std::uint64_t job, double now_s);
  /// Attempt `attempt` of `call` was refused by its circuit breaker (no job).
  void attempt_refused(std::uint64_t call, std::uint32_t attempt, double now_s);
  /// Job `job` ends with `outcome`: its arrival, when it took a worker (if it did), its CPU
  /// demand and replica.
  void job_finished(std::uint64_t job, std::uint32_t replica, double arrived_s, bool took_worker,
                    double started_s, double work_s, Outcome outcome, double now_s);
  /// The call ends (after its retries) with `outcome`, after `attempts` attempts.
  void call_completed(std::uint64_t call, Outcome outcome, std::uint32_t attempts, double now_s);

  /// Requests recorded whose every span has ended.
  std::size_t complete_traces() const;
  /// The ExportTraceServiceRequest of the complete traces, spans grouped by service (the
  /// resource), clients under `capsim-client`.
  nlohmann::ordered_json otlp(const model::Spec& spec) const;

 private:
  struct Event {
    const char* name;
    double t_s;
    std::vector<std::pair<const char*, double>> seconds;  ///< attributes, seconds
  };
  struct Span {
    std::uint32_t trace = 0;
    std::int64_t parent = -1;             ///< index in spans_
    bool client = true;                   ///< a call (client) or an attempt at the callee (server)
    std::uint32_t workload = UINT32_MAX;  ///< root calls
    std::uint32_t caller_service = UINT32_MAX;  ///< calls made by a job: the caller's service
    std::uint32_t service = 0;
    std::uint32_t endpoint = 0;
    std::uint32_t attempt = 0;  ///< server spans; calls: attempts made
    std::uint32_t replica = UINT32_MAX;
    double start_s = 0.0;
    double end_s = -1.0;  ///< -1 while open
    Outcome outcome = Outcome::success;
    std::vector<Event> events;
  };
  struct Trace {
    std::uint32_t open = 0;  ///< spans not ended
  };
  std::uint32_t open_span(Span span);
  void close_span(std::uint32_t index, double now_s);

  std::size_t sample_;
  double from_s_;
  std::vector<Span> spans_;
  std::vector<Trace> traces_;
  std::unordered_map<std::uint64_t, std::uint32_t> live_calls_;  ///< call -> span
  std::unordered_map<std::uint64_t, std::uint32_t> live_jobs_;   ///< job -> span
};

}  // namespace capsim::net
