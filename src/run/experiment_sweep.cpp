#include "capsim/run/experiment_sweep.hpp"
#include "capsim/run/slo_verdict.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "capsim/model/error.hpp"
#include "capsim/run/replications.hpp"
#include "capsim/run/results_io.hpp"
#include "experiment_estimate.hpp"
#include "experiment_output.hpp"

namespace capsim::run {

using detail::csv_field;
using detail::number_json;

SweepRow sweep_row(const Experiment& experiment, const model::Spec& spec, std::size_t point,
                   const std::vector<stats::Summary>& summaries) {
  const Results r = merge(spec, summaries);
  SweepRow row;
  row.point = point;
  for (const MetricChoice& choice : experiment.metrics) {
    SweepCell cell;
    if (const MergedMetric* m = r.find(choice.name)) {
      if (m->merge == stats::Merge::estimate) {
        cell.n = m->estimate.n;
        cell.defined = m->estimate.n > 0 && std::isfinite(m->estimate.mean);
        cell.mean = cell.defined ? m->estimate.mean : 0.0;
        if (cell.defined && m->estimate.ci) {
          cell.ci_lo = m->estimate.ci->first;
          cell.ci_hi = m->estimate.ci->second;
        }
      } else {
        cell.n = r.replications;
        cell.defined = std::isfinite(m->extreme);
        cell.mean = cell.defined ? m->extreme : 0.0;
      }
    }
    row.metrics.push_back(cell);
  }
  if (r.slo) {
    row.slo_met = slo_verdict(r).met;
  }
  row.notices = r.notices;
  return row;
}

// ---- Checkpoints ------------------------------------------------------------------------------

namespace {

Json cell_json(const SweepCell& c) {
  return Json::array({c.defined ? number_json(c.mean) : Json(nullptr),
                      c.ci_lo ? number_json(*c.ci_lo) : Json(nullptr),
                      c.ci_hi ? number_json(*c.ci_hi) : Json(nullptr), c.n});
}

std::optional<double> opt_double(const Json& j) {
  if (j.is_null()) return std::nullopt;
  if (!j.is_number()) throw std::runtime_error("not a number");
  return j.get<double>();
}

}  // namespace

std::string checkpoint_text(const Experiment& experiment, const std::vector<SweepRow>& rows) {
  Json j;
  j["capsim_checkpoint"] = "sweep";
  j["fingerprint"] = experiment.fingerprint;
  j["points"] = experiment.points.size();
  Json metrics = Json::array();
  for (const MetricChoice& m : experiment.metrics) metrics.push_back(m.name);
  j["metrics"] = metrics;
  Json list = Json::array();
  for (const SweepRow& row : rows) {
    Json r;
    r["point"] = row.point;
    Json cells = Json::array();
    for (const SweepCell& c : row.metrics) cells.push_back(cell_json(c));
    r["metrics"] = cells;
    r["slo_met"] = row.slo_met ? Json(*row.slo_met) : Json(nullptr);
    r["notices"] = row.notices;
    list.push_back(std::move(r));
  }
  j["rows"] = std::move(list);
  return j.dump() + "\n";
}

std::vector<SweepRow> read_checkpoint(const Experiment& experiment,
                                      const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw model::ModelError(
        "", "--resume: '" + path.string() + "' cannot be read; delete it or run without --resume");
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_checkpoint(experiment, path, text.str());
}

std::vector<SweepRow> parse_checkpoint(const Experiment& experiment,
                                       const std::filesystem::path& path, const std::string& text) {
  const auto refuse = [&](const std::string& why) {
    return model::ModelError(
        "", "--resume: '" + path.string() + "' " + why + "; delete it or run without --resume");
  };
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception&) {
    throw refuse("is not a capsim sweep checkpoint");
  }
  if (!j.is_object() || j.value("capsim_checkpoint", "") != "sweep") {
    throw refuse("is not a capsim sweep checkpoint");
  }
  if (j.value("fingerprint", "") != experiment.fingerprint) {
    throw refuse("was written for another experiment, model or options");
  }
  std::vector<SweepRow> rows;
  try {
    std::vector<char> seen(experiment.points.size(), 0);
    for (const Json& r : j.at("rows")) {
      SweepRow row;
      row.point = r.at("point").get<std::size_t>();
      if (row.point >= experiment.points.size() || seen[row.point]) throw std::runtime_error("");
      seen[row.point] = 1;
      const Json& cells = r.at("metrics");
      if (cells.size() != experiment.metrics.size()) throw std::runtime_error("");
      for (const Json& c : cells) {
        SweepCell cell;
        const auto mean = opt_double(c.at(0));
        cell.defined = mean.has_value();
        cell.mean = mean.value_or(0.0);
        cell.ci_lo = opt_double(c.at(1));
        cell.ci_hi = opt_double(c.at(2));
        cell.n = c.at(3).get<int>();
        row.metrics.push_back(cell);
      }
      if (!r.at("slo_met").is_null()) row.slo_met = r.at("slo_met").get<bool>();
      row.notices = r.at("notices").get<std::vector<std::string>>();
      rows.push_back(std::move(row));
    }
  } catch (const std::exception&) {
    throw refuse("is damaged");
  }
  return rows;
}

// ---- Running ----------------------------------------------------------------------------------

SweepResult run_sweep(const Experiment& experiment, Executor& executor,
                      const SweepOptions& options) {
  const std::size_t n_points = experiment.points.size();
  const auto reps = static_cast<std::size_t>(experiment.replications);
  std::vector<std::optional<SweepRow>> rows(n_points);
  SweepResult result;
  // The leader reads the checkpoint and every process gets its text: other hosts may not see
  // the file.
  std::string saved;
  if (options.resume && !options.checkpoint.empty() && executor.leader() &&
      std::filesystem::exists(options.checkpoint)) {
    std::ifstream in(options.checkpoint, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    saved = text.str();
    if (saved.empty()) saved = " ";  // an empty file is damaged, not absent
  }
  executor.share(saved);
  if (!saved.empty()) {
    for (SweepRow& row : parse_checkpoint(experiment, options.checkpoint, saved)) {
      const std::size_t p = row.point;
      rows[p] = std::move(row);
      ++result.resumed;
    }
  }
  std::vector<std::size_t> todo;
  for (std::size_t p = 0; p < n_points; ++p) {
    if (!rows[p]) todo.push_back(p);
  }
  std::mutex rows_mutex;
  const auto save = [&] {
    if (options.checkpoint.empty() || !executor.leader()) return;
    std::vector<SweepRow> done;
    for (const auto& row : rows) {
      if (row) done.push_back(*row);
    }
    write_file_atomic(options.checkpoint, checkpoint_text(experiment, done));
  };

  std::atomic<std::size_t> points_done{n_points - todo.size()};
  const std::size_t total_tasks = todo.size() * reps;
  std::size_t tasks_before = 0;
  const std::size_t batch = executor.batch_hint();
  std::size_t next = 0;
  while (next < todo.size()) {
    // One batch of whole points.
    std::vector<std::size_t> wave;
    while (next < todo.size() && (batch == 0 || wave.size() * reps < batch)) {
      wave.push_back(todo[next++]);
    }
    std::vector<model::Spec> specs;
    std::vector<Task> tasks;
    for (std::size_t k = 0; k < wave.size(); ++k) {
      specs.push_back(load_variant(experiment, experiment.point_overrides(wave[k])));
      for (std::size_t r = 0; r < reps; ++r) tasks.push_back({k, static_cast<std::uint64_t>(r)});
    }
    std::vector<std::vector<stats::Summary>> pending(wave.size(),
                                                     std::vector<stats::Summary>(reps));
    std::vector<std::size_t> missing(wave.size(), reps);
    ExecuteCallbacks callbacks;
    callbacks.on_done = [&](std::size_t i, const stats::Summary& summary) {
      const Task& t = tasks[i];
      pending[t.spec][t.replication] = summary;
      if (--missing[t.spec] > 0) return;
      SweepRow row = sweep_row(experiment, specs[t.spec], wave[t.spec], pending[t.spec]);
      pending[t.spec].clear();
      pending[t.spec].shrink_to_fit();
      std::lock_guard lock(rows_mutex);
      rows[wave[t.spec]] = std::move(row);
      ++points_done;
      save();
    };
    if (options.on_progress) {
      const std::size_t wave_tasks = tasks.size();
      callbacks.on_progress = [&, wave_tasks, tasks_before](double f) {
        const double fraction =
            total_tasks > 0
                ? (static_cast<double>(tasks_before) + f * static_cast<double>(wave_tasks)) /
                      static_cast<double>(total_tasks)
                : 1.0;
        options.on_progress(fraction, points_done.load(), n_points);
      };
    }
    executor.run(specs, tasks, callbacks);
    tasks_before += tasks.size();
  }
  for (auto& row : rows) result.rows.push_back(std::move(*row));
  return result;
}

// ---- Writers ----------------------------------------------------------------------------------

namespace {

std::string value_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string cell_text(const std::optional<double>& v) {
  return v ? number_json(*v).dump() : std::string();
}

/// "rate=900, replicas=3": a point's parameter values.
std::string point_text(const Experiment& experiment, const SweepRow& row) {
  std::string out;
  const std::vector<Override> overrides = experiment.point_overrides(row.point);
  for (std::size_t i = 0; i < overrides.size() && i < experiment.parameters.size(); ++i) {
    if (i > 0) out += ", ";
    out += experiment.parameters[i].name;
    out += '=';
    out += value_text(overrides[i].value);
  }
  return out;
}

/// A point's notices in one line, "; " apart.
std::string notices_text(const SweepRow& row) {
  std::string out;
  for (std::size_t i = 0; i < row.notices.size(); ++i) {
    if (i > 0) out += "; ";
    out += row.notices[i];
  }
  return out;
}

/// The marker of a point with notices: its row number, from 1.
std::size_t notice_number(const SweepRow& row) {
  return row.point + 1;
}

}  // namespace

std::string sweep_csv(const Experiment& experiment, const SweepResult& result) {
  std::string out;
  std::vector<std::string> header;
  for (const SweepParameter& p : experiment.parameters) header.push_back(csv_field(p.name));
  for (const MetricChoice& m : experiment.metrics) {
    header.push_back(csv_field(m.name + ".mean"));
    header.push_back(csv_field(m.name + ".ci_lo"));
    header.push_back(csv_field(m.name + ".ci_hi"));
  }
  bool any_slo = false;
  for (const SweepRow& row : result.rows) any_slo = any_slo || row.slo_met.has_value();
  if (any_slo) header.push_back("slo_met");
  header.push_back("notices");
  out += detail::join(header, ",") + "\n";
  for (const SweepRow& row : result.rows) {
    std::vector<std::string> fields;
    for (const Override& o : experiment.point_overrides(row.point)) {
      fields.push_back(csv_field(value_text(o.value)));
    }
    for (const SweepCell& c : row.metrics) {
      fields.push_back(c.defined ? cell_text(c.mean) : "");
      fields.push_back(cell_text(c.ci_lo));
      fields.push_back(cell_text(c.ci_hi));
    }
    if (any_slo) fields.push_back(row.slo_met ? (*row.slo_met ? "true" : "false") : "");
    fields.push_back(csv_field(notices_text(row)));
    out += detail::join(fields, ",") + "\n";
  }
  return out;
}

Json sweep_json(const Experiment& experiment, const SweepResult& result) {
  Json j = detail::header_json(experiment);
  j["combine"] = experiment.combine == Combine::product ? "product" : "zip";
  Json params = Json::array();
  for (const SweepParameter& p : experiment.parameters) {
    Json pj;
    pj["name"] = p.name;
    pj["pointer"] = p.pointer;
    pj["values"] = p.values;
    params.push_back(std::move(pj));
  }
  j["parameters"] = std::move(params);
  Json metrics = Json::array();
  for (const MetricChoice& m : experiment.metrics) metrics.push_back(m.name);
  j["metrics"] = std::move(metrics);
  // The limits, for the report's SLO lines (extension; only when the model has an SLO).
  if (experiment.base.slo) j["slo"] = detail::slo_limits_json(experiment);
  Json points = Json::array();
  for (const SweepRow& row : result.rows) {
    Json pj;
    Json values = Json::object();
    for (std::size_t i = 0; i < experiment.parameters.size(); ++i) {
      values[experiment.parameters[i].name] =
          experiment.parameters[i].values[experiment.points[row.point][i]];
    }
    pj["parameters"] = std::move(values);
    Json cells = Json::object();
    for (std::size_t m = 0; m < experiment.metrics.size(); ++m) {
      const SweepCell& c = row.metrics[m];
      cells[experiment.metrics[m].name] = detail::estimate_json(
          c.defined ? std::optional<double>(c.mean) : std::nullopt, c.ci_lo, c.ci_hi, c.n);
    }
    pj["metrics"] = std::move(cells);
    pj["slo_met"] = row.slo_met ? Json(*row.slo_met) : Json(nullptr);
    pj["notices"] = row.notices;
    points.push_back(std::move(pj));
  }
  j["points"] = std::move(points);
  return j;
}

std::string sweep_table(const Experiment& experiment, const SweepResult& result) {
  std::vector<std::vector<std::string>> table;
  std::vector<std::string> header;
  for (const SweepParameter& p : experiment.parameters) header.push_back(p.name);
  for (const MetricChoice& m : experiment.metrics) header.push_back(m.name);
  bool any_slo = false;
  for (const SweepRow& row : result.rows) any_slo = any_slo || row.slo_met.has_value();
  if (any_slo) header.push_back("slo");
  bool any_notice = false;
  for (const SweepRow& row : result.rows) any_notice = any_notice || !row.notices.empty();
  if (any_notice) header.push_back("notices");
  table.push_back(header);
  for (const SweepRow& row : result.rows) {
    std::vector<std::string> line;
    for (const Override& o : experiment.point_overrides(row.point)) {
      line.push_back(detail::describe(o.value));
    }
    for (std::size_t m = 0; m < row.metrics.size(); ++m) {
      const SweepCell& c = row.metrics[m];
      line.push_back(
          detail::metric_cell(experiment.metrics[m].name, c.defined, c.mean, c.ci_lo, c.ci_hi));
    }
    if (any_slo) line.push_back(row.slo_met ? (*row.slo_met ? "met" : "NOT met") : "");
    if (any_notice)
      line.push_back(row.notices.empty() ? "" : "!" + std::to_string(notice_number(row)));
    table.push_back(std::move(line));
  }
  std::string out = "sweep " + experiment.name + ": " + std::to_string(result.rows.size()) +
                    " points x " + std::to_string(experiment.replications) +
                    " replications of model " + experiment.base.name +
                    "; ± is the half-width of the " + detail::percent(experiment.confidence) +
                    " confidence interval\n\n";
  out += detail::render_table(table);
  // The notices themselves, numbered as marked in the table (!1, !2, ...).
  bool first = true;
  for (const SweepRow& row : result.rows) {
    if (row.notices.empty()) continue;
    if (first) out += '\n';
    first = false;
    out += "!" + std::to_string(notice_number(row)) + " " + point_text(experiment, row) + ": " +
           notices_text(row) + '\n';
  }
  return out;
}

}  // namespace capsim::run
