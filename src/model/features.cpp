#include <array>

#include "loader.hpp"

namespace capsim::model::detail {

namespace {

/// A key (or one string value of a key) that the model format defines for a feature this
/// version does not implement yet.
struct UnsupportedFeature {
  std::string_view context;  ///< the kind of object holding the key
  std::string_view key;
  std::string_view value;  ///< empty: the key itself is refused; else only this value of it
};

// The one list of refused features. Loading refuses each of them with not_supported_message
// instead of ignoring it, so a model never silently means less than it says. To enable a
// feature: delete its rows here, add its keys to the reader's allowed keys, and read them.
// Empty in this version: every feature of the model format is implemented.
constexpr std::array<UnsupportedFeature, 0> unsupported_features{};

}  // namespace

bool is_unsupported_key(std::string_view context, std::string_view key) {
  for (const UnsupportedFeature& feature : unsupported_features) {
    if (feature.context == context && feature.key == key && feature.value.empty()) return true;
  }
  return false;
}

bool is_unsupported_value(std::string_view context, std::string_view key, std::string_view value) {
  for (const UnsupportedFeature& feature : unsupported_features) {
    if (feature.context == context && feature.key == key && !feature.value.empty() &&
        feature.value == value) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> unsupported_keys(std::string_view context) {
  std::vector<std::string> keys;
  for (const UnsupportedFeature& feature : unsupported_features) {
    if (feature.context == context && feature.value.empty()) keys.emplace_back(feature.key);
  }
  return keys;
}

}  // namespace capsim::model::detail
