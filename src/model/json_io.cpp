#include <cerrno>
#include <fstream>
#include <iterator>
#include <system_error>

#include "loader.hpp"

namespace capsim::model {

namespace {

std::string cannot_read(const std::filesystem::path& path, int error_number) {
  const std::string reason =
      error_number != 0 ? std::generic_category().message(error_number) : "cannot open the file";
  return "cannot read '" + path.string() + "': " + reason;
}

/// The whole file, or the reason it cannot be read.
std::string read_text(const std::filesystem::path& path, std::string& failure) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    failure = cannot_read(path, EISDIR);
    return {};
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    failure = cannot_read(path, errno);
    return {};
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) failure = cannot_read(path, errno);
  return text;
}

/// nlohmann's message without its "[json.exception...] parse error at line L, column C: " prefix
/// (its column is not reliable, so the position is computed from the byte offset instead).
std::string parse_reason(const std::string& what) {
  if (const auto column = what.find("column "); column != std::string::npos) {
    if (const auto colon = what.find(": ", column); colon != std::string::npos) {
      return what.substr(colon + 2);
    }
  }
  if (const auto bracket = what.find("] "); bracket != std::string::npos) {
    std::string rest = what.substr(bracket + 2);
    if (rest.rfind("parse error: ", 0) == 0) rest.erase(0, 13);
    return rest;
  }
  return what;
}

/// Line and column (1-based, columns in characters) of the byte at `index`.
std::pair<std::size_t, std::size_t> line_and_column(const std::string& text, std::size_t index) {
  index = std::min(index, text.size());
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < index; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) {
      ++column;  // UTF-8 continuation bytes do not start a character
    }
  }
  return {line, column};
}

bool is_canonical_index(const std::string& token) {
  if (token.empty() || token.size() > 18) return false;
  if (token.size() > 1 && token[0] == '0') return false;
  for (const char c : token) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

/// The unescaped tokens of a JSON Pointer, or nullopt when it is malformed.
std::optional<std::vector<std::string>> split_pointer(const std::string& pointer) {
  if (pointer.empty() || pointer[0] != '/') return std::nullopt;
  std::vector<std::string> tokens;
  std::string token;
  for (std::size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
    } else if (pointer[i] == '~') {
      if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) {
        return std::nullopt;
      }
      token += pointer[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      token += pointer[i];
    }
  }
  return tokens;
}

}  // namespace

Json read_json_file(const std::filesystem::path& path) {
  std::string failure;
  const std::string text = read_text(path, failure);
  if (!failure.empty()) throw ModelError("", failure);
  try {
    // Comments are allowed: model files are written by hand and the format's own examples use //.
    return Json::parse(text, nullptr, true, true);
  } catch (const Json::parse_error& e) {
    const auto [line, column] = line_and_column(text, e.byte == 0 ? 0 : e.byte - 1);
    throw ModelError("", path.string() + ": invalid JSON at line " + std::to_string(line) +
                             ", column " + std::to_string(column) + ": " + parse_reason(e.what()));
  } catch (const Json::exception& e) {
    throw ModelError("", path.string() + ": invalid JSON: " + parse_reason(e.what()));
  }
}

void apply_override(Json& doc, std::string_view assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string_view::npos) {
    throw ModelError("", "override '" + std::string(assignment) + "': expected POINTER=VALUE");
  }
  const std::string pointer(assignment.substr(0, equals));
  const std::string text(assignment.substr(equals + 1));
  Json value;
  try {
    value = Json::parse(text);
  } catch (const Json::exception&) {
    value = text;  // not JSON: a bare string such as 10m or least_outstanding
  }
  apply_override(doc, pointer, value);
}

void apply_override(Json& doc, const std::string& pointer, const Json& value) {
  const auto tokens = split_pointer(pointer);
  if (!tokens) {
    throw ModelError(
        "", "override '" + pointer + "': expected a JSON Pointer such as /services/api/replicas");
  }
  Json* node = &doc;
  std::string prefix;
  for (std::size_t i = 0; i + 1 < tokens->size(); ++i) {
    const std::string& token = (*tokens)[i];
    prefix = detail::child(prefix, token);
    Json* next = nullptr;
    if (node->is_object()) {
      if (const auto found = node->find(token); found != node->end()) next = &*found;
    } else if (node->is_array() && is_canonical_index(token)) {
      const auto index = std::stoull(token);
      if (index < node->size()) next = &(*node)[index];
    }
    if (next == nullptr) {
      throw ModelError(pointer, "cannot set: expected '" + prefix +
                                    "' to exist in the model, found nothing there");
    }
    node = next;
  }
  const std::string& last = tokens->back();
  if (node->is_object()) {
    (*node)[last] = value;
  } else if (node->is_array()) {
    if (last == "-") {
      node->push_back(value);
    } else if (!is_canonical_index(last)) {
      throw ModelError(pointer, "cannot set: expected an array index or '-' after '" + prefix +
                                    "', found '" + last + "'");
    } else if (const auto index = std::stoull(last); index < node->size()) {
      (*node)[index] = value;
    } else if (index == node->size()) {
      node->push_back(value);
    } else {
      throw ModelError(pointer, "cannot set: index " + last + " is past the end of '" + prefix +
                                    "' (" + std::to_string(node->size()) + " elements)");
    }
  } else {
    throw ModelError(pointer, "cannot set: expected '" + prefix +
                                  "' to be an object or an array, found " +
                                  detail::describe(*node));
  }
}

namespace detail {

std::optional<std::vector<std::string>> read_lines(Reader& reader, const std::string& file,
                                                   const std::string& pointer) {
  const std::filesystem::path path = reader.base_dir() / file;
  std::string failure;
  const std::string text = read_text(path, failure);
  if (!failure.empty()) {
    reader.error(pointer, failure);
    return std::nullopt;
  }
  std::vector<std::string> lines;
  std::string line;
  for (const char c : text) {
    if (c == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines.push_back(std::move(line));
      line.clear();
    } else {
      line += c;
    }
  }
  if (!line.empty()) {
    if (line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace detail

}  // namespace capsim::model
