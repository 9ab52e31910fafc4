#include "capsim/report/report.hpp"

#include "capsim/model/error.hpp"

namespace capsim::report {

std::string build_report(const std::string& text, const ReportOptions& options) {
  switch (detect_input(text)) {
    case InputKind::results:
      return results_report(parse_results(text), options);
    case InputKind::sweep_csv:
      return sweep_report(parse_sweep_csv(text), options);
    case InputKind::sweep_json:
      return sweep_report(parse_sweep_json(text), options);
    case InputKind::compare:
      return compare_report(parse_compare(text), options);
    case InputKind::size:
      return size_report(parse_size(text), options);
  }
  throw model::ModelError("", "unknown input");
}

}  // namespace capsim::report
