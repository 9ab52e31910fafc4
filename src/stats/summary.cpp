#include "capsim/stats/summary.hpp"

namespace capsim::stats {

std::string dotted(const std::vector<std::string>& path) {
  std::string out;
  for (const std::string& p : path) {
    if (!out.empty()) out += '.';
    out += p;
  }
  return out;
}

std::string Metric::dotted() const {
  return stats::dotted(path);
}

}  // namespace capsim::stats
