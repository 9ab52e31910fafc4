#include <cerrno>
#include <fstream>
#include <system_error>
#include <unordered_set>

#include "capsim/model/document.hpp"
#include "loader.hpp"

namespace capsim::model {

std::string_view file_type_name(std::filesystem::file_type type) {
  switch (type) {
    case std::filesystem::file_type::character:
      return "a character device";
    case std::filesystem::file_type::block:
      return "a block device";
    case std::filesystem::file_type::fifo:
      return "a pipe";
    case std::filesystem::file_type::socket:
      return "a socket";
    default:
      return "something that is not a file";
  }
}

namespace detail {

std::string printable_utf8(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    // RFC 3629: the second byte's range excludes overlong forms, surrogates and > U+10FFFF.
    unsigned char low = 0x80, high = 0xBF;
    if (byte < 0x80) {
      length = 1;
    } else if (byte >= 0xC2 && byte <= 0xDF) {
      length = 2;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      length = 3;
      if (byte == 0xE0) low = 0xA0;
      if (byte == 0xED) high = 0x9F;
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      length = 4;
      if (byte == 0xF0) low = 0x90;
      if (byte == 0xF4) high = 0x8F;
    }
    bool ok = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; ok && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      ok = k == 1 ? (next >= low && next <= high) : (next & 0xC0U) == 0x80U;
    }
    if (ok) {
      out.append(text, i, length);
      i += length;
    } else {
      constexpr char digits[] = "0123456789ABCDEF";
      out += "<0x";
      out += digits[byte >> 4];
      out += digits[byte & 0xF];
      out += '>';
      ++i;
    }
  }
  return out;
}

}  // namespace detail

namespace {

namespace fs = std::filesystem;

/// Whether a file may be a pipe: the model or experiment named on the command line may come
/// from one (`capsim run <(generate-model)`); a file named inside a model may not, since a pipe
/// or a device can block or never end.
enum class Source { document, data };

std::string cannot_read(const fs::path& path, int error_number) {
  const std::string reason =
      error_number != 0 ? std::generic_category().message(error_number) : "cannot open the file";
  return "cannot read '" + path.string() + "': " + reason;
}

std::string size_text(std::uintmax_t bytes) {
  constexpr std::uintmax_t mib = 1024 * 1024;
  if (bytes % mib == 0) return std::to_string(bytes / mib) + " MiB";
  if (bytes >= mib) {
    // One decimal, rounded down, so that a file just over the limit never reads as the limit.
    const std::uintmax_t tenths = bytes * 10 / mib;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " MiB";
  }
  return std::to_string(bytes) + " bytes";
}

/// The whole file, or the reason it cannot be read. Only regular files (and, for a document,
/// pipes) are read, and never more than kMaxInputFileBytes: /dev/zero or a runaway generator
/// must not take the memory.
std::string read_text(const fs::path& path, Source source, std::string& failure) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  const fs::file_type type = status.type();
  if (type == fs::file_type::directory) {
    failure = cannot_read(path, EISDIR);
    return {};
  }
  const bool pipe_ok = source == Source::document && type == fs::file_type::fifo;
  const bool checked = type == fs::file_type::regular || pipe_ok;
  if (!checked && type != fs::file_type::not_found && type != fs::file_type::none) {
    failure = "cannot read '" + path.string() + "': expected a regular file, found " +
              std::string(file_type_name(type));
    return {};
  }
  const std::string too_large = "cannot read '" + path.string() + "': expected a file of at most " +
                                size_text(kMaxInputFileBytes) + ", found ";
  std::uintmax_t size = 0;
  if (type == fs::file_type::regular) {
    size = fs::file_size(path, ec);
    if (!ec && size > kMaxInputFileBytes) {
      failure = too_large + size_text(size);
      return {};
    }
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    failure = cannot_read(path, errno);
    return {};
  }
  std::string text;
  if (!ec) text.reserve(static_cast<std::size_t>(size));
  // In pieces, with the limit checked as it grows: the size of a pipe (or of a regular file
  // that grows while it is read, or of a /proc file) is not known in advance.
  std::string piece(64 * 1024, '\0');
  while (in) {
    in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
    text.append(piece.data(), static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxInputFileBytes) {
      failure = too_large + "more";
      return {};
    }
  }
  if (in.bad()) failure = cannot_read(path, errno);
  return text;
}

/// nlohmann's message without its "[json.exception...] parse error at line L, column C: " prefix
/// (its column is not reliable, so the position is computed from the byte offset instead).
std::string full_parse_reason(const std::string& what) {
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

/// The same with what nlohmann "last read" cut to about 40 characters (after an unterminated
/// comment or string it is the whole rest of the file), and invalid UTF-8 shown as <0xNN>.
std::string parse_reason(const std::string& what) {
  std::string reason = detail::printable_utf8(full_parse_reason(what));
  constexpr std::string_view marker = "last read: '";
  const auto start = reason.find(marker);
  if (start == std::string::npos) return reason;
  const std::size_t from = start + marker.size();
  auto end = reason.rfind("'; expected ");
  if (end == std::string::npos || end < from) end = reason.rfind('\'');
  if (end == std::string::npos || end < from) return reason;
  constexpr std::size_t limit = 40;
  if (end - from <= limit) return reason;
  std::size_t cut = from + limit - 3;
  // Not inside a UTF-8 sequence, nor inside one of nlohmann's <U+XXXX> escapes.
  while (cut > from && (static_cast<unsigned char>(reason[cut]) & 0xC0U) == 0x80U) --cut;
  if (const auto open = reason.rfind('<', cut);
      open != std::string::npos && open >= from && reason.find('>', open) >= cut) {
    cut = open;
  }
  return reason.substr(0, cut) + "..." + reason.substr(end);
}

std::string position_text(std::string_view text, std::size_t index) {
  const auto [line, column] = line_and_column(text, index);
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

/// The offset of the first '[' or '{' nested more than kMaxJsonDepth deep, if any. Strings and
/// comments are skipped exactly where nlohmann's lexer skips them (a "//" comment ends at a
/// line feed, a carriage return or a NUL), so that no bracket the parser sees is missed; after
/// a syntax error the count no longer matters, as the parser stops there.
std::optional<std::size_t> too_deep(std::string_view text) {
  std::size_t depth = 0;
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < n && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
    } else if (c == '/' && i + 1 < n && text[i + 1] == '/') {
      for (i += 2; i < n && text[i] != '\n' && text[i] != '\r' && text[i] != '\0';) ++i;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      for (i += 2; i < n && !(text[i] == '*' && i + 1 < n && text[i + 1] == '/'); ++i) {
        if (text[i] == '\0') return std::nullopt;  // the parser stops here
      }
      ++i;
    } else if (c == '[' || c == '{') {
      if (++depth > static_cast<std::size_t>(kMaxJsonDepth)) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

/// Builds the document from nlohmann's SAX events. Unlike nlohmann's own parser for
/// ordered_json, whose objects look up every new key among the previous ones (quadratic in the
/// keys of an object), it appends members and finds duplicate keys with a hash set; and it
/// refuses duplicate keys, which nlohmann would silently resolve to the last value.
class DomBuilder {
 public:
  explicit DomBuilder(Json& root) : root_(root) {}

  bool null() { return add(Json(nullptr)) != nullptr; }
  bool boolean(bool value) { return add(Json(value)) != nullptr; }
  bool number_integer(Json::number_integer_t value) { return add(Json(value)) != nullptr; }
  bool number_unsigned(Json::number_unsigned_t value) { return add(Json(value)) != nullptr; }
  bool number_float(Json::number_float_t value, const Json::string_t& /*text*/) {
    return add(Json(value)) != nullptr;
  }
  bool string(Json::string_t& value) { return add(Json(std::move(value))) != nullptr; }
  bool binary(Json::binary_t& value) { return add(Json::binary(std::move(value))) != nullptr; }
  bool start_object(std::size_t /*size*/) { return open(Json::object()); }
  bool start_array(std::size_t /*size*/) { return open(Json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(Json::string_t& name) {
    Frame& frame = frames_.back();
    if (!frame.keys.insert(name).second) {
      duplicate_key_ = true;
      throw ModelError(pointer() + child("", name),
                       "duplicate key; expected each key once in an object");
    }
    frame.key = std::move(name);
    return true;
  }
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& e) {
    error_position_ = position;
    error_token_ = token;
    throw e;
  }

  /// Where the last parse error was reported: the offset just past `error_token()`.
  std::size_t error_position() const { return error_position_; }
  const std::string& error_token() const { return error_token_; }
  /// Whether the document was refused for a key given twice (its pointer names the key).
  bool duplicate_key() const { return duplicate_key_; }

 private:
  struct Frame {
    Json* container = nullptr;
    std::string token;  ///< the container's pointer token in its parent
    std::string key;    ///< objects: the key of the member being read
    std::unordered_set<std::string> keys;
  };

  std::string pointer() const {
    std::string text;
    for (std::size_t i = 1; i < frames_.size(); ++i) text = child(text, frames_[i].token);
    return text;
  }

  Json* add(Json&& value) {
    if (frames_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Frame& frame = frames_.back();
    if (frame.container->is_array()) {
      auto& array = frame.container->get_ref<Json::array_t&>();
      array.push_back(std::move(value));
      return &array.back();
    }
    // ordered_map is a vector of pairs: appending skips its linear search for the key, which
    // key() has already ruled out with the hash set.
    auto& members = static_cast<std::vector<std::pair<const std::string, Json>>&>(
        frame.container->get_ref<Json::object_t&>());
    members.emplace_back(std::move(frame.key), std::move(value));
    return &members.back().second;
  }

  bool open(Json&& container) {
    std::string token;
    if (!frames_.empty()) {
      const Frame& parent = frames_.back();
      token = parent.container->is_array() ? std::to_string(parent.container->size()) : parent.key;
    }
    // The pre-scan refuses deeper documents with a position; this is the backstop.
    if (frames_.size() >= static_cast<std::size_t>(kMaxJsonDepth)) {
      throw ModelError(pointer(), "expected at most " + std::to_string(kMaxJsonDepth) +
                                      " levels of nested arrays and objects, found more");
    }
    Json* added = add(std::move(container));
    frames_.push_back(Frame{added, std::move(token), {}, {}});
    return true;
  }

  bool close() {
    frames_.pop_back();
    return true;
  }

  Json& root_;
  std::vector<Frame> frames_;
  std::size_t error_position_ = 0;
  std::string error_token_;
  bool duplicate_key_ = false;
};

bool is_canonical_index(const std::string& token) {
  if (token.empty() || token.size() > 18) return false;
  if (token.size() > 1 && token[0] == '0') return false;
  for (const char c : token) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

/// Parses `text` (named `source` in messages). A syntax error (anything nlohmann refuses, an
/// empty text, UTF-16) sets `*syntax_error` and returns null when `syntax_error` is given, else
/// throws; a document refused for its shape (too deep, a duplicate key) always throws.
Json parse(std::string_view text, const std::string& source, bool* syntax_error) {
  const std::string where = source.empty() ? "" : source + ": ";
  const auto refuse = [&](const std::string& message) {
    if (syntax_error == nullptr) throw ModelError("", where + message);
    *syntax_error = true;
    return Json();
  };
  if (text.size() >= 2 &&
      ((text[0] == '\xFF' && text[1] == '\xFE') || (text[0] == '\xFE' && text[1] == '\xFF'))) {
    return refuse("expected UTF-8 text, found a UTF-16 byte order mark (save the file as UTF-8)");
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return refuse(std::string("expected a JSON document, found ") +
                  (text.empty() ? "nothing (an empty file)" : "only white space"));
  }
  if (const auto deep = too_deep(text)) {
    throw ModelError("", where + "invalid JSON at " + position_text(text, *deep) +
                             ": expected at most " + std::to_string(kMaxJsonDepth) +
                             " levels of nested arrays and objects, found more");
  }
  Json doc;
  DomBuilder builder(doc);
  try {
    // Comments are allowed: model files are written by hand and the format's own examples use //.
    Json::sax_parse(text, &builder, nlohmann::detail::input_format_t::json, true, true);
  } catch (const ModelError& e) {
    // Refused for its shape (a duplicate key, the depth backstop): the pointer's place, as every
    // message about a file gives it.
    std::vector<Diagnostic> located = e.diagnostics();
    for (Diagnostic& d : located) {
      if (d.pointer.empty()) continue;
      if (const auto at = json_position(text, d.pointer, builder.duplicate_key())) {
        d.message += " (" + (source.empty() ? "" : source + ": ") + "line " +
                     std::to_string(at->first) + ", column " + std::to_string(at->second) + ")";
      }
    }
    throw ModelError(std::move(located));
  } catch (const Json::parse_error& e) {
    return refuse("invalid JSON at " + position_text(text, e.byte == 0 ? 0 : e.byte - 1) + ": " +
                  parse_reason(e.what()));
  } catch (const Json::out_of_range& e) {
    // A number beyond the range of a double (1e999): nlohmann would make it infinite.
    const std::string& token = builder.error_token();
    const std::size_t end = builder.error_position();
    const std::size_t start = end >= token.size() ? end - token.size() : 0;
    if (e.id == 406) {
      return refuse("invalid JSON at " + position_text(text, start) +
                    ": expected a number between -1.8e308 and 1.8e308, found " +
                    (token.size() > 40 ? token.substr(0, 37) + "..." : token));
    }
    return refuse("invalid JSON at " + position_text(text, start) + ": " + parse_reason(e.what()));
  } catch (const Json::exception& e) {
    return refuse("invalid JSON: " + parse_reason(e.what()));
  }
  return doc;
}

}  // namespace

namespace detail {

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

}  // namespace detail

Json parse_json(std::string_view text, const std::string& source) {
  return parse(text, source, nullptr);
}

Json read_json_file(const fs::path& path) {
  std::string failure;
  const std::string text = read_text(path, Source::document, failure);
  if (!failure.empty()) throw ModelError("", failure);
  return parse(text, path.string(), nullptr);
}

std::string read_input_file(const fs::path& path) {
  std::string failure;
  std::string text = read_text(path, Source::document, failure);
  if (!failure.empty()) throw ModelError("", failure);
  return text;
}

void apply_override(Json& doc, std::string_view assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string_view::npos) {
    throw ModelError("", "override '" + std::string(assignment) + "': expected POINTER=VALUE");
  }
  const std::string pointer(assignment.substr(0, equals));
  const std::string text(assignment.substr(equals + 1));
  bool syntax_error = false;
  Json value;
  try {
    value = parse(text, "override '" + pointer + "'", &syntax_error);
  } catch (const ModelError& e) {
    // A duplicate key inside the value: its pointer is relative to the value.
    const Diagnostic& d = e.diagnostics().front();
    if (d.pointer.empty()) throw;
    throw ModelError(pointer + d.pointer, d.message);
  }
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (syntax_error && first != std::string::npos &&
      (text[first] == '{' || text[first] == '[' || text[first] == '"')) {
    // Meant as a JSON object, array or string, but broken: say where, rather than take the
    // text as a string that the model then refuses for its type.
    parse(text, "override '" + pointer + "'", nullptr);
  }
  if (syntax_error) {
    // Not JSON: a bare string such as 10m or least_outstanding, which must be text (results
    // are written as JSON, which holds only UTF-8).
    const std::string printable = detail::printable_utf8(text);
    if (printable != text) {
      throw ModelError(pointer, "expected UTF-8 text, found \"" + printable + "\"");
    }
    value = text;
  }
  apply_override(doc, pointer, value);
}

void apply_override(Json& doc, const std::string& pointer, const Json& value) {
  const auto tokens = detail::split_pointer(pointer);
  if (!tokens) {
    throw ModelError(
        "", "override '" + pointer + "': expected a JSON Pointer such as /services/api/replicas");
  }
  Json* node = &doc;
  std::string prefix;
  for (std::size_t i = 0; i + 1 < tokens->size(); ++i) {
    const std::string& token = (*tokens)[i];
    prefix = child(prefix, token);
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
                                  "' to be an object or an array, found " + describe(*node));
  }
}

namespace detail {

bool read_lines(Reader& reader, const std::string& file, const std::string& pointer,
                const std::function<void(std::size_t, std::string_view)>& on_line) {
  const fs::path path = reader.base_dir() / file;
  std::string failure;
  const std::string text = read_text(path, Source::data, failure);
  if (!failure.empty()) {
    reader.error(pointer, failure);
    return false;
  }
  const std::string_view all = text;
  std::size_t number = 0;
  for (std::size_t start = 0; start < all.size();) {
    std::size_t end = all.find('\n', start);
    const std::size_t next = end == std::string_view::npos ? all.size() : end + 1;
    if (end == std::string_view::npos) end = all.size();
    std::string_view line = all.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    on_line(++number, line);
    start = next;
  }
  return true;
}

}  // namespace detail

}  // namespace capsim::model
