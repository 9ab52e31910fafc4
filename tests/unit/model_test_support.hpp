#pragma once
// Fixtures shared by the model loader's tests (model_*_test.cpp): small valid models, the
// diagnostics of loading a document, and a temporary folder for the files a test writes.

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "capsim/model/spec.hpp"

namespace model_test {

using capsim::model::Json;
namespace fs = std::filesystem;

/// A small valid model: one open workload on a service with one endpoint of one work step.
inline Json minimal_model() {
  return Json::parse(R"({
    "workloads": [ { "name": "w", "target": "api", "rate": 10 } ],
    "services": { "api": { "steps": [ { "work": "5ms" } ] } }
  })");
}

/// Two services: api.get does work, then calls db (step 1); api.put does work; the workload
/// sends to api.get.
inline Json two_services() {
  return Json::parse(R"({
    "workloads": [ { "name": "w", "target": "api", "endpoint": "get", "rate": 10 } ],
    "services": {
      "api": { "endpoints": {
        "get": { "steps": [ { "work": "1ms" }, { "call": "db" } ] },
        "put": { "steps": [ { "work": "2ms" } ] } } },
      "db": { "steps": [ { "work": "3ms" } ] }
    }
  })");
}

/// Loads `doc`, with file names relative to `base`.
inline capsim::model::Spec load(const Json& doc, const fs::path& base = {}) {
  return capsim::model::load(doc, base);
}

/// The diagnostics' texts of loading `doc`, or an empty list when it loads.
inline std::vector<std::string> errors(const Json& doc, const fs::path& base = {}) {
  try {
    capsim::model::load(doc, base);
  } catch (const capsim::model::ModelError& e) {
    std::vector<std::string> texts;
    for (const auto& d : e.diagnostics()) texts.push_back(d.text());
    return texts;
  }
  return {};
}

/// The diagnostics of loading `doc` joined by newlines: the single one, "" if it loads.
inline std::string error(const Json& doc, const fs::path& base = {}) {
  std::string joined;
  for (const auto& t : errors(doc, base)) joined += (joined.empty() ? "" : "\n") + t;
  return joined;
}

/// A fresh folder under the system temporary directory for files a test writes, removed with
/// what it holds when the test ends.
class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(fs::temp_directory_path() / "capsim-model-tests" / name) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  fs::path write(const std::string& file, const std::string& text) const {
    std::ofstream(path_ / file) << text;
    return path_ / file;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace model_test
