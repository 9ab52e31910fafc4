#include "capsim/model/error.hpp"

namespace capsim::model {

namespace {

std::string join_texts(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const Diagnostic& diagnostic : diagnostics) {
    if (!text.empty()) text += '\n';
    text += diagnostic.text();
  }
  return text;
}

}  // namespace

std::string Diagnostic::text() const {
  if (pointer.empty()) return message;
  return pointer + ": " + message;
}

ModelError::ModelError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join_texts(diagnostics)), diagnostics_(std::move(diagnostics)) {}

}  // namespace capsim::model
