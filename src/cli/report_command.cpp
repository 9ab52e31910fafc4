// capsim report INPUT -o report.html: one self-contained HTML page of a capsim output (results,
// sweep or comparison), detected by its content (docs/report.md).

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include "capsim/model/document.hpp"
#include "capsim/model/error.hpp"
#include "capsim/report/inputs.hpp"
#include "capsim/report/report.hpp"
#include "capsim/run/results_io.hpp"
#include "commands.hpp"

namespace capsim::cli {

namespace fs = std::filesystem;

int command_report(const ReportCommand& c) {
  // The same reader as every input: a regular file or a pipe, at most 64 MiB, named in messages.
  std::string text;
  try {
    text = model::read_input_file(c.input);
  } catch (const model::ModelError& e) {
    std::cerr << "capsim: " << e.what() << '\n';
    return kBadInput;
  }
  std::error_code ec;
  if (fs::exists(c.output, ec) && fs::equivalent(c.input, c.output, ec)) {
    std::cerr << "capsim: -o " << c.output << ": expected another file than the input\n";
    return kBadInput;
  }
  const fs::path out_path(c.output);
  if (fs::is_directory(out_path, ec)) {
    std::cerr << "capsim: -o " << c.output << ": expected a file name, found a directory\n";
    return kBadInput;
  }
  report::ReportOptions options;
  options.source = fs::path(c.input).filename().string();
  std::string html;
  report::InputKind kind{};
  try {
    kind = report::detect_input(text);
    html = report::build_report(text, options);
  } catch (const model::ModelError& e) {
    // A results or experiment output (JSON): where its pointer is.
    model::SourcePositions positions;
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && (text[first] == '{' || text[first] == '[')) {
      positions.source = c.input;
      positions.json_text = std::make_shared<const std::string>(text);
    }
    // A duplicate key comes placed (its second occurrence) by the parser.
    const bool placed = std::string_view(e.what()).find(" (line ") != std::string_view::npos;
    std::cerr << "capsim: " << c.input << ": " << (placed ? e : model::locate(e, positions)).what()
              << '\n';
    return kBadInput;
  }
  run::write_file_atomic(out_path, html);
  if (!c.quiet) {
    std::size_t charts = 0;
    for (std::size_t at = html.find("<svg class=\"chart\""); at != std::string::npos;
         at = html.find("<svg class=\"chart\"", at + 1)) {
      ++charts;
    }
    std::cout << "report of " << c.input << " (" << report::input_kind_name(kind) << ", " << charts
              << " chart" << (charts == 1 ? "" : "s") << ") written to " << c.output << '\n';
  }
  return 0;
}

}  // namespace capsim::cli
