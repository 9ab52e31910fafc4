/// \file Writing files whole or not at all (write_file_atomic, write_files_atomic). Declared in
/// capsim/run/results_io.hpp.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "capsim/run/results_io.hpp"

namespace capsim::run {

namespace {

/// Writes `content` into a new temporary file next to `path`; returns the temporary's name.
std::string write_temporary(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  // Built piecewise: GCC 12 warns falsely (-Wrestrict) about "literal" + std::string.
  std::string name(".");
  name += path.filename().string();
  name += ".XXXXXX";
  std::string tmpl = (dir / name).string();
  const int fd = mkstemp(tmpl.data());
  if (fd < 0) {
    throw std::runtime_error("cannot write '" + path.string() + "': " + std::strerror(errno));
  }
  const char* p = content.data();
  std::size_t left = content.size();
  bool ok = true;
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  int saved = errno;
  if (ok && ::fsync(fd) != 0) {
    ok = false;
    saved = errno;
  }
  ::close(fd);
  if (!ok) {
    std::remove(tmpl.c_str());
    throw std::runtime_error("cannot write '" + path.string() + "': " + std::strerror(saved));
  }
  // mkstemp creates the file 0600; give it the usual permissions.
  std::filesystem::permissions(
      tmpl, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                std::filesystem::perms::group_read | std::filesystem::perms::others_read);
  return tmpl;
}

}  // namespace

void write_files_atomic(const std::vector<std::pair<std::filesystem::path, std::string>>& files) {
  std::vector<std::string> temporaries;
  try {
    for (const auto& [path, content] : files) temporaries.push_back(write_temporary(path, content));
  } catch (...) {
    for (const std::string& t : temporaries) std::remove(t.c_str());
    throw;
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (std::rename(temporaries[i].c_str(), files[i].first.c_str()) != 0) {
      const int e = errno;
      for (std::size_t k = i; k < files.size(); ++k) std::remove(temporaries[k].c_str());
      throw std::runtime_error("cannot write '" + files[i].first.string() +
                               "': " + std::strerror(e));
    }
  }
}

void write_file_atomic(const std::filesystem::path& path, const std::string& content) {
  write_files_atomic({{path, content}});
}
}  // namespace capsim::run
