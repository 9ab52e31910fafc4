#pragma once
// Internal to `capsim size` (not installed): the search. experiment_size_search.cpp sizes one
// setting at a time (bracketing and bisection); experiment_size_cheapest.cpp searches several
// settings together for the cheapest configuration; experiment_size.cpp writes the outputs.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "capsim/analytic/model_analysis.hpp"
#include "capsim/run/experiment_size.hpp"

namespace capsim::run::detail {

/// A value per setting, by the setting's name.
using Counts = std::map<std::string, int>;
using Setting = Experiment::SizedSetting;

/// "3 replicas", "/services/db/connections = 3".
std::string value_text(const Setting& z, int n);

class Sizer {
 public:
  Sizer(const Experiment& e, Executor& executor,
        const std::function<void(const std::string&)>& log);

  SizeResult run();

 private:
  /// Everything run so far for one set of counts: the summaries, in replication order.
  struct Runs {
    model::Spec spec;
    std::vector<stats::Summary> summaries;
  };

  const model::ServiceSpec& service(const model::Spec& spec, const std::string& name) const;
  const Setting& setting(const std::string& name) const;
  bool only_replicas(const Counts& counts) const;
  analytic::AnalysisOptions analysis_options(const Counts& counts) const;
  /// The analysis at `counts`: replica counts as options; any other setting (a database's
  /// connections sized before) through the model itself, so that it counts too.
  analytic::ModelAnalysis analysis_at(const model::Spec& spec, const Counts& counts) const;
  /// Whether the analytic estimate at these counts meets the SLO. Settings other than replicas
  /// are applied to the model itself, so every station the analysis sees reflects them.
  bool analytic_meets(const model::Spec& spec, const Counts& counts) const;
  static bool analytic_meets(const model::Spec& spec, const analytic::ModelAnalysis& a);
  std::optional<int> analytic_answer(const model::Spec& spec, const Setting& z,
                                     Counts counts) const;
  /// The setting's value in the model, when it is an integer there.
  std::optional<int> model_value(const Setting& z) const;
  /// A count that leaves the service at most half busy at the peak (and no fewer than the
  /// model has): while another service is sized, this one should not be the bottleneck.
  int generous(const model::Spec& spec, const Setting& z) const;
  std::vector<Override> overrides(const model::Spec& spec, const Counts& counts) const;
  static std::string key(const Counts& counts);
  /// Runs the replications still missing (up to `replications` each) for every set of counts,
  /// in one batch.
  void ensure(const model::Spec& spec, const std::vector<Counts>& sets, int replications);
  SizeEvaluation evaluation(const std::string& s, const Counts& counts);
  /// Decides every set of counts: runs e_.replications, then doubles the replications of the
  /// undecided ones until they are confident or the budget is spent. Each decision is kept in
  /// decided_.
  std::vector<SizeEvaluation> decide(const model::Spec& spec, const std::string& s,
                                     const std::vector<Counts>& sets);
  void say(const std::string& s, const SizeEvaluation& ev) const;
  /// Bracketing and bisection over one setting, the others at `counts`.
  ServiceSizing size_one(const model::Spec& spec, const Setting& z, Counts counts);

  // experiment_size_cheapest.cpp
  /// The sum over the settings of price_per_unit x value.
  double cost(const Counts& counts) const;
  SizeConfiguration configuration(const SizeEvaluation& ev) const;
  /// `settings`: each setting's minimum with the others at their max, then the box above those
  /// minima in order of cost.
  void cheapest(const model::Spec& spec, SizeResult& result);

  const Experiment& e_;
  Executor& executor_;
  std::function<void(const std::string&)> log_;
  std::vector<Override> peak_;
  std::map<std::string, Runs> runs_;
  std::map<std::string, SizeEvaluation> decided_;  ///< every decision, by key(counts)
  /// Why the model has no analytic estimate (analyze refuses it: a message loop that never
  /// drains), when it has none: the search then rests on the simulation alone.
  std::optional<std::string> unanalysable_;
};

}  // namespace capsim::run::detail
