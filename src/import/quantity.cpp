/// \file Kubernetes resource quantities (capsim::import::parse_quantity), as
/// k8s.io/apimachinery's resource.Quantity reads them: <number><suffix>.

#include <cctype>
#include <cmath>
#include <string>

#include "capsim/import/k8s.hpp"

namespace capsim::import {

namespace {

/// The suffix's factor: binary SI, decimal SI or none; NaN when unknown.
double suffix_factor(std::string_view suffix) {
  struct Suffix {
    std::string_view name;
    double factor;
  };
  static constexpr Suffix kSuffixes[] = {
      {"", 1.0},      {"n", 1e-9},    {"u", 1e-6},    {"m", 1e-3},   {"k", 1e3},     {"M", 1e6},
      {"G", 1e9},     {"T", 1e12},    {"P", 1e15},    {"E", 1e18},   {"Ki", 0x1p10}, {"Mi", 0x1p20},
      {"Gi", 0x1p30}, {"Ti", 0x1p40}, {"Pi", 0x1p50}, {"Ei", 0x1p60}};
  for (const Suffix& s : kSuffixes) {
    if (s.name == suffix) return s.factor;
  }
  return std::nan("");
}

bool digits(std::string_view text, std::size_t& i) {
  const std::size_t start = i;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  return i > start;
}

}  // namespace

std::optional<double> parse_quantity(std::string_view text) {
  // <signedNumber> ::= [+-] <digits> [. <digits>] | [+-] . <digits>  (as resource.Quantity)
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  const bool whole = digits(text, i);
  bool fraction = false;
  if (i < text.size() && text[i] == '.') {
    ++i;
    fraction = digits(text, i);
  }
  if (!whole && !fraction) return std::nullopt;
  const double number = std::strtod(std::string(text.substr(0, i)).c_str(), nullptr);
  std::string_view suffix = text.substr(i);
  double factor = 1.0;
  if (!suffix.empty() && (suffix[0] == 'e' || suffix[0] == 'E') && suffix.size() > 1) {
    // A decimal exponent: e3, E-2 (an 'E' alone is exa).
    std::size_t j = 1;
    if (suffix[j] == '+' || suffix[j] == '-') ++j;
    std::size_t k = j;
    if (digits(suffix, k) && k == suffix.size()) {
      factor = std::pow(10.0, std::strtod(std::string(suffix.substr(1)).c_str(), nullptr));
      suffix = {};
    }
  }
  if (!suffix.empty()) factor = suffix_factor(suffix);
  const double value = number * factor;
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace capsim::import
