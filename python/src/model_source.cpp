#include "model_source.hpp"

#include <memory>

#include "capsim/model/document.hpp"
#include "capsim/model/load.hpp"

namespace capsim::python {

Source read_source(const std::string& source, bool is_text) {
  Source s;
  if (is_text) {
    // Text is JSON or YAML by its first character, as a file without a telling extension is.
    if (model::document_format({}, source) == model::DocumentFormat::yaml) {
      s.doc = model::parse_yaml(source, "<string>", &s.positions);
    } else {
      s.doc = model::parse_json(source, "<string>");
      s.positions.source = "<string>";
      s.positions.json_text = std::make_shared<const std::string>(source);
    }
    s.base_dir = std::filesystem::current_path();
  } else {
    s.file = source;
    model::Document document = model::read_document(s.file);
    s.doc = std::move(document.json);
    s.positions = std::move(document.positions);
    s.base_dir = s.file.parent_path();
  }
  return s;
}

}  // namespace capsim::python
