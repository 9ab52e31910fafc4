#include "capsim/report/inputs.hpp"

#include <string>

#include "input_reading.hpp"

namespace capsim::report {

// The helpers shared by the readers (input_reading.hpp).
using namespace detail;

namespace {

constexpr const char* kExpected =
    "expected the output of capsim run -o (results JSON), capsim sweep -o (CSV or JSON), "
    "capsim compare -o (JSON) or capsim size -o (JSON)";

}  // namespace

const char* input_kind_name(InputKind kind) {
  switch (kind) {
    case InputKind::results:
      return "results";
    case InputKind::sweep_csv:
      return "sweep (CSV)";
    case InputKind::sweep_json:
      return "sweep (JSON)";
    case InputKind::compare:
      return "compare";
    case InputKind::size:
      return "size";
  }
  return "";
}

InputKind detect_input(const std::string& text) {
  std::size_t start = 0;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) start = 3;  // a byte-order mark
  while (start < text.size() && (text[start] == ' ' || text[start] == '\t' || text[start] == '\n' ||
                                 text[start] == '\r')) {
    ++start;
  }
  if (start == text.size()) bad("", std::string("the file is empty; ") + kExpected);
  if (text[start] == '{' || text[start] == '[') {
    const Json j = parse_json(text);
    if (!j.is_object())
      bad("", std::string("expected a JSON object, found ") + describe(j) + "; " + kExpected);
    if (const Json* kind = member(j, "kind")) {
      const std::string k = kind->is_string() ? kind->get<std::string>() : "";
      if (k == "sweep") {
        if (!j.contains("points")) {
          bad("",
              "this is a sweep experiment, not its output: run capsim sweep EXPERIMENT -o "
              "sweep.json (or .csv) and make the report of that");
        }
        return InputKind::sweep_json;
      }
      if (k == "compare") {
        if (!j.contains("differences")) {
          bad("",
              "this is a compare experiment, not its output: run capsim compare EXPERIMENT -o "
              "compare.json and make the report of that");
        }
        return InputKind::compare;
      }
      if (k == "size") {
        const Json* services = member(j, "services");
        if (services == nullptr || !services->is_object()) {
          bad("",
              "this is a size experiment, not its output: run capsim size EXPERIMENT -o "
              "size.json and make the report of that");
        }
        return InputKind::size;
      }
      bad("/kind", "expected \"sweep\", \"compare\" or \"size\", found " + describe(*kind) + "; " +
                       kExpected);
    }
    const Json* workloads = member(j, "workloads");
    if (workloads != nullptr && workloads->is_array()) {
      bad("",
          "this is a model, not results: run capsim run MODEL -o results.json and make the "
          "report of results.json");
    }
    if (workloads != nullptr && j.contains("services")) return InputKind::results;
    bad("", std::string("found a JSON object with neither \"kind\" nor \"workloads\" and "
                        "\"services\"; ") +
                kExpected);
  }
  // CSV: look at the header only, to its first line end outside quotes (a parameter's name may
  // hold one, quoted, as the sweep writes it).
  std::size_t eol = start;
  for (bool quoted = false; eol < text.size(); ++eol) {
    if (text[eol] == '"') quoted = !quoted;
    if (!quoted && (text[eol] == '\r' || text[eol] == '\n')) break;
  }
  if (eol >= text.size()) eol = std::string::npos;
  const std::string header =
      text.substr(start, eol == std::string::npos ? std::string::npos : eol - start);
  if (header == "name,mean,ci_lo,ci_hi") {
    bad("",
        "this is capsim run's summary.csv; make the report of the results JSON instead "
        "(capsim run MODEL -o results.json)");
  }
  if (header.rfind("t,workload,service", 0) == 0) {
    bad("",
        "this is capsim run's timeseries.csv; make the report of the results JSON instead "
        "(capsim run MODEL -o results.json)");
  }
  for (const auto& [line, fields] : csv_records(header)) {
    (void)line;
    for (const std::string& f : fields) {
      if (f.ends_with(".mean")) return InputKind::sweep_csv;
    }
  }
  bad("", std::string("found neither JSON nor a sweep CSV header (NAME.mean, NAME.ci_lo, "
                      "NAME.ci_hi columns); ") +
              kExpected);
}

}  // namespace capsim::report
