#include "capsim/report/svg.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

#include "capsim/report/html.hpp"

namespace capsim::report {

namespace {

constexpr const char* kGrid = "#dde2ea";
constexpr const char* kAxis = "#8a93a0";
constexpr const char* kInk = "#1d232b";
constexpr const char* kMuted = "#5b6472";
constexpr const char* kShade = "#e2e6ed";
constexpr double kCharWidth = 6.6;  // average width of an 11 px sans-serif character
constexpr double kLegendRow = 18.0;

/// A coordinate with one decimal, without a trailing ".0".
std::string px(double v) {
  if (!std::isfinite(v)) v = 0.0;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", v);
  std::string s = buffer;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

double text_width(const std::string& text) {
  // Count code points, not bytes (labels may be UTF-8).
  std::size_t n = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return kCharWidth * static_cast<double>(n);
}

/// At most `limit` code points, with an ellipsis when cut.
std::string truncate(const std::string& text, std::size_t limit) {
  std::size_t points = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (points == limit) return text.substr(0, i) + "\xE2\x80\xA6";
      ++points;
    }
  }
  return text;
}

std::string text_element(double x, double y, const std::string& text, const std::string& extra) {
  return "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\"" + (extra.empty() ? "" : " " + extra) +
         ">" + escape_html(text) + "</text>\n";
}

std::string line_element(double x1, double y1, double x2, double y2, const std::string& stroke,
                         const std::string& extra = "") {
  return "<line x1=\"" + px(x1) + "\" y1=\"" + px(y1) + "\" x2=\"" + px(x2) + "\" y2=\"" + px(y2) +
         "\" stroke=\"" + escape_html(stroke) + "\"" + (extra.empty() ? "" : " " + extra) + "/>\n";
}

std::string svg_open(const std::string& id, const std::string& title, double width, double height) {
  const std::string eid = escape_html(id);
  return "<svg class=\"chart\" id=\"" + eid + "\" width=\"" + px(width) + "\" height=\"" +
         px(height) + "\" viewBox=\"0 0 " + px(width) + " " + px(height) +
         "\" role=\"img\" aria-labelledby=\"" + eid + "-title\">\n<title id=\"" + eid +
         "-title\">" + escape_html(title) + "</title>\n" +
         text_element(8, 18, title,
                      "font-size=\"14\" font-weight=\"600\" fill=\"" + std::string(kInk) + "\"");
}

bool finite(double v) {
  return std::isfinite(v);
}

double at(const std::vector<double>& v, std::size_t i) {
  return i < v.size() ? v[i] : std::numeric_limits<double>::quiet_NaN();
}

/// One legend entry: its sample and its text, laid out left to right and wrapped.
struct LegendItem {
  std::string color;
  std::string label;
  std::string dash;
  bool band = false;
  bool dot = false;
  bool hollow = false;  ///< an open circle (uncertain values)
};

struct LegendLayout {
  std::vector<std::pair<double, double>> positions;  // (x, row) per item
  int rows = 0;
};

LegendLayout layout_legend(const std::vector<LegendItem>& items, double left, double right) {
  LegendLayout layout;
  if (items.empty()) return layout;
  double x = left;
  int row = 0;
  for (const LegendItem& item : items) {
    const double w = 26.0 + text_width(item.label) + 16.0;
    if (x > left && x + w > right) {
      x = left;
      ++row;
    }
    layout.positions.emplace_back(x, row);
    x += w;
  }
  layout.rows = row + 1;
  return layout;
}

std::string render_legend(const std::vector<LegendItem>& items, const LegendLayout& layout,
                          double top) {
  if (items.empty()) return "";
  std::string out = "<g class=\"legend\">\n";
  for (std::size_t i = 0; i < items.size(); ++i) {
    const LegendItem& item = items[i];
    const double x = layout.positions[i].first;
    const double y = top + layout.positions[i].second * kLegendRow + 9.0;
    const std::string color = escape_html(item.color);
    if (item.band) {
      out += "<rect x=\"" + px(x) + "\" y=\"" + px(y - 6) +
             "\" width=\"20\" height=\"12\" fill=\"" + color + "\" fill-opacity=\"0.18\"/>\n";
    }
    if (item.hollow) {
      out += "<circle cx=\"" + px(x + 10) + "\" cy=\"" + px(y) +
             "\" r=\"4\" fill=\"#ffffff\" stroke=\"" + color + "\" stroke-width=\"1.8\"/>\n";
    } else if (item.dot) {
      out += "<circle cx=\"" + px(x + 10) + "\" cy=\"" + px(y) + "\" r=\"4.5\" fill=\"" + color +
             "\"/>\n";
    } else {
      out += line_element(
          x, y, x + 20, y, item.color,
          std::string("stroke-width=\"2.5\"") +
              (item.dash.empty() ? "" : " stroke-dasharray=\"" + escape_html(item.dash) + "\""));
    }
    out += text_element(x + 26, y + 4, item.label,
                        "font-size=\"11\" fill=\"" + std::string(kInk) + "\"");
  }
  return out + "</g>\n";
}

}  // namespace

std::string render_line_chart(const LineChart& chart) {
  const double width = chart.width;
  const bool categorical = !chart.categories.empty();

  // Domains. The lines, references and asked-for bounds decide the y range; interval bands may
  // widen it by at most a quarter of that range on each side (a wide interval at one point must
  // not flatten every line), and are clipped at the plot area beyond.
  constexpr double inf = std::numeric_limits<double>::infinity();
  double xmin = inf;
  double xmax = -inf;
  double ymin = inf;
  double ymax = -inf;
  double band_min = inf;
  double band_max = -inf;
  const auto take = [](double v, double& lo, double& hi) {
    if (!finite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  };
  for (const Series& s : chart.series) {
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!finite(s.x[i])) continue;
      const bool any = finite(at(s.y, i)) || finite(at(s.lo, i)) || finite(at(s.hi, i));
      if (!any) continue;
      xmin = std::min(xmin, s.x[i]);
      xmax = std::max(xmax, s.x[i]);
      take(at(s.y, i), ymin, ymax);
      take(at(s.lo, i), band_min, band_max);
      take(at(s.hi, i), band_min, band_max);
    }
  }
  for (const Reference& r : chart.y_references) take(r.at, ymin, ymax);
  if (chart.y_min) take(*chart.y_min, ymin, ymax);
  if (chart.y_max) take(*chart.y_max, ymin, ymax);
  if (chart.y_from_zero) take(0.0, ymin, ymax);
  bool clipped = false;
  if (finite(band_min)) {
    if (!finite(ymin)) {
      ymin = band_min;
      ymax = band_max;
    } else {
      const double span = ymax > ymin ? ymax - ymin : std::max(std::fabs(ymax), 1.0);
      const double lo = std::max(band_min, ymin - span / 4.0);
      const double hi = std::min(band_max, ymax + span / 4.0);
      clipped = lo > band_min || hi < band_max;
      ymin = std::min(ymin, lo);
      ymax = std::max(ymax, hi);
    }
  }
  if (!finite(ymin)) {
    ymin = 0.0;
    ymax = 1.0;
  }
  if (chart.y_cap && ymax > *chart.y_cap && ymin < *chart.y_cap) {
    clipped = clipped || band_max > *chart.y_cap;
    ymax = *chart.y_cap;
  }
  Ticks yt = nice_ticks(ymin, ymax, 5, chart.y_integer);
  if (chart.y_cap && yt.hi > *chart.y_cap && ymax <= *chart.y_cap && ymin < *chart.y_cap) {
    // Ticks past the cap (120% of a whole): stop at the cap.
    while (!yt.values.empty() && yt.values.back() > *chart.y_cap + 1e-9) yt.values.pop_back();
    if (yt.values.empty() || yt.values.back() < *chart.y_cap - 1e-9) {
      yt.values.push_back(*chart.y_cap);
    }
    yt.hi = *chart.y_cap;
  }
  Ticks xt;
  double x_lo = 0.0;
  double x_hi = 1.0;
  if (categorical) {
    x_lo = -0.5;
    x_hi = static_cast<double>(chart.categories.size()) - 0.5;
  } else {
    if (chart.x_min) take(*chart.x_min, xmin, xmax);
    if (chart.x_max) take(*chart.x_max, xmin, xmax);
    if (!finite(xmin)) {
      xmin = 0.0;
      xmax = 1.0;
    }
    xt = nice_ticks(xmin, xmax, std::max(2, chart.width / 110), chart.x_integer);
    x_lo = xt.lo;
    x_hi = xt.hi;
  }

  // Layout: the y tick labels decide the left margin; the legend, the top.
  double label_width = 0.0;
  for (const double v : yt.values)
    label_width = std::max(label_width, text_width(format_number(v)));
  const double left = std::max(56.0, 30.0 + label_width + 10.0);
  const double right = width - 16.0;
  std::vector<LegendItem> legend;
  if (chart.series.size() > 1 || (chart.series.size() == 1 && !chart.series[0].name.empty())) {
    for (const Series& s : chart.series) {
      legend.push_back({s.color, s.name, s.dash, !s.lo.empty(), !s.line, false});
    }
  }
  const auto uncertain = [](const Series& s, std::size_t i) {
    return i < s.uncertain.size() && s.uncertain[i];
  };
  bool any_uncertain = false;
  for (const Series& s : chart.series) {
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      any_uncertain = any_uncertain || (uncertain(s, i) && finite(at(s.y, i)));
    }
  }
  if (any_uncertain) legend.push_back({kMuted, chart.uncertain_label, "", false, false, true});
  const LegendLayout ll = layout_legend(legend, left, right);
  const double legend_top = 28.0;
  const double top = legend_top + ll.rows * kLegendRow + 8.0;
  const double height = chart.height + ll.rows * kLegendRow;
  const double bottom = height - 44.0;
  const LinearScale sx(x_lo, x_hi, left, right);
  const LinearScale sy(yt.lo, yt.hi, bottom - 6.0, top + 6.0);  // 6 px inside, top and bottom

  std::string out = svg_open(chart.id, chart.title, width, height);
  out += render_legend(legend, ll, legend_top);
  out += "<rect class=\"plot\" x=\"" + px(left) + "\" y=\"" + px(top) + "\" width=\"" +
         px(right - left) + "\" height=\"" + px(bottom - top) + "\" fill=\"" + kPlotBackground +
         "\"/>\n";
  if (chart.shaded && !categorical) {
    const double a = std::clamp(sx(chart.shaded->first), left, right);
    const double b = std::clamp(sx(chart.shaded->second), left, right);
    if (b > a) {
      out += "<rect class=\"shade\" x=\"" + px(a) + "\" y=\"" + px(top) + "\" width=\"" +
             px(b - a) + "\" height=\"" + px(bottom - top) + "\" fill=\"" + kShade + "\"/>\n";
      if (!chart.shaded_label.empty()) {
        out += text_element(a + 4, top + 14, chart.shaded_label,
                            "font-size=\"11\" fill=\"" + std::string(kMuted) + "\"");
      }
    }
  }

  // Grid.
  out += "<g class=\"grid\" stroke-width=\"1\">\n";
  for (const double v : yt.values) out += line_element(left, sy(v), right, sy(v), kGrid);
  if (categorical) {
    for (std::size_t i = 0; i < chart.categories.size(); ++i) {
      const double x = sx(static_cast<double>(i));
      out += line_element(x, top, x, bottom, kGrid);
    }
  } else {
    for (const double v : xt.values) out += line_element(sx(v), top, sx(v), bottom, kGrid);
  }
  out += "</g>\n";

  // Bands, then lines and dots over them, inside the plot area.
  const std::string clip_id = escape_html(chart.id) + "-clip";
  out += "<defs><clipPath id=\"" + clip_id + "\"><rect x=\"" + px(left - 4) + "\" y=\"" + px(top) +
         "\" width=\"" + px(right - left + 8) + "\" height=\"" + px(bottom - top) +
         "\"/></clipPath></defs>\n<g class=\"data\" clip-path=\"url(#" + clip_id + ")\">\n";
  for (const Series& s : chart.series) {
    if (s.lo.empty() || s.hi.empty()) continue;
    const std::string color = escape_html(s.color);
    std::vector<std::size_t> run;
    const auto flush = [&]() {
      if (run.size() == 1) {
        const std::size_t i = run[0];
        out += line_element(sx(s.x[i]), sy(s.lo[i]), sx(s.x[i]), sy(s.hi[i]), s.color,
                            "stroke-width=\"6\" stroke-opacity=\"0.25\"");
      } else if (run.size() > 1) {
        std::string points;
        for (const std::size_t i : run) points += px(sx(s.x[i])) + "," + px(sy(s.hi[i])) + " ";
        for (auto it = run.rbegin(); it != run.rend(); ++it) {
          points += px(sx(s.x[*it])) + "," + px(sy(s.lo[*it])) + " ";
        }
        points.pop_back();
        out += "<polygon class=\"band\" points=\"" + points + "\" fill=\"" + color +
               "\" fill-opacity=\"0.16\" stroke=\"none\"/>\n";
      }
      run.clear();
    };
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (finite(s.x[i]) && finite(at(s.lo, i)) && finite(at(s.hi, i)) && !uncertain(s, i)) {
        run.push_back(i);
      } else {
        flush();
      }
    }
    flush();
  }
  for (const Series& s : chart.series) {
    const std::string color = escape_html(s.color);
    std::vector<std::size_t> run;
    const auto dot = [&](std::size_t i, double r) {
      out += "<circle cx=\"" + px(sx(s.x[i])) + "\" cy=\"" + px(sy(s.y[i])) + "\" r=\"" + px(r) +
             "\" fill=\"" + color + "\"/>\n";
    };
    const auto flush = [&]() {
      if (run.size() == 1 && !s.markers && s.line) dot(run[0], 2.5);
      if (run.size() > 1 && s.line) {
        std::string points;
        for (const std::size_t i : run) points += px(sx(s.x[i])) + "," + px(sy(s.y[i])) + " ";
        points.pop_back();
        out += "<polyline class=\"series\" points=\"" + points + "\" fill=\"none\" stroke=\"" +
               color + "\" stroke-width=\"2\" stroke-linejoin=\"round\"" +
               (s.dash.empty() ? "" : " stroke-dasharray=\"" + escape_html(s.dash) + "\"") + "/>\n";
      }
      run.clear();
    };
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (finite(s.x[i]) && finite(at(s.y, i)) && uncertain(s, i)) {
        flush();
        out += "<circle class=\"uncertain\" cx=\"" + px(sx(s.x[i])) + "\" cy=\"" + px(sy(s.y[i])) +
               "\" r=\"3.5\" fill=\"#ffffff\" stroke=\"" + color + "\" stroke-width=\"1.8\"/>\n";
      } else if (finite(s.x[i]) && finite(at(s.y, i))) {
        run.push_back(i);
        if (s.markers || !s.line) dot(i, s.line ? 3.0 : 4.5);
      } else {
        flush();
      }
    }
    flush();
  }

  out += "</g>\n";
  if (clipped) {
    out +=
        text_element(right - 4, top + 14, "intervals cut at the edge",
                     "font-size=\"11\" text-anchor=\"end\" fill=\"" + std::string(kMuted) + "\"");
  }

  // Reference lines.
  for (const Reference& r : chart.y_references) {
    const double y = sy(r.at);
    out += line_element(left, y, right, y, kMuted, "stroke-width=\"1.2\" stroke-dasharray=\"4 3\"");
    out +=
        text_element(right - 4, y - 4, r.label,
                     "font-size=\"11\" text-anchor=\"end\" fill=\"" + std::string(kMuted) + "\"");
  }
  for (const Reference& r : chart.x_references) {
    if (r.at < x_lo || r.at > x_hi) continue;
    const double x = sx(r.at);
    out += line_element(x, top, x, bottom, kMuted, "stroke-width=\"1.2\" stroke-dasharray=\"4 3\"");
    out += text_element(x + 4, top + 26, r.label,
                        "font-size=\"11\" fill=\"" + std::string(kMuted) + "\"");
  }

  // Axes, ticks, labels.
  out += "<g class=\"axes\">\n";
  out += line_element(left, bottom, right, bottom, kAxis);
  out += line_element(left, top, left, bottom, kAxis);
  const std::string tick_text = "font-size=\"11\" fill=\"" + std::string(kMuted) + "\"";
  for (const double v : yt.values) {
    const double y = sy(v);
    out += line_element(left - 4, y, left, y, kAxis);
    out += text_element(left - 7, y + 4, format_number(v), tick_text + " text-anchor=\"end\"");
  }
  if (categorical) {
    const std::size_t n = chart.categories.size();
    const double room = (right - left) / static_cast<double>(n);
    std::size_t widest = 1;
    for (const auto& c : chart.categories) widest = std::max(widest, c.size());
    const std::size_t every = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::ceil(std::min(widest, std::size_t{16}) * kCharWidth /
                                              std::max(room - 6.0, 1.0))));
    for (std::size_t i = 0; i < n; i += every) {
      const double x = sx(static_cast<double>(i));
      out += line_element(x, bottom, x, bottom + 4, kAxis);
      out += text_element(x, bottom + 16, truncate(chart.categories[i], 16),
                          tick_text + " text-anchor=\"middle\"");
    }
  } else {
    for (const double v : xt.values) {
      const double x = sx(v);
      out += line_element(x, bottom, x, bottom + 4, kAxis);
      out += text_element(x, bottom + 16, format_number(v), tick_text + " text-anchor=\"middle\"");
    }
  }
  const std::string label_text = "font-size=\"12\" fill=\"" + std::string(kInk) + "\"";
  out += text_element((left + right) / 2, bottom + 34, chart.x_label,
                      label_text + " text-anchor=\"middle\"");
  const double ymid = (top + bottom) / 2;
  out += "<text x=\"14\" y=\"" + px(ymid) + "\" transform=\"rotate(-90 14 " + px(ymid) + ")\" " +
         label_text + " text-anchor=\"middle\">" + escape_html(chart.y_label) + "</text>\n";
  out += "</g>\n</svg>\n";
  return out;
}

std::string render_interval_chart(const IntervalChart& chart) {
  constexpr double kRow = 28.0;
  const double width = chart.width;
  double label_width = 0.0;
  for (const IntervalRow& r : chart.rows) {
    label_width = std::max(label_width, text_width(truncate(r.label, 26)));
  }
  double note_width = 0.0;
  for (const IntervalRow& r : chart.rows) note_width = std::max(note_width, text_width(r.note));
  const double left = std::clamp(label_width + 16.0, 60.0, 200.0);
  const double right = width - (note_width > 0 ? note_width + 14.0 : 16.0);

  std::vector<LegendItem> legend;
  for (const auto& [color, label] : chart.legend) {
    legend.push_back({color, label, "", false, true, false});
  }
  const LegendLayout ll = layout_legend(legend, 8.0, width - 8.0);
  const double legend_top = 28.0;
  // Room above the plot area for the references' labels.
  const double top = legend_top + ll.rows * kLegendRow + 8.0 + (chart.references.empty() ? 0 : 14);
  const double bottom = top + std::max<double>(1.0, static_cast<double>(chart.rows.size())) * kRow;
  const double height = bottom + 44.0;

  double lo = 0.0;
  double hi = 0.0;
  for (const IntervalRow& r : chart.rows) {
    for (const double v : {r.value, r.lo, r.hi}) {
      if (!finite(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  for (const Reference& r : chart.references) {
    if (!finite(r.at)) continue;
    lo = std::min(lo, r.at);
    hi = std::max(hi, r.at);
  }
  if (lo == hi) hi = lo + 1.0;
  const Ticks xt = nice_ticks(lo, hi, std::max(2, static_cast<int>((right - left) / 80.0)));
  const LinearScale sx(xt.lo, xt.hi, left + 6.0, right - 6.0);

  std::string out = svg_open(chart.id, chart.title, width, height);
  out += render_legend(legend, ll, legend_top);
  out += "<rect class=\"plot\" x=\"" + px(left) + "\" y=\"" + px(top) + "\" width=\"" +
         px(right - left) + "\" height=\"" + px(bottom - top) + "\" fill=\"" + kPlotBackground +
         "\"/>\n";
  out += "<g class=\"grid\" stroke-width=\"1\">\n";
  for (const double v : xt.values) out += line_element(sx(v), top, sx(v), bottom, kGrid);
  out += "</g>\n";
  const double zero = sx(0.0);
  out += line_element(
      zero, top, zero, bottom, chart.bars ? kAxis : kMuted,
      chart.bars ? "stroke-width=\"1\"" : "stroke-width=\"1.2\" stroke-dasharray=\"4 3\"");

  const std::string small = "font-size=\"11\"";
  for (std::size_t i = 0; i < chart.rows.size(); ++i) {
    const IntervalRow& r = chart.rows[i];
    const double cy = top + (static_cast<double>(i) + 0.5) * kRow;
    const std::string color = escape_html(r.color);
    out += text_element(left - 8, cy + 4, truncate(r.label, 26),
                        small + " text-anchor=\"end\" fill=\"" + std::string(kInk) + "\"");
    if (!finite(r.value)) {
      out += text_element(left + 8, cy + 4, "no value",
                          small + " font-style=\"italic\" fill=\"" + std::string(kMuted) + "\"");
      continue;
    }
    const bool interval = finite(r.lo) && finite(r.hi);
    const std::string whisker_color = chart.bars ? std::string(kInk) : r.color;
    if (chart.bars) {
      const double a = std::min(zero, sx(r.value));
      const double b = std::max(zero, sx(r.value));
      out += "<rect class=\"bar\" x=\"" + px(a) + "\" y=\"" + px(cy - 8) + "\" width=\"" +
             px(std::max(b - a, 1.0)) + "\" height=\"16\" fill=\"" + color +
             "\" fill-opacity=\"0.85\"/>\n";
    }
    if (interval) {
      const std::string w = chart.bars ? "stroke-width=\"1.5\"" : "stroke-width=\"2\"";
      out += line_element(sx(r.lo), cy, sx(r.hi), cy, whisker_color, w);
      out += line_element(sx(r.lo), cy - 5, sx(r.lo), cy + 5, whisker_color, w);
      out += line_element(sx(r.hi), cy - 5, sx(r.hi), cy + 5, whisker_color, w);
    }
    // The mean as a dot: on a bar, it shows a mean of 0 (no bar) apart from no value.
    out += "<circle cx=\"" + px(sx(r.value)) + "\" cy=\"" + px(cy) + "\" r=\"" +
           (chart.bars ? "3.5" : "4.5") + "\" fill=\"" + color + "\"" +
           (chart.bars ? " stroke=\"#1d232b\" stroke-width=\"1\"" : "") + "/>\n";
    if (!r.note.empty()) {
      out += text_element(right + 8, cy + 4, r.note,
                          small + " font-weight=\"600\" fill=\"" + color + "\"");
    }
  }

  // Reference lines (an SLO limit), labelled above the plot area's top.
  for (const Reference& r : chart.references) {
    if (!finite(r.at)) continue;
    const double x = sx(r.at);
    out += line_element(x, top - 4, x, bottom, kMuted,
                        "class=\"reference\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\"");
    const bool leftwards = x > (left + right) / 2;  // the label stays inside the chart
    out += text_element(leftwards ? x - 4 : x + 4, top - 6, r.label,
                        std::string("font-size=\"11\" text-anchor=\"") +
                            (leftwards ? "end" : "start") + "\" fill=\"" + kMuted + "\"");
  }

  out += "<g class=\"axes\">\n";
  out += line_element(left, bottom, right, bottom, kAxis);
  const std::string tick_text = "font-size=\"11\" fill=\"" + std::string(kMuted) + "\"";
  for (const double v : xt.values) {
    out += line_element(sx(v), bottom, sx(v), bottom + 4, kAxis);
    out +=
        text_element(sx(v), bottom + 16, format_number(v), tick_text + " text-anchor=\"middle\"");
  }
  out += text_element((left + right) / 2, bottom + 34, chart.value_label,
                      "font-size=\"12\" fill=\"" + std::string(kInk) + "\" text-anchor=\"middle\"");
  out += "</g>\n</svg>\n";
  return out;
}

}  // namespace capsim::report
