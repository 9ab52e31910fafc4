#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "model_test_support.hpp"

namespace {

using capsim::model::Json;
namespace dist = capsim::dist;
namespace fs = std::filesystem;

constexpr double z_99 = 2.3263478740408408;

/// model_test::minimal_model() with its only work step set to `work_json`.
Json model_with_work(const std::string& work_json) {
  Json doc = model_test::minimal_model();
  doc["services"]["api"]["steps"][0]["work"] = Json::parse(work_json);
  return doc;
}

capsim::model::Spec load_work(const std::string& work_json, const fs::path& base = {}) {
  return model_test::load(model_with_work(work_json), base);
}

/// The work distribution of the only step, read from `work_json`.
dist::DistSpec work(const std::string& work_json, const fs::path& base = {}) {
  return load_work(work_json, base).services[0].endpoints[0].steps[0].work;
}

/// Every diagnostic of loading a model whose only work step is `work_json`, joined by newlines.
std::string work_error(const std::string& work_json, const fs::path& base = {}) {
  return model_test::error(model_with_work(work_json), base);
}

template <class T>
T as(const dist::DistSpec& spec) {
  const T* value = std::get_if<T>(&spec.v);
  EXPECT_NE(value, nullptr) << "unexpected alternative " << spec.v.index();
  return value != nullptr ? *value : T{};
}

const std::string at = "/services/api/steps/0/work";

TEST(ModelDist, BareDurationIsConstant) {
  EXPECT_DOUBLE_EQ(as<dist::Constant>(work(R"("250us")")).value_s, 250e-6);
  EXPECT_DOUBLE_EQ(as<dist::Constant>(work("0.5")).value_s, 0.5);
  EXPECT_DOUBLE_EQ(as<dist::Constant>(work(R"({"dist": "constant", "value": "2m"})")).value_s,
                   120.0);
  EXPECT_DOUBLE_EQ(as<dist::Constant>(work(R"({"dist": "constant", "value": 0})")).value_s, 0.0);
}

TEST(ModelDist, ExponentialUniformErlangNormalWeibull) {
  EXPECT_DOUBLE_EQ(as<dist::Exponential>(work(R"({"dist": "exponential", "mean": "5ms"})")).mean_s,
                   0.005);
  const auto u = as<dist::Uniform>(work(R"({"dist": "uniform", "min": "1ms", "max": "3ms"})"));
  EXPECT_DOUBLE_EQ(u.min_s, 0.001);
  EXPECT_DOUBLE_EQ(u.max_s, 0.003);
  const auto e = as<dist::Erlang>(work(R"({"dist": "erlang", "k": 4, "mean": 2})"));
  EXPECT_EQ(e.k, 4);
  EXPECT_DOUBLE_EQ(e.mean_s, 2.0);
  const auto n = as<dist::Normal>(work(R"({"dist": "normal", "mean": "10ms", "sd": "2ms"})"));
  EXPECT_DOUBLE_EQ(n.mean_s, 0.010);
  EXPECT_DOUBLE_EQ(n.sd_s, 0.002);
  const auto w = as<dist::Weibull>(work(R"({"dist": "weibull", "shape": 1.5, "scale": "4ms"})"));
  EXPECT_DOUBLE_EQ(w.shape, 1.5);
  EXPECT_DOUBLE_EQ(w.scale_s, 0.004);
}

TEST(ModelDist, GammaFromMeanAndCv) {
  const auto g = as<dist::Gamma>(work(R"({"dist": "gamma", "mean": "10ms", "cv": 0.5})"));
  EXPECT_DOUBLE_EQ(g.shape, 4.0);
  EXPECT_DOUBLE_EQ(g.scale_s, 0.0025);
  EXPECT_NEAR(g.shape * g.scale_s, 0.010, 1e-15);
  const auto h = as<dist::Gamma>(work(R"({"dist": "gamma", "shape": 2, "scale": "3ms"})"));
  EXPECT_DOUBLE_EQ(h.shape, 2.0);
  EXPECT_DOUBLE_EQ(h.scale_s, 0.003);
}

TEST(ModelDist, LognormalFromMeanAndCv) {
  const auto l = as<dist::Lognormal>(work(R"({"dist": "lognormal", "mean": "20ms", "cv": 1.5})"));
  const double mean = std::exp(l.mu + l.sigma * l.sigma / 2);
  const double cv = std::sqrt(std::exp(l.sigma * l.sigma) - 1);
  EXPECT_NEAR(mean, 0.020, 1e-12);
  EXPECT_NEAR(cv, 1.5, 1e-12);
}

TEST(ModelDist, LognormalFromPercentiles) {
  const auto l = as<dist::Lognormal>(work(R"({"dist": "lognormal", "p50": "3ms", "p99": "20ms"})"));
  EXPECT_NEAR(std::exp(l.mu), 0.003, 1e-15);
  EXPECT_NEAR(std::exp(l.mu + z_99 * l.sigma), 0.020, 1e-12);
}

TEST(ModelDist, LognormalFromMuAndSigma) {
  const auto l = as<dist::Lognormal>(work(R"({"dist": "lognormal", "mu": -5, "sigma": 0.5})"));
  EXPECT_DOUBLE_EQ(l.mu, -5.0);
  EXPECT_DOUBLE_EQ(l.sigma, 0.5);
}

TEST(ModelDist, LognormalP99MustExceedP50) {
  EXPECT_EQ(work_error(R"({"dist": "lognormal", "p50": "3ms", "p99": "2ms"})"),
            at + "/p99: expected a p99 greater than p50 (0.003 s), found \"2ms\"");
}

TEST(ModelDist, WrongParameterSetListsTheAcceptedSets) {
  EXPECT_EQ(work_error(R"({"dist": "lognormal", "mean": "3ms", "p99": "2ms"})"),
            at + ": expected lognormal parameters (mean, cv) or (p50, p99) or (mu, sigma), "
                 "found (mean, p99)");
  EXPECT_EQ(work_error(R"({"dist": "exponential"})"),
            at + ": expected exponential parameters (mean), found none");
}

TEST(ModelDist, UnknownParameterSuggests) {
  EXPECT_EQ(work_error(R"({"dist": "exponential", "mena": 1})"),
            at + "/mena: unknown key; did you mean 'mean'?");
}

TEST(ModelDist, UnknownDistributionSuggests) {
  EXPECT_EQ(work_error(R"({"dist": "lognorml", "mean": 1})"),
            at + "/dist: expected one of constant, exponential, uniform, erlang, gamma, "
                 "lognormal, weibull, pareto, hyperexponential, normal, empirical, mixture, found "
                 "\"lognorml\"; did you mean 'lognormal'?");
  EXPECT_EQ(work_error(R"({"mean": 1})"),
            at + "/dist: missing; expected a distribution name (constant, exponential, uniform, "
                 "erlang, gamma, lognormal, weibull, pareto, hyperexponential, normal, "
                 "empirical, mixture)");
}

TEST(ModelDist, ParameterRanges) {
  EXPECT_EQ(work_error(R"({"dist": "exponential", "mean": 0})"),
            at + "/mean: expected a duration > 0, found 0");
  EXPECT_EQ(work_error(R"({"dist": "uniform", "min": "5ms", "max": "2ms"})"),
            at + "/max: expected a duration >= min (0.005 s), found \"2ms\"");
  EXPECT_EQ(work_error(R"({"dist": "erlang", "k": 0.5, "mean": 1})"),
            at + "/k: expected an integer from 1 to 1000000, found 0.5");
  EXPECT_EQ(work_error(R"({"dist": "gamma", "mean": 1, "cv": -1})"),
            at + "/cv: expected a number > 0, found -1");
  EXPECT_EQ(work_error(R"({"dist": "normal", "mean": 1, "sd": "-1ms"})"),
            at + "/sd: expected a duration >= 0, found \"-1ms\"");
  EXPECT_EQ(work_error(R"("-5ms")"), at + ": expected a duration >= 0, found \"-5ms\"");
  EXPECT_EQ(work_error("true"),
            at + ": expected a distribution: a duration such as \"5ms\" or an object such as "
                 "{\"dist\": \"exponential\", \"mean\": \"5ms\"}, found true");
}

TEST(ModelDist, ParetoWarnsOfInfiniteVariance) {
  const auto spec = load_work(R"({"dist": "pareto", "shape": 1.5, "scale": "1ms"})");
  const auto p = as<dist::Pareto>(spec.services[0].endpoints[0].steps[0].work);
  EXPECT_DOUBLE_EQ(p.shape, 1.5);
  EXPECT_DOUBLE_EQ(p.scale_s, 0.001);
  ASSERT_EQ(spec.warnings.size(), 1u);
  EXPECT_EQ(spec.warnings[0].text(), at + "/shape: pareto shape <= 2: infinite variance");
  EXPECT_TRUE(load_work(R"({"dist": "pareto", "shape": 2.5, "scale": 1})").warnings.empty());
}

TEST(ModelDist, ParetoWithInfiniteMeanIsRefused) {
  EXPECT_EQ(work_error(R"({"dist": "pareto", "shape": 1, "scale": 1})"),
            at + "/shape: expected a shape > 1 (with shape <= 1 the mean is infinite), found 1");
}

TEST(ModelDist, HyperexponentialNormalised) {
  const auto h = as<dist::Hyperexponential>(
      work(R"({"dist": "hyperexponential", "probs": [0.3, 0.7000000001], "means": ["1ms", 2]})"));
  ASSERT_EQ(h.probs.size(), 2u);
  EXPECT_NEAR(h.probs[0] + h.probs[1], 1.0, 1e-15);
  EXPECT_DOUBLE_EQ(h.means_s[0], 0.001);
  EXPECT_DOUBLE_EQ(h.means_s[1], 2.0);
}

TEST(ModelDist, HyperexponentialChecks) {
  EXPECT_EQ(work_error(R"({"dist": "hyperexponential", "probs": [0.3, 0.6], "means": [1, 2]})"),
            at + "/probs: expected probabilities that sum to 1, found a sum of 0.9");
  EXPECT_EQ(work_error(R"({"dist": "hyperexponential", "probs": [0.5, 0.5], "means": [1]})"),
            at + "/means: expected as many means as probs (2), found 1");
}

TEST(ModelDist, EmpiricalSamples) {
  const auto e =
      as<dist::Empirical>(work(R"({"dist": "empirical", "samples": [0.001, "2ms", 0]})"));
  EXPECT_EQ(e.samples_s, (std::vector<double>{0.001, 0.002, 0.0}));
  EXPECT_EQ(work_error(R"({"dist": "empirical", "samples": []})"),
            at + "/samples: expected a non-empty array of durations, found []");
}

TEST(ModelDist, EmpiricalFile) {
  const model_test::TempDir temp("empirical");
  const fs::path& dir = temp.path();
  temp.write("samples.txt", "# measured\n0.001\n\n 2ms \n1.5e-3\n");
  temp.write("bad.txt", "1ms\nfast\n");
  temp.write("empty.txt", "# nothing\n");
  const auto e = as<dist::Empirical>(work(R"({"dist": "empirical", "file": "samples.txt"})", dir));
  EXPECT_EQ(e.samples_s, (std::vector<double>{0.001, 0.002, 0.0015}));
  EXPECT_EQ(work_error(R"({"dist": "empirical", "file": "bad.txt"})", dir),
            at + "/file: bad.txt line 2: expected a duration >= 0, found \"fast\"");
  EXPECT_EQ(work_error(R"({"dist": "empirical", "file": "empty.txt"})", dir),
            at + "/file: empty.txt: expected at least one sample, found none");
}

TEST(ModelDist, MixtureWeightsNormalised) {
  const auto m = as<dist::Mixture>(work(R"({"dist": "mixture", "components": [
      {"weight": 9, "dist": "exponential", "mean": "1ms"},
      {"weight": 1, "dist": "mixture", "components": [{"dist": "constant", "value": 1}]}]})"));
  ASSERT_EQ(m.weights.size(), 2u);
  EXPECT_DOUBLE_EQ(m.weights[0], 0.9);
  EXPECT_DOUBLE_EQ(m.weights[1], 0.1);
  EXPECT_DOUBLE_EQ(as<dist::Exponential>(m.components[0]).mean_s, 0.001);
  const auto inner = as<dist::Mixture>(m.components[1]);
  EXPECT_EQ(inner.weights, (std::vector<double>{1.0}));
  EXPECT_EQ(work_error(R"({"dist": "mixture", "components": [{"weight": 0, "dist": "constant",
      "value": 1}]})"),
            at + "/components/0/weight: expected a number > 0, found 0");
}

}  // namespace
