/// \file One setting at a time for `capsim size` (size_sizer.hpp): the analytic first guess,
/// then bracketing and bisection, each decision on replications shared by every value (common
/// random numbers).

#include <algorithm>
#include <cmath>

#include "capsim/model/error.hpp"
#include "capsim/run/slo_verdict.hpp"
#include "experiment_output.hpp"
#include "size_binding.hpp"
#include "size_sizer.hpp"

namespace capsim::run {

std::vector<Override> peak_overrides(const model::Spec& spec) {
  std::vector<Override> out;
  for (const model::WorkloadSpec& w : spec.workloads) {
    if (w.kind == model::WorkloadKind::open && w.rate.kind != model::ProfileKind::constant) {
      out.push_back(
          {w.pointer + "/rate", detail::Json(analytic::profile_peak(w.rate)), "/at", "/at"});
    }
    if (w.kind == model::WorkloadKind::closed && w.users.kind != model::ProfileKind::constant) {
      out.push_back(
          {w.pointer + "/users",
           detail::Json(static_cast<std::int64_t>(std::floor(analytic::profile_peak(w.users)))),
           "/at", "/at"});
    }
  }
  return out;
}

namespace detail {

std::string value_text(const Setting& z, int n) {
  if (z.replicas) return std::to_string(n) + (n == 1 ? " replica" : " replicas");
  return z.pointer + " = " + std::to_string(n);
}

Sizer::Sizer(const Experiment& e, Executor& executor,
             const std::function<void(const std::string&)>& log)
    : e_(e), executor_(executor), log_(log) {
  if (e.at_peak) peak_ = peak_overrides(e.base);
}

SizeResult Sizer::run() {
  SizeResult result;
  const model::Spec at_peak = load_variant(e_, peak_);
  try {
    analytic::analyze(at_peak);
  } catch (const model::ModelError& e) {
    unanalysable_ = e.what();
  }
  for (const model::WorkloadSpec& w : at_peak.workloads) {
    if (w.kind == model::WorkloadKind::open) {
      result.peak_rps.emplace_back(w.name, analytic::profile_peak(w.rate));
    }
  }
  if (e_.cheapest) {
    cheapest(at_peak, result);
    return result;
  }
  // Generous counts for the services not yet sized.
  Counts counts;
  for (const Setting& z : e_.sized) counts[z.name] = generous(at_peak, z);
  for (const Setting& z : e_.sized) {
    ServiceSizing sizing = size_one(at_peak, z, counts);
    if (sizing.replicas) counts[z.name] = *sizing.replicas;
    result.services.push_back(std::move(sizing));
  }
  return result;
}

const model::ServiceSpec& Sizer::service(const model::Spec& spec, const std::string& name) const {
  return spec.services[*spec.service_index(name)];
}

const Setting& Sizer::setting(const std::string& name) const {
  return *std::find_if(e_.sized.begin(), e_.sized.end(),
                       [&](const Setting& z) { return z.name == name; });
}

bool Sizer::only_replicas(const Counts& counts) const {
  return std::all_of(counts.begin(), counts.end(),
                     [&](const auto& c) { return setting(c.first).replicas; });
}

analytic::AnalysisOptions Sizer::analysis_options(const Counts& counts) const {
  analytic::AnalysisOptions o;
  for (const auto& [name, n] : counts) {
    if (setting(name).replicas) o.replicas.emplace_back(name, n);
  }
  return o;
}

analytic::ModelAnalysis Sizer::analysis_at(const model::Spec& spec, const Counts& counts) const {
  if (!only_replicas(counts)) {
    try {
      return analytic::analyze(load_variant(e_, overrides(spec, counts)));
    } catch (const model::ModelError&) {
      // A value the model refuses cannot be an answer; the replicas alone are then analysed.
    }
  }
  return analytic::analyze(spec, analysis_options(counts));
}

bool Sizer::analytic_meets(const model::Spec& spec, const Counts& counts) const {
  if (only_replicas(counts))
    return analytic_meets(spec, analytic::analyze(spec, analysis_options(counts)));
  try {
    const model::Spec variant = load_variant(e_, overrides(spec, counts));
    return analytic_meets(variant, analytic::analyze(variant));
  } catch (const model::ModelError&) {
    return false;  // a value between the bounds the model refuses: not a candidate
  }
}

bool Sizer::analytic_meets(const model::Spec& spec, const analytic::ModelAnalysis& a) {
  for (const analytic::StationEstimate& st : a.stations) {
    if (st.arrival_rps > 0.0 && !st.stable) return false;
  }
  if (!spec.slo) return true;
  for (const analytic::WorkloadEstimate& w : a.workloads) {
    if (!w.stable) return false;
    for (const auto& [percentile, limit_s] : spec.slo->latency_s) {
      if (percentile == "mean") {
        if (w.mean_latency_s && *w.mean_latency_s > limit_s) return false;
        continue;
      }
      for (const auto& [name, value] : w.latency_quantiles_s) {
        if (name == percentile && value > limit_s) return false;
      }
    }
  }
  return true;
}

std::optional<int> Sizer::analytic_answer(const model::Spec& spec, const Setting& z,
                                          Counts counts) const {
  if (z.replicas) {
    for (int n = z.min; n <= z.max; ++n) {
      counts[z.name] = n;
      if (analytic_meets(spec, counts)) return n;
    }
    return std::nullopt;
  }
  // Another setting reloads the model per value: bisect (more capacity never hurts the
  // analytic estimate).
  counts[z.name] = z.max;
  if (!analytic_meets(spec, counts)) return std::nullopt;
  int fail = z.min - 1, pass = z.max;
  while (pass - fail > 1) {
    const int mid = fail + (pass - fail) / 2;
    counts[z.name] = mid;
    (analytic_meets(spec, counts) ? pass : fail) = mid;
  }
  return pass;
}

std::optional<int> Sizer::model_value(const Setting& z) const {
  try {
    const Json::json_pointer p(z.pointer);
    if (e_.model.contains(p) && e_.model.at(p).is_number_integer()) {
      return e_.model.at(p).get<int>();
    }
  } catch (const Json::exception&) {
    // not a pointer into the document as it is: no value
  }
  return std::nullopt;
}

int Sizer::generous(const model::Spec& spec, const Setting& z) const {
  // Another setting: its largest value (its effect on the stations is not known here).
  if (!z.replicas) return z.max;
  const std::string& s = z.name;
  if (unanalysable_) return std::clamp(service(spec, s).replicas, z.min, z.max);
  const analytic::ModelAnalysis a = analytic::analyze(spec);
  int count = service(spec, s).replicas;
  for (const analytic::StationEstimate& st : a.stations) {
    if (st.service != s || st.servers_per_replica <= 0) continue;
    const double busy = st.work_visits_rps * st.work_mean_s;  // cores busy at the peak
    count = std::max(count, static_cast<int>(std::ceil(2.0 * busy / st.servers_per_replica)));
  }
  return std::clamp(count, z.min, z.max);
}

std::vector<Override> Sizer::overrides(const model::Spec& spec, const Counts& counts) const {
  std::vector<Override> out = peak_;
  for (const auto& [name, n] : counts) {
    const Setting& z = setting(name);
    out.push_back({z.replicas ? service(spec, name).pointer + "/replicas" : z.pointer, Json(n),
                   "/services", "/services"});
  }
  return out;
}

std::string Sizer::key(const Counts& counts) {
  std::string k;
  for (const auto& [name, n] : counts) k += name + "=" + std::to_string(n) + ";";
  return k;
}

void Sizer::ensure(const model::Spec& spec, const std::vector<Counts>& sets, int replications) {
  std::vector<model::Spec> specs;
  std::vector<Task> tasks;
  std::vector<std::string> keys;
  for (const Counts& c : sets) {
    const std::string k = key(c);
    auto it = runs_.find(k);
    if (it == runs_.end()) {
      it = runs_.emplace(k, Runs{load_variant(e_, overrides(spec, c)), {}}).first;
    }
    const std::size_t have = it->second.summaries.size();
    if (have >= static_cast<std::size_t>(replications)) continue;
    specs.push_back(it->second.spec);
    keys.push_back(k);
    for (std::size_t r = have; r < static_cast<std::size_t>(replications); ++r) {
      tasks.push_back({specs.size() - 1, r});
    }
  }
  if (tasks.empty()) return;
  const std::vector<stats::Summary> summaries = executor_.run(specs, tasks);
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    runs_[keys[tasks[i].spec]].summaries.push_back(summaries[i]);
  }
}

SizeEvaluation Sizer::evaluation(const std::string& s, const Counts& counts) {
  const Runs& runs = runs_.at(key(counts));
  const Results r = merge(runs.spec, runs.summaries);
  SizeEvaluation ev;
  ev.replicas = counts.at(s);
  for (const auto& [name, n] : counts) ev.counts.emplace_back(name, n);
  ev.replications = r.replications;
  if (r.slo) ev.checks = *r.slo;
  // The verdict `run` and `compare` give too (slo_verdict.hpp): an undefined percentile or a
  // saturated service fails for sure.
  const SloVerdict verdict = slo_verdict(r);
  ev.met = verdict.met;
  ev.confident = verdict.confident;
  ev.reasons = verdict.reasons;
  if (!ev.met) {
    if (const auto bound = detail::binding_station(runs.spec, r, setting(s).service)) {
      ev.bound_by = bound->service;
      ev.bound_what = bound->what;
      ev.bound_instead = bound->instead;
    }
  }
  for (const MetricChoice& choice : e_.metrics) {
    const MergedMetric* m = r.find(choice.name);
    ev.metrics.push_back(m ? m->estimate : stats::Estimate{});
  }
  ev.notices = r.notices;
  return ev;
}

std::vector<SizeEvaluation> Sizer::decide(const model::Spec& spec, const std::string& s,
                                          const std::vector<Counts>& sets) {
  int replications = e_.replications;
  ensure(spec, sets, replications);
  std::vector<SizeEvaluation> out;
  for (const Counts& c : sets) out.push_back(evaluation(s, c));
  while (true) {
    std::vector<Counts> undecided;
    for (std::size_t i = 0; i < sets.size(); ++i) {
      if (!out[i].confident && out[i].replications < e_.max_replications) {
        undecided.push_back(sets[i]);
      }
    }
    if (undecided.empty()) break;
    replications = std::min(e_.max_replications, replications * 2);
    ensure(spec, undecided, replications);
    for (std::size_t i = 0; i < sets.size(); ++i) out[i] = evaluation(s, sets[i]);
  }
  for (std::size_t i = 0; i < sets.size(); ++i) {
    say(s, out[i]);
    decided_.insert_or_assign(key(sets[i]), out[i]);
  }
  return out;
}

void Sizer::say(const std::string& s, const SizeEvaluation& ev) const {
  if (!log_) return;
  const Setting& z = setting(s);
  std::string what = (z.replicas ? s + " = " : std::string()) + value_text(z, ev.replicas);
  if (e_.cheapest) {
    // Every setting, in the order listed, and the configuration's cost.
    Counts counts(ev.counts.begin(), ev.counts.end());
    what.clear();
    for (const Setting& o : e_.sized) {
      what += (what.empty() ? "" : ", ") + (o.replicas ? o.name + " = " : std::string()) +
              value_text(o, counts.at(o.name));
    }
    what += ", cost " + detail::short_number(cost(counts));
  }
  std::string line = "size: " + what + " (" + std::to_string(ev.replications) +
                     " replications): SLO " + (ev.met ? "met" : "not met") +
                     (ev.confident ? "" : " (not confident)");
  for (const SloCheck& c : ev.checks) {
    if (const std::string undefined = undefined_text(c); !undefined.empty()) {
      line += "; " + c.metric + " " + undefined;
      continue;
    }
    line += "; " + c.metric + " " +
            detail::cell_summary(c.value.n > 0, c.value.mean,
                                 c.value.ci ? std::optional(c.value.ci->first) : std::nullopt,
                                 c.value.ci ? std::optional(c.value.ci->second) : std::nullopt) +
            " (limit " + detail::short_number(c.limit) + ")";
  }
  log_(line);
}

ServiceSizing Sizer::size_one(const model::Spec& spec, const Setting& z, Counts counts) {
  const std::string& s = z.name;
  ServiceSizing out;
  out.service = s;
  out.is_replicas = z.replicas;
  if (!z.replicas) out.pointer = z.pointer;
  // Analytic estimate and the rule of thumb (replicas only: one replica's breaking point).
  if (unanalysable_) {
    out.notes.push_back("no analytic estimate (analyze refuses the model: " + *unanalysable_ +
                        "); the search rests on the simulation alone");
  } else {
    out.analytic = analytic_answer(spec, z, counts);
  }
  if (z.replicas && !unanalysable_) {
    Counts one = counts;
    one[s] = service(spec, s).replicas;
    // With every setting sized before this one (a database's connections, say) at its answer.
    const analytic::ModelAnalysis a = analysis_at(spec, one);
    for (const analytic::WorkloadEstimate& w : a.workloads) out.peak_rps += w.rate_rps;
    for (const analytic::StationEstimate& st : a.stations) {
      if (st.service == s) out.analytic_assumptions = st.assumptions;
    }
    if (const auto bp = analytic::breaking_point(a, s)) {
      out.breaking_point_rps = bp->rps;
      out.breaking_point_bound_by = bp->station;
      out.breaking_point_resource = bp->resource;
    }
    for (const analytic::WorkloadEstimate& w : a.workloads) {
      for (const std::string& text : w.assumptions) {
        if (std::find(out.analytic_assumptions.begin(), out.analytic_assumptions.end(), text) ==
            out.analytic_assumptions.end()) {
          out.analytic_assumptions.push_back(text);
        }
      }
    }
    if (out.breaking_point_bound_by != s && out.breaking_point_rps &&
        *out.breaking_point_rps < out.peak_rps) {
      // Another station on the path saturates below the peak: no count of this tier carries it.
      out.notes.push_back(path_bound_note(spec, out, s));
    } else if (out.breaking_point_rps && *out.breaking_point_rps > 0.0) {
      out.rule_of_thumb =
          static_cast<int>(std::ceil(out.peak_rps / *out.breaking_point_rps - 1e-9)) + 2;
    }
  }
  const int lo_limit = z.min;
  const int hi_limit = z.max;
  int guess = out.analytic        ? *out.analytic
              : out.rule_of_thumb ? *out.rule_of_thumb
              : z.replicas        ? service(spec, s).replicas
                                  : model_value(z).value_or(lo_limit);
  guess = std::clamp(guess, lo_limit, hi_limit);

  std::map<int, SizeEvaluation> known;
  const auto try_counts = [&](std::vector<int> ns) {
    std::vector<Counts> sets;
    std::vector<int> fresh;
    for (int n : ns) {
      if (n < lo_limit || n > hi_limit || known.count(n)) continue;
      Counts c = counts;
      c[s] = n;
      sets.push_back(c);
      fresh.push_back(n);
    }
    if (sets.empty()) return;
    std::vector<SizeEvaluation> evs = decide(spec, s, sets);
    for (std::size_t i = 0; i < fresh.size(); ++i) {
      out.evaluations.push_back(evs[i]);
      known.emplace(fresh[i], std::move(evs[i]));
    }
  };

  // Bracket: the guess and one fewer together (most often that settles it), then gallop.
  try_counts({guess - 1, guess});
  bool passed = false;      // whether some count is known to pass
  int pass = hi_limit + 1;  // smallest count known to pass
  int fail = lo_limit - 1;  // largest count known to fail below `pass`
  if (known.at(guess).met) {
    passed = true;
    pass = guess;
    int step = 1;
    while (true) {
      const int below = pass - step;
      if (below < lo_limit) {
        fail = lo_limit - 1;
        break;
      }
      try_counts({below});
      if (known.at(below).met) {
        pass = below;
        step *= 2;
      } else {
        fail = below;
        break;
      }
    }
  } else {
    fail = guess;
    int step = 1;
    while (known.at(fail).bound_by.empty()) {
      const int above = std::min(hi_limit, fail + step);
      if (above <= fail) break;  // hi_limit failed
      try_counts({above});
      if (known.at(above).met) {
        passed = true;
        pass = above;
        break;
      }
      fail = above;
      step *= 2;
    }
  }
  if (!passed && !known.at(fail).bound_by.empty()) {
    // More replicas of this tier cannot help: another station is saturated.
    const SizeEvaluation& ev = known.at(fail);
    out.bound_by = ev.bound_by;
    const std::string at =
        z.replicas ? std::to_string(fail) + " " + s + (fail == 1 ? " replica" : " replicas") +
                         ", while " + s + "'s cores are not saturated: adding " + s + " replicas"
                   : value_text(z, fail) + ": raising it";
    if (ev.bound_by == s) {
      // Its own limit (a rate limit for the whole service): no count of it helps.
      out.notes.push_back("the SLO is bound by " + ev.bound_what + " at " + value_text(z, fail) +
                          ": more of them do not help; change " + ev.bound_instead);
    } else {
      out.notes.push_back("the SLO is bound by " + ev.bound_what + " at " + at +
                          " does not help; size " + ev.bound_by + " instead (" + ev.bound_instead +
                          (e_.cheapest ? "), e.g. add it to \"settings\""
                                       : "), e.g. list it in \"services\" before " + s));
    }
    out.at_answer = ev;
    out.confident = ev.confident;  // "no answer" is as sure as the failure it rests on
    return out;
  }
  if (!passed) {
    out.notes.push_back("the SLO is not met even with " +
                        (z.replicas ? std::to_string(hi_limit) + " replicas (max_replicas)"
                                    : value_text(z, hi_limit) + " (max)"));
    out.at_answer = known.at(fail);
    out.confident = out.at_answer->confident;
    return out;
  }
  // Bisect between a failing and a passing count.
  while (pass - fail > 1) {
    const int mid = fail + (pass - fail) / 2;
    try_counts({mid});
    if (known.at(mid).met) {
      pass = mid;
    } else {
      fail = mid;
    }
  }
  out.replicas = pass;
  out.at_answer = known.at(pass);
  if (pass - 1 >= lo_limit) out.at_one_fewer = known.at(pass - 1);
  out.confident = out.at_answer->confident && (!out.at_one_fewer || out.at_one_fewer->confident);
  if (!out.confident) {
    out.notes.push_back("uncertain: a decision that fixes the answer is not confident at " +
                        detail::percent(e_.confidence) + " after " +
                        std::to_string(e_.max_replications) +
                        " replications (max_replications); the answer follows the means");
  }
  if (pass == lo_limit) {
    out.notes.push_back(z.replicas
                            ? "the SLO holds at min_replicas (" + std::to_string(lo_limit) + ")"
                            : "the SLO holds at min (" + value_text(z, lo_limit) + ")");
  }
  // An answer at the edge of saturation meets the SLO with no room for a lost replica or a
  // surge: said, since "N replicas" reads as safe.
  if (z.replicas) {
    const auto pct = [](double f) { return stats::printf_number("%.3g%%", f * 100.0); };
    const std::string cpu = "services." + s + ".cpu_utilization";
    for (std::size_t m = 0; m < e_.metrics.size() && m < out.at_answer->metrics.size(); ++m) {
      const stats::Estimate& u = out.at_answer->metrics[m];
      if (e_.metrics[m].name != cpu || u.n == 0 || !(u.mean >= 0.9)) continue;
      out.notes.push_back("no headroom: at " + std::to_string(pass) + " replicas " + s +
                          "'s CPU is " + pct(u.mean) + " busy at the peak; a surge of " +
                          pct(1.0 / u.mean - 1.0) + " or one replica lost saturates it (" +
                          std::to_string(pass + 1) + " replicas leave " +
                          pct(1.0 - u.mean * pass / (pass + 1)) + " of the CPU free)");
      break;
    }
  }
  // Non-monotone results (more replicas failing) are worth a word.
  for (const auto& [n, ev] : known) {
    if (n > pass && !ev.met) {
      out.notes.push_back(
          "not monotone: " + (z.replicas ? std::to_string(n) + " replicas" : value_text(z, n)) +
          " failed the SLO although fewer passed");
      break;
    }
  }
  return out;
}

}  // namespace detail
}  // namespace capsim::run
