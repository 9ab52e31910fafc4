/// \file The model loader's Reader (the reads only models have: durations, signed numbers,
/// keys of features not supported yet, warnings) and its helpers for numbers in messages.

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "capsim/dist/duration.hpp"
#include "loader.hpp"

namespace capsim::model::detail {

// ---- Text ----------------------------------------------------------------------------------

std::string number_text(double value) {
  if (!std::isfinite(value)) return value != value ? "nan" : (value > 0 ? "inf" : "-inf");
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::array<char, 32> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%.0f", value == 0 ? 0.0 : value);
    return buffer.data();
  }
  std::array<char, 64> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), result.ptr);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  // from_chars does not take a leading '+'; it takes "inf" and "nan", refused below.
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::string seconds_text(double seconds) {
  return number_text(seconds) + " s";
}

// ---- Reader -------------------------------------------------------------------------------

void Reader::unsupported(std::string pointer) {
  error(std::move(pointer), std::string(not_supported_message));
}

void Reader::check_keys(const Json& object, const std::string& pointer, std::string_view context,
                        const Names& allowed, const Names& elsewhere) {
  if (!object.is_object()) return;
  const auto contains = [](const Names& names, std::string_view key) {
    return std::find(names.begin(), names.end(), key) != names.end();
  };
  for (const auto& [key, value] : object.items()) {
    if (contains(allowed, key) || contains(elsewhere, key)) continue;
    if (is_unsupported_key(context, key)) {
      // `false` and `[]` say the feature is off, which this version already honours.
      const bool off = value == Json(false) || (value.is_array() && value.empty());
      if (!off) unsupported(child(pointer, key));
      continue;
    }
    std::vector<std::string> candidates(allowed.begin(), allowed.end());
    candidates.insert(candidates.end(), elsewhere.begin(), elsewhere.end());
    for (std::string& refused : unsupported_keys(context)) candidates.push_back(std::move(refused));
    error(child(pointer, key), unknown_key(key, candidates, join(allowed)));
  }
}

namespace {

bool sign_ok(double x, Sign sign) {
  switch (sign) {
    case Sign::any:
      return true;
    case Sign::non_negative:
      return x >= 0;
    case Sign::positive:
      return x > 0;
  }
  return false;
}

std::string_view sign_text(Sign sign) {
  switch (sign) {
    case Sign::any:
      return "";
    case Sign::non_negative:
      return " >= 0";
    case Sign::positive:
      return " > 0";
  }
  return "";
}

}  // namespace

std::optional<double> Reader::duration(const Json& value, const std::string& pointer, Sign sign) {
  std::optional<double> seconds;
  if (value.is_number()) {
    seconds = value.get<double>();
  } else if (value.is_string()) {
    seconds = dist::parse_duration(value.get_ref<const std::string&>());
  }
  if (!seconds || !std::isfinite(*seconds)) {
    expected(pointer, R"(a duration such as "10m" or a number of seconds)", value);
    return std::nullopt;
  }
  if (!sign_ok(*seconds, sign)) {
    expected(pointer, "a duration" + std::string(sign_text(sign)), value);
    return std::nullopt;
  }
  return seconds;
}

std::optional<double> Reader::signed_number(const Json& value, const std::string& pointer,
                                            Sign sign) {
  return number(value, pointer, "a number" + std::string(sign_text(sign)),
                [sign](double x) { return std::isfinite(x) && sign_ok(x, sign); });
}

}  // namespace capsim::model::detail
