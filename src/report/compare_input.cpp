#include "capsim/report/inputs.hpp"

#include <algorithm>
#include <utility>

#include "capsim/model/diagnostics.hpp"
#include "input_reading.hpp"

namespace capsim::report {

// The helpers shared by the readers (input_reading.hpp).
using namespace detail;

namespace {

using model::child;

}  // namespace

CompareDoc parse_compare(const std::string& text) {
  const Json root = root_object(text);
  CompareDoc doc;
  doc.header = read_header(root);
  doc.baseline = string_of(required(root, "", "baseline"), "/baseline");
  doc.slo = read_slo_limits(root);
  const Json& metrics = array_at(root, "", "metrics");
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const std::string p = child("/metrics", i);
    const Json& m = metrics[i];
    CompareDoc::Metric metric;
    if (m.is_object()) {
      metric.name = string_of(required(m, p, "name"), child(p, "name"));
      metric.better = optional_string(m, p, "better");
    } else {
      metric.name = string_of(m, p);
    }
    doc.metrics.push_back(std::move(metric));
  }
  const Json& variants = object_at(root, "", "variants");
  if (variants.empty()) bad("/variants", "expected at least one variant, found none");
  for (const auto& [name, values] : variants.items()) {
    const std::string p = child("/variants", name);
    if (!values.is_object()) bad(p, "expected an object of estimates, found " + describe(values));
    doc.variants.push_back(name);
    std::vector<Value> row;
    for (const CompareDoc::Metric& m : doc.metrics) {
      const Json* v = member(values, m.name);
      row.push_back(v == nullptr || v->is_null() ? Value{} : read_value(*v, child(p, m.name)));
    }
    doc.values.push_back(std::move(row));
  }
  if (std::find(doc.variants.begin(), doc.variants.end(), doc.baseline) == doc.variants.end()) {
    bad("/baseline", "expected one of the variants, found \"" + doc.baseline + "\"");
  }
  const Json& differences = object_at(root, "", "differences");
  for (const auto& [name, _] : differences.items()) {
    if (std::find(doc.variants.begin(), doc.variants.end(), name) == doc.variants.end()) {
      bad(child("/differences", name), "expected the name of a variant");
    }
  }
  for (const std::string& variant : doc.variants) {
    std::vector<std::optional<Difference>> row;
    const Json* diffs = member(differences, variant);
    const std::string p = child("/differences", variant);
    if (diffs != nullptr && !diffs->is_object())
      bad(p, "expected an object, found " + describe(*diffs));
    for (const CompareDoc::Metric& m : doc.metrics) {
      const Json* d = diffs == nullptr ? nullptr : member(*diffs, m.name);
      if (d == nullptr || d->is_null()) {
        row.emplace_back();
        continue;
      }
      const std::string dp = child(p, m.name);
      Difference diff;
      diff.value = read_value(*d, dp);
      diff.relative = optional_number(*d, dp, "relative");
      diff.verdict = optional_string(*d, dp, "verdict");
      row.emplace_back(std::move(diff));
    }
    doc.differences.push_back(std::move(row));
  }
  const Json* slo = member(root, "slo_met");
  const Json* notices = member(root, "notices");
  if (slo != nullptr && !slo->is_object() && !slo->is_null())
    bad("/slo_met", "expected an object, found " + describe(*slo));
  if (notices != nullptr && !notices->is_object())
    bad("/notices", "expected an object, found " + describe(*notices));
  for (const std::string& variant : doc.variants) {
    std::optional<bool> met;
    if (slo != nullptr && slo->is_object()) {
      if (const Json* v = member(*slo, variant)) met = bool_or_null(*v, child("/slo_met", variant));
    }
    doc.slo_met.push_back(met);
    std::vector<std::string> lines;
    if (notices != nullptr) {
      if (const Json* v = member(*notices, variant)) {
        if (!v->is_array())
          bad(child("/notices", variant), "expected an array, found " + describe(*v));
        lines = strings(*v, child("/notices", variant));
      }
    }
    doc.notices.push_back(std::move(lines));
  }
  return doc;
}

}  // namespace capsim::report
