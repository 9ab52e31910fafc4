#include "capsim/dist/duration.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace capsim::dist {

namespace {

struct Unit {
  std::string_view name;
  double seconds;
};

// Two-letter names first so that "ms" is not read as "m" followed by garbage.
constexpr std::array<Unit, 9> units{{{"ns", 1e-9},
                                     {"us", 1e-6},
                                     {"\xC2\xB5s", 1e-6},  // micro sign
                                     {"\xCE\xBCs", 1e-6},  // Greek mu
                                     {"ms", 1e-3},
                                     {"s", 1.0},
                                     {"m", 60.0},
                                     {"h", 3600.0},
                                     {"d", 86400.0}}};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

void skip_spaces(std::string_view& s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
}

/// Reads an unsigned decimal number (digits, optional fraction, optional exponent) from the
/// front of `s`. std::from_chars alone would also accept "inf" and "nan".
std::optional<double> read_number(std::string_view& s) {
  std::size_t i = 0;
  std::size_t digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    std::size_t exponent_digits = 0;
    while (j < s.size() && is_digit(s[j])) ++j, ++exponent_digits;
    if (exponent_digits > 0) i = j;
  }
  double value = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + i, value);
  if (ec != std::errc{} || end != s.data() + i) return std::nullopt;
  s.remove_prefix(i);
  return value;
}

std::optional<double> read_unit(std::string_view& s) {
  for (const Unit& unit : units) {
    if (s.substr(0, unit.name.size()) != unit.name) continue;
    // The unit must end here: "5min" is not "5m" followed by "in".
    const std::string_view rest = s.substr(unit.name.size());
    if (!rest.empty() && !is_space(rest.front()) && !is_digit(rest.front()) &&
        rest.front() != '.') {
      continue;
    }
    s = rest;
    return unit.seconds;
  }
  return std::nullopt;
}

/// Up to three decimals, trailing zeros removed: 2.5 -> "2.5", 150 -> "150".
std::string short_number(double value) {
  std::array<char, 64> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.3f", value);
  std::string text(buffer.data());
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

}  // namespace

std::optional<double> parse_duration(std::string_view text) {
  skip_spaces(text);
  double sign = 1.0;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    if (text.front() == '-') sign = -1.0;
    text.remove_prefix(1);
  }
  // One or more "number unit" parts: "2s", "1.5 ms", and also "1h30m" as format_duration writes.
  double total = 0.0;
  bool any = false;
  while (true) {
    skip_spaces(text);
    if (text.empty()) break;
    const auto number = read_number(text);
    if (!number) return std::nullopt;
    skip_spaces(text);
    const auto unit = read_unit(text);
    if (!unit) return std::nullopt;
    total += *number * *unit;
    any = true;
  }
  if (!any) return std::nullopt;
  const double seconds = sign * total;
  if (!std::isfinite(seconds)) return std::nullopt;
  return seconds;
}

std::string format_duration(double seconds) {
  if (std::isnan(seconds)) return "nan";
  if (seconds < 0) {
    // Appended, not "-" + ...: GCC 12 warns (-Wrestrict, a false positive) on the insertion.
    std::string text = "-";
    text += format_duration(-seconds);
    return text;
  }
  if (std::isinf(seconds)) return "inf";
  if (seconds == 0) return "0s";
  if (seconds < 1e-6) return short_number(seconds * 1e9) + "ns";
  if (seconds < 1e-3) return short_number(seconds * 1e6) + "us";
  if (seconds < 1.0) return short_number(seconds * 1e3) + "ms";
  if (seconds < 60.0) return short_number(seconds) + "s";
  if (seconds >= 1e12) {
    // Beyond 30,000 years: the exponent form (%.3f wrote all 309 digits of 1e308).
    std::array<char, 32> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%.6g", seconds);
    return std::string(buffer.data()) + "s";
  }
  // Minutes and above: whole days, hours and minutes, then the remaining seconds, all counted in
  // milliseconds so that rounding cannot produce "1m60s".
  long long rest_ms = std::llround(seconds * 1000.0);
  std::string text;
  for (const Unit& unit : {Unit{"d", 86400.0}, Unit{"h", 3600.0}, Unit{"m", 60.0}}) {
    const auto size_ms = static_cast<long long>(unit.seconds * 1000.0);
    if (rest_ms >= size_ms) {
      text += std::to_string(rest_ms / size_ms) + std::string(unit.name);
      rest_ms %= size_ms;
    }
  }
  if (rest_ms > 0) text += short_number(static_cast<double>(rest_ms) / 1000.0) + "s";
  return text;
}

}  // namespace capsim::dist
