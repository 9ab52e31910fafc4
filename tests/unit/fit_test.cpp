// capsim fit: parameters recovered from samples drawn from known distributions (fixed seeds),
// from exact histograms and percentiles; bad inputs refused with their place.

#include <gtest/gtest.h>

#include <boost/math/distributions/lognormal.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_01.hpp>
#include <boost/random/weibull_distribution.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "capsim/fit/fit.hpp"
#include "capsim/fit/observations.hpp"
#include "capsim/model/error.hpp"

namespace capsim::fit {
namespace {

constexpr int kSamples = 20000;

template <class Dist>
Observations draw(Dist dist, std::uint32_t seed) {
  boost::random::mt19937 engine(seed);
  Observations o;
  for (int i = 0; i < kSamples; ++i) o.samples_s.push_back(dist(engine));
  return o;
}

const Candidate& candidate(const FitResult& r, Family family) {
  for (const Candidate& c : r.candidates) {
    if (c.family == family) return c;
  }
  throw std::runtime_error(std::string("no candidate ") += family_name(family));
}

// Tolerances: several standard errors of the maximum-likelihood estimates at n = 20000
// (e.g. a lognormal's mu: sigma / sqrt(n) = 0.0035; a gamma's shape about 1%).
TEST(Fit, ExponentialMeanRecovered) {
  const FitResult r = fit(draw(boost::random::exponential_distribution<>(1 / 0.08), 11));
  EXPECT_NEAR(candidate(r, Family::exponential).parameters[0], 0.08, 0.08 * 0.03);
  EXPECT_EQ(r.candidates[r.chosen].family, Family::exponential);
  EXPECT_LT(candidate(r, Family::exponential).statistic, 1.63 / std::sqrt(kSamples));
}

TEST(Fit, GammaRecoveredAndChosen) {
  const FitResult r = fit(draw(boost::random::gamma_distribution<>(2.5, 0.02), 12));
  const Candidate& g = candidate(r, Family::gamma);
  EXPECT_NEAR(g.parameters[0], 2.5, 2.5 * 0.05);
  EXPECT_NEAR(g.parameters[1], 0.02, 0.02 * 0.05);
  EXPECT_EQ(r.candidates[r.chosen].family, Family::gamma);
  EXPECT_EQ(g.work["dist"], "gamma");
}

TEST(Fit, LognormalRecoveredAndChosen) {
  const double mu = std::log(0.02);
  const FitResult r = fit(draw(boost::random::lognormal_distribution<>(mu, 0.6), 13));
  const Candidate& l = candidate(r, Family::lognormal);
  EXPECT_NEAR(l.parameters[0], mu, 0.015);
  EXPECT_NEAR(l.parameters[1], 0.6, 0.6 * 0.03);
  EXPECT_EQ(r.candidates[r.chosen].family, Family::lognormal);
  // Its percentiles are the distribution's: p99 = exp(mu + 2.3263 sigma).
  EXPECT_NEAR(l.quantiles_s[3], std::exp(mu + 2.3263478740 * 0.6), 0.02 * std::exp(mu + 1.3958));
}

TEST(Fit, WeibullRecovered) {
  const FitResult r = fit(draw(boost::random::weibull_distribution<>(1.7, 0.05), 14));
  const Candidate& w = candidate(r, Family::weibull);
  EXPECT_NEAR(w.parameters[0], 1.7, 1.7 * 0.04);
  EXPECT_NEAR(w.parameters[1], 0.05, 0.05 * 0.03);
  EXPECT_EQ(r.candidates[r.chosen].family, Family::weibull);
}

TEST(Fit, BimodalChoosesTheMixture) {
  // 70% cache hits around 5 ms, 30% misses around 100 ms.
  boost::random::mt19937 engine(15);
  boost::random::uniform_01<> u;
  boost::random::lognormal_distribution<> hit(std::log(0.005), 0.3);
  boost::random::lognormal_distribution<> miss(std::log(0.1), 0.4);
  Observations o;
  for (int i = 0; i < kSamples; ++i)
    o.samples_s.push_back(u(engine) < 0.7 ? hit(engine) : miss(engine));
  const FitResult r = fit(o);
  EXPECT_EQ(r.candidates[r.chosen].family, Family::mixture);
  const auto& p = r.candidates[r.chosen].parameters;
  // Components in either order.
  const bool first_is_hit = p[1] < p[3];
  const double w_hit = first_is_hit ? p[0] : 1 - p[0];
  EXPECT_NEAR(w_hit, 0.7, 0.02);
  EXPECT_NEAR(first_is_hit ? p[1] : p[3], std::log(0.005), 0.02);
  EXPECT_NEAR(first_is_hit ? p[4] : p[2], 0.4, 0.03);
  EXPECT_EQ(r.candidates[r.chosen].work["components"].size(), 2u);
}

TEST(Fit, LatenciesRoundedToWholeMillisecondsChooseNoDegenerateMixture) {
  // 500 lognormal latencies (median 5 ms, sigma 0.5) exported rounded to whole milliseconds:
  // tied values let a component shrink to a point mass whose likelihood grows without bound,
  // so mixture3 had the lowest AIC with a spike (sigma 1e-6) and a component of sigma 14
  // (mean 1e38 s), and a KS three times the lognormal's. It was chosen.
  boost::random::mt19937 engine(5);
  boost::random::lognormal_distribution<> d(std::log(0.005), 0.5);
  Observations o;
  for (int i = 0; i < 500; ++i) {
    o.samples_s.push_back(std::max(1.0, std::round(d(engine) * 1000.0)) / 1000.0);
  }
  const FitResult r = fit(o);
  const Candidate& chosen = r.candidates[r.chosen];
  EXPECT_NE(chosen.family, Family::mixture3) << r.reason;
  EXPECT_NEAR(chosen.quantiles_s[0], 0.005, 0.0005);  // the median: 5 ms (3.7 ms before)
  // Its tail is the lognormal's to within half (the mixture's p99.9 was 1e4 times it).
  const double p999 = quantile(candidate(r, Family::lognormal), 0.999);
  EXPECT_NEAR(quantile(chosen, 0.999), p999, 0.5 * p999);
  EXPECT_EQ(r.best_family, r.chosen);
  // mixture3 had the lowest AIC: the reason says why it was passed over.
  ASSERT_LT(candidate(r, Family::mixture3).aic, chosen.aic - 10);
  EXPECT_NE(r.reason.find("mixture3 ("), std::string::npos) << r.reason;
}

TEST(Fit, ANarrowModeIsAPlausibleComponent) {
  // 70% of requests take a fixed-cost path (1 ms +- 0.4%), 30% are lognormal around 50 ms: a
  // mixture with a component of sigma 0.004 is the right answer (a floor on sigma chose a
  // lognormal of KS 0.43 instead).
  boost::random::mt19937 engine(8);
  boost::random::uniform_01<> u;
  boost::random::lognormal_distribution<> fixed(std::log(0.001), 0.004);
  boost::random::lognormal_distribution<> slow(std::log(0.05), 0.3);
  Observations o;
  for (int i = 0; i < 2000; ++i)
    o.samples_s.push_back(u(engine) < 0.7 ? fixed(engine) : slow(engine));
  const FitResult r = fit(o);
  const Family chosen = r.candidates[r.chosen].family;
  EXPECT_TRUE(chosen == Family::mixture || chosen == Family::mixture3) << r.reason;
  EXPECT_LT(r.candidates[r.chosen].statistic, 1.63 / std::sqrt(2000.0));
}

TEST(Fit, TrimodalChoosesThreeComponents) {
  // Three paths: 50 % around 2 ms (a cache), 30 % around 20 ms (a database), 20 % around 200 ms
  // (an external API). Two components cannot place the third mode: three are clearly better.
  boost::random::mt19937 engine(21);
  boost::random::uniform_01<> u;
  const std::array<double, 3> weight = {0.5, 0.3, 0.2};
  const std::array<double, 3> median_s = {0.002, 0.02, 0.2};
  const std::array<double, 3> sigma = {0.2, 0.25, 0.3};
  Observations o;
  for (int i = 0; i < kSamples; ++i) {
    const double x = u(engine);
    const std::size_t k = x < weight[0] ? 0 : x < weight[0] + weight[1] ? 1 : 2;
    boost::random::lognormal_distribution<> d(std::log(median_s[k]), sigma[k]);
    o.samples_s.push_back(d(engine));
  }
  const FitResult r = fit(o);
  ASSERT_EQ(r.candidates[r.chosen].family, Family::mixture3) << r.reason;
  EXPECT_EQ(r.reason, "lowest AIC, clearly below every family with fewer components");
  EXPECT_LT(r.candidates[r.chosen].aic, candidate(r, Family::mixture).aic - 10);
  const auto& p = r.candidates[r.chosen].parameters;
  // Components in the order of their medians.
  std::array<std::size_t, 3> order = {0, 1, 2};
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return p[3 + 2 * a] < p[3 + 2 * b]; });
  for (std::size_t k = 0; k < 3; ++k) {
    const std::size_t i = order[k];
    EXPECT_NEAR(p[i], weight[k], 0.02) << "weight " << k;
    EXPECT_NEAR(p[3 + 2 * i], std::log(median_s[k]), 0.03) << "mu " << k;
    EXPECT_NEAR(p[4 + 2 * i], sigma[k], 0.03) << "sigma " << k;
  }
  const Json& work = r.candidates[r.chosen].work;
  EXPECT_EQ(work["dist"], "mixture");
  EXPECT_EQ(work["components"].size(), 3u);
}

TEST(Fit, HistogramOfAKnownLognormal) {
  // Exact expected counts of 100000 observations in Prometheus's default buckets.
  const boost::math::lognormal_distribution<> truth(std::log(0.12), 0.7);
  Observations o;
  o.kind = Observations::Kind::histogram;
  for (double le : {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0}) {
    o.buckets.emplace_back(le, std::round(1e5 * boost::math::cdf(truth, le)));
  }
  o.buckets.emplace_back(INFINITY, 1e5);
  const FitResult r = fit(o);
  EXPECT_EQ(r.statistic_name, "chi-square");
  EXPECT_EQ(r.reason, "lowest AIC");
  EXPECT_EQ(r.candidates[r.chosen].family, Family::lognormal);
  EXPECT_NEAR(r.candidates[r.chosen].parameters[0], std::log(0.12), 0.01);
  EXPECT_NEAR(r.candidates[r.chosen].parameters[1], 0.7, 0.01);
  EXPECT_LT(r.candidates[r.chosen].statistic, 1.0);  // rounding of the counts only
}

TEST(Fit, K6PercentilesOfAKnownLognormal) {
  const boost::math::lognormal_distribution<> truth(std::log(0.2), 0.5);
  std::string text = R"({"metrics":{"http_req_duration":{"avg":230,"min":40,)";
  for (const auto& [key, p] : std::vector<std::pair<std::string, double>>{
           {"med", 0.5}, {"p(90)", 0.9}, {"p(95)", 0.95}, {"p(99)", 0.99}}) {
    // (appended piece by piece: "literal" + std::string trips g++ 12's -Wrestrict)
    text += '"';
    text += key;
    text += "\":";
    text += std::to_string(1000 * boost::math::quantile(truth, p));
    text += ',';
  }
  text += R"("max":2000}}})";
  const Observations o = read_observations(text, "summary.json", ReadOptions{});
  ASSERT_EQ(o.kind, Observations::Kind::percentiles);
  ASSERT_EQ(o.percentiles.size(), 4u);
  const FitResult r = fit(o);
  EXPECT_EQ(r.candidates[r.chosen].family, Family::lognormal);
  EXPECT_NEAR(r.candidates[r.chosen].parameters[0], std::log(0.2), 1e-3);
  EXPECT_NEAR(r.candidates[r.chosen].parameters[1], 0.5, 1e-3);
}

TEST(FitInput, K6HandleSummaryDataIsReadUnderValues) {
  // What handleSummary() receives, written with JSON.stringify(data): the statistics are under
  // "values" (it was refused as having fewer than two percentiles).
  const std::string text = R"json({"metrics": {"http_req_duration": {"type": "trend",
    "contains": "time", "values": {"avg": 230, "med": 200, "p(90)": 379.6, "p(95)": 455.2,
    "max": 2000}}}})json";
  const Observations o = read_observations(text, "summary.json", ReadOptions{});
  ASSERT_EQ(o.kind, Observations::Kind::percentiles);
  ASSERT_EQ(o.percentiles.size(), 3u);
  EXPECT_DOUBLE_EQ(o.percentiles[0].first, 0.5);
  EXPECT_DOUBLE_EQ(o.percentiles[0].second, 0.2);
  EXPECT_DOUBLE_EQ(o.percentiles[2].second, 0.4552);
}

std::string refusal(const std::string& text, const std::string& name,
                    const ReadOptions& options = {}) {
  try {
    read_observations(text, name, options);
  } catch (const model::ModelError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(FitInput, BoundsAndPercentilesOutsideANanosecondToAYearAreRefused) {
  // Boost.Math's exceptions escaped (exit 1) for these, or a Weibull of scale 4e23 s was fitted.
  EXPECT_EQ(
      refusal("h_bucket{le=\"1e-300\"} 5\nh_bucket{le=\"1e300\"} 10\n"
              "h_bucket{le=\"+Inf\"} 10\n",
              "m.prom"),
      "m.prom: line 1, column 23: expected bucket bounds from 1 ns to 1 year, found 1e-300 s");
  EXPECT_EQ(
      refusal(R"x({"metrics":{"http_req_duration":{"med":1e-300,"p(90)":1e300}}})x", "s.json"),
      "/metrics/http_req_duration/med: expected a latency from 1 ns to 1 year (1e-06 to "
      "3.2e+10 ms), found 1e-300 (s.json: line 1, column 40)");
  // An empty bucket at 0 says nothing: let pass.
  const Observations o = read_observations(
      "h_bucket{le=\"0\"} 0\nh_bucket{le=\"0.1\"} 5\nh_bucket{le=\"0.2\"} 9\n"
      "h_bucket{le=\"+Inf\"} 10\n",
      "m.prom", ReadOptions{});
  EXPECT_EQ(o.buckets.size(), 3u);
}

TEST(FitInput, ColumnNumbersAreWholeNumbersFromOne) {
  std::string csv;
  for (int i = 1; i <= 12; ++i) csv += "0.05," + std::to_string(0.01 * i) + "\n";
  for (const std::string column : {"-1", "0", "1e300", "1.5"}) {
    ReadOptions options;
    options.column = column;
    EXPECT_EQ(refusal(csv, "c.csv", options),
              "--column: expected a column name or a number from 1, found \"" + column + "\"");
  }
  ReadOptions second;
  second.column = "2";
  EXPECT_DOUBLE_EQ(read_observations(csv, "c.csv", second).samples_s.back(), 0.12);
}

TEST(FitInput, PrometheusTextSummedOverSeries) {
  const std::string text =
      "# HELP http_request_duration_seconds Latency\n"
      "# TYPE http_request_duration_seconds histogram\n"
      "http_request_duration_seconds_bucket{pod=\"a\",le=\"0.1\"} 10\n"
      "http_request_duration_seconds_bucket{pod=\"a\",le=\"+Inf\"} 20\n"
      "http_request_duration_seconds_bucket{pod=\"b\",le=\"0.1\"} 5\n"
      "http_request_duration_seconds_bucket{pod=\"b\",le=\"+Inf\"} 5 1700000000000\n"
      "http_request_duration_seconds_sum 3.5\n"
      "http_request_duration_seconds_count 25\n";
  const Observations o = read_observations(text, "m.prom", ReadOptions{});
  ASSERT_EQ(o.buckets.size(), 2u);
  EXPECT_EQ(o.buckets[0], std::make_pair(0.1, 15.0));
  EXPECT_EQ(o.buckets[1].second, 25.0);
  EXPECT_EQ(o.source, "http_request_duration_seconds");
}

TEST(FitInput, DecreasingCumulativeCountsRefusedWithTheirPlace) {
  const std::string text =
      "h_bucket{le=\"0.1\"} 10\n"
      "h_bucket{le=\"0.5\"} 7\n"
      "h_bucket{le=\"+Inf\"} 12\n";
  EXPECT_EQ(refusal(text, "m.prom"),
            "m.prom: line 2, column 20: expected cumulative counts that never decrease, found 7 "
            "after 10");
  const std::string json =
      R"({"status":"success","data":{"resultType":"vector","result":[)"
      R"({"metric":{"le":"0.1"},"value":[1,"10"]},{"metric":{"le":"0.5"},"value":[1,"7"]},)"
      R"({"metric":{"le":"+Inf"},"value":[1,"12"]}]}})";
  EXPECT_EQ(refusal(json, "q.json"),
            "/data/result/1/value/1: expected cumulative counts that never decrease, found 7 after "
            "10 (q.json: line 1, column 136)");
}

TEST(FitInput, PrometheusJsonRead) {
  const std::string json =
      R"({"status":"success","data":{"resultType":"vector","result":[)"
      R"({"metric":{"le":"0.1"},"value":[1,"10"]},{"metric":{"le":"0.5"},"value":[1,"17"]},)"
      R"({"metric":{"le":"+Inf"},"value":[1,"20"]}]}})";
  const Observations o = read_observations(json, "q.json", ReadOptions{});
  ASSERT_EQ(o.buckets.size(), 3u);
  EXPECT_EQ(o.buckets[1], std::make_pair(0.5, 17.0));
  // Two histograms in one response: the first named is read (as in the text format), not
  // their sum; the same histogram's series (two pods) are summed by bound.
  const std::string two =
      R"({"status":"success","data":{"resultType":"vector","result":[)"
      R"({"metric":{"__name__":"a_bucket","pod":"1","le":"0.1"},"value":[1,"10"]},)"
      R"({"metric":{"__name__":"a_bucket","pod":"2","le":"0.1"},"value":[1,"5"]},)"
      R"({"metric":{"__name__":"a_bucket","pod":"1","le":"+Inf"},"value":[1,"20"]},)"
      R"({"metric":{"__name__":"a_bucket","pod":"2","le":"+Inf"},"value":[1,"10"]},)"
      R"({"metric":{"__name__":"b_bucket","le":"0.1"},"value":[1,"0"]},)"
      R"({"metric":{"__name__":"b_bucket","le":"+Inf"},"value":[1,"100"]}]}})";
  const Observations a = read_observations(two, "q.json", ReadOptions{});
  EXPECT_EQ(a.source, "a");
  ASSERT_EQ(a.buckets.size(), 2u);
  EXPECT_EQ(a.buckets[0], std::make_pair(0.1, 15.0));
  EXPECT_EQ(a.buckets[1].second, 30.0);
}

TEST(FitInput, HistogramsThatIdentifyNoDistributionAreRefused) {
  // Every observation above the largest bound (the fit was an exponential of mean 1e17 s), or
  // in one bucket alone.
  EXPECT_EQ(refusal("h_bucket{le=\"0.1\"} 0\nh_bucket{le=\"0.5\"} 0\nh_bucket{le=\"+Inf\"} 100\n",
                    "m.prom"),
            "m.prom: expected observations within the finite buckets, found all 100 above the "
            "largest bound (0.5 s): buckets with larger bounds are needed");
  EXPECT_EQ(
      refusal("h_bucket{le=\"0.1\"} 100\nh_bucket{le=\"0.5\"} 100\nh_bucket{le=\"+Inf\"} 100\n",
              "m.prom"),
      "m.prom: expected observations in at least two buckets, found all 100 in one: one "
      "bucket's count identifies no distribution (finer buckets, or samples, are needed)");
}

TEST(FitInput, TruncatedAndMalformedFilesRefused) {
  EXPECT_EQ(refusal(R"({"metrics":{"http_req_duration":{"med":)", "s.json"),
            "s.json: invalid JSON at line 1, column 40: syntax error while parsing value - "
            "unexpected end of input; expected '[', '{', or a literal");
  EXPECT_EQ(refusal("h_bucket{le=\"0.1\" 3\n", "m.prom"),
            "m.prom: line 1, column 20: expected '}' closing the labels");
  EXPECT_EQ(refusal("h_bucket{le=\"0.1\"} x\n", "m.prom"),
            "m.prom: line 1, column 20: expected a count from 0 to 2^53, found \"x\"");
  EXPECT_EQ(refusal("h_bucket{le=\"0.1\"} 1e301\n", "m.prom"),
            "m.prom: line 1, column 20: expected a count from 0 to 2^53, found \"1e301\"");
  std::string csv = "ms\n";
  for (int i = 0; i < 12; ++i) csv += "5\n";
  csv += "-1\n";
  EXPECT_EQ(refusal(csv, "s.csv"),
            "s.csv: line 14, column 1: expected a latency > 0, found \"-1\"");
  EXPECT_EQ(refusal("1\n2\n", "s.csv"), "s.csv: expected at least 10 samples, found 2");
  // Out of range: the moments would overflow (it ended in a raw Boost error and exit 1).
  std::string huge;
  for (int i = 0; i < 12; ++i) huge += "0.1\n";
  EXPECT_EQ(refusal(huge + "1e308\n", "h.csv")
                .rfind("h.csv: line 13, column 1: expected a latency from 1 ns to 1 year, found "
                       "\"1e308\"",
                       0),
            0u);
  EXPECT_EQ(refusal(huge + "1e-320\n", "h.csv")
                .rfind("h.csv: line 13, column 1: expected a latency from 1 ns to 1 year", 0),
            0u);
  EXPECT_EQ(refusal(R"x({"metrics":{"http_req_duration":{"med":5,"p(90)":4}}})x", "s.json"),
            "/metrics/http_req_duration: expected percentiles that grow with p, found p90 below "
            "p50 (s.json: line 1, column 33)");
}

TEST(FitInput, CsvColumnByHeaderName) {
  std::string csv = "time,latency_ms\n";
  for (int i = 1; i <= 10; ++i) {
    // Appended piece by piece: "t" + std::string makes g++ 12 warn falsely (-Wrestrict).
    csv += 't';
    csv += std::to_string(i);
    csv += ',';
    csv += std::to_string(i);
    csv += '\n';
  }
  ReadOptions options;
  options.column = "latency_ms";
  options.seconds_per_unit = 1e-3;
  const Observations o = read_observations(csv, "s.csv", options);
  ASSERT_EQ(o.samples_s.size(), 10u);
  EXPECT_DOUBLE_EQ(o.samples_s[9], 0.010);
}

}  // namespace
}  // namespace capsim::fit
