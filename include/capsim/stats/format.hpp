#pragma once
/// \file Numbers as text for tables, pages and messages: the one printf-style conversion of a
/// double, and the short significant-digit form ("%.4g") that the reports share.

#include <cstdio>
#include <string>

namespace capsim::stats {

/// `value` through `format`, a printf format with one conversion of a double, e.g.
/// printf_number("%.1f%%", 12.34) == "12.3%". Never truncated.
inline std::string printf_number(const char* format, double value) {
  char buffer[64];
  const int n = std::snprintf(buffer, sizeof buffer, format, value);
  if (n < 0) return {};
  if (static_cast<std::size_t>(n) < sizeof buffer) return std::string(buffer, buffer + n);
  std::string out(static_cast<std::size_t>(n) + 1, '\0');  // %f of a huge number
  std::snprintf(out.data(), out.size(), format, value);
  out.pop_back();
  return out;
}

/// `value` to `digits` significant digits, as printf's %g writes it ("%.4g" by default):
/// 0.1235, 1235, 1.235e+05, inf, nan.
inline std::string significant(double value, int digits = 4) {
  char buffer[40];  // "%.17g" of any double fits
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
  return buffer;
}

}  // namespace capsim::stats
