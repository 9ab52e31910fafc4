#pragma once
/// \file The bad-input contract of a model file, checked the same way by every input test: both
/// `capsim run` (asked for results and CSV) and `capsim validate` exit 2 with exactly one line,
/// `capsim: MESSAGE`, print nothing on stdout, and write nothing.

#include <string>
#include <vector>

#include "cli_support.hpp"

namespace capsim::cli_test {

/// Runs `run MODEL -o results.json --csv csv` and `validate MODEL` in `box` and expects each to
/// refuse `model` with `message` (docs/hardening.md).
inline void expect_model_refused(Sandbox& box, const fs::path& model, const std::string& message) {
  constexpr int kBadInputExit = 2;  // docs/hardening.md: bad input exits 2
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"run", model.string(), "-o", "results.json", "--csv", "csv"},
        std::vector<std::string>{"validate", model.string()}}) {
    const RunResult r = box.run(args);
    EXPECT_EQ(r.status, kBadInputExit) << r;
    // A value of the file is named by its pointer and its line and column.
    bool placed = false;
    EXPECT_EQ(without_file_position(r.err, model, &placed), "capsim: " + message + "\n") << r;
    EXPECT_TRUE(placed) << "no line and column for a pointer" << r;
    EXPECT_EQ(r.out, "") << r;
    EXPECT_TRUE(box.entries().empty()) << "files written on bad input" << r;
  }
}

}  // namespace capsim::cli_test
