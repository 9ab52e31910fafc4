#pragma once
// Helpers shared by the end-to-end tests: run the real capsim binary in a fresh temporary
// directory, capture its stdout, stderr and exit status, and read what it wrote.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_paths.hpp"

namespace capsim::cli_test {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

inline fs::path source_dir() {
  return fs::path(capsim::test::source_dir_path());
}
inline fs::path capsim_binary() {
  return fs::path(capsim::test::capsim_binary_path());
}
/// The example models shipped in models/.
inline fs::path example_model(const std::string& file) {
  return source_dir() / "models" / file;
}
/// The bad-input fixtures in tests/cli/models/.
inline fs::path fixture(const std::string& file) {
  return source_dir() / "tests" / "cli" / "models" / file;
}

inline std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read '" + path.string() + "'");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write '" + path.string() + "'");
  out << text;
}

inline Json read_json(const fs::path& path) {
  return Json::parse(read_text(path));
}

/// `message` without the " (FILE: line L, column C)" that names where in `file` each of its
/// lines' values is; `*placed` (when given) says whether every line that starts with a JSON
/// Pointer ("capsim: /...") had one. The place itself is checked where it is the subject
/// (model_json_positions_test.cpp and the tests that name one).
inline std::string without_file_position(const std::string& message, const fs::path& file,
                                         bool* placed = nullptr) {
  const std::string head = " (" + file.string() + ": line ";
  std::string out;
  bool all = true;
  std::istringstream in(message);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    const auto at = line.rfind(head);
    bool found = false;
    if (at != std::string::npos) {
      const auto comma = line.find(", column ", at + head.size());
      const auto close = comma == std::string::npos ? comma : line.find(')', comma);
      if (close != std::string::npos) {
        line.erase(at, close + 1 - at);
        found = true;
      }
    }
    if (!found && line.rfind("capsim: /", 0) == 0 &&
        line.rfind("capsim: " + file.string() + ":", 0) != 0) {
      all = false;  // a pointer, not the file's own name (an absolute path)
    }
    out += (first ? "" : "\n") + line;
    first = false;
  }
  if (!message.empty() && message.back() == '\n') out += '\n';
  if (placed != nullptr) *placed = all;
  return out;
}

/// The lines of a text, without their line ends; a final empty line is dropped.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

/// One CSV line split at commas (capsim's CSV names and values contain no commas or quotes).
inline std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

/// What one run of the binary did.
struct RunResult {
  std::string command;  // for failure messages
  int status = -1;      // exit status; 128 + signal when killed
  bool timed_out = false;
  std::string out;
  std::string err;
  double wall_seconds = 0.0;
};

inline std::ostream& operator<<(std::ostream& os, const RunResult& r) {
  os << "\n$ " << r.command << "\nexit status " << r.status << (r.timed_out ? " (timed out)" : "")
     << "\n--- stdout ---\n"
     << r.out << "--- stderr ---\n"
     << r.err << "---";
  return os;
}

inline std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_of(" \t\n'\"\\$`*?[]{}()<>|&;!#~") == std::string::npos) return s;
  std::string q = "'";
  for (const char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

/// A fresh, empty directory per test, removed afterwards. capsim runs in `work()`; its stdout
/// and stderr go to files beside it, so that `work()` holds only what capsim (or the test) wrote.
class Sandbox {
 public:
  Sandbox() {
    static std::atomic<unsigned> counter{0};
    std::string test = "test";
    if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
      test = std::string(info->test_suite_name()) + "." + info->name();
      std::replace_if(
          test.begin(), test.end(),
          [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
    }
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    for (int attempt = 0;; ++attempt) {
      root_ = fs::temp_directory_path() /
              ("capsim-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
               std::to_string(stamp) + "-" + test.substr(0, 80));
      if (fs::create_directory(root_)) break;
      if (attempt > 100) throw std::runtime_error("cannot create a temporary directory");
    }
    fs::create_directory(work());
    fs::create_directory(root_ / "io");
  }
  ~Sandbox() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  /// The working directory of every run.
  fs::path work() const { return root_ / "work"; }
  /// A path inside the working directory.
  fs::path operator/(const std::string& name) const { return work() / name; }

  /// The names of the entries of the working directory, sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(work())) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  /// Runs `capsim ARGS...` in work(), with stdin from /dev/null, and waits for it (killing it
  /// after `timeout`).
  RunResult run(const std::vector<std::string>& args,
                std::chrono::seconds timeout = std::chrono::seconds(120)) {
    RunResult r;
    std::vector<std::string> argv_s{capsim_binary().string()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    r.command = "cd ";
    r.command += shell_quote(work().string());
    r.command += " &&";
    for (const auto& a : argv_s) {
      r.command += ' ';
      r.command += shell_quote(a);
    }
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);

    const int id = runs_++;
    const std::string out_path = (root_ / "io" / ("stdout-" + std::to_string(id))).string();
    const std::string err_path = (root_ / "io" / ("stderr-" + std::to_string(id))).string();
    const std::string cwd = work().string();

    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      // Only async-signal-safe calls between fork and exec.
      if (::chdir(cwd.c_str()) != 0) ::_exit(126);
      const int in = ::open("/dev/null", O_RDONLY);
      const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in < 0 || out < 0 || err < 0) ::_exit(126);
      if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(126);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    int wstatus = 0;
    for (;;) {
      const pid_t done = ::waitpid(pid, &wstatus, WNOHANG);
      if (done == pid) break;
      if (done < 0 && errno != EINTR) throw std::runtime_error("waitpid failed");
      if (std::chrono::steady_clock::now() - start > timeout) {
        r.timed_out = true;
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &wstatus, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    r.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (WIFEXITED(wstatus)) {
      r.status = WEXITSTATUS(wstatus);
    } else if (WIFSIGNALED(wstatus)) {
      r.status = 128 + WTERMSIG(wstatus);
    }
    r.out = read_text(out_path);
    r.err = read_text(err_path);
    return r;
  }

 private:
  fs::path root_;
  int runs_ = 0;
};

/// Options that keep a run of any example model short: one simulated minute after a 10 s
/// warm-up, two replications, at most two threads.
inline std::vector<std::string> quick_options() {
  return {"--duration",     "60s", "--set",     "/simulation/warmup=10s",
          "--replications", "2",   "--threads", "2"};
}

/// `capsim run MODEL` with quick_options() and `extra`; an option of quick_options() that
/// `extra` gives too (--replications 3, --threads 1) is left to `extra` (capsim refuses an
/// option given twice).
inline std::vector<std::string> quick_run(const fs::path& model,
                                          const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"run", model.string()};
  const auto quick = quick_options();
  for (std::size_t i = 0; i + 1 < quick.size(); i += 2) {
    if (quick[i] != "--set" && std::find(extra.begin(), extra.end(), quick[i]) != extra.end()) {
      continue;
    }
    args.push_back(quick[i]);
    args.push_back(quick[i + 1]);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

/// The example models (models/*.json), listed when the test binary starts, sorted.
inline std::vector<std::string> example_models() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(source_dir() / "models", ec)) {
    if (e.is_regular_file() && e.path().extension() == ".json") {
      files.push_back(e.path().filename().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// A test name made of a file name: letters and digits kept, anything else '_'.
inline std::string test_name_of(const std::string& file) {
  std::string name = fs::path(file).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

/// quick_run() for a model file whatever it holds: a model without a "simulation" object gets
/// one (an override of a missing parent would be refused).
inline std::vector<std::string> quick_run_model(const fs::path& model,
                                                const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = quick_run(model, extra);
  if (!Json::parse(read_text(model)).contains("simulation")) {
    const auto it = std::find(args.begin(), args.end(), "/simulation/warmup=10s");
    *it = R"(/simulation={"warmup": "10s"})";
  }
  return args;
}

/// The names of a model's workloads (in order) and services (in file order).
inline std::vector<std::string> workload_names(const Json& model) {
  std::vector<std::string> names;
  for (const auto& w : model.at("workloads")) names.push_back(w.at("name").get<std::string>());
  return names;
}
inline std::vector<std::string> service_names(const Json& model) {
  std::vector<std::string> names;
  for (const auto& [name, _] : model.at("services").items()) names.push_back(name);
  return names;
}

inline bool is_estimate_object(const Json& j) {
  return j.is_object() && j.size() == 3 && j.contains("mean") && j.contains("ci") &&
         j.contains("n");
}

/// `j` is an estimate {mean, ci, n} over `n` replications: a number, a confidence interval
/// [lo, hi] around it (null with one replication).
inline ::testing::AssertionResult is_estimate(const Json& j, int n) {
  if (!is_estimate_object(j)) {
    return ::testing::AssertionFailure() << "not an estimate {mean, ci, n}: " << j.dump();
  }
  if (!j["mean"].is_number()) return ::testing::AssertionFailure() << "mean not a number: " << j;
  if (!j["n"].is_number_integer() || j["n"].get<int>() != n) {
    return ::testing::AssertionFailure() << "expected n = " << n << ": " << j.dump();
  }
  const auto& ci = j["ci"];
  if (n == 1) {
    if (!ci.is_null()) return ::testing::AssertionFailure() << "ci should be null: " << j.dump();
    return ::testing::AssertionSuccess();
  }
  if (!ci.is_array() || ci.size() != 2 || !ci[0].is_number() || !ci[1].is_number()) {
    return ::testing::AssertionFailure() << "ci is not [lo, hi]: " << j.dump();
  }
  const double mean = j["mean"].get<double>();
  const double lo = ci[0].get<double>();
  const double hi = ci[1].get<double>();
  const double slack = 1e-9 * (1.0 + std::abs(mean));
  if (!std::isfinite(mean) || !(lo <= mean + slack) || !(mean <= hi + slack)) {
    return ::testing::AssertionFailure() << "mean outside its ci: " << j.dump();
  }
  return ::testing::AssertionSuccess();
}

/// Calls `f(pointer, estimate)` for every estimate anywhere in `j`.
template <typename F>
void for_each_estimate(const Json& j, const std::string& pointer, F&& f) {
  if (is_estimate_object(j)) {
    f(pointer, j);
    return;
  }
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) for_each_estimate(value, pointer + "/" + key, f);
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) {
      for_each_estimate(j[i], pointer + "/" + std::to_string(i), f);
    }
  }
}

/// The results text with "performance" (wall-clock timings) removed, re-serialised in the
/// document's own key order.
inline std::string without_performance(const std::string& results_text) {
  Json j = Json::parse(results_text);
  j.erase("performance");
  return j.dump(2);
}

}  // namespace capsim::cli_test
