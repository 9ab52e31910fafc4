// capsim fit: a service-time distribution from observed latencies (src/fit/).

#include <CLI/CLI.hpp>

#include <algorithm>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "capsim/fit/fit.hpp"
#include "capsim/fit/observations.hpp"
#include "capsim/model/document.hpp"
#include "import_commands.hpp"

namespace capsim::cli {

namespace {

std::string fixed(double x, int decimals) {
  if (std::isnan(x)) return "-";
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  return buffer;
}

std::string significant(double x) {
  if (std::isnan(x)) return "-";
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.4g", x);
  return buffer;
}

std::string pad(std::string text, std::size_t width, bool left = false) {
  if (text.size() >= width) return text;
  return left ? text + std::string(width - text.size(), ' ')
              : std::string(width - text.size(), ' ') + text;
}

std::string percentile_label(double p) {
  return "p" + significant(p * 100) + " ms";
}

}  // namespace

CLI::App* add_fit_command(CLI::App& app, FitCommand& c) {
  CLI::App* fit = app.add_subcommand(
      "fit", "fit a service-time distribution to observed latencies; print the `work` snippet");
  fit->add_option("input", c.input,
                  "latencies: CSV samples, Prometheus _bucket series (text or API JSON), or a k6 "
                  "--summary-export JSON")
      ->required();
  fit->add_option("--format", c.format, "auto (default), csv, prometheus, prometheus-json, k6")
      ->check(CLI::IsMember({"auto", "csv", "prometheus", "prometheus-json", "k6"}));
  fit->add_option("--unit", c.unit,
                  "unit of CSV numbers and Prometheus bounds: s (default), ms, us")
      ->check(CLI::IsMember({"s", "ms", "us"}));
  fit->add_option("--column", c.column, "CSV: the column (header name or 1-based number)");
  fit->add_option("--metric", c.metric,
                  "Prometheus: the histogram's name without _bucket; k6: the trend metric "
                  "(default http_req_duration)");
  return fit;
}

namespace {

/// A note when the numbers' unit looks wrong: a metric named in milliseconds (or
/// microseconds) read as seconds, or a median too long for one request's service time.
std::string unit_note(const fit::Observations& o, const std::string& unit,
                      const fit::FitResult& r) {
  std::string name = o.source;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  const auto ends_with = [&](const std::string& tail) {
    return name.size() >= tail.size() &&
           name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
  };
  const bool named_ms = name.find("millisecond") != std::string::npos || ends_with("_ms");
  const bool named_us = name.find("microsecond") != std::string::npos || ends_with("_us");
  const bool named_s = !named_ms && !named_us && ends_with("_seconds");
  // k6 summaries are milliseconds whatever --unit says: nothing to advise.
  if (o.kind == fit::Observations::Kind::percentiles) return "";
  if (o.kind == fit::Observations::Kind::histogram) {
    if (named_ms && unit != "ms") {
      return "note: " + o.source + " is named in milliseconds, but its numbers were read as " +
             (unit == "us" ? "microseconds" : "seconds") + ": give --unit ms\n";
    }
    if (named_us && unit != "us") {
      return "note: " + o.source + " is named in microseconds, but its numbers were read as " +
             (unit == "ms" ? "milliseconds" : "seconds") + ": give --unit us\n";
    }
    if (named_s && unit != "s") {
      return "note: " + o.source + " is named in seconds, but its numbers were read as " +
             (unit == "ms" ? "milliseconds" : "microseconds") + ": leave out --unit\n";
    }
  }
  const double median_s = r.observed_s.empty() ? 0.0 : r.observed_s.front();
  if (unit == "s" && median_s > 10.0) {
    return "note: a median of " + significant(median_s) +
           " s is long for one request's service time: if the numbers are milliseconds, give "
           "--unit ms\n";
  }
  return "";
}

}  // namespace

int command_fit(const FitCommand& c) {
  fit::ReadOptions options;
  options.format = c.format == "csv"               ? fit::InputFormat::csv
                   : c.format == "prometheus"      ? fit::InputFormat::prometheus
                   : c.format == "prometheus-json" ? fit::InputFormat::prometheus_json
                   : c.format == "k6"              ? fit::InputFormat::k6
                                                   : fit::InputFormat::automatic;
  options.seconds_per_unit = c.unit == "ms" ? 1e-3 : c.unit == "us" ? 1e-6 : 1.0;
  options.column = c.column;
  options.metric = c.metric;
  const std::string text = model::read_input_file(c.input);
  const fit::Observations observations = fit::read_observations(text, c.input, options);
  // The model's empirical distribution reads one number of seconds per line: offer the file
  // itself only when it is that.
  std::string empirical_file;
  if (observations.kind == fit::Observations::Kind::samples && c.unit == "s" && c.column.empty() &&
      text.find(',') == std::string::npos && !text.empty() &&
      (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '.')) {
    empirical_file = c.input;
  }
  const fit::FitResult r = fit::fit(observations, empirical_file);

  std::string out;
  switch (observations.kind) {
    case fit::Observations::Kind::samples:
      out += "fit: " + std::to_string(r.count) + " samples from " + c.input;
      break;
    case fit::Observations::Kind::histogram:
      out += "fit: histogram " + observations.source + " (" + std::to_string(r.count) +
             " observations in " + std::to_string(observations.buckets.size()) + " buckets) from " +
             c.input;
      break;
    case fit::Observations::Kind::percentiles:
      out += "fit: " + std::to_string(observations.percentiles.size()) + " percentiles of " +
             observations.source + " from " + c.input;
      break;
  }
  out += "; " + r.statistic_name + ": smaller is better\n\n";
  const bool samples = observations.kind == fit::Observations::Kind::samples;
  const bool aic = observations.kind != fit::Observations::Kind::percentiles;
  std::string header = pad("candidate", 12, true) + pad(r.statistic_name, 16);
  if (aic) header += pad("AIC", 14);
  for (double p : r.probabilities) header += pad(percentile_label(p), 11);
  out += header + "\n";
  std::string observed = pad("observed", 12, true) + pad("", 16) + (aic ? pad("", 14) : "");
  for (double x : r.observed_s) observed += pad(significant(x * 1e3), 11);
  out += observed + "\n";
  for (std::size_t i = 0; i < r.candidates.size(); ++i) {
    const fit::Candidate& k = r.candidates[i];
    std::string row = pad(fit::family_name(k.family), 12, true);
    row += pad(k.family == fit::Family::empirical ? "-" : fixed(k.statistic, 4), 16);
    if (aic) row += pad(fixed(k.aic, 1), 14);
    for (double x : k.quantiles_s) row += pad(significant(x * 1e3), 11);
    if (i == r.chosen) row += "  <- chosen";
    out += row + "\n";
  }
  out += "\nchosen: " + fit::family_name(r.candidates[r.chosen].family) + " (" + r.reason + ")\n";
  if (samples && empirical_file.empty()) {
    out +=
        "note: empirical takes a file of one number of seconds per line; write the samples "
        "so to use it\n";
  }
  if (!samples) {
    // Histograms and k6 summaries are nearly always response times: pasted as a service time,
    // queueing and calls would be counted twice (docs/import.md).
    out +=
        "note: this is a service time (`work`) only if the latencies hold no queueing and no "
        "calls; response times measured under load or at the client do: capsim calibrate fits "
        "the work so that the model reproduces them\n";
  }
  out += unit_note(observations, c.unit, r);
  out += "\"work\": " + r.candidates[r.chosen].work.dump() + "\n";
  std::cout << out;
  return 0;
}

}  // namespace capsim::cli
