/// \file Diagnostics shared by the model loader and the experiment reader (diagnostics.hpp).

#include "capsim/model/diagnostics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace capsim::model {

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
  constexpr std::size_t limit = kDescribeLimit;
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
  return describe(Json(std::string(text.substr(0, kDescribeLimit + 1))));
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string text;
  for (const std::string& item : items) {
    if (!text.empty()) text += separator;
    text += item;
  }
  return text;
}

std::string join(const std::vector<std::string_view>& items, std::string_view separator) {
  std::string text;
  for (const std::string_view item : items) {
    if (!text.empty()) text += separator;
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
                                   const std::vector<std::string>& candidates,
                                   std::size_t longest_word) {
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

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates,
                         std::size_t longest_word) {
  const auto suggestion = closest(word, candidates, longest_word);
  if (!suggestion) return {};
  return "; did you mean '" + *suggestion + "'?";
}

std::string unknown_key(std::string_view key, const std::vector<std::string>& candidates,
                        std::string_view allowed) {
  const std::string suggestion = did_you_mean(key, candidates);
  if (!suggestion.empty()) return "unknown key" + suggestion;
  return "unknown key; expected one of: " + std::string(allowed);
}

// ---- Document order -----------------------------------------------------------------------

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

}  // namespace

std::vector<Diagnostic> sort_in_document_order(const Json& doc,
                                               std::vector<Diagnostic> diagnostics) {
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
  return sorted;
}

// ---- Collecting ---------------------------------------------------------------------------

void Diagnostics::error(std::string pointer, std::string message, DiagnosticKind kind) {
  if (list_.size() >= limit_) {
    ++more_;
    return;
  }
  list_.push_back({std::move(pointer), std::move(message), kind});
}

void Diagnostics::expected(std::string pointer, std::string_view what, const Json& found,
                           std::string_view suffix) {
  std::string message = "expected ";
  message += what;
  message += ", found ";
  message += describe(found);
  message += suffix;
  error(std::move(pointer), std::move(message));
}

void Diagnostics::missing(std::string pointer, std::string_view what) {
  error(std::move(pointer), "missing; expected " + std::string(what));
}

std::optional<std::int64_t> Diagnostics::integer(const Json& value, const std::string& pointer,
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
  if (result < min || result > max) {
    expected(pointer, range(), value);
    return std::nullopt;
  }
  return result;
}

std::optional<std::string> Diagnostics::string(const Json& value, const std::string& pointer,
                                               std::string_view what) {
  if (value.is_string() && !value.get_ref<const std::string&>().empty()) {
    return value.get<std::string>();
  }
  expected(pointer, what, value);
  return std::nullopt;
}

std::optional<std::size_t> Diagnostics::choice(const Json& value, const std::string& pointer,
                                               const std::vector<std::string_view>& names) {
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

std::vector<Diagnostic> Diagnostics::sorted(const Json& doc, std::string_view noun) const {
  std::vector<Diagnostic> sorted = sort_in_document_order(doc, list_);
  if (more_ > 0) {
    sorted.push_back({"",
                      "and " + std::to_string(more_) + " more " + std::string(noun) +
                          " (only the first " + std::to_string(limit_) + " are listed)",
                      DiagnosticKind::general});
  }
  return sorted;
}

}  // namespace capsim::model
