#pragma once
/// \file Model loading: parse -> overrides -> defaults -> validation -> Spec.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "capsim/model/spec.hpp"

namespace capsim::model {

using Json = nlohmann::ordered_json;

/// Reads and parses a JSON file. Throws ModelError: pointer "" and a message naming the file and
/// the line and column of a syntax error, or saying the file cannot be read.
Json read_json_file(const std::filesystem::path& path);

/// Applies one override "POINTER=VALUE" to `doc`: VALUE is parsed as JSON, and if that fails it is
/// taken as a bare string. The pointer's parent must exist (an object gains a new key; an array
/// index may be one past the end or "-" to append). Throws ModelError naming the pointer.
void apply_override(Json& doc, std::string_view assignment);

/// Same with the pointer and value already split.
void apply_override(Json& doc, const std::string& pointer, const Json& value);

/// Builds a Spec from a parsed model: fills defaults and validates everything, collecting every
/// problem before throwing one ModelError that lists them all (in document order).
/// `base_dir` resolves relative file names (traces, empirical samples).
Spec load(const Json& doc, const std::filesystem::path& base_dir);

/// read_json_file + apply_override for each of `overrides` + load.
Spec load_file(const std::filesystem::path& path, const std::vector<std::string>& overrides = {});

}  // namespace capsim::model
