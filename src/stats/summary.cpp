#include "capsim/stats/summary.hpp"

namespace capsim::stats {

std::string Metric::dotted() const {
  std::string out;
  for (const std::string& p : path) {
    if (!out.empty()) out += '.';
    out += p;
  }
  return out;
}

}  // namespace capsim::stats
