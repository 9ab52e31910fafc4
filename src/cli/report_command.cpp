// capsim report INPUT -o report.html: one self-contained HTML page of a capsim output (results,
// sweep or comparison), detected by its content (docs/report.md).

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "capsim/model/error.hpp"
#include "capsim/report/inputs.hpp"
#include "capsim/report/report.hpp"
#include "capsim/run/results_io.hpp"
#include "commands.hpp"

namespace capsim::cli {

namespace fs = std::filesystem;

int command_report(const ReportCommand& c) {
  std::ifstream in(c.input, std::ios::binary);
  if (!in) {
    std::cerr << "capsim: cannot read '" << c.input << "': " << std::strerror(errno) << '\n';
    return kBadInput;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    std::cerr << "capsim: cannot read '" << c.input << "'\n";
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
    kind = report::detect_input(text.str());
    html = report::build_report(text.str(), options);
  } catch (const model::ModelError& e) {
    std::cerr << "capsim: " << c.input << ": " << e.what() << '\n';
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
