#pragma once
/// \file Model loading: parse -> overrides -> defaults -> validation -> Spec.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "capsim/model/spec.hpp"

namespace capsim::model {

using Json = nlohmann::ordered_json;

/// The deepest nesting of arrays and objects a document may have (a model needs about 12).
/// Deeper documents are refused before they are parsed: nothing downstream has to guard its
/// recursion.
inline constexpr int kMaxJsonDepth = 256;

/// The largest file read: a model, an experiment, a trace or a file of samples.
inline constexpr std::uintmax_t kMaxInputFileBytes = std::uintmax_t{64} * 1024 * 1024;

/// The most diagnostics one ModelError lists: a last one says how many more were found.
inline constexpr std::size_t kMaxDiagnostics = 100;

/// Parses JSON text as a model or experiment file holds it: comments allowed, a UTF-8 byte order
/// mark skipped. Refuses, with ModelError, a syntax error (pointer "", a message naming `source`
/// and the line and column), UTF-16 text, an empty text, nesting deeper than kMaxJsonDepth
/// (with the line and column), and a key given twice in one object (the key's pointer, and
/// " (SOURCE: line L, column C)" of its second occurrence; " (line L, column C)" when `source`
/// is empty: a caller that names the text itself).
Json parse_json(std::string_view text, const std::string& source);

/// Reads and parses a JSON file (parse_json, named by its path). Throws ModelError when the file
/// cannot be read, is not a regular file or a pipe, or is larger than kMaxInputFileBytes.
Json read_json_file(const std::filesystem::path& path);

/// Applies one override "POINTER=VALUE" to `doc`: VALUE is parsed as JSON (parse_json), and if
/// that fails with a syntax error it is taken as a bare string (unless it starts with {, [ or ",
/// then the syntax error is thrown). The pointer's parent must exist (an
/// object gains a new key; an array index may be one past the end or "-" to append). Throws
/// ModelError naming the pointer.
void apply_override(Json& doc, std::string_view assignment);

/// Same with the pointer and value already split.
void apply_override(Json& doc, const std::string& pointer, const Json& value);

/// Builds a Spec from a parsed model: fills defaults and validates everything, collecting every
/// problem before throwing one ModelError that lists them all (in document order; past
/// kMaxDiagnostics, a last line counts the rest). A document nested deeper than kMaxJsonDepth,
/// or holding a number that is not finite (1e999 parses as infinity), is refused first, alone.
/// `base_dir` resolves relative file names (traces, empirical samples), which must name regular
/// files of at most kMaxInputFileBytes.
Spec load(const Json& doc, const std::filesystem::path& base_dir);

/// Whether warning `d` of a Spec says that a workload's profile peaks after the run's end: a
/// concern of a simulation of the model as written, not of an analysis at its peak.
bool warns_of_unreached_peak(const Diagnostic& d);

/// When `d` refuses the warm-up for a duration that --duration `flag` set, the advice to add
/// to its message ("; the duration is --duration 1m: give a longer --duration, ..."); else "".
std::string duration_flag_hint(const Diagnostic& d, const std::optional<std::string>& flag);

/// read_json_file + apply_override for each of `overrides` + load.
Spec load_file(const std::filesystem::path& path, const std::vector<std::string>& overrides = {});

}  // namespace capsim::model
