// capsim import traces: a model skeleton from OTLP or Jaeger JSON spans (src/import/traces.cpp).

#include <CLI/CLI.hpp>

#include <iostream>

#include "capsim/import/traces.hpp"
#include "capsim/model/document.hpp"
#include "import_commands.hpp"

namespace capsim::cli {

CLI::App* add_import_traces_command(CLI::App& import, ImportTracesCommand& c) {
  CLI::App* traces = import.add_subcommand(
      "traces",
      "OTLP JSON or Jaeger JSON spans -> a model: services, call graph, fitted self "
      "times, arrival rates");
  traces->add_option("input", c.input, "spans: OTLP JSON (resourceSpans) or Jaeger JSON (data)")
      ->required();
  traces->add_option("-o,--output", c.output, "write the model (JSON) to this file");
  return traces;
}

int command_import_traces(const ImportTracesCommand& c) {
  const model::Document document = model::read_document(c.input);
  import::Fragment fragment;
  try {
    std::vector<std::string> notes;
    fragment = import::import_traces(import::read_trace_spans(document.json, &notes));
    fragment.warnings.insert(fragment.warnings.begin(), notes.begin(), notes.end());
  } catch (const model::ModelError& e) {
    // A refusal of the whole file ("no span") has no place in it: name the file instead.
    std::vector<model::Diagnostic> named = e.diagnostics();
    for (model::Diagnostic& d : named) {
      if (d.pointer.empty()) d.message = c.input + ": " + d.message;
    }
    throw model::locate(model::ModelError(std::move(named)), document.positions);
  }
  for (const std::string& w : fragment.warnings) std::cerr << "note: " << w << '\n';
  const std::string text = fragment.model.dump(2) + "\n";
  if (c.output.empty()) {
    std::cout << text;
  } else {
    write_whole(c.output, text);
  }
  return 0;
}

}  // namespace capsim::cli
