/// \file A service time whose distribution's mean is implausible (over an hour, or infinite):
/// parameters that each look fine can still give one (a Weibull shape of 0.01 has a mean of
/// about 1e157 times its scale), and the run then shows no finished request without a word.
/// Warned, never refused (plausibility.hpp).

#include <cmath>
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "capsim/dist/distribution.hpp"
#include "plausibility.hpp"

namespace capsim::model::detail {

namespace {

/// A mean in seconds for the message: "3.6e+157 s", "7200 s".
std::string mean_text(double mean_s) {
  if (!std::isfinite(mean_s)) return "infinite";
  if (mean_s < 1e6) return number_text(std::round(mean_s)) + " s";
  char text[32];
  std::snprintf(text, sizeof text, "%.3g s", mean_s);
  return text;
}

void check(const dist::DistSpec& d, const std::string& pointer, const char* what, Reader& reader) {
  // A constant is its own mean: its value is warned about where it lacks a unit.
  if (std::holds_alternative<dist::Constant>(d.v)) return;
  const double mean_s = dist::mean_of(d);
  if (mean_s <= kMaxPlausibleMean_s) return;
  reader.warning(pointer, std::string("the distribution's mean is ") + mean_text(mean_s) +
                              ", implausible for " + what +
                              " (over an hour): check its parameters");
}

void check_steps(const std::vector<StepSpec>& steps, Reader& reader);

/// The steps a call runs at its caller: a fallback's, a cache-aside lookup's on_miss.
void check_call(const CallSpec& c, Reader& reader) {
  if (c.fallback) check_steps(c.fallback->steps, reader);
  if (c.on_miss) check_steps(c.on_miss->steps, reader);
}

void check_steps(const std::vector<StepSpec>& steps, Reader& reader) {
  for (const StepSpec& step : steps) {
    switch (step.kind) {
      case StepKind::work:
        // A database's or cache's one step is its `work` itself.
        check(step.work, step.pointer.ends_with("/work") ? step.pointer : step.pointer + "/work",
              "work", reader);
        break;
      case StepKind::delay:
        check(step.delay, step.pointer + "/delay", "a delay", reader);
        break;
      case StepKind::call:
        check_call(step.call, reader);
        break;
      case StepKind::parallel:
        for (const CallSpec& c : step.parallel) check_call(c, reader);
        break;
    }
  }
}

}  // namespace

void check_work_means(const Spec& spec, Reader& reader) {
  for (const ServiceSpec& s : spec.services) {
    for (const EndpointSpec& e : s.endpoints) check_steps(e.steps, reader);
  }
}

}  // namespace capsim::model::detail
