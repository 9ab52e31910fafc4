#pragma once
/// \file Reading a model or experiment document by path, as JSON or YAML (the same keys, the
/// same checks), and naming the line and column of a JSON Pointer in a YAML file.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"

namespace capsim::model {

/// A YAML document may expand (aliases expanded) to at most its size in bytes plus this many
/// values: without aliases every value takes at least a byte of text, so only aliases can pass
/// the limit, and a few lines of anchors and aliases can otherwise stand for billions of values
/// ("billion laughs").
inline constexpr std::size_t kYamlAliasAllowance = 100'000;

/// 1-based line and column (columns in characters, not bytes) of the byte at `index` of `text`.
std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t index);

/// Where the value at `pointer` is in `text`, a JSON text that has been parsed (comments
/// allowed): its line and column, or those of the deepest value on the pointer's path that the
/// text has (a missing key is reported where its object is). With `duplicate_key`, the place of
/// the second key named by the pointer's last token. None for a malformed pointer or empty text.
/// Reads the text from its start: meant for messages, not for every value.
std::optional<std::pair<std::size_t, std::size_t>> json_position(std::string_view text,
                                                                 const std::string& pointer,
                                                                 bool duplicate_key = false);

/// Where the values of a document are (1-based line and column of each JSON Pointer): for YAML
/// recorded while it is read (`at`), for JSON found in its text when a message asks
/// (`json_text`). Empty for a document that came from no file.
struct SourcePositions {
  std::string source;  ///< the file's name, as messages show it
  std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> at;
  std::shared_ptr<const std::string> json_text;  ///< JSON: the text the document was read from

  /// The position of `pointer`, or of its longest prefix that has one (a missing key is reported
  /// where its object is); none when nothing is known.
  std::optional<std::pair<std::size_t, std::size_t>> find(const std::string& pointer) const;
};

/// A parsed document and, for YAML, where its values are.
struct Document {
  Json json;
  SourcePositions positions;
};

enum class DocumentFormat { json, yaml };

/// YAML for a name ending in .yaml or .yml, JSON for .json; otherwise JSON when the first
/// character that is not white space (after a byte order mark) is '{', '[' or '/', else YAML.
DocumentFormat document_format(const std::filesystem::path& path, std::string_view text);

/// Parses one YAML document (YAML 1.2 core schema: plain `10` is an integer, `1.5` a number,
/// `true` a boolean, `~` or nothing null, anything else and every quoted scalar a string) into the
/// JSON value with the same keys. Refuses with ModelError naming `source`, the line and column: a
/// syntax error, more than one document, nesting deeper than kMaxJsonDepth, more than
/// more values after aliases are
/// expanded than the text has bytes plus kYamlAliasAllowance, a key given twice, a key that is not
/// a scalar, a number that is not finite (.inf, .nan, 1e999), an unknown tag. Fills `positions`
/// when given.
Json parse_yaml(std::string_view text, const std::string& source,
                SourcePositions* positions = nullptr);

/// The same for a stream of documents separated by `---` (Kubernetes manifests); empty
/// documents are skipped. `positions`, when given, gets one entry per document returned.
std::vector<Json> parse_yaml_stream(std::string_view text, const std::string& source,
                                    std::vector<SourcePositions>* positions = nullptr);

/// What a file that is not a regular file is, for messages: "a character device", "a pipe"...
std::string_view file_type_name(std::filesystem::file_type type);

/// The whole text of an input file named on the command line (a regular file or a pipe, at most
/// kMaxInputFileBytes). Throws ModelError naming the path when it cannot be read.
std::string read_input_file(const std::filesystem::path& path);

/// Reads a model or experiment file as JSON or YAML (document_format): the one way the commands
/// (run, validate, analyze, sweep, size, compare) read the document they are given.
Document read_document(const std::filesystem::path& path);

/// load_file from a document already read from `path` (a pipe can be read only once): the
/// overrides applied, the model loaded, its errors located, an unnamed model named after `path`.
Spec load_document(Document document, const std::filesystem::path& path,
                   const std::vector<std::string>& overrides);

/// `error` with each diagnostic's message followed by " (SOURCE: line L, column C)" where
/// `positions` knows the place of its pointer; unchanged without positions. A diagnostic at or
/// under the pointer of one of `overrides` ("POINTER=VALUE", applied to the document after it
/// was read) is about that value, not the file's: it says " (given on the command line:
/// POINTER=VALUE)" instead.
ModelError locate(const ModelError& error, const SourcePositions& positions,
                  const std::vector<std::string>& overrides = {});

}  // namespace capsim::model
