#pragma once
/// \file `capsim report`: one self-contained HTML page (inline CSS and SVG, no script, nothing
/// fetched) of a capsim output: tables of every metric with its interval, and charts drawn by
/// capsim itself (docs/report.md).

#include <string>

#include "capsim/report/inputs.hpp"

namespace capsim::report {

struct ReportOptions {
  /// Shown in the page's header (the input file's name); may be empty.
  std::string source;
};

/// A run's results: summary tables (workloads, services, SLO checks, scale events, events,
/// notices) and the golden signals over time (replication 0): traffic, errors, latency
/// p50/p95/p99, saturation (CPU utilisation, queue length) and replicas ready/desired when they
/// change.
std::string results_report(const ResultsDoc& doc, const ReportOptions& options = {});

/// A sweep: every metric against the first parameter, one line per value of the others (with
/// their interval bands), latency percentiles first; the table of points.
std::string sweep_report(const SweepDoc& doc, const ReportOptions& options = {});

/// A comparison: per metric, each variant's mean with its interval, and each variant's paired
/// difference from the baseline with its interval and verdict; the tables of both.
std::string compare_report(const CompareDoc& doc, const ReportOptions& options = {});

/// A size: the cheapest configuration (with a map of the configurations run when two settings
/// are sized together), each setting's answer with the SLO checks at it and one below it, every
/// decision.
std::string size_report(const SizeDoc& doc, const ReportOptions& options = {});

/// Detects the kind of `text` (detect_input), reads it and renders the page. Throws
/// model::ModelError on bad input.
std::string build_report(const std::string& text, const ReportOptions& options = {});

/// How a metric is shown: values multiplied by `factor`, with `unit` ("ms", "/s", "%" or "").
struct DisplayUnit {
  double factor = 1.0;
  std::string unit;
};
/// By the metric's dotted name: latency and other *_ms in ms; *_rps per second; error rates,
/// error fractions, utilisations, rejected, rate_limited, dropped, hit_ratio and
/// wasted_work_fraction in %; anything else as it is.
DisplayUnit display_unit(const std::string& metric);

}  // namespace capsim::report
