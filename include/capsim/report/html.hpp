#pragma once
/// \file The pieces of an HTML report page: escaping, number formatting, tables and the page
/// shell (inline CSS, no script, no reference to anything outside the page).

#include <string>
#include <string_view>
#include <vector>

namespace capsim::report {

/// `text` with & < > " ' replaced by character references: safe as element text and as a quoted
/// attribute value, in HTML and in inline SVG. Control characters other than tab and newline
/// (which HTML forbids) become U+FFFD.
std::string escape_html(std::string_view text);

/// A short, readable number: "0"; at most 4 significant digits below 10^4 (trailing zeros
/// dropped: 35.1, 0.0123, 1234); an integer from 10^4 up (12345); scientific below 10^-4
/// (1.5e-05); "" for NaN or infinity.
std::string format_number(double value);

/// A table cell: text (escaped when rendered) and an optional CSS class ("num", "good", "bad").
struct Cell {
  std::string text;
  std::string css_class;
};

/// A table with one header row. Rendered as <table> with <thead> and <tbody>.
struct Table {
  std::string caption;  ///< optional
  std::vector<std::string> header;
  std::vector<std::vector<Cell>> rows;
};

std::string render_table(const Table& table);

/// The whole page: <!DOCTYPE html>, <title>, the report's stylesheet inline, and `body_html`
/// (already escaped) inside <body>.
std::string render_page(const std::string& title, const std::string& body_html);

}  // namespace capsim::report
