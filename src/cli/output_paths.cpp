// Output paths checked before the run (output_paths.hpp).

#include "output_paths.hpp"

#include <unistd.h>

#include <filesystem>

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

}  // namespace

void check_output_file(const std::string& flag, const std::string& path) {
  if (path.empty()) return;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    refuse(flag, path, "expected a file name, found a folder");
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

}  // namespace capsim::cli
