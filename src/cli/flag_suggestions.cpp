// Did-you-mean for mistyped command-line options (flag_suggestions.hpp).

#include "flag_suggestions.hpp"

#include <algorithm>
#include <vector>

#include "capsim/model/diagnostics.hpp"

namespace capsim::cli {

namespace {

/// "--name" and "-n" for every option of `cmd`.
std::vector<std::string> option_names(const CLI::App& cmd) {
  std::vector<std::string> names;
  for (const CLI::Option* o : cmd.get_options()) {
    for (const std::string& l : o->get_lnames()) names.push_back("--" + l);
    for (const std::string& s : o->get_snames()) names.push_back("-" + s);
  }
  return names;
}

/// The command the command line names (and its own command: import k6, import k8s, ...):
/// nullptr when none; `path` its words ("import k6"), `first` the index of the first argument
/// after them.
CLI::App* named_command(CLI::App& app, int argc, char** argv, std::string& path, int& first) {
  CLI::App* cmd = nullptr;
  first = 1;
  for (CLI::App* parent = &app; first < argc;) {
    CLI::App* found = nullptr;
    for (CLI::App* sub : parent->get_subcommands({})) {
      if (sub->get_name() == argv[first]) found = sub;
    }
    if (found == nullptr) break;
    cmd = found;
    path += (path.empty() ? "" : " ") + found->get_name();
    parent = found;
    ++first;
  }
  return cmd;
}

/// What CLI11's type name of an option's value means.
std::string expected_value(const std::string& type_name) {
  if (type_name == "UINT") return "a non-negative integer";
  if (type_name == "INT") return "an integer";
  if (type_name == "FLOAT") return "a number";
  if (type_name == "N") return "a whole number";  // capsim's name for a count
  return "a value of type " + type_name;
}

}  // namespace

std::string parse_error_message(CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
  std::string path;
  int first = 1;
  CLI::App* cmd = named_command(app, argc, argv, path, first);
  const std::string who = "capsim" + (path.empty() ? "" : " " + path);
  const std::string help = " (" + who + " --help says more)";
  std::string what = e.what();
  // "Could not convert: --seed = abc": name the option, what it takes and what it was given.
  const std::string convert = "Could not convert: ";
  if (dynamic_cast<const CLI::ConversionError*>(&e) != nullptr && what.rfind(convert, 0) == 0) {
    const std::string rest = what.substr(convert.size());
    const std::size_t eq = rest.find(" = ");
    if (eq != std::string::npos) {
      const std::string name = rest.substr(0, eq);
      const std::string value = rest.substr(eq + 3);
      std::string expected = "a value it takes";
      if (cmd != nullptr) {
        if (const CLI::Option* o = cmd->get_option_no_throw(name)) {
          expected = expected_value(o->get_type_name());
        }
      }
      return who + ": " + name + ": expected " + expected + ", found '" + value + "'" + help;
    }
  }
  // "--replications: Value 2.5 not in range 2 to 100000".
  const std::size_t value_at = what.find(": Value ");
  const std::size_t range_at = what.find(" not in range ");
  const std::size_t to_at = what.find(" to ", range_at == std::string::npos ? 0 : range_at);
  if (value_at != std::string::npos && range_at != std::string::npos &&
      to_at != std::string::npos && value_at < range_at) {
    const std::string name = what.substr(0, value_at);
    const std::string value = what.substr(value_at + 8, range_at - value_at - 8);
    const std::string from = what.substr(range_at + 14, to_at - range_at - 14);
    const std::string to = what.substr(to_at + 4);
    return who + ": " + name + ": expected a number from " + from + " to " + to + ", found '" +
           value + "'" + help;
  }
  // "model is required", "A subcommand is required", "--output is required".
  if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    if (what == "A subcommand is required") {
      const CLI::App& parent = cmd != nullptr ? *cmd : app;
      std::vector<std::string> subs;
      for (const CLI::App* sub : parent.get_subcommands({})) subs.push_back(sub->get_name());
      std::string list;
      for (std::size_t k = 0; k < subs.size(); ++k) list += (k > 0 ? ", " : "") + subs[k];
      const std::string given = first < argc ? " found '" + std::string(argv[first]) + "'" : "";
      return who + ": expected one of: " + list + (given.empty() ? "" : ";" + given) + help;
    }
    const std::string suffix = " is required";
    if (what.size() > suffix.size() && what.ends_with(suffix)) {
      const std::string name = what.substr(0, what.size() - suffix.size());
      return who + ": " + name + " is required" + help;
    }
  }
  return who + ": " + what + help;
}

std::optional<std::string> unknown_option_message(CLI::App& app, int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  // The command, and its own command where it has them (import k6, import k8s, import traces).
  std::string path;
  int first = 1;
  CLI::App* cmd = named_command(app, argc, argv, path, first);
  if (cmd == nullptr) return std::nullopt;
  std::vector<std::string> known = option_names(*cmd);
  for (const CLI::App* above = cmd->get_parent(); above != nullptr; above = above->get_parent()) {
    for (const std::string& n : option_names(*above)) known.push_back(n);
  }
  std::vector<std::string> own;  // suggested: the command's long options
  for (const std::string& n : option_names(*cmd)) {
    if (n.rfind("--", 0) == 0) own.push_back(n);
  }
  for (int i = first; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    // A negative number is a value, not an option.
    if (std::isdigit(static_cast<unsigned char>(arg[1])) || arg[1] == '.') continue;
    std::string name = arg.substr(0, arg.find('='));
    // "-q" and "-o" are short options; "-qv" (joined short flags) is left to CLI11.
    if (name.rfind("--", 0) != 0 && name.size() > 2) continue;
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string text = "capsim " + path + ": unknown option '" + name + "'";
    const std::string hint = model::did_you_mean(name, own);
    if (!hint.empty()) return text + hint;
    text += "; expected one of: ";
    for (std::size_t k = 0; k < own.size(); ++k) {
      if (k > 0) text += ", ";
      text += own[k];
    }
    return text + " (capsim " + path + " --help says more)";
  }
  return std::nullopt;
}

}  // namespace capsim::cli
