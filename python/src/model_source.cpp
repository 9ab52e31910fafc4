#include "model_source.hpp"

#include "capsim/model/load.hpp"

namespace capsim::python {

Source read_source(const std::string& source, bool is_text) {
  Source s;
  if (is_text) {
    s.doc = model::parse_json(source, "<string>");
    s.base_dir = std::filesystem::current_path();
  } else {
    s.file = source;
    s.doc = model::read_json_file(s.file);
    s.base_dir = s.file.parent_path();
  }
  return s;
}

}  // namespace capsim::python
