#pragma once
/// \file The one error type for bad input (rule 5 of docs/architecture.md).

#include <stdexcept>
#include <string>
#include <vector>

namespace capsim::model {

/// What a diagnostic is about, where a command treats some apart (most are `general`).
enum class DiagnosticKind : unsigned char {
  general,
  /// A run that ends before its rate or users profile peaks (analyze, which analyses the peak,
  /// does not repeat it).
  unreached_peak,
};

/// One problem in a model, experiment or override: where (a JSON Pointer, "" for the whole
/// document) and what, phrased "expected X, found Y" or with a suggestion.
struct Diagnostic {
  std::string pointer;
  std::string message;
  DiagnosticKind kind = DiagnosticKind::general;
  /// "POINTER: MESSAGE" (or just MESSAGE when the pointer is empty).
  std::string text() const;
};

/// Thrown by loading and validation with every diagnostic found, in document order.
/// what() is the diagnostics' text() joined by newlines.
class ModelError : public std::runtime_error {
 public:
  explicit ModelError(std::vector<Diagnostic> diagnostics);
  ModelError(std::string pointer, std::string message)
      : ModelError(std::vector<Diagnostic>{
            {std::move(pointer), std::move(message), DiagnosticKind::general}}) {}
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace capsim::model
