#pragma once
// Internal to experiments (not installed): JSON Pointer and message helpers shared by the
// experiment reader and the commands, phrased like the model reader ("expected X, found Y",
// "unknown key; did you mean 'x'?").

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "capsim/model/error.hpp"

namespace capsim::run::detail {

using Json = nlohmann::ordered_json;

/// `pointer` + "/" + `token`, escaped as RFC 6901 says.
inline std::string child(const std::string& pointer, std::string_view token) {
  std::string result = pointer + '/';
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
inline std::string child(const std::string& pointer, std::size_t index) {
  return pointer + '/' + std::to_string(index);
}

/// The value as compact JSON, cut to about 40 characters.
inline std::string describe(const Json& value) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 40) {
    text.resize(37);
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0U) == 0x80U) {
      text.pop_back();
    }
    if (!text.empty() && (static_cast<unsigned char>(text.back()) & 0x80U) != 0) text.pop_back();
    text += "...";
  }
  return text;
}

inline std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string text;
  for (const std::string& item : items) {
    if (!text.empty()) text += separator;
    text += item;
  }
  return text;
}

/// Optimal string alignment distance (adjacent transpositions cost 1).
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = b.size();
  std::vector<std::size_t> before(n + 1), previous(n + 1), current(n + 1);
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

/// "; did you mean 'x'?" for the closest candidate within max(2, |word| / 3) edits, else "".
inline std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  const std::string* best = nullptr;
  std::size_t best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    const std::size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = &candidate;
    }
  }
  return best ? "; did you mean '" + *best + "'?" : std::string();
}

/// Collects the problems of an experiment file while its values are read.
class Problems {
 public:
  void error(std::string pointer, std::string message) {
    list_.push_back({std::move(pointer), std::move(message)});
  }
  void expected(std::string pointer, std::string_view what, const Json& found,
                std::string_view suffix = {}) {
    error(std::move(pointer),
          "expected " + std::string(what) + ", found " + describe(found) + std::string(suffix));
  }
  void missing(std::string pointer, std::string_view what) {
    error(std::move(pointer), "missing; expected " + std::string(what));
  }
  /// An integer (an integral float is accepted) within [min, max].
  std::optional<long long> integer(const Json& value, const std::string& pointer, long long min,
                                   long long max) {
    const std::string what =
        "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    if (value.is_number()) {
      const double x = value.get<double>();
      if (std::isfinite(x) && x == std::floor(x) && x >= static_cast<double>(min) &&
          x <= static_cast<double>(max)) {
        return static_cast<long long>(x);
      }
    }
    expected(pointer, what, value);
    return std::nullopt;
  }
  std::optional<std::string> string(const Json& value, const std::string& pointer,
                                    std::string_view what) {
    if (value.is_string() && !value.get_ref<const std::string&>().empty()) {
      return value.get<std::string>();
    }
    expected(pointer, what, value);
    return std::nullopt;
  }
  /// One of `names`, with a suggestion.
  std::optional<std::size_t> choice(const Json& value, const std::string& pointer,
                                    const std::vector<std::string>& names) {
    const std::string what = "one of " + join(names);
    if (value.is_string()) {
      const auto& text = value.get_ref<const std::string&>();
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == text) return i;
      }
      expected(pointer, what, value, did_you_mean(text, names));
      return std::nullopt;
    }
    expected(pointer, what, value);
    return std::nullopt;
  }
  /// Reports keys of `object` not in `allowed`; `elsewhere` (key -> where it belongs) gives a
  /// clearer message for a key that belongs to another kind of object.
  void check_keys(const Json& object, const std::string& pointer,
                  const std::vector<std::string>& allowed,
                  const std::vector<std::pair<std::string, std::string>>& elsewhere = {}) {
    if (!object.is_object()) return;
    for (const auto& [key, value] : object.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      // Captured by name: clang before 16 cannot capture a structured binding.
      const auto other = std::find_if(elsewhere.begin(), elsewhere.end(),
                                      [&k = key](const auto& e) { return e.first == k; });
      if (other != elsewhere.end()) {
        error(child(pointer, key), "unknown key here: '" + key + "' belongs to " + other->second);
        continue;
      }
      const std::string suggestion = did_you_mean(key, allowed);
      error(child(pointer, key), suggestion.empty()
                                     ? "unknown key; expected one of: " + join(allowed)
                                     : "unknown key" + suggestion);
    }
  }
  bool empty() const { return list_.empty(); }
  std::size_t size() const { return list_.size(); }
  std::vector<model::Diagnostic>& list() { return list_; }

 private:
  std::vector<model::Diagnostic> list_;
};

}  // namespace capsim::run::detail
