/// \file Loading a model with the values that command-line flags set (--set, --seed,
/// --replications, --duration), and messages that name the flag when a flag's value is at fault.

#include <optional>
#include <string>
#include <vector>

#include "capsim/model/document.hpp"
#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "commands.hpp"

namespace capsim::cli {

namespace {

/// `load` (which reads the model), with a warm-up that --duration's value leaves too long
/// reported as the flag's doing.
template <class Load>
model::Spec named_for_flags(const Load& load, const std::optional<std::string>& duration_flag) {
  try {
    return load();
  } catch (const model::ModelError& e) {
    if (!duration_flag) throw;
    // The file's warm-up is fine with the file's duration: it is the flag's duration that it
    // does not fit, and the message would otherwise point at a line that is not wrong.
    std::vector<model::Diagnostic> diagnostics = e.diagnostics();
    bool named = false;
    for (model::Diagnostic& d : diagnostics) {
      const std::string hint = model::duration_flag_hint(d, duration_flag);
      d.message += hint;
      named = named || !hint.empty();
    }
    if (!named) throw;
    throw model::ModelError(std::move(diagnostics));
  }
}

}  // namespace

model::Spec load_with_flags(const std::string& path, const std::vector<std::string>& overrides,
                            const std::optional<std::string>& duration_flag) {
  return named_for_flags([&] { return model::load_file(path, overrides); }, duration_flag);
}

model::Spec load_document_with_flags(const model::Document& document, const std::string& path,
                                     const std::vector<std::string>& overrides,
                                     const std::optional<std::string>& duration_flag) {
  return named_for_flags([&] { return model::load_document(document, path, overrides); },
                         duration_flag);
}

model::Spec load_check_with_flags(const model::Json& doc, const std::filesystem::path& base_dir,
                                  const model::SourcePositions& positions,
                                  const std::vector<std::string>& overrides,
                                  const std::optional<std::string>& duration_flag) {
  return named_for_flags(
      [&] {
        try {
          return model::load(doc, base_dir);
        } catch (const model::ModelError& e) {
          throw model::locate(e, positions, overrides);
        }
      },
      duration_flag);
}

}  // namespace capsim::cli
