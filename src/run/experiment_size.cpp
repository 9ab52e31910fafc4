#include "capsim/run/experiment_size.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "capsim/model/error.hpp"
#include "capsim/run/slo_verdict.hpp"
#include "experiment_estimate.hpp"
#include "experiment_output.hpp"
#include "size_sizer.hpp"

namespace capsim::run {

using detail::estimate_json;

namespace {

Json evaluation_json(const Experiment& e, const SizeEvaluation& ev, const char* unit) {
  Json j;
  j[unit] = ev.replicas;
  if (ev.counts.size() > 1) {
    Json counts = Json::object();
    for (const auto& [name, n] : ev.counts) counts[name] = n;
    j["counts"] = std::move(counts);
  }
  j["replications"] = ev.replications;
  j["slo_met"] = ev.met;
  j["confident"] = ev.confident;
  Json checks = Json::array();
  for (const SloCheck& c : ev.checks) {
    Json cj;
    cj["metric"] = c.metric;
    cj["limit"] = c.limit;
    cj["value"] = estimate_json(c.value);
    cj["met"] = c.met;
    cj["confident"] = c.confident;
    checks.push_back(std::move(cj));
  }
  j["checks"] = std::move(checks);
  Json metrics = Json::object();
  for (std::size_t m = 0; m < e.metrics.size(); ++m) {
    metrics[e.metrics[m].name] = estimate_json(ev.metrics[m]);
  }
  j["metrics"] = std::move(metrics);
  j["notices"] = ev.notices;
  return j;
}

template <class T>
Json optional_json(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

/// A configuration of `settings`: its values by setting name, its cost and its decision.
Json configuration_json(const Experiment& e, const SizeConfiguration& c, bool full) {
  Json j;
  Json values = Json::object();
  for (const auto& [name, n] : c.values) values[name] = n;
  j["values"] = std::move(values);
  j["cost"] = detail::number_json(c.cost);
  if (full) {
    Json ev = evaluation_json(e, c.evaluation, "value");
    ev.erase("value");
    ev.erase("counts");
    for (auto& [k, v] : ev.items()) j[k] = v;
  } else {
    j["replications"] = c.evaluation.replications;
    j["slo_met"] = c.evaluation.met;
    j["confident"] = c.evaluation.confident;
  }
  return j;
}

Json cheapest_json(const Experiment& e, const CheapestSizing& c) {
  Json j;
  Json settings = Json::array();
  for (const Experiment::SizedSetting& z : e.sized) {
    Json sj;
    sj["name"] = z.name;
    sj["pointer"] = z.pointer;
    sj["min"] = z.min;
    sj["max"] = z.max;
    sj["price_per_unit"] = z.price_per_unit;
    settings.push_back(std::move(sj));
  }
  j["settings"] = std::move(settings);
  j["max_configurations"] = e.max_configurations;
  j["answer"] = c.answer ? configuration_json(e, *c.answer, true) : Json(nullptr);
  j["confident"] = c.confident;
  j["exact"] = c.exact;
  for (const auto& [key, list] :
       {std::pair{"runners_up", &c.runners_up}, std::pair{"cheaper_failed", &c.cheaper_failed},
        std::pair{"evaluations", &c.evaluations}}) {
    Json a = Json::array();
    for (const SizeConfiguration& x : *list) a.push_back(configuration_json(e, x, false));
    j[key] = std::move(a);
  }
  j["ruled_out"] = c.ruled_out;
  j["notes"] = c.notes;
  return j;
}

/// The cheapest configuration, its runners-up and the dearest cheaper failures, one row each.
std::string cheapest_table(const Experiment& e, const CheapestSizing& c) {
  std::string out = "\ncheapest configuration meeting the SLO: ";
  if (!c.answer) {
    out += "none\n";
  } else {
    std::string named;
    for (std::size_t i = 0; i < c.answer->values.size(); ++i) {
      const Experiment::SizedSetting& z = e.sized[i];
      named += (i ? ", " : "") + (z.replicas ? z.name + " " : std::string()) +
               detail::value_text(z, c.answer->values[i].second);
    }
    out += named + "; cost " + detail::short_number(c.answer->cost) + " (" +
           (c.confident ? "confident" : "uncertain") + (c.exact ? "" : ", not exhaustive") + ")\n";
  }
  out += "  searched: " + std::to_string(c.evaluations.size()) + " configurations run, " +
         std::to_string(c.ruled_out) +
         " cheaper ruled out (no more of any setting than one that failed)\n";
  std::vector<std::vector<std::string>> table;
  std::vector<std::string> header{"  "};
  for (const Experiment::SizedSetting& z : e.sized) header.push_back(z.name);
  for (const char* h : {"cost", "replications", "SLO"}) header.emplace_back(h);
  for (const MetricChoice& m : e.metrics) header.push_back(m.name);
  table.push_back(header);
  const auto row = [&](const char* role, const SizeConfiguration& x) {
    std::vector<std::string> line{std::string("  ") + role};
    for (const auto& [name, n] : x.values) line.push_back(std::to_string(n));
    const SizeEvaluation& ev = x.evaluation;
    line.push_back(detail::short_number(x.cost));
    line.push_back(std::to_string(ev.replications));
    line.push_back(std::string(ev.met ? "met" : "NOT met") + (ev.confident ? "" : "?"));
    for (std::size_t m = 0; m < ev.metrics.size(); ++m) {
      const stats::Estimate& est = ev.metrics[m];
      line.push_back(detail::metric_cell(e.metrics[m].name, est.n > 0, est.mean,
                                         est.ci ? std::optional(est.ci->first) : std::nullopt,
                                         est.ci ? std::optional(est.ci->second) : std::nullopt));
    }
    table.push_back(std::move(line));
  };
  for (auto it = c.cheaper_failed.rbegin(); it != c.cheaper_failed.rend(); ++it) {
    row("cheaper", *it);
  }
  if (c.answer) row("cheapest", *c.answer);
  for (const SizeConfiguration& x : c.runners_up) row("runner-up", x);
  if (table.size() > 1) out += detail::render_table(table);
  for (const std::string& note : c.notes) out += "  note: " + note + "\n";
  return out;
}

}  // namespace

SizeResult run_size(const Experiment& experiment, Executor& executor,
                    const std::function<void(const std::string&)>& log) {
  return detail::Sizer(experiment, executor, log).run();
}

Json size_json(const Experiment& experiment, const SizeResult& result) {
  Json j = detail::header_json(experiment);
  j["at"] = experiment.at_peak ? "peak" : "model";
  Json peak = Json::object();
  for (const auto& [name, rate] : result.peak_rps) peak[name] = rate;
  j["peak_rps"] = std::move(peak);
  j["slo"] = detail::slo_limits_json(experiment);
  j["max_replications"] = experiment.max_replications;
  Json services = Json::object();
  for (const ServiceSizing& s : result.services) {
    // A setting other than replicas: its pointer, and "value" where a service has "replicas".
    const char* unit = s.is_replicas ? "replicas" : "value";
    Json sj;
    if (!s.is_replicas) sj["pointer"] = s.pointer;
    sj[unit] = optional_json(s.replicas);
    sj["confident"] = s.confident;
    sj["analytic"] = optional_json(s.analytic);
    sj["rule_of_thumb"] = optional_json(s.rule_of_thumb);
    // The peak the rule of thumb divides: replicas only.
    sj["peak_rps"] = s.is_replicas ? Json(s.peak_rps) : Json(nullptr);
    sj["breaking_point_rps"] =
        s.breaking_point_rps ? detail::number_json(*s.breaking_point_rps) : Json(nullptr);
    sj["breaking_point_bound_by"] =
        s.breaking_point_bound_by.empty() ? Json(nullptr) : Json(s.breaking_point_bound_by);
    sj["breaking_point_resource"] =
        s.breaking_point_resource.empty() ? Json(nullptr) : Json(s.breaking_point_resource);
    sj["at_answer"] = s.at_answer ? evaluation_json(experiment, *s.at_answer, unit) : Json(nullptr);
    sj["at_one_fewer"] =
        s.at_one_fewer ? evaluation_json(experiment, *s.at_one_fewer, unit) : Json(nullptr);
    Json evaluations = Json::array();
    for (const SizeEvaluation& ev : s.evaluations) {
      Json ej;
      ej[unit] = ev.replicas;
      ej["replications"] = ev.replications;
      ej["slo_met"] = ev.met;
      ej["confident"] = ev.confident;
      evaluations.push_back(std::move(ej));
    }
    sj["evaluations"] = std::move(evaluations);
    sj["analytic_assumptions"] = s.analytic_assumptions;
    sj["notes"] = s.notes;
    sj["bound_by"] = s.bound_by.empty() ? Json(nullptr) : Json(s.bound_by);
    services[s.service] = std::move(sj);
  }
  j["services"] = std::move(services);
  if (result.cheapest) j["cheapest"] = cheapest_json(experiment, *result.cheapest);
  return j;
}

std::string size_table(const Experiment& experiment, const SizeResult& result) {
  std::string out = "size " + experiment.name + ": model " + experiment.base.name + ", SLO at " +
                    (experiment.at_peak ? "the peak" : "the model's own workload");
  for (const auto& [name, rate] : result.peak_rps) {
    out += ", " + name + " " + detail::short_number(rate) + "/s";
  }
  out += ", decisions at " + detail::percent(experiment.confidence) + " confidence\n";
  if (result.cheapest) {
    out += cheapest_table(experiment, *result.cheapest);
    out += "\nper setting, its minimum with the others at their max:\n";
  }
  for (const ServiceSizing& s : result.services) {
    out += "\n";
    out += (s.is_replicas ? "service " : "setting ") + s.service + ": ";
    out += s.replicas
               ? (s.is_replicas
                      ? std::to_string(*s.replicas) + (*s.replicas == 1 ? " replica" : " replicas")
                      : std::to_string(*s.replicas))
               : std::string("no answer");
    if (s.bound_by == s.service) {
      out += " (bound by its own limit: see the note)";
    } else if (!s.bound_by.empty()) {
      out += " (bound by " + s.bound_by + ": size " + s.bound_by + " instead)";
    } else {
      out += s.confident ? " (confident)" : " (uncertain)";
    }
    out += "\n";
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"  analytic estimate", s.analytic ? std::to_string(*s.analytic) : "-"});
    if (s.is_replicas) {
      rows.push_back({"  rule of thumb (peak / breaking point + 2)",
                      s.rule_of_thumb ? std::to_string(*s.rule_of_thumb) : "-"});
    }
    if (s.breaking_point_rps) {
      rows.push_back(
          {"  one replica's breaking point", detail::short_number(*s.breaking_point_rps) + "/s"});
      // Named when it is not the tier's own cores: its workers, or a station further down.
      if (s.breaking_point_bound_by != s.service || s.breaking_point_resource != "cores") {
        rows.push_back({"  set by", s.breaking_point_bound_by + "'s " + s.breaking_point_resource});
      }
    }
    out += detail::render_table(rows);
    std::vector<std::vector<std::string>> table;
    std::vector<std::string> header{s.is_replicas ? "  replicas" : "  value", "replications",
                                    "SLO"};
    for (const MetricChoice& m : experiment.metrics) header.push_back(m.name);
    table.push_back(header);
    for (const auto* ev : {&s.at_one_fewer, &s.at_answer}) {
      if (!*ev) continue;
      const SizeEvaluation& e = **ev;
      std::vector<std::string> line{
          "  " + std::to_string(e.replicas), std::to_string(e.replications),
          std::string(e.met ? "met" : "NOT met") + (e.confident ? "" : "?")};
      for (std::size_t m = 0; m < e.metrics.size(); ++m) {
        const stats::Estimate& est = e.metrics[m];
        line.push_back(detail::metric_cell(experiment.metrics[m].name, est.n > 0, est.mean,
                                           est.ci ? std::optional(est.ci->first) : std::nullopt,
                                           est.ci ? std::optional(est.ci->second) : std::nullopt));
      }
      table.push_back(std::move(line));
    }
    out += detail::render_table(table);
    for (const std::string& note : s.notes) out += "  note: " + note + "\n";
  }
  return out;
}

}  // namespace capsim::run
