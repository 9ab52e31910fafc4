#pragma once
/// \file Charts as inline SVG, drawn by capsim itself: linear scales with "nice" ticks, line
/// charts with interval bands, and interval charts (bars or dots with whiskers). Every text is
/// escaped. Each chart's plot area is a <rect class="plot"> filled with kPlotBackground, a
/// colour used nowhere else, so that a screenshot can be searched for the plot areas
/// (tests/report/check_render.py); data are drawn in saturated colours, the grid and axes in
/// greys.

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace capsim::report {

/// The fill of every plot area.
inline constexpr const char* kPlotBackground = "#f3f5f9";

/// Colour i of the palette (cycled): saturated colours only, never grey, and never the green
/// or red that mean better/worse (met/not met) elsewhere in the report.
const std::string& palette(std::size_t i);

/// Evenly spaced ticks at a "nice" step (1, 2, 2.5 or 5 times a power of ten) covering
/// [lo, hi]: values[0] = lo' <= lo and values.back() = hi' >= hi, about `count` intervals.
/// lo == hi gets a unit-wide range around it; non-finite bounds give [0, 1]. `integer`: ticks at
/// whole numbers only (a step of 1, 2, 5, 10, ...; never 0.5 or 2.5), for settings such as
/// replicas or cores.
struct Ticks {
  double lo = 0.0;
  double hi = 1.0;
  double step = 1.0;
  std::vector<double> values;
};
Ticks nice_ticks(double lo, double hi, int count = 5, bool integer = false);

/// The linear map of [domain_lo, domain_hi] onto [range_lo, range_hi] (a reversed range is how
/// y grows upwards). A zero-width domain maps everything to the middle of the range.
class LinearScale {
 public:
  LinearScale(double domain_lo, double domain_hi, double range_lo, double range_hi)
      : d0_(domain_lo), d1_(domain_hi), r0_(range_lo), r1_(range_hi) {}
  double operator()(double value) const;
  double domain_lo() const { return d0_; }
  double domain_hi() const { return d1_; }

 private:
  double d0_, d1_, r0_, r1_;
};

/// One line of a line chart. NaN in `y` is a gap (the line breaks there); `lo`/`hi`, when not
/// empty, are the interval band (same length as `x`; NaN where there is no interval).
struct Series {
  std::string name;
  std::string color;
  std::vector<double> x, y;
  std::vector<double> lo, hi;
  std::string dash;      ///< stroke-dasharray ("6 3"); empty: a solid line
  bool markers = false;  ///< a dot at every value
  bool line = true;      ///< false: dots only, never joined (a scatter)
  /// Not empty: per value, whether it is uncertain (few observations behind it): drawn as an
  /// open circle, not joined to its neighbours, without a band, but still inside the axes.
  std::vector<bool> uncertain;
};

/// A labelled reference line: at an x value (vertical) or a y value (horizontal).
struct Reference {
  double at = 0.0;
  std::string label;
};

struct LineChart {
  std::string id;  ///< unique in the page (names the clip path)
  std::string title;
  std::string x_label, y_label;
  std::vector<Series> series;
  /// Non-empty: a categorical x axis; x values are the indices 0 .. n-1 of these labels.
  std::vector<std::string> categories;
  std::optional<double> x_min;  ///< the x axis includes these (numeric axes)
  std::optional<double> x_max;
  bool y_from_zero = true;      ///< the y axis includes 0
  std::optional<double> y_min;  ///< the y axis includes these
  std::optional<double> y_max;
  /// The y axis never goes above this (100 for percentages of a whole): bands are cut there.
  std::optional<double> y_cap;
  /// The legend entry of uncertain values (an open circle), when a series has any.
  std::string uncertain_label = "uncertain (few observations)";
  std::vector<Reference> x_references, y_references;
  /// Ticks at whole numbers only (numeric axes whose values are integer settings).
  bool x_integer = false;
  bool y_integer = false;
  /// A shaded stretch of x (the warm-up) with its label.
  std::optional<std::pair<double, double>> shaded;
  std::string shaded_label;
  int width = 920;
  int height = 300;
};

/// <svg class="chart">: title, legend (when more than one series, or one with a name), plot
/// area with grid, bands, lines, references, axes with ticks and labels.
std::string render_line_chart(const LineChart& chart);

/// One row of an interval chart. NaN `value`: no value (the row says so); NaN lo/hi: no
/// interval.
struct IntervalRow {
  std::string label;
  double value = 0.0;
  double lo = 0.0;
  double hi = 0.0;
  std::string color;
  std::string note;  ///< short text at the right end of the row (a verdict)
};

struct IntervalChart {
  std::string id;
  std::string title;
  std::string value_label;  ///< the x axis label
  std::vector<IntervalRow> rows;
  /// true: a bar from 0 to the value with a black whisker for the interval; false: a dot with
  /// a whisker in the row's colour, and a dashed line at 0 (differences).
  bool bars = true;
  std::vector<std::pair<std::string, std::string>> legend;  ///< (colour, label)
  /// Labelled vertical lines at values of the axis (an SLO limit); the axis covers them.
  std::vector<Reference> references;
  int width = 450;
};

std::string render_interval_chart(const IntervalChart& chart);

}  // namespace capsim::report
