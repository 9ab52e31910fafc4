#pragma once
// Did-you-mean for mistyped command-line options (flag_suggestions.cpp).

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace capsim::cli {

/// After a parse error: when the command line holds an option that neither `app` nor its
/// chosen command takes, one line naming it, the command, and the closest option the command
/// takes ("capsim run: unknown option '--replication'; did you mean '--replications'?"), or
/// the options it takes when none is close. Nothing when every option is known.
std::optional<std::string> unknown_option_message(CLI::App& app, int argc, char** argv);

/// One line in capsim's style for any other parse error: the command, the option, what it takes
/// and what it was given ("capsim run: --seed: expected a non-negative integer, found 'abc'
/// (capsim run --help says more)"), a missing argument, a missing kind of import.
std::string parse_error_message(CLI::App& app, const CLI::ParseError& e, int argc, char** argv);

/// For unsigned options (seeds, budgets): CLI11 reads "-1" into an unsigned number as its
/// wrap-around (a seed of 18446744073709551615); this refuses it.
inline CLI::Validator non_negative_integer() {
  return CLI::Validator(
      [](std::string& text) {
        const auto first = text.find_first_not_of(" \t");
        if (first != std::string::npos && text[first] == '-') {
          return "expected a non-negative integer, found " + text;
        }
        return std::string();
      },
      "", "");
}

}  // namespace capsim::cli
