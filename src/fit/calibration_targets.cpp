// Reading the observed percentiles that `capsim calibrate` fits a model to.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "capsim/dist/duration.hpp"
#include "capsim/fit/calibrate.hpp"
#include "capsim/model/diagnostics.hpp"
#include "capsim/model/error.hpp"
#include "work_shape.hpp"

namespace capsim::fit {

namespace {

using model::child;
using model::Json;
using model::ModelError;

// The percentiles the results carry (docs/results-format.md): workloads have p90 and p999,
// services do not.
const std::vector<std::string> workload_percentiles = {"p50", "p90", "p95", "p99", "p999"};
const std::vector<std::string> service_percentiles = {"p50", "p95", "p99"};

double percentile_rank(const std::string& name) {
  return name == "p999" ? 99.9 : std::stod(name.substr(1));
}

bool has_work(const std::vector<model::StepSpec>& steps) {
  return std::any_of(steps.begin(), steps.end(),
                     [](const model::StepSpec& s) { return s.kind == model::StepKind::work; });
}

bool service_has_work(const model::ServiceSpec& service) {
  return std::any_of(service.endpoints.begin(), service.endpoints.end(),
                     [](const model::EndpointSpec& e) { return has_work(e.steps); });
}

std::vector<std::string> keys(const Json& object) {
  std::vector<std::string> out;
  for (auto it = object.begin(); it != object.end(); ++it) out.push_back(it.key());
  return out;
}

class TargetReader {
 public:
  explicit TargetReader(const model::Spec& spec) : spec_(spec) {}

  /// Reads one object of percentiles {"p50": "40ms", ...} of the metric prefix `prefix`; returns
  /// how many.
  std::size_t read_percentiles(const Json& value, const std::string& pointer,
                               const std::string& prefix, const std::vector<std::string>& allowed) {
    if (!value.is_object() || value.empty()) {
      fail(pointer, "expected an object of percentiles such as {\"p50\": \"40ms\"}, found " +
                        model::describe(value));
    }
    std::vector<CalibrationTarget> read;
    for (auto it = value.begin(); it != value.end(); ++it) {
      const std::string at = child(pointer, it.key());
      if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
        fail(at, "expected a percentile the results have (" + model::join(allowed) + "), found '" +
                     it.key() + "'");
      }
      const auto seconds =
          it->is_string() ? dist::parse_duration(it->get<std::string>()) : std::nullopt;
      if (!seconds || !(*seconds > 0.0)) {
        fail(at, "expected a positive duration such as \"40ms\", found " + model::describe(*it));
      }
      // As fit's latencies: a nanosecond to a year (no simulation reaches 1e300 s).
      if (!(*seconds >= 1e-9 && *seconds <= 3.2e7)) {
        fail(at, "expected a latency from 1 ns to 1 year, found " + model::describe(*it));
      }
      read.push_back({at, prefix + "." + it.key(), it.key(), *seconds});
    }
    std::stable_sort(read.begin(), read.end(), [](const auto& a, const auto& b) {
      return percentile_rank(a.percentile) < percentile_rank(b.percentile);
    });
    for (std::size_t i = 1; i < read.size(); ++i) {
      if (read[i].observed_s < read[i - 1].observed_s) {
        fail(read[i].pointer, "expected percentiles that do not decrease: " + read[i].percentile +
                                  " is " + dist::format_duration(read[i].observed_s) + ", below " +
                                  read[i - 1].percentile + " (" +
                                  dist::format_duration(read[i - 1].observed_s) + ")");
      }
    }
    targets_.insert(targets_.end(), read.begin(), read.end());
    return read.size();
  }

  [[noreturn]] void fail(const std::string& pointer, const std::string& message) {
    throw ModelError(pointer, message);
  }

  const model::Spec& spec_;
  std::vector<CalibrationTarget> targets_;
};

/// Whether a spread factor can move some work step of `service`.
bool service_has_spread(const model::ServiceSpec& service) {
  for (const model::EndpointSpec& e : service.endpoints) {
    for (const model::StepSpec& step : e.steps) {
      if (step.kind == model::StepKind::work && detail::has_spread(step.work)) return true;
    }
  }
  return false;
}

}  // namespace

CalibrationProblem read_calibration(const model::Document& observations, const model::Spec& spec,
                                    bool scale_only) {
  try {
    const Json& doc = observations.json;
    TargetReader reader(spec);
    if (!doc.is_object() || !doc.contains("observed")) {
      reader.fail("", "expected an object {\"observed\": {...}}, found " + model::describe(doc));
    }
    for (const std::string& key : keys(doc)) {
      if (key != "observed") {
        reader.fail(child("", key), model::unknown_key(key, {"observed"}, "observed"));
      }
    }
    const Json& observed = doc["observed"];
    const std::string root = "/observed";
    if (!observed.is_object() || observed.empty()) {
      reader.fail(root, "expected an object with end_to_end, workloads or services, found " +
                            model::describe(observed));
    }
    const std::vector<std::string> sections = {"end_to_end", "workloads", "services"};
    for (const std::string& key : keys(observed)) {
      if (std::find(sections.begin(), sections.end(), key) == sections.end()) {
        reader.fail(child(root, key),
                    model::unknown_key(key, sections, "end_to_end, workloads, services"));
      }
    }
    std::vector<std::string> workload_names;
    for (const auto& w : spec.workloads) workload_names.push_back(w.name);
    std::vector<std::string> service_names;
    for (const auto& s : spec.services) service_names.push_back(s.name);

    bool end_to_end = false;
    if (observed.contains("end_to_end")) {
      const std::string at = child(root, "end_to_end");
      if (spec.workloads.size() != 1) {
        reader.fail(at, "expected a model with one workload for end_to_end (this one has " +
                            std::to_string(spec.workloads.size()) +
                            "); name the workload under /observed/workloads");
      }
      reader.read_percentiles(observed["end_to_end"], at,
                              "workloads." + spec.workloads.front().name + ".latency_ms",
                              workload_percentiles);
      end_to_end = true;
    }
    if (observed.contains("workloads")) {
      const std::string at = child(root, "workloads");
      const Json& workloads = observed["workloads"];
      if (!workloads.is_object()) {
        reader.fail(at, "expected an object {WORKLOAD: {\"p50\": ...}}, found " +
                            model::describe(workloads));
      }
      for (auto it = workloads.begin(); it != workloads.end(); ++it) {
        if (std::find(workload_names.begin(), workload_names.end(), it.key()) ==
            workload_names.end()) {
          reader.fail(child(at, it.key()), "expected a workload of the model (" +
                                               model::join(workload_names) + "), found '" +
                                               it.key() + "'" +
                                               model::did_you_mean(it.key(), workload_names));
        }
        reader.read_percentiles(*it, child(at, it.key()), "workloads." + it.key() + ".latency_ms",
                                workload_percentiles);
        end_to_end = true;
      }
    }
    CalibrationProblem problem;
    std::vector<bool> own(spec.services.size(), false);
    if (observed.contains("services")) {
      const std::string at = child(root, "services");
      const Json& services = observed["services"];
      if (!services.is_object()) {
        reader.fail(
            at, "expected an object {SERVICE: {\"p50\": ...}}, found " + model::describe(services));
      }
      for (auto it = services.begin(); it != services.end(); ++it) {
        const std::string here = child(at, it.key());
        const auto index = spec.service_index(it.key());
        if (!index) {
          reader.fail(here, "expected a service of the model (" + model::join(service_names) +
                                "), found '" + it.key() + "'" +
                                model::did_you_mean(it.key(), service_names));
        }
        if (!service_has_work(spec.services[*index])) {
          reader.fail(here, "expected a service with a `work` step to scale; " + it.key() +
                                " has none, so calibration cannot reach its percentiles");
        }
        const std::size_t percentiles = reader.read_percentiles(
            *it, here, "services." + it.key() + ".latency_ms", service_percentiles);
        own[*index] = true;
        problem.parameters.push_back({it.key(), {*index}, ParameterKind::scale, false});
        // Two percentiles or more fix the spread as well as the scale of the service's latency.
        if (percentiles >= 2 && !scale_only) {
          if (service_has_spread(spec.services[*index])) {
            problem.parameters.push_back({it.key(), {*index}, ParameterKind::spread, false});
          } else {
            problem.notes.push_back(it.key() +
                                    "'s work (constant or hyperexponential) has no spread to "
                                    "fit: scaled only");
          }
        }
      }
    }
    if (end_to_end) {
      CalibrationParameter others{"others", {}, ParameterKind::scale, true};
      for (std::size_t i = 0; i < spec.services.size(); ++i) {
        if (!own[i] && service_has_work(spec.services[i])) others.services.push_back(i);
      }
      if (!others.services.empty()) problem.parameters.push_back(std::move(others));
    }
    if (problem.parameters.empty()) {
      reader.fail(root, "expected targets that a service's work can move; none found");
    }
    problem.targets = std::move(reader.targets_);
    return problem;
  } catch (const ModelError& e) {
    throw model::locate(e, observations.positions);
  }
}

}  // namespace capsim::fit
