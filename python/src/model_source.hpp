#pragma once
// Where the Python module's models and experiments come from: a file, or a document given as text
// (a Python dict arrives as its JSON text).

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "capsim/model/document.hpp"

namespace capsim::python {

struct Source {
  nlohmann::ordered_json doc;
  /// The file it was read from; empty for text.
  std::filesystem::path file;
  /// Where relative file names in it (traces, samples, an experiment's model) are resolved: the
  /// file's folder, or the current directory for text.
  std::filesystem::path base_dir;
  /// Where its values are, so that messages name the line and column as the command line's do
  /// (model::locate).
  model::SourcePositions positions;
};

/// Reads a model or experiment document: the file at `source` (`is_text` false), or `source`
/// itself as a document. The one place that parses what Python users hand over: a reader of
/// JSON or YAML (files by model::read_document, text by its first character). Throws
/// model::ModelError as the command line does.
Source read_source(const std::string& source, bool is_text);

}  // namespace capsim::python
