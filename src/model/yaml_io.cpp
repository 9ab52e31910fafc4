/// \file YAML documents as JSON values (parse_yaml), the one reader of model and experiment files
/// by path (read_document), and positions in messages (locate).

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <unordered_set>

#include "capsim/model/diagnostics.hpp"
#include "capsim/model/document.hpp"
#include "json_positions.hpp"
#include "loader.hpp"

namespace capsim::model {

namespace {

namespace fs = std::filesystem;

std::string position_text(const YAML::Mark& mark) {
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

bool is_float_text(std::string_view t) {
  // YAML 1.2 core schema: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
  std::size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
  std::size_t digits = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    std::size_t exponent = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++exponent;
    if (exponent == 0) return false;
  }
  return i == t.size();
}

bool is_integer_text(std::string_view t) {
  std::size_t i = (!t.empty() && (t[0] == '-' || t[0] == '+')) ? 1 : 0;
  if (i == t.size()) return false;
  for (; i < t.size(); ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
  }
  return true;
}

/// Converts yaml-cpp's nodes, counting values, checking depth, keys and numbers.
class Converter {
 public:
  Converter(std::string source, std::size_t text_bytes, SourcePositions* positions)
      : source_(std::move(source)),
        positions_(positions),
        max_values_(text_bytes + kYamlAliasAllowance) {}

  Json convert(const YAML::Node& node, const std::string& pointer, int depth) {
    if (++values_ > max_values_) {
      fail(node.Mark(), "expected at most " + std::to_string(max_values_) +
                            " values with aliases expanded (the file's bytes plus " +
                            std::to_string(kYamlAliasAllowance) + "), found more (an alias bomb?)");
    }
    if (depth > kMaxJsonDepth) {
      fail(node.Mark(), "expected at most " + std::to_string(kMaxJsonDepth) +
                            " levels of nested sequences and mappings, found more");
    }
    if (positions_ != nullptr) {
      positions_->at.emplace(pointer, std::make_pair(node.Mark().line + 1, node.Mark().column + 1));
    }
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return Json(nullptr);
      case YAML::NodeType::Scalar:
        return scalar(node);
      case YAML::NodeType::Sequence: {
        Json array = Json::array();
        for (std::size_t i = 0; i < node.size(); ++i) {
          array.push_back(convert(node[i], child(pointer, i), depth + 1));
        }
        return array;
      }
      case YAML::NodeType::Map: {
        Json object = Json::object();
        std::unordered_set<std::string> keys;
        auto& members = static_cast<std::vector<std::pair<const std::string, Json>>&>(
            object.get_ref<Json::object_t&>());
        for (const auto& member : node) {
          const YAML::Node& key = member.first;
          if (!key.IsScalar()) {
            fail(key.Mark(), child(pointer, "") + ": expected a key that is a plain text, found " +
                                 (key.IsNull() ? "an empty key" : "a sequence or mapping"));
          }
          const std::string name = key.Scalar();
          check_utf8(key.Mark(), name);
          if (name == "<<" && key.Tag() != "tag:yaml.org,2002:str" && key.Tag() != "!") {
            // yaml-cpp reads a merge key as a key named "<<" (an "unknown key" at the anchor).
            fail(key.Mark(),
                 "expected no merge key (<<): YAML merge keys are not supported; "
                 "repeat the keys, or alias the whole mapping");
          }
          const std::string at = child(pointer, name);
          if (!keys.insert(name).second) {
            throw ModelError(at, "duplicate key; expected each key once in an object (" + source_ +
                                     ": " + position_text(key.Mark()) + ")");
          }
          Json value = convert(member.second, at, depth + 1);
          members.emplace_back(name, std::move(value));
        }
        return object;
      }
    }
    return Json(nullptr);
  }

 private:
  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) const {
    throw ModelError("", source_ + ": invalid YAML at " + position_text(mark) + ": " + message);
  }

  /// YAML text must be UTF-8 (yaml-cpp passes other bytes through; every JSON writer refuses
  /// them, after the run).
  void check_utf8(const YAML::Mark& mark, const std::string& text) const {
    const std::string printable = detail::printable_utf8(text);
    if (printable != text) fail(mark, "expected UTF-8 text, found \"" + printable + "\"");
  }

  Json scalar(const YAML::Node& node) {
    const std::string& text = node.Scalar();
    check_utf8(node.Mark(), text);
    scalar_bytes_ += text.size();
    if (scalar_bytes_ > kMaxInputFileBytes) {
      fail(node.Mark(), "expected at most " + std::to_string(kMaxInputFileBytes) +
                            " bytes of text with aliases expanded, found more (an alias bomb?)");
    }
    const std::string& tag = node.Tag();
    constexpr std::string_view core = "tag:yaml.org,2002:";
    if (tag == "!" || tag == std::string(core) + "str") return Json(text);
    std::string_view want;  // "" resolves by the core schema
    if (tag.rfind(core, 0) == 0) {
      want = std::string_view(tag).substr(core.size());
      if (want != "int" && want != "float" && want != "bool" && want != "null") {
        fail(node.Mark(),
             "expected no tag or one of !!str, !!int, !!float, !!bool, !!null, found " + tag);
      }
    } else if (tag != "?" && !tag.empty()) {
      fail(node.Mark(),
           "expected no tag or one of !!str, !!int, !!float, !!bool, !!null, found " + tag);
    }
    if (want.empty() || want == "bool") {
      if (text == "true" || text == "True" || text == "TRUE") return Json(true);
      if (text == "false" || text == "False" || text == "FALSE") return Json(false);
      if (want == "bool") fail(node.Mark(), "expected true or false, found " + describe_text(text));
    }
    if (want.empty() || want == "null") {
      if (text == "~" || text == "null" || text == "Null" || text == "NULL" || text.empty()) {
        return Json(nullptr);
      }
      if (want == "null") fail(node.Mark(), "expected null, found " + describe_text(text));
    }
    if (text == ".inf" || text == ".Inf" || text == ".INF" || text == "+.inf" || text == "-.inf" ||
        text == "-.Inf" || text == "-.INF" || text == ".nan" || text == ".NaN" || text == ".NAN") {
      fail(node.Mark(), "expected a finite number, found " + text);
    }
    if (want.empty() || want == "int") {
      std::string_view digits = text;
      if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
      if (is_integer_text(text)) {
        // As nlohmann reads JSON: unsigned when not negative, signed when negative.
        const char* last = digits.data() + digits.size();
        if (digits[0] != '-') {
          std::uint64_t value = 0;
          auto [end, ec] = std::from_chars(digits.data(), last, value);
          if (ec == std::errc{} && end == last) return Json(value);
        } else {
          std::int64_t value = 0;
          auto [end, ec] = std::from_chars(digits.data(), last, value);
          if (ec == std::errc{} && end == last) return Json(value);
        }
        // Beyond 64 bits: a number, as JSON reads it.
      } else if (want == "int") {
        fail(node.Mark(), "expected an integer, found " + describe_text(text));
      }
    }
    if (is_float_text(text) || (want == "float" && is_integer_text(text))) {
      std::string_view digits = text;
      if (digits[0] == '+') digits.remove_prefix(1);
      double value = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (ec == std::errc::result_out_of_range || !std::isfinite(value)) {
        fail(node.Mark(), "expected a number between -1.8e308 and 1.8e308, found " +
                              (text.size() > 40 ? text.substr(0, 37) + "..." : text));
      }
      if (ec == std::errc{} && end == digits.data() + digits.size()) return Json(value);
    }
    if (want == "float") fail(node.Mark(), "expected a number, found " + describe_text(text));
    return Json(text);
  }

  std::string source_;
  SourcePositions* positions_;
  std::size_t max_values_;
  std::size_t values_ = 0;
  std::size_t scalar_bytes_ = 0;
};

std::vector<YAML::Node> load_all(std::string_view text, const std::string& source) {
  try {
    return YAML::LoadAll(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own limit (about 2,000 levels; its message is "bad file"): ours is lower, and
    // says what it is.
    throw ModelError("", source + ": invalid YAML at " + position_text(e.mark) +
                             ": expected at most " + std::to_string(kMaxJsonDepth) +
                             " levels of nested sequences and mappings, found more");
  } catch (const YAML::Exception& e) {
    YAML::Mark mark = e.mark;
    if (mark.is_null()) throw ModelError("", source + ": invalid YAML: " + e.msg);
    throw ModelError("", source + ": invalid YAML at " + position_text(mark) + ": " + e.msg);
  }
}

}  // namespace

std::optional<std::pair<std::size_t, std::size_t>> SourcePositions::find(
    const std::string& pointer) const {
  if (json_text) return json_position(*json_text, pointer);
  std::string prefix = pointer;
  while (true) {
    if (const auto found = at.find(prefix); found != at.end()) return found->second;
    if (prefix.empty()) return std::nullopt;
    const auto slash = prefix.rfind('/');
    prefix.erase(slash == std::string::npos ? 0 : slash);
  }
}

std::vector<Json> parse_yaml_stream(std::string_view text, const std::string& source,
                                    std::vector<SourcePositions>* positions) {
  std::vector<Json> docs;
  for (const YAML::Node& node : load_all(text, source)) {
    if (node.IsNull()) continue;
    SourcePositions found{source, {}, nullptr};
    Converter converter(source, text.size(), positions != nullptr ? &found : nullptr);
    docs.push_back(converter.convert(node, "", 0));
    if (positions != nullptr) positions->push_back(std::move(found));
  }
  return docs;
}

Json parse_yaml(std::string_view text, const std::string& source, SourcePositions* positions) {
  const std::vector<YAML::Node> nodes = load_all(text, source);
  if (nodes.empty() || (nodes.size() == 1 && nodes[0].IsNull())) {
    throw ModelError("", source + ": expected a YAML document, found nothing");
  }
  if (nodes.size() > 1) {
    throw ModelError("", source + ": invalid YAML at " + position_text(nodes[1].Mark()) +
                             ": expected one document, found " + std::to_string(nodes.size()) +
                             " (separated by ---)");
  }
  if (positions != nullptr) positions->source = source;
  Converter converter(source, text.size(), positions);
  return converter.convert(nodes[0], "", 0);
}

DocumentFormat document_format(const fs::path& path, std::string_view text) {
  const std::string extension = path.extension().string();
  if (extension == ".yaml" || extension == ".yml" || extension == ".YAML" || extension == ".YML") {
    return DocumentFormat::yaml;
  }
  if (extension == ".json" || extension == ".JSON") return DocumentFormat::json;
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.remove_prefix(3);
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return DocumentFormat::json;  // its message for empty text
  const char c = text[first];
  // UTF-16 byte order marks go to JSON, whose message names them.
  return (c == '{' || c == '[' || c == '/' || c == '\xFF' || c == '\xFE') ? DocumentFormat::json
                                                                          : DocumentFormat::yaml;
}

Document read_document(const fs::path& path) {
  std::string text = read_input_file(path);
  Document doc;
  if (document_format(path, text) == DocumentFormat::yaml) {
    doc.json = parse_yaml(text, path.string(), &doc.positions);
  } else {
    doc.json = parse_json(text, path.string());
    doc.positions.source = path.string();
    doc.positions.json_text = std::make_shared<const std::string>(std::move(text));
  }
  return doc;
}

ModelError locate(const ModelError& error, const SourcePositions& positions,
                  const std::vector<std::string>& overrides) {
  if (positions.at.empty() && !positions.json_text && overrides.empty()) return error;
  std::vector<Diagnostic> located = error.diagnostics();
  // JSON: every place found in one reading of the text.
  std::vector<std::optional<std::pair<std::size_t, std::size_t>>> places;
  if (positions.json_text) {
    std::vector<std::string> pointers;
    for (const Diagnostic& d : located) pointers.push_back(d.pointer);
    places = json_positions(*positions.json_text, pointers);
  }
  // An override "ARRAY/-=VALUE" appends an element: it covers ARRAY/N... where the file has no
  // element N (where its place is the array's own: a missing child is placed at its parent).
  const auto appended_element = [&](const std::string& pointer, const std::string& o_pointer) {
    const std::string array = o_pointer.substr(0, o_pointer.size() - 2);
    if (pointer.size() <= array.size() + 1 ||
        pointer.compare(0, array.size() + 1, array + "/") != 0)
      return std::string();
    const std::size_t end = pointer.find('/', array.size() + 1);
    const std::string index = pointer.substr(array.size() + 1, end - array.size() - 1);
    if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos)
      return std::string();
    return array + "/" + index;
  };
  std::vector<std::string> appended;  // per (diagnostic, override): the element, or empty
  std::vector<std::string> probes;    // element and array pointers whose places tell
  for (const Diagnostic& d : located) {
    for (const std::string& o : overrides) {
      const std::string pointer = o.substr(0, o.find('='));
      const bool append = pointer.size() >= 2 && pointer.compare(pointer.size() - 2, 2, "/-") == 0;
      appended.push_back(append ? appended_element(d.pointer, pointer) : std::string());
      if (!appended.back().empty()) {
        probes.push_back(appended.back());
        probes.push_back(pointer.substr(0, pointer.size() - 2));
      }
    }
  }
  std::vector<std::optional<std::pair<std::size_t, std::size_t>>> probed;
  if (!probes.empty()) {
    if (positions.json_text) {
      probed = json_positions(*positions.json_text, probes);
    } else {
      for (const std::string& p : probes) probed.push_back(positions.find(p));
    }
  }
  std::size_t next_probe = 0;
  for (std::size_t k = 0; k < located.size(); ++k) {
    Diagnostic& d = located[k];
    // The last override that covers the pointer is the value the document holds.
    const std::string* given = nullptr;
    for (std::size_t i = 0; i < overrides.size(); ++i) {
      const std::string& o = overrides[i];
      const std::string pointer = o.substr(0, o.find('='));
      if (!appended[k * overrides.size() + i].empty()) {
        const auto& element = probed[next_probe++];
        const auto& array = probed[next_probe++];
        if (element == array) given = &o;  // no such element in the file: the appended one
        continue;
      }
      if (d.pointer.empty()) continue;
      if (d.pointer == pointer || (d.pointer.size() > pointer.size() &&
                                   d.pointer.compare(0, pointer.size(), pointer) == 0 &&
                                   d.pointer[pointer.size()] == '/')) {
        given = &o;
      }
    }
    if (d.pointer.empty()) continue;
    if (given != nullptr) {
      d.message += " (given on the command line: " + *given + ")";
    } else if (const auto at = positions.json_text ? places[k] : positions.find(d.pointer)) {
      d.message += " (" + positions.source + ": line " + std::to_string(at->first) + ", column " +
                   std::to_string(at->second) + ")";
    }
  }
  return ModelError(std::move(located));
}

}  // namespace capsim::model
