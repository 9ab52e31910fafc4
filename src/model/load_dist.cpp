#include <algorithm>
#include <cmath>
#include <limits>

#include "capsim/dist/duration.hpp"
#include "loader.hpp"

namespace capsim::model::detail {

namespace {

using dist::DistSpec;

/// The standard normal quantile at 0.99, for fitting a lognormal to (p50, p99).
constexpr double z_99 = 2.3263478740408408;

/// How far the probabilities of a hyperexponential may sum away from 1 before normalisation.
constexpr double probability_sum_tolerance = 1e-6;

struct DistKind {
  std::string_view name;
  std::vector<Names> parameter_sets;
};

/// The distributions of docs/model-format.md and the parameter sets each accepts.
const std::vector<DistKind>& dist_kinds() {
  static const std::vector<DistKind> kinds = {
      {"constant", {{"value"}}},
      {"exponential", {{"mean"}}},
      {"uniform", {{"min", "max"}}},
      {"erlang", {{"k", "mean"}}},
      {"gamma", {{"mean", "cv"}, {"shape", "scale"}}},
      {"lognormal", {{"mean", "cv"}, {"p50", "p99"}, {"mu", "sigma"}}},
      {"weibull", {{"shape", "scale"}}},
      {"pareto", {{"shape", "scale"}}},
      {"hyperexponential", {{"probs", "means"}}},
      {"normal", {{"mean", "sd"}}},
      {"empirical", {{"samples"}, {"file"}}},
      {"mixture", {{"components"}}},
  };
  return kinds;
}

Names dist_names() {
  Names names;
  for (const DistKind& kind : dist_kinds()) names.push_back(kind.name);
  return names;
}

std::string parameter_sets_text(const DistKind& kind) {
  std::string text;
  for (const Names& set : kind.parameter_sets) {
    if (!text.empty()) text += " or ";
    // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "(" + string.
    text += '(';
    text += join(set);
    text += ')';
  }
  return text;
}

/// Reads one distribution object; `ok_` turns false at the first problem so that a partly
/// read distribution is never returned.
class DistReader {
 public:
  DistReader(Reader& reader, const Json& object, std::string pointer, Quantity quantity)
      : reader_(reader), object_(object), pointer_(std::move(pointer)), quantity_(quantity) {}

  std::optional<DistSpec> read(const DistKind& kind, std::size_t set);

 private:
  std::string at(std::string_view key) const { return child(pointer_, key); }
  const Json& get(std::string_view key) const { return object_.at(std::string(key)); }

  template <class T>
  T keep(std::optional<T> value) {
    if (!value) {
      ok_ = false;
      return T{};
    }
    return *value;
  }

  /// A time parameter (a duration; for counts, a plain number).
  double time(const Json& value, const std::string& pointer, Sign sign) {
    if (quantity_ == Quantity::time) return keep(reader_.duration(value, pointer, sign));
    return keep(reader_.signed_number(value, pointer, sign));
  }
  double time(std::string_view key, Sign sign) { return time(get(key), at(key), sign); }
  double plain(std::string_view key, Sign sign) {
    return keep(reader_.signed_number(get(key), at(key), sign));
  }
  std::string time_text(double value) const {
    return quantity_ == Quantity::time ? seconds_text(value) : number_text(value);
  }
  std::string_view time_plural() const {
    return quantity_ == Quantity::time ? "durations" : "numbers";
  }
  std::string_view time_noun() const {
    return quantity_ == Quantity::time ? "a duration" : "a number";
  }

  DistSpec uniform();
  DistSpec erlang();
  DistSpec lognormal_percentiles();
  DistSpec pareto();
  DistSpec hyperexponential();
  DistSpec empirical_samples();
  DistSpec empirical_file();
  DistSpec mixture();

  Reader& reader_;
  const Json& object_;
  std::string pointer_;
  Quantity quantity_;
  bool ok_ = true;
};

std::optional<DistSpec> DistReader::read(const DistKind& kind, std::size_t set) {
  DistSpec spec;
  const std::string_view name = kind.name;
  if (name == "constant") {
    spec.v = dist::Constant{time("value", Sign::non_negative)};
  } else if (name == "exponential") {
    spec.v = dist::Exponential{time("mean", Sign::positive)};
  } else if (name == "uniform") {
    spec = uniform();
  } else if (name == "erlang") {
    spec = erlang();
  } else if (name == "gamma" && set == 0) {
    const double mean = time("mean", Sign::positive);
    const double cv = plain("cv", Sign::positive);
    spec.v = dist::Gamma{1.0 / (cv * cv), mean * cv * cv};
  } else if (name == "gamma") {
    const double shape = plain("shape", Sign::positive);
    spec.v = dist::Gamma{shape, time("scale", Sign::positive)};
  } else if (name == "lognormal" && set == 0) {
    const double mean = time("mean", Sign::positive);
    const double cv = plain("cv", Sign::positive);
    const double sigma2 = std::log1p(cv * cv);
    spec.v = dist::Lognormal{std::log(mean) - sigma2 / 2.0, std::sqrt(sigma2)};
  } else if (name == "lognormal" && set == 1) {
    spec = lognormal_percentiles();
  } else if (name == "lognormal") {
    const double mu = plain("mu", Sign::any);
    spec.v = dist::Lognormal{mu, plain("sigma", Sign::non_negative)};
  } else if (name == "weibull") {
    const double shape = plain("shape", Sign::positive);
    spec.v = dist::Weibull{shape, time("scale", Sign::positive)};
  } else if (name == "pareto") {
    spec = pareto();
  } else if (name == "hyperexponential") {
    spec = hyperexponential();
  } else if (name == "normal") {
    const double mean = time("mean", Sign::positive);
    spec.v = dist::Normal{mean, time("sd", Sign::non_negative)};
  } else if (name == "empirical" && set == 0) {
    spec = empirical_samples();
  } else if (name == "empirical") {
    spec = empirical_file();
  } else {
    spec = mixture();
  }
  if (!ok_) return std::nullopt;
  return spec;
}

DistSpec DistReader::uniform() {
  const double min = time("min", Sign::non_negative);
  if (!ok_) {
    time("max", Sign::non_negative);
    return {};
  }
  const double max = time("max", Sign::non_negative);
  if (ok_ && max < min) {
    reader_.expected(at("max"), std::string(time_noun()) + " >= min (" + time_text(min) + ")",
                     get("max"));
    ok_ = false;
  }
  return {dist::Uniform{min, max}};
}

DistSpec DistReader::erlang() {
  const auto k = keep(reader_.integer(get("k"), at("k"), 1, 1000000));
  const double mean = time("mean", Sign::positive);
  return {dist::Erlang{static_cast<int>(k), mean}};
}

DistSpec DistReader::lognormal_percentiles() {
  const double p50 = time("p50", Sign::positive);
  if (!ok_) {
    time("p99", Sign::positive);
    return {};
  }
  const double p99 = time("p99", Sign::positive);
  if (ok_ && !(p99 > p50)) {
    reader_.error(at("p99"), "expected a p99 greater than p50 (" + time_text(p50) + "), found " +
                                 describe(get("p99")));
    ok_ = false;
    return {};
  }
  const double mu = std::log(p50);
  return {dist::Lognormal{mu, (std::log(p99) - mu) / z_99}};
}

DistSpec DistReader::pareto() {
  const Json& shape_value = get("shape");
  const auto shape =
      reader_.number(shape_value, at("shape"), "a shape > 1 (with shape <= 1 the mean is infinite)",
                     [](double x) { return std::isfinite(x) && x > 1.0; });
  if (shape && *shape <= 2.0) reader_.warning(at("shape"), "pareto shape <= 2: infinite variance");
  const double scale = time("scale", Sign::positive);
  return {dist::Pareto{keep(shape), scale}};
}

DistSpec DistReader::hyperexponential() {
  const Json& probs_value = get("probs");
  const Json& means_value = get("means");
  dist::Hyperexponential spec;
  if (!probs_value.is_array() || probs_value.empty()) {
    reader_.expected(at("probs"), "a non-empty array of probabilities", probs_value);
    ok_ = false;
  } else {
    for (std::size_t i = 0; i < probs_value.size(); ++i) {
      spec.probs.push_back(
          keep(reader_.number(probs_value[i], child(at("probs"), i), "a probability from 0 to 1",
                              [](double x) { return std::isfinite(x) && x >= 0.0 && x <= 1.0; })));
    }
  }
  if (!means_value.is_array() || means_value.empty()) {
    reader_.expected(at("means"), "a non-empty array of " + std::string(time_plural()),
                     means_value);
    ok_ = false;
  } else {
    for (std::size_t i = 0; i < means_value.size(); ++i) {
      spec.means_s.push_back(time(means_value[i], child(at("means"), i), Sign::positive));
    }
  }
  if (!ok_) return {};
  if (spec.means_s.size() != spec.probs.size()) {
    reader_.error(at("means"), "expected as many means as probs (" +
                                   std::to_string(spec.probs.size()) + "), found " +
                                   std::to_string(spec.means_s.size()));
    ok_ = false;
    return {};
  }
  double sum = 0.0;
  for (const double p : spec.probs) sum += p;
  if (std::fabs(sum - 1.0) > probability_sum_tolerance) {
    reader_.error(at("probs"), "expected probabilities that sum to 1, found a sum of " +
                                   number_text(std::round(sum * 1e9) / 1e9));
    ok_ = false;
    return {};
  }
  for (double& p : spec.probs) p /= sum;
  return {std::move(spec)};
}

DistSpec DistReader::empirical_samples() {
  const Json& samples = get("samples");
  if (!samples.is_array() || samples.empty()) {
    reader_.expected(at("samples"), "a non-empty array of " + std::string(time_plural()), samples);
    ok_ = false;
    return {};
  }
  dist::Empirical spec;
  spec.samples_s.reserve(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    spec.samples_s.push_back(time(samples[i], child(at("samples"), i), Sign::non_negative));
  }
  return {std::move(spec)};
}

DistSpec DistReader::empirical_file() {
  const auto file = reader_.string(get("file"), at("file"), "a file name");
  if (!file) {
    ok_ = false;
    return {};
  }
  dist::Empirical spec;
  const bool read =
      read_lines(reader_, *file, at("file"), [&](std::size_t number, std::string_view text) {
        const std::string_view line = trim(text);
        if (line.empty() || line.front() == '#') return;
        std::optional<double> value = parse_number(line);
        if (!value && quantity_ == Quantity::time) value = dist::parse_duration(line);
        if (!value || *value < 0) {
          reader_.error(at("file"), *file + " line " + std::to_string(number) + ": expected " +
                                        std::string(time_noun()) + " >= 0, found " +
                                        describe_text(line));
          ok_ = false;
          return;
        }
        spec.samples_s.push_back(*value);
      });
  if (!read) {
    ok_ = false;
    return {};
  }
  if (ok_ && spec.samples_s.empty()) {
    reader_.error(at("file"), *file + ": expected at least one sample, found none");
    ok_ = false;
  }
  return {std::move(spec)};
}

DistSpec DistReader::mixture() {
  const Json& components = get("components");
  if (!components.is_array() || components.empty()) {
    reader_.expected(at("components"), "a non-empty array of components", components);
    ok_ = false;
    return {};
  }
  dist::Mixture spec;
  double sum = 0.0;
  for (std::size_t i = 0; i < components.size(); ++i) {
    const Json& component = components[i];
    const std::string pointer = child(at("components"), i);
    if (!component.is_object()) {
      reader_.expected(
          pointer, R"(a component such as {"weight": 0.9, "dist": "exponential", ...})", component);
      ok_ = false;
      continue;
    }
    // A missing weight counts 1: components without weights are equally likely.
    double weight = 1.0;
    if (const auto found = component.find("weight"); found != component.end()) {
      weight = keep(reader_.signed_number(*found, child(pointer, "weight"), Sign::positive));
    }
    const auto inner = read_distribution(reader_, component, pointer, quantity_, {"weight"});
    if (!inner) {
      ok_ = false;
      continue;
    }
    spec.weights.push_back(weight);
    spec.components.push_back(*inner);
    sum += weight;
  }
  if (!ok_) return {};
  for (double& w : spec.weights) w /= sum;
  return {std::move(spec)};
}

}  // namespace

std::optional<DistSpec> read_distribution(Reader& reader, const Json& value,
                                          const std::string& pointer, Quantity quantity,
                                          const Names& extra_keys) {
  if (value.is_number() || (value.is_string() && quantity == Quantity::time)) {
    const auto constant = quantity == Quantity::time
                              ? reader.duration(value, pointer, Sign::non_negative)
                              : reader.signed_number(value, pointer, Sign::non_negative);
    if (!constant) return std::nullopt;
    return DistSpec{dist::Constant{*constant}};
  }
  if (!value.is_object()) {
    reader.expected(
        pointer,
        quantity == Quantity::time
            ? R"(a distribution: a duration such as "5ms" or an object such as {"dist": "exponential", "mean": "5ms"})"
            : R"(a number or a distribution such as {"dist": "uniform", "min": 1, "max": 5})",
        value);
    return std::nullopt;
  }
  const auto found = value.find("dist");
  if (found == value.end()) {
    reader.missing(child(pointer, "dist"), "a distribution name (" + join(dist_names()) + ")");
    return std::nullopt;
  }
  const auto index = reader.choice(*found, child(pointer, "dist"), dist_names());
  if (!index) return std::nullopt;
  const DistKind& kind = dist_kinds()[*index];

  Names allowed{"dist"};
  for (const Names& set : kind.parameter_sets) {
    for (const std::string_view key : set) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) allowed.push_back(key);
    }
  }
  allowed.insert(allowed.end(), extra_keys.begin(), extra_keys.end());
  bool unknown_keys = false;
  for (const auto& [key, member] : value.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) unknown_keys = true;
  }
  reader.check_keys(value, pointer, "distribution", allowed);
  if (unknown_keys) return std::nullopt;

  // The parameters given, among those the distribution knows (not "dist" nor extra keys).
  std::vector<std::string> given;
  for (const auto& [key, member] : value.items()) {
    if (key == "dist" || std::find(extra_keys.begin(), extra_keys.end(), key) != extra_keys.end()) {
      continue;
    }
    given.push_back(key);
  }
  for (std::size_t set = 0; set < kind.parameter_sets.size(); ++set) {
    const Names& keys = kind.parameter_sets[set];
    const bool matches = keys.size() == given.size() &&
                         std::all_of(keys.begin(), keys.end(), [&value](std::string_view key) {
                           return value.contains(std::string(key));
                         });
    if (matches) return DistReader(reader, value, pointer, quantity).read(kind, set);
  }
  reader.error(pointer, "expected " + std::string(kind.name) + " parameters " +
                            parameter_sets_text(kind) + ", found " +
                            (given.empty() ? std::string("none") : "(" + join(given) + ")"));
  return std::nullopt;
}

}  // namespace capsim::model::detail
