#pragma once
// A progress bar on stderr, shown only on a terminal and only once a command has lasted a
// second: "[#########.....................]  31%  points 5/16  1m 20s left".

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <string>

namespace capsim::cli {

class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled && isatty(STDERR_FILENO)) {}
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// `fraction` of the work done (0..1); `detail` is shown after the percentage.
  void update(double fraction, const std::string& detail = {}) {
    if (!enabled_) return;
    std::lock_guard lock(mutex_);
    const double elapsed = seconds();
    if (elapsed < 1.0) return;
    shown_ = true;
    fraction = std::clamp(fraction, 0.0, 1.0);
    const int width = 30;
    const int filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<std::size_t>(std::clamp(filled, 0, width)), '#');
    bar.resize(width, '.');
    std::string left = "";
    if (fraction > 0.01)
      left = "  " + duration_text(elapsed * (1.0 - fraction) / fraction) + " left";
    std::string line = "\r[" + bar + "] " + percent_text(fraction);
    if (!detail.empty()) line += "  " + detail;
    line += left;
    const std::size_t shown = line.size();
    if (shown < last_width_) line += std::string(last_width_ - shown, ' ');
    last_width_ = shown;
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
  }
  /// Removes the bar (before anything else is printed).
  void clear() {
    std::lock_guard lock(mutex_);
    if (!shown_) return;
    std::fprintf(stderr, "\r%*s\r", static_cast<int>(last_width_), "");
    std::fflush(stderr);
    shown_ = false;
    last_width_ = 0;
  }

 private:
  static std::string percent_text(double fraction) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%3.0f%%", fraction * 100.0);
    return buffer;
  }
  static std::string duration_text(double s) {
    char buffer[32];
    if (s < 60) {
      std::snprintf(buffer, sizeof buffer, "%.0fs", s);
    } else if (s < 3600) {
      std::snprintf(buffer, sizeof buffer, "%dm %02ds", static_cast<int>(s / 60),
                    static_cast<int>(std::fmod(s, 60.0)));
    } else {
      std::snprintf(buffer, sizeof buffer, "%dh %02dm", static_cast<int>(s / 3600),
                    static_cast<int>(std::fmod(s, 3600.0) / 60));
    }
    return buffer;
  }
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  bool enabled_;
  bool shown_ = false;
  std::size_t last_width_ = 0;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace capsim::cli
