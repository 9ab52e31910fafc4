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

}  // namespace capsim::cli
