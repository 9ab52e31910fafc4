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

}  // namespace

std::optional<std::string> unknown_option_message(CLI::App& app, int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  // The command, and its own command where it has them (import k6, import k8s, import traces).
  CLI::App* cmd = nullptr;
  std::string path;
  int first = 1;
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
