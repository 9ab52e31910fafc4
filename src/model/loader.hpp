#pragma once
/// \file Internal to model loading (not installed): text helpers for messages, the table of
/// features not supported yet, the Reader that collects diagnostics while typed values are read
/// out of the document (on capsim/model/diagnostics.hpp, shared with experiments), and the
/// readers of the settings that refer to no other part of the model.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capsim/model/diagnostics.hpp"
#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "capsim/model/spec.hpp"

namespace capsim::model::detail {

using Names = std::vector<std::string_view>;

// ---- Text (reader.cpp; the rest is in capsim/model/diagnostics.hpp) --------------------------

/// The member `key` of `object`, or nullptr when `object` is not an object or lacks the key.
inline const Json* find(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(std::string(key));
  return found == object.end() ? nullptr : &*found;
}

/// A number for messages: integral values without a fraction ("600"), others in the shortest
/// form that reads back exactly ("0.005").
std::string number_text(double value);

/// "25%" -> 25 (a whole percentage, Kubernetes' IntOrString), else nothing.
std::optional<double> whole_percent(const std::string& text);

/// Seconds for messages: "600 s".
std::string seconds_text(double seconds);

/// A plain decimal number (surrounding spaces allowed, the whole text must be used), finite.
std::optional<double> parse_number(std::string_view text);

/// `text` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view text);

/// `text` with every byte that is not part of well-formed UTF-8 (RFC 3629) shown as <0xNN>: equal
/// to `text` exactly when it is UTF-8 (json_io.cpp).
std::string printable_utf8(const std::string& text);

/// The unescaped tokens of a JSON Pointer, or nullopt when it is malformed (json_io.cpp).
std::optional<std::vector<std::string>> split_pointer(const std::string& pointer);

// ---- Features defined by the model format but not implemented yet (features.cpp) ------------

/// True when `key` of an object of kind `context` ("model", "workload", "service",
/// "load_balancer", "call") belongs to a feature this version refuses.
bool is_unsupported_key(std::string_view context, std::string_view key);

/// True when the string `value` of `key` selects a feature this version refuses (service kinds).
bool is_unsupported_value(std::string_view context, std::string_view key, std::string_view value);

/// The refused keys of `context`, for suggestions.
std::vector<std::string> unsupported_keys(std::string_view context);

/// The message for every refused feature.
inline constexpr std::string_view not_supported_message =
    "not supported yet in this version of capsim";

// ---- Reader -------------------------------------------------------------------------------

enum class Sign { any, non_negative, positive };

/// Collects a model's errors (the Diagnostics it is) and warnings while values are read, each
/// kept up to kMaxDiagnostics.
class Reader : public Diagnostics {
 public:
  explicit Reader(std::filesystem::path base_dir)
      : Diagnostics(kMaxDiagnostics), base_dir_(std::move(base_dir)) {}

  const std::filesystem::path& base_dir() const { return base_dir_; }

  void warning(std::string pointer, std::string message,
               DiagnosticKind kind = DiagnosticKind::general) {
    warnings_.error(std::move(pointer), std::move(message), kind);
  }
  /// An error that follows from one already reported (a call to a service when there are no
  /// services): counted, so that the element is left out, but not listed.
  void follow_up_error() { ++follow_up_errors_; }
  void unsupported(std::string pointer);

  /// Reports every key of `object` that is not in `allowed`: a key of a refused feature (see
  /// is_unsupported_key) is refused, unless its value is `false` or `[]` (the feature is off);
  /// other keys are unknown, with a suggestion. Keys in `elsewhere` are left to the caller.
  void check_keys(const Json& object, const std::string& pointer, std::string_view context,
                  const Names& allowed, const Names& elsewhere = {});

  /// A duration (number of seconds or string with a unit) of the given sign.
  std::optional<double> duration(const Json& value, const std::string& pointer, Sign sign);
  /// A plain number of the given sign ("expected a number > 0").
  std::optional<double> signed_number(const Json& value, const std::string& pointer, Sign sign);

  /// The diagnostics in document order (Diagnostics::sorted).
  std::vector<Diagnostic> sorted_errors(const Json& doc) const { return sorted(doc, "errors"); }
  std::vector<Diagnostic> sorted_warnings(const Json& doc) const {
    return warnings_.sorted(doc, "warnings");
  }
  bool has_errors() const { return error_count() != 0; }
  /// Every error reported, those beyond kMaxDiagnostics and follow-ups (counted, not kept)
  /// included.
  std::size_t error_count() const { return size() + follow_up_errors_; }

 private:
  std::filesystem::path base_dir_;
  Diagnostics warnings_{kMaxDiagnostics};
  std::size_t follow_up_errors_ = 0;
};

/// `popularity` of cache keys or clients: "uniform" or {"zipf": s} (load_data.cpp).
void read_popularity(Reader& reader, const Json& value, const std::string& pointer,
                     Popularity& popularity, double& zipf_exponent);

// ---- Resilience settings (load_resilience.cpp) ----------------------------------------------

/// `retry` of a workload or a call: max_attempts, on, backoff, budget.
std::optional<RetrySpec> read_retry(Reader& reader, const Json& value, const std::string& pointer);
/// A list of failures (`retry.on`, `fallback.on`): names among timeout, rejected, error,
/// rate_limited, circuit_open.
std::optional<FailureSet> read_failure_set(Reader& reader, const Json& value,
                                           const std::string& pointer);
/// `circuit_breaker` of a call.
std::optional<CircuitBreakerSpec> read_circuit_breaker(Reader& reader, const Json& value,
                                                       const std::string& pointer);
/// `rate_limit` of a service: a token bucket (rate, burst: default max(1, rate)) or a fixed
/// window (window, limit), per service or (`per`: "client") per client.
std::optional<RateLimitSpec> read_rate_limit(Reader& reader, const Json& value,
                                             const std::string& pointer);
/// `rate_limit` as written: one limit (an object) or several applied in order (a non-empty
/// array of them); empty when it had an error.
std::vector<RateLimitSpec> read_rate_limits(Reader& reader, const Json& value,
                                            const std::string& pointer);
/// `capacity_units` of a database (load_capacity_units.cpp): mode, burst or adaptation, read,
/// write.
std::optional<CapacityUnitsSpec> read_capacity_units(Reader& reader, const Json& value,
                                                     const std::string& pointer);
/// `load_balancer.health`: max_fails, fail_timeout.
std::optional<HealthSpec> read_health(Reader& reader, const Json& value,
                                      const std::string& pointer);

// ---- Memory (load_memory.cpp) ---------------------------------------------------------------

/// `memory` of a service: baseline_mib (required), per_request_mib (a distribution of plain
/// numbers), request_mib, limit_mib (> baseline_mib).
std::optional<MemorySpec> read_memory(Reader& reader, const Json& value,
                                      const std::string& pointer);

// ---- Nodes (load_nodes.cpp) -----------------------------------------------------------------

/// The model's `nodes`: pools (cores, memory_mib, price_per_hour, min, max, initial,
/// provisioning_time) and the cluster autoscaler's settings.
std::optional<NodesSpec> read_nodes(Reader& reader, const Json& value, const std::string& pointer);
/// Each service's `pod` (pool, cores, memory_mib) in `services` (the model's "services" at
/// `pointer`), once the services and `spec.nodes` are read; a pod larger than its pool's node is
/// refused.
void read_pods(Reader& reader, const Json& services, const std::string& pointer, Spec& spec);
/// Each node_loss fault's pool, `nodes` (at most the pool's max) and `zone` (one of the pool's
/// zones), once the faults and `spec.nodes` are read (docs/nodes.md#node-and-zone-loss).
void check_node_losses(Reader& reader, const Spec& spec);
/// A pod's `disruption_budget`: `{"min_available": N}` or `{"max_unavailable": N}`, a count >= 0
/// or a whole percentage such as "50%" (load_disruption_budget.cpp).
std::optional<DisruptionBudgetSpec> read_disruption_budget(Reader& reader, const Json& value,
                                                           const std::string& pointer);

// ---- Autoscaling (load_autoscaling.cpp) -----------------------------------------------------

/// `autoscaling` of a service: kind hpa, keda or schedule, with Kubernetes' defaults filled in.
std::optional<AutoscalingSpec> read_autoscaling(Reader& reader, const Json& value,
                                                const std::string& pointer);

// ---- Distributions (load_dist.cpp) --------------------------------------------------------

/// What a distribution measures: times (durations with units allowed) or counts (plain numbers).
enum class Quantity { time, count };

/// Reads a distribution: an object with "dist" and parameters, or a bare duration (a number for
/// counts) meaning constant. `extra_keys` are keys the caller handles (a mixture's "weight").
std::optional<dist::DistSpec> read_distribution(Reader& reader, const Json& value,
                                                const std::string& pointer, Quantity quantity,
                                                const Names& extra_keys = {});

/// Calls `on_line(number, line)` for each line (numbered from 1, without its "\n" or "\r\n") of
/// a text file under the reader's base directory. The file must be a regular file of at most
/// kMaxInputFileBytes: a model must not make capsim read /dev/zero or wait on a pipe. On failure
/// reports "cannot read 'PATH': REASON" at `pointer` and returns false.
bool read_lines(Reader& reader, const std::string& file, const std::string& pointer,
                const std::function<void(std::size_t, std::string_view)>& on_line);

// ---- Phases (load_phases.cpp) -----------------------------------------------------------------

/// `simulation.phases`: each {name, from, to}, names unique, 0 <= from < to <= the duration
/// (when it is known).
std::vector<PhaseSpec> read_phases(Reader& reader, const Json& value, const std::string& pointer,
                                   std::optional<double> duration_s);

}  // namespace capsim::model::detail
