/// \file Bands of the time series across replications (replications.hpp): per window, the
/// least and greatest value of each banded column over the replications.

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "capsim/run/replications.hpp"

namespace capsim::run {

namespace {

/// The value of banded column `c` in `row` (rps is always defined).
std::optional<double> banded_value(const stats::TimeSeriesRow& row, std::size_t c) {
  switch (c) {
    case 0:
      return row.rps;
    case 1:
      return row.error_rate;
    case 2:
      return row.p50_ms;
    case 3:
      return row.p95_ms;
    case 4:
      return row.p99_ms;
    case 5:
      return row.cpu_utilization;
    default:
      return row.queue_length;
  }
}

}  // namespace

const std::vector<std::string>& banded_columns() {
  static const std::vector<std::string> columns{
      "rps", "error_rate", "p50_ms", "p95_ms", "p99_ms", "cpu_utilization", "queue_length"};
  return columns;
}

std::vector<TimeSeriesBand> timeseries_bands(const std::vector<stats::Summary>& summaries) {
  std::vector<TimeSeriesBand> bands;
  if (summaries.empty()) return bands;
  const std::vector<stats::TimeSeriesRow>& first = summaries.front().timeseries;
  const std::size_t columns = banded_columns().size();
  // Rows are matched by window and owner: a replication may lack a window (none is expected,
  // but nothing here relies on every replication having the same rows in the same order).
  using Key = std::tuple<double, std::string, std::string>;
  std::map<Key, std::size_t> index;
  for (std::size_t i = 0; i < first.size(); ++i) {
    index.emplace(Key{first[i].t_s, first[i].workload, first[i].service}, i);
  }
  bands.assign(first.size(), TimeSeriesBand{std::vector<std::optional<double>>(columns),
                                            std::vector<std::optional<double>>(columns)});
  for (const stats::Summary& s : summaries) {
    for (const stats::TimeSeriesRow& row : s.timeseries) {
      const auto it = index.find(Key{row.t_s, row.workload, row.service});
      if (it == index.end()) continue;
      TimeSeriesBand& band = bands[it->second];
      for (std::size_t c = 0; c < columns; ++c) {
        const std::optional<double> v = banded_value(row, c);
        if (!v || !std::isfinite(*v)) continue;
        band.min[c] = band.min[c] ? std::min(*band.min[c], *v) : *v;
        band.max[c] = band.max[c] ? std::max(*band.max[c], *v) : *v;
      }
    }
  }
  return bands;
}

}  // namespace capsim::run
