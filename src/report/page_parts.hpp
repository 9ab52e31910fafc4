#pragma once
/// \file Internal to the report pages (not installed): the colours, chart ids and text helpers
/// the results, sweep and compare pages share (page_parts.cpp).

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "capsim/report/inputs.hpp"
#include "capsim/report/report.hpp"
#include "capsim/report/svg.hpp"

namespace capsim::report::detail {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr const char* kGood = "#2ca02c";
inline constexpr const char* kBad = "#d62728";
inline constexpr const char* kNeutral = "#4e79a7";
inline constexpr const char* kDirection = "#9467bd";

/// Hands out chart ids unique in the page.
struct Ids {
  int next = 0;
  std::string operator()() { return "chart-" + std::to_string(++next); }
};

/// The SLO's limits for a chart of `metrics` (in display units: x `factor`): the latency
/// limits of the percentiles drawn on a workload's latency chart, the error-rate limit on an
/// error-rate chart (the "slo" of sweep and compare outputs).
std::vector<Reference> slo_lines(const SloLimits& slo, const std::vector<std::string>& metrics,
                                 double factor);

/// `s` cut at every `sep`; an empty `s` gives one empty part.
std::vector<std::string> split(const std::string& s, char sep);

/// `*v * factor`, or NaN (no point drawn) when `v` is absent.
double scaled(const std::optional<double>& v, double factor);

/// `*v * factor` as format_number writes it, or "undefined".
std::string value_text(const std::optional<double>& v, double factor);

/// "[lo, hi]" times `factor`, or "" when either end is absent.
std::string interval_text(const Value& v, double factor);
/// interval_text of a metric that cannot be negative (a results or size metric, not a
/// difference): a lower end below 0 (a wide Student t interval of few replications) is shown as
/// 0, and a percentage of a whole (unit "%") stops at 100, as the charts draw them.
std::string value_interval_text(const Value& v, const DisplayUnit& u);

/// "mean [lo, hi]" in the metric's display unit.
std::string estimate_text(const Value& v, const DisplayUnit& u);

/// A fraction as a percentage: "95%".
std::string percent_text(double fraction);

/// The header's confidence level as a percentage, 95% when it has none.
std::string confidence_text(const Header& h);

/// "label (unit)", or the label alone for unitless metrics.
std::string label_with_unit(const std::string& label, const DisplayUnit& u);

/// The <h1> and the lines under it; `what` names the input in "`what` SOURCE".
std::string page_header(const std::string& title, const Header& h, const ReportOptions& options,
                        const std::string& what);

/// A badge: `yes` (good) or `no` (bad), or "n/a" when `ok` is absent.
std::string badge(const std::optional<bool>& ok, const std::string& yes, const std::string& no);

/// `svg` in a <figure>, half the page's width when `half`.
std::string figure(const std::string& svg, bool half = false);

/// The first `limit` notices as a list, and how many more there are; "" for none.
std::string notices_html(const std::vector<std::string>& notices, std::size_t limit = 50);

}  // namespace capsim::report::detail
