/// \file The cheapest configuration of several settings that meets the SLO (`size` with
/// `settings`, size_sizer.hpp). More capacity is assumed never to hurt (the SLO's feasible set
/// is monotone): (1) each setting's minimum with the others at their max bounds every feasible
/// configuration from below (one search per setting, as `services` sizes one); (2) the box
/// between those minima and the max is searched in order of cost, skipping every configuration
/// with no more of any setting than one that failed; the first that passes is the cheapest.
/// Each candidate runs beside a probe above it (halfway in cost to the best known), so that a
/// cheap setting's whole line is ruled out by one failure instead of walked value by value, and
/// the best known comes down by halves.
/// Every decision uses the same replications (common random numbers) and the confidence rule
/// of the one-setting search.

#include <algorithm>
#include <cmath>
#include <functional>

#include "experiment_output.hpp"
#include "size_sizer.hpp"

namespace capsim::run::detail {

namespace {

/// The box is enumerated whole up to this many configurations; above, on a grid.
constexpr double kMaxBox = 200000.0;

/// Whether `a` has no more of any setting than `b`.
bool below(const Counts& a, const Counts& b) {
  for (const auto& [name, n] : a) {
    if (n > b.at(name)) return false;
  }
  return true;
}

}  // namespace

double Sizer::cost(const Counts& counts) const {
  double total = 0.0;
  for (const Setting& z : e_.sized) total += z.price_per_unit * counts.at(z.name);
  return total;
}

SizeConfiguration Sizer::configuration(const SizeEvaluation& ev) const {
  const Counts counts(ev.counts.begin(), ev.counts.end());
  SizeConfiguration c;
  for (const Setting& z : e_.sized) c.values.emplace_back(z.name, counts.at(z.name));
  c.cost = cost(counts);
  c.evaluation = ev;
  return c;
}

void Sizer::cheapest(const model::Spec& spec, SizeResult& result) {
  CheapestSizing out;
  Counts all_max;
  for (const Setting& z : e_.sized) all_max[z.name] = z.max;

  // Every configuration run so far, in the order decided.
  const auto evaluated = [&] {
    std::vector<SizeConfiguration> all;
    for (const ServiceSizing& s : result.services) {
      for (const SizeEvaluation& ev : s.evaluations) all.push_back(configuration(ev));
    }
    return all;
  };
  // (1) Each setting's minimum with the others at their max.
  Counts lo;
  bool lower_confident = true;
  for (const Setting& z : e_.sized) {
    ServiceSizing sizing = size_one(spec, z, all_max);
    const bool answered = sizing.replicas.has_value();
    if (answered) lo[z.name] = *sizing.replicas;
    lower_confident = lower_confident && (!sizing.at_one_fewer || sizing.at_one_fewer->confident);
    result.services.push_back(std::move(sizing));
    if (!answered) {
      out.confident = false;
      out.notes.push_back(result.services.back().bound_by.empty()
                              ? "no configuration meets the SLO: not even every setting at its max"
                              : "no configuration meets the SLO: it is bound by " +
                                    result.services.back().bound_by +
                                    ", which no setting sizes (see the note of " + z.name + ")");
      out.evaluations = evaluated();
      result.cheapest = std::move(out);
      return;
    }
  }
  out.evaluations = evaluated();

  // The cheapest configuration known to pass so far (each setting's answer passes).
  std::optional<SizeEvaluation> best;
  std::vector<Counts> failed;
  for (const auto& [k, ev] : decided_) {
    const Counts c(ev.counts.begin(), ev.counts.end());
    if (!ev.met) {
      failed.push_back(c);
    } else if (!best || cost(c) < cost(Counts(best->counts.begin(), best->counts.end()))) {
      best = ev;
    }
  }
  double best_cost = cost(Counts(best->counts.begin(), best->counts.end()));

  // (2) The box [lo, max], on a grid when it is too large to list (every setting's minimum and
  // max stay on it), cheaper than the best known.
  std::vector<std::vector<int>> grid(e_.sized.size());
  double box = 1.0;
  for (const Setting& z : e_.sized) box *= z.max - lo.at(z.name) + 1;
  std::vector<int> stride(e_.sized.size(), 1);
  const auto grid_size = [&] {
    double n = 1.0;
    for (std::size_t i = 0; i < e_.sized.size(); ++i) {
      const int range = e_.sized[i].max - lo.at(e_.sized[i].name);
      n *= range / stride[i] + 1 + (range % stride[i] != 0 ? 1 : 0);
    }
    return n;
  };
  while (grid_size() > kMaxBox) {
    // Coarsen the setting with the most values on the grid.
    std::size_t widest = 0;
    double most = 0.0;
    for (std::size_t i = 0; i < e_.sized.size(); ++i) {
      const double values = (e_.sized[i].max - lo.at(e_.sized[i].name)) / stride[i] + 1.0;
      if (values > most) {
        most = values;
        widest = i;
      }
    }
    if (most <= 2.0) break;  // every setting down to its minimum and max
    stride[widest] *= 2;
  }
  for (std::size_t i = 0; i < e_.sized.size(); ++i) {
    const Setting& z = e_.sized[i];
    for (int v = lo.at(z.name); v <= z.max; v += stride[i]) grid[i].push_back(v);
    if (grid[i].back() != z.max) grid[i].push_back(z.max);
  }
  const bool thinned = grid_size() < box;
  if (thinned) {
    out.exact = false;
    std::string strides;
    for (std::size_t i = 0; i < e_.sized.size(); ++i) {
      if (stride[i] > 1) {
        strides += (strides.empty() ? "" : ", ") + e_.sized[i].name + " every " +
                   std::to_string(stride[i]);
      }
    }
    out.notes.push_back("the box above the per-setting minima holds " + short_number(box) +
                        " configurations: searched on a grid of " + short_number(grid_size()) +
                        " (" + strides + "); a cheaper configuration off the grid may exist");
  }
  // The configurations cheaper than the best known, cheapest first (ties: fewer of the first
  // setting, then the next).
  std::vector<std::pair<double, Counts>> candidates;
  std::vector<double> cheapest_rest(e_.sized.size() + 1, 0.0);
  for (std::size_t i = e_.sized.size(); i-- > 0;) {
    cheapest_rest[i] = cheapest_rest[i + 1] + e_.sized[i].price_per_unit * grid[i].front();
  }
  Counts current;
  const std::function<void(std::size_t, double)> list = [&](std::size_t i, double so_far) {
    if (i == e_.sized.size()) {
      if (so_far < best_cost - 1e-9 * std::max(1.0, best_cost)) {
        candidates.emplace_back(so_far, current);
      }
      return;
    }
    for (const int v : grid[i]) {
      const double c = so_far + e_.sized[i].price_per_unit * v;
      if (c + cheapest_rest[i + 1] >= best_cost) break;  // dearer values only dearer
      current[e_.sized[i].name] = v;
      list(i + 1, c);
    }
  };
  list(0, 0.0);
  std::stable_sort(candidates.begin(), candidates.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    for (const Setting& z : e_.sized) {
      if (a.second.at(z.name) != b.second.at(z.name)) {
        return a.second.at(z.name) < b.second.at(z.name);
      }
    }
    return false;
  });

  const auto ruled_out = [&](const Counts& c) {
    return std::any_of(failed.begin(), failed.end(), [&](const Counts& f) { return below(c, f); });
  };
  // Each candidate is run together with a probe: the candidate raised, cheapest setting first,
  // by half its cost gap to the best known. A probe that fails rules out everything below it (a
  // whole line of a cheap setting at once); one that passes is a cheaper best (the gap halves).
  std::vector<std::size_t> by_price(e_.sized.size());
  for (std::size_t i = 0; i < by_price.size(); ++i) by_price[i] = i;
  std::stable_sort(by_price.begin(), by_price.end(), [&](std::size_t a, std::size_t b) {
    return e_.sized[a].price_per_unit < e_.sized[b].price_per_unit;
  });
  const auto probe = [&](Counts c) {
    // Half the gap to the best known: a pass halves the gap, a failure rules out below it.
    double left = 0.5 * (best_cost - cost(c)) - 1e-9 * std::max(1.0, best_cost);
    for (const std::size_t i : by_price) {
      const Setting& z = e_.sized[i];
      const double room = std::floor(left / z.price_per_unit);  // may be huge: compare first
      const int to =
          room >= z.max - c.at(z.name) ? z.max : c.at(z.name) + std::max(0, static_cast<int>(room));
      left -= (to - c.at(z.name)) * z.price_per_unit;
      c[z.name] = to;
    }
    return c;
  };
  int runs = 0;
  bool search_confident = true;
  std::optional<SizeEvaluation> found;
  for (std::size_t next = 0; !found && next < candidates.size(); ++next) {
    const auto& [c_cost, c] = candidates[next];
    if (c_cost >= best_cost - 1e-9 * std::max(1.0, best_cost)) break;  // none cheaper is left
    if (ruled_out(c)) {
      ++out.ruled_out;
      continue;
    }
    if (runs >= e_.max_configurations) {
      out.exact = false;
      out.notes.push_back("the search stopped after " + std::to_string(runs) +
                          " configurations (max_configurations); the answer is the cheapest "
                          "found to meet the SLO, a cheaper one may exist");
      break;
    }
    std::vector<Counts> batch{c};
    const Counts up = probe(c);
    if (up != c && !decided_.count(key(up)) && runs + 1 < e_.max_configurations) {
      batch.push_back(up);
    }
    runs += static_cast<int>(batch.size());
    const std::vector<SizeEvaluation> evs = decide(spec, e_.sized.front().name, batch);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      out.evaluations.push_back(configuration(evs[i]));
      if (!evs[i].met) {
        failed.push_back(batch[i]);
        search_confident = search_confident && evs[i].confident;
      } else if (i == 0) {
        found = evs[i];  // the cheapest candidate left passes: the answer
      } else if (cost(batch[i]) < best_cost) {
        best = evs[i];
        best_cost = cost(batch[i]);
      }
    }
  }
  if (!found) found = best;
  out.answer = configuration(*found);
  out.confident = found->confident && lower_confident && search_confident;
  if (!out.confident) {
    out.notes.push_back("uncertain: a decision the answer rests on is not confident at " +
                        percent(e_.confidence) + " after " + std::to_string(e_.max_replications) +
                        " replications (max_replications); the answer follows the means");
  }
  // The next cheapest that met the SLO, and the dearest cheaper ones that failed.
  std::vector<SizeConfiguration> all;
  for (const auto& [k, ev] : decided_) all.push_back(configuration(ev));
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.cost < b.cost; });
  for (const SizeConfiguration& c : all) {
    if (c.values == out.answer->values) continue;
    if (c.evaluation.met && c.cost >= out.answer->cost && out.runners_up.size() < 2) {
      out.runners_up.push_back(c);
    }
  }
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (!it->evaluation.met && it->cost < out.answer->cost && out.cheaper_failed.size() < 2) {
      out.cheaper_failed.push_back(*it);
    }
  }
  result.cheapest = std::move(out);
}

}  // namespace capsim::run::detail
