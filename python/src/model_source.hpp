#pragma once
// Where the Python module's models and experiments come from: a file, or a document given as text
// (a Python dict arrives as its JSON text).

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace capsim::python {

struct Source {
  nlohmann::ordered_json doc;
  /// The file it was read from; empty for text.
  std::filesystem::path file;
  /// Where relative file names in it (traces, samples, an experiment's model) are resolved: the
  /// file's folder, or the current directory for text.
  std::filesystem::path base_dir;
};

/// Reads a model or experiment document: the file at `source` (`is_text` false), or `source`
/// itself as a document. The one place that parses what Python users hand over: a reader of
/// other formats (YAML) takes its place here. Throws model::ModelError as the command line does.
Source read_source(const std::string& source, bool is_text);

}  // namespace capsim::python
