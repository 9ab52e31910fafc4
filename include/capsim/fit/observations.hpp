#pragma once
/// \file Reading observed latencies for `capsim fit`: a CSV of samples, Prometheus histogram
/// buckets (exposition text or the HTTP API's JSON), k6's --summary-export JSON. Bad input is
/// refused with model::ModelError naming the line and column (text) or the JSON Pointer (JSON).

#include <string>
#include <string_view>

#include "capsim/fit/fit.hpp"

namespace capsim::fit {

enum class InputFormat { automatic, csv, prometheus, prometheus_json, k6 };

struct ReadOptions {
  InputFormat format = InputFormat::automatic;
  /// Seconds per unit of the numbers in a CSV or a Prometheus `le` (1 for seconds, 0.001 for
  /// milliseconds). k6 summaries are always milliseconds.
  double seconds_per_unit = 1.0;
  std::string column;  ///< CSV: the column (header name or 1-based number); default the first
  std::string metric;  ///< Prometheus: the histogram's name (without _bucket); k6: the metric
                       ///< (default http_req_duration)
};

/// The format `automatic` resolves to: a name ending in .csv is CSV; JSON text (starting with
/// '{') is k6 when it has "metrics", else Prometheus JSON; text with a `_bucket` series is
/// Prometheus exposition text; anything else CSV.
InputFormat detect_format(const std::string& name, std::string_view text);

/// Parses `text` (named `source` in messages).
Observations read_observations(std::string_view text, const std::string& source,
                               const ReadOptions& options);

}  // namespace capsim::fit
