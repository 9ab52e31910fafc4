#include "capsim/report/html.hpp"

#include <cmath>

#include "capsim/stats/format.hpp"

namespace capsim::report {

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default: {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t' && c != '\n') || u == 0x7f) {
          out += "\xEF\xBF\xBD";  // U+FFFD: HTML forbids these characters
        } else {
          out += c;
        }
      }
    }
  }
  return out;
}

std::string format_number(double value) {
  if (!std::isfinite(value)) return "";
  if (value == 0.0) return "0";
  const double a = std::fabs(value);
  if (a >= 1e4 && a < 1e15) return stats::printf_number("%.0f", value);
  if (a < 1e-4 || a >= 1e15) return stats::significant(value, 3);
  return stats::significant(value);
}

std::string render_table(const Table& table) {
  std::string out = "<div class=\"table\">\n<table>\n";
  if (!table.caption.empty()) out += "<caption>" + escape_html(table.caption) + "</caption>\n";
  out += "<thead><tr>";
  for (const std::string& h : table.header) out += "<th>" + escape_html(h) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : table.rows) {
    out += "<tr>";
    for (const Cell& cell : row) {
      out += cell.css_class.empty() ? "<td>" : "<td class=\"" + escape_html(cell.css_class) + "\">";
      out += escape_html(cell.text) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n</div>\n";
  return out;
}

namespace {

// Everything the page needs to look right offline: system fonts, no images, no imports.
constexpr const char* kStyle = R"(
:root { color-scheme: light; }
body { margin: 0; background: #ffffff; color: #1d232b;
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 20px 20px 60px; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d5dae1; }
h3 { font-size: 15px; margin: 20px 0 6px; }
p.meta { color: #4a5563; margin: 2px 0; }
p.note { color: #4a5563; font-size: 13px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600;
         font-size: 13px; }
.badge.good { background: #dcf3e1; color: #17602c; }
.badge.bad { background: #fbe0e0; color: #8f1c1c; }
.badge.neutral { background: #e6e9ef; color: #3a4350; }
div.table { overflow-x: auto; margin: 8px 0 16px; }
table { border-collapse: collapse; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid #e3e6eb; text-align: left;
         vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.good { color: #17602c; font-weight: 600; }
td.bad { color: #a11d1d; font-weight: 600; }
figure { margin: 12px 0 20px; }
figure.half { display: inline-block; vertical-align: top; margin-right: 16px; }
svg.chart { display: block; background: #ffffff; }
svg.chart text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
ul.notices { color: #6b4a00; font-size: 13px; }
)";

}  // namespace

std::string render_page(const std::string& title, const std::string& body_html) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"generator\" content=\"capsim report\">\n";
  out += "<title>" + escape_html(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n";
  out += "<body>\n<main>\n" + body_html + "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace capsim::report
