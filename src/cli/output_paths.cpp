// Output paths checked before the run (output_paths.hpp).

#include "output_paths.hpp"

#include <unistd.h>

#include <filesystem>
#include <utility>
#include <vector>

#include "capsim/model/document.hpp"
#include "capsim/model/error.hpp"

namespace capsim::cli {

namespace fs = std::filesystem;
using model::ModelError;

namespace {

[[noreturn]] void refuse(const std::string& flag, const std::string& path, const std::string& why) {
  throw ModelError("", flag + " " + path + ": " + why + "; nothing was run");
}

/// `dir` exists: it must be a folder this process may create files in.
void check_writable_folder(const std::string& flag, const std::string& path, const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    refuse(flag, path, "expected a folder at '" + dir.string() + "', found a file");
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    refuse(flag, path, "the folder '" + dir.string() + "' cannot be written");
  }
}

/// Whether `a` and `b` name the same file (the same path, or the same existing file).
bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  const fs::path x = fs::absolute(a, ec).lexically_normal();
  const fs::path y = fs::absolute(b, ec).lexically_normal();
  if (x == y) return true;
  return fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec);
}

}  // namespace

void check_output_file(const std::string& flag, const std::string& path) {
  if (path.empty()) return;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    refuse(flag, path, "expected a file name, found a folder");
  }
  // Outputs are written beside and renamed over their name: that would replace a device (as
  // root, -o /dev/null replaced the system's /dev/null), a pipe or a link with a regular file.
  const fs::file_status status = fs::symlink_status(path, ec);
  if (status.type() == fs::file_type::symlink) {
    refuse(flag, path,
           "expected a regular file, found a symbolic link (name the file it points to)");
  }
  if (fs::exists(status) && status.type() != fs::file_type::regular) {
    refuse(flag, path,
           "expected a regular file, found " + std::string(model::file_type_name(status.type())) +
               " (leave -o out to write no file)");
  }
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::exists(dir, ec)) {
    refuse(flag, path, "the folder '" + dir.string() + "' does not exist (create it first)");
  }
  check_writable_folder(flag, path, dir);
}

void check_output_folder(const std::string& flag, const std::string& path) {
  if (path.empty()) return;
  std::error_code ec;
  if (fs::exists(path, ec)) {
    check_writable_folder(flag, path, path);
    return;
  }
  // capsim creates the missing folders: the nearest one that exists must take them.
  fs::path dir = fs::path(path).parent_path();
  while (!dir.empty() && !fs::exists(dir, ec)) dir = dir.parent_path();
  if (dir.empty()) dir = ".";
  check_writable_folder(flag, path, dir);
}

void check_distinct_files(const std::vector<std::pair<std::string, std::string>>& outputs,
                          const std::vector<std::string>& inputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const auto& [flag, path] = outputs[i];
    if (path.empty()) continue;
    for (const std::string& input : inputs) {
      if (!input.empty() && same_file(path, input)) {
        refuse(flag, path, "expected another file than the input " + input);
      }
    }
    for (std::size_t j = i + 1; j < outputs.size(); ++j) {
      if (!outputs[j].second.empty() && same_file(path, outputs[j].second)) {
        refuse(flag, path, "expected another file than " + outputs[j].first + "'s");
      }
    }
  }
}

}  // namespace capsim::cli
