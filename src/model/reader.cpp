#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "capsim/dist/duration.hpp"
#include "loader.hpp"

namespace capsim::model::detail {

// ---- JSON Pointers and text ---------------------------------------------------------------

std::string child(const std::string& pointer, std::string_view token) {
  std::string result = pointer;
  result.reserve(pointer.size() + token.size() + 1);
  result += '/';
  for (const char c : token) {
    if (c == '~') {
      result += "~0";
    } else if (c == '/') {
      result += "~1";
    } else {
      result += c;
    }
  }
  return result;
}

std::string child(const std::string& pointer, std::size_t index) {
  return pointer + '/' + std::to_string(index);
}

namespace {

constexpr std::size_t describe_limit = 40;

/// Appends `value` as compact JSON to `out`, stopping soon after `out` passes `limit`
/// characters, so that describing a huge value costs no more than describing a small one.
void dump_prefix(const Json& value, std::string& out, std::size_t limit) {
  if (out.size() > limit) return;
  if (value.is_array()) {
    out += '[';
    bool first = true;
    for (const Json& item : value) {
      if (out.size() > limit) return;
      if (!first) out += ',';
      first = false;
      dump_prefix(item, out, limit);
    }
    out += ']';
  } else if (value.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, member] : value.items()) {
      if (out.size() > limit) return;
      if (!first) out += ',';
      first = false;
      dump_prefix(Json(key.substr(0, limit + 1)), out, limit);
      out += ':';
      dump_prefix(member, out, limit);
    }
    out += '}';
  } else if (value.is_string() && value.get_ref<const std::string&>().size() > limit) {
    // Every byte gives at least one character of output: a prefix shows the same beginning.
    out += Json(value.get_ref<const std::string&>().substr(0, limit + 1))
               .dump(-1, ' ', false, Json::error_handler_t::replace);
  } else {
    out += value.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
}

}  // namespace

std::string describe(const Json& value) {
  constexpr std::size_t limit = describe_limit;
  std::string text;
  dump_prefix(value, text, limit);
  if (text.size() > limit) {
    text.resize(limit - 3);
    // Do not leave half of a UTF-8 sequence before the ellipsis.
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0U) == 0x80U) {
      text.pop_back();
    }
    if (!text.empty() && (static_cast<unsigned char>(text.back()) & 0x80U) != 0) text.pop_back();
    text += "...";
  }
  return text;
}

std::string describe_text(std::string_view text) {
  return describe(Json(std::string(text.substr(0, describe_limit + 1))));
}

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

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) {
    if (!text.empty()) text += ", ";
    text += item;
  }
  return text;
}

std::string join(const Names& items) {
  std::string text;
  for (const std::string_view item : items) {
    if (!text.empty()) text += ", ";
    text += item;
  }
  return text;
}

// ---- Suggestions --------------------------------------------------------------------------

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rows of the dynamic programme: the transposition case looks two rows back.
  const std::size_t n = b.size();
  std::vector<std::size_t> before(n + 1);
  std::vector<std::size_t> previous(n + 1);
  std::vector<std::size_t> current(n + 1);
  for (std::size_t j = 0; j <= n; ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= n; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[n];
}

std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
  // Names are short: a long word (a mistake of another kind) gets no suggestion, so that
  // comparing it costs nothing.
  constexpr std::size_t longest_word = 100;
  if (word.size() > longest_word) return std::nullopt;
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    // The distance is at least the difference in length.
    const std::size_t gap = candidate.size() > word.size() ? candidate.size() - word.size()
                                                           : word.size() - candidate.size();
    if (gap >= best_distance) continue;
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const auto suggestion = closest(word, candidates);
  if (!suggestion) return {};
  return "; did you mean '" + *suggestion + "'?";
}

// ---- Reader -------------------------------------------------------------------------------

void Reader::error(std::string pointer, std::string message) {
  // Past the limit errors are only counted: a huge broken document must not take the memory.
  if (errors_.size() >= kMaxDiagnostics) {
    ++more_errors_;
    return;
  }
  errors_.push_back({std::move(pointer), std::move(message)});
}

void Reader::warning(std::string pointer, std::string message) {
  if (warnings_.size() >= kMaxDiagnostics) {
    ++more_warnings_;
    return;
  }
  warnings_.push_back({std::move(pointer), std::move(message)});
}

void Reader::expected(std::string pointer, std::string_view what, const Json& found,
                      std::string_view suffix) {
  std::string message = "expected ";
  message += what;
  message += ", found ";
  message += describe(found);
  message += suffix;
  error(std::move(pointer), std::move(message));
}

void Reader::missing(std::string pointer, std::string_view what) {
  error(std::move(pointer), "missing; expected " + std::string(what));
}

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
    if (const auto suggestion = closest(key, candidates)) {
      error(child(pointer, key), "unknown key; did you mean '" + *suggestion + "'?");
    } else {
      error(child(pointer, key), "unknown key; expected one of: " + join(allowed));
    }
  }
}

std::optional<std::int64_t> Reader::integer(const Json& value, const std::string& pointer,
                                            std::int64_t min, std::int64_t max) {
  const auto range = [&] {
    if (max == std::numeric_limits<std::int64_t>::max()) {
      return "an integer >= " + std::to_string(min);
    }
    return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  };
  std::int64_t result = 0;
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(max)) {
      expected(pointer, range(), value);
      return std::nullopt;
    }
    result = static_cast<std::int64_t>(u);
  } else if (value.is_number_integer()) {
    result = value.get<std::int64_t>();
  } else if (value.is_number_float()) {
    const double x = value.get<double>();
    if (!std::isfinite(x) || x != std::floor(x) || std::fabs(x) >= 9.2e18) {
      expected(pointer, range(), value);
      return std::nullopt;
    }
    result = static_cast<std::int64_t>(x);
  } else {
    expected(pointer, range(), value);
    return std::nullopt;
  }
  if (result < min) {
    expected(pointer, range(), value);
    return std::nullopt;
  }
  if (result > max) {
    expected(pointer, range(), value);
    return std::nullopt;
  }
  return result;
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

std::optional<std::string> Reader::string(const Json& value, const std::string& pointer,
                                          std::string_view what) {
  if (value.is_string() && !value.get_ref<const std::string&>().empty()) {
    return value.get<std::string>();
  }
  expected(pointer, what, value);
  return std::nullopt;
}

std::optional<std::size_t> Reader::choice(const Json& value, const std::string& pointer,
                                          const Names& names) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == text) return i;
    }
    expected(pointer, "one of " + join(names), value,
             did_you_mean(text, std::vector<std::string>(names.begin(), names.end())));
    return std::nullopt;
  }
  expected(pointer, "one of " + join(names), value);
  return std::nullopt;
}

namespace {

using Ranks = std::unordered_map<std::string, std::size_t>;

/// Numbers, in document order, the values whose pointers are in `wanted` (and their ancestors,
/// also in `wanted`): only the branches leading to them are visited, so that sorting a few
/// diagnostics of a huge document costs little.
void rank_values(const Json& value, const std::string& pointer,
                 const std::unordered_set<std::string>& wanted, Ranks& ranks) {
  ranks.emplace(pointer, ranks.size());
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      const std::string at = child(pointer, key);
      if (wanted.count(at) != 0) rank_values(member, at, wanted, ranks);
    }
  } else if (value.is_array()) {
    // The wanted indices of this array, in order.
    std::set<std::size_t> indices;
    const std::string prefix = pointer + '/';
    for (const std::string& w : wanted) {
      if (w.size() <= prefix.size() || w.compare(0, prefix.size(), prefix) != 0) continue;
      const std::string_view token = std::string_view(w).substr(prefix.size());
      if (token.find('/') != std::string_view::npos || token.size() > 18) continue;
      std::size_t index = 0;
      const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
      if (ec == std::errc{} && end == token.data() + token.size() && index < value.size() &&
          std::to_string(index) == token) {
        indices.insert(index);
      }
    }
    for (const std::size_t i : indices) rank_values(value[i], child(pointer, i), wanted, ranks);
  }
}

std::vector<Diagnostic> in_document_order(const Json& doc, std::vector<Diagnostic> diagnostics,
                                          std::size_t more, std::string_view noun) {
  if (diagnostics.empty()) return diagnostics;
  // Every diagnostic's pointer and its prefixes.
  std::unordered_set<std::string> wanted;
  for (const Diagnostic& diagnostic : diagnostics) {
    std::string pointer = diagnostic.pointer;
    while (wanted.insert(pointer).second) {
      const auto slash = pointer.rfind('/');
      if (slash == std::string::npos) break;
      pointer.resize(slash);
    }
  }
  Ranks ranks;
  rank_values(doc, "", wanted, ranks);
  const auto rank_of = [&ranks](std::string pointer) {
    while (true) {
      if (const auto found = ranks.find(pointer); found != ranks.end()) return found->second;
      const auto slash = pointer.rfind('/');
      if (slash == std::string::npos) return std::size_t{0};
      pointer.resize(slash);
    }
  };
  std::vector<std::pair<std::size_t, Diagnostic>> ranked;
  ranked.reserve(diagnostics.size());
  for (Diagnostic& diagnostic : diagnostics) {
    const std::size_t rank = rank_of(diagnostic.pointer);
    ranked.emplace_back(rank, std::move(diagnostic));
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Diagnostic> sorted;
  std::set<std::pair<std::string, std::string>> seen;
  for (auto& [rank, diagnostic] : ranked) {
    if (!seen.emplace(diagnostic.pointer, diagnostic.message).second) continue;
    sorted.push_back(std::move(diagnostic));
  }
  if (more > 0) {
    sorted.push_back({"", "and " + std::to_string(more) + " more " + std::string(noun) +
                              " (only the first " + std::to_string(kMaxDiagnostics) +
                              " are listed)"});
  }
  return sorted;
}

}  // namespace

std::vector<Diagnostic> Reader::sorted_errors(const Json& doc) const {
  return in_document_order(doc, errors_, more_errors_, "errors");
}

std::vector<Diagnostic> Reader::sorted_warnings(const Json& doc) const {
  return in_document_order(doc, warnings_, more_warnings_, "warnings");
}

}  // namespace capsim::model::detail
