/// \file Where a JSON Pointer's value is in a JSON text: the line and column that messages about
/// a JSON file name, found when a message needs one (nothing is recorded while parsing, so a
/// large input costs nothing until something in it is refused).

#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capsim/model/document.hpp"
#include "json_positions.hpp"
#include "loader.hpp"

namespace capsim::model {

std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t index) {
  if (index > text.size()) index = text.size();
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

namespace {

/// A forward reader over a JSON text that has already been parsed (so it is well formed; it
/// may hold the comments the parser allows). Every step stops at the end of the text, so a text
/// that is not well formed after all gives a position near the end rather than a fault.
class JsonScanner {
 public:
  explicit JsonScanner(std::string_view text) : text_(text) {}

  std::size_t at() const { return i_; }
  bool done() const { return i_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[i_]; }
  void next() {
    if (!done()) ++i_;
  }

  /// Skips white space and comments.
  void blank() {
    while (!done()) {
      const char c = text_[i_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++i_;
      } else if (c == '/' && i_ + 1 < text_.size() && text_[i_ + 1] == '/') {
        while (!done() && text_[i_] != '\n' && text_[i_] != '\r' && text_[i_] != '\0') ++i_;
      } else if (c == '/' && i_ + 1 < text_.size() && text_[i_ + 1] == '*') {
        i_ += 2;
        while (!done() && !(text_[i_] == '*' && i_ + 1 < text_.size() && text_[i_ + 1] == '/')) {
          ++i_;
        }
        i_ = std::min(text_.size(), i_ + 2);
      } else {
        return;
      }
    }
  }

  /// Moves past the string at the cursor (its opening quote).
  void skip_string() {
    next();
    while (!done() && text_[i_] != '"') {
      if (text_[i_] == '\\') next();
      next();
    }
    next();
  }

  /// Reads a string at the cursor (its opening quote) and returns its value.
  std::string string() {
    const std::size_t start = i_;
    skip_string();
    const std::string_view quoted = text_.substr(start, i_ - start);
    // Escapes (\u00e9, surrogate pairs) are decoded by the parser that accepted the text.
    if (quoted.find('\\') == std::string_view::npos) {
      return std::string(quoted.substr(1, quoted.size() >= 2 ? quoted.size() - 2 : 0));
    }
    try {
      return Json::parse(quoted).get<std::string>();
    } catch (const Json::exception&) {
      return std::string(quoted);
    }
  }

  /// Skips the value at the cursor.
  void skip_value() {
    std::size_t depth = 0;
    do {
      blank();
      const char c = peek();
      if (c == '"') {
        skip_string();  // not decoded: only keys on a pointer's path are
      } else if (c == '{' || c == '[') {
        ++depth;
        next();
      } else if (c == '}' || c == ']') {
        if (depth > 0) --depth;
        next();
      } else if (c == ',' || c == ':') {
        next();
      } else {
        while (!done() &&
               std::string_view(" \t\r\n,:]}/").find(text_[i_]) == std::string_view::npos) {
          ++i_;
        }
        if (peek() == '/') next();  // a stray slash that is not a comment: keep moving
      }
    } while (depth > 0 && !done());
  }

 private:
  std::string_view text_;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<std::pair<std::size_t, std::size_t>> json_position(std::string_view text,
                                                                 const std::string& pointer,
                                                                 bool duplicate_key) {
  const auto tokens =
      pointer.empty() ? std::optional(std::vector<std::string>{}) : detail::split_pointer(pointer);
  if (!tokens) return std::nullopt;
  JsonScanner scan(text);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    for (int k = 0; k < 3; ++k) scan.next();
  }
  scan.blank();
  if (scan.done()) return std::nullopt;
  std::size_t found = scan.at();  // the deepest value of the pointer's path found so far
  for (std::size_t depth = 0; depth < tokens->size(); ++depth) {
    const std::string& token = (*tokens)[depth];
    const bool last = depth + 1 == tokens->size();
    const char open = scan.peek();
    if (open != '{' && open != '[') break;
    scan.next();
    bool entered = false;
    std::size_t index = 0;
    std::size_t seen = 0;  // keys equal to `token` met so far (duplicates)
    while (true) {
      scan.blank();
      const char c = scan.peek();
      if (c == '}' || c == ']' || scan.done()) break;
      if (c == ',') {
        scan.next();
        continue;
      }
      if (open == '{') {
        const std::size_t key_at = scan.at();
        const std::string key = scan.string();
        scan.blank();
        if (scan.peek() == ':') scan.next();
        scan.blank();
        if (key == token && (!(last && duplicate_key) || ++seen == 2)) {
          found = (last && duplicate_key) ? key_at : scan.at();
          entered = true;
          break;
        }
      } else if (std::to_string(index) == token) {
        found = scan.at();
        entered = true;
        break;
      }
      scan.skip_value();
      ++index;
    }
    if (!entered) break;
  }
  return line_and_column(text, found);
}

namespace {

/// The wanted pointers as a tree of tokens: a value is read into only where a pointer goes on.
struct PointerTree {
  struct Node {
    std::map<std::string, std::size_t, std::less<>> children;
    std::optional<std::size_t> offset;  ///< where its value starts, once found
  };
  std::vector<Node> nodes{Node{}};

  /// The nodes of `tokens`' path, the root first.
  std::vector<std::size_t> insert(const std::vector<std::string>& tokens) {
    std::vector<std::size_t> path{0};
    for (const std::string& token : tokens) {
      const std::size_t at = path.back();
      auto found = nodes[at].children.find(token);
      if (found == nodes[at].children.end()) {
        nodes.emplace_back();
        found = nodes[at].children.emplace(token, nodes.size() - 1).first;
      }
      path.push_back(found->second);
    }
    return path;
  }

  /// Reads the value at the cursor, noting where each wanted value of it starts.
  void visit(JsonScanner& scan, std::size_t node) {
    nodes[node].offset = scan.at();
    const char open = scan.peek();
    if (nodes[node].children.empty() || (open != '{' && open != '[')) {
      scan.skip_value();
      return;
    }
    scan.next();
    std::size_t index = 0;
    while (true) {
      scan.blank();
      const char c = scan.peek();
      if (c == '}' || c == ']' || scan.done()) {
        scan.next();
        return;
      }
      if (c == ',') {
        scan.next();
        continue;
      }
      std::string token;
      if (open == '{') {
        token = scan.string();
        scan.blank();
        if (scan.peek() == ':') scan.next();
        scan.blank();
      } else {
        token = std::to_string(index++);
      }
      const auto child = nodes[node].children.find(token);
      if (child != nodes[node].children.end()) {
        visit(scan, child->second);
      } else {
        scan.skip_value();
      }
    }
  }
};

}  // namespace

std::vector<std::optional<std::pair<std::size_t, std::size_t>>> json_positions(
    std::string_view text, const std::vector<std::string>& pointers) {
  std::vector<std::optional<std::pair<std::size_t, std::size_t>>> out(pointers.size());
  PointerTree tree;
  std::vector<std::vector<std::size_t>> paths(pointers.size());
  for (std::size_t i = 0; i < pointers.size(); ++i) {
    const auto tokens = pointers[i].empty() ? std::optional(std::vector<std::string>{})
                                            : detail::split_pointer(pointers[i]);
    if (tokens) paths[i] = tree.insert(*tokens);
  }
  JsonScanner scan(text);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    for (int k = 0; k < 3; ++k) scan.next();
  }
  scan.blank();
  if (scan.done()) return out;
  tree.visit(scan, 0);
  // Each pointer's deepest value found; then every offset's line and column in one pass.
  std::vector<std::pair<std::size_t, std::size_t>> wanted;  // (offset, pointer)
  for (std::size_t i = 0; i < pointers.size(); ++i) {
    for (auto node = paths[i].rbegin(); node != paths[i].rend(); ++node) {
      if (const auto offset = tree.nodes[*node].offset) {
        wanted.emplace_back(*offset, i);
        break;
      }
    }
  }
  std::sort(wanted.begin(), wanted.end());
  std::size_t line = 1, column = 1, at = 0;
  for (const auto& [offset, i] : wanted) {
    for (; at < offset && at < text.size(); ++at) {
      if (text[at] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(text[at]) & 0xC0U) != 0x80U) {
        ++column;
      }
    }
    out[i] = std::pair{line, column};
  }
  return out;
}

}  // namespace capsim::model
