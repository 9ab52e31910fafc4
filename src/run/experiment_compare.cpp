#include "capsim/run/experiment_compare.hpp"

#include <algorithm>
#include <cmath>

#include "capsim/run/replications.hpp"
#include "capsim/run/slo_verdict.hpp"
#include "experiment_estimate.hpp"
#include "experiment_output.hpp"

namespace capsim::run {

using detail::estimate_json;

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::better:
      return "better";
    case Verdict::worse:
      return "worse";
    case Verdict::higher:
      return "higher";
    case Verdict::lower:
      return "lower";
    case Verdict::no_difference:
      return "no significant difference";
    case Verdict::undefined:
      return "undefined";
  }
  return "no significant difference";
}

Difference paired_difference(const std::vector<double>& variant,
                             const std::vector<double>& baseline, double confidence,
                             Better better) {
  std::vector<double> d;
  const std::size_t n = std::min(variant.size(), baseline.size());
  for (std::size_t r = 0; r < n; ++r) {
    if (std::isfinite(variant[r]) && std::isfinite(baseline[r]))
      d.push_back(variant[r] - baseline[r]);
  }
  Difference out;
  out.estimate = stats::estimate(d, confidence);
  // Nothing to compare: "no significant difference" would claim a comparison was made.
  if (d.size() < 2) {
    out.verdict = Verdict::undefined;
    return out;
  }
  if (!out.estimate.ci) return out;
  const auto [lo, hi] = *out.estimate.ci;
  int sign = 0;
  if (lo > 0.0) sign = 1;
  if (hi < 0.0) sign = -1;
  if (sign == 0) return out;
  switch (better) {
    case Better::lower:
      out.verdict = sign < 0 ? Verdict::better : Verdict::worse;
      break;
    case Better::higher:
      out.verdict = sign > 0 ? Verdict::better : Verdict::worse;
      break;
    case Better::neither:
      out.verdict = sign > 0 ? Verdict::higher : Verdict::lower;
      break;
  }
  return out;
}

CompareResult run_compare(const Experiment& experiment, Executor& executor,
                          const std::function<void(double)>& on_progress) {
  std::vector<model::Spec> specs;
  std::vector<Task> tasks;
  const auto reps = static_cast<std::uint64_t>(experiment.replications);
  for (std::size_t v = 0; v < experiment.variants.size(); ++v) {
    specs.push_back(load_variant(experiment, experiment.variants[v].overrides));
    for (std::uint64_t r = 0; r < reps; ++r) tasks.push_back({v, r});
  }
  ExecuteCallbacks callbacks;
  callbacks.on_progress = on_progress;
  const std::vector<stats::Summary> summaries = executor.run(specs, tasks, callbacks);

  CompareResult out;
  const std::size_t n_variants = experiment.variants.size();
  for (std::size_t v = 0; v < n_variants; ++v) {
    const std::vector<stats::Summary> mine(
        summaries.begin() + static_cast<std::ptrdiff_t>(v * reps),
        summaries.begin() + static_cast<std::ptrdiff_t>((v + 1) * reps));
    const Results r = merge(specs[v], mine);
    std::vector<VariantMetric> metrics;
    for (const MetricChoice& choice : experiment.metrics) {
      VariantMetric vm;
      if (const MergedMetric* m = r.find(choice.name)) {
        vm.values = m->values;
        std::vector<double> defined;
        for (double x : m->values) {
          if (std::isfinite(x)) defined.push_back(x);
        }
        vm.estimate = stats::estimate(defined, experiment.confidence);
      } else {
        // The variant changed the model's structure (a service removed): undefined.
        vm.values.assign(reps, std::nan(""));
      }
      metrics.push_back(std::move(vm));
    }
    out.metrics.push_back(std::move(metrics));
    out.notices.push_back(r.notices);
    out.activity.push_back(activity_of(r));
    if (r.slo) {
      out.slo_met.emplace_back(slo_verdict(r).met);
    } else {
      out.slo_met.emplace_back();
    }
  }
  const std::size_t b = experiment.baseline;
  for (std::size_t v = 0; v < n_variants; ++v) {
    std::vector<Difference> diffs;
    for (std::size_t m = 0; m < experiment.metrics.size(); ++m) {
      diffs.push_back(paired_difference(out.metrics[v][m].values, out.metrics[b][m].values,
                                        experiment.confidence, experiment.metrics[m].better));
    }
    out.differences.push_back(std::move(diffs));
  }
  return out;
}

namespace {

std::string estimate_text(const std::string& metric, const stats::Estimate& e) {
  if (e.n == 0) return "-";
  return detail::metric_cell(metric, true, e.mean,
                             e.ci ? std::optional<double>(e.ci->first) : std::nullopt,
                             e.ci ? std::optional<double>(e.ci->second) : std::nullopt);
}

std::string rate_text(double rps) {
  return rps == 0.0 ? "0" : detail::short_number(rps) + "/s";
}

/// Per variant: the SLO verdict, the cheapest variant meeting it, what each mechanism did, and
/// why a variant that changed nothing changed nothing.
std::string verdicts_text(const Experiment& experiment, const CompareResult& result) {
  const std::size_t n = experiment.variants.size();
  const bool priced = std::any_of(result.activity.begin(), result.activity.end(),
                                  [](const VariantActivity& a) { return a.cost.has_value(); });
  const bool any_slo = std::any_of(result.slo_met.begin(), result.slo_met.end(),
                                   [](const std::optional<bool>& m) { return m.has_value(); });
  std::vector<std::vector<std::string>> table;
  std::vector<std::string> header{"per variant"};
  for (const Variant& v : experiment.variants) header.push_back(v.name);
  table.push_back(header);
  const auto row = [&](const std::string& name, auto cell) {
    std::vector<std::string> line{std::string(2, ' ').append(name)};
    for (std::size_t v = 0; v < n; ++v) line.push_back(cell(v));
    table.push_back(std::move(line));
  };
  if (any_slo) {
    row("SLO", [&](std::size_t v) {
      return result.slo_met[v] ? (*result.slo_met[v] ? "met" : "NOT met") : "-";
    });
  }
  if (priced) {
    row("cost", [&](std::size_t v) {
      return result.activity[v].cost ? detail::short_number(*result.activity[v].cost) : "-";
    });
  }
  row("replica-hours",
      [&](std::size_t v) { return detail::short_number(result.activity[v].replica_hours); });
  row("retries", [&](std::size_t v) { return rate_text(result.activity[v].retries_rps); });
  row("timeouts", [&](std::size_t v) { return rate_text(result.activity[v].timeouts_rps); });
  row("breaker transitions (rep. 0)",
      [&](std::size_t v) { return std::to_string(result.activity[v].breaker_transitions); });
  row("refused by breaker",
      [&](std::size_t v) { return rate_text(result.activity[v].circuit_open_rps); });
  row("rejected", [&](std::size_t v) { return rate_text(result.activity[v].rejected_rps); });
  row("rate limited",
      [&](std::size_t v) { return rate_text(result.activity[v].rate_limited_rps); });
  row("throttled", [&](std::size_t v) { return rate_text(result.activity[v].throttled_rps); });
  row("fallbacks", [&](std::size_t v) { return rate_text(result.activity[v].fallback_rps); });
  row("scale events (rep. 0)",
      [&](std::size_t v) { return std::to_string(result.activity[v].scale_events); });
  // Built piecewise: GCC 12 warns falsely (-Wrestrict) about "literal" + std::string.
  std::string out(1, '\n');
  out += detail::render_table(table);
  if (any_slo) {
    bool by_cost = false;
    const std::optional<std::size_t> best =
        cheapest_meeting_slo(result.activity, result.slo_met, by_cost);
    if (best) {
      const VariantActivity& a = result.activity[*best];
      out += "cheapest variant meeting the SLO: " + experiment.variants[*best].name + " (" +
             detail::short_number(by_cost ? a.cost.value_or(INFINITY) : a.replica_hours) +
             (by_cost ? " cost" : " replica-hours") + ")\n";
    } else {
      out += "no variant meets the SLO\n";
    }
  }
  const std::size_t b = experiment.baseline;
  for (std::size_t v = 0; v < n; ++v) {
    if (v == b) continue;
    const bool same =
        std::all_of(result.differences[v].begin(), result.differences[v].end(),
                    [](const Difference& d) { return d.verdict == Verdict::no_difference; });
    if (!same || experiment.metrics.empty()) continue;
    const std::vector<std::string> idle = idle_mechanisms(result.activity[v]);
    out += "note: " + experiment.variants[v].name + " shows no significant difference from " +
           experiment.variants[b].name + " on any metric";
    if (!idle.empty()) {
      out += "; in it: ";
      for (std::size_t i = 0; i < idle.size(); ++i) {
        if (i > 0) out += ", ";
        out += idle[i];
      }
    }
    out += "\n";
  }
  return out;
}

}  // namespace

Json compare_json(const Experiment& experiment, const CompareResult& result) {
  Json j = detail::header_json(experiment);
  const std::size_t b = experiment.baseline;
  j["baseline"] = experiment.variants[b].name;
  Json metrics = Json::array();
  for (const MetricChoice& m : experiment.metrics) {
    Json mj;
    mj["name"] = m.name;
    mj["better"] = better_name(m.better);
    metrics.push_back(std::move(mj));
  }
  j["metrics"] = std::move(metrics);
  // The limits, for the report's SLO lines (extension; only when the model has an SLO).
  if (experiment.base.slo) j["slo"] = detail::slo_limits_json(experiment);
  Json variants = Json::object();
  for (std::size_t v = 0; v < experiment.variants.size(); ++v) {
    Json vj = Json::object();
    for (std::size_t m = 0; m < experiment.metrics.size(); ++m) {
      vj[experiment.metrics[m].name] = estimate_json(result.metrics[v][m].estimate);
    }
    variants[experiment.variants[v].name] = std::move(vj);
  }
  j["variants"] = std::move(variants);
  Json differences = Json::object();
  for (std::size_t v = 0; v < experiment.variants.size(); ++v) {
    if (v == b) continue;
    Json vj = Json::object();
    for (std::size_t m = 0; m < experiment.metrics.size(); ++m) {
      const Difference& d = result.differences[v][m];
      Json dj = estimate_json(d.estimate);
      const double base = result.metrics[b][m].estimate.mean;
      dj["relative"] = d.estimate.n > 0 && result.metrics[b][m].estimate.n > 0 && base != 0.0
                           ? detail::number_json(d.estimate.mean / base)
                           : Json(nullptr);
      dj["verdict"] = verdict_name(d.verdict);
      vj[experiment.metrics[m].name] = std::move(dj);
    }
    differences[experiment.variants[v].name] = std::move(vj);
  }
  j["differences"] = std::move(differences);
  Json slo = Json::object();
  bool any_slo = false;
  for (std::size_t v = 0; v < experiment.variants.size(); ++v) {
    any_slo = any_slo || result.slo_met[v].has_value();
    slo[experiment.variants[v].name] = result.slo_met[v] ? Json(*result.slo_met[v]) : Json(nullptr);
  }
  if (any_slo) j["slo_met"] = std::move(slo);
  Json notices = Json::object();
  for (std::size_t v = 0; v < experiment.variants.size(); ++v) {
    notices[experiment.variants[v].name] = result.notices[v];
  }
  j["notices"] = std::move(notices);
  Json activity = Json::object();
  for (std::size_t v = 0; v < experiment.variants.size(); ++v) {
    activity[experiment.variants[v].name] = activity_json(result.activity[v]);
  }
  j["activity"] = std::move(activity);
  if (any_slo) {
    bool by_cost = false;
    const std::optional<std::size_t> best =
        cheapest_meeting_slo(result.activity, result.slo_met, by_cost);
    Json cheapest = Json::object();
    cheapest["variant"] = best ? Json(experiment.variants[*best].name) : Json(nullptr);
    cheapest["by"] = by_cost ? "cost" : "replica_hours";
    j["cheapest_meeting_slo"] = std::move(cheapest);
  }
  return j;
}

std::string compare_table(const Experiment& experiment, const CompareResult& result) {
  const std::size_t b = experiment.baseline;
  std::string out = "compare " + experiment.name + ": " +
                    std::to_string(experiment.variants.size()) + " variants x " +
                    std::to_string(experiment.replications) + " replications of model " +
                    experiment.base.name + " (common random numbers), baseline " +
                    experiment.variants[b].name + "; ± is the half-width of the " +
                    detail::percent(experiment.confidence) + " confidence interval\n\n";
  std::vector<std::vector<std::string>> table;
  std::vector<std::string> header{"metric"};
  for (const Variant& v : experiment.variants) header.push_back(v.name);
  table.push_back(header);
  for (std::size_t m = 0; m < experiment.metrics.size(); ++m) {
    std::vector<std::string> line{experiment.metrics[m].name};
    for (std::size_t v = 0; v < experiment.variants.size(); ++v) {
      line.push_back(estimate_text(experiment.metrics[m].name, result.metrics[v][m].estimate));
    }
    table.push_back(std::move(line));
  }
  out += detail::render_table(table);
  out += "\ndifference from " + experiment.variants[b].name + " (paired by replication):\n";
  for (std::size_t v = 0; v < experiment.variants.size(); ++v) {
    if (v == b) continue;
    out += "\n" + experiment.variants[v].name + ":\n";
    std::vector<std::vector<std::string>> rows;
    for (std::size_t m = 0; m < experiment.metrics.size(); ++m) {
      const Difference& d = result.differences[v][m];
      rows.push_back({"  " + experiment.metrics[m].name,
                      estimate_text(experiment.metrics[m].name, d.estimate),
                      verdict_name(d.verdict)});
    }
    out += detail::render_table(rows);
  }
  out += verdicts_text(experiment, result);
  return out;
}

}  // namespace capsim::run
