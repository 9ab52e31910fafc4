#pragma once
// Internal to experiments (not installed): the diagnostics helpers of the experiment reader and
// the commands. They are the model reader's (capsim/model/diagnostics.hpp), so that both phrase
// problems alike ("expected X, found Y", "unknown key; did you mean 'x'?"). The names stay as
// they were in run::detail; sort problems with model::sort_in_document_order.

// <cmath> stays: the experiment sources have it from here.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "capsim/model/diagnostics.hpp"
#include "capsim/model/error.hpp"

namespace capsim::run::detail {

using Json = nlohmann::ordered_json;

using model::child;
using model::describe;
using model::edit_distance;
using model::join;

/// "; did you mean 'x'?" for the closest candidate within max(2, |word| / 3) edits, else "".
/// Experiments suggest for words of any length (the names compared are the model's and the
/// experiment's own), as they always have.
inline std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  return model::did_you_mean(word, candidates, std::string_view::npos);
}

/// Collects the problems of an experiment file while its values are read (all of them: no
/// limit), with the model reader's typed reads.
class Problems : public model::Diagnostics {
 public:
  /// An integer (an integral float is accepted) within [min, max].
  std::optional<long long> integer(const Json& value, const std::string& pointer, long long min,
                                   long long max) {
    return model::Diagnostics::integer(value, pointer, min, max);
  }
  /// One of `names`, with a suggestion.
  std::optional<std::size_t> choice(const Json& value, const std::string& pointer,
                                    const std::vector<std::string>& names) {
    return model::Diagnostics::choice(value, pointer,
                                      std::vector<std::string_view>(names.begin(), names.end()));
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
      error(child(pointer, key), model::unknown_key(key, allowed, join(allowed)));
    }
  }
};

}  // namespace capsim::run::detail
