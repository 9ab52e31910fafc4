#pragma once
/// \file The documents of `capsim analyze` (docs/experiments.md): the analytic estimates of a
/// model and, with --check, the simulation of the same load beside them. Shared by the command
/// line and the Python module, so that both write the same document.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "capsim/analytic/model_analysis.hpp"
#include "capsim/model/spec.hpp"
#include "capsim/run/replications.hpp"

namespace capsim::run {

/// The analysis document: kind "analyze", the model's name, per service and per workload the
/// estimates (milliseconds, rates per second, null where not estimated) and their assumptions.
nlohmann::ordered_json analysis_json(const model::Spec& spec, const analytic::ModelAnalysis& a);

/// The model document that --check simulates: `doc` (the model `spec` was loaded from) with every
/// workload held at its peak rate or population, and the simulation settings given.
nlohmann::ordered_json check_document(const nlohmann::ordered_json& doc, const model::Spec& spec,
                                      const std::optional<std::uint64_t>& seed,
                                      const std::optional<int>& replications,
                                      const std::optional<std::string>& duration);

/// The `check` section: each analytic quantity beside its simulated mean (null where the
/// simulation did not define it), then the replications, simulated time and notices of `r`.
nlohmann::ordered_json check_json(const analytic::ModelAnalysis& a, const Results& r);

/// The simulated cpu utilisation to set beside the analysis's for `service`: its own, or for a
/// database with read replicas its busier side's (the analysis gives that side's), with the
/// side's name ("primary" or "read_replicas"; empty for the whole service).
std::pair<std::string, std::string> compared_cpu_metric(const Results& r,
                                                        const std::string& service);

}  // namespace capsim::run
