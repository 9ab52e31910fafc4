#pragma once
/// \file Diagnostics for the readers of JSON input (models, experiments), so that their messages
/// read alike: JSON Pointers, values and lists as messages show them, "did you mean"
/// suggestions, typed reads that report their own problem, and sorting into document order.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "capsim/model/error.hpp"

namespace capsim::model {

using Json = nlohmann::ordered_json;

// ---- JSON Pointers and text ---------------------------------------------------------------

/// `pointer` + "/" + `token`, with '~' and '/' in the token escaped as "~0" and "~1" (RFC 6901).
std::string child(const std::string& pointer, std::string_view token);
std::string child(const std::string& pointer, std::size_t index);

/// How many characters describe() shows at most.
inline constexpr std::size_t kDescribeLimit = 40;

/// The value as compact JSON (strings quoted), cut to kDescribeLimit characters with "...".
/// Costs no more for a huge value than for a small one.
std::string describe(const Json& value);

/// A text (a line of a file) as describe() shows a string: quoted, escaped, cut.
std::string describe_text(std::string_view text);

/// The items joined by `separator`.
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");
std::string join(const std::vector<std::string_view>& items, std::string_view separator = ", ");

// ---- Suggestions --------------------------------------------------------------------------

/// Damerau-Levenshtein distance (optimal string alignment: insertions, deletions, substitutions
/// and transpositions of adjacent characters each cost 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// Names are short: a longer word (a mistake of another kind) gets no suggestion by default, so
/// that comparing it costs nothing.
inline constexpr std::size_t kLongestSuggestedWord = 100;

/// The candidate closest to `word`, if within max(2, |word| / 3) edits; ties go to the first.
/// None for a word longer than `longest_word`.
std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates,
                                   std::size_t longest_word = kLongestSuggestedWord);

/// "; did you mean 'x'?" for the closest candidate, or "" when none is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates,
                         std::size_t longest_word = kLongestSuggestedWord);

/// The message for a key that an object does not take: "unknown key; did you mean 'x'?" for
/// the closest of `candidates`, else "unknown key; expected one of: " + `allowed`.
std::string unknown_key(std::string_view key, const std::vector<std::string>& candidates,
                        std::string_view allowed);

// ---- Document order -----------------------------------------------------------------------

/// `diagnostics` sorted into document order (by the position in `doc` of the longest prefix of
/// their pointer that exists; stable), exact duplicates dropped. Costs little for a few
/// diagnostics of a huge document.
std::vector<Diagnostic> sort_in_document_order(const Json& doc,
                                               std::vector<Diagnostic> diagnostics);

// ---- Collecting ---------------------------------------------------------------------------

/// Collects the problems of a document while its values are read. Every typed read reports its
/// own problem ("expected WHAT, found VALUE") and returns std::nullopt, so that reading carries
/// on and finds every problem in one pass.
class Diagnostics {
 public:
  /// Past `limit` diagnostics, further ones are only counted: a huge broken document must not
  /// take the memory.
  explicit Diagnostics(std::size_t limit = std::numeric_limits<std::size_t>::max())
      : limit_(limit) {}

  void error(std::string pointer, std::string message,
             DiagnosticKind kind = DiagnosticKind::general);
  /// "expected WHAT, found VALUE" + `suffix`.
  void expected(std::string pointer, std::string_view what, const Json& found,
                std::string_view suffix = {});
  /// "missing; expected WHAT".
  void missing(std::string pointer, std::string_view what);

  /// An integer (an integral float is accepted) within [min, max]: "expected an integer from MIN
  /// to MAX" ("an integer >= MIN" when `max` is the largest int64).
  std::optional<std::int64_t> integer(const Json& value, const std::string& pointer,
                                      std::int64_t min, std::int64_t max);
  /// A number for which `ok` holds; else "expected WHAT, found ...".
  template <class Predicate>
  std::optional<double> number(const Json& value, const std::string& pointer, std::string_view what,
                               Predicate ok) {
    if (value.is_number()) {
      const double x = value.get<double>();
      if (ok(x)) return x;
    }
    expected(pointer, what, value);
    return std::nullopt;
  }
  /// A string, non-empty; else "expected WHAT, found ...".
  std::optional<std::string> string(const Json& value, const std::string& pointer,
                                    std::string_view what);
  /// One of `names`, as its index: "expected one of NAMES", with a suggestion for a near miss.
  std::optional<std::size_t> choice(const Json& value, const std::string& pointer,
                                    const std::vector<std::string_view>& names);

  bool empty() const { return size() == 0; }
  /// Every diagnostic reported, those past the limit included.
  std::size_t size() const { return list_.size() + more_; }
  /// The diagnostics kept, in the order they were reported.
  std::vector<Diagnostic>& list() { return list_; }
  const std::vector<Diagnostic>& list() const { return list_; }

  /// The diagnostics kept, in document order (sort_in_document_order); past the limit, a last
  /// one (pointer "") says "and N more NOUN (only the first LIMIT are listed)".
  std::vector<Diagnostic> sorted(const Json& doc, std::string_view noun) const;

 private:
  std::vector<Diagnostic> list_;
  std::size_t limit_;
  std::size_t more_ = 0;
};

}  // namespace capsim::model
