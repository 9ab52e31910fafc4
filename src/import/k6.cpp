/// \file k6 options -> model fragments (capsim::import::import_k6).

#include "capsim/import/k6.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>

#include "capsim/dist/duration.hpp"
#include "capsim/model/diagnostics.hpp"
#include "capsim/model/error.hpp"

namespace capsim::import {

namespace {

using model::child;
using model::describe;
using model::ModelError;

[[noreturn]] void refuse(const std::string& pointer, const std::string& message) {
  throw ModelError(pointer, message);
}

/// A k6 duration: Go's form, segments such as "1h30m", "1m30s", "500ms", each parsed as capsim
/// parses a duration.
std::optional<double> k6_duration(const std::string& text) {
  if (const auto whole = dist::parse_duration(text)) return whole;
  double total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    while (i < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
      ++i;
    }
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start) return std::nullopt;
    const auto part = dist::parse_duration(std::string_view(text).substr(start, i - start));
    if (!part) return std::nullopt;
    total += *part;
  }
  return text.empty() ? std::nullopt : std::optional<double>(total);
}

/// What the model accepts (docs/model-format.md), checked here so that a fragment never holds a
/// value the model refuses or one that JSON cannot hold (an overflow was written as null).
constexpr double kMaxRate = 1e7;         // requests per second
constexpr double kMaxUsers = 1e6;        // virtual users
constexpr double kMaxDurationS = 3.2e7;  // a year

/// `x` (a rate or a number of users computed from `value`) at most `max`, else refused at
/// `pointer`.
double at_most(double x, double max, const Json& value, const std::string& pointer,
               const char* what) {
  if (!(x <= max)) {
    refuse(pointer, std::string("expected ") + what + " of at most " +
                        (max >= 1e7 ? "10000000" : "1000000") + ", found " + describe(value));
  }
  return x;
}

double duration_s(const Json& value, const std::string& pointer) {
  std::optional<double> s;
  if (value.is_string()) s = k6_duration(value.get<std::string>());
  if (value.is_number()) s = value.get<double>() / 1000.0;  // k6 reads bare numbers as ms
  if (!s || !std::isfinite(*s) || *s < 0) {
    refuse(pointer,
           "expected a k6 duration such as \"30s\" or \"1m30s\", found " + describe(value));
  }
  if (*s > kMaxDurationS) {
    refuse(pointer, "expected a k6 duration of at most a year, found " + describe(value));
  }
  return *s;
}

double number(const Json& value, const std::string& pointer, double min) {
  if (!value.is_number() || !(value.get<double>() >= min) || !std::isfinite(value.get<double>())) {
    refuse(pointer, "expected a number >= " + std::to_string(static_cast<long long>(min)) +
                        ", found " + describe(value));
  }
  return value.get<double>();
}

std::string seconds_text(double s) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.10gs", s);
  return buffer;
}

/// A number as JSON: an integer when it is one (300, not 300.0), else 10 significant digits.
Json rounded(double x) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.10g", x);
  const double y = std::strtod(buffer, nullptr);
  if (y == std::floor(y) && std::fabs(y) < 1e15) return Json(static_cast<std::int64_t>(y));
  return Json(y);
}

/// k6 stages -> model stages ({duration, target} scaled by `per_s`, at most `max`), and their
/// total length.
Json stages(const Json& value, const std::string& pointer, double per_s, double max,
            double& total_s) {
  if (!value.is_array() || value.empty()) {
    refuse(pointer,
           "expected a non-empty array of stages {duration, target}, found " + describe(value));
  }
  Json out = Json::array();
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string at = child(pointer, i);
    const Json& stage = value[i];
    if (!stage.is_object() || !stage.contains("duration") || !stage.contains("target")) {
      refuse(at, "expected a stage {\"duration\": ..., \"target\": ...}, found " + describe(stage));
    }
    const double d = duration_s(stage["duration"], child(at, "duration"));
    const double target = number(stage["target"], child(at, "target"), 0);
    at_most(target * per_s, max, stage["target"], child(at, "target"),
            max >= kMaxRate ? "a target rate per second" : "a target number of VUs");
    total_s += d;
    out.push_back(Json{{"duration", seconds_text(d)}, {"target", rounded(target * per_s)}});
  }
  return out;
}

struct Scenario {
  Json workload;
  double end_s = 0;
  double length_s = 0;  ///< from the model's t = 0 (startTime included)
};

/// k6 stops a scenario when its duration or stages are over: a workload that ends before the
/// simulation does drops to no traffic then (a final stage to 0 that holds), instead of holding
/// its last rate or population to the end.
void stop_at(Json& workload, double length_s) {
  const char* key = workload["kind"] == "closed" ? "users" : "rate";
  Json& profile = workload[key];
  if (!profile.is_object()) {  // constant: hold it for length_s, then stop
    const Json level = profile;
    profile = Json{
        {"start", level},
        {"stages", Json::array({Json{{"duration", seconds_text(length_s)}, {"target", level}}})}};
  }
  profile["stages"].push_back(Json{{"duration", "0s"}, {"target", 0}});
}

/// k6's startTime: no traffic (rate or users 0) until `start_s`, then the scenario's profile,
/// `length_s` long, from its start value.
void start_later(Json& workload, double start_s, double length_s) {
  const char* key = workload["kind"] == "closed" ? "users" : "rate";
  Json& profile = workload[key];
  Json stages = Json::array({Json{{"duration", seconds_text(start_s)}, {"target", 0}}});
  if (!profile.is_object()) {  // constant: jump to it, hold it for length_s
    stages.push_back(Json{{"duration", "0s"}, {"target", profile}});
    stages.push_back(Json{{"duration", seconds_text(length_s)}, {"target", profile}});
  } else {
    stages.push_back(Json{{"duration", "0s"}, {"target", profile["start"]}});
    for (Json& stage : profile["stages"]) stages.push_back(std::move(stage));
  }
  profile = Json{{"start", 0}, {"stages", std::move(stages)}};
}

Scenario scenario(const std::string& name, const Json& s, const std::string& at,
                  const std::string& target, std::vector<std::string>& warnings) {
  if (!s.is_object()) refuse(at, "expected a scenario object, found " + describe(s));
  if (!s.contains("executor")) refuse(child(at, "executor"), "missing; expected the executor");
  const Json& executor = s["executor"];
  const std::vector<std::string> known = {"constant-vus", "ramping-vus", "constant-arrival-rate",
                                          "ramping-arrival-rate"};
  const std::string kind = executor.is_string() ? executor.get<std::string>() : "";
  if (std::find(known.begin(), known.end(), kind) == known.end()) {
    std::string why = "expected one of: " + model::join(known) + ", found " + describe(executor);
    if (kind == "per-vu-iterations" || kind == "shared-iterations" ||
        kind == "externally-controlled") {
      why +=
          " (a fixed number of iterations or an external controller has no rate or "
          "population over time to simulate)";
    } else {
      why += model::did_you_mean(kind, known);
    }
    refuse(child(at, "executor"), why);
  }
  Scenario out;
  Json w = Json::object();
  w["name"] = name;
  double start_s = 0;
  if (s.contains("startTime")) start_s = duration_s(s["startTime"], child(at, "startTime"));
  for (const char* key : {"gracefulStop", "gracefulRampDown", "maxVUs", "preAllocatedVUs", "exec",
                          "env", "tags", "options"}) {
    if (s.contains(key)) {
      warnings.push_back(child(at, key) + ": not modelled" +
                         (std::string(key) == "maxVUs" || std::string(key) == "preAllocatedVUs"
                              ? " (the model sends every arrival; k6 drops those beyond its VUs)"
                              : ""));
    }
  }
  const double time_unit_s =
      s.contains("timeUnit") ? duration_s(s["timeUnit"], child(at, "timeUnit")) : 1.0;
  if (time_unit_s <= 0) refuse(child(at, "timeUnit"), "expected a duration > 0");
  double length_s = 0;
  if (kind == "constant-vus" || kind == "ramping-vus") {
    w["kind"] = "closed";
    w["target"] = target;
    // The think time is the script's sleep(), which the options do not hold: without it, the
    // VUs send back to back.
    warnings.push_back((at.empty() ? std::string("/") : at) +
                       ": no think_time: a script's sleep() is not in its options, so the "
                       "users send back to back; set think_time (from a k6 run: Z = VUs / "
                       "(iterations per second) - an iteration's time in its requests, by "
                       "Little's law)");
    if (kind == "constant-vus") {
      const double vus = s.contains("vus") ? number(s["vus"], child(at, "vus"), 1) : 1.0;
      if (vus != std::floor(vus)) {
        refuse(child(at, "vus"), "expected a whole number of VUs, found " + describe(s["vus"]));
      }
      at_most(vus, kMaxUsers, s["vus"], child(at, "vus"), "a number of VUs");
      w["users"] = rounded(vus);
      if (!s.contains("duration")) refuse(child(at, "duration"), "missing; expected a duration");
      length_s = duration_s(s["duration"], child(at, "duration"));
    } else {
      if (!s.contains("stages")) refuse(child(at, "stages"), "missing; expected stages");
      Json users = Json::object();
      users["stages"] = stages(s["stages"], child(at, "stages"), 1.0, kMaxUsers, length_s);
      for (std::size_t i = 0; i < users["stages"].size(); ++i) {
        const double target = users["stages"][i]["target"].get<double>();
        if (target != std::floor(target)) {
          refuse(child(child(child(at, "stages"), i), "target"),
                 "expected a whole number of VUs, found " + describe(users["stages"][i]["target"]));
        }
      }
      const double start =
          s.contains("startVUs") ? number(s["startVUs"], child(at, "startVUs"), 0) : 1.0;
      if (start != std::floor(start)) {
        refuse(child(at, "startVUs"),
               "expected a whole number of VUs, found " + describe(s["startVUs"]));
      }
      if (s.contains("startVUs")) {
        at_most(start, kMaxUsers, s["startVUs"], child(at, "startVUs"), "a number of VUs");
      }
      users["start"] = rounded(start);
      w["users"] = std::move(users);
    }
  } else {
    w["kind"] = "open";
    w["target"] = target;
    if (kind == "constant-arrival-rate") {
      if (!s.contains("rate")) refuse(child(at, "rate"), "missing; expected a rate");
      const double rate = number(s["rate"], child(at, "rate"), 0) / time_unit_s;
      if (!std::isfinite(rate)) {
        refuse(child(at, "rate"),
               "expected a rate that is a finite number of arrivals per "
               "second over timeUnit, found " +
                   describe(s["rate"]));
      }
      at_most(rate, kMaxRate, s["rate"], child(at, "rate"), "a rate per second");
      w["rate"] = rounded(rate);
      if (!s.contains("duration")) refuse(child(at, "duration"), "missing; expected a duration");
      length_s = duration_s(s["duration"], child(at, "duration"));
    } else {
      if (!s.contains("stages")) refuse(child(at, "stages"), "missing; expected stages");
      Json rate = Json::object();
      rate["stages"] =
          stages(s["stages"], child(at, "stages"), 1.0 / time_unit_s, kMaxRate, length_s);
      double start = 0.0;
      if (s.contains("startRate")) {
        start = at_most(number(s["startRate"], child(at, "startRate"), 0) / time_unit_s, kMaxRate,
                        s["startRate"], child(at, "startRate"), "a start rate per second");
      }
      rate["start"] = rounded(start);
      w["rate"] = std::move(rate);
    }
  }
  if (start_s > 0) start_later(w, start_s, length_s);
  out.workload = std::move(w);
  out.end_s = start_s + length_s;
  out.length_s = start_s + length_s;
  return out;
}

/// "p(95)<500" -> ("p95", 0.5 s); nullopt when the expression is not one the SLO takes.
std::optional<std::pair<std::string, double>> latency_threshold(const std::string& text) {
  const auto lt = text.find('<');
  if (lt == std::string::npos) return std::nullopt;
  std::string stat = text.substr(0, lt);
  stat.erase(std::remove(stat.begin(), stat.end(), ' '), stat.end());
  std::string value = text.substr(lt + 1);
  if (!value.empty() && value[0] == '=') value.erase(0, 1);
  char* end = nullptr;
  const double ms = std::strtod(value.c_str(), &end);
  while (end != nullptr && *end == ' ') ++end;
  if (end == value.c_str() || (end != nullptr && *end != '\0') || !(ms > 0)) return std::nullopt;
  std::string key;
  if (stat == "med" || stat == "p(50)") key = "p50";
  if (stat == "p(90)") key = "p90";
  if (stat == "p(95)") key = "p95";
  if (stat == "p(99)") key = "p99";
  if (stat == "p(99.9)") key = "p999";
  if (stat == "avg") key = "mean";
  if (stat == "max") key = "max";
  if (key.empty()) return std::nullopt;
  return std::make_pair(key, ms / 1000.0);
}

void thresholds(const Json& value, Json& model, std::vector<std::string>& warnings) {
  if (!value.is_object()) refuse("/thresholds", "expected an object, found " + describe(value));
  Json latency = Json::object();
  std::map<std::string, double> strictest;
  for (const auto& [metric, list] : value.items()) {
    const std::string at = child("/thresholds", metric);
    const Json items = list.is_array() ? list : Json::array({list});
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string item_at = list.is_array() ? child(at, i) : at;
      const Json& item = items[i];
      const Json& expression =
          item.is_object() && item.contains("threshold") ? item["threshold"] : item;
      if (!expression.is_string()) {
        refuse(item_at, "expected a threshold such as \"p(95)<500\", found " + describe(item));
      }
      const std::string text = expression.get<std::string>();
      bool used = false;
      if (metric == "http_req_duration") {
        if (const auto t = latency_threshold(text)) {
          // k6 requires every threshold to pass: the strictest of a statistic's limits holds.
          const auto it = strictest.find(t->first);
          if (it == strictest.end() || t->second < it->second) {
            strictest[t->first] = t->second;
            latency[t->first] = seconds_text(t->second);
          }
          used = true;
        }
      } else if (metric == "http_req_failed") {
        std::string compact = text;  // k6 allows spaces: "rate < 0.01"
        compact.erase(std::remove(compact.begin(), compact.end(), ' '), compact.end());
        if (compact.rfind("rate<", 0) == 0) {
          char* end = nullptr;
          const std::string number_text = compact.substr(compact[5] == '=' ? 6 : 5);
          const double rate = std::strtod(number_text.c_str(), &end);
          if (end != number_text.c_str() && *end == '\0' && rate >= 0 && rate <= 1) {
            // The strictest of several limits holds.
            if (!model["slo"].contains("error_rate") ||
                rate < model["slo"]["error_rate"].get<double>()) {
              model["slo"]["error_rate"] = rate;
            }
            used = true;
          }
        }
      }
      if (!used)
        warnings.push_back(item_at + ": threshold " + describe(expression) +
                           " not modelled (the SLO takes http_req_duration p(N), med, "
                           "avg, max and http_req_failed rate)");
    }
  }
  if (!latency.empty()) model["slo"]["latency"] = std::move(latency);
}

}  // namespace

Fragment import_k6(const Json& options, const std::string& target) {
  Fragment f;
  if (!options.is_object())
    refuse("", "expected k6 options (a JSON object), found " + describe(options));
  std::vector<Scenario> found;
  if (options.contains("scenarios") && !options["scenarios"].is_null()) {
    const Json& scenarios = options["scenarios"];
    if (!scenarios.is_object() || scenarios.empty()) {
      refuse("/scenarios", "expected an object of scenarios by name, found " + describe(scenarios));
    }
    for (const auto& [name, s] : scenarios.items()) {
      found.push_back(scenario(name, s, child("/scenarios", name), target, f.warnings));
    }
    for (const char* key : {"stages", "vus", "duration", "iterations"}) {
      if (options.contains(key) && !options[key].is_null()) {
        f.warnings.push_back(std::string("/") + key +
                             ": ignored (scenarios are given; k6 does the same)");
      }
    }
  } else if (options.contains("stages") && !options["stages"].is_null()) {
    // The shortcut: ramping-vus starting from `vus` (default 1).
    Json s = {{"executor", "ramping-vus"}, {"stages", options["stages"]}};
    if (options.contains("vus")) s["startVUs"] = options["vus"];
    found.push_back(scenario("default", s, "", target, f.warnings));
  } else if (options.contains("duration")) {
    if (options.contains("iterations") && !options["iterations"].is_null()) {
      refuse("/iterations",
             "expected no iterations beside vus and duration: k6 runs them as shared-iterations "
             "(a fixed number of iterations, the duration only a limit), which has no rate or "
             "population over time to simulate");
    }
    Json s = {{"executor", "constant-vus"},
              {"duration", options["duration"]},
              {"vus", options.contains("vus") ? options["vus"] : Json(1)}};
    found.push_back(scenario("default", s, "", target, f.warnings));
  } else if (options.contains("iterations")) {
    refuse("/iterations",
           "expected stages, scenarios or a duration: a fixed number of iterations "
           "has no rate or population over time to simulate");
  } else {
    refuse("", "expected k6 options with scenarios, stages or vus and duration, found none");
  }
  double end_s = 0;
  Json workloads = Json::array();
  for (const Scenario& s : found) end_s = std::max(end_s, s.end_s);
  for (Scenario& s : found) {
    if (s.length_s < end_s) stop_at(s.workload, s.length_s);
    workloads.push_back(std::move(s.workload));
  }
  f.model["simulation"] = Json{{"duration", seconds_text(end_s)}};
  f.model["workloads"] = std::move(workloads);
  f.warnings.push_back(
      "k6 counts iterations: each arrival (or each user's loop) is one request to the target "
      "here; a script whose default function makes N requests needs N calls in the target's "
      "steps (or N times the rate)");
  if (options.contains("thresholds") && !options["thresholds"].is_null()) {
    thresholds(options["thresholds"], f.model, f.warnings);
    const Json& slo = f.model.contains("slo") ? f.model["slo"] : Json();
    if (slo.is_object() && slo.contains("latency") && f.model["workloads"].size() > 1) {
      f.warnings.push_back(
          "/thresholds/http_req_duration: k6 checks it over every scenario's requests pooled; "
          "the model's slo.latency holds for each workload alone, which is stricter when one "
          "workload is slower than the mix");
    }
  }
  return f;
}

}  // namespace capsim::import
