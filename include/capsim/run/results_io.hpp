#pragma once
/// \file Writers of results: the JSON document, CSV files and the terminal summary.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "capsim/run/replications.hpp"

namespace capsim::run {

/// The results document (docs/results-format.md). Undefined values (no successful request to
/// take a percentile of) are written as null. `performance` is left out when false, which makes
/// the document identical across thread counts.
nlohmann::ordered_json to_json(const Results& r, bool performance = true);

/// One row per metric: `name,mean,ci_lo,ci_hi` (min/max metrics: the value in `mean`).
std::string summary_csv(const Results& r);
/// The time series with the columns of the results format.
std::string timeseries_csv(const Results& r);

/// A readable summary for the terminal: one table of workloads, one of services, then notices and
/// SLO checks.
std::string summary_table(const Results& r);

/// Writes `content` to `path` whole or not at all: into a temporary file in the same directory,
/// flushed, then renamed over `path`. Throws std::runtime_error naming the path on failure.
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

/// Writes several files all or none: every content goes to a temporary file first; only when all
/// are written are they renamed into place (renames within a directory do not fail for want of
/// space). On failure the temporary files are removed and no target is touched.
void write_files_atomic(const std::vector<std::pair<std::filesystem::path, std::string>>& files);

}  // namespace capsim::run
