// A sweep's parameters (a list of values or a range) and its points (their product or zip).

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <set>

#include "capsim/run/experiment.hpp"
#include "experiment_reader.hpp"

namespace capsim::run {

namespace detail {

namespace {

/// A number as JSON: an integer when it is one (so "replicas": 3, not 3.0), else the double
/// rounded to 12 significant digits (so a range gives 0.3, not 0.30000000000000004).
Json number_value(double x) {
  if (x == std::floor(x) && std::fabs(x) < 9e15) return Json(static_cast<std::int64_t>(x));
  std::array<char, 32> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.12g", x);
  const double rounded = std::stod(buffer.data());
  // 100 + 9 x (1000 - 100) / 9 can land a hair off 1000: once rounded, it is a whole number.
  if (rounded == std::floor(rounded) && std::fabs(rounded) < 9e15) {
    return Json(static_cast<std::int64_t>(rounded));
  }
  return Json(rounded);
}

std::vector<Json> read_range(const Json& range, const std::string& at, Problems& problems) {
  std::vector<Json> values;
  if (!range.is_object()) {
    problems.expected(at, R"({ "from": 100, "to": 2000, "steps": 20 })", range);
    return values;
  }
  problems.check_keys(range, at, {"from", "to", "steps"});
  std::optional<double> from, to;
  std::optional<long long> steps;
  for (const char* key : {"from", "to"}) {
    const std::string p = child(at, key);
    if (!range.contains(key)) {
      problems.missing(p, "a number");
    } else if (!range[key].is_number()) {
      problems.expected(p, "a number", range[key]);
    } else {
      (std::string_view(key) == "from" ? from : to) = range[key].get<double>();
    }
  }
  if (!range.contains("steps")) {
    problems.missing(child(at, "steps"), "the number of values, from 2 to 100000");
  } else {
    steps = problems.integer(range["steps"], child(at, "steps"), 2, 100000);
  }
  if (!from || !to || !steps) return values;
  for (long long k = 0; k < *steps; ++k) {
    const double t = static_cast<double>(k) / static_cast<double>(*steps - 1);
    const double x = k == 0 ? *from : k == *steps - 1 ? *to : *from + (*to - *from) * t;
    values.push_back(number_value(x));
  }
  return values;
}

}  // namespace

std::vector<SweepParameter> read_parameters(const Json& list, Problems& problems) {
  std::vector<SweepParameter> out;
  const std::string pointer = "/parameters";
  if (!list.is_array() || list.empty()) {
    problems.expected(pointer, "a non-empty list of parameters", list);
    return out;
  }
  std::set<std::string> pointers;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Json& item = list[i];
    const std::string at = child(pointer, i);
    if (!item.is_object()) {
      problems.expected(
          at, R"({ "pointer": ..., "values": [...] } or { "pointer": ..., "range": {...} })", item);
      continue;
    }
    problems.check_keys(item, at, {"pointer", "values", "range", "name"});
    SweepParameter p;
    p.source = at;
    bool ok = true;
    if (const auto target = read_pointer(item, at, "/workloads/0/rate", problems); !target) {
      ok = false;
    } else {
      p.pointer = *target;
      if (!pointers.insert(p.pointer).second) {
        problems.error(child(at, "pointer"),
                       "expected each pointer once, found " + describe(item["pointer"]) + " again");
        ok = false;
      }
    }
    if (item.contains("name")) {
      if (const auto name = problems.string(item["name"], child(at, "name"), "a column name")) {
        p.name = *name;
      }
    }
    if (p.name.empty()) p.name = p.pointer;
    const bool has_values = item.contains("values");
    const bool has_range = item.contains("range");
    if (has_values && has_range) {
      problems.error(at, "expected either values or range, found both");
      ok = false;
    } else if (has_values) {
      const Json& values = item["values"];
      if (!values.is_array() || values.empty()) {
        problems.expected(child(at, "values"), "a non-empty list of values", values);
        ok = false;
      } else {
        p.values.assign(values.begin(), values.end());
      }
    } else if (has_range) {
      p.values = read_range(item["range"], child(at, "range"), problems);
      p.from_range = true;
      ok = ok && !p.values.empty();
    } else {
      problems.missing(child(at, "values"), R"(a list of values (or a "range"))");
      ok = false;
    }
    if (ok) out.push_back(std::move(p));
  }
  return out;
}

bool make_points(Experiment& e, Problems& problems) {
  if (e.combine == Combine::zip) {
    const std::size_t n = e.parameters.front().values.size();
    bool same = true;
    for (const SweepParameter& p : e.parameters) {
      if (p.values.size() != n) {
        problems.error(p.source, "expected " + std::to_string(n) +
                                     " values (zip pairs the parameters' values by position), "
                                     "found " +
                                     std::to_string(p.values.size()));
        same = false;
      }
    }
    if (!same) return false;
    for (std::size_t k = 0; k < n; ++k) {
      e.points.emplace_back(e.parameters.size(), k);
    }
    return true;
  }
  double count = 1.0;
  for (const SweepParameter& p : e.parameters) count *= static_cast<double>(p.values.size());
  if (count > 100000.0) {
    problems.error("/parameters", "expected at most 100000 points, found " +
                                      std::to_string(static_cast<long long>(count)));
    return false;
  }
  std::vector<std::size_t> choice(e.parameters.size(), 0);
  while (true) {
    e.points.push_back(choice);
    std::size_t i = e.parameters.size();
    while (i > 0) {
      --i;
      if (++choice[i] < e.parameters[i].values.size()) break;
      choice[i] = 0;
      if (i == 0) {
        i = e.parameters.size() + 1;  // done
        break;
      }
    }
    if (i == e.parameters.size() + 1) break;
  }
  return true;
}

Override value_override(const SweepParameter& p, std::size_t value) {
  return {p.pointer, p.values[value],
          p.from_range ? child(p.source, "range") : child(child(p.source, "values"), value),
          child(p.source, "pointer")};
}

}  // namespace detail

std::vector<Override> Experiment::point_overrides(std::size_t point) const {
  std::vector<Override> out;
  const std::vector<std::size_t>& choice = points.at(point);
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    out.push_back(detail::value_override(parameters[i], choice[i]));
  }
  return out;
}

}  // namespace capsim::run
