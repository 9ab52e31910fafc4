// capsim import: model fragments from k6 options (src/import/).

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "capsim/import/k6.hpp"
#include "capsim/model/document.hpp"
#include "import_commands.hpp"

namespace capsim::cli {

void write_whole(const std::string& path, const std::string& text) {
  const std::filesystem::path target(path);
  const std::filesystem::path temporary = target.string() + ".partial";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(temporary, ec);
      throw std::runtime_error("cannot write '" + path + "'");
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, target, ec);
  if (ec) {  // nothing half-written is left behind
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw std::runtime_error("cannot write '" + path + "': " + ec.message());
  }
}

CLI::App* add_import_command(CLI::App& app, ImportCommand& c, CLI::App*& k6) {
  CLI::App* command = app.add_subcommand(
      "import",
      "model fragments from what teams already have: k6 options, Kubernetes manifests, traces");
  command->require_subcommand(1);
  k6 = command->add_subcommand(
      "k6", "k6 options (k6 inspect output or a --config JSON) -> workloads, duration and SLO");
  k6->add_option("input", c.input, "k6 options: JSON (or YAML)")->required();
  k6->add_option("--target", c.target, "the service the workloads call (default api)");
  k6->add_option("-o,--output", c.output, "write the fragment (JSON) to this file");
  return command;
}

int command_import_k6(const ImportCommand& c) {
  // A script is what teams have; its options are what this reads (it was parsed as YAML).
  const std::string extension = std::filesystem::path(c.input).extension().string();
  if (extension == ".js" || extension == ".mjs" || extension == ".ts") {
    throw model::ModelError("", c.input +
                                    ": expected k6 options as JSON or YAML, found a script "
                                    "(`k6 inspect " +
                                    c.input + "` prints its options as JSON: import that)");
  }
  const model::Document document = model::read_document(c.input);
  import::Fragment fragment;
  try {
    fragment = import::import_k6(document.json, c.target);
  } catch (const model::ModelError& e) {
    throw model::locate(e, document.positions);
  }
  for (const std::string& w : fragment.warnings) std::cerr << "warning: " << w << '\n';
  const std::string text = fragment.model.dump(2) + "\n";
  if (c.output.empty()) {
    std::cout << text;
  } else {
    write_whole(c.output, text);
  }
  return 0;
}

}  // namespace capsim::cli
